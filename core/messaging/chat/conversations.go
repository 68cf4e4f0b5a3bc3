package chat

import (
	"context"

	"github.com/multisaude/multisaude/core/kernel"
)

// NewConversation asks for a conversation: a patient names ProfessionalID or
// OrderID, a professional names PatientID, a company member names OrderID.
type NewConversation struct {
	ProfessionalID kernel.ID
	PatientID      kernel.ID
	OrderID        kernel.ID
}

// NewMessage is a message to send: text, an attachment, or both.
type NewMessage struct {
	Text       string
	Attachment *NewAttachment
}

// NewAttachment is a file sent with a message.
type NewAttachment struct {
	Name        string
	ContentType string
	Data        []byte
}

var errTODO = kernel.Unavailable(nil, "em construção")

// StartConversation opens (or returns, created false) the conversation p may have.
func (s *Service) StartConversation(ctx context.Context, p kernel.Principal, in NewConversation) (ConversationView, bool, error) {
	return ConversationView{}, false, errTODO
}

// Conversations lists p's conversations, the most recently active first.
func (s *Service) Conversations(ctx context.Context, p kernel.Principal, page kernel.Page) (kernel.List[ConversationView], error) {
	return kernel.List[ConversationView]{}, errTODO
}

// Conversation returns one of p's conversations.
func (s *Service) Conversation(ctx context.Context, p kernel.Principal, id kernel.ID) (ConversationView, error) {
	return ConversationView{}, errTODO
}

// Send appends a message and publishes its notice.
func (s *Service) Send(ctx context.Context, p kernel.Principal, conversationID kernel.ID, in NewMessage) (Message, error) {
	return Message{}, errTODO
}

// Messages lists a conversation's messages, newest first.
func (s *Service) Messages(ctx context.Context, p kernel.Principal, conversationID kernel.ID, page kernel.Page) (kernel.List[Message], error) {
	return kernel.List[Message]{}, errTODO
}

// MarkRead moves p's read marker to messageID.
func (s *Service) MarkRead(ctx context.Context, p kernel.Principal, conversationID, messageID kernel.ID) (ConversationView, error) {
	return ConversationView{}, errTODO
}

// Attachment returns a message's attachment, decrypted.
func (s *Service) Attachment(ctx context.Context, p kernel.Principal, messageID kernel.ID) (Message, []byte, error) {
	return Message{}, nil, errTODO
}
