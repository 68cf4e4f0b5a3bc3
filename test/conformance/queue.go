package conformance

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// QueueSuiteOptions are the options RunQueue passes to its constructor: small,
// so that the suite runs in seconds.
var QueueSuiteOptions = ports.QueueOptions{
	MaxAttempts:       3,
	VisibilityTimeout: 2 * time.Second,
	RetryDelay:        200 * time.Millisecond,
}

// RunQueue runs the Queue contract against queues made by newQueue, which gets
// QueueSuiteOptions. Each subtest uses topics of its own (unique per run), so a
// constructor may return queues sharing one broker or database.
func RunQueue(t *testing.T, newQueue func(t *testing.T, opts ports.QueueOptions) ports.Queue) {
	report(t, "Queue")
	opts := QueueSuiteOptions
	mk := func(t *testing.T) ports.Queue { return newQueue(t, opts) }
	t.Run("PublishConsumeRoundTrip", func(t *testing.T) { queueRoundTrip(t, mk(t)) })
	t.Run("AckRemovesAndLeaseHidesInFlight", func(t *testing.T) { queueAck(t, mk(t), opts) })
	t.Run("NackRedelivers", func(t *testing.T) { queueNack(t, mk(t)) })
	t.Run("CrashRedeliversAfterVisibilityTimeout", func(t *testing.T) { queueCrash(t, mk(t), opts) })
	t.Run("DeadLetterAfterMaxAttempts", func(t *testing.T) { queueDeadLetter(t, mk(t), opts) })
	t.Run("OrderPerKey", func(t *testing.T) { queueOrder(t, mk(t)) })
	t.Run("ConcurrentPublishersAndConsumers", func(t *testing.T) { queueConcurrent(t, mk(t)) })
	t.Run("TopicsIsolatedAndInvalidMessages", func(t *testing.T) { queueIsolation(t, mk(t)) })
	t.Run("ConsumeReturnsNilWhenContextEnds", func(t *testing.T) { queueConsumeEnds(t, mk(t)) })
	t.Run("Ping", func(t *testing.T) { noErr(t, "Ping", mk(t).Ping(context.Background())) })
}

// consumer is one running Consume call.
type consumer struct {
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
	ended  bool
}

func startConsumer(t *testing.T, q ports.Queue, topic string, h ports.Handler) *consumer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c := &consumer{cancel: cancel, done: make(chan error, 1)}
	go func() { c.done <- q.Consume(ctx, topic, h) }()
	t.Cleanup(func() { c.stop(t) })
	return c
}

// stop cancels the consumer and checks that Consume returned nil promptly.
func (c *consumer) stop(t *testing.T) {
	t.Helper()
	c.once.Do(func() {
		c.cancel()
		select {
		case c.err = <-c.done:
			c.ended = true
		case <-time.After(10 * time.Second):
		}
		if !c.ended {
			t.Errorf("Consume did not return within 10 s of its context ending")
		} else if c.err != nil {
			t.Errorf("Consume returned %v when its context ended, want nil", c.err)
		}
	})
}

// offer hands d to the test without ever blocking the handler (a queue that
// redelivers without end must not hang the suite).
func offer(ch chan<- ports.Delivery, d ports.Delivery) {
	select {
	case ch <- d:
	default:
	}
}

func newMessage(topic, key, body string) ports.Message {
	return ports.Message{ID: kernel.NewID(), Topic: topic, Key: key, Body: []byte(body)}
}

func publish(t *testing.T, q ports.Queue, msgs ...ports.Message) {
	t.Helper()
	noErr(t, "Publish", q.Publish(context.Background(), msgs...))
}

func receive(t *testing.T, ch <-chan ports.Delivery, within time.Duration, what string) ports.Delivery {
	t.Helper()
	select {
	case d := <-ch:
		return d
	case <-time.After(within):
		t.Fatalf("%s: nothing delivered within %s", what, within)
		return ports.Delivery{}
	}
}

func expectNothing(t *testing.T, ch <-chan ports.Delivery, during time.Duration, what string) {
	t.Helper()
	select {
	case d := <-ch:
		t.Errorf("%s: unexpected delivery of %s (attempt %d, body %q)", what, d.ID, d.Attempt, d.Body)
	case <-time.After(during):
	}
}

