-- PostgreSQL only (autovacuum thresholds of queue_messages and outbox); SQLite has no autovacuum to tune.
SELECT 1;
