// Package memlive is ports.LiveBus inside one process (the local profile: one
// instance on SQLite).
package memlive

import (
	"bytes"
	"context"

	"github.com/multisaude/multisaude/adapters/live/livehub"
	"github.com/multisaude/multisaude/ports"
)

// Bus is an in-process LiveBus: Publish hands the payload to each
// subscriber's bounded queue and never waits for a slow one (which gets
// onGap instead of the payloads it could not take).
type Bus struct{ hub *livehub.Hub }

var _ ports.LiveBus = (*Bus)(nil)

// New returns an empty bus.
func New() *Bus { return &Bus{hub: livehub.New()} }

// Publish: see ports.LiveBus.
func (b *Bus) Publish(ctx context.Context, channel string, payload []byte) error {
	if err := livehub.Check(channel, payload); err != nil {
		return err
	}
	b.hub.Deliver(channel, bytes.Clone(payload))
	return nil
}

// Subscribe: see ports.LiveBus. An in-process bus never loses its
// connection: onGap is called only for a subscriber that fell behind.
func (b *Bus) Subscribe(ctx context.Context, channel string, fn func([]byte), onGap func()) (func(), error) {
	if err := livehub.CheckChannel(channel); err != nil {
		return nil, err
	}
	stop, _ := b.hub.Subscribe(ctx, channel, fn, onGap)
	return stop, nil
}

// Ping: see ports.LiveBus.
func (b *Bus) Ping(ctx context.Context) error { return nil }

// Close stops every subscriber.
func (b *Bus) Close() { b.hub.Close() }
