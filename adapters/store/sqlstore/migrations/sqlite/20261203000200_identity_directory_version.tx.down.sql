DROP TRIGGER identity_accounts_directory;
--bun:split
DROP TRIGGER identity_professionals_directory_delete;
--bun:split
DROP TRIGGER identity_professionals_directory_update;
--bun:split
DROP TRIGGER identity_professionals_directory_insert;
--bun:split
DROP TABLE identity_directory_version;
