// Package memnotifier is a ports.Notifier that keeps what it is asked to send,
// for tests: Sent lists it and WaitFor waits for a matching notification.
package memnotifier

import (
	"context"
	"maps"
	"sync"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

var _ ports.Notifier = (*Notifier)(nil)

// Notifier records notifications in memory.
type Notifier struct {
	mu      sync.Mutex
	sent    []ports.Notification
	fail    error
	changed chan struct{}
}

// New returns an empty notifier.
func New() *Notifier { return &Notifier{changed: make(chan struct{})} }

// Notify validates n like a real notifier would and records it.
func (n *Notifier) Notify(ctx context.Context, msg ports.Notification) error {
	if err := ports.CheckNotification(msg); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return kernel.Unavailable(err, "the request was cancelled")
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fail != nil {
		return n.fail
	}
	msg.Data = maps.Clone(msg.Data)
	n.sent = append(n.sent, msg)
	close(n.changed)
	n.changed = make(chan struct{})
	return nil
}

// Sent returns a copy of every notification recorded so far, oldest first.
func (n *Notifier) Sent() []ports.Notification {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]ports.Notification(nil), n.sent...)
}

// Reset forgets what was sent.
func (n *Notifier) Reset() {
	n.mu.Lock()
	n.sent = nil
	n.mu.Unlock()
}

// FailWith makes every later Notify return err (nil restores success), to test
// callers against a provider that is down.
func (n *Notifier) FailWith(err error) {
	n.mu.Lock()
	n.fail = err
	n.mu.Unlock()
}

// WaitFor returns the first recorded notification that match accepts, waiting
// for one until ctx ends; then it returns kernel.KindNotFound.
func (n *Notifier) WaitFor(ctx context.Context, match func(ports.Notification) bool) (ports.Notification, error) {
	for {
		n.mu.Lock()
		for _, s := range n.sent {
			if match(s) {
				n.mu.Unlock()
				return s, nil
			}
		}
		changed := n.changed
		n.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return ports.Notification{}, kernel.NotFound("no matching notification was sent")
		}
	}
}
