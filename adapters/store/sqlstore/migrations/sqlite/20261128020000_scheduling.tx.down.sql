DROP TABLE scheduling_notifications;
--bun:split
DROP TABLE scheduling_waitlist;
--bun:split
DROP TABLE scheduling_exam_services;
--bun:split
DROP TABLE scheduling_appointments;
--bun:split
DROP TABLE scheduling_availability;
