package sqlqueue_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/sqlqueue"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
	"github.com/multisaude/multisaude/test/testdb"
)

func newQueue(db *sqlstore.DB, opts ports.QueueOptions) *sqlqueue.Queue {
	q := sqlqueue.New(db, opts)
	q.PollInterval = 50 * time.Millisecond
	return q
}

func TestConformance(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		conformance.RunQueue(t, func(t *testing.T, opts ports.QueueOptions) ports.Queue { return newQueue(db, opts) })
	})
}

// Two queues over one database behave like two processes: a message published
// by one is consumed by the other, after a "restart", exactly once.
func TestDurableAcrossInstances(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		pub := newQueue(db, conformance.QueueSuiteOptions)
		var want []string
		for i := 0; i < 50; i++ {
			m := ports.Message{ID: kernel.NewID(), Topic: "durable", Key: fmt.Sprint("k", i%5), Body: []byte(fmt.Sprint(i))}
			want = append(want, m.ID)
			if err := pub.Publish(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		// Publishing a queued ID again is a no-op.
		if err := pub.Publish(ctx, ports.Message{ID: want[0], Topic: "durable", Body: []byte("again")}); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		got := map[string]int{}
		cctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for i := 0; i < 2; i++ {
			q := newQueue(db, conformance.QueueSuiteOptions) // another process
			wg.Add(1)
			go func() {
				defer wg.Done()
				_ = q.Consume(cctx, "durable", func(ctx context.Context, d ports.Delivery) error {
					mu.Lock()
					got[d.ID]++
					mu.Unlock()
					return nil
				})
			}()
		}
		deadline := time.Now().Add(15 * time.Second)
		for {
			mu.Lock()
			n := len(got)
			mu.Unlock()
			if n >= len(want) || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond)
		cancel()
		wg.Wait()
		for _, id := range want {
			if got[id] != 1 {
				t.Errorf("message %s delivered %d times, want 1", id, got[id])
			}
		}
		var left int
		if err := db.NewSelect().Table("queue_messages").ColumnExpr("count(*)").Where("topic = 'durable'").Scan(ctx, &left); err != nil {
			t.Fatal(err)
		}
		if left != 0 {
			t.Errorf("%d rows left after every message was acked", left)
		}
	})
}

// Order per key holds even with several consumers: a message waits while an
// earlier one of its key is in flight or backing off after a nack.
func TestOrderPerKeyWithSeveralConsumersAndNacks(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		q := newQueue(db, ports.QueueOptions{MaxAttempts: 5, VisibilityTimeout: 5 * time.Second, RetryDelay: 50 * time.Millisecond})
		const keys, per = 4, 15
		for i := 0; i < per; i++ {
			var batch []ports.Message
			for k := 0; k < keys; k++ {
				batch = append(batch, ports.Message{ID: kernel.NewID(), Topic: "ordered", Key: fmt.Sprint("key", k), Body: []byte(fmt.Sprint(i))})
			}
			if err := q.Publish(ctx, batch...); err != nil {
				t.Fatal(err)
			}
		}
		var mu sync.Mutex
		seen := map[string][]string{}
		total := 0
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		for c := 0; c < 4; c++ {
			go q.Consume(cctx, "ordered", func(ctx context.Context, d ports.Delivery) error {
				if d.Attempt == 1 && string(d.Body) == "3" {
					return fmt.Errorf("fail once") // the next of this key must wait for the retry
				}
				mu.Lock()
				defer mu.Unlock()
				seen[d.Key] = append(seen[d.Key], string(d.Body))
				total++
				return nil
			})
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			mu.Lock()
			done := total >= keys*per
			mu.Unlock()
			if done || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		mu.Lock()
		defer mu.Unlock()
		for k := 0; k < keys; k++ {
			key := fmt.Sprint("key", k)
			if len(seen[key]) != per {
				t.Errorf("key %s: %d deliveries, want %d", key, len(seen[key]), per)
			}
			for i, b := range seen[key] {
				if b != fmt.Sprint(i) {
					t.Errorf("key %s delivered out of order: %v", key, seen[key])
					break
				}
			}
		}
	})
}

// Consume reports a queue it cannot use at all (here: an unmigrated database).
func TestConsumeFailsWithoutTheTable(t *testing.T) {
	db, err := sqlstore.Open(context.Background(), testdb.URL(t, sqlstore.SQLite))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := newQueue(db, ports.QueueOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = q.Consume(ctx, "t", func(context.Context, ports.Delivery) error { return nil })
	if err == nil || ctx.Err() != nil {
		t.Fatalf("Consume on a database without the queue table = %v, want an error at once", err)
	}
	if err := q.Publish(ctx, ports.Message{ID: kernel.NewID(), Topic: "t"}); kernel.KindOf(err) != kernel.KindInternal {
		t.Errorf("Publish without the table = %v, want internal", err)
	}
}
