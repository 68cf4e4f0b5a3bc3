-- The tamper-evident audit trail: one row per entry, chained by SHA-256
-- (consent.AuditHash). Appended under a lock on audit_chain_head; never
-- updated nor deleted (the triggers below refuse it).
CREATE TABLE audit_trail (
    seq         BIGINT PRIMARY KEY CHECK (seq >= 1),
    at          TIMESTAMPTZ NOT NULL,
    actor_id    TEXT NOT NULL DEFAULT '',
    actor_kind  TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL DEFAULT '',
    object_id   TEXT NOT NULL DEFAULT '',
    subject_id  TEXT NOT NULL DEFAULT '',
    details     TEXT NOT NULL DEFAULT '{}',
    request_id  TEXT NOT NULL DEFAULT '',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
--bun:split
CREATE INDEX audit_trail_subject ON audit_trail (subject_id, seq);
--bun:split
-- The end of the chain, one row: appenders lock it (SELECT ... FOR UPDATE) so
-- concurrent appends from several processes never fork the chain.
CREATE TABLE audit_chain_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
--bun:split
INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
--bun:split
CREATE FUNCTION audit_trail_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_trail is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--bun:split
CREATE TRIGGER audit_trail_no_update BEFORE UPDATE ON audit_trail FOR EACH ROW EXECUTE FUNCTION audit_trail_refuse();
--bun:split
CREATE TRIGGER audit_trail_no_delete BEFORE DELETE ON audit_trail FOR EACH ROW EXECUTE FUNCTION audit_trail_refuse();
--bun:split
CREATE TRIGGER audit_trail_no_truncate BEFORE TRUNCATE ON audit_trail FOR EACH STATEMENT EXECUTE FUNCTION audit_trail_refuse();
