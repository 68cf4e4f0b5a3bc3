// Package pglive is ports.LiveBus on PostgreSQL's LISTEN/NOTIFY, so that API
// instances sharing one database hear each other with no other service.
package pglive

import (
	"context"
	"log/slog"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Bus is a LiveBus over one PostgreSQL database.
type Bus struct {
	db  *sqlstore.DB
	log *slog.Logger
}

var _ ports.LiveBus = (*Bus)(nil)

// New returns a bus over db (which must be PostgreSQL); Close stops its listener.
func New(db *sqlstore.DB, log *slog.Logger) (*Bus, error) { return &Bus{db: db, log: log}, nil }

// Close stops listening.
func (b *Bus) Close() {}

// placeholders until the bus lands

func (b *Bus) Publish(ctx context.Context, channel string, payload []byte) error {
	return kernel.Unavailable(nil, "em construção")
}
func (b *Bus) Subscribe(ctx context.Context, channel string, fn func([]byte), onGap func()) (func(), error) {
	return func() {}, nil
}
func (b *Bus) Ping(ctx context.Context) error { return nil }
