package chatsql

import (
	"context"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/messaging/chat"
)

var _ chat.HeadStore = (*Store)(nil)

// maxFeed caps one read whatever the caller asks.
const maxFeed = 1000

// MessagesAfter: see chat.ConversationStore.
func (s *Store) MessagesAfter(ctx context.Context, f chat.ConversationFilter, afterSeq int64, limit int) ([]chat.Message, error) {
	if limit <= 0 || limit > maxFeed {
		limit = maxFeed
	}
	q := s.db.NewSelect().TableExpr("chat_messages AS m").ColumnExpr(messageColumns).
		Join("JOIN chat_conversations AS c ON c.id = m.conversation_id").
		Where("m.seq > ?", afterSeq)
	switch {
	case f.PatientID != "":
		q = q.Where("c.patient_id = ?", f.PatientID)
	case f.ProfessionalID != "":
		q = q.Where("c.kind = 'care'").Where("c.professional_id = ?", f.ProfessionalID)
	case f.CompanyID != "":
		q = q.Where("c.kind = 'order'").Where("c.company_id = ?", f.CompanyID)
	default:
		return []chat.Message{}, nil // no filter: nobody's conversations
	}
	if f.ID != "" {
		q = q.Where("c.id = ?", f.ID)
	}
	var rows []messageRow
	if err := q.OrderExpr("m.seq ASC").Limit(int64(limit)).Scan(ctx, &rows); err != nil {
		return nil, sqlstore.Translate(err)
	}
	return messagesOf(rows), nil
}

// NewestSeq: see chat.HeadStore.
func (s *Store) NewestSeq(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.NewRaw("SELECT COALESCE(MAX(seq), 0) FROM chat_messages").Scan(ctx, &n); err != nil {
		return 0, sqlstore.Translate(err)
	}
	return n, nil
}
