-- chat: conversations, messages (seq: one counter for all, taken under a lock at commit), read markers, WebSocket tickets
CREATE TABLE chat_conversations (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('care', 'order')),
    patient_id      TEXT NOT NULL,
    professional_id TEXT NOT NULL DEFAULT '',
    company_id      TEXT NOT NULL DEFAULT '',
    order_id        TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    last_message_at TIMESTAMPTZ,
    last_seq        BIGINT NOT NULL DEFAULT 0,
    CHECK ((kind = 'care' AND professional_id <> '' AND company_id = '' AND order_id = '')
        OR (kind = 'order' AND professional_id = '' AND company_id <> '' AND order_id <> ''))
);
--bun:split
CREATE UNIQUE INDEX chat_conversations_care ON chat_conversations (patient_id, professional_id) WHERE kind = 'care';
--bun:split
CREATE UNIQUE INDEX chat_conversations_order ON chat_conversations (order_id) WHERE kind = 'order';
--bun:split
CREATE INDEX chat_conversations_patient ON chat_conversations (patient_id, last_seq);
--bun:split
CREATE INDEX chat_conversations_professional ON chat_conversations (professional_id, last_seq) WHERE kind = 'care';
--bun:split
CREATE INDEX chat_conversations_company ON chat_conversations (company_id, last_seq) WHERE kind = 'order';
--bun:split
CREATE TABLE chat_seq (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  BIGINT NOT NULL
);
--bun:split
INSERT INTO chat_seq (id, n) VALUES (1, 0);
--bun:split
CREATE TABLE chat_messages (
    id               TEXT PRIMARY KEY,
    conversation_id  TEXT NOT NULL REFERENCES chat_conversations (id),
    seq              BIGINT NOT NULL UNIQUE,
    sender_id        TEXT NOT NULL,
    sender_kind      TEXT NOT NULL,
    text             TEXT NOT NULL DEFAULT '',
    att_key          TEXT NOT NULL DEFAULT '',
    att_name         TEXT NOT NULL DEFAULT '',
    att_content_type TEXT NOT NULL DEFAULT '',
    att_size         BIGINT NOT NULL DEFAULT 0,
    att_sha256       TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL,
    erased_at        TIMESTAMPTZ
);
--bun:split
CREATE INDEX chat_messages_conversation ON chat_messages (conversation_id, seq);
--bun:split
CREATE INDEX chat_messages_sender ON chat_messages (sender_id, created_at);
--bun:split
CREATE TABLE chat_read_markers (
    conversation_id TEXT NOT NULL REFERENCES chat_conversations (id),
    account_id      TEXT NOT NULL,
    last_read_seq   BIGINT NOT NULL,
    at              TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (conversation_id, account_id)
);
--bun:split
CREATE TABLE chat_tickets (
    hash       TEXT PRIMARY KEY,
    principal  TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
--bun:split
CREATE INDEX chat_tickets_expiry ON chat_tickets (expires_at);
