// Package webrtcvideotest holds test helpers for the built-in video provider:
// an in-process ports.LiveBus that several Rooms (several "instances") share.
package webrtcvideotest

import (
	"context"
	"sync"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Bus is an in-process LiveBus: each subscriber has its own goroutine, so
// delivery is in publication order and never blocks the publisher long.
type Bus struct {
	mu   sync.Mutex
	subs map[*sub]struct{}
	// Drop, when set, is asked about each payload; true loses it (tests of gaps).
	Drop func(channel string, payload []byte) bool
}

type sub struct {
	channel string
	ch      chan []byte
	done    chan struct{}
	once    sync.Once
}

var _ ports.LiveBus = (*Bus)(nil)

// NewBus returns an empty bus.
func NewBus() *Bus { return &Bus{subs: map[*sub]struct{}{}} }

// Publish implements ports.LiveBus.
func (b *Bus) Publish(ctx context.Context, channel string, payload []byte) error {
	if len(payload) > ports.MaxLiveNotice {
		return kernel.Invalid("payload", "aviso grande demais")
	}
	if b.Drop != nil && b.Drop(channel, payload) {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		if s.channel != channel {
			continue
		}
		select {
		case s.ch <- append([]byte(nil), payload...):
		case <-s.done:
		case <-ctx.Done():
			return kernel.Unavailable(ctx.Err(), "barramento lento")
		}
	}
	return nil
}

// Subscribe implements ports.LiveBus.
func (b *Bus) Subscribe(ctx context.Context, channel string, fn func([]byte), onGap func()) (func(), error) {
	s := &sub{channel: channel, ch: make(chan []byte, 1024), done: make(chan struct{})}
	b.mu.Lock()
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	stop := func() {
		s.once.Do(func() {
			b.mu.Lock()
			delete(b.subs, s)
			b.mu.Unlock()
			close(s.done)
		})
	}
	go func() {
		for {
			select {
			case p := <-s.ch:
				fn(p)
			case <-s.done:
				return
			case <-ctx.Done():
				stop()
				return
			}
		}
	}()
	return stop, nil
}

// Ping implements ports.LiveBus.
func (b *Bus) Ping(ctx context.Context) error { return nil }
