package chatsql_test

import (
	"context"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/chatsql"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging/chat"
	"github.com/multisaude/multisaude/test/testdb"
)

// The feed reads only the filter's conversations, in Seq order, after a
// position, at most limit. Rows are written by hand: the conversation store
// is another part's.
func TestMessagesAfter(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := chatsql.New(db)
		now := time.Now().UTC().Truncate(time.Microsecond)
		pat, other, pro, company, order := kernel.NewID(), kernel.NewID(), kernel.NewID(), kernel.NewID(), kernel.NewID()
		care, care2, ord := kernel.NewID(), kernel.NewID(), kernel.NewID()
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.ExecContext(ctx, q, args...); err != nil {
				t.Fatal(err)
			}
		}
		conv := "INSERT INTO chat_conversations (id, kind, patient_id, professional_id, company_id, order_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
		exec(conv, care, "care", pat, pro, "", "", now)
		exec(conv, care2, "care", other, pro, "", "", now)
		exec(conv, ord, "order", pat, "", company, order, now)
		if n, err := s.NewestSeq(ctx); err != nil || n != 0 {
			t.Fatalf("NewestSeq of none: %d %v", n, err)
		}
		msg := "INSERT INTO chat_messages (id, conversation_id, seq, sender_id, sender_kind, text, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
		seqConv := map[int64]string{1: care, 2: care2, 3: ord, 4: care, 5: care2, 6: ord, 7: care}
		for seq := int64(1); seq <= 7; seq++ {
			exec(msg, kernel.NewID(), seqConv[seq], seq, pat, "patient", "m", now)
		}
		seqs := func(ms []chat.Message) []int64 {
			out := []int64{}
			for _, m := range ms {
				out = append(out, m.Seq)
			}
			return out
		}
		cases := []struct {
			name  string
			f     chat.ConversationFilter
			after int64
			limit int
			want  []int64
		}{
			{"patient: own care and order", chat.ConversationFilter{PatientID: pat}, 0, 10, []int64{1, 3, 4, 6, 7}},
			{"patient after 3, limit 2", chat.ConversationFilter{PatientID: pat}, 3, 2, []int64{4, 6}},
			{"other patient", chat.ConversationFilter{PatientID: other}, 0, 10, []int64{2, 5}},
			{"professional: care only", chat.ConversationFilter{ProfessionalID: pro}, 2, 10, []int64{4, 5, 7}},
			{"company: its orders", chat.ConversationFilter{CompanyID: company}, 0, 10, []int64{3, 6}},
			{"stranger company", chat.ConversationFilter{CompanyID: kernel.NewID()}, 0, 10, []int64{}},
			{"no filter: nothing", chat.ConversationFilter{}, 0, 10, []int64{}},
			{"caught up", chat.ConversationFilter{PatientID: pat}, 7, 10, []int64{}},
		}
		for _, c := range cases {
			got, err := s.MessagesAfter(ctx, c.f, c.after, c.limit)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if g := seqs(got); len(g) != len(c.want) || (len(g) > 0 && (g[0] != c.want[0] || g[len(g)-1] != c.want[len(c.want)-1])) {
				t.Errorf("%s: got seqs %v, want %v", c.name, g, c.want)
			}
		}
		if n, err := s.NewestSeq(ctx); err != nil || n != 7 {
			t.Errorf("NewestSeq: %d %v, want 7", n, err)
		}
	})
}
