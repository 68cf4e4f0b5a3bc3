DROP TABLE identity_api_keys;
--bun:split
DROP TABLE identity_reset_tokens;
--bun:split
DROP TABLE identity_refresh_tokens;
--bun:split
DROP TABLE identity_professionals;
--bun:split
DROP TABLE identity_patients;
--bun:split
DROP TABLE identity_accounts;
--bun:split
DROP TABLE identity_companies;
