// Package memlive is ports.LiveBus inside one process (the local profile: one
// instance on SQLite).
package memlive

import (
	"context"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Bus is an in-process LiveBus.
type Bus struct{}

var _ ports.LiveBus = (*Bus)(nil)

// New returns an empty bus.
func New() *Bus { return &Bus{} }

// placeholders until the bus lands

func (b *Bus) Publish(ctx context.Context, channel string, payload []byte) error {
	return kernel.Unavailable(nil, "em construção")
}
func (b *Bus) Subscribe(ctx context.Context, channel string, fn func([]byte), onGap func()) (func(), error) {
	return func() {}, nil
}
func (b *Bus) Ping(ctx context.Context) error { return nil }
