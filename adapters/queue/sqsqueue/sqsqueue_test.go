package sqsqueue_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/queue/sqsqueue"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/fakes/sqsfake"
)

func newQueue(t *testing.T, mod func(*sqsqueue.Config)) (*sqsqueue.Queue, *sqsfake.Server) {
	t.Helper()
	fake := sqsfake.New()
	t.Cleanup(fake.Close)
	cfg := sqsqueue.Config{
		Region: "us-east-1", Endpoint: fake.URL(), AccessKeyID: "test", SecretAccessKey: "test",
		WaitTime:     time.Second,
		QueueOptions: ports.QueueOptions{MaxAttempts: 3, VisibilityTimeout: time.Second, RetryDelay: time.Second},
	}
	if mod != nil {
		mod(&cfg)
	}
	q, cleanup, err := sqsqueue.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)
	return q, fake
}

// collect consumes topic in the background and records deliveries; fail decides a handler's answer.
type collector struct {
	mu   sync.Mutex
	got  []ports.Delivery
	fail func(ports.Delivery) error
}

func (c *collector) handler(ctx context.Context, d ports.Delivery) error {
	c.mu.Lock()
	c.got = append(c.got, d)
	c.mu.Unlock()
	if c.fail != nil {
		return c.fail(d)
	}
	return nil
}

func (c *collector) snapshot() []ports.Delivery {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]ports.Delivery(nil), c.got...)
}

