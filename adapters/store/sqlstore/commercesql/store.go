// Package commercesql is the commerce context's store on bun (PostgreSQL and
// SQLite): catalogues, orders with their stock reservations, payments and
// refunds, and partners' webhook endpoints and deliveries.
package commercesql

import (
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/commerce"
)

// Store implements commerce.Store.
type Store struct{ db *sqlstore.DB }

var _ commerce.Store = (*Store)(nil)

// New returns the store over db.
func New(db *sqlstore.DB) *Store { return &Store{db: db} }
