-- identity_directory_version changes whenever a change to a professional, or to a professional's
-- name or e-mail, commits: the directory caches of every instance compare it (one row read)
-- instead of reloading every verified professional each TTL. Kept by triggers, so every writer
-- (the store, erasure, fixtures, COPY) moves it.
CREATE TABLE identity_directory_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
--bun:split
INSERT INTO identity_directory_version (id, version) VALUES (1, 1);
--bun:split
CREATE FUNCTION identity_directory_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE identity_directory_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;
--bun:split
CREATE TRIGGER identity_professionals_directory AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON identity_professionals
    FOR EACH STATEMENT EXECUTE FUNCTION identity_directory_bump();
--bun:split
CREATE TRIGGER identity_accounts_directory AFTER UPDATE OF name, email ON identity_accounts
    FOR EACH ROW WHEN (NEW.kind = 'professional' AND (OLD.name IS DISTINCT FROM NEW.name OR OLD.email IS DISTINCT FROM NEW.email))
    EXECUTE FUNCTION identity_directory_bump();
