DROP TRIGGER audit_trail_no_delete;
--bun:split
DROP TRIGGER audit_trail_no_update;
--bun:split
DROP TABLE audit_chain_head;
--bun:split
DROP TABLE audit_trail;
