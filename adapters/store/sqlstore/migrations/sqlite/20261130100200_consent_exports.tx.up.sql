CREATE TABLE consent_exports (
    id          TEXT PRIMARY KEY,
    owner_id    TEXT NOT NULL,
    owner_kind  TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'building', 'ready', 'failed', 'expired')),
    progress    INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    files       INTEGER NOT NULL DEFAULT 0,
    size        BIGINT NOT NULL DEFAULT 0,
    stored      BIGINT NOT NULL DEFAULT 0,
    sha256      TEXT NOT NULL DEFAULT '',
    blob_key    TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    ready_at    TIMESTAMP,
    expires_at  TIMESTAMP
);
--bun:split
CREATE INDEX consent_exports_owner ON consent_exports (owner_id, created_at, id);
--bun:split
CREATE UNIQUE INDEX consent_exports_one_unfinished ON consent_exports (owner_id) WHERE status IN ('pending', 'building');
