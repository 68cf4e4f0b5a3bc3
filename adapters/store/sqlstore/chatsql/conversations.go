package chatsql

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging/chat"
)

var errNoConversation = kernel.NotFound("conversa não encontrada")

// CreateConversation inserts c, or returns the existing conversation of the
// same (patient, professional) or order with created false. Two racing
// creations make one conversation: the loser's insert meets the unique index
// and reads the winner's row.
func (s *Store) CreateConversation(ctx context.Context, c chat.Conversation) (chat.Conversation, bool, error) {
	row := conversationToRow(c)
	_, err := s.db.NewInsert().Model(&row).Exec(ctx)
	if err == nil {
		return c, true, nil
	}
	if !sqlstore.IsUniqueViolation(err) {
		return chat.Conversation{}, false, sqlstore.Translate(err)
	}
	var existing conversationRow
	q := s.db.NewSelect().Model(&existing)
	if c.Kind == chat.ConversationCare {
		q = q.Where("kind = 'care' AND patient_id = ? AND professional_id = ?", c.PatientID, c.ProfessionalID)
	} else {
		q = q.Where("kind = 'order' AND order_id = ?", c.OrderID)
	}
	if err := q.Limit(1).Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) { // the clash was on the ID itself
			return chat.Conversation{}, false, kernel.Conflict("conversa já existe")
		}
		return chat.Conversation{}, false, sqlstore.Translate(err)
	}
	return existing.toDomain(), false, nil
}

// GetConversation returns one; kernel.KindNotFound when absent.
func (s *Store) GetConversation(ctx context.Context, id kernel.ID) (chat.Conversation, error) {
	var row conversationRow
	if err := s.db.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return chat.Conversation{}, errNoConversation
		}
		return chat.Conversation{}, sqlstore.Translate(err)
	}
	return row.toDomain(), nil
}

// sideOf is the SQL condition selecting f's conversations and the sender
// kind of f's own side (their messages are never unread for them).
func sideOf(f chat.ConversationFilter) (cond string, arg string, own kernel.AccountKind, err error) {
	switch {
	case f.PatientID != "":
		return "c.patient_id = ?", f.PatientID, kernel.KindPatient, nil
	case f.ProfessionalID != "":
		return "c.kind = 'care' AND c.professional_id = ?", f.ProfessionalID, kernel.KindProfessional, nil
	case f.CompanyID != "":
		return "c.kind = 'order' AND c.company_id = ?", f.CompanyID, kernel.KindCompanyMember, nil
	}
	return "", "", "", kernel.Internal(nil, "chat: an empty conversation filter")
}

type conversationCursor struct {
	S int64  `json:"s"`
	I string `json:"i"`
}

// ListConversations lists f's conversations, the most recently active first
// (last Seq, then ID, descending), with readerID's markers; Unread counts the
// messages of the other side (for a company member, a colleague's message is
// the company's own) after the marker.
func (s *Store) ListConversations(ctx context.Context, f chat.ConversationFilter, readerID kernel.ID, page kernel.Page) (kernel.List[chat.ConversationView], error) {
	cond, arg, own, err := sideOf(f)
	if err != nil {
		return kernel.List[chat.ConversationView]{}, err
	}
	if page.Limit <= 0 {
		page.Limit = kernel.DefaultLimit
	}
	var b strings.Builder
	args := []any{string(own), readerID, arg}
	b.WriteString(`SELECT c.id, c.kind, c.patient_id, c.professional_id, c.company_id, c.order_id, c.created_at, c.last_message_at, c.last_seq,
		COALESCE(r.last_read_seq, 0) AS last_read_seq,
		(SELECT COUNT(*) FROM chat_messages AS m WHERE m.conversation_id = c.id AND m.seq > COALESCE(r.last_read_seq, 0)
			AND m.sender_kind <> ?) AS unread
		FROM chat_conversations AS c
		LEFT JOIN chat_read_markers AS r ON r.conversation_id = c.id AND r.account_id = ?
		WHERE `)
	b.WriteString(cond)
	if f.ID != "" {
		b.WriteString(" AND c.id = ?")
		args = append(args, f.ID)
	}
	if page.Cursor != "" {
		var cur conversationCursor
		if err := kernel.DecodeCursor(page.Cursor, &cur); err != nil {
			return kernel.List[chat.ConversationView]{}, err
		}
		b.WriteString(" AND (c.last_seq < ? OR (c.last_seq = ? AND c.id < ?))")
		args = append(args, cur.S, cur.S, cur.I)
	}
	b.WriteString(" ORDER BY c.last_seq DESC, c.id DESC LIMIT ?")
	args = append(args, page.Limit+1)
	var rows []conversationViewRow
	if err := s.db.NewRaw(b.String(), args...).Scan(ctx, &rows); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return kernel.List[chat.ConversationView]{}, sqlstore.Translate(err)
	}
	var out kernel.List[chat.ConversationView]
	if len(rows) > page.Limit {
		rows = rows[:page.Limit]
		last := rows[len(rows)-1]
		out.NextCursor = kernel.EncodeCursor(conversationCursor{S: last.LastSeq, I: last.ID})
	}
	out.Items = make([]chat.ConversationView, 0, len(rows))
	for _, r := range rows {
		out.Items = append(out.Items, chat.ConversationView{Conversation: r.conversationRow.toDomain(), Unread: r.Unread, LastReadSeq: r.LastReadSeq})
	}
	return out, nil
}

