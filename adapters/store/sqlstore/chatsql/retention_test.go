package chatsql_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/chatsql"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging/chat"
	"github.com/multisaude/multisaude/test/testdb"
)

// retentionFixture inserts conversations and messages with plain SQL, so the
// retention queries are tested on their own.
type retentionFixture struct {
	t   *testing.T
	db  *sqlstore.DB
	seq int64
}

func (f *retentionFixture) conversation(kind chat.ConversationKind, patient, other kernel.ID) kernel.ID {
	f.t.Helper()
	id := kernel.NewID()
	pro, company, order := "", "", ""
	if kind == chat.ConversationCare {
		pro = other
	} else {
		company, order = other, kernel.NewID()
	}
	_, err := f.db.ExecContext(context.Background(), "INSERT INTO chat_conversations (id, kind, patient_id, professional_id, company_id, order_id, created_at) "+
		"VALUES (?, ?, ?, ?, ?, ?, ?)", id, string(kind), patient, pro, company, order, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *retentionFixture) message(conv, sender kernel.ID, kind kernel.AccountKind, text, attKey string, at time.Time) kernel.ID {
	f.t.Helper()
	f.seq++
	id := kernel.NewID()
	ctx := context.Background()
	_, err := f.db.ExecContext(ctx, "INSERT INTO chat_messages (id, conversation_id, seq, sender_id, sender_kind, text, att_key, att_name, "+
		"att_content_type, att_size, att_sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		id, conv, f.seq, sender, string(kind), text, attKey, map[bool]string{true: "exame.pdf"}[attKey != ""],
		map[bool]string{true: "application/pdf"}[attKey != ""], map[bool]int64{true: 3}[attKey != ""], map[bool]string{true: "abc"}[attKey != ""], at.UTC())
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.db.ExecContext(ctx, "UPDATE chat_conversations SET last_seq = ?, last_message_at = ? WHERE id = ?", f.seq, at.UTC(), conv); err != nil {
		f.t.Fatal(err)
	}
	return id
}

func TestRetentionStore(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := chatsql.New(db)
		f := &retentionFixture{t: t, db: db}
		patient, other, pro, company, member := kernel.NewID(), kernel.NewID(), kernel.NewID(), kernel.NewID(), kernel.NewID()
		t0 := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

		care := f.conversation(chat.ConversationCare, patient, pro)
		order := f.conversation(chat.ConversationOrder, patient, company)
		otherCare := f.conversation(chat.ConversationCare, other, pro)
		f.message(care, patient, kernel.KindPatient, "dor de cabeça", "", t0)
		f.message(care, pro, kernel.KindProfessional, "tome água", "", t0.Add(time.Minute))
		f.message(order, patient, kernel.KindPatient, "quando chega?", "chat/att/1", t0.Add(2*time.Minute))
		f.message(order, member, kernel.KindCompanyMember, "amanhã", "", t0.Add(3*time.Minute))
		f.message(otherCare, pro, kernel.KindProfessional, "outro paciente", "", t0.Add(4*time.Minute))

		// export: the patient gets both sides of their conversations, in Seq order, paged
		got, err := s.ExportMessages(ctx, chat.ExportFilter{PatientID: patient}, 0, 3)
		if err != nil || len(got) != 3 || got[0].Text != "dor de cabeça" || got[2].Attachment == nil || got[2].Attachment.Name != "exame.pdf" {
			t.Fatalf("patient's first page: %+v, %v", got, err)
		}
		rest, err := s.ExportMessages(ctx, chat.ExportFilter{PatientID: patient}, got[2].Seq, 3)
		if err != nil || len(rest) != 1 || rest[0].Text != "amanhã" {
			t.Fatalf("patient's second page: %+v, %v", rest, err)
		}
		sent, err := s.ExportMessages(ctx, chat.ExportFilter{SenderID: pro}, 0, 10)
		if err != nil || len(sent) != 2 || sent[0].Text != "tome água" || sent[1].Text != "outro paciente" {
			t.Fatalf("professional's sent messages: %+v, %v", sent, err)
		}
		if _, err := s.ExportMessages(ctx, chat.ExportFilter{}, 0, 10); kernel.KindOf(err) != kernel.KindInvalid {
			t.Fatalf("empty filter: %v", err)
		}

		// the retention anchor
		last, err := s.LastMessageAt(ctx, patient, chat.ConversationCare)
		if err != nil || !last.Equal(t0.Add(time.Minute)) {
			t.Fatalf("last care message: %v, %v", last, err)
		}
		if last, err := s.LastMessageAt(ctx, kernel.NewID(), chat.ConversationOrder); err != nil || !last.IsZero() {
			t.Fatalf("no conversation: %v, %v", last, err)
		}

		// erasable: the patient's order conversation only
		q := chat.RetentionQuery{Kind: chat.ConversationOrder, PatientID: patient}
		ms, err := s.ErasableMessages(ctx, q, 10)
		if err != nil || len(ms) != 2 || ms[0].Attachment == nil || ms[0].Attachment.Key != "chat/att/1" {
			t.Fatalf("erasable: %+v, %v", ms, err)
		}
		if ms, _ := s.ErasableMessages(ctx, chat.RetentionQuery{Kind: chat.ConversationCare, Before: t0}, 10); len(ms) != 0 {
			t.Fatalf("care conversations are not past a cutoff before their last message: %+v", ms)
		}
		if ms, _ := s.ErasableMessages(ctx, chat.RetentionQuery{Kind: chat.ConversationCare, Before: t0.Add(2 * time.Minute)}, 10); len(ms) != 2 {
			t.Fatalf("care conversation past the cutoff: %+v", ms)
		}

		// twenty erasers at once: each message erased exactly once
		at := t0.Add(time.Hour)
		ids := []kernel.ID{ms[0].ID, ms[1].ID}
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := s.EraseMessages(ctx, ids, at)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += n
				mu.Unlock()
			}()
		}
		wg.Wait()
		if total != 2 {
			t.Fatalf("erased %d times, want 2", total)
		}
		if ms, _ := s.ErasableMessages(ctx, q, 10); len(ms) != 0 {
			t.Fatalf("still erasable: %+v", ms)
		}
		all, _ := s.ExportMessages(ctx, chat.ExportFilter{PatientID: patient}, 0, 10)
		for _, m := range all {
			erased := m.ConversationID == order
			switch {
			case erased && (m.Text != "" || m.Attachment != nil || m.ErasedAt == nil || !m.ErasedAt.Equal(at)):
				t.Fatalf("order message not erased: %+v", m)
			case !erased && (m.Text == "" || m.ErasedAt != nil):
				t.Fatalf("care message touched: %+v", m)
			}
		}
		if n, err := s.EraseMessages(ctx, nil, at); n != 0 || err != nil {
			t.Fatalf("nothing to erase: %d, %v", n, err)
		}
	})
}
