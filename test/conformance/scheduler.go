package conformance

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// RunScheduler runs the Scheduler contract. newScheduler returns the scheduler,
// the queue on which fired jobs land, and poll, a function that makes the
// scheduler look for due jobs once (nil when the scheduler works by itself).
// The suite calls poll every 50 ms.
func RunScheduler(t *testing.T, newScheduler func(t *testing.T) (ports.Scheduler, ports.Queue, func())) {
	report(t, "Scheduler")
	t.Run("FiresAtOrAfterItsTime", func(t *testing.T) { schedFires(t, newScheduler) })
	t.Run("RescheduleReplaces", func(t *testing.T) { schedReplace(t, newScheduler) })
	t.Run("CancelPreventsFiring", func(t *testing.T) { schedCancel(t, newScheduler) })
	t.Run("InvalidJobs", func(t *testing.T) { schedInvalid(t, newScheduler) })
	t.Run("ManyJobsFireOnceEach", func(t *testing.T) { schedMany(t, newScheduler) })
}

type firing struct {
	d  ports.Delivery
	at time.Time
}

// schedHarness polls the scheduler and collects what lands on the queue.
type schedHarness struct {
	s     ports.Scheduler
	q     ports.Queue
	topic string
	mu    sync.Mutex
	fired []firing
}

func newSchedHarness(t *testing.T, mk func(t *testing.T) (ports.Scheduler, ports.Queue, func()), label string) *schedHarness {
	s, q, poll := mk(t)
	h := &schedHarness{s: s, q: q, topic: uniqueName(label)}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	if poll != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tk := time.NewTicker(50 * time.Millisecond)
			defer tk.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-tk.C:
					poll()
				}
			}
		}()
	}
	t.Cleanup(func() { cancel(); wg.Wait() })
	startConsumer(t, q, h.topic, func(ctx context.Context, d ports.Delivery) error {
		h.mu.Lock()
		h.fired = append(h.fired, firing{d: d, at: time.Now()})
		h.mu.Unlock()
		return nil
	})
	return h
}

func (h *schedHarness) job(id string, at time.Time, body string) ports.Job {
	return ports.Job{ID: id, At: at, Msg: ports.Message{ID: kernel.NewID(), Topic: h.topic, Key: id, Body: []byte(body),
		Headers: map[string]string{"job": id}}}
}

func (h *schedHarness) firings() []firing {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]firing(nil), h.fired...)
}

func schedFires(t *testing.T, mk func(t *testing.T) (ports.Scheduler, ports.Queue, func())) {
	h := newSchedHarness(t, mk, "sched-fires")
	ctx := context.Background()
	at := time.Now().Add(1500 * time.Millisecond)
	j := h.job("reminder-1", at, `{"appointment_id":"a1"}`)
	noErr(t, "Schedule", h.s.Schedule(ctx, j))
	past := h.job("overdue-1", time.Now().Add(-time.Hour), "overdue")
	noErr(t, "Schedule a past job", h.s.Schedule(ctx, past))
	if !eventually(10*time.Second, func() bool { return len(h.firings()) >= 2 }) {
		t.Fatalf("fired %d jobs of 2 within 10 s", len(h.firings()))
	}
	time.Sleep(300 * time.Millisecond)
	f := h.firings()
	if len(f) != 2 {
		t.Fatalf("fired %d times, want 2", len(f))
	}
	byID := map[string]firing{}
	for _, x := range f {
		byID[x.d.ID] = x
	}
	got, ok := byID[j.Msg.ID]
	if !ok {
		t.Fatalf("the job's message %s did not land on the queue", j.Msg.ID)
	}
	if got.at.Before(at) {
		t.Errorf("fired %s before its time", at.Sub(got.at))
	}
	if got.at.After(at.Add(5 * time.Second)) {
		t.Errorf("fired %s late", got.at.Sub(at))
	}
	if string(got.d.Body) != string(j.Msg.Body) || got.d.Key != j.Msg.Key || got.d.Topic != h.topic || got.d.Headers["job"] != "reminder-1" {
		t.Errorf("fired message %+v, want %+v", got.d.Message, j.Msg)
	}
	if _, ok := byID[past.Msg.ID]; !ok {
		t.Errorf("a job scheduled in the past did not fire")
	}
	wantKind(t, "Cancel a fired job", h.s.Cancel(ctx, "reminder-1"), kernel.KindNotFound)
}

