// Package auditsql is the tamper-evident audit trail on bun (PostgreSQL and
// SQLite): entries chained by SHA-256, appended under a lock on the chain's
// head, refused UPDATE and DELETE by triggers.
package auditsql

import (
	"context"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/ports"
)

// Trail appends to and reads the audit trail.
type Trail struct{ db *sqlstore.DB }

var _ ports.AuditTrail = (*Trail)(nil)

// New returns the trail over db.
func New(db *sqlstore.DB) *Trail { return &Trail{db: db} }

// Append adds records at the end of the chain, in order, atomically.
func (t *Trail) Append(ctx context.Context, records ...ports.AuditRecord) error {
	return nil // TODO(audit part)
}
