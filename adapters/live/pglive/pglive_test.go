package pglive_test

import (
	"context"
	"testing"

	"github.com/multisaude/multisaude/adapters/live/pglive"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
	"github.com/multisaude/multisaude/test/testdb"
)

// twoBuses stands for two API instances: two buses on one database.
func twoBuses(t *testing.T) (*sqlstore.DB, ports.LiveBus, ports.LiveBus) {
	db := testdb.Open(t, sqlstore.Postgres)
	a, err := pglive.New(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := pglive.New(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return db, a, b
}

func TestConformance(t *testing.T) {
	conformance.RunLiveBus(t, func(t *testing.T) (ports.LiveBus, ports.LiveBus) {
		_, a, b := twoBuses(t)
		return a, b
	})
}

func TestLostConnection(t *testing.T) {
	var db *sqlstore.DB
	conformance.RunLiveBusGap(t, func(t *testing.T) (ports.LiveBus, ports.LiveBus) {
		var a, b ports.LiveBus
		db, a, b = twoBuses(t)
		return a, b
	}, func(t *testing.T) {
		var n int
		err := db.NewRaw(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN %'`).Scan(context.Background(), &n)
		if err != nil {
			t.Fatal(err)
		}
		if n < 2 {
			t.Fatalf("terminated %d listening connections, want 2", n)
		}
	})
}

func TestRejectsSQLite(t *testing.T) {
	if _, err := pglive.New(testdb.Open(t, sqlstore.SQLite), nil); err == nil {
		t.Fatal("pglive accepted a SQLite database")
	}
}
