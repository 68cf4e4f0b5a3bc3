DROP TABLE consent_incidents;
