CREATE TABLE consent_ledger (
    id            TEXT PRIMARY KEY,
    subject_id    TEXT NOT NULL,
    subject_kind  TEXT NOT NULL,
    purpose       TEXT NOT NULL,
    decision      TEXT NOT NULL CHECK (decision IN ('granted', 'revoked')),
    term_version  TEXT NOT NULL,
    channel       TEXT NOT NULL,
    request_id    TEXT NOT NULL DEFAULT '',
    at            TIMESTAMP NOT NULL
);
--bun:split
CREATE INDEX consent_ledger_subject ON consent_ledger (subject_id, at, id);
--bun:split
CREATE INDEX consent_ledger_subject_purpose ON consent_ledger (subject_id, purpose, at, id);
--bun:split
CREATE TRIGGER consent_ledger_no_update BEFORE UPDATE ON consent_ledger
BEGIN
    SELECT RAISE(ABORT, 'consent_ledger is append-only: UPDATE refused');
END;
--bun:split
CREATE TRIGGER consent_ledger_no_delete BEFORE DELETE ON consent_ledger
BEGIN
    SELECT RAISE(ABORT, 'consent_ledger is append-only: DELETE refused');
END;
