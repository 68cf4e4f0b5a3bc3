package conformance

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/identity"
)

// RunRateCounters checks an identity.RateCounters: windows start at the first
// event and end after their length, keys are apart, a reset forgets, and
// concurrent hits are all counted (no lost update). newCounters may return
// two handles on one shared store (two instances): the counts must agree.
func RunRateCounters(t *testing.T, newCounters func(t *testing.T) (a, b identity.RateCounters)) {
	ctx := context.Background()
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	hit := func(t *testing.T, c identity.RateCounters, key string, per time.Duration, at time.Time) int {
		t.Helper()
		n, err := c.HitCounter(ctx, key, per, at)
		if err != nil {
			t.Fatalf("HitCounter(%q): %v", key, err)
		}
		return n
	}
	value := func(t *testing.T, c identity.RateCounters, key string, per time.Duration, at time.Time) int {
		t.Helper()
		n, err := c.CounterValue(ctx, key, per, at)
		if err != nil {
			t.Fatalf("CounterValue(%q): %v", key, err)
		}
		return n
	}

	t.Run("window", func(t *testing.T) {
		a, b := newCounters(t)
		key := "login-email:ana@example.com"
		for i := 1; i <= 3; i++ {
			if n := hit(t, a, key, time.Minute, t0.Add(time.Duration(i)*time.Second)); n != i {
				t.Fatalf("hit %d counted %d", i, n)
			}
		}
		if n := value(t, b, key, time.Minute, t0.Add(30*time.Second)); n != 3 {
			t.Fatalf("the other handle reads %d, want 3", n)
		}
		// The window began at the first hit (t0+1s) and lasts a minute.
		if n := hit(t, b, key, time.Minute, t0.Add(60*time.Second)); n != 4 {
			t.Fatalf("a hit inside the window counted %d, want 4", n)
		}
		if n := value(t, a, key, time.Minute, t0.Add(61*time.Second)); n != 0 {
			t.Fatalf("after the window the count is %d, want 0", n)
		}
		if n := hit(t, a, key, time.Minute, t0.Add(61*time.Second)); n != 1 {
			t.Fatalf("the first hit of a new window counted %d, want 1", n)
		}
		if n := value(t, b, "login-email:other@example.com", time.Minute, t0.Add(61*time.Second)); n != 0 {
			t.Fatalf("an untouched key counts %d", n)
		}
	})

	t.Run("keys apart and reset", func(t *testing.T) {
		a, b := newCounters(t)
		hit(t, a, "k1", time.Hour, t0)
		hit(t, a, "k1", time.Hour, t0)
		hit(t, a, "k2", time.Hour, t0)
		if n := value(t, b, "k1", time.Hour, t0); n != 2 {
			t.Fatalf("k1 = %d, want 2", n)
		}
		if err := b.ResetCounter(ctx, "k1"); err != nil {
			t.Fatal(err)
		}
		if n := value(t, a, "k1", time.Hour, t0); n != 0 {
			t.Fatalf("after reset k1 = %d", n)
		}
		if n := value(t, a, "k2", time.Hour, t0); n != 1 {
			t.Fatalf("resetting k1 touched k2: %d", n)
		}
		if err := a.ResetCounter(ctx, "never-seen"); err != nil {
			t.Fatalf("resetting an unknown key: %v", err)
		}
	})

	t.Run("clock stepped back", func(t *testing.T) {
		a, _ := newCounters(t)
		hit(t, a, "k", time.Minute, t0)
		hit(t, a, "k", time.Minute, t0)
		if n := hit(t, a, "k", time.Minute, t0.Add(-time.Hour)); n != 1 {
			t.Fatalf("a window starting in the future was kept: %d", n)
		}
	})

	t.Run("concurrent hits on two handles", func(t *testing.T) {
		a, b := newCounters(t)
		const each = 20
		var wg sync.WaitGroup
		errs := make(chan error, 2*each)
		seen := make(chan int, 2*each)
		for i := range 2 * each {
			c := a
			if i%2 == 1 {
				c = b
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := c.HitCounter(ctx, "login-ip:10.0.0.1", time.Minute, t0)
				if err != nil {
					errs <- err
					return
				}
				seen <- n
			}()
		}
		wg.Wait()
		close(errs)
		close(seen)
		for err := range errs {
			t.Fatal(err)
		}
		got := map[int]bool{}
		for n := range seen {
			if got[n] {
				t.Fatalf("two hits were both counted as %d (a lost update)", n)
			}
			got[n] = true
		}
		if n := value(t, a, "login-ip:10.0.0.1", time.Minute, t0); n != 2*each {
			t.Fatalf("count after %d concurrent hits = %d", 2*each, n)
		}
	})
}
