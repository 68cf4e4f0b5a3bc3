DROP INDEX commerce_payments_appointment;
--bun:split
DROP INDEX commerce_payments_appointment_one_pending;
--bun:split
DROP INDEX commerce_payments_one_pending;
--bun:split
CREATE UNIQUE INDEX commerce_payments_one_pending ON commerce_payments (order_id) WHERE status = 'pending';
--bun:split
ALTER TABLE commerce_payments DROP COLUMN appointment_id;
