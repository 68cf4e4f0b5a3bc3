CREATE TABLE outbox (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    topic        TEXT NOT NULL,
    key          TEXT NOT NULL,
    body         BLOB NOT NULL,
    occurred_at  TIMESTAMP NOT NULL,
    published_at TIMESTAMP
);
--bun:split
CREATE INDEX outbox_pending ON outbox (seq) WHERE published_at IS NULL;
