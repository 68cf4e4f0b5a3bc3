package conformance

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging/chat"
)

// RunChatStore checks chat.ConversationStore: error kinds, idempotent creation
// under a race, Seq under concurrent sends (unique, increasing per
// conversation, commit order so MessagesAfter never skips), paging, read
// markers that never move back, and SentSince.
func RunChatStore(t *testing.T, newStore func(t *testing.T) chat.ConversationStore) {
	ctx := context.Background()
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	care := func(pat, pro kernel.ID) chat.Conversation {
		return chat.Conversation{ID: kernel.NewID(), Kind: chat.ConversationCare, PatientID: pat, ProfessionalID: pro, CreatedAt: at}
	}
	order := func(pat, co, ord kernel.ID) chat.Conversation {
		return chat.Conversation{ID: kernel.NewID(), Kind: chat.ConversationOrder, PatientID: pat, CompanyID: co, OrderID: ord, CreatedAt: at}
	}
	msg := func(c chat.Conversation, sender kernel.ID, kind kernel.AccountKind, text string, when time.Time) *chat.Message {
		return &chat.Message{ID: kernel.NewID(), ConversationID: c.ID, SenderID: sender, SenderKind: kind, Text: text, CreatedAt: when}
	}

	t.Run("kinds", func(t *testing.T) {
		s := newStore(t)
		_, err := s.GetConversation(ctx, kernel.NewID())
		wantKind(t, "get an absent conversation", err, kernel.KindNotFound)
		_, err = s.GetMessage(ctx, kernel.NewID())
		wantKind(t, "get an absent message", err, kernel.KindNotFound)
		err = s.AddMessage(ctx, &chat.Message{ID: kernel.NewID(), ConversationID: kernel.NewID(), SenderID: kernel.NewID(),
			SenderKind: kernel.KindPatient, Text: "oi", CreatedAt: at}, nil)
		wantKind(t, "a message in an absent conversation", err, kernel.KindNotFound)
		err = s.MarkRead(ctx, chat.ReadMarker{ConversationID: kernel.NewID(), AccountID: kernel.NewID(), LastReadSeq: 1, At: at})
		wantKind(t, "a marker in an absent conversation", err, kernel.KindNotFound)

		pat, pro, co, ord := kernel.NewID(), kernel.NewID(), kernel.NewID(), kernel.NewID()
		c, created, err := s.CreateConversation(ctx, care(pat, pro))
		noErr(t, "create care", err)
		if !created {
			t.Fatal("a new conversation reported as existing")
		}
		again, created, err := s.CreateConversation(ctx, care(pat, pro))
		noErr(t, "create care again", err)
		if created || again.ID != c.ID {
			t.Fatalf("second create: created %v, id %s want %s", created, again.ID, c.ID)
		}
		o, created, err := s.CreateConversation(ctx, order(pat, co, ord))
		noErr(t, "create order", err)
		if !created || o.Kind != chat.ConversationOrder || o.OrderID != ord {
			t.Fatalf("order conversation %+v created %v", o, created)
		}
		got, err := s.GetConversation(ctx, o.ID)
		noErr(t, "get", err)
		if got.CompanyID != co || got.PatientID != pat || got.LastSeq != 0 || !got.LastMessageAt.IsZero() || !got.CreatedAt.Equal(at) {
			t.Fatalf("got %+v", got)
		}
		m := msg(c, pat, kernel.KindPatient, "olá", at.Add(time.Second))
		m.Attachment = &chat.Attachment{Key: "k/1", Name: "exame.pdf", ContentType: "application/pdf", Size: 10, SHA256: "ab"}
		noErr(t, "add", s.AddMessage(ctx, m, []kernel.Event{kernel.NewEvent("chat.message.sent", c.ID, map[string]string{"message_id": m.ID}, at)}))
		if m.Seq <= 0 {
			t.Fatalf("seq %d", m.Seq)
		}
		gm, err := s.GetMessage(ctx, m.ID)
		noErr(t, "get message", err)
		if gm.Seq != m.Seq || gm.Text != "olá" || gm.Attachment == nil || *gm.Attachment != *m.Attachment || !gm.CreatedAt.Equal(m.CreatedAt) || gm.SenderKind != kernel.KindPatient {
			t.Fatalf("message %+v", gm)
		}
		got, _ = s.GetConversation(ctx, c.ID)
		if got.LastSeq != m.Seq || !got.LastMessageAt.Equal(m.CreatedAt) {
			t.Fatalf("conversation after a message: %+v", got)
		}
		// the same message ID twice is a conflict, and the seq is not consumed visibly
		dup := *m
		wantKind(t, "the same message twice", s.AddMessage(ctx, &dup, nil), kernel.KindConflict)
	})

	t.Run("create race", func(t *testing.T) {
		s := newStore(t)
		pat, pro, co, ord := kernel.NewID(), kernel.NewID(), kernel.NewID(), kernel.NewID()
		for _, mk := range []func() chat.Conversation{func() chat.Conversation { return care(pat, pro) }, func() chat.Conversation { return order(pat, co, ord) }} {
			var wg sync.WaitGroup
			ids := make([]kernel.ID, 20)
			createdN := make([]bool, 20)
			errs := make([]error, 20)
			for i := range 20 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c, created, err := s.CreateConversation(ctx, mk())
					ids[i], createdN[i], errs[i] = c.ID, created, err
				}()
			}
			wg.Wait()
			n := 0
			for i := range 20 {
				noErr(t, "racing create", errs[i])
				if ids[i] != ids[0] {
					t.Fatalf("two conversations: %s and %s", ids[0], ids[i])
				}
				if createdN[i] {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("%d creators reported created, want 1", n)
			}
		}
		l, err := s.ListConversations(ctx, chat.ConversationFilter{PatientID: pat}, pat, kernel.Page{Limit: 10})
		noErr(t, "list", err)
		if len(l.Items) != 2 {
			t.Fatalf("%d conversations, want 2", len(l.Items))
		}
	})

	t.Run("concurrent sends", func(t *testing.T) {
		s := newStore(t)
		pat := kernel.NewID()
		convs := []chat.Conversation{care(pat, kernel.NewID()), care(pat, kernel.NewID())}
		for _, c := range convs {
			_, _, err := s.CreateConversation(ctx, c)
			noErr(t, "create", err)
		}
		const writers, each = 8, 15
		// a reader polls MessagesAfter while the writers send
		if _, err := s.MessagesAfter(ctx, chat.ConversationFilter{PatientID: pat}, 0, 10); kernel.KindOf(err) == kernel.KindUnavailable {
			t.Log("MessagesAfter is not written yet (part E): the reader is left out")
		} else {
			noErr(t, "messages after", err)
		}
		feedReady := true
		if _, err := s.MessagesAfter(ctx, chat.ConversationFilter{PatientID: pat}, 0, 10); err != nil {
			feedReady = false
		}
		stop := make(chan struct{})
		seen := map[kernel.ID]int{}
		var readerErr error
		var rw sync.WaitGroup
		if feedReady {
			rw.Add(1)
			go func() {
				defer rw.Done()
				var after int64
				poll := func() bool {
					ms, err := s.MessagesAfter(ctx, chat.ConversationFilter{PatientID: pat}, after, 7)
					if err != nil {
						readerErr = err
						return false
					}
					for _, m := range ms {
						if m.Seq <= after {
							readerErr = fmt.Errorf("seq %d after %d: not increasing", m.Seq, after)
							return false
						}
						after = m.Seq
						seen[m.ID]++
					}
					return len(ms) > 0
				}
				for {
					select {
					case <-stop:
						for poll() {
						}
						return
					default:
						poll()
					}
				}
			}()
		}
		var wg sync.WaitGroup
		sent := make(chan *chat.Message, writers*each)
		errs := make(chan error, writers*each)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					c := convs[(w+i)%2]
					m := msg(c, pat, kernel.KindPatient, fmt.Sprintf("w%d-%d", w, i), at)
					if err := s.AddMessage(ctx, m, nil); err != nil {
						errs <- err
						return
					}
					sent <- m
				}
			}()
		}
		wg.Wait()
		close(stop)
		rw.Wait()
		close(sent)
		close(errs)
		for err := range errs {
			t.Fatalf("concurrent send: %v", err)
		}
		if readerErr != nil {
			t.Fatalf("reader: %v", readerErr)
		}
		seqs := map[int64]bool{}
		count := 0
		for m := range sent {
			count++
			if seqs[m.Seq] {
				t.Fatalf("seq %d given twice", m.Seq)
			}
			seqs[m.Seq] = true
			if feedReady && seen[m.ID] != 1 {
				t.Fatalf("message %s (seq %d) seen %d times by the reader", m.ID, m.Seq, seen[m.ID])
			}
		}
		if count != writers*each {
			t.Fatalf("%d sent", count)
		}
		if feedReady && len(seen) != count {
			t.Fatalf("reader saw %d messages, %d sent", len(seen), count)
		}
		// per conversation, newest first, strictly decreasing seq over every page
		total := 0
		for _, c := range convs {
			var prev int64 = 1 << 62
			page := kernel.Page{Limit: 11}
			for {
				l, err := s.ListMessages(ctx, c.ID, page)
				noErr(t, "list messages", err)
				for _, m := range l.Items {
					if m.Seq >= prev || m.ConversationID != c.ID {
						t.Fatalf("paging: seq %d after %d", m.Seq, prev)
					}
					prev = m.Seq
					total++
				}
				if l.NextCursor == "" {
					break
				}
				page.Cursor = l.NextCursor
			}
			got, _ := s.GetConversation(ctx, c.ID)
			l, _ := s.ListMessages(ctx, c.ID, kernel.Page{Limit: 1})
			if got.LastSeq != l.Items[0].Seq {
				t.Fatalf("conversation's last seq %d, newest message %d", got.LastSeq, l.Items[0].Seq)
			}
		}
		if total != count {
			t.Fatalf("paging listed %d of %d", total, count)
		}
	})

	t.Run("markers and unread", func(t *testing.T) {
		s := newStore(t)
		pat, pro, co := kernel.NewID(), kernel.NewID(), kernel.NewID()
		member, colleague := kernel.NewID(), kernel.NewID()
		c, _, err := s.CreateConversation(ctx, care(pat, pro))
		noErr(t, "create", err)
		o, _, err := s.CreateConversation(ctx, order(pat, co, kernel.NewID()))
		noErr(t, "create order", err)
		var ms []*chat.Message
		for i := range 5 {
			m := msg(c, pro, kernel.KindProfessional, fmt.Sprint(i), at.Add(time.Duration(i)*time.Second))
			noErr(t, "add", s.AddMessage(ctx, m, nil))
			ms = append(ms, m)
		}
		noErr(t, "add own", s.AddMessage(ctx, msg(c, pat, kernel.KindPatient, "minha", at), nil))
		noErr(t, "add member", s.AddMessage(ctx, msg(o, member, kernel.KindCompanyMember, "loja", at), nil))
		noErr(t, "add colleague", s.AddMessage(ctx, msg(o, colleague, kernel.KindCompanyMember, "loja 2", at), nil))

		unread := func(f chat.ConversationFilter, reader, id kernel.ID) (int, int64) {
			t.Helper()
			f.ID = id
			l, err := s.ListConversations(ctx, f, reader, kernel.Page{Limit: 5})
			noErr(t, "list", err)
			if len(l.Items) != 1 {
				t.Fatalf("%d conversations with the ID filter", len(l.Items))
			}
			return l.Items[0].Unread, l.Items[0].LastReadSeq
		}
		if n, _ := unread(chat.ConversationFilter{PatientID: pat}, pat, c.ID); n != 5 {
			t.Fatalf("patient's unread %d, want 5 (own messages do not count)", n)
		}
		if n, _ := unread(chat.ConversationFilter{ProfessionalID: pro}, pro, c.ID); n != 1 {
			t.Fatalf("professional's unread %d, want 1", n)
		}
		if n, _ := unread(chat.ConversationFilter{CompanyID: co}, member, o.ID); n != 0 {
			t.Fatalf("company's unread %d, want 0 (a colleague's message is the company's own)", n)
		}
		noErr(t, "mark", s.MarkRead(ctx, chat.ReadMarker{ConversationID: c.ID, AccountID: pat, LastReadSeq: ms[2].Seq, At: at}))
		if n, seq := unread(chat.ConversationFilter{PatientID: pat}, pat, c.ID); n != 2 || seq != ms[2].Seq {
			t.Fatalf("after marking: unread %d marker %d", n, seq)
		}
		noErr(t, "mark back", s.MarkRead(ctx, chat.ReadMarker{ConversationID: c.ID, AccountID: pat, LastReadSeq: ms[0].Seq, At: at}))
		if _, seq := unread(chat.ConversationFilter{PatientID: pat}, pat, c.ID); seq != ms[2].Seq {
			t.Fatalf("the marker moved back to %d", seq)
		}
		var wg sync.WaitGroup
		for i := range ms {
			wg.Add(1)
			go func() {
				defer wg.Done()
				noErr(t, "racing mark", s.MarkRead(ctx, chat.ReadMarker{ConversationID: c.ID, AccountID: pat, LastReadSeq: ms[i].Seq, At: at}))
			}()
		}
		wg.Wait()
		if n, seq := unread(chat.ConversationFilter{PatientID: pat}, pat, c.ID); n != 0 || seq != ms[4].Seq {
			t.Fatalf("after racing marks: unread %d marker %d, want 0 and %d", n, seq, ms[4].Seq)
		}
		// listing: the most recently active first, paged
		l, err := s.ListConversations(ctx, chat.ConversationFilter{PatientID: pat}, pat, kernel.Page{Limit: 1})
		noErr(t, "list page 1", err)
		if len(l.Items) != 1 || l.Items[0].ID != o.ID || l.NextCursor == "" {
			t.Fatalf("page 1: %+v", l)
		}
		l, err = s.ListConversations(ctx, chat.ConversationFilter{PatientID: pat}, pat, kernel.Page{Limit: 1, Cursor: l.NextCursor})
		noErr(t, "list page 2", err)
		if len(l.Items) != 1 || l.Items[0].ID != c.ID || l.NextCursor != "" {
			t.Fatalf("page 2: %+v", l)
		}
		if l, _ := s.ListConversations(ctx, chat.ConversationFilter{ProfessionalID: pro}, pro, kernel.Page{Limit: 5}); len(l.Items) != 1 {
			t.Fatalf("the professional lists %d conversations, want 1", len(l.Items))
		}
		if l, _ := s.ListConversations(ctx, chat.ConversationFilter{CompanyID: co}, member, kernel.Page{Limit: 5}); len(l.Items) != 1 || l.Items[0].ID != o.ID {
			t.Fatalf("the company lists %+v", l.Items)
		}
		if l, _ := s.ListConversations(ctx, chat.ConversationFilter{PatientID: kernel.NewID()}, pat, kernel.Page{Limit: 5}); len(l.Items) != 0 {
			t.Fatalf("a stranger lists %d conversations", len(l.Items))
		}
	})

	t.Run("sent since", func(t *testing.T) {
		s := newStore(t)
		pat, pro := kernel.NewID(), kernel.NewID()
		c, _, err := s.CreateConversation(ctx, care(pat, pro))
		noErr(t, "create", err)
		for i := range 4 {
			noErr(t, "add", s.AddMessage(ctx, msg(c, pat, kernel.KindPatient, "x", at.Add(time.Duration(i)*30*time.Second)), nil))
		}
		noErr(t, "add other", s.AddMessage(ctx, msg(c, pro, kernel.KindProfessional, "y", at.Add(time.Minute)), nil))
		for _, tc := range []struct {
			since time.Time
			want  int
		}{{at, 4}, {at.Add(30 * time.Second), 3}, {at.Add(31 * time.Second), 2}, {at.Add(2 * time.Minute), 0}} {
			n, err := s.SentSince(ctx, pat, tc.since)
			noErr(t, "sent since", err)
			if n != tc.want {
				t.Fatalf("sent since %v: %d, want %d", tc.since, n, tc.want)
			}
		}
	})
}
