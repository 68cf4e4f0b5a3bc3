DROP TABLE consent_incidents;
--bun:split
DROP FUNCTION consent_incidents_keep();
--bun:split
DROP FUNCTION consent_incidents_no_truncate();
