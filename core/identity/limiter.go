package identity

import (
	"sync"
	"time"
)

// limiter counts events per key in fixed windows, in memory. It throttles
// login and reset attempts per instance; the account lockout that must hold
// across instances lives in the database instead.
type limiter struct {
	mu      sync.Mutex
	windows map[string]*window
	sweep   time.Time
}

type window struct {
	start time.Time
	n     int
}

func newLimiter() *limiter { return &limiter{windows: map[string]*window{}} }

// hit records one event for key and reports whether the count within the
// window starting at the first event is still at most max.
func (l *limiter) hit(key string, max int, per time.Duration, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.gc(now, per)
	w := l.windows[key]
	if w == nil || now.Sub(w.start) >= per {
		w = &window{start: now}
		l.windows[key] = w
	}
	w.n++
	return w.n <= max
}

// count returns the events counted for key in its current window.
func (l *limiter) count(key string, per time.Duration, now time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.windows[key]
	if w == nil || now.Sub(w.start) >= per {
		return 0
	}
	return w.n
}

// reset forgets key.
func (l *limiter) reset(key string) {
	l.mu.Lock()
	delete(l.windows, key)
	l.mu.Unlock()
}

// gc drops expired windows at most once per period, so the map stays small.
func (l *limiter) gc(now time.Time, per time.Duration) {
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
