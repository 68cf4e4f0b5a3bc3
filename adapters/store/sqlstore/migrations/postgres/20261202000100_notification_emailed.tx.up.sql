-- when the e-mail copy of a notification (a reminder) went out, so a redelivered message does not send it again
ALTER TABLE scheduling_notifications ADD COLUMN emailed_ms BIGINT;
