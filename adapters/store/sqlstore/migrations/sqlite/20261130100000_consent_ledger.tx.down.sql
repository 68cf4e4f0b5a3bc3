DROP TABLE consent_ledger;
