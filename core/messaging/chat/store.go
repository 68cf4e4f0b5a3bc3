package chat

import (
	"context"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// Store is chat's persistence: ConversationStore (conversations,
// messages, read markers), TicketStore (WebSocket tickets) and
// RetentionStore (LGPD: export and erasure of messages). Every method
// returns kernel kinds only.
type Store interface {
	ConversationStore
	TicketStore
	RetentionStore
}

// ConversationStore keeps conversations, messages and read markers.
type ConversationStore interface {
	// CreateConversation inserts c, or returns the existing conversation of
	// the same (patient, professional) or order with created false.
	CreateConversation(ctx context.Context, c Conversation) (out Conversation, created bool, err error)
	// GetConversation returns one; kernel.KindNotFound when absent.
	GetConversation(ctx context.Context, id kernel.ID) (Conversation, error)
	// ListConversations lists f's conversations, the most recently active
	// first, with readerID's unread counts and markers.
	ListConversations(ctx context.Context, f ConversationFilter, readerID kernel.ID, page kernel.Page) (kernel.List[ConversationView], error)
	// AddMessage inserts m in one transaction with events: it assigns m.Seq
	// (see Message), sets the conversation's LastSeq and LastMessageAt.
	// kernel.KindNotFound when the conversation is absent.
	AddMessage(ctx context.Context, m *Message, events []kernel.Event) error
	// GetMessage returns one; kernel.KindNotFound when absent.
	GetMessage(ctx context.Context, id kernel.ID) (Message, error)
	// ListMessages lists a conversation's messages, newest first.
	ListMessages(ctx context.Context, conversationID kernel.ID, page kernel.Page) (kernel.List[Message], error)
	// MessagesAfter returns at most limit messages with Seq > afterSeq of f's
	// conversations, in Seq order.
	MessagesAfter(ctx context.Context, f ConversationFilter, afterSeq int64, limit int) ([]Message, error)
	// MarkRead moves accountID's marker on a conversation to seq; it never
	// moves back (a smaller seq leaves it as it is).
	MarkRead(ctx context.Context, m ReadMarker) error
	// SentSince counts senderID's messages created at or after since (the
	// per-sender rate limit).
	SentSince(ctx context.Context, senderID kernel.ID, since time.Time) (int, error)
}

// TicketStore keeps WebSocket tickets.
type TicketStore interface {
	// CreateTicket stores t.
	CreateTicket(ctx context.Context, t Ticket) error
	// RedeemTicket marks the ticket with hash used and returns it, once:
	// kernel.KindNotFound when absent, already used or expired at now.
	RedeemTicket(ctx context.Context, hash string, now time.Time) (Ticket, error)
	// PurgeTickets deletes tickets that expired before t and says how many.
	PurgeTickets(ctx context.Context, before time.Time) (int, error)
}

// RetentionStore is what LGPD needs of chat's data (export, erasure, retention).
// Its methods are declared in retention.go.
