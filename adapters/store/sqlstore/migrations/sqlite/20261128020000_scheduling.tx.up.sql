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
    version            INTEGER NOT NULL,
    updated_at         TIMESTAMP NOT NULL
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
    start_at        TIMESTAMP NOT NULL,
    end_at          TIMESTAMP NOT NULL,
    mode            TEXT NOT NULL,
    place           TEXT NOT NULL DEFAULT '',
    reason          TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL,
    cancel_reason   TEXT NOT NULL DEFAULT '',
    cancelled_by    TEXT NOT NULL DEFAULT '',
    price_amount    INTEGER NOT NULL DEFAULT 0,
    price_currency  TEXT NOT NULL DEFAULT 'BRL',
    capacity        INTEGER NOT NULL DEFAULT 1,
    seat            INTEGER NOT NULL DEFAULT 1,
    version         INTEGER NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    CONSTRAINT scheduling_appointments_time CHECK (end_at > start_at),
    CONSTRAINT scheduling_appointments_seat CHECK (seat >= 1 AND seat <= capacity)
);
--bun:split
CREATE INDEX scheduling_appointments_patient ON scheduling_appointments (patient_id, start_at, id);
--bun:split
CREATE INDEX scheduling_appointments_professional ON scheduling_appointments (professional_id, start_at, id);
--bun:split
CREATE INDEX scheduling_appointments_company ON scheduling_appointments (company_id, start_at, id);
--bun:split
CREATE UNIQUE INDEX scheduling_appointments_active ON scheduling_appointments (resource_id, seat, start_at) WHERE status = 'confirmed';
--bun:split
-- No double booking, ever: SQLite has one writer at a time, so these triggers see every
-- committed and pending row; they refuse an active appointment overlapping another
-- active one on the same seat of the same resource.
CREATE TRIGGER scheduling_appointments_no_overlap_insert
BEFORE INSERT ON scheduling_appointments
WHEN NEW.status = 'confirmed'
BEGIN
    SELECT RAISE(ABORT, 'UNIQUE constraint failed: scheduling_appointments_no_overlap')
    WHERE EXISTS (SELECT 1 FROM scheduling_appointments o
                  WHERE o.resource_id = NEW.resource_id AND o.seat = NEW.seat AND o.status = 'confirmed'
                    AND o.start_at < NEW.end_at AND NEW.start_at < o.end_at);
END;
--bun:split
CREATE TRIGGER scheduling_appointments_no_overlap_update
BEFORE UPDATE OF start_at, end_at, seat, status, resource_id ON scheduling_appointments
WHEN NEW.status = 'confirmed'
BEGIN
    SELECT RAISE(ABORT, 'UNIQUE constraint failed: scheduling_appointments_no_overlap')
    WHERE EXISTS (SELECT 1 FROM scheduling_appointments o
                  WHERE o.id <> NEW.id AND o.resource_id = NEW.resource_id AND o.seat = NEW.seat AND o.status = 'confirmed'
                    AND o.start_at < NEW.end_at AND NEW.start_at < o.end_at);
END;
--bun:split
CREATE TABLE scheduling_exam_services (
    id               TEXT PRIMARY KEY,
    company_id       TEXT NOT NULL,
    name             TEXT NOT NULL,
    code             TEXT NOT NULL DEFAULT '',
    duration_minutes INTEGER NOT NULL,
    preparation      TEXT NOT NULL DEFAULT '',
    price_amount     INTEGER NOT NULL,
    price_currency   TEXT NOT NULL,
    capacity         INTEGER NOT NULL,
    active           INTEGER NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
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
    offered_start   TIMESTAMP,
    offered_end     TIMESTAMP,
    hold_until      TIMESTAMP,
    queued_at       TIMESTAMP NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
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
    created_at   TIMESTAMP NOT NULL,
    read_at      TIMESTAMP
);
--bun:split
CREATE UNIQUE INDEX scheduling_notifications_dedupe ON scheduling_notifications (dedupe_key);
--bun:split
CREATE INDEX scheduling_notifications_recipient ON scheduling_notifications (recipient_id, created_at DESC, id DESC);
