// Package chatsql is chat's store on bun (PostgreSQL and SQLite):
// conversations, messages, read markers and WebSocket tickets.
package chatsql

import (
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/messaging/chat"
)

// Store implements chat.Store; each part lives in its own file.
type Store struct{ db *sqlstore.DB }

var _ chat.Store = (*Store)(nil)

// New returns the store over db.
func New(db *sqlstore.DB) *Store { return &Store{db: db} }
