package chat

import (
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// ConversationKind says who talks in a conversation.
type ConversationKind string

const (
	// ConversationCare is between a patient and a professional with a care
	// relationship (the clinical record's rule).
	ConversationCare ConversationKind = "care"
	// ConversationOrder is between a patient and the partner company of one
	// of the patient's orders (any member of the company answers).
	ConversationOrder ConversationKind = "order"
)

// Conversation is one chat thread. A care conversation is unique per
// (patient, professional); an order conversation per order.
type Conversation struct {
	ID             kernel.ID
	Kind           ConversationKind
	PatientID      kernel.ID
	ProfessionalID kernel.ID // care
	CompanyID      kernel.ID // order
	OrderID        kernel.ID // order
	CreatedAt      time.Time
	LastMessageAt  time.Time // zero before the first message
	LastSeq        int64     // Seq of the newest message; 0 before the first
}

// ConversationView is a conversation as one reader sees it.
type ConversationView struct {
	Conversation
	Unread      int   // messages of the other side after the reader's read marker
	LastReadSeq int64 // the reader's read marker
	// Display names of the parties (filled by the service, never stored):
	// the patient, the professional (care) or the company's trade name (order).
	PatientName, ProfessionalName, CompanyName string
}

// Attachment is a file sent with a message, stored sealed in the blob store
// (envelope encryption, like clinical documents).
type Attachment struct {
	Key         string // blob key of the sealed bytes
	Name        string // the file name as given (sanitised)
	ContentType string
	Size        int64  // plaintext bytes
	SHA256      string // hex digest of the plaintext
}

// Message is one message of a conversation. Seq is assigned by the store at
// commit, increasing across all conversations in commit order, so "every
// message after Seq n" never misses one committed later with a smaller Seq.
type Message struct {
	ID             kernel.ID
	ConversationID kernel.ID
	Seq            int64
	SenderID       kernel.ID
	SenderKind     kernel.AccountKind
	Text           string
	Attachment     *Attachment
	CreatedAt      time.Time
	ErasedAt       *time.Time // set when erasure removed text and attachment
	SenderName     string     // display name, filled by the service (never stored)
}

// ReadMarker is how far one account has read a conversation.
type ReadMarker struct {
	ConversationID kernel.ID
	AccountID      kernel.ID
	LastReadSeq    int64
	At             time.Time
}

// ConversationFilter selects the conversations one account takes part in:
// exactly one of PatientID, ProfessionalID, CompanyID is set. ID, when set,
// narrows ListConversations to that one conversation.
type ConversationFilter struct {
	PatientID      kernel.ID
	ProfessionalID kernel.ID
	CompanyID      kernel.ID
	ID             kernel.ID
}

// Ticket is a short-lived, single-use pass that opens one WebSocket for the
// principal who asked for it, so no long-lived token travels in a URL. Only
// its hash is stored.
type Ticket struct {
	Hash      string // hex SHA-256 of the value the client holds
	Principal kernel.Principal
	CreatedAt time.Time
	ExpiresAt time.Time
}
