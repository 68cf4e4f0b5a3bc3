ALTER TABLE scheduling_notifications DROP COLUMN emailed_ms;
