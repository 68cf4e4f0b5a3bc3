CREATE EXTENSION IF NOT EXISTS btree_gist;
--bun:split
CREATE TABLE scheduling_availability (
    owner_id           TEXT PRIMARY KEY,
    time_zone          TEXT NOT NULL,
    slot_minutes       INTEGER NOT NULL,
    buffer_minutes     INTEGER NOT NULL,
    min_notice_hours   INTEGER NOT NULL,
    horizon_days       INTEGER NOT NULL,
    cancel_until_hours INTEGER NOT NULL,
    weekly             TEXT NOT NULL,
    exceptions         TEXT NOT NULL,
    version            BIGINT NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE TABLE scheduling_appointments (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    resource_id     TEXT NOT NULL,
    professional_id TEXT,
    exam_service_id TEXT,
    company_id      TEXT,
    patient_id      TEXT NOT NULL,
    start_at        TIMESTAMPTZ NOT NULL,
    end_at          TIMESTAMPTZ NOT NULL,
    mode            TEXT NOT NULL,
    place           TEXT NOT NULL DEFAULT '',
    reason          TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL,
    cancel_reason   TEXT NOT NULL DEFAULT '',
    cancelled_by    TEXT NOT NULL DEFAULT '',
    price_amount    BIGINT NOT NULL DEFAULT 0,
    price_currency  TEXT NOT NULL DEFAULT 'BRL',
    capacity        INTEGER NOT NULL DEFAULT 1,
    seat            INTEGER NOT NULL DEFAULT 1,
    version         BIGINT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    CONSTRAINT scheduling_appointments_time CHECK (end_at > start_at),
    CONSTRAINT scheduling_appointments_seat CHECK (seat >= 1 AND seat <= capacity),
    -- No double booking, ever: two active appointments never hold the same seat of one
    -- resource (a professional, or one room of an exam service) at overlapping times.
    CONSTRAINT scheduling_appointments_no_overlap EXCLUDE USING gist (
        resource_id WITH =, seat WITH =, tstzrange(start_at, end_at, '[)') WITH &&
    ) WHERE (status = 'confirmed')
);
--bun:split
CREATE INDEX scheduling_appointments_patient ON scheduling_appointments (patient_id, start_at, id);
--bun:split
CREATE INDEX scheduling_appointments_professional ON scheduling_appointments (professional_id, start_at, id);
--bun:split
CREATE INDEX scheduling_appointments_company ON scheduling_appointments (company_id, start_at, id);
--bun:split
CREATE INDEX scheduling_appointments_active ON scheduling_appointments (resource_id, start_at) WHERE status = 'confirmed';
--bun:split
CREATE TABLE scheduling_exam_services (
    id               TEXT PRIMARY KEY,
    company_id       TEXT NOT NULL,
    name             TEXT NOT NULL,
    code             TEXT NOT NULL DEFAULT '',
    duration_minutes INTEGER NOT NULL,
    preparation      TEXT NOT NULL DEFAULT '',
    price_amount     BIGINT NOT NULL,
    price_currency   TEXT NOT NULL,
    capacity         INTEGER NOT NULL,
    active           BOOLEAN NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE INDEX scheduling_exam_services_company ON scheduling_exam_services (company_id);
--bun:split
CREATE TABLE scheduling_waitlist (
    id              TEXT PRIMARY KEY,
    professional_id TEXT NOT NULL,
    patient_id      TEXT NOT NULL,
    from_date       TEXT NOT NULL,
    to_date         TEXT NOT NULL,
    status          TEXT NOT NULL,
    offered_start   TIMESTAMPTZ,
    offered_end     TIMESTAMPTZ,
    hold_until      TIMESTAMPTZ,
    queued_at       TIMESTAMPTZ NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE UNIQUE INDEX scheduling_waitlist_open ON scheduling_waitlist (professional_id, patient_id) WHERE status IN ('waiting', 'offered');
--bun:split
CREATE INDEX scheduling_waitlist_line ON scheduling_waitlist (professional_id, status, queued_at);
--bun:split
CREATE TABLE scheduling_notifications (
    id           TEXT PRIMARY KEY,
    recipient_id TEXT NOT NULL,
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    data         TEXT NOT NULL,
    dedupe_key   TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    read_at      TIMESTAMPTZ
);
--bun:split
CREATE UNIQUE INDEX scheduling_notifications_dedupe ON scheduling_notifications (dedupe_key);
--bun:split
CREATE INDEX scheduling_notifications_recipient ON scheduling_notifications (recipient_id, created_at DESC, id DESC);
