package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
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

	dsn string // PostgreSQL: for migrations' own connections (MigrateUp)

	stmts sync.Map // query text -> *sql.Stmt (Prepared)
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
		db := &DB{DB: bun.NewDB(sqldb, pgdialect.New()), Engine: Postgres, dsn: dsn}
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
			// Enough for every background consumer (about twenty; each claim is a
			// write that may wait out the busy timeout while another process holds
			// the lock) and still some for requests, which then wait for the lock
			// themselves and not for a connection behind the consumers.
			sqldb.SetMaxOpenConns(32)
			sqldb.SetMaxIdleConns(4)
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
// that fails because of a PostgreSQL serialization failure or deadlock is retried
// a few times with backoff. A busy SQLite database is not: its busy timeout has
// already been waited for (every transaction begins IMMEDIATE), so the caller gets
// kernel.KindUnavailable at once. fn must use tx, never db, for every statement
// (on SQLite a second connection would wait for this one).
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = db.RunInTx(ctx, nil, fn)
		if err == nil || !Retryable(err) {
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

// Retryable reports whether err is a PostgreSQL serialization failure or
// deadlock (or SQLite's busy snapshot): the transaction may simply be run again.
func Retryable(err error) bool {
	var pgErr pgdriver.Error
	if errors.As(err, &pgErr) {
		switch pgErr.Field('C') {
		case "40001", "40P01": // serialization_failure, deadlock_detected
			return true
		}
		return false
	}
	var se sqliteError
	return errors.As(err, &se) && se.Code() == sqliteBusySnapshot
}

// sqliteError is modernc.org/sqlite's *Error.
type sqliteError interface {
	error
	Code() int
}

// SQLite result codes (primary codes are the low byte of extended ones).
const (
	sqliteBusy         = 5
	sqliteLocked       = 6
	sqliteIOErr        = 10
	sqliteFull         = 13
	sqliteCantOpen     = 14
	sqliteBusySnapshot = sqliteBusy | 2<<8
)

// Unreachable reports whether err says that the database cannot serve the request
// now, although the request itself is fine: the server cannot be reached or went
// away (connection refused or reset, dial or read timeout, a broken pooled
// connection), refuses new work (too many connections, shutting down, starting
// up, out of resources), lost a race it asks us to retry (deadlock, serialization
// failure, lock or statement timeout), or, on SQLite, stayed locked beyond its
// busy timeout or cannot reach its file. Translate makes these kernel.KindUnavailable.
func Unreachable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed) {
		return true
	}
	var pgErr pgdriver.Error
	if errors.As(err, &pgErr) {
		code := pgErr.Field('C')
		switch {
		case strings.HasPrefix(code, "08"), // connection_exception
			strings.HasPrefix(code, "53"),                     // insufficient_resources: too_many_connections, disk_full, out_of_memory
			code == "57P01", code == "57P02", code == "57P03", // admin_shutdown, crash_shutdown, cannot_connect_now
			code == "40001", code == "40P01", // serialization_failure, deadlock_detected
			code == "55P03", code == "57014": // lock_not_available, query_canceled (statement timeout)
			return true
		}
		return false
	}
	var se sqliteError
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqliteBusy, sqliteLocked, sqliteIOErr, sqliteFull, sqliteCantOpen:
			return true
		}
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) { // dial and read timeouts, unknown hosts, refused connections
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked")
}

// Translate turns driver errors into kernel kinds; kernel errors pass through.
// A unique violation becomes KindConflict; a foreign key violation KindNotFound;
// sql.ErrNoRows KindNotFound; a database that cannot serve now (see Unreachable)
// KindUnavailable.
func Translate(err error) error {
	if err == nil {
		return nil
	}
	var ke *kernel.Error
	if errors.As(err, &ke) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &kernel.Error{Kind: kernel.KindNotFound, Message: "não encontrado", Err: err}
	}
	if IsUniqueViolation(err) {
		return &kernel.Error{Kind: kernel.KindConflict, Message: "já existe", Err: err}
	}
	var pgErr pgdriver.Error
	if errors.As(err, &pgErr) && pgErr.Field('C') == "23503" {
		return &kernel.Error{Kind: kernel.KindNotFound, Message: "um objeto referenciado não existe", Err: err}
	}
	if Unreachable(err) {
		return kernel.Unavailable(err, "the database is unavailable")
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
