package chat

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// retStore is RetentionStore in memory; the rest of Store is absent.
type retStore struct {
	Store
	mu    sync.Mutex
	convs map[kernel.ID]Conversation
	msgs  []Message // Seq order
}

func (r *retStore) ExportMessages(_ context.Context, f ExportFilter, after int64, limit int) ([]Message, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Message
	for _, m := range r.msgs {
		c := r.convs[m.ConversationID]
		if m.Seq > after && (f.PatientID != "" && c.PatientID == f.PatientID || f.SenderID != "" && m.SenderID == f.SenderID) && len(out) < limit {
			out = append(out, m)
		}
	}
	return out, nil
}

func (r *retStore) LastMessageAt(_ context.Context, patient kernel.ID, kind ConversationKind) (time.Time, error) {
	var last time.Time
	for _, c := range r.convs {
		if c.PatientID == patient && c.Kind == kind && c.LastMessageAt.After(last) {
			last = c.LastMessageAt
		}
	}
	return last, nil
}

func (r *retStore) ErasableMessages(_ context.Context, q RetentionQuery, limit int) ([]Message, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Message
	for _, m := range r.msgs {
		c := r.convs[m.ConversationID]
		if m.ErasedAt == nil && c.Kind == q.Kind && (q.PatientID == "" || c.PatientID == q.PatientID) &&
			(q.Before.IsZero() || c.LastMessageAt.Before(q.Before)) && len(out) < limit {
			out = append(out, m)
		}
	}
	return out, nil
}

func (r *retStore) EraseMessages(_ context.Context, ids []kernel.ID, at time.Time) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for i, m := range r.msgs {
		if slices.Contains(ids, m.ID) && m.ErasedAt == nil {
			r.msgs[i].Text, r.msgs[i].Attachment, r.msgs[i].ErasedAt = "", nil, &at
			n++
		}
	}
	return n, nil
}

func (r *retStore) add(c Conversation, sender kernel.ID, kind kernel.AccountKind, text, key string, at time.Time) Message {
	m := Message{ID: kernel.NewID(), ConversationID: c.ID, Seq: int64(len(r.msgs) + 1), SenderID: sender, SenderKind: kind, Text: text, CreatedAt: at}
	if key != "" {
		m.Attachment = &Attachment{Key: key, Name: "exame.pdf", ContentType: "application/pdf", Size: 3}
	}
	r.msgs = append(r.msgs, m)
	c.LastMessageAt = at
	r.convs[c.ID] = c
	return m
}

// delBlobs records deletions; fail makes the next one fail.
type delBlobs struct {
	ports.BlobStore
	deleted []string
	fail    bool
}

func (b *delBlobs) Delete(_ context.Context, key string) error {
	if b.fail {
		b.fail = false
		return kernel.Unavailable(errors.New("down"), "fora do ar")
	}
	b.deleted = append(b.deleted, key)
	return nil
}

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

