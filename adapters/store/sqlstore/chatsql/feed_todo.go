package chatsql

import (
	"context"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging/chat"
)

// placeholder until the feed lands (this file is deleted then)

var _ kernel.ID

func (s *Store) MessagesAfter(ctx context.Context, f chat.ConversationFilter, afterSeq int64, limit int) ([]chat.Message, error) {
	return nil, errTODO
}
