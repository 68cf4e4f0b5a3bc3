package main

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/test/e2e/harness"
	"github.com/multisaude/multisaude/test/testdb"
)

// TestProfileBooking books against a harness server on PostgreSQL:
//
//	LOAD_PROFILE=1 MULTISAUDE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	    go test ./test/load -run TestProfileBooking -v -count=1 [-cpuprofile cpu.out]
//
// LOAD_SECONDS (default 15) and LOAD_CONCURRENCY (default 200) size the run;
// LOAD_PGBENCH=1 runs pgbench afterwards on the server's own database (its schema
// and its rows, the same-work script); LOAD_PGSS=1 prints what pg_stat_statements
// saw of the server's database during the bookings (statements per booking,
// planning and execution time, rows, blocks, WAL) and the indexes written.
func TestProfileBooking(t *testing.T) {
	if os.Getenv("LOAD_PROFILE") == "" {
		t.Skip("LOAD_PROFILE not set")
	}
	dsn := testdb.URL(t, sqlstore.Postgres)
	h := harness.Start(t, sqlstore.Postgres, harness.WithEnv("MULTISAUDE_DATABASE_URL", dsn))
	c := config{url: h.URL, adminEmail: harness.AdminEmail, adminPassword: harness.AdminPassword, duration: time.Duration(envInt("LOAD_SECONDS", 15)) * time.Second,
		concurrency: int(envInt("LOAD_CONCURRENCY", 200)), patients: 20, professionals: 20, pgbenchClients: 6, pgbenchWork: "same", pgURL: dsn}
	if os.Getenv("LOAD_PGBENCH") != "" {
		c.pgbenchURL = dsn
	}
	var stats *pgStats
	if os.Getenv("LOAD_PGSS") != "" {
		var err error
		if stats, err = openPgStats(dsn); err != nil {
			t.Fatal(err)
		}
		defer stats.Close()
		c.beforeBooking = func() {
			if err := stats.Reset(); err != nil {
				t.Error(err)
			}
		}
		c.afterBooking = func(created int64) {
			if err := stats.Print(os.Stdout, created); err != nil {
				t.Error(err)
			}
		}
	}
	if err := run(c); err != nil {
		t.Fatal(err)
	}
}

func envInt(k string, def int64) int64 {
	if n, err := strconv.ParseInt(os.Getenv(k), 10, 64); err == nil && n > 0 {
		return n
	}
	return def
}
