CREATE TABLE commerce_orders (
    id              TEXT PRIMARY KEY,
    patient_id      TEXT NOT NULL,
    company_id      TEXT NOT NULL,
    status          TEXT NOT NULL,
    total_amount    BIGINT NOT NULL CHECK (total_amount >= 0),
    currency        TEXT NOT NULL,
    prescription_id TEXT,
    pay_by          TIMESTAMP NOT NULL,
    body            TEXT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
--bun:split
CREATE INDEX commerce_orders_patient ON commerce_orders (patient_id, created_at, id);
--bun:split
CREATE INDEX commerce_orders_company ON commerce_orders (company_id, created_at, id);
--bun:split
CREATE INDEX commerce_orders_company_status ON commerce_orders (company_id, status, created_at, id);
