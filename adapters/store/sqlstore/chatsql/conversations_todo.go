package chatsql

import (
	"context"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging/chat"
)

// placeholders until the conversation store lands (this file is deleted then)

var errTODO = kernel.Unavailable(nil, "em construção")

func (s *Store) CreateConversation(ctx context.Context, c chat.Conversation) (chat.Conversation, bool, error) {
	return c, false, errTODO
}
func (s *Store) GetConversation(ctx context.Context, id kernel.ID) (chat.Conversation, error) {
	return chat.Conversation{}, errTODO
}
func (s *Store) ListConversations(ctx context.Context, f chat.ConversationFilter, readerID kernel.ID, page kernel.Page) (kernel.List[chat.ConversationView], error) {
	return kernel.List[chat.ConversationView]{}, errTODO
}
func (s *Store) AddMessage(ctx context.Context, m *chat.Message, events []kernel.Event) error {
	return errTODO
}
func (s *Store) GetMessage(ctx context.Context, id kernel.ID) (chat.Message, error) {
	return chat.Message{}, errTODO
}
func (s *Store) ListMessages(ctx context.Context, conversationID kernel.ID, page kernel.Page) (kernel.List[chat.Message], error) {
	return kernel.List[chat.Message]{}, errTODO
}
func (s *Store) MarkRead(ctx context.Context, m chat.ReadMarker) error { return errTODO }
func (s *Store) SentSince(ctx context.Context, senderID kernel.ID, since time.Time) (int, error) {
	return 0, errTODO
}
