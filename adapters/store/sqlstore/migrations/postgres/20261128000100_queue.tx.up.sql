CREATE TABLE queue_messages (
    seq          BIGSERIAL PRIMARY KEY,
    id           TEXT NOT NULL,
    topic        TEXT NOT NULL,
    key          TEXT NOT NULL DEFAULT '',
    body         BYTEA NOT NULL,
    headers      TEXT NOT NULL DEFAULT '{}',
    attempts     INTEGER NOT NULL DEFAULT 0,
    available_at BIGINT NOT NULL DEFAULT ((extract(epoch from clock_timestamp()) * 1000)::bigint), -- Unix ms, database clock
    lease_until  BIGINT,
    lease_token  TEXT,
    published_at BIGINT NOT NULL DEFAULT ((extract(epoch from clock_timestamp()) * 1000)::bigint),
    CONSTRAINT queue_messages_topic_id UNIQUE (topic, id)
);
--bun:split
CREATE INDEX queue_messages_ready ON queue_messages (topic, seq);
--bun:split
CREATE INDEX queue_messages_by_key ON queue_messages (topic, key, seq);
--bun:split
CREATE INDEX queue_messages_leased ON queue_messages (topic, lease_until) WHERE lease_until IS NOT NULL;
