// Package lambdaqueue is the queue of a process on AWS Lambda, where nothing
// polls: SQS invokes the function with batches of messages. Publish goes to
// the profile's real queue; Consume does not consume but records which handler
// a worker asked for on which topic, and blocks until its context ends. The
// Lambda worker runs every background worker once against it to learn the
// handlers (so no list of them is written twice) and hands each SQS record to
// the handler of its topic.
package lambdaqueue

import (
	"context"
	"sort"
	"sync"

	"github.com/multisaude/multisaude/ports"
)

// Queue publishes through Real and captures consumers.
type Queue struct {
	// Real is the profile's queue, which Publish and Ping use.
	Real ports.Queue

	mu       sync.Mutex
	handlers map[string]ports.Handler
	calls    int
	changed  chan struct{} // closed and replaced on every Consume
}

var _ ports.Queue = (*Queue)(nil)

// New wraps real.
func New(real ports.Queue) *Queue {
	return &Queue{Real: real, handlers: map[string]ports.Handler{}, changed: make(chan struct{})}
}

// Publish publishes through the real queue.
func (q *Queue) Publish(ctx context.Context, msgs ...ports.Message) error {
	return q.Real.Publish(ctx, msgs...)
}

// Ping pings the real queue.
func (q *Queue) Ping(ctx context.Context) error { return q.Real.Ping(ctx) }

// Consume records h as topic's handler and blocks until ctx ends. A second
// handler for one topic replaces the first (no worker consumes a topic twice;
// the test of the captured set would show it).
func (q *Queue) Consume(ctx context.Context, topic string, h ports.Handler) error {
	if err := ports.CheckTopic(topic); err != nil {
		return err
	}
	q.mu.Lock()
	q.handlers[topic] = h
	q.calls++
	close(q.changed)
	q.changed = make(chan struct{})
	q.mu.Unlock()
	<-ctx.Done()
	return nil
}

// Handler returns topic's captured handler.
func (q *Queue) Handler(topic string) (ports.Handler, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	h, ok := q.handlers[topic]
	return h, ok
}

// Topics lists the captured topics, sorted.
func (q *Queue) Topics() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]string, 0, len(q.handlers))
	for t := range q.handlers {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Calls is how many times Consume was called, and a channel closed at the next call.
func (q *Queue) Calls() (int, <-chan struct{}) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.calls, q.changed
}
