package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/pgdriver"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/multisaude/multisaude/core/kernel"
)

// Dialect names the SQL flavour in use.
type Dialect string

const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// DB is the application's database handle.
type DB struct {
	*bun.DB
	Engine Dialect // which SQL flavour; bun.IDB already has a Dialect method
}

// Open connects to the database named by url: "postgres://..." (or "postgresql://")
// or "sqlite:PATH" / "sqlite::memory:". For a SQLite file, its folder is created.
func Open(ctx context.Context, dsn string) (*DB, error) {
	return OpenPool(ctx, dsn, 0)
}

// OpenPool is Open with at most maxConns connections to PostgreSQL (0: 20).
func OpenPool(ctx context.Context, dsn string, maxConns int) (*DB, error) {
	if maxConns <= 0 {
		maxConns = 20
	}
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		sqldb := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(dsn)))
		sqldb.SetMaxOpenConns(maxConns)
		sqldb.SetMaxIdleConns(maxConns)
		sqldb.SetConnMaxIdleTime(time.Minute)
		db := &DB{DB: bun.NewDB(sqldb, pgdialect.New()), Engine: Postgres}
		if err := db.PingContext(ctx); err != nil {
			_ = db.Close()
			return nil, kernel.Unavailable(err, "cannot reach PostgreSQL")
		}
		return db, nil
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		memory := path == ":memory:" || path == ""
		var full string
		if memory {
			// A named shared-cache memory database, so every pooled connection sees one database.
			full = "file:mem" + kernel.NewID() + "?mode=memory&cache=shared"
		} else {
			if dir := filepath.Dir(path); dir != "" {
				if err := os.MkdirAll(dir, 0o750); err != nil {
					return nil, fmt.Errorf("create the data folder %s: %w", dir, err)
				}
			}
			full = "file:" + (&url.URL{Path: path}).EscapedPath() + "?"
		}
		full += "&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_txlock=immediate&_time_format=sqlite"
		if !memory {
			full += "&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
		}
		sqldb, err := sql.Open("sqlite", full)
		if err != nil {
			return nil, err
		}
		if memory {
			sqldb.SetMaxOpenConns(1) // shared-cache memory databases lock per table: one connection is simplest
		} else {
			sqldb.SetMaxOpenConns(8)
		}
		db := &DB{DB: bun.NewDB(sqldb, sqlitedialect.New()), Engine: SQLite}
		if err := db.PingContext(ctx); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("open SQLite at %s: %w", path, err)
		}
		return db, nil
	default:
		return nil, fmt.Errorf("database URL must start with postgres://, postgresql:// or sqlite: (got %q)", redact(dsn))
	}
}

func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		u.User = url.User(u.User.Username())
		return u.String()
	}
	return dsn
}

// InTx runs fn in a transaction and commits it when fn returns nil. A transaction
// that fails because of a serialization failure, a deadlock or a busy SQLite
// database is retried a few times with backoff. fn must use tx, never db, for
// every statement (on SQLite a second connection would wait for this one).
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = db.RunInTx(ctx, nil, fn)
		if err == nil || !retryable(err) {
			return Translate(err)
		}
		select {
		case <-ctx.Done():
			return kernel.Unavailable(ctx.Err(), "request cancelled")
		case <-time.After(time.Duration(attempt+1) * 10 * time.Millisecond):
		}
	}
	return Translate(err)
}

func retryable(err error) bool {
	var pgErr pgdriver.Error
	if errors.As(err, &pgErr) {
		switch pgErr.Field('C') {
		case "40001", "40P01": // serialization_failure, deadlock_detected
			return true
		}
	}
	msg := err.Error()
	return strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked")
}

// Translate turns driver errors into kernel kinds; kernel errors pass through.
// A unique violation becomes KindConflict; a foreign key violation KindNotFound;
// sql.ErrNoRows KindNotFound.
func Translate(err error) error {
	if err == nil {
		return nil
	}
	var ke *kernel.Error
	if errors.As(err, &ke) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &kernel.Error{Kind: kernel.KindNotFound, Message: "not found", Err: err}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return kernel.Unavailable(err, "the request was cancelled or timed out")
	}
	if IsUniqueViolation(err) {
		return &kernel.Error{Kind: kernel.KindConflict, Message: "already exists", Err: err}
	}
	var pgErr pgdriver.Error
	if errors.As(err, &pgErr) {
		switch pgErr.Field('C') {
		case "23503":
			return &kernel.Error{Kind: kernel.KindNotFound, Message: "a referenced object does not exist", Err: err}
		case "23P01": // exclusion_violation
			return &kernel.Error{Kind: kernel.KindConflict, Message: "overlaps an existing entry", Err: err}
		case "40001", "40P01", "55P03", "57014":
			return kernel.Unavailable(err, "the database is busy, try again")
		}
	}
	if retryable(err) {
		return kernel.Unavailable(err, "the database is busy, try again")
	}
	return kernel.Internal(err, "database error")
}

// IsUniqueViolation reports whether err is a unique (or exclusion) constraint violation.
// ConstraintName tells which one, for stores that map constraints to fields.
func IsUniqueViolation(err error) bool {
	var pgErr pgdriver.Error
	if errors.As(err, &pgErr) {
		c := pgErr.Field('C')
		return c == "23505" || c == "23P01"
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "constraint failed: UNIQUE")
}

// ConstraintName returns the violated constraint's name (PostgreSQL) or the
// "table.column" list SQLite reports, for mapping a conflict to a field.
func ConstraintName(err error) string {
	var pgErr pgdriver.Error
	if errors.As(err, &pgErr) {
		return pgErr.Field('n')
	}
	msg := err.Error()
	if i := strings.Index(msg, "UNIQUE constraint failed: "); i >= 0 {
		rest := msg[i+len("UNIQUE constraint failed: "):]
		if j := strings.IndexAny(rest, ")\n"); j >= 0 {
			rest = rest[:j]
		}
		return strings.TrimSpace(rest)
	}
	return ""
}

// Ping checks that the database answers (for /readyz).
func (db *DB) Ping(ctx context.Context) error {
	if err := db.PingContext(ctx); err != nil {
		return kernel.Unavailable(err, "database unreachable")
	}
	return nil
}
