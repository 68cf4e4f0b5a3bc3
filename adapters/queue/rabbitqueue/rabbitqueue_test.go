package rabbitqueue_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/queue/rabbitqueue"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
)

func amqpURL(t *testing.T) string {
	u := os.Getenv("MULTISAUDE_TEST_AMQP_URL")
	if u == "" {
		t.Skip("MULTISAUDE_TEST_AMQP_URL is not set: skipping the RabbitMQ tests (e.g. amqp://guest:guest@127.0.0.1:5672/)")
	}
	return u
}

// newQueue connects with a prefix unique to the test and deletes its queues at the end.
func newQueue(t *testing.T, opts ports.QueueOptions) *rabbitqueue.Queue {
	t.Helper()
	url := amqpURL(t)
	prefix := "test." + strings.ReplaceAll(kernel.NewID(), "-", "")[20:] + "."
	q, cleanup, err := rabbitqueue.New(context.Background(), rabbitqueue.Config{URL: url, QueuePrefix: prefix, QueueOptions: opts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := q.DeleteQueues(context.Background()); err != nil {
			t.Errorf("delete queues: %v", err)
		}
		cleanup()
	})
	return q
}

func TestConformance(t *testing.T) {
	amqpURL(t)
	conformance.RunQueue(t, func(t *testing.T, opts ports.QueueOptions) ports.Queue { return newQueue(t, opts) })
}

func TestReconnectAfterConnectionDrops(t *testing.T) {
	q := newQueue(t, conformance.QueueSuiteOptions)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	got := map[string]bool{}
	done := make(chan error, 1)
	go func() {
		done <- q.Consume(ctx, "reconnect", func(ctx context.Context, d ports.Delivery) error {
			mu.Lock()
			got[string(d.Body)] = true
			mu.Unlock()
			return nil
		})
	}()
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(got) }
	wait := func(n int) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for count() < n {
			if time.Now().After(deadline) {
				t.Fatalf("delivered %d of %d", count(), n)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if err := q.Publish(ctx, ports.Message{ID: kernel.NewID(), Topic: "reconnect", Body: []byte("before")}); err != nil {
		t.Fatal(err)
	}
	wait(1)
	q.DropConnection()
	// Publishing re-dials on its own; the consumer comes back too.
	if err := q.Publish(ctx, ports.Message{ID: kernel.NewID(), Topic: "reconnect", Body: []byte("after-1")}); err != nil {
		t.Fatalf("publish after the connection dropped: %v", err)
	}
	q.DropConnection()
	time.Sleep(50 * time.Millisecond)
	if err := q.Publish(ctx, ports.Message{ID: kernel.NewID(), Topic: "reconnect", Body: []byte("after-2")}); err != nil {
		t.Fatalf("publish after the second drop: %v", err)
	}
	wait(3)
	select {
	case err := <-done:
		t.Fatalf("Consume returned %v while its context was alive", err)
	default:
	}
	if err := q.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Consume returned %v", err)
	}
}

func TestConfigAndUnreachable(t *testing.T) {
	_, _, err := rabbitqueue.New(context.Background(), rabbitqueue.Config{URL: "http://x", Prefetch: -1})
	ke, ok := err.(*kernel.Error)
	if !ok || ke.Kind != kernel.KindInvalid || len(ke.Fields) != 2 || ke.Fields[0].Field != "prefetch" || ke.Fields[1].Field != "url" {
		t.Fatalf("config: %v", err)
	}
	_, _, err = rabbitqueue.New(context.Background(), rabbitqueue.Config{URL: "amqp://guest:guest@127.0.0.1:1/"})
	if kernel.KindOf(err) != kernel.KindUnavailable {
		t.Fatalf("unreachable broker: %v", err)
	}
}
