package chatdir

import (
	"context"

	"github.com/multisaude/multisaude/core/messaging/chat"
)

// placeholder until the clinical access log's entry for conversations lands
// (part F writes records.go; this file is deleted then)

func (d *Directory) LogConversationAccess(ctx context.Context, a chat.RecordAccess) error { return nil }
