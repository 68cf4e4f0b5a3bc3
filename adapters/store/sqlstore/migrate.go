package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/driver/pgdriver"
	"github.com/uptrace/bun/migrate"
)

// Migrations hold one folder per dialect. A context adds its tables in files named
// YYYYMMDDHHMMSS_context_what.tx.up.sql / .tx.down.sql in both folders; statements
// are separated by "--bun:split" lines.
//
//go:embed migrations
var migrationFiles embed.FS

func (db *DB) migrator() (*migrate.Migrator, error) {
	sub, err := fs.Sub(migrationFiles, "migrations/"+string(db.Engine))
	if err != nil {
		return nil, err
	}
	ms := migrate.NewMigrations()
	if err := ms.Discover(sub); err != nil {
		return nil, err
	}
	return migrate.NewMigrator(db.DB, ms, migrate.WithMarkAppliedOnSuccess(true)), nil
}

// MigrationTimeout bounds one migration statement on PostgreSQL. The pool's
// connections give up on an answer after pgdriver's read timeout (10 s), but
// building an index on a table of millions of rows takes minutes: migrations run
// on connections of their own with this timeout instead.
const MigrationTimeout = 2 * time.Hour

// forMigrations returns the handle migrations run on: on PostgreSQL a small
// pool of its own with MigrationTimeout (close it after use), else db itself.
func (db *DB) forMigrations() (*DB, func(), error) {
	if db.Engine != Postgres || db.dsn == "" {
		return db, func() {}, nil
	}
	sqldb := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(db.dsn),
		pgdriver.WithReadTimeout(MigrationTimeout), pgdriver.WithWriteTimeout(MigrationTimeout)))
	sqldb.SetMaxOpenConns(3)
	mdb := &DB{DB: bun.NewDB(sqldb, pgdialect.New()), Engine: Postgres}
	return mdb, func() { _ = mdb.Close() }, nil
}

// MigrateUp applies every pending migration and returns their names.
func (db *DB) MigrateUp(ctx context.Context) ([]string, error) {
	mdb, done, err := db.forMigrations()
	if err != nil {
		return nil, err
	}
	defer done()
	m, err := mdb.migrator()
	if err != nil {
		return nil, err
	}
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("init migrations: %w", err)
	}
	if mdb.Engine == Postgres {
		// Several instances may start at once: one migrates, the others wait. The
		// lock is a session's: taken and released on one connection kept aside.
		conn, err := mdb.DB.DB.Conn(ctx)
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(7243001)"); err != nil {
			return nil, err
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(7243001)") //nolint:errcheck
	}
	g, err := m.Migrate(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate up: %w", err)
	}
	var names []string
	for _, mig := range g.Migrations {
		names = append(names, mig.Name+"_"+mig.Comment)
	}
	return names, nil
}

// MigrateDown rolls back the last group of migrations and returns their names.
func (db *DB) MigrateDown(ctx context.Context) ([]string, error) {
	mdb, done, err := db.forMigrations()
	if err != nil {
		return nil, err
	}
	defer done()
	m, err := mdb.migrator()
	if err != nil {
		return nil, err
	}
	if err := m.Init(ctx); err != nil {
		return nil, err
	}
	g, err := m.Rollback(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate down: %w", err)
	}
	var names []string
	for _, mig := range g.Migrations {
		names = append(names, mig.Name+"_"+mig.Comment)
	}
	return names, nil
}

// MigrationStatus is one migration and whether it is applied.
type MigrationStatus struct {
	Name    string
	Applied bool
}

// MigrateStatus lists every known migration.
func (db *DB) MigrateStatus(ctx context.Context) ([]MigrationStatus, error) {
	m, err := db.migrator()
	if err != nil {
		return nil, err
	}
	if err := m.Init(ctx); err != nil {
		return nil, err
	}
	ms, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]MigrationStatus, 0, len(ms))
	for _, mig := range ms {
		out = append(out, MigrationStatus{Name: mig.Name + "_" + mig.Comment, Applied: mig.IsApplied()})
	}
	return out, nil
}
