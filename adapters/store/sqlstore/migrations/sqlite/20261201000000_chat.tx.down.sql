DROP TABLE chat_tickets;
--bun:split
DROP TABLE chat_read_markers;
--bun:split
DROP TABLE chat_messages;
--bun:split
DROP TABLE chat_seq;
--bun:split
DROP TABLE chat_conversations;