func queueRoundTrip(t *testing.T, q ports.Queue) {
	topic := uniqueName("roundtrip")
	m := ports.Message{
		ID: kernel.NewID(), Topic: topic, Key: "appointment-1",
		Body:    []byte(`{"appointment_id":"a1","at":"2026-12-01T10:00:00-03:00"}`),
		Headers: map[string]string{"content-type": "application/json", "trace-id": "abc123"},
	}
	publish(t, q, m)
	got := make(chan ports.Delivery, 100)
	c := startConsumer(t, q, topic, func(ctx context.Context, d ports.Delivery) error { offer(got, d); return nil })
	d := receive(t, got, 10*time.Second, "round trip")
	if d.ID != m.ID || d.Topic != topic || d.Key != m.Key || string(d.Body) != string(m.Body) {
		t.Errorf("delivered %+v, want %+v", d.Message, m)
	}
	if !mapsEqual(d.Headers, m.Headers) {
		t.Errorf("delivered headers %v, want %v", d.Headers, m.Headers)
	}
	if d.Attempt != 1 {
		t.Errorf("first delivery has Attempt %d, want 1", d.Attempt)
	}
	c.stop(t)
}

func queueAck(t *testing.T, q ports.Queue, opts ports.QueueOptions) {
	topic := uniqueName("ack")
	m := newMessage(topic, "k", "ack me")
	publish(t, q, m)
	got := make(chan ports.Delivery, 100)
	var inFlight, maxInFlight atomic.Int32
	h := func(ctx context.Context, d ports.Delivery) error {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			cur := maxInFlight.Load()
			if n <= cur || maxInFlight.CompareAndSwap(cur, n) {
				break
			}
		}
		offer(got, d)
		time.Sleep(opts.VisibilityTimeout / 4) // a slow handler, well inside the lease
		return nil
	}
	// Two consumers: while one holds the message, the other must not get it.
	startConsumer(t, q, topic, h)
	startConsumer(t, q, topic, h)
	d := receive(t, got, 10*time.Second, "ack")
	if d.ID != m.ID {
		t.Fatalf("delivered %s, want %s", d.ID, m.ID)
	}
	expectNothing(t, got, opts.VisibilityTimeout+opts.RetryDelay+time.Second, "after ack")
	if maxInFlight.Load() > 1 {
		t.Errorf("the message was handled by %d consumers at once", maxInFlight.Load())
	}
}

func queueNack(t *testing.T, q ports.Queue) {
	topic := uniqueName("nack")
	m := newMessage(topic, "k", "nack me once")
	m.Headers = map[string]string{"h": "v"}
	publish(t, q, m)
	got := make(chan ports.Delivery, 100)
	startConsumer(t, q, topic, func(ctx context.Context, d ports.Delivery) error {
		offer(got, d)
		if d.Attempt == 1 {
			return errors.New("temporary failure")
		}
		return nil
	})
	first := receive(t, got, 10*time.Second, "first delivery")
	second := receive(t, got, 15*time.Second, "redelivery after nack")
	if first.Attempt != 1 || second.Attempt != 2 {
		t.Errorf("attempts %d then %d, want 1 then 2", first.Attempt, second.Attempt)
	}
	if second.ID != m.ID || string(second.Body) != string(m.Body) || second.Key != m.Key || !mapsEqual(second.Headers, m.Headers) {
		t.Errorf("redelivered %+v, want %+v", second.Message, m)
	}
	expectNothing(t, got, time.Second, "after the redelivery was acked")
}

func queueCrash(t *testing.T, q ports.Queue, opts ports.QueueOptions) {
	topic := uniqueName("crash")
	m := newMessage(topic, "k", "survive a crash")
	publish(t, q, m)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := make(chan time.Time, 1)
	done := make(chan error, 1)
	go func() {
		done <- q.Consume(ctx, topic, func(hctx context.Context, d ports.Delivery) error {
			started <- time.Now()
			cancel() // the process dies while handling the message
			<-hctx.Done()
			return hctx.Err()
		})
	}()
	var at time.Time
	select {
	case at = <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the first consumer got nothing within 10 s")
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Consume returned %v after its context ended, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Consume did not return within 10 s of its context ending")
	}
	got := make(chan ports.Delivery, 100)
	startConsumer(t, q, topic, func(ctx context.Context, d ports.Delivery) error { offer(got, d); return nil })
	d := receive(t, got, opts.VisibilityTimeout+10*time.Second, "redelivery after a crash")
	if d.ID != m.ID || d.Attempt != 2 {
		t.Errorf("redelivered %s attempt %d, want %s attempt 2", d.ID, d.Attempt, m.ID)
	}
	t.Logf("redelivered %s after the crash", time.Since(at).Round(10*time.Millisecond))
}