func consume(t *testing.T, q *sqsqueue.Queue, topic string, c *collector) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- q.Consume(ctx, topic, c.handler) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("consume returned %v", err)
		}
	})
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRoundTripBatchAndEncoding(t *testing.T) {
	q, fake := newQueue(t, nil)
	ctx := context.Background()
	if err := q.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	var msgs []ports.Message
	for i := range 23 {
		msgs = append(msgs, ports.Message{ID: kernel.NewID(), Topic: "scheduling.appointment.booked",
			Key: "appt-1", Body: fmt.Appendf(nil, `{"n":%d}`, i), Headers: map[string]string{"trace": "t1"}})
	}
	msgs = append(msgs,
		ports.Message{ID: kernel.NewID(), Topic: "scheduling.appointment.booked", Body: []byte{0, 1, 0xff}},
		ports.Message{ID: kernel.NewID(), Topic: "scheduling.appointment.booked", Body: nil})
	if err := q.Publish(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	if n := fake.Count(q.QueueName("scheduling.appointment.booked")); n != 25 {
		t.Fatalf("queue holds %d, want 25", n)
	}
	c := &collector{}
	consume(t, q, "scheduling.appointment.booked", c)
	waitFor(t, 5*time.Second, "25 deliveries", func() bool { return len(c.snapshot()) == 25 })
	byID := map[string]ports.Delivery{}
	for _, d := range c.snapshot() {
		byID[d.ID] = d
	}
	for _, m := range msgs {
		d, ok := byID[m.ID]
		if !ok {
			t.Fatalf("message %s not delivered", m.ID)
		}
		if !bytes.Equal(d.Body, m.Body) || d.Key != m.Key || d.Topic != m.Topic || d.Attempt != 1 || d.Headers["trace"] != m.Headers["trace"] {
			t.Fatalf("delivered %+v, published %+v", d, m)
		}
	}
	waitFor(t, 3*time.Second, "deletion", func() bool { return fake.Count(q.QueueName("scheduling.appointment.booked")) == 0 })
}

func TestNackRetriesThenDeadLetters(t *testing.T) {
	q, fake := newQueue(t, nil)
	ctx := context.Background()
	c := &collector{fail: func(ports.Delivery) error { return errors.New("boom") }}
	consume(t, q, "clinical.document.signed", c)
	dead := &collector{}
	consume(t, q, ports.DeadLetter("clinical.document.signed"), dead)
	id := kernel.NewID()
	if err := q.Publish(ctx, ports.Message{ID: id, Topic: "clinical.document.signed", Body: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 15*time.Second, "dead letter", func() bool { return len(dead.snapshot()) == 1 })
	got := c.snapshot()
	if len(got) != 3 {
		t.Fatalf("%d attempts, want 3 (MaxAttempts)", len(got))
	}
	for i, d := range got {
		if d.Attempt != i+1 || d.ID != id {
			t.Fatalf("attempt %d: %+v", i, d)
		}
	}
	if d := dead.snapshot()[0]; d.ID != id || d.Topic != ports.DeadLetter("clinical.document.signed") {
		t.Fatalf("dead letter %+v", d)
	}
	if fake.Count(q.QueueName("clinical.document.signed")) != 0 {
		t.Fatal("message still in the main queue")
	}
}

func TestCrashRedeliversAfterVisibilityTimeout(t *testing.T) {
	q, _ := newQueue(t, nil)
	ctx := context.Background()
	if err := q.Publish(ctx, ports.Message{ID: "m1", Topic: "t1", Body: []byte(`1`)}); err != nil {
		t.Fatal(err)
	}
	cctx, crash := context.WithCancel(ctx)
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- q.Consume(cctx, "t1", func(ctx context.Context, d ports.Delivery) error {
			close(started)
			<-ctx.Done() // dies mid-handler
			return ctx.Err()
		})
	}()
	<-started
	crashed := time.Now()
	crash()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	c := &collector{}
	consume(t, q, "t1", c)
	waitFor(t, 5*time.Second, "redelivery", func() bool { return len(c.snapshot()) == 1 })
	if d := c.snapshot()[0]; d.ID != "m1" || d.Attempt != 2 {
		t.Fatalf("redelivered %+v", d)
	}
	if time.Since(crashed) < 500*time.Millisecond {
		t.Fatal("redelivered before the visibility timeout")
	}
}

func TestFIFOKeepsKeyOrder(t *testing.T) {
	q, _ := newQueue(t, nil)
	ctx := context.Background()
	var msgs []ports.Message
	for i := range 30 {
		msgs = append(msgs, ports.Message{ID: kernel.NewID(), Topic: "orders", Key: fmt.Sprintf("k%d", i%3), Body: fmt.Appendf(nil, "%d", i)})
	}
	if err := q.Publish(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	// Publishing the same IDs again is de-duplicated by the FIFO queue.
	if err := q.Publish(ctx, msgs[:5]...); err != nil {
		t.Fatal(err)
	}
	c := &collector{}
	for range 3 {
		consume(t, q, "orders", c)
	}
	waitFor(t, 5*time.Second, "30 deliveries", func() bool { return len(c.snapshot()) >= 30 })
	time.Sleep(300 * time.Millisecond)
	last := map[string]int{}
	got := c.snapshot()
	if len(got) != 30 {
		t.Fatalf("%d deliveries, want 30", len(got))
	}
	for _, d := range got {
		var n int
		fmt.Sscan(string(d.Body), &n)
		if p, ok := last[d.Key]; ok && n < p {
			t.Fatalf("key %s: %d delivered after %d", d.Key, n, p)
		}
		last[d.Key] = n
	}
	if q.QueueName("orders") != "multisaude-orders.fifo" {
		t.Fatalf("name %s", q.QueueName("orders"))
	}
}

func TestValidationAndMissingQueue(t *testing.T) {
	q, _ := newQueue(t, func(c *sqsqueue.Config) { c.RequireExisting = true })
	ctx := context.Background()
	err := q.Publish(ctx, ports.Message{ID: "a", Topic: "ok"}, ports.Message{ID: "b", Topic: "bad topic"})
	e, ok := err.(*kernel.Error)
	if !ok || e.Kind != kernel.KindInvalid || e.Fields[0].Field != "msgs[1].topic" {
		t.Fatalf("err %v", err)
	}
	if err := q.Publish(ctx, ports.Message{ID: "a", Topic: "nowhere"}); kernel.KindOf(err) != kernel.KindUnavailable {
		t.Fatalf("publish to a missing queue: %v", err)
	}
	if err := q.Consume(ctx, "nowhere", func(context.Context, ports.Delivery) error { return nil }); kernel.KindOf(err) != kernel.KindUnavailable {
		t.Fatalf("consume a missing queue: %v", err)
	}
	if _, _, err := sqsqueue.New(ctx, sqsqueue.Config{BatchSize: 11, QueuePrefix: "bad prefix"}); kernel.KindOf(err) != kernel.KindInvalid {
		t.Fatalf("config: %v", err)
	}
}

// TestRequireExistingDropsTopicsWithoutReaders: a deployment that lists its
// queues' topics gets unlisted topics dropped (nobody reads them) while a
// listed topic without its queue still fails.
func TestRequireExistingDropsTopicsWithoutReaders(t *testing.T) {
	q, _ := newQueue(t, func(c *sqsqueue.Config) { c.RequireExisting = true; c.Topics = []string{"listed"} })
	ctx := context.Background()
	if err := q.Publish(ctx, ports.Message{ID: "a", Topic: "identity.patient.registered", Body: []byte("{}")}); err != nil {
		t.Fatalf("publish of a topic nobody consumes: %v", err)
	}
	if err := q.Publish(ctx, ports.Message{ID: "b", Topic: "listed", Body: []byte("{}")}); kernel.KindOf(err) != kernel.KindUnavailable {
		t.Fatalf("publish to a listed topic without its queue: %v", err)
	}
}

func TestQueueNames(t *testing.T) {
	q, _ := newQueue(t, func(c *sqsqueue.Config) { c.Standard = true })
	if n := q.QueueName("scheduling.appointment.booked"); n != "multisaude-scheduling-appointment-booked" {
		t.Fatal(n)
	}
	a, b := q.QueueName("a.b"), q.QueueName("a-b")
	if a == b {
		t.Fatalf("a.b and a-b share %s", a)
	}
	long := q.QueueName(string(bytes.Repeat([]byte("x"), 150)))
	if len(long) > 80 {
		t.Fatalf("%d chars", len(long))
	}
}

func TestLongHandlerKeepsItsLease(t *testing.T) {
	q, fake := newQueue(t, nil) // VisibilityTimeout 1s
	ctx := context.Background()
	if err := q.Publish(ctx, ports.Message{ID: "slow", Topic: "slow", Body: []byte(`1`)}); err != nil {
		t.Fatal(err)
	}
	slow := &collector{fail: func(ports.Delivery) error { time.Sleep(2500 * time.Millisecond); return nil }}
	other := &collector{}
	consume(t, q, "slow", slow)
	waitFor(t, 5*time.Second, "first delivery", func() bool { return len(slow.snapshot()) == 1 })
	consume(t, q, "slow", other)
	waitFor(t, 5*time.Second, "deletion", func() bool { return fake.Count(q.QueueName("slow")) == 0 })
	if n := len(other.snapshot()) + len(slow.snapshot()); n != 1 {
		t.Fatalf("delivered %d times while the first handler held it, want 1", n)
	}
}
