package sqlstore_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/test/testdb"
)

// A database that cannot serve now is kernel.KindUnavailable (503), whatever
// the way it fails; a bad statement stays Internal.
func TestTranslateUnavailable(t *testing.T) {
	for name, err := range map[string]error{
		"EOF":            io.EOF,
		"unexpected EOF": fmt.Errorf("read: %w", io.ErrUnexpectedEOF),
		"bad conn":       driver.ErrBadConn,
		"conn done":      sql.ErrConnDone,
		"deadline":       context.DeadlineExceeded,
		"dial timeout":   &net.OpError{Op: "dial", Net: "tcp", Err: timeoutErr{}},
	} {
		if got := sqlstore.Translate(err); kernel.KindOf(got) != kernel.KindUnavailable {
			t.Errorf("%s: %v, want unavailable", name, got)
		}
	}
	if got := sqlstore.Translate(errors.New("syntax error")); kernel.KindOf(got) != kernel.KindInternal {
		t.Errorf("a plain error: %v, want internal", got)
	}

	// A server nobody listens on: connection refused, through the driver.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	db := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN("postgres://postgres@" + addr + "/x?sslmode=disable")))
	defer db.Close()
	began := time.Now()
	_, err = db.ExecContext(context.Background(), "SELECT 1")
	if got := sqlstore.Translate(err); kernel.KindOf(got) != kernel.KindUnavailable {
		t.Errorf("connection refused: %v, want unavailable", got)
	}
	if d := time.Since(began); d > time.Second {
		t.Errorf("connection refused took %s", d)
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

// PostgreSQL's own refusals, raised for real: shutting down, starting, too many
// connections, connection failure, deadlock are Unavailable (deadlocks and
// serialization failures retryable); a unique violation is a conflict; bad input
// to a statement is Internal.
func TestTranslatePostgresCodes(t *testing.T) {
	if testdb.PostgresURL() == "" {
		t.Skipf("%s not set: skipping PostgreSQL", testdb.PostgresEnv)
	}
	db := testdb.Open(t, sqlstore.Postgres)
	raise := func(code string) error {
		_, err := db.ExecContext(context.Background(), "DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '"+code+"'; END $$")
		return err
	}
	for code, want := range map[string]kernel.Kind{
		"57P01": kernel.KindUnavailable, "57P03": kernel.KindUnavailable, "53300": kernel.KindUnavailable,
		"08006": kernel.KindUnavailable, "40P01": kernel.KindUnavailable, "40001": kernel.KindUnavailable,
		"55P03": kernel.KindUnavailable, "23505": kernel.KindConflict, "22P02": kernel.KindInternal, "42601": kernel.KindInternal,
	} {
		err := raise(code)
		if got := sqlstore.Translate(err); kernel.KindOf(got) != want {
			t.Errorf("SQLSTATE %s: %v, want %s", code, got, want)
		}
		if retry := code == "40P01" || code == "40001"; sqlstore.Retryable(err) != retry {
			t.Errorf("SQLSTATE %s: retryable %v, want %v", code, !retry, retry)
		}
	}
}

// SQLite locked by another writer beyond the busy timeout is Unavailable, and
// not retried (the timeout was already waited for).
func TestTranslateSQLiteBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "busy.db")
	open := func() *sql.DB {
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(50)")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	a, b := open(), open()
	ctx := context.Background()
	if _, err := a.ExecContext(ctx, "CREATE TABLE t (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	conn, err := a.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	_, err = b.ExecContext(ctx, "INSERT INTO t VALUES (1)")
	if err == nil {
		t.Fatal("a second writer was not refused")
	}
	if got := sqlstore.Translate(err); kernel.KindOf(got) != kernel.KindUnavailable || sqlstore.Retryable(err) {
		t.Fatalf("busy: %v (retryable %v), want unavailable, not retryable", got, sqlstore.Retryable(err))
	}
	_, _ = conn.ExecContext(ctx, "ROLLBACK")
}
