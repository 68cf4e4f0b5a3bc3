package chatapi

import (
	"time"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/messaging/chat"
)

// StartRequest asks for a conversation: exactly one of the IDs.
type StartRequest struct {
	ProfessionalID string `json:"professional_id,omitempty"`
	PatientID      string `json:"patient_id,omitempty"`
	OrderID        string `json:"order_id,omitempty"`
}

var uuid = httpapi.Limit{Length: 36, Format: "uuid"}

// Limits bounds the request.
func (StartRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"professional_id": uuid, "patient_id": uuid, "order_id": uuid}
}

// SendRequest is a message: JSON {text}, or multipart/form-data with the
// fields text and file (one attachment).
type SendRequest struct {
	Text string `json:"text,omitempty"`
	File []byte `json:"file,omitempty"`
}

// SchemaName is the schema's product name.
func (SendRequest) SchemaName() string { return "MessageSend" }

// maxTextBody bounds the text as received; the use case trims it and allows
// chat.DefaultMaxTextRunes characters (422 past them, naming the field).
const maxTextBody = 4 * chat.DefaultMaxTextRunes

// Limits bounds the request.
func (SendRequest) Limits() httpapi.Limits { return httpapi.Limits{"text": {Length: maxTextBody}} }

// ReadRequest moves the caller's read marker.
type ReadRequest struct {
	MessageID string `json:"message_id"`
}

// Limits bounds the request.
func (ReadRequest) Limits() httpapi.Limits { return httpapi.Limits{"message_id": uuid} }

// ConversationResponse is a conversation as its reader sees it.
type ConversationResponse struct {
	ID               string     `json:"id"`
	Kind             string     `json:"kind"`
	PatientID        string     `json:"patient_id"`
	PatientName      string     `json:"patient_name,omitempty"`
	ProfessionalID   string     `json:"professional_id,omitempty"`
	ProfessionalName string     `json:"professional_name,omitempty"`
	CompanyID        string     `json:"company_id,omitempty"`
	CompanyName      string     `json:"company_name,omitempty"`
	OrderID          string     `json:"order_id,omitempty"`
	CreatedAt        time.Time  `json:"created_at"`
	LastMessageAt    *time.Time `json:"last_message_at,omitempty"`
	LastSeq          int64      `json:"last_seq"`
	LastReadSeq      int64      `json:"last_read_seq"`
	Unread           int        `json:"unread"`
}

// Limits documents the answer.
func (ConversationResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"id": uuid, "patient_id": uuid, "professional_id": uuid, "company_id": uuid, "order_id": uuid,
		"kind": {Enum: []string{string(chat.ConversationCare), string(chat.ConversationOrder)}}}
}

// AttachmentResponse describes a message's file (its bytes are at URL).
type AttachmentResponse struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	URL         string `json:"url"`
}

// MessageResponse is one message. Seq orders messages across conversations
// (commit order).
type MessageResponse struct {
	ID             string              `json:"id"`
	ConversationID string              `json:"conversation_id"`
	Seq            int64               `json:"seq"`
	SenderID       string              `json:"sender_id"`
	SenderKind     string              `json:"sender_kind"`
	SenderName     string              `json:"sender_name,omitempty"`
	Text           string              `json:"text"`
	Attachment     *AttachmentResponse `json:"attachment,omitempty"`
	CreatedAt      time.Time           `json:"created_at"`
	ErasedAt       *time.Time          `json:"erased_at,omitempty"`
}

// Limits documents the answer.
func (MessageResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"id": uuid, "conversation_id": uuid, "sender_id": uuid}
}

// ConversationOut is a conversation's JSON shape.
func ConversationOut(v chat.ConversationView) ConversationResponse {
	out := ConversationResponse{ID: v.ID, Kind: string(v.Kind), PatientID: v.PatientID, PatientName: v.PatientName,
		ProfessionalID: v.ProfessionalID, ProfessionalName: v.ProfessionalName, CompanyID: v.CompanyID, CompanyName: v.CompanyName,
		OrderID: v.OrderID, CreatedAt: v.CreatedAt, LastSeq: v.LastSeq, LastReadSeq: v.LastReadSeq, Unread: v.Unread}
	if !v.LastMessageAt.IsZero() {
		t := v.LastMessageAt
		out.LastMessageAt = &t
	}
	return out
}

// MessageOut is a message's JSON shape (the live feed sends the same).
func MessageOut(m chat.Message) MessageResponse {
	out := MessageResponse{ID: m.ID, ConversationID: m.ConversationID, Seq: m.Seq, SenderID: m.SenderID, SenderKind: string(m.SenderKind),
		SenderName: m.SenderName, Text: m.Text, CreatedAt: m.CreatedAt, ErasedAt: m.ErasedAt}
	if a := m.Attachment; a != nil && m.ErasedAt == nil {
		out.Attachment = &AttachmentResponse{Name: a.Name, ContentType: a.ContentType, Size: a.Size, SHA256: a.SHA256,
			URL: "/v1/conversations/" + m.ConversationID + "/messages/" + m.ID + "/attachment"}
	}
	return out
}
