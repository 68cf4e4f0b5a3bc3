DROP TABLE commerce_webhook_attempts;
--bun:split
DROP TABLE commerce_webhook_deliveries;
--bun:split
DROP TABLE commerce_webhook_endpoints;
