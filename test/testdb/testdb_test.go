package testdb

import (
	"context"
	"testing"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/kernel"
)

func TestMigrationsUpDownUp(t *testing.T) {
	for _, d := range Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db, err := sqlstore.Open(ctx, URL(t, d))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			up, err := db.MigrateUp(ctx)
			if err != nil || len(up) == 0 {
				t.Fatalf("up: %v %v", up, err)
			}
			st, err := db.MigrateStatus(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range st {
				if !s.Applied {
					t.Fatalf("%s not applied", s.Name)
				}
			}
			if _, err := db.MigrateDown(ctx); err != nil {
				t.Fatalf("down: %v", err)
			}
			if _, err := db.MigrateUp(ctx); err != nil {
				t.Fatalf("up again: %v", err)
			}
		})
	}
}

func TestOutboxRoundTrip(t *testing.T) {
	ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		if err := sqlstore.AddEvents(ctx, db, kernel.NewEvent("t.x", "k1", map[string]int{"n": 1}, kernel.SystemClock{}.Now())); err != nil {
			t.Fatal(err)
		}
		n, err := db.NewSelect().Table("outbox").Where("published_at IS NULL").Count(ctx)
		if err != nil || n != 1 {
			t.Fatalf("pending = %d, %v", n, err)
		}
	})
}
