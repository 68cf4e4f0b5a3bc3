package consentsql_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/consentsql"
	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/test/testdb"
)

func newErasure(subject kernel.ID, at time.Time) consent.ErasureRequest {
	facts := consent.ErasureFacts{Kind: consent.SubjectPatient, LastClinicalEntry: at.AddDate(-1, 0, 0), LastOrderAt: at.AddDate(0, -2, 0), Now: at}
	return consent.ErasureRequest{ID: kernel.NewID(), SubjectID: subject, SubjectKind: kernel.KindPatient, Status: consent.ErasurePending,
		Decisions: consent.DecideErasure(consent.DataClasses(), facts), Pending: "nota", CreatedAt: at, UpdatedAt: at, RequestID: "req-1"}
}

func TestErasureStore(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := consentsql.New(db)
		at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
		subject := kernel.NewID()
		r := newErasure(subject, at)
		ev := kernel.NewEvent(consent.TopicErasureRequested, r.ID, map[string]string{"erasure_id": r.ID}, at)
		if err := s.CreateErasure(ctx, r, ev); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateErasure(ctx, newErasure(subject, at)); kernel.KindOf(err) != kernel.KindConflict {
			t.Fatalf("second unfinished request: %v, want conflict", err)
		}
		got, err := s.GetErasure(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Decisions) != len(r.Decisions) || got.Decisions[1] != r.Decisions[1] || got.Pending != "nota" || len(got.Done) != 0 {
			t.Fatalf("round trip: %+v", got)
		}
		var blocked bool
		for _, d := range got.Decisions {
			if d.Class == consent.ClassClinical && d.Action == consent.ActionBlockUntil && d.Until.Equal(at.AddDate(19, 0, 0)) {
				blocked = true
			}
		}
		if !blocked {
			t.Fatalf("clinical decision lost: %+v", got.Decisions)
		}
		if _, err := s.GetErasure(ctx, kernel.NewID()); kernel.KindOf(err) != kernel.KindNotFound {
			t.Fatalf("absent: %v", err)
		}
		// twenty workers record steps at once: none is lost
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				step := "s" + string(rune('a'+i))
				if _, err := s.UpdateErasure(ctx, r.ID, func(x *consent.ErasureRequest) error {
					x.Done = append(x.Done, step)
					x.Status = consent.ErasureRunning
					return nil
				}); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		got, _ = s.GetErasure(ctx, r.ID)
		if len(got.Done) != 20 || got.Status != consent.ErasureRunning {
			t.Fatalf("after 20 updates: %d steps, %s", len(got.Done), got.Status)
		}
		if ids, _ := s.ErasedSubjects(ctx, "", 10); len(ids) != 0 {
			t.Fatalf("erased before done: %v", ids)
		}
		done, err := s.UpdateErasure(ctx, r.ID, func(x *consent.ErasureRequest) error {
			x.Status, x.CompletedAt = consent.ErasureDone, at.Add(time.Minute)
			x.Decisions = nil // decided once: an update never changes them
			return nil
		})
		if err != nil || done.Status != consent.ErasureDone || !done.CompletedAt.Equal(at.Add(time.Minute)) || len(done.Decisions) != len(r.Decisions) {
			t.Fatalf("done: %+v %v", done, err)
		}
		if _, err := s.UpdateErasure(ctx, kernel.NewID(), func(*consent.ErasureRequest) error { return nil }); kernel.KindOf(err) != kernel.KindNotFound {
			t.Fatalf("update absent: %v", err)
		}
		// a new request after the first is done; the list pages newest first
		r2 := newErasure(subject, at.Add(time.Hour))
		if err := s.CreateErasure(ctx, r2); err != nil {
			t.Fatal(err)
		}
		r3 := newErasure(kernel.NewID(), at.Add(2*time.Hour))
		if err := s.CreateErasure(ctx, r3); err != nil {
			t.Fatal(err)
		}
		p1, err := s.ListErasures(ctx, kernel.Page{Limit: 2})
		if err != nil || len(p1.Items) != 2 || p1.Items[0].ID != r3.ID || p1.Items[1].ID != r2.ID || p1.NextCursor == "" {
			t.Fatalf("page 1: %+v %v", p1, err)
		}
		p2, err := s.ListErasures(ctx, kernel.Page{Limit: 2, Cursor: p1.NextCursor})
		if err != nil || len(p2.Items) != 1 || p2.Items[0].ID != r.ID || p2.NextCursor != "" {
			t.Fatalf("page 2: %+v %v", p2, err)
		}
		ids, err := s.ErasedSubjects(ctx, "", 10)
		if err != nil || len(ids) != 1 || ids[0] != subject {
			t.Fatalf("erased subjects: %v %v", ids, err)
		}
		if ids, _ := s.ErasedSubjects(ctx, subject, 10); len(ids) != 0 {
			t.Fatalf("after the last: %v", ids)
		}
	})
}
