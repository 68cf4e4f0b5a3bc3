-- queue_messages and outbox are queues: every row is written, then deleted
-- (queue_messages) or updated out of the partial index outbox_pending
-- (outbox), and every claim walks the head of an index past the dead entries
-- that leaves until a vacuum removes them. The default thresholds (20% of the
-- table) let a drain of 100,000 events pile up tens of thousands of them, and
-- a table that was small when last analyzed is planned as small during a
-- burst. Vacuum and analyze them after a fixed number of changes instead.
ALTER TABLE queue_messages SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
    autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 5000,
    autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 5000);
--bun:split
ALTER TABLE outbox SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
    autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 5000);