func schedReplace(t *testing.T, mk func(t *testing.T) (ports.Scheduler, ports.Queue, func())) {
	h := newSchedHarness(t, mk, "sched-replace")
	ctx := context.Background()
	first := time.Now().Add(600 * time.Millisecond)
	noErr(t, "Schedule", h.s.Schedule(ctx, h.job("job-r", first, "old")))
	later := time.Now().Add(2 * time.Second)
	noErr(t, "Schedule again", h.s.Schedule(ctx, h.job("job-r", later, "new")))
	if !eventually(10*time.Second, func() bool { return len(h.firings()) >= 1 }) {
		t.Fatal("the rescheduled job did not fire within 10 s")
	}
	time.Sleep(800 * time.Millisecond)
	f := h.firings()
	if len(f) != 1 {
		var bodies []string
		for _, x := range f {
			bodies = append(bodies, string(x.d.Body))
		}
		t.Fatalf("fired %d times (%v), want once", len(f), bodies)
	}
	if string(f[0].d.Body) != "new" {
		t.Errorf("fired %q, want the replacement %q", f[0].d.Body, "new")
	}
	if f[0].at.Before(later) {
		t.Errorf("fired %s before the replacement's time", later.Sub(f[0].at))
	}
}

func schedCancel(t *testing.T, mk func(t *testing.T) (ports.Scheduler, ports.Queue, func())) {
	h := newSchedHarness(t, mk, "sched-cancel")
	ctx := context.Background()
	noErr(t, "Schedule", h.s.Schedule(ctx, h.job("job-c", time.Now().Add(500*time.Millisecond), "cancelled")))
	noErr(t, "Schedule", h.s.Schedule(ctx, h.job("job-k", time.Now().Add(700*time.Millisecond), "kept")))
	noErr(t, "Cancel", h.s.Cancel(ctx, "job-c"))
	wantKind(t, "Cancel twice", h.s.Cancel(ctx, "job-c"), kernel.KindNotFound)
	wantKind(t, "Cancel unknown", h.s.Cancel(ctx, "no-such-job"), kernel.KindNotFound)
	if !eventually(10*time.Second, func() bool { return len(h.firings()) >= 1 }) {
		t.Fatal("the kept job did not fire within 10 s")
	}
	time.Sleep(time.Second)
	for _, f := range h.firings() {
		if string(f.d.Body) != "kept" {
			t.Errorf("fired %q after it was cancelled", f.d.Body)
		}
	}
}

func schedInvalid(t *testing.T, mk func(t *testing.T) (ports.Scheduler, ports.Queue, func())) {
	s, _, _ := mk(t)
	ctx := context.Background()
	topic := uniqueName("sched-invalid")
	ok := ports.Job{ID: "j", At: time.Now().Add(time.Hour), Msg: ports.Message{ID: kernel.NewID(), Topic: topic}}
	noID := ok
	noID.ID = ""
	wantKind(t, "Schedule without ID", s.Schedule(ctx, noID), kernel.KindInvalid)
	noAt := ok
	noAt.At = time.Time{}
	wantKind(t, "Schedule without time", s.Schedule(ctx, noAt), kernel.KindInvalid)
	noTopic := ok
	noTopic.Msg.Topic = ""
	wantKind(t, "Schedule without topic", s.Schedule(ctx, noTopic), kernel.KindInvalid)
}

func schedMany(t *testing.T, mk func(t *testing.T) (ports.Scheduler, ports.Queue, func())) {
	h := newSchedHarness(t, mk, "sched-many")
	ctx := context.Background()
	const n = 100
	start := time.Now()
	want := map[string]time.Time{}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	var mu sync.Mutex
	for i := 0; i < n; i++ {
		at := start.Add(300*time.Millisecond + time.Duration(i)*10*time.Millisecond)
		j := h.job(fmt.Sprintf("many-%03d", i), at, fmt.Sprint(i))
		mu.Lock()
		want[j.Msg.ID] = at
		mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := h.s.Schedule(ctx, j); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Schedule: %v", err)
	}
	if !eventually(20*time.Second, func() bool { return len(h.firings()) >= n }) {
		t.Fatalf("fired %d of %d jobs within 20 s", len(h.firings()), n)
	}
	time.Sleep(500 * time.Millisecond)
	count := map[string]int{}
	for _, f := range h.firings() {
		count[f.d.ID]++
		if at, ok := want[f.d.ID]; !ok {
			t.Errorf("fired an unknown message %s", f.d.ID)
		} else if f.at.Before(at) {
			t.Errorf("message %s fired %s early", f.d.ID, at.Sub(f.at))
		}
	}
	for id := range want {
		if count[id] != 1 {
			t.Errorf("message %s fired %d times, want once", id, count[id])
		}
	}
}
