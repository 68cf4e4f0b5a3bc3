CREATE TABLE scheduled_jobs (
    id          TEXT PRIMARY KEY,
    due_at      BIGINT NOT NULL,
    msg_id      TEXT NOT NULL,
    topic       TEXT NOT NULL,
    key         TEXT NOT NULL DEFAULT '',
    body        BYTEA NOT NULL,
    headers     TEXT NOT NULL DEFAULT '{}',
    created_at  BIGINT NOT NULL
);
--bun:split
CREATE INDEX scheduled_jobs_due ON scheduled_jobs (due_at);
