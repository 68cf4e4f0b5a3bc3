package conformance

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// RunLiveBus runs the LiveBus contract. newBus returns two handles standing
// for two API instances of one deployment (the same bus twice for an
// in-process bus; two buses on one database for PostgreSQL). Each subtest
// uses channels of its own.
func RunLiveBus(t *testing.T, newBus func(t *testing.T) (a, b ports.LiveBus)) {
	report(t, "LiveBus")
	t.Run("DeliveredToSubscribersOfBothInstances", func(t *testing.T) { liveBoth(t, newBus) })
	t.Run("OrderPerPublisher", func(t *testing.T) { liveOrder(t, newBus) })
	t.Run("ChannelsIsolated", func(t *testing.T) { liveIsolated(t, newBus) })
	t.Run("StopAndContextEndStop", func(t *testing.T) { liveStop(t, newBus) })
	t.Run("InvalidChannelAndOversize", func(t *testing.T) { liveInvalid(t, newBus) })
	t.Run("ConcurrentPublishersNoneLost", func(t *testing.T) { liveConcurrent(t, newBus) })
	t.Run("Ping", func(t *testing.T) {
		a, b := newBus(t)
		noErr(t, "Ping a", a.Ping(context.Background()))
		noErr(t, "Ping b", b.Ping(context.Background()))
	})
}

// RunLiveBusGap checks recovery from a lost listening connection: kill cuts
// the connections the buses listen on (pg_terminate_backend, say); every
// subscriber's onGap is then called and delivery resumes.
func RunLiveBusGap(t *testing.T, newBus func(t *testing.T) (a, b ports.LiveBus), kill func(t *testing.T)) {
	report(t, "LiveBus")
	a, b := newBus(t)
	ch := liveChannel()
	ra, rb := newRecorder(), newRecorder()
	subscribe(t, a, ch, ra)
	subscribe(t, b, ch, rb)
	noErr(t, "Publish before", a.Publish(context.Background(), ch, []byte("antes")))
	ra.waitFor(t, "antes")
	rb.waitFor(t, "antes")
	kill(t)
	ra.waitGap(t)
	rb.waitGap(t)
	// Delivery resumes: publish until both hear it (the reconnect is done once onGap ran).
	for i := 0; ; i++ {
		msg := fmt.Sprintf("depois-%d", i)
		noErr(t, "Publish after", b.Publish(context.Background(), ch, []byte(msg)))
		if ra.has(msg, time.Second) && rb.has(msg, time.Second) {
			return
		}
		if i == 10 {
			t.Fatalf("delivery did not resume after the lost connection: a=%v b=%v", ra.got(), rb.got())
		}
	}
}

func liveChannel() string {
	return "conf_" + strings.ReplaceAll(kernel.NewID(), "-", "")[:24]
}

// recorder collects what a subscriber receives.
type recorder struct {
	mu     sync.Mutex
	items  []string
	gaps   int
	signal chan struct{}
}

func newRecorder() *recorder { return &recorder{signal: make(chan struct{}, 1)} }

func (r *recorder) fn(p []byte) {
	r.mu.Lock()
	r.items = append(r.items, string(p))
	r.mu.Unlock()
	r.poke()
}

func (r *recorder) gap() {
	r.mu.Lock()
	r.gaps++
	r.mu.Unlock()
	r.poke()
}

func (r *recorder) poke() {
	select {
	case r.signal <- struct{}{}:
	default:
	}
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.items...)
}

// until waits for cond (checked under the lock) up to d.
func (r *recorder) until(d time.Duration, cond func() bool) bool {
	deadline := time.After(d)
	for {
		r.mu.Lock()
		ok := cond()
		r.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-r.signal:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			return false
		}
	}
}

func (r *recorder) has(s string, d time.Duration) bool {
	return r.until(d, func() bool {
		for _, it := range r.items {
			if it == s {
				return true
			}
		}
		return false
	})
}

func (r *recorder) waitFor(t *testing.T, s string) {
	t.Helper()
	if !r.has(s, 10*time.Second) {
		t.Fatalf("%q not delivered in 10 s (got %v)", s, r.got())
	}
}

func (r *recorder) waitCount(t *testing.T, n int) []string {
	t.Helper()
	if !r.until(20*time.Second, func() bool { return len(r.items) >= n }) {
		t.Fatalf("got %d payloads in 20 s, want %d", len(r.got()), n)
	}
	return r.got()
}

func (r *recorder) waitGap(t *testing.T) {
	t.Helper()
	if !r.until(30*time.Second, func() bool { return r.gaps > 0 }) {
		t.Fatalf("onGap was not called in 30 s after the connection was lost")
	}
}

func subscribe(t *testing.T, bus ports.LiveBus, ch string, r *recorder) func() {
	t.Helper()
	stop, err := bus.Subscribe(context.Background(), ch, r.fn, r.gap)
	noErr(t, "Subscribe", err)
	t.Cleanup(stop)
	return stop
}

func liveBoth(t *testing.T, newBus func(t *testing.T) (a, b ports.LiveBus)) {
	a, b := newBus(t)
	ch := liveChannel()
	ra, rb, rb2 := newRecorder(), newRecorder(), newRecorder()
	subscribe(t, a, ch, ra)
	subscribe(t, b, ch, rb)
	subscribe(t, b, ch, rb2)
	noErr(t, "Publish on a", a.Publish(context.Background(), ch, []byte(`{"de":"a"}`)))
	noErr(t, "Publish on b", b.Publish(context.Background(), ch, []byte(`{"de":"b"}`)))
	for name, r := range map[string]*recorder{"a": ra, "b": rb, "b2": rb2} {
		got := r.waitCount(t, 2)
		if len(got) != 2 || !r.has(`{"de":"a"}`, 0) || !r.has(`{"de":"b"}`, 0) {
			t.Errorf("subscriber %s got %v, want both payloads once", name, got)
		}
	}
	// Binary payloads and the largest allowed size travel unchanged.
	big := make([]byte, ports.MaxLiveNotice)
	for i := range big {
		big[i] = byte(i)
	}
	noErr(t, "Publish MaxLiveNotice bytes", a.Publish(context.Background(), ch, big))
	rb.waitFor(t, string(big))
}