func queueDeadLetter(t *testing.T, q ports.Queue, opts ports.QueueOptions) {
	topic := uniqueName("dlq")
	m := newMessage(topic, "k", "poison")
	m.Headers = map[string]string{"h": "v"}
	publish(t, q, m)
	got := make(chan ports.Delivery, 100)
	startConsumer(t, q, topic, func(ctx context.Context, d ports.Delivery) error {
		offer(got, d)
		return fmt.Errorf("cannot handle attempt %d", d.Attempt)
	})
	for i := 1; i <= opts.MaxAttempts; i++ {
		d := receive(t, got, 15*time.Second, fmt.Sprintf("attempt %d", i))
		if d.Attempt != i || d.ID != m.ID {
			t.Errorf("delivery %d: %s attempt %d, want %s attempt %d", i, d.ID, d.Attempt, m.ID, i)
		}
	}
	dead := make(chan ports.Delivery, 100)
	startConsumer(t, q, ports.DeadLetter(topic), func(ctx context.Context, d ports.Delivery) error { offer(dead, d); return nil })
	d := receive(t, dead, 15*time.Second, "dead letter")
	if d.ID != m.ID || string(d.Body) != string(m.Body) || d.Key != m.Key || !mapsEqual(d.Headers, m.Headers) {
		t.Errorf("dead letter %+v, want %+v", d.Message, m)
	}
	if d.Topic != ports.DeadLetter(topic) {
		t.Errorf("dead letter topic %q, want %q", d.Topic, ports.DeadLetter(topic))
	}
	expectNothing(t, got, opts.RetryDelay+time.Second, "after dead-lettering")
}

func queueOrder(t *testing.T, q ports.Queue) {
	topic := uniqueName("order")
	keys := []string{"patient-a", "patient-b", "patient-c"}
	const perKey = 20
	// Published one at a time, interleaved, then a batch in one call.
	for i := 0; i < perKey/2; i++ {
		for _, k := range keys {
			publish(t, q, newMessage(topic, k, fmt.Sprintf("%s/%03d", k, i)))
		}
	}
	var batch []ports.Message
	for i := perKey / 2; i < perKey; i++ {
		for _, k := range keys {
			batch = append(batch, newMessage(topic, k, fmt.Sprintf("%s/%03d", k, i)))
		}
	}
	publish(t, q, batch...)
	var mu sync.Mutex
	seen := map[string][]string{}
	total := 0
	startConsumer(t, q, topic, func(ctx context.Context, d ports.Delivery) error {
		mu.Lock()
		defer mu.Unlock()
		seen[d.Key] = append(seen[d.Key], string(d.Body))
		total++
		return nil
	})
	if !eventually(20*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return total >= perKey*len(keys) }) {
		t.Fatalf("delivered %d of %d messages", total, perKey*len(keys))
	}
	mu.Lock()
	defer mu.Unlock()
	for _, k := range keys {
		var want []string
		for i := 0; i < perKey; i++ {
			want = append(want, fmt.Sprintf("%s/%03d", k, i))
		}
		if strings.Join(seen[k], ",") != strings.Join(want, ",") {
			t.Errorf("key %s delivered in order %v, want %v", k, seen[k], want)
		}
	}
}

