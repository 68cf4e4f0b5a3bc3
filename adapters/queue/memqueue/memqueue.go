// Package memqueue is an in-memory ports.Queue for tests and demos. It honours
// every ports.QueueOptions field: a visibility timeout lease, a retry delay
// after a nack, and dead-lettering after MaxAttempts. Messages of one non-empty
// key are delivered strictly in publish order, even to several consumers: a
// message waits while an earlier one of its key is still queued or in flight.
// Nothing survives a restart.
package memqueue

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

var _ ports.Queue = (*Queue)(nil)

type entry struct {
	seq         int64
	msg         ports.Message
	attempts    int       // deliveries so far
	availableAt time.Time // not delivered before
	leased      bool
	leaseUntil  time.Time
	token       int64 // changes on every delivery; a stale ack is ignored
}

// Queue is an in-memory queue.
type Queue struct {
	opts    ports.QueueOptions
	mu      sync.Mutex
	topics  map[string][]*entry // in publish order
	seq     int64
	changed chan struct{} // closed and replaced whenever something may have become deliverable
}

// New returns an empty queue; zero option fields take their defaults.
func New(opts ports.QueueOptions) *Queue {
	return &Queue{opts: opts.WithDefaults(), topics: map[string][]*entry{}, changed: make(chan struct{})}
}

func (q *Queue) notifyLocked() {
	close(q.changed)
	q.changed = make(chan struct{})
}

func cloneMessage(m ports.Message) ports.Message {
	m.Body = append([]byte(nil), m.Body...)
	m.Headers = maps.Clone(m.Headers)
	return m
}

// Publish queues the messages; all or none.
func (q *Queue) Publish(ctx context.Context, msgs ...ports.Message) error {
	for i, m := range msgs {
		if err := ports.CheckMessage(m); err != nil {
			return prefixFields(err, fmt.Sprintf("messages[%d].", i))
		}
	}
	if err := ctx.Err(); err != nil {
		return kernel.Unavailable(err, "the request was cancelled")
	}
	now := time.Now()
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, m := range msgs {
		q.seq++
		q.topics[m.Topic] = append(q.topics[m.Topic], &entry{seq: q.seq, msg: cloneMessage(m), availableAt: now})
	}
	q.notifyLocked()
	return nil
}

// prefixFields names the message a field error belongs to in a batch.
func prefixFields(err error, prefix string) error {
	ke, ok := err.(*kernel.Error)
	if !ok {
		return err
	}
	out := *ke
	out.Fields = make([]kernel.FieldError, len(ke.Fields))
	for i, f := range ke.Fields {
		out.Fields[i] = kernel.FieldError{Field: prefix + f.Field, Message: f.Message}
	}
	return &out
}

// claim leases the first deliverable message of topic, or returns the time
// at which something may become deliverable (zero: nothing pending).
func (q *Queue) claim(topic string, now time.Time) (*entry, ports.Delivery, time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var next time.Time
	blocked := map[string]bool{}
	entries := q.topics[topic]
	for i := 0; i < len(entries); i++ {
		e := entries[i]
		if e.leased && now.After(e.leaseUntil) { // the consumer crashed or is too slow
			e.leased = false
			if e.attempts >= q.opts.MaxAttempts {
				q.deadLetterLocked(topic, e)
				entries = q.topics[topic]
				i--
				continue
			}
		}
		if e.msg.Key != "" {
			if blocked[e.msg.Key] {
				continue
			}
			blocked[e.msg.Key] = true
		}
		if e.leased {
			next = earliest(next, e.leaseUntil)
			continue
		}
		if e.availableAt.After(now) {
			next = earliest(next, e.availableAt)
			continue
		}
		e.attempts++
		e.leased = true
		e.leaseUntil = now.Add(q.opts.VisibilityTimeout)
		e.token++
		return e, ports.Delivery{Message: cloneMessage(e.msg), Attempt: e.attempts}, time.Time{}
	}
	return nil, ports.Delivery{}, next
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}

// removeLocked drops e from its topic.
func (q *Queue) removeLocked(topic string, e *entry) bool {
	entries := q.topics[topic]
	for i, x := range entries {
		if x == e {
			q.topics[topic] = append(entries[:i:i], entries[i+1:]...)
			if len(q.topics[topic]) == 0 {
				delete(q.topics, topic)
			}
			return true
		}
	}
	return false
}

func (q *Queue) deadLetterLocked(topic string, e *entry) {
	q.removeLocked(topic, e)
	m := e.msg
	m.Topic = ports.DeadLetter(topic)
	q.seq++
	q.topics[m.Topic] = append(q.topics[m.Topic], &entry{seq: q.seq, msg: m, availableAt: time.Now()})
	q.notifyLocked()
}

// settle acks (err == nil) or nacks a delivery, unless its lease was lost.
func (q *Queue) settle(topic string, e *entry, token int64, err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !e.leased || e.token != token {
		return // the lease expired and someone else has it now
	}
	switch {
	case err == nil:
		q.removeLocked(topic, e)
	case e.attempts >= q.opts.MaxAttempts:
		q.deadLetterLocked(topic, e)
	default:
		e.leased = false
		e.availableAt = time.Now().Add(q.opts.RetryDelay)
	}
	q.notifyLocked()
}

// Consume delivers messages of topic to h, one at a time, until ctx ends.
func (q *Queue) Consume(ctx context.Context, topic string, h ports.Handler) error {
	if err := ports.CheckTopic(topic); err != nil {
		return err
	}
	for {
		if ctx.Err() != nil {
			return nil
		}
		q.mu.Lock()
		changed := q.changed
		q.mu.Unlock()
		e, d, next := q.claim(topic, time.Now())
		if e == nil {
			wait := time.Minute
			if !next.IsZero() {
				wait = max(time.Until(next), time.Millisecond)
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-changed:
			case <-t.C:
			}
			t.Stop()
			continue
		}
		token := e.token
		err := run(ctx, h, d)
		if ctx.Err() != nil {
			return nil // a crash: the lease runs out and the message comes back
		}
		q.settle(topic, e, token, err)
	}
}

// run calls h, turning a panic into an error (a nack).
func run(ctx context.Context, h ports.Handler, d ports.Delivery) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("handler panicked: %v", r)
		}
	}()
	return h(ctx, d)
}

// Ping always succeeds.
func (q *Queue) Ping(ctx context.Context) error { return nil }

// Len reports how many messages of topic are queued or in flight, for tests.
func (q *Queue) Len(topic string) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.topics[topic])
}
