package chatsql

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging/chat"
)

var _ chat.HeadStore = (*Store)(nil)

// feedRow is a message as the feed reads it (its own type, so the feed does
// not depend on the conversation store's row).
type feedRow struct {
	bun.BaseModel  `bun:"table:chat_messages,alias:m"`
	ID             string     `bun:"id,pk"`
	ConversationID string     `bun:"conversation_id"`
	Seq            int64      `bun:"seq"`
	SenderID       string     `bun:"sender_id"`
	SenderKind     string     `bun:"sender_kind"`
	Text           string     `bun:"text"`
	AttKey         string     `bun:"att_key"`
	AttName        string     `bun:"att_name"`
	AttContentType string     `bun:"att_content_type"`
	AttSize        int64      `bun:"att_size"`
	AttSHA256      string     `bun:"att_sha256"`
	CreatedAt      time.Time  `bun:"created_at"`
	ErasedAt       *time.Time `bun:"erased_at"`
}

func (r feedRow) toDomain() chat.Message {
	m := chat.Message{ID: r.ID, ConversationID: r.ConversationID, Seq: r.Seq, SenderID: r.SenderID,
		SenderKind: kernel.AccountKind(r.SenderKind), Text: r.Text, CreatedAt: r.CreatedAt.UTC()}
	if r.AttKey != "" {
		m.Attachment = &chat.Attachment{Key: r.AttKey, Name: r.AttName, ContentType: r.AttContentType, Size: r.AttSize, SHA256: r.AttSHA256}
	}
	if r.ErasedAt != nil {
		e := r.ErasedAt.UTC()
		m.ErasedAt = &e
	}
	return m
}

// maxFeed caps one read whatever the caller asks.
const maxFeed = 1000

// MessagesAfter: see chat.ConversationStore.
func (s *Store) MessagesAfter(ctx context.Context, f chat.ConversationFilter, afterSeq int64, limit int) ([]chat.Message, error) {
	if limit <= 0 || limit > maxFeed {
		limit = maxFeed
	}
	q := s.db.NewSelect().Model((*feedRow)(nil)).
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
	var rows []feedRow
	if err := q.OrderExpr("m.seq ASC").Limit(int64(limit)).Scan(ctx, &rows); err != nil {
		return nil, sqlstore.Translate(err)
	}
	out := make([]chat.Message, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// NewestSeq: see chat.HeadStore.
func (s *Store) NewestSeq(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.NewRaw("SELECT COALESCE(MAX(seq), 0) FROM chat_messages").Scan(ctx, &n); err != nil {
		return 0, sqlstore.Translate(err)
	}
	return n, nil
}
