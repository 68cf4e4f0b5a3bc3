CREATE TABLE consent_incidents (
    id                   TEXT PRIMARY KEY,
    title                TEXT NOT NULL,
    description          TEXT NOT NULL,
    occurred_at          TIMESTAMPTZ,
    detected_at          TIMESTAMPTZ NOT NULL,
    categories           TEXT NOT NULL,
    subjects_affected    BIGINT NOT NULL CHECK (subjects_affected >= 0),
    subjects_estimated   BOOLEAN NOT NULL,
    risk                 TEXT NOT NULL CHECK (risk IN ('low', 'medium', 'high')),
    risk_reasoning       TEXT NOT NULL,
    measures             TEXT NOT NULL,
    anpd_notified_at     TIMESTAMPTZ,
    subjects_notified_at TIMESTAMPTZ,
    created_by           TEXT NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    version              INTEGER NOT NULL
);
--bun:split
CREATE INDEX consent_incidents_created ON consent_incidents (created_at DESC, id DESC);
--bun:split
-- Incidents are kept 5 years (Resolução CD/ANPD 15/2024, art. 10): the database
-- refuses to delete a younger one, whoever asks.
CREATE FUNCTION consent_incidents_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.created_at > now() - INTERVAL '5 years' THEN
        RAISE EXCEPTION 'consent_incidents: an incident is kept for 5 years (id %)', OLD.id USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN OLD;
END $$;
--bun:split
CREATE TRIGGER consent_incidents_keep BEFORE DELETE ON consent_incidents FOR EACH ROW EXECUTE FUNCTION consent_incidents_keep();
--bun:split
CREATE FUNCTION consent_incidents_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'consent_incidents: the register cannot be truncated' USING ERRCODE = 'restrict_violation';
END $$;
--bun:split
CREATE TRIGGER consent_incidents_no_truncate BEFORE TRUNCATE ON consent_incidents FOR EACH STATEMENT EXECUTE FUNCTION consent_incidents_no_truncate();
