DROP TABLE queue_messages;
