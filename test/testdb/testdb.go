// Package testdb gives tests fresh, migrated databases: SQLite always, and
// PostgreSQL when MULTISAUDE_TEST_POSTGRES_URL is set (each test gets its own
// database, dropped at the end).
package testdb

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/kernel"
)

// PostgresEnv names the variable holding the PostgreSQL URL for tests.
const PostgresEnv = "MULTISAUDE_TEST_POSTGRES_URL"

// PostgresURL returns the configured URL, or "" when PostgreSQL tests are off.
func PostgresURL() string { return os.Getenv(PostgresEnv) }

// Open returns a fresh migrated database of dialect d. For PostgreSQL the test is
// skipped, with a message saying so, when the variable is not set.
func Open(t testing.TB, d sqlstore.Dialect) *sqlstore.DB {
	t.Helper()
	ctx := context.Background()
	var dsn string
	switch d {
	case sqlstore.SQLite:
		dsn = "sqlite:" + filepath.Join(t.TempDir(), "test.db")
	case sqlstore.Postgres:
		dsn = freshPostgres(t)
	default:
		t.Fatalf("unknown dialect %q", d)
	}
	db, err := sqlstore.OpenPool(ctx, dsn, 10)
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	if _, err := db.MigrateUp(ctx); err != nil {
		t.Fatalf("migrate %s: %v", d, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// URL returns a DSN for a fresh, empty (unmigrated) database of dialect d.
func URL(t testing.TB, d sqlstore.Dialect) string {
	t.Helper()
	if d == sqlstore.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "test.db")
	}
	return freshPostgres(t)
}

// Dialects lists the dialects to run store tests on: SQLite, and PostgreSQL when configured.
func Dialects() []sqlstore.Dialect {
	if PostgresURL() != "" {
		return []sqlstore.Dialect{sqlstore.SQLite, sqlstore.Postgres}
	}
	return []sqlstore.Dialect{sqlstore.SQLite}
}

var skipOnce sync.Once

// ForEach runs fn as a subtest on a fresh database of each dialect.
func ForEach(t *testing.T, fn func(t *testing.T, db *sqlstore.DB)) {
	t.Helper()
	if PostgresURL() == "" {
		skipOnce.Do(func() {
			fmt.Fprintf(os.Stderr, "testdb: %s is not set: PostgreSQL store tests are SKIPPED (SQLite only)\n", PostgresEnv)
		})
		t.Run("postgres", func(t *testing.T) { t.Skipf("%s not set: skipping PostgreSQL", PostgresEnv) })
	}
	for _, d := range Dialects() {
		t.Run(string(d), func(t *testing.T) { fn(t, Open(t, d)) })
	}
}

func freshPostgres(t testing.TB) string {
	t.Helper()
	base := PostgresURL()
	if base == "" {
		t.Skipf("%s not set: skipping PostgreSQL", PostgresEnv)
	}
	ctx := context.Background()
	admin, err := sqlstore.OpenPool(ctx, base, 1)
	if err != nil {
		t.Fatalf("connect to PostgreSQL at %s: %v", PostgresEnv, err)
	}
	defer admin.Close()
	name := "mst_" + strings.ReplaceAll(kernel.NewID(), "-", "")
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		a, err := sqlstore.OpenPool(context.Background(), base, 1)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	u.Path = "/" + name
	return u.String()
}