func liveOrder(t *testing.T, newBus func(t *testing.T) (a, b ports.LiveBus)) {
	a, b := newBus(t)
	ch := liveChannel()
	rb := newRecorder()
	subscribe(t, b, ch, rb)
	const n = 100
	for i := 0; i < n; i++ {
		noErr(t, "Publish", a.Publish(context.Background(), ch, []byte(fmt.Sprint(i))))
	}
	got := rb.waitCount(t, n)
	for i, s := range got {
		if s != fmt.Sprint(i) {
			t.Fatalf("payload %d is %q: order per publisher not kept (%v)", i, s, got)
		}
	}
}

func liveIsolated(t *testing.T, newBus func(t *testing.T) (a, b ports.LiveBus)) {
	a, b := newBus(t)
	ch1, ch2 := liveChannel(), liveChannel()
	r1, r2 := newRecorder(), newRecorder()
	subscribe(t, b, ch1, r1)
	subscribe(t, b, ch2, r2)
	noErr(t, "Publish", a.Publish(context.Background(), ch2, []byte("só-no-2")))
	r2.waitFor(t, "só-no-2")
	noErr(t, "Publish", a.Publish(context.Background(), ch1, []byte("só-no-1")))
	r1.waitFor(t, "só-no-1")
	if got := r1.got(); len(got) != 1 {
		t.Errorf("channel 1 got %v, want only its own payload", got)
	}
	if got := r2.got(); len(got) != 1 {
		t.Errorf("channel 2 got %v, want only its own payload", got)
	}
}

func liveStop(t *testing.T, newBus func(t *testing.T) (a, b ports.LiveBus)) {
	a, b := newBus(t)
	ch := liveChannel()
	stopped, cancelled, alive := newRecorder(), newRecorder(), newRecorder()
	stop := subscribe(t, b, ch, stopped)
	ctx, cancel := context.WithCancel(context.Background())
	s2, err := b.Subscribe(ctx, ch, cancelled.fn, cancelled.gap)
	noErr(t, "Subscribe", err)
	t.Cleanup(s2)
	subscribe(t, b, ch, alive)
	noErr(t, "Publish", a.Publish(context.Background(), ch, []byte("1")))
	stopped.waitFor(t, "1")
	cancelled.waitFor(t, "1")
	stop()
	stop() // twice is harmless
	cancel()
	time.Sleep(100 * time.Millisecond)
	noErr(t, "Publish", a.Publish(context.Background(), ch, []byte("2")))
	alive.waitFor(t, "2")
	time.Sleep(200 * time.Millisecond)
	if got := stopped.got(); len(got) != 1 {
		t.Errorf("after stop the subscriber got %v", got)
	}
	if got := cancelled.got(); len(got) != 1 {
		t.Errorf("after its context ended the subscriber got %v", got)
	}
}

func liveInvalid(t *testing.T, newBus func(t *testing.T) (a, b ports.LiveBus)) {
	a, _ := newBus(t)
	ctx := context.Background()
	ch := liveChannel()
	wantKind(t, "Publish oversize", a.Publish(ctx, ch, make([]byte, ports.MaxLiveNotice+1)), kernel.KindInvalid)
	for _, bad := range []string{"", "Maiúscula", "com espaço", "a-b", "x;drop", strings.Repeat("a", 41), `a"b`} {
		wantKind(t, fmt.Sprintf("Publish on %q", bad), a.Publish(ctx, bad, []byte("x")), kernel.KindInvalid)
		stop, err := a.Subscribe(ctx, bad, func([]byte) {}, nil)
		wantKind(t, fmt.Sprintf("Subscribe to %q", bad), err, kernel.KindInvalid)
		if stop != nil {
			stop()
		}
	}
	noErr(t, "Publish on a 40-character channel", a.Publish(ctx, strings.Repeat("a", 40), nil))
}

func liveConcurrent(t *testing.T, newBus func(t *testing.T) (a, b ports.LiveBus)) {
	a, b := newBus(t)
	ch := liveChannel()
	ra, rb := newRecorder(), newRecorder()
	subscribe(t, a, ch, ra)
	subscribe(t, b, ch, rb)
	const publishers, each = 20, 10
	var wg sync.WaitGroup
	for p := 0; p < publishers; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bus := a
			if p%2 == 1 {
				bus = b
			}
			for i := 0; i < each; i++ {
				if err := bus.Publish(context.Background(), ch, []byte(fmt.Sprintf("%d-%d", p, i))); err != nil {
					t.Errorf("Publish: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for name, r := range map[string]*recorder{"a": ra, "b": rb} {
		got := r.waitCount(t, publishers*each)
		seen := map[string]bool{}
		last := map[string]int{}
		for _, s := range got {
			if seen[s] {
				t.Errorf("%s: %q delivered twice", name, s)
			}
			seen[s] = true
			var p, i int
			fmt.Sscanf(s, "%d-%d", &p, &i)
			key := fmt.Sprint(p)
			if prev, ok := last[key]; ok && i <= prev {
				t.Errorf("%s: publisher %d out of order (%d after %d)", name, p, i, prev)
			}
			last[key] = i
		}
		if len(got) != publishers*each {
			t.Errorf("%s got %d payloads, want %d", name, len(got), publishers*each)
		}
	}
}
