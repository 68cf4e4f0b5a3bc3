ALTER TABLE identity_accounts DROP COLUMN sessions_valid_after;
--bun:split
ALTER TABLE identity_accounts DROP COLUMN provider_subject;
