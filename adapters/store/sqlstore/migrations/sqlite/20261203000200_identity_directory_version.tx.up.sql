-- identity_directory_version changes whenever a change to a professional, or to a professional's
-- name or e-mail, commits: the directory caches compare it (one row read) instead of reloading
-- every verified professional each TTL. Kept by triggers, so every writer moves it.
CREATE TABLE identity_directory_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
--bun:split
INSERT INTO identity_directory_version (id, version) VALUES (1, 1);
--bun:split
CREATE TRIGGER identity_professionals_directory_insert AFTER INSERT ON identity_professionals
BEGIN
    UPDATE identity_directory_version SET version = version + 1 WHERE id = 1;
END;
--bun:split
CREATE TRIGGER identity_professionals_directory_update AFTER UPDATE ON identity_professionals
BEGIN
    UPDATE identity_directory_version SET version = version + 1 WHERE id = 1;
END;
--bun:split
CREATE TRIGGER identity_professionals_directory_delete AFTER DELETE ON identity_professionals
BEGIN
    UPDATE identity_directory_version SET version = version + 1 WHERE id = 1;
END;
--bun:split
CREATE TRIGGER identity_accounts_directory AFTER UPDATE OF name, email ON identity_accounts
    WHEN NEW.kind = 'professional' AND (OLD.name IS NOT NEW.name OR OLD.email IS NOT NEW.email)
BEGIN
    UPDATE identity_directory_version SET version = version + 1 WHERE id = 1;
END;