// AddMessage inserts m in one transaction with events. The Seq is taken from
// chat_seq (UPDATE ... RETURNING) after everything that may wait or fail
// slowly: from then to the commit the transaction holds chat_seq's row lock
// (PostgreSQL) or the database's write lock (SQLite), so Seq order is commit
// order and a reader of "Seq > n" never misses a message committed later with
// a smaller Seq. kernel.KindNotFound when the conversation is absent.
func (s *Store) AddMessage(ctx context.Context, m *chat.Message, events []kernel.Event) error {
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var n int
		if err := tx.NewSelect().Table("chat_conversations").ColumnExpr("COUNT(*)").Where("id = ?", m.ConversationID).Scan(ctx, &n); err != nil {
			return sqlstore.Translate(err)
		}
		if n == 0 {
			return errNoConversation
		}
		if err := sqlstore.AddEvents(ctx, tx, events...); err != nil {
			return err
		}
		var seq int64
		if err := tx.NewRaw("UPDATE chat_seq SET n = n + 1 WHERE id = 1 RETURNING n").Scan(ctx, &seq); err != nil {
			return sqlstore.Translate(err)
		}
		m.Seq = seq
		row := messageToRow(*m)
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return sqlstore.Translate(err)
		}
		_, err := tx.NewUpdate().Table("chat_conversations").Set("last_seq = ?", seq).Set("last_message_at = ?", m.CreatedAt.UTC()).
			Where("id = ?", m.ConversationID).Exec(ctx)
		return sqlstore.Translate(err)
	})
	if err != nil {
		m.Seq = 0
	}
	return err
}

// GetMessage returns one; kernel.KindNotFound when absent.
func (s *Store) GetMessage(ctx context.Context, id kernel.ID) (chat.Message, error) {
	var row messageRow
	if err := s.db.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return chat.Message{}, kernel.NotFound("mensagem não encontrada")
		}
		return chat.Message{}, sqlstore.Translate(err)
	}
	return row.toDomain(), nil
}

// ListMessages lists a conversation's messages, newest first (Seq cursor).
func (s *Store) ListMessages(ctx context.Context, conversationID kernel.ID, page kernel.Page) (kernel.List[chat.Message], error) {
	if page.Limit <= 0 {
		page.Limit = kernel.DefaultLimit
	}
	var rows []messageRow
	q := s.db.NewSelect().Model(&rows).Where("conversation_id = ?", conversationID)
	if page.Cursor != "" {
		var seq int64
		if err := kernel.DecodeCursor(page.Cursor, &seq); err != nil {
			return kernel.List[chat.Message]{}, err
		}
		q = q.Where("seq < ?", seq)
	}
	if err := q.OrderExpr("seq DESC").Limit(int64(page.Limit + 1)).Scan(ctx); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return kernel.List[chat.Message]{}, sqlstore.Translate(err)
	}
	var out kernel.List[chat.Message]
	if len(rows) > page.Limit {
		rows = rows[:page.Limit]
		out.NextCursor = kernel.EncodeCursor(rows[len(rows)-1].Seq)
	}
	out.Items = messagesOf(rows)
	return out, nil
}

// MarkRead moves the account's marker to m.LastReadSeq, never back (one
// upsert: concurrent marks keep the largest). kernel.KindNotFound when the
// conversation is absent.
func (s *Store) MarkRead(ctx context.Context, m chat.ReadMarker) error {
	_, err := s.db.NewRaw(`INSERT INTO chat_read_markers (conversation_id, account_id, last_read_seq, at) VALUES (?, ?, ?, ?)
		ON CONFLICT (conversation_id, account_id) DO UPDATE SET last_read_seq = excluded.last_read_seq, at = excluded.at
		WHERE chat_read_markers.last_read_seq < excluded.last_read_seq`,
		m.ConversationID, m.AccountID, m.LastReadSeq, m.At.UTC()).Exec(ctx)
	if err != nil && strings.Contains(err.Error(), "FOREIGN KEY constraint failed") { // SQLite
		return errNoConversation
	}
	if kernel.KindOf(sqlstore.Translate(err)) == kernel.KindNotFound {
		return errNoConversation
	}
	return sqlstore.Translate(err)
}

// SentSince counts senderID's messages created at or after since.
func (s *Store) SentSince(ctx context.Context, senderID kernel.ID, since time.Time) (int, error) {
	n, err := s.db.NewSelect().Table("chat_messages").Where("sender_id = ? AND created_at >= ?", senderID, since.UTC()).Count(ctx)
	if err != nil {
		return 0, sqlstore.Translate(err)
	}
	return int(n), nil
}
