package liveapi

import (
	"time"

	"github.com/multisaude/multisaude/core/messaging/chat"
)

// Frame is what the server sends on the socket, as JSON text:
// {"type":"message","message":{...}} for each message, once, in Seq order;
// {"type":"ready"} once the missed messages (after=) have been sent.
type Frame struct {
	Type    string           `json:"type"`
	Message *MessageResponse `json:"message,omitempty"`
}

// MessageResponse is a chat message as the socket sends it.
type MessageResponse struct {
	ID             string              `json:"id"`
	ConversationID string              `json:"conversation_id"`
	Seq            int64               `json:"seq"`
	SenderID       string              `json:"sender_id"`
	SenderKind     string              `json:"sender_kind"`
	Text           string              `json:"text"`
	Attachment     *AttachmentResponse `json:"attachment,omitempty"`
	CreatedAt      time.Time           `json:"created_at"`
	Erased         bool                `json:"erased"`
}

// AttachmentResponse describes a message's file (download it through the chat routes).
type AttachmentResponse struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

func messageOf(m chat.Message) *MessageResponse {
	out := &MessageResponse{ID: m.ID, ConversationID: m.ConversationID, Seq: m.Seq, SenderID: m.SenderID,
		SenderKind: string(m.SenderKind), Text: m.Text, CreatedAt: m.CreatedAt, Erased: m.ErasedAt != nil}
	if a := m.Attachment; a != nil && m.ErasedAt == nil {
		out.Attachment = &AttachmentResponse{Name: a.Name, ContentType: a.ContentType, Size: a.Size, SHA256: a.SHA256}
	}
	return out
}
