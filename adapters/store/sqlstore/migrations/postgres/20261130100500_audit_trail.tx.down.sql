DROP TABLE audit_chain_head;
--bun:split
DROP TABLE audit_trail;
--bun:split
DROP FUNCTION audit_trail_refuse();
