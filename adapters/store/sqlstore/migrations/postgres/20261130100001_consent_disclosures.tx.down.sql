DROP TABLE consent_disclosures;