func TestRetentionUseCases(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	st := &retStore{convs: map[kernel.ID]Conversation{}}
	blobs := &delBlobs{}
	s := NewService(Deps{Store: st, Blobs: blobs, Clock: fixedClock(now)}, Config{})
	patient, pro, member, company := kernel.NewID(), kernel.NewID(), kernel.NewID(), kernel.NewID()
	care := Conversation{ID: kernel.NewID(), Kind: ConversationCare, PatientID: patient, ProfessionalID: pro}
	order := Conversation{ID: kernel.NewID(), Kind: ConversationOrder, PatientID: patient, CompanyID: company, OrderID: kernel.NewID()}
	oldCare := Conversation{ID: kernel.NewID(), Kind: ConversationCare, PatientID: kernel.NewID(), ProfessionalID: pro}
	oldOrder := Conversation{ID: kernel.NewID(), Kind: ConversationOrder, PatientID: kernel.NewID(), CompanyID: company, OrderID: kernel.NewID()}
	st.add(care, patient, kernel.KindPatient, "febre", "", now.Add(-time.Hour))
	st.add(care, pro, kernel.KindProfessional, "venha amanhã", "chat/a/care", now.Add(-time.Minute))
	st.add(order, patient, kernel.KindPatient, "cadê?", "chat/a/order", now.Add(-time.Hour))
	st.add(order, member, kernel.KindCompanyMember, "a caminho", "", now.Add(-time.Minute))
	st.add(oldCare, pro, kernel.KindProfessional, "antiga", "chat/a/old", now.AddDate(-20, 0, 0).Add(-time.Second))
	st.add(oldOrder, member, kernel.KindCompanyMember, "antigo", "", now.AddDate(-5, 0, 1))

	pat := kernel.Principal{AccountID: patient, Kind: kernel.KindPatient}
	t.Run("export is the owner's own", func(t *testing.T) {
		ms, err := s.ExportMessages(ctx, pat, 0, 100)
		if err != nil || len(ms) != 4 {
			t.Fatalf("patient: %d, %v", len(ms), err)
		}
		ms, _ = s.ExportMessages(ctx, kernel.Principal{AccountID: pro, Kind: kernel.KindProfessional}, 0, 100)
		if len(ms) != 2 || ms[0].Text != "venha amanhã" || ms[1].Text != "antiga" {
			t.Fatalf("professional gets what they sent: %+v", ms)
		}
		ms, _ = s.ExportMessages(ctx, kernel.Principal{AccountID: member, Kind: kernel.KindCompanyMember, CompanyID: company}, 0, 1)
		if len(ms) != 1 || ms[0].Text != "a caminho" {
			t.Fatalf("member, one per page: %+v", ms)
		}
		if ms, err := s.ExportMessages(ctx, kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindAdmin}, 0, 100); err != nil || len(ms) != 0 {
			t.Fatalf("admin: %+v, %v", ms, err)
		}
		if _, err := s.ExportMessages(ctx, kernel.Principal{}, 0, 100); kernel.KindOf(err) != kernel.KindUnauthenticated {
			t.Fatalf("anonymous: %v", err)
		}
		for _, l := range []int{0, kernel.MaxLimit + 1} {
			if _, err := s.ExportMessages(ctx, pat, 0, l); kernel.KindOf(err) != kernel.KindInvalid {
				t.Fatalf("limit %d: %v", l, err)
			}
		}
	})
	t.Run("anchors", func(t *testing.T) {
		if at, _ := s.LastMessageAt(ctx, patient, ConversationCare); !at.Equal(now.Add(-time.Minute)) {
			t.Fatalf("care anchor %v", at)
		}
		if at, err := s.LastMessageAt(ctx, "not-an-id", ConversationCare); err != nil || !at.IsZero() {
			t.Fatalf("bad id: %v %v", at, err)
		}
	})
	t.Run("order messages erased, blobs first, once", func(t *testing.T) {
		blobs.fail = true
		if _, err := s.EraseOrderMessages(ctx, patient); kernel.KindOf(err) != kernel.KindUnavailable {
			t.Fatalf("blob store down: %v", err)
		}
		if ms, _ := st.ErasableMessages(ctx, RetentionQuery{Kind: ConversationOrder, PatientID: patient}, 10); len(ms) != 2 {
			t.Fatalf("a failed step erased messages whose files remain: %d left", len(ms))
		}
		n, err := s.EraseOrderMessages(ctx, patient)
		if err != nil || n != 2 || !slices.Equal(blobs.deleted, []string{"chat/a/order"}) {
			t.Fatalf("erased %d, %v, deleted %v", n, err, blobs.deleted)
		}
		if n, err := s.EraseOrderMessages(ctx, patient); n != 0 || err != nil {
			t.Fatalf("again: %d, %v", n, err)
		}
		ms, _ := s.ExportMessages(ctx, pat, 0, 100)
		for _, m := range ms {
			if m.ConversationID == order.ID && (m.Text != "" || m.Attachment != nil || m.ErasedAt == nil || !m.ErasedAt.Equal(now)) {
				t.Fatalf("order message left: %+v", m)
			}
			if m.ConversationID == care.ID && (m.Text == "" || m.ErasedAt != nil) {
				t.Fatalf("care message erased: %+v", m)
			}
		}
	})
	t.Run("purge past retention, capped", func(t *testing.T) {
		blobs.deleted = nil
		if n, err := s.PurgeMessages(ctx, now, 1); n != 1 || err != nil {
			t.Fatalf("capped at one: %d, %v", n, err)
		}
		n, err := s.PurgeMessages(ctx, now, 100)
		if err != nil || n != 0 {
			t.Fatalf("second run: %d, %v", n, err)
		}
		if !slices.Equal(blobs.deleted, []string{"chat/a/old"}) {
			t.Fatalf("deleted %v", blobs.deleted)
		}
		// the order conversation is one day short of 5 years; the day after, it goes
		later := NewService(Deps{Store: st, Blobs: blobs, Clock: fixedClock(now)}, Config{})
		if n, _ := later.PurgeMessages(ctx, now.AddDate(0, 0, 2), 100); n != 1 {
			t.Fatalf("order conversation past 5 years: %d", n)
		}
		if ms, _ := st.ErasableMessages(ctx, RetentionQuery{Kind: ConversationCare}, 10); len(ms) != 2 {
			t.Fatalf("recent care messages must stay: %d", len(ms))
		}
	})
}
