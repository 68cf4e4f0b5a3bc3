CREATE TABLE consent_disclosures (
    id              TEXT PRIMARY KEY,
    subject_id      TEXT NOT NULL,
    recipient_kind  TEXT NOT NULL,
    recipient_id    TEXT NOT NULL,
    category        TEXT NOT NULL,
    basis           TEXT NOT NULL,
    object_type     TEXT NOT NULL DEFAULT '',
    object_id       TEXT NOT NULL DEFAULT '',
    at              TIMESTAMP NOT NULL
);
--bun:split
CREATE INDEX consent_disclosures_subject ON consent_disclosures (subject_id, at, id);
--bun:split
CREATE INDEX consent_disclosures_object ON consent_disclosures (object_type, object_id);
