CREATE TABLE queue_messages (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL,
    topic        TEXT NOT NULL,
    key          TEXT NOT NULL DEFAULT '',
    body         BLOB NOT NULL,
    headers      TEXT NOT NULL DEFAULT '{}',
    attempts     INTEGER NOT NULL DEFAULT 0,
    available_at BIGINT NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)), -- Unix ms, database clock
    lease_until  BIGINT,
    lease_token  TEXT,
    published_at BIGINT NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)),
    CONSTRAINT queue_messages_topic_id UNIQUE (topic, id)
);
--bun:split
CREATE INDEX queue_messages_ready ON queue_messages (topic, seq);
--bun:split
CREATE INDEX queue_messages_by_key ON queue_messages (topic, key, seq);
--bun:split
CREATE INDEX queue_messages_leased ON queue_messages (topic, lease_until) WHERE lease_until IS NOT NULL;
