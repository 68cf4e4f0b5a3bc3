// Package idempotencysql keeps the first answers to requests sent with an
// Idempotency-Key (httpapi.IdempotencyStore) in the idempotency_keys table.
package idempotencysql

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/kernel"
)

// Store implements httpapi.IdempotencyStore.
type Store struct {
	db    *sqlstore.DB
	clock kernel.Clock
	// Takeover is the age after which a pending claim is presumed dead; default 1 minute.
	Takeover time.Duration
	// Durable makes every write wait for the disk. When false (the default), on
	// PostgreSQL claims and answers are committed with synchronous_commit off: they
	// are visible at once and ordered, but a database crash may lose the last
	// fraction of a second of them (never the bookings themselves, which commit
	// durably). A retry after such a crash re-runs the request; for a booking that
	// answers 409 (the slot is already the caller's). Routes that charge money
	// should use a Durable store.
	Durable bool
}

var _ httpapi.IdempotencyStore = (*Store)(nil)

// New returns the store on db.
func New(db *sqlstore.DB) *Store {
	return &Store{db: db, clock: kernel.SystemClock{}, Takeover: time.Minute}
}

type row struct {
	bun.BaseModel `bun:"table:idempotency_keys"`
	Principal     string     `bun:"principal,pk"`
	Route         string     `bun:"route,pk"`
	Key           string     `bun:"key,pk"`
	RequestHash   string     `bun:"request_hash"`
	Status        int        `bun:"status"`
	ContentType   string     `bun:"content_type"`
	Body          []byte     `bun:"body"`
	Headers       string     `bun:"headers"`
	CreatedAt     time.Time  `bun:"created_at"`
	CompletedAt   *time.Time `bun:"completed_at"`
}

func where(q bun.QueryBuilder, s httpapi.IdempotencyScope) bun.QueryBuilder {
	return q.Where("principal = ? AND route = ? AND key = ?", s.Principal, s.Route, s.Key)
}

func (s *Store) Claim(ctx context.Context, scope httpapi.IdempotencyScope, hash string) (httpapi.IdempotencyRecord, bool, error) {
	now := s.clock.Now().UTC()
	r := row{Principal: scope.Principal, Route: scope.Route, Key: scope.Key, RequestHash: hash, CreatedAt: now}
	res, err := s.exec(ctx, s.db.NewInsert().Model(&r).On("CONFLICT DO NOTHING"))
	if err != nil {
		return httpapi.IdempotencyRecord{}, false, sqlstore.Translate(err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return httpapi.IdempotencyRecord{RequestHash: hash}, true, nil
	}
	var cur row
	err = s.db.NewSelect().Model(&cur).ApplyQueryBuilder(func(q bun.QueryBuilder) bun.QueryBuilder { return where(q, scope) }).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) { // released in between: try again
		return s.Claim(ctx, scope, hash)
	}
	if err != nil {
		return httpapi.IdempotencyRecord{}, false, sqlstore.Translate(err)
	}
	rec := httpapi.IdempotencyRecord{RequestHash: cur.RequestHash, Done: cur.Status != 0, Status: cur.Status,
		ContentType: cur.ContentType, Location: cur.Headers, Body: cur.Body}
	if !rec.Done && cur.RequestHash == hash && now.Sub(cur.CreatedAt.UTC()) > s.Takeover {
		res, err := s.db.NewUpdate().Table("idempotency_keys").Set("created_at = ?", now).
			Where("principal = ? AND route = ? AND key = ? AND status = 0 AND created_at = ?", scope.Principal, scope.Route, scope.Key, cur.CreatedAt).Exec(ctx)
		if err != nil {
			return httpapi.IdempotencyRecord{}, false, sqlstore.Translate(err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return httpapi.IdempotencyRecord{RequestHash: hash}, true, nil
		}
	}
	return rec, false, nil
}

// exec runs q; on PostgreSQL, unless Durable, in the same simple-protocol message as
// SET LOCAL synchronous_commit TO OFF (one implicit transaction, one round trip).
func (s *Store) exec(ctx context.Context, q interface {
	Exec(ctx context.Context, dest ...any) (sql.Result, error)
	String() string
}) (sql.Result, error) {
	if s.Durable || s.db.Engine != sqlstore.Postgres {
		return q.Exec(ctx)
	}
	return s.db.ExecContext(ctx, "SET LOCAL synchronous_commit TO OFF; "+q.String())
}

func (s *Store) Complete(ctx context.Context, scope httpapi.IdempotencyScope, rec httpapi.IdempotencyRecord) error {
	now := s.clock.Now().UTC()
	_, err := s.exec(ctx, s.db.NewUpdate().Table("idempotency_keys").
		Set("status = ?, content_type = ?, body = ?, headers = ?, completed_at = ?", rec.Status, rec.ContentType, rec.Body, rec.Location, now).
		Where("principal = ? AND route = ? AND key = ?", scope.Principal, scope.Route, scope.Key))
	return sqlstore.Translate(err)
}

func (s *Store) Release(ctx context.Context, scope httpapi.IdempotencyScope) error {
	_, err := s.db.NewDelete().Table("idempotency_keys").
		Where("principal = ? AND route = ? AND key = ? AND status = 0", scope.Principal, scope.Route, scope.Key).Exec(ctx)
	return sqlstore.Translate(err)
}

// Purge deletes records older than age (run it daily; keys are meant for retries, not forever).
func (s *Store) Purge(ctx context.Context, age time.Duration) (int64, error) {
	res, err := s.db.NewDelete().Table("idempotency_keys").Where("created_at < ?", s.clock.Now().UTC().Add(-age)).Exec(ctx)
	if err != nil {
		return 0, sqlstore.Translate(err)
	}
	return res.RowsAffected()
}
