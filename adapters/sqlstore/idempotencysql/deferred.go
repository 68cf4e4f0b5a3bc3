package idempotencysql

import (
	"context"
	"strings"
	"sync/atomic"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/httpapi"
	"github.com/multisaude/multisaude/adapters/sqlstore"
)

var _ httpapi.DeferringIdempotencyStore = (*Store)(nil)

// Deferred is a claim carried by a request's context to the store that makes the
// request's write; see ClaimIn.
type Deferred struct {
	row   row
	state atomic.Int32 // httpapi.ClaimState
}

type deferredKey struct{}

// DeferClaim returns ctx carrying a pending claim for scope (httpapi.DeferringIdempotencyStore).
func (s *Store) DeferClaim(ctx context.Context, scope httpapi.IdempotencyScope, hash string) context.Context {
	d := &Deferred{row: row{Principal: scope.Principal, Route: scope.Route, Key: scope.Key, RequestHash: hash, CreatedAt: s.clock.Now().UTC()}}
	return context.WithValue(ctx, deferredKey{}, d)
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
func (d *Deferred) Insert(db bun.IDB) *bun.InsertQuery {
	r := d.row
	return db.NewInsert().Model(&r)
}

// Done records the outcome of the write that ran Insert: committed when err is
// nil, taken when err is the claim's unique violation; it reports whether err
// was that violation (the write then answers nothing of its own).
func (d *Deferred) Done(err error) (taken bool) {
	switch {
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
