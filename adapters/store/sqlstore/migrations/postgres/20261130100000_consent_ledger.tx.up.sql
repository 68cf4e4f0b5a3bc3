CREATE TABLE consent_ledger (
    id            TEXT PRIMARY KEY,
    subject_id    TEXT NOT NULL,
    subject_kind  TEXT NOT NULL,
    purpose       TEXT NOT NULL,
    decision      TEXT NOT NULL CHECK (decision IN ('granted', 'revoked')),
    term_version  TEXT NOT NULL,
    channel       TEXT NOT NULL,
    request_id    TEXT NOT NULL DEFAULT '',
    at            TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE INDEX consent_ledger_subject ON consent_ledger (subject_id, at, id);
--bun:split
CREATE INDEX consent_ledger_subject_purpose ON consent_ledger (subject_id, purpose, at, id);
--bun:split
CREATE FUNCTION consent_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'consent_ledger is append-only: % refused', TG_OP;
END;
$$;
--bun:split
CREATE TRIGGER consent_ledger_no_update BEFORE UPDATE OR DELETE ON consent_ledger
    FOR EACH ROW EXECUTE FUNCTION consent_ledger_append_only();
--bun:split
CREATE TRIGGER consent_ledger_no_truncate BEFORE TRUNCATE ON consent_ledger
    FOR EACH STATEMENT EXECUTE FUNCTION consent_ledger_append_only();
