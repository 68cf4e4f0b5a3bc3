package chatsql

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging/chat"
)

// ExportMessages: see chat.RetentionStore.
func (s *Store) ExportMessages(ctx context.Context, f chat.ExportFilter, afterSeq int64, limit int) ([]chat.Message, error) {
	q := s.db.NewSelect().TableExpr("chat_messages AS m").ColumnExpr(messageColumns).Where("m.seq > ?", afterSeq)
	switch {
	case f.PatientID != "":
		q = q.Join("JOIN chat_conversations AS c ON c.id = m.conversation_id").Where("c.patient_id = ?", f.PatientID)
	case f.SenderID != "":
		q = q.Where("m.sender_id = ?", f.SenderID)
	default:
		return nil, kernel.Invalid("filter", "filtro de exportação vazio")
	}
	var rows []messageRow
	if err := q.OrderExpr("m.seq").Limit(int64(limit)).Scan(ctx, &rows); err != nil {
		return nil, sqlstore.Translate(err)
	}
	return messagesOf(rows), nil
}

// LastMessageAt: see chat.RetentionStore.
func (s *Store) LastMessageAt(ctx context.Context, patientID kernel.ID, kind chat.ConversationKind) (time.Time, error) {
	var rows []struct {
		At *time.Time `bun:"at"`
	}
	err := s.db.NewSelect().TableExpr("chat_conversations").ColumnExpr("last_message_at AS at").
		Where("patient_id = ? AND kind = ? AND last_message_at IS NOT NULL", patientID, string(kind)).
		OrderExpr("last_message_at DESC").Limit(1).Scan(ctx, &rows)
	if err != nil {
		return time.Time{}, sqlstore.Translate(err)
	}
	if len(rows) == 0 || rows[0].At == nil {
		return time.Time{}, nil
	}
	return rows[0].At.UTC(), nil
}

// ErasableMessages: see chat.RetentionStore.
func (s *Store) ErasableMessages(ctx context.Context, q chat.RetentionQuery, limit int) ([]chat.Message, error) {
	sel := s.db.NewSelect().TableExpr("chat_messages AS m").ColumnExpr(messageColumns).
		Join("JOIN chat_conversations AS c ON c.id = m.conversation_id").
		Where("m.erased_at IS NULL").Where("c.kind = ?", string(q.Kind))
	if q.PatientID != "" {
		sel = sel.Where("c.patient_id = ?", q.PatientID)
	}
	if !q.Before.IsZero() {
		sel = sel.Where("c.last_message_at < ?", q.Before.UTC())
	}
	var rows []messageRow
	if err := sel.OrderExpr("m.seq").Limit(int64(limit)).Scan(ctx, &rows); err != nil {
		return nil, sqlstore.Translate(err)
	}
	return messagesOf(rows), nil
}

// EraseMessages: see chat.RetentionStore.
func (s *Store) EraseMessages(ctx context.Context, ids []kernel.ID, at time.Time) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	res, err := s.db.NewUpdate().TableExpr("chat_messages").
		Set("text = ''").Set("att_key = ''").Set("att_name = ''").Set("att_content_type = ''").
		Set("att_size = 0").Set("att_sha256 = ''").Set("erased_at = ?", at.UTC()).
		Where("id IN (?)", bun.List(ids)).Where("erased_at IS NULL").Exec(ctx)
	if err != nil {
		return 0, sqlstore.Translate(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, sqlstore.Translate(err)
	}
	return int(n), nil
}
