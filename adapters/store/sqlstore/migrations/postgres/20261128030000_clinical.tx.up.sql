CREATE TABLE clinical_shares (
    id              TEXT PRIMARY KEY,
    patient_id      TEXT NOT NULL,
    professional_id TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('share', 'emergency')),
    reason          TEXT NOT NULL DEFAULT '',
    until           TIMESTAMPTZ NOT NULL,
    revoked_at      TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE INDEX clinical_shares_lookup ON clinical_shares (patient_id, professional_id, until);
--bun:split
CREATE TABLE clinical_access_log (
    id          TEXT PRIMARY KEY,
    patient_id  TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_kind  TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    basis       TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE INDEX clinical_access_log_patient ON clinical_access_log (patient_id, id);
--bun:split
CREATE TABLE clinical_evaluations (
    id             TEXT NOT NULL,
    version        INTEGER NOT NULL CHECK (version >= 1),
    patient_id     TEXT NOT NULL,
    author_id      TEXT NOT NULL,
    appointment_id TEXT NOT NULL DEFAULT '',
    kind           TEXT NOT NULL CHECK (kind IN ('simplified', 'detailed')),
    body           TEXT NOT NULL,
    amend_reason   TEXT NOT NULL DEFAULT '',
    signed_at      TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL,
    first_at       TIMESTAMPTZ NOT NULL,
    is_current     BOOLEAN NOT NULL,
    PRIMARY KEY (id, version)
);
--bun:split
CREATE UNIQUE INDEX clinical_evaluations_current ON clinical_evaluations (id) WHERE is_current;
--bun:split
CREATE INDEX clinical_evaluations_patient ON clinical_evaluations (patient_id, id) WHERE is_current;
--bun:split
CREATE INDEX clinical_evaluations_author ON clinical_evaluations (author_id);
--bun:split
CREATE TABLE clinical_plans (
    id         TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL,
    author_id  TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('draft', 'active', 'completed', 'cancelled')),
    version    BIGINT NOT NULL,
    body       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE INDEX clinical_plans_patient ON clinical_plans (patient_id, status, id);
--bun:split
CREATE INDEX clinical_plans_author ON clinical_plans (author_id);
--bun:split
CREATE TABLE clinical_plan_progress (
    id         TEXT PRIMARY KEY,
    plan_id    TEXT NOT NULL REFERENCES clinical_plans (id),
    item_id    TEXT NOT NULL,
    patient_id TEXT NOT NULL,
    day        TIMESTAMPTZ NOT NULL,
    done       BOOLEAN NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE INDEX clinical_plan_progress_plan ON clinical_plan_progress (plan_id, id);
--bun:split
CREATE TABLE clinical_prescriptions (
    id                TEXT PRIMARY KEY,
    patient_id        TEXT NOT NULL,
    prescriber_id     TEXT NOT NULL,
    type              TEXT NOT NULL CHECK (type IN ('simple', 'special_control')),
    status            TEXT NOT NULL CHECK (status IN ('issued', 'dispensed', 'cancelled')),
    verification_code TEXT NOT NULL,
    body              TEXT NOT NULL,
    document          BYTEA NOT NULL,
    sig_algorithm     TEXT NOT NULL,
    sig_key_id        TEXT NOT NULL,
    sig_value         BYTEA NOT NULL,
    issued_at         TIMESTAMPTZ NOT NULL,
    dispensed_at      TIMESTAMPTZ,
    cancelled_at      TIMESTAMPTZ
);
--bun:split
CREATE UNIQUE INDEX clinical_prescriptions_code ON clinical_prescriptions (verification_code);
--bun:split
CREATE INDEX clinical_prescriptions_patient ON clinical_prescriptions (patient_id, id);
--bun:split
CREATE INDEX clinical_prescriptions_prescriber ON clinical_prescriptions (prescriber_id);
--bun:split
CREATE TABLE clinical_documents (
    id            TEXT PRIMARY KEY,
    patient_id    TEXT NOT NULL,
    uploader_id   TEXT NOT NULL,
    uploader_kind TEXT NOT NULL,
    kind          TEXT NOT NULL,
    title         TEXT NOT NULL DEFAULT '',
    file_name     TEXT NOT NULL DEFAULT '',
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    checksum      TEXT NOT NULL,
    blob_key      TEXT NOT NULL UNIQUE,
    created_at    TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE INDEX clinical_documents_patient ON clinical_documents (patient_id, id);
--bun:split
CREATE INDEX clinical_documents_uploader ON clinical_documents (uploader_id);
