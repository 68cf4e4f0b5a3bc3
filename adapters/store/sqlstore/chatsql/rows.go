package chatsql

import (
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging/chat"
)

type conversationRow struct {
	bun.BaseModel `bun:"table:chat_conversations"`

	ID             string     `bun:"id,pk"`
	Kind           string     `bun:"kind"`
	PatientID      string     `bun:"patient_id"`
	ProfessionalID string     `bun:"professional_id"`
	CompanyID      string     `bun:"company_id"`
	OrderID        string     `bun:"order_id"`
	CreatedAt      time.Time  `bun:"created_at"`
	LastMessageAt  *time.Time `bun:"last_message_at"`
	LastSeq        int64      `bun:"last_seq"`
}

func conversationToRow(c chat.Conversation) conversationRow {
	r := conversationRow{ID: c.ID, Kind: string(c.Kind), PatientID: c.PatientID, ProfessionalID: c.ProfessionalID,
		CompanyID: c.CompanyID, OrderID: c.OrderID, CreatedAt: c.CreatedAt.UTC(), LastSeq: c.LastSeq}
	if !c.LastMessageAt.IsZero() {
		t := c.LastMessageAt.UTC()
		r.LastMessageAt = &t
	}
	return r
}

func (r conversationRow) toDomain() chat.Conversation {
	c := chat.Conversation{ID: r.ID, Kind: chat.ConversationKind(r.Kind), PatientID: r.PatientID, ProfessionalID: r.ProfessionalID,
		CompanyID: r.CompanyID, OrderID: r.OrderID, CreatedAt: r.CreatedAt.UTC(), LastSeq: r.LastSeq}
	if r.LastMessageAt != nil {
		c.LastMessageAt = r.LastMessageAt.UTC()
	}
	return c
}

// conversationViewRow is a conversation with one reader's marker and unread count.
type conversationViewRow struct {
	conversationRow `bun:",extend"`

	LastReadSeq int64 `bun:"last_read_seq"`
	Unread      int   `bun:"unread"`
}

type messageRow struct {
	bun.BaseModel `bun:"table:chat_messages"`

	ID             string     `bun:"id,pk"`
	ConversationID string     `bun:"conversation_id"`
	Seq            int64      `bun:"seq"`
	SenderID       string     `bun:"sender_id"`
	SenderKind     string     `bun:"sender_kind"`
	Text           string     `bun:"text"`
	AttKey         string     `bun:"att_key"`
	AttName        string     `bun:"att_name"`
	AttContentType string     `bun:"att_content_type"`
	AttSize        int64      `bun:"att_size"`
	AttSHA256      string     `bun:"att_sha256"`
	CreatedAt      time.Time  `bun:"created_at"`
	ErasedAt       *time.Time `bun:"erased_at"`
}

func messageToRow(m chat.Message) messageRow {
	r := messageRow{ID: m.ID, ConversationID: m.ConversationID, Seq: m.Seq, SenderID: m.SenderID, SenderKind: string(m.SenderKind),
		Text: m.Text, CreatedAt: m.CreatedAt.UTC()}
	if a := m.Attachment; a != nil {
		r.AttKey, r.AttName, r.AttContentType, r.AttSize, r.AttSHA256 = a.Key, a.Name, a.ContentType, a.Size, a.SHA256
	}
	if m.ErasedAt != nil {
		t := m.ErasedAt.UTC()
		r.ErasedAt = &t
	}
	return r
}

// toDomain is the message of a row (the feed and retention files use it too).
func (r messageRow) toDomain() chat.Message {
	m := chat.Message{ID: r.ID, ConversationID: r.ConversationID, Seq: r.Seq, SenderID: r.SenderID,
		SenderKind: kernel.AccountKind(r.SenderKind), Text: r.Text, CreatedAt: r.CreatedAt.UTC()}
	if r.AttKey != "" {
		m.Attachment = &chat.Attachment{Key: r.AttKey, Name: r.AttName, ContentType: r.AttContentType, Size: r.AttSize, SHA256: r.AttSHA256}
	}
	if r.ErasedAt != nil {
		t := r.ErasedAt.UTC()
		m.ErasedAt = &t
	}
	return m
}

// messageColumns selects a messageRow from chat_messages aliased m (for
// queries that join the conversation).
const messageColumns = "m.id, m.conversation_id, m.seq, m.sender_id, m.sender_kind, m.text, m.att_key, m.att_name, " +
	"m.att_content_type, m.att_size, m.att_sha256, m.created_at, m.erased_at"

func messagesOf(rows []messageRow) []chat.Message {
	out := make([]chat.Message, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.toDomain())
	}
	return out
}
