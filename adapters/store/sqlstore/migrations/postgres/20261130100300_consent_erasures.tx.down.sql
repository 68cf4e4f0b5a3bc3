DROP TABLE IF EXISTS consent_erasures;
