DROP TABLE consent_exports;
