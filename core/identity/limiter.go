package identity

import (
	"context"
	"sync"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// RateCounters is an optional Store capability: event counters in fixed
// windows, shared by every instance that uses the store, so the sign-in and
// password-reset limits hold for the platform as a whole and not once per
// process. A store without it gets per-process counters (NewMemoryCounters).
type RateCounters interface {
	// HitCounter records one event for key and returns how many events the key
	// holds in its current window, this one included. A window starts at the
	// first event after the previous window (of length per) ended.
	HitCounter(ctx context.Context, key string, per time.Duration, now time.Time) (int, error)
	// CounterValue returns the events of key in its current window of length
	// per; 0 when it has none or its window ended.
	CounterValue(ctx context.Context, key string, per time.Duration, now time.Time) (int, error)
	// ResetCounter forgets key.
	ResetCounter(ctx context.Context, key string) error
}

// memoryCounters counts in this process's memory.
type memoryCounters struct {
	mu      sync.Mutex
	windows map[string]*window
	sweep   time.Time
}

type window struct {
	start time.Time
	n     int
}

// NewMemoryCounters returns counters kept in this process only: for tests and
// for stores that cannot share them.
func NewMemoryCounters() RateCounters { return &memoryCounters{windows: map[string]*window{}} }

func (l *memoryCounters) HitCounter(_ context.Context, key string, per time.Duration, now time.Time) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.gc(now, per)
	w := l.windows[key]
	if w == nil || now.Sub(w.start) >= per || now.Before(w.start) {
		w = &window{start: now}
		l.windows[key] = w
	}
	w.n++
	return w.n, nil
}

func (l *memoryCounters) CounterValue(_ context.Context, key string, per time.Duration, now time.Time) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.windows[key]
	if w == nil || now.Sub(w.start) >= per || now.Before(w.start) {
		return 0, nil
	}
	return w.n, nil
}

func (l *memoryCounters) ResetCounter(_ context.Context, key string) error {
	l.mu.Lock()
	delete(l.windows, key)
	l.mu.Unlock()
	return nil
}

// gc drops expired windows at most once per period, so the map stays small.
func (l *memoryCounters) gc(now time.Time, per time.Duration) {
	if now.Sub(l.sweep) < per {
		return
	}
	l.sweep = now
	for k, w := range l.windows {
		if now.Sub(w.start) >= per && now.Sub(w.start) >= time.Hour {
			delete(l.windows, k)
		}
	}
}

// hit records an event for key and reports whether the key is still within
// max events in its window.
func (s *Service) hit(ctx context.Context, key string, max int, per time.Duration, now time.Time) (bool, error) {
	n, err := s.counters.HitCounter(ctx, key, per, now)
	if err != nil {
		return false, err
	}
	return n <= max, nil
}

// throttle records one event on each key (with its own limit and window) and
// answers kernel.TooMany with msg when any of them is over its limit.
func (s *Service) throttle(ctx context.Context, msg string, limits ...limit) error {
	if s.cfg.DisableRateLimits {
		return nil
	}
	over := false
	for _, l := range limits {
		ok, err := s.hit(ctx, l.key, l.max, l.per, s.clock.Now())
		if err != nil {
			return err
		}
		over = over || !ok
	}
	if over {
		return kernel.TooMany("%s", msg)
	}
	return nil
}

// limit is one key's allowance: max events per window.
type limit struct {
	key string
	max int
	per time.Duration
}
