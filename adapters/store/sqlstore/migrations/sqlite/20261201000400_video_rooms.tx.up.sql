-- video rooms of telemedicine appointments: one per appointment, ended when it finishes, is cancelled or becomes in person
CREATE TABLE scheduling_video_rooms (
    appointment_id TEXT PRIMARY KEY REFERENCES scheduling_appointments (id) ON DELETE CASCADE,
    provider       TEXT NOT NULL,
    room_id        TEXT NOT NULL,
    data           TEXT NOT NULL DEFAULT '{}',
    created_at     TIMESTAMP NOT NULL,
    ended_at       TIMESTAMP
);
