package chat

import (
	"context"

	"github.com/multisaude/multisaude/core/kernel"
)

// Feed returns at most limit of p's messages (all conversations) committed
// after the message afterID (which p must be able to see), in Seq order; an
// empty afterID starts after the newest, returning nothing. For resuming a
// WebSocket.
func (s *Service) Feed(ctx context.Context, p kernel.Principal, afterID kernel.ID, limit int) ([]Message, error) {
	return nil, errTODO
}

// FeedAfter is Feed from a Seq the caller already holds (a live socket's
// position).
func (s *Service) FeedAfter(ctx context.Context, p kernel.Principal, afterSeq int64, limit int) ([]Message, error) {
	return nil, errTODO
}
