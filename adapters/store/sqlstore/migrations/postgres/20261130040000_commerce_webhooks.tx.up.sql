CREATE TABLE commerce_webhook_endpoints (
    id          TEXT PRIMARY KEY,
    company_id  TEXT NOT NULL,
    url         TEXT NOT NULL,
    events      TEXT NOT NULL,
    secret      TEXT NOT NULL,
    prev_secret TEXT,
    prev_until  TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE INDEX commerce_webhook_endpoints_company ON commerce_webhook_endpoints (company_id, id);
--bun:split
CREATE TABLE commerce_webhook_deliveries (
    id              TEXT PRIMARY KEY,
    endpoint_id     TEXT NOT NULL REFERENCES commerce_webhook_endpoints (id) ON DELETE CASCADE,
    company_id      TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    message_id      TEXT NOT NULL UNIQUE,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'dead')),
    attempt_count   INTEGER NOT NULL DEFAULT 0 CHECK (attempt_count >= 0),
    next_attempt_at TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE INDEX commerce_webhook_deliveries_endpoint ON commerce_webhook_deliveries (endpoint_id, id);
--bun:split
CREATE TABLE commerce_webhook_attempts (
    delivery_id TEXT NOT NULL REFERENCES commerce_webhook_deliveries (id) ON DELETE CASCADE,
    n           INTEGER NOT NULL CHECK (n >= 1),
    at          TIMESTAMPTZ NOT NULL,
    status_code INTEGER NOT NULL,
    duration_ms BIGINT NOT NULL,
    error       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (delivery_id, n)
);
