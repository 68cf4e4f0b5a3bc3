ALTER TABLE identity_accounts ADD COLUMN provider_subject TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE identity_accounts ADD COLUMN sessions_valid_after TIMESTAMPTZ;
