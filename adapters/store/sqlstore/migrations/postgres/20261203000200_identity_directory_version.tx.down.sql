DROP TRIGGER identity_accounts_directory ON identity_accounts;
--bun:split
DROP TRIGGER identity_professionals_directory ON identity_professionals;
--bun:split
DROP FUNCTION identity_directory_bump();
--bun:split
DROP TABLE identity_directory_version;
