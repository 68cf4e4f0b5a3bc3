package clinical

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// logStore keeps access-log entries; every other Store method is absent.
type logStore struct {
	Store
	entries []AccessEntry
}

func (l *logStore) LogAccess(_ context.Context, es ...AccessEntry) error {
	l.entries = append(l.entries, es...)
	return nil
}

type trailFunc func(rs ...ports.AuditRecord) error

func (f trailFunc) Append(_ context.Context, rs ...ports.AuditRecord) error { return f(rs...) }

type blockSet map[kernel.ID]bool

func (b blockSet) RecordBlocked(_ context.Context, id kernel.ID) (bool, error) { return b[id], nil }

func TestLogConversationAccess(t *testing.T) {
	ctx := context.Background()
	store := &logStore{}
	var trail []ports.AuditRecord
	trailErr := error(nil)
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	s := NewService(Deps{Store: store, Trail: trailFunc(func(rs ...ports.AuditRecord) error {
		trail = append(trail, rs...)
		return trailErr
	})}, Config{})
	patient, pro, conv, blocked := kernel.NewID(), kernel.NewID(), kernel.NewID(), kernel.NewID()
	s.UseBlocks(blockSet{blocked: true})

	if err := s.LogConversationAccess(ctx, ConversationAccess{PatientID: patient, ProfessionalID: pro, ConversationID: conv, Action: "read", At: at}); err != nil {
		t.Fatal(err)
	}
	if len(store.entries) != 1 || len(trail) != 1 {
		t.Fatalf("entries %d, trail %d", len(store.entries), len(trail))
	}
	e := store.entries[0]
	if e.PatientID != patient || e.ActorID != pro || e.ActorKind != kernel.KindProfessional || e.ObjectType != "conversation" ||
		e.ObjectID != conv || e.Action != "read" || e.Basis != BasisCare || !e.At.Equal(at) {
		t.Fatalf("entry: %+v", e)
	}
	if r := trail[0]; r.Action != "record.read" || r.ObjectType != "conversation" || r.SubjectID != patient || r.Details["basis"] != "care" || r.Details["access_id"] != e.ID {
		t.Fatalf("audit record: %+v", r)
	}

	// bad input names the field; nothing is written
	for _, a := range []ConversationAccess{
		{PatientID: "x", ProfessionalID: pro, ConversationID: conv, Action: "read"},
		{PatientID: patient, ProfessionalID: pro, ConversationID: conv, Action: "delete"},
	} {
		if err := s.LogConversationAccess(ctx, a); kernel.KindOf(err) != kernel.KindInvalid {
			t.Fatalf("%+v: %v, want invalid", a, err)
		}
	}
	// a blocked record: absent, and not logged
	if err := s.LogConversationAccess(ctx, ConversationAccess{PatientID: blocked, ProfessionalID: pro, ConversationID: conv, Action: "create"}); kernel.KindOf(err) != kernel.KindNotFound {
		t.Fatalf("blocked: %v, want not found", err)
	}
	// the audit trail fails: the access fails, closed
	trailErr = errors.New("trail down")
	if err := s.LogConversationAccess(ctx, ConversationAccess{PatientID: patient, ProfessionalID: pro, ConversationID: conv, Action: "list"}); err == nil {
		t.Fatal("an access the audit trail did not take succeeded")
	}
	if len(store.entries) != 2 || store.entries[1].At.IsZero() {
		t.Fatalf("entries: %+v", store.entries)
	}
}
