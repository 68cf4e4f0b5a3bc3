package sqlstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/queue/memqueue"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/sqlqueue"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/testdb"
)

const topicBooked = "scheduling.appointment.booked"

// collector consumes a topic and keeps the deliveries.
type collector struct {
	mu  sync.Mutex
	got []ports.Delivery
}

func collect(t *testing.T, q ports.Queue, topic string) *collector {
	c := &collector{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = q.Consume(ctx, topic, func(ctx context.Context, d ports.Delivery) error {
			c.mu.Lock()
			c.got = append(c.got, d)
			c.mu.Unlock()
			return nil
		})
	}()
	t.Cleanup(func() { cancel(); <-done })
	return c
}

func (c *collector) deliveries() []ports.Delivery {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]ports.Delivery(nil), c.got...)
}

func (c *collector) waitFor(t *testing.T, n int, within time.Duration) []ports.Delivery {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got := c.deliveries()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries within %s, want %d", len(got), within, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type bookedPayload struct {
	AppointmentID string `json:"appointment_id"`
	Seq           int    `json:"seq"`
}

func addEvents(t *testing.T, db *sqlstore.DB, events ...kernel.Event) {
	t.Helper()
	err := db.InTx(context.Background(), func(ctx context.Context, tx bun.Tx) error {
		return sqlstore.AddEvents(ctx, tx, events...)
	})
	if err != nil {
		t.Fatalf("AddEvents: %v", err)
	}
}

func unpublished(t *testing.T, db *sqlstore.DB) int {
	t.Helper()
	n, err := db.NewSelect().Table("outbox").Where("published_at IS NULL").Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func newRelay(db *sqlstore.DB, q ports.Queue) *sqlstore.Relay {
	r := sqlstore.NewRelay(db, q, slog.New(slog.DiscardHandler))
	r.Interval = 20 * time.Millisecond
	r.Batch = 100 // several batches in the tests below
	return r
}

// Queues the relay is tested with: in memory, and the database queue sharing
// the outbox's database (the local profile's setup).
func forEachQueue(t *testing.T, fn func(t *testing.T, db *sqlstore.DB, q ports.Queue)) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		t.Run("memqueue", func(t *testing.T) { fn(t, db, memqueue.New(ports.QueueOptions{})) })
		t.Run("sqlqueue", func(t *testing.T) {
			q := sqlqueue.New(db, ports.QueueOptions{})
			q.PollInterval = 20 * time.Millisecond
			fn(t, db, q)
		})
	})
}

func TestRelayPublishesCommittedEventsInOrderPerKey(t *testing.T) {
	forEachQueue(t, func(t *testing.T, db *sqlstore.DB, q ports.Queue) {
		c := collect(t, q, topicBooked)
		topic := "conf-outbox-" + kernel.NewID()[24:] // isolates this subtest on a shared database
		c2 := collect(t, q, topic)
		const keys, perKey = 4, 60 // 240 events: more than two relay batches
		at := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
		var first kernel.Event
		for i := 0; i < perKey; i++ {
			var evs []kernel.Event
			for k := 0; k < keys; k++ {
				evs = append(evs, kernel.NewEvent(topic, fmt.Sprint("appointment-", k), bookedPayload{AppointmentID: fmt.Sprint("appointment-", k), Seq: i}, at))
			}
			if i == 0 {
				first = evs[0]
			}
			addEvents(t, db, evs...)
		}
		addEvents(t, db, kernel.NewEvent(topicBooked, "a-1", bookedPayload{AppointmentID: "a-1"}, at))

		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); newRelay(db, q).Run(ctx) }()
		defer func() { cancel(); <-done }()

		got := c2.waitFor(t, keys*perKey, 20*time.Second)
		next := map[string]int{}
		seen := map[string]bool{}
		for _, d := range got {
			if seen[d.ID] {
				continue // at least once: a duplicate is allowed, a gap or reordering is not
			}
			seen[d.ID] = true
			var p bookedPayload
			if err := json.Unmarshal(d.Body, &p); err != nil {
				t.Fatalf("body %q: %v", d.Body, err)
			}
			if p.AppointmentID != d.Key {
				t.Errorf("delivery key %q carries appointment %q", d.Key, p.AppointmentID)
			}
			if p.Seq != next[d.Key] {
				t.Fatalf("key %s: got event %d, want %d (out of order)", d.Key, p.Seq, next[d.Key])
			}
			next[d.Key]++
			if d.ID == first.ID && (d.Topic != topic || d.Key != first.Key) {
				t.Errorf("first event delivered as %+v, want ID %s topic %s key %s", d.Message, first.ID, topic, first.Key)
			}
		}
		if !seen[first.ID] {
			t.Errorf("the event ID is not kept as the message ID")
		}
		c.waitFor(t, 1, 10*time.Second)
		deadline := time.Now().Add(5 * time.Second)
		for unpublished(t, db) != 0 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if n := unpublished(t, db); n != 0 {
			t.Errorf("%d outbox rows still unpublished", n)
		}
	})
}

