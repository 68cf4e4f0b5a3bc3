CREATE TABLE commerce_payments (
    id              TEXT PRIMARY KEY,
    order_id        TEXT NOT NULL,
    patient_id      TEXT NOT NULL,
    company_id      TEXT NOT NULL,
    provider        TEXT NOT NULL,
    charge_id       TEXT NOT NULL DEFAULT '',
    method          TEXT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount >= 0),
    currency        TEXT NOT NULL,
    status          TEXT NOT NULL,
    pix_copy_paste  TEXT NOT NULL DEFAULT '',
    client_secret   TEXT NOT NULL DEFAULT '',
    failure_reason  TEXT NOT NULL DEFAULT '',
    expires_at      TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    paid_at         TIMESTAMP
);
--bun:split
CREATE UNIQUE INDEX commerce_payments_one_pending ON commerce_payments (order_id) WHERE status = 'pending';
--bun:split
CREATE UNIQUE INDEX commerce_payments_charge ON commerce_payments (provider, charge_id) WHERE charge_id <> '';
--bun:split
CREATE INDEX commerce_payments_order ON commerce_payments (order_id, created_at);
--bun:split
CREATE INDEX commerce_payments_patient ON commerce_payments (patient_id, id);
--bun:split
CREATE INDEX commerce_payments_company_paid ON commerce_payments (company_id, paid_at) WHERE status = 'succeeded';
--bun:split
CREATE TABLE commerce_refunds (
    id                 TEXT PRIMARY KEY,
    payment_id         TEXT NOT NULL REFERENCES commerce_payments (id),
    order_id           TEXT NOT NULL,
    company_id         TEXT NOT NULL,
    amount             BIGINT NOT NULL CHECK (amount > 0),
    currency           TEXT NOT NULL,
    reason             TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL,
    by_kind            TEXT NOT NULL DEFAULT '',
    by_id              TEXT NOT NULL DEFAULT '',
    provider_refund_id TEXT NOT NULL DEFAULT '',
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
--bun:split
CREATE INDEX commerce_refunds_payment ON commerce_refunds (payment_id);
--bun:split
CREATE INDEX commerce_refunds_order ON commerce_refunds (order_id, created_at);
--bun:split
CREATE INDEX commerce_refunds_company ON commerce_refunds (company_id, created_at);
--bun:split
CREATE INDEX commerce_refunds_provider ON commerce_refunds (provider_refund_id) WHERE provider_refund_id <> '';
--bun:split
CREATE TABLE commerce_payment_events (
    provider    TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    type        TEXT NOT NULL,
    charge_id   TEXT NOT NULL DEFAULT '',
    payment_id  TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    PRIMARY KEY (provider, event_id)
);
