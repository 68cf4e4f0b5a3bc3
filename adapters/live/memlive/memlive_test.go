package memlive_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/live/livehub"
	"github.com/multisaude/multisaude/adapters/live/memlive"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
)

func TestConformance(t *testing.T) {
	conformance.RunLiveBus(t, func(t *testing.T) (ports.LiveBus, ports.LiveBus) {
		b := memlive.New()
		t.Cleanup(b.Close)
		return b, b
	})
}

// A subscriber that does not keep up never slows Publish: it misses payloads
// past its queue and gets onGap instead.
func TestSlowSubscriberDoesNotBlockPublish(t *testing.T) {
	b := memlive.New()
	defer b.Close()
	release := make(chan struct{})
	var gaps atomic.Int32
	stop, err := b.Subscribe(context.Background(), "slow", func([]byte) { <-release }, func() { gaps.Add(1) })
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	start := time.Now()
	for i := 0; i < 10*livehub.QueueSize; i++ {
		if err := b.Publish(context.Background(), "slow", []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Publish waited for a slow subscriber: %v", d)
	}
	close(release)
	deadline := time.Now().Add(5 * time.Second)
	for gaps.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if gaps.Load() == 0 {
		t.Fatal("the subscriber that fell behind was not told (onGap)")
	}
}