func TestRelayPublishesNothingFromARolledBackTransaction(t *testing.T) {
	forEachQueue(t, func(t *testing.T, db *sqlstore.DB, q ports.Queue) {
		ctx := context.Background()
		c := collect(t, q, topicBooked)
		boom := errors.New("the booking failed after raising its event")
		err := db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
			if err := sqlstore.AddEvents(ctx, tx, kernel.NewEvent(topicBooked, "rolled-back", bookedPayload{AppointmentID: "rolled-back"}, time.Now())); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) && kernel.KindOf(err) != kernel.KindInternal {
			t.Fatalf("InTx = %v, want the function's error", err)
		}
		committed := kernel.NewEvent(topicBooked, "committed", bookedPayload{AppointmentID: "committed"}, time.Now())
		addEvents(t, db, committed)
		r := newRelay(db, q)
		n, err := r.RelayOnce(ctx)
		if err != nil || n != 1 {
			t.Fatalf("RelayOnce = %d, %v; want 1 event", n, err)
		}
		c.waitFor(t, 1, 10*time.Second)
		time.Sleep(200 * time.Millisecond)
		got := c.deliveries()
		if len(got) != 1 || got[0].ID != committed.ID {
			t.Errorf("delivered %d events (%v), want only the committed one", len(got), got)
		}
		if n, _ := r.RelayOnce(ctx); n != 0 {
			t.Errorf("a second RelayOnce published %d events again", n)
		}
	})
}

// An event becomes visible to the relay only when its transaction commits.
func TestRelayWaitsForCommit(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		if db.Engine == sqlstore.SQLite {
			t.Skip("SQLite admits one writer: the relay cannot run while the transaction is open")
		}
		ctx := context.Background()
		q := memqueue.New(ports.QueueOptions{})
		c := collect(t, q, topicBooked)
		r := newRelay(db, q)
		inTx := make(chan struct{})
		release := make(chan struct{})
		errc := make(chan error, 1)
		ev := kernel.NewEvent(topicBooked, "slow", bookedPayload{AppointmentID: "slow"}, time.Now())
		go func() {
			errc <- db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
				if err := sqlstore.AddEvents(ctx, tx, ev); err != nil {
					return err
				}
				close(inTx)
				<-release
				return nil
			})
		}()
		<-inTx
		n, err := r.RelayOnce(ctx)
		if err != nil || n != 0 {
			t.Fatalf("RelayOnce during the transaction = %d, %v; want 0", n, err)
		}
		close(release)
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		if n, err := r.RelayOnce(ctx); err != nil || n != 1 {
			t.Fatalf("RelayOnce after commit = %d, %v; want 1", n, err)
		}
		if got := c.waitFor(t, 1, 5*time.Second); got[0].ID != ev.ID {
			t.Errorf("delivered %s, want %s", got[0].ID, ev.ID)
		}
	})
}

// flakyQueue fails Publish while fail is set.
type flakyQueue struct {
	ports.Queue
	fail  atomic.Bool
	calls atomic.Int32
}

func (f *flakyQueue) Publish(ctx context.Context, msgs ...ports.Message) error {
	f.calls.Add(1)
	if f.fail.Load() {
		return kernel.Unavailable(errors.New("broker down"), "queue unreachable")
	}
	return f.Queue.Publish(ctx, msgs...)
}

// A failed publish leaves the events in the outbox; the next pass sends them.
func TestRelayRetriesAfterAQueueFailure(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		inner := memqueue.New(ports.QueueOptions{})
		q := &flakyQueue{Queue: inner}
		c := collect(t, inner, topicBooked)
		var evs []kernel.Event
		for i := 0; i < 3; i++ {
			evs = append(evs, kernel.NewEvent(topicBooked, "k", bookedPayload{AppointmentID: "k", Seq: i}, time.Now()))
		}
		addEvents(t, db, evs...)
		r := newRelay(db, q)
		q.fail.Store(true)
		if _, err := r.RelayOnce(ctx); err == nil {
			t.Fatal("RelayOnce succeeded while the queue was down")
		}
		if n := unpublished(t, db); n != 3 {
			t.Fatalf("%d unpublished rows after a failed publish, want 3", n)
		}
		q.fail.Store(false)
		if n, err := r.RelayOnce(ctx); err != nil || n != 3 {
			t.Fatalf("RelayOnce after recovery = %d, %v; want 3", n, err)
		}
		got := c.waitFor(t, 3, 5*time.Second)
		for i, d := range got {
			if d.ID != evs[i].ID {
				t.Errorf("delivery %d is %s, want %s", i, d.ID, evs[i].ID)
			}
		}
	})
}
