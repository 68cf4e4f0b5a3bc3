package idempotencysql

import (
	"context"
	"strings"
	"sync/atomic"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
)

var _ httpapi.DeferringIdempotencyStore = (*Store)(nil)

// Deferred is a claim carried by a request's context to the store that makes the
// request's write; see ClaimIn.
type Deferred struct {
	base     row          // the pending claim
	row      row          // as last inserted
	answered bool         // row holds the answer (Insert had an Answerer)
	state    atomic.Int32 // httpapi.ClaimState
}

type deferredKey struct{}

// DeferClaim returns ctx carrying a pending claim for scope (httpapi.DeferringIdempotencyStore).
func (s *Store) DeferClaim(ctx context.Context, scope httpapi.IdempotencyScope, hash string) context.Context {
	d := &Deferred{base: row{Principal: scope.Principal, Route: scope.Route, Key: scope.Key, RequestHash: hash, CreatedAt: s.clock.Now().UTC()}}
	return context.WithValue(ctx, deferredKey{}, d)
}

// AnswerOf is the answer inserted with the claim (httpapi.DeferringIdempotencyStore).
func (s *Store) AnswerOf(ctx context.Context) httpapi.IdempotencyRecord {
	d, ok := ctx.Value(deferredKey{}).(*Deferred)
	if !ok || !d.answered {
		return httpapi.IdempotencyRecord{}
	}
	return httpapi.IdempotencyRecord{RequestHash: d.row.RequestHash, Done: true, Status: d.row.Status,
		ContentType: d.row.ContentType, Location: d.row.Headers, Body: d.row.Body}
}

// ClaimStateOf reports what the write did with the claim DeferClaim put in ctx.
func (s *Store) ClaimStateOf(ctx context.Context) httpapi.ClaimState {
	if d, ok := ctx.Value(deferredKey{}).(*Deferred); ok {
		return httpapi.ClaimState(d.state.Load())
	}
	return httpapi.ClaimUnused
}

// ClaimIn returns the claim a request's context carries, or nil. A store whose
// write it guards runs d.Insert in that write's statement (as a CTE) or
// transaction, then reports the outcome with d.Done.
func ClaimIn(ctx context.Context) *Deferred {
	d, _ := ctx.Value(deferredKey{}).(*Deferred)
	return d
}

// Insert is the claim's INSERT on db (a plain insert: an existing key fails the
// statement with a unique violation on idempotency_keys, so nothing is written).
// When the request's context has an httpapi.Answerer, the claim is inserted
// completed with the answer it renders from written (the value being stored).
// Call it once per attempt, with the values the write will store.
func (d *Deferred) Insert(ctx context.Context, db bun.IDB, written any) *bun.InsertQuery {
	d.answer(ctx, written)
	return db.NewInsert().Model(&d.row)
}

// answer sets d.row to the claim to insert for written.
func (d *Deferred) answer(ctx context.Context, written any) {
	r := d.base
	d.answered = false
	if f := httpapi.AnswererFrom(ctx); f != nil {
		if rec, ok := f(written); ok && rec.Status > 0 && rec.Status < 500 {
			at := r.CreatedAt
			r.Status, r.ContentType, r.Body, r.Headers, r.CompletedAt = rec.Status, rec.ContentType, rec.Body, rec.Location, &at
			d.answered = true
		}
	}
	d.row = r
}

// ClaimColumns are the columns InsertValues gives values for, in order.
const ClaimColumns = "principal, route, key, request_hash, status, content_type, body, headers, created_at, completed_at"

// InsertValues is Insert as the values of ClaimColumns, for a store that writes
// the claim with a statement of its own (a prepared one).
func (d *Deferred) InsertValues(ctx context.Context, written any) []any {
	d.answer(ctx, written)
	r := d.row
	return []any{r.Principal, r.Route, r.Key, r.RequestHash, int64(r.Status), r.ContentType, r.Body, r.Headers, r.CreatedAt, r.CompletedAt}
}

// Done records the outcome of the write that ran Insert: committed when err is
// nil, taken when err is the claim's unique violation; it reports whether err
// was that violation (the write then answers nothing of its own).
func (d *Deferred) Done(err error) (taken bool) {
	switch {
	case err == nil && d.answered:
		d.state.Store(int32(httpapi.ClaimAnswered))
	case err == nil:
		d.state.Store(int32(httpapi.ClaimCommitted))
	case sqlstore.IsUniqueViolation(err) && isKeyViolation(err):
		d.state.Store(int32(httpapi.ClaimTaken))
		return true
	default:
		d.state.Store(int32(httpapi.ClaimUnused))
	}
	return false
}

// isKeyViolation: PostgreSQL names idempotency_keys_pkey, SQLite the table's columns.
func isKeyViolation(err error) bool {
	return strings.Contains(sqlstore.ConstraintName(err), "idempotency_keys")
}
