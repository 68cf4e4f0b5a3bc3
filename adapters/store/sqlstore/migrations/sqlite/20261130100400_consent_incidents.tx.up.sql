CREATE TABLE consent_incidents (
    id                   TEXT PRIMARY KEY,
    title                TEXT NOT NULL,
    description          TEXT NOT NULL,
    occurred_at          TIMESTAMP,
    detected_at          TIMESTAMP NOT NULL,
    categories           TEXT NOT NULL,
    subjects_affected    INTEGER NOT NULL CHECK (subjects_affected >= 0),
    subjects_estimated   BOOLEAN NOT NULL,
    risk                 TEXT NOT NULL CHECK (risk IN ('low', 'medium', 'high')),
    risk_reasoning       TEXT NOT NULL,
    measures             TEXT NOT NULL,
    anpd_notified_at     TIMESTAMP,
    subjects_notified_at TIMESTAMP,
    created_by           TEXT NOT NULL,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL,
    version              INTEGER NOT NULL
);
--bun:split
CREATE INDEX consent_incidents_created ON consent_incidents (created_at DESC, id DESC);
--bun:split
-- Incidents are kept 5 years (Resolução CD/ANPD 15/2024, art. 10). Times are
-- stored as UTC text "YYYY-MM-DD HH:MM:SS...", which compares in time order.
CREATE TRIGGER consent_incidents_keep BEFORE DELETE ON consent_incidents
WHEN OLD.created_at > datetime('now', '-5 years')
BEGIN
    SELECT RAISE(ABORT, 'consent_incidents: an incident is kept for 5 years');
END;
