CREATE TABLE consent_erasures (
    id            TEXT PRIMARY KEY,
    subject_id    TEXT NOT NULL,
    subject_kind  TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done')),
    decisions     TEXT NOT NULL,
    pending_note  TEXT NOT NULL DEFAULT '',
    done_steps    TEXT NOT NULL DEFAULT '[]',
    attempts      INTEGER NOT NULL DEFAULT 0,
    request_id    TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    completed_at  TIMESTAMP
);
--bun:split
CREATE INDEX consent_erasures_created ON consent_erasures (created_at, id);
--bun:split
CREATE INDEX consent_erasures_subject ON consent_erasures (subject_id, status);
--bun:split
CREATE UNIQUE INDEX consent_erasures_one_unfinished ON consent_erasures (subject_id) WHERE status IN ('pending', 'running');
