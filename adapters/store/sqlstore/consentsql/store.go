// Package consentsql is the consent context's store on bun (PostgreSQL and
// SQLite): the consent ledger, disclosures, export jobs, erasure requests and
// the incident register. The audit trail is auditsql's.
package consentsql

import (
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
)

// Store implements consent's stores; each part lives in its own file.
type Store struct{ db *sqlstore.DB }

// New returns the store over db.
func New(db *sqlstore.DB) *Store { return &Store{db: db} }
