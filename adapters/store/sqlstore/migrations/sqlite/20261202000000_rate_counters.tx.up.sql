-- sign-in and password-reset counters in fixed windows, shared by every instance;
-- the key is a SHA-256 of what is counted (an IP or an e-mail), never the value itself
CREATE TABLE identity_rate_counters (
    key_hash        TEXT PRIMARY KEY,
    window_start_ms BIGINT NOT NULL,
    n               INTEGER NOT NULL
);
CREATE INDEX identity_rate_counters_window ON identity_rate_counters (window_start_ms);
