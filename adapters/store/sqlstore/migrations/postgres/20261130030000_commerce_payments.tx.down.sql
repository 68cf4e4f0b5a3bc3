DROP TABLE commerce_payment_events;
--bun:split
DROP TABLE commerce_refunds;
--bun:split
DROP TABLE commerce_payments;
