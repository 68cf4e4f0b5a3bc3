ALTER TABLE commerce_payments ADD COLUMN appointment_id TEXT NOT NULL DEFAULT '';
--bun:split
DROP INDEX commerce_payments_one_pending;
--bun:split
CREATE UNIQUE INDEX commerce_payments_one_pending ON commerce_payments (order_id) WHERE status = 'pending' AND order_id <> '';
--bun:split
CREATE UNIQUE INDEX commerce_payments_appointment_one_pending ON commerce_payments (appointment_id) WHERE status = 'pending' AND appointment_id <> '';
--bun:split
CREATE INDEX commerce_payments_appointment ON commerce_payments (appointment_id, created_at) WHERE appointment_id <> '';