func queueConcurrent(t *testing.T, q ports.Queue) {
	topic := uniqueName("conc")
	const publishers, perPublisher, consumers = 20, 50, 4
	var mu sync.Mutex
	seen := map[string]int{}
	var bad, maxAttempt atomic.Int32
	for c := 0; c < consumers; c++ {
		var inFlight atomic.Int32
		startConsumer(t, q, topic, func(ctx context.Context, d ports.Delivery) error {
			if inFlight.Add(1) > 1 {
				bad.Add(1)
			}
			defer inFlight.Add(-1)
			mu.Lock()
			seen[string(d.Body)]++
			if int32(d.Attempt) > maxAttempt.Load() {
				maxAttempt.Store(int32(d.Attempt))
			}
			mu.Unlock()
			return nil
		})
	}
	var wg sync.WaitGroup
	errs := make(chan error, publishers)
	for p := 0; p < publishers; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perPublisher; i++ {
				m := newMessage(topic, fmt.Sprintf("pub-%d", p), fmt.Sprintf("%02d-%03d", p, i))
				// A publisher retries an unavailable queue, as the outbox relay does:
				// on a loaded machine SQLite's busy timeout may pass under this
				// contention. What is checked is that nothing is lost or doubled.
				err := q.Publish(context.Background(), m)
				for try := 1; err != nil && kernel.KindOf(err) == kernel.KindUnavailable && try < 3; try++ {
					err = q.Publish(context.Background(), m)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Publish: %v", err)
	}
	want := publishers * perPublisher
	ok := eventually(25*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) >= want })
	mu.Lock()
	defer mu.Unlock()
	if !ok {
		var missing []string
		for p := 0; p < publishers && len(missing) < 10; p++ {
			for i := 0; i < perPublisher && len(missing) < 10; i++ {
				if seen[fmt.Sprintf("%02d-%03d", p, i)] == 0 {
					missing = append(missing, fmt.Sprintf("%02d-%03d", p, i))
				}
			}
		}
		t.Fatalf("delivered %d distinct messages of %d; missing e.g. %v", len(seen), want, missing)
	}
	dups := 0
	for _, n := range seen {
		dups += n - 1
	}
	if dups > 0 {
		t.Logf("%d duplicate deliveries (allowed: at least once); highest attempt %d", dups, maxAttempt.Load())
	}
	if dups > want/10 {
		t.Errorf("%d duplicate deliveries of %d messages: too many for acked messages", dups, want)
	}
	if bad.Load() > 0 {
		t.Errorf("a consumer ran its handler concurrently %d times; want one at a time per consumer", bad.Load())
	}
}

func queueIsolation(t *testing.T, q ports.Queue) {
	a, b := uniqueName("iso-a"), uniqueName("iso-b")
	ctx := context.Background()

	wantKind(t, "Publish without topic", q.Publish(ctx, ports.Message{ID: kernel.NewID(), Body: []byte("x")}), kernel.KindInvalid)
	wantKind(t, "Publish without ID", q.Publish(ctx, ports.Message{Topic: a, Body: []byte("x")}), kernel.KindInvalid)
	wantKind(t, "Publish with a bad topic", q.Publish(ctx, ports.Message{ID: kernel.NewID(), Topic: "a b/c", Body: []byte("x")}), kernel.KindInvalid)
	// A batch with one bad message publishes nothing.
	wantKind(t, "Publish a batch with one bad message",
		q.Publish(ctx, newMessage(a, "k", "never"), ports.Message{Topic: a, Body: []byte("x")}), kernel.KindInvalid)

	for i := 0; i < 3; i++ {
		publish(t, q, newMessage(a, "k", fmt.Sprint("a", i)), newMessage(b, "k", fmt.Sprint("b", i)))
	}
	var mu sync.Mutex
	var gotA, gotB []string
	startConsumer(t, q, a, func(ctx context.Context, d ports.Delivery) error {
		mu.Lock()
		gotA = append(gotA, string(d.Body))
		mu.Unlock()
		return nil
	})
	if !eventually(10*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(gotA) >= 3 }) {
		t.Fatalf("topic a delivered %v, want a0 a1 a2", gotA)
	}
	time.Sleep(500 * time.Millisecond)
	startConsumer(t, q, b, func(ctx context.Context, d ports.Delivery) error {
		mu.Lock()
		gotB = append(gotB, string(d.Body))
		mu.Unlock()
		return nil
	})
	eventually(10*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(gotB) >= 3 })
	time.Sleep(300 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	sort.Strings(gotA)
	sort.Strings(gotB)
	if strings.Join(gotA, ",") != "a0,a1,a2" {
		t.Errorf("topic a delivered %v, want [a0 a1 a2]", gotA)
	}
	if strings.Join(gotB, ",") != "b0,b1,b2" {
		t.Errorf("topic b delivered %v, want [b0 b1 b2]", gotB)
	}
}

func queueConsumeEnds(t *testing.T, q ports.Queue) {
	topic := uniqueName("ends")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- q.Consume(ctx, topic, func(ctx context.Context, d ports.Delivery) error { return nil })
	}()
	time.Sleep(200 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("Consume returned %v before its context ended", err)
	default:
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Consume returned %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Consume did not return within 10 s of its context ending")
	}
	// An already-ended context returns at once too.
	if err := q.Consume(ctx, topic, func(context.Context, ports.Delivery) error { return nil }); err != nil {
		t.Errorf("Consume with an ended context returned %v, want nil", err)
	}
}
