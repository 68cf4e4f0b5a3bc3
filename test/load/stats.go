package main

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// opStats holds one operation's outcomes and latencies.
type opStats struct {
	name                     string
	mu                       sync.Mutex
	lat                      []time.Duration // of answers that said what they should
	ok, differs, failed      atomic.Int64
	shown                    atomic.Int64
	notSent, late, exhausted atomic.Int64 // open loop: not sent (in-flight cap), sent late; no more work
}

// maxShown is how many differences per operation are printed.
const maxShown = 5

func (s *opStats) record(r result, d time.Duration, errw io.Writer) {
	switch r.kind {
	case resOK:
		s.ok.Add(1)
		s.mu.Lock()
		s.lat = append(s.lat, d)
		s.mu.Unlock()
	case resExhausted:
		s.exhausted.Add(1)
	default:
		c := &s.differs
		if r.kind == resFailed {
			c = &s.failed
		}
		c.Add(1)
		if s.shown.Add(1) <= maxShown {
			fmt.Fprintf(errw, "%s: %s\n", s.name, r.msg)
		}
	}
}

// summary is an operation's figures over a run.
type summary struct {
	name                string
	ok, differs, failed int64
	notSent, late       int64
	rate                float64
	p50, p95, p99, max  time.Duration
	elapsed             time.Duration
}

func (s *opStats) summary(elapsed time.Duration) summary {
	s.mu.Lock()
	all := slices.Clone(s.lat)
	s.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, int(float64(len(all))*p))]
	}
	return summary{name: s.name, ok: s.ok.Load(), differs: s.differs.Load(), failed: s.failed.Load(), notSent: s.notSent.Load(),
		late: s.late.Load(), rate: float64(s.ok.Load()) / elapsed.Seconds(), p50: pct(0.50), p95: pct(0.95), p99: pct(0.99), max: pct(1), elapsed: elapsed}
}

func round(d time.Duration) time.Duration { return d.Round(100 * time.Microsecond) }

func (s summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-8s %7d ok %5.0f/s  p50 %-8s p95 %-8s p99 %-8s max %-8s", s.name, s.ok, s.rate,
		round(s.p50), round(s.p95), round(s.p99), round(s.max))
	if s.differs+s.failed > 0 {
		fmt.Fprintf(&b, "  %d differ, %d failed", s.differs, s.failed)
	}
	if s.notSent+s.late > 0 {
		fmt.Fprintf(&b, "  %d not sent, %d sent late", s.notSent, s.late)
	}
	return b.String()
}
