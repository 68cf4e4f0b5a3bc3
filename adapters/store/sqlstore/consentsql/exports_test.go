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

func newExport(owner kernel.ID, at time.Time) consent.Export {
	return consent.Export{ID: kernel.NewID(), OwnerID: owner, OwnerKind: kernel.KindPatient, Status: consent.ExportPending, CreatedAt: at, UpdatedAt: at}
}

func TestExportStore(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := consentsql.New(db)
		owner := kernel.NewID()
		now := time.Now().UTC().Truncate(time.Microsecond)
		since := now.Add(-24 * time.Hour)

		// twenty requests at once: exactly one unfinished export, the rest conflict
		var wg sync.WaitGroup
		errs := make([]error, 20)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e := newExport(owner, now)
				errs[i] = s.CreateExport(ctx, e, since, kernel.NewEvent(consent.TopicExportRequested, e.ID, map[string]string{"export_id": e.ID}, now))
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch kernel.KindOf(err) {
			case kernel.KindConflict:
			case kernel.KindUnavailable: // a SQLite writer that waited past its busy timeout
			default:
				if err != nil {
					t.Fatalf("create: %v", err)
				}
				won++
			}
		}
		if won != 1 {
			t.Fatalf("%d exports created at once, want 1", won)
		}
		l, err := s.ListExports(ctx, owner, kernel.Page{Limit: 10})
		if err != nil || len(l.Items) != 1 {
			t.Fatalf("list %v %+v", err, l)
		}
		first := l.Items[0]
		var n int
		if err := db.NewRaw("SELECT COUNT(*) FROM outbox WHERE topic = ? AND key = ?", consent.TopicExportRequested, first.ID).Scan(ctx, &n); err != nil || n != 1 {
			t.Fatalf("outbox events for the export: %d %v", n, err)
		}

		// update under lock; ready with times; read back
		ready, err := s.UpdateExport(ctx, first.ID, func(e *consent.Export) error {
			if err := e.Move(consent.ExportBuilding, now); err != nil {
				return err
			}
			e.Files, e.Size, e.Stored, e.SHA256, e.BlobKey = 8, 1000, 1100, "abc", "k"
			e.ReadyAt, e.ExpiresAt = now, now.Add(consent.ExportTTL)
			return e.Move(consent.ExportReady, now)
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.GetExport(ctx, first.ID)
		if err != nil || got.Status != consent.ExportReady || got.Attempts != 1 || got.Files != 8 || got.Stored != 1100 ||
			!got.ExpiresAt.Equal(now.Add(consent.ExportTTL)) || !got.ReadyAt.Equal(now) || got != ready {
			t.Fatalf("read back %v\n%+v\n%+v", err, got, ready)
		}
		if _, err := s.GetExport(ctx, kernel.NewID()); kernel.KindOf(err) != kernel.KindNotFound {
			t.Fatalf("missing export: %v", err)
		}
		if _, err := s.UpdateExport(ctx, kernel.NewID(), func(*consent.Export) error { return nil }); kernel.KindOf(err) != kernel.KindNotFound {
			t.Fatalf("update missing export: %v", err)
		}

		// the daily cap counts finished ones too
		for i := 1; i < consent.MaxExportsPerDay; i++ {
			e := newExport(owner, now.Add(time.Duration(i)*time.Second))
			e.Status = consent.ExportFailed
			if err := s.CreateExport(ctx, e, since); err != nil {
				t.Fatalf("export %d: %v", i+1, err)
			}
		}
		if err := s.CreateExport(ctx, newExport(owner, now.Add(time.Minute)), since); kernel.KindOf(err) != kernel.KindTooMany {
			t.Fatalf("past the cap: %v", err)
		}
		if err := s.CreateExport(ctx, newExport(owner, now.Add(25*time.Hour)), now.Add(time.Hour)); err != nil {
			t.Fatalf("a day later: %v", err)
		}

		// paging, newest first, and nobody else's
		var seen []kernel.ID
		page := kernel.Page{Limit: 2}
		for {
			l, err := s.ListExports(ctx, owner, page)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range l.Items {
				seen = append(seen, e.ID)
			}
			if l.NextCursor == "" {
				break
			}
			page.Cursor = l.NextCursor
		}
		if len(seen) != consent.MaxExportsPerDay+1 {
			t.Fatalf("paged %d exports", len(seen))
		}
		if l, _ := s.ListExports(ctx, kernel.NewID(), kernel.Page{Limit: 10}); len(l.Items) != 0 {
			t.Fatal("another owner lists exports")
		}
	})
}
