DROP TABLE consent_ledger;
--bun:split
DROP FUNCTION consent_ledger_append_only();
