package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// resultKind says what an answer was.
type resultKind int

const (
	resOK        resultKind = iota // answered what it should
	resDiffers                     // answered, but not what it should (a wrong answer)
	resFailed                      // no answer, or an unexpected status
	resExhausted                   // nothing left to ask (every free slot booked): not sent
)

type result struct {
	kind resultKind
	msg  string
}

var okResult = result{}

func differs(format string, a ...any) result { return result{resDiffers, fmt.Sprintf(format, a...)} }
func failed(format string, a ...any) result  { return result{resFailed, fmt.Sprintf(format, a...)} }

// op is one kind of request; do sends the k-th (k counts from 0 per op), checks
// the answer and says what it was.
type op struct {
	name   string
	weight int
	do     func(ctx context.Context, k int64) result
	seq    atomic.Int64
	done   atomic.Bool // exhausted
	stats  *opStats
}

// picker chooses an op by weight among those not exhausted; nil when none is left.
func pick(ops []*op, r *rand.Rand) *op {
	total := 0
	for _, o := range ops {
		if !o.done.Load() {
			total += o.weight
		}
	}
	if total == 0 {
		return nil
	}
	n := r.IntN(total)
	for _, o := range ops {
		if o.done.Load() {
			continue
		}
		if n < o.weight {
			return o
		}
		n -= o.weight
	}
	return nil
}

func (o *op) send(ctx context.Context, since time.Time, errw io.Writer) {
	r := o.do(ctx, o.seq.Add(1)-1)
	if r.kind == resExhausted {
		o.done.Store(true)
	}
	o.stats.record(r, time.Since(since), errw)
}

// closedLoop runs n clients, each sending its next request when the previous
// one is answered, until ctx ends or every op is exhausted.
func closedLoop(ctx context.Context, ops []*op, n int, errw io.Writer) {
	var wg sync.WaitGroup
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for ctx.Err() == nil {
				o := pick(ops, r)
				if o == nil {
					return
				}
				o.send(ctx, time.Now(), errw)
			}
		}()
	}
	wg.Wait()
}

// lateAfter is how far behind its time a request counts as sent late.
const lateAfter = time.Millisecond

// openLoop sends rate requests per second on a fixed schedule for d, whatever
// the answers: each at its intended time on its own goroutine. Latency counts
// from the intended time, so a slow server cannot slow the schedule and hide
// its queue (no coordinated omission). A request due while maxInFlight are
// unanswered is not sent and counted; one sent more than lateAfter behind its
// time is counted as late. It returns when every sent request is answered.
func openLoop(ctx context.Context, ops []*op, rate float64, d time.Duration, maxInFlight int, errw io.Writer) {
	var wg sync.WaitGroup
	var inFlight atomic.Int64
	r := rand.New(rand.NewPCG(1, 1))
	interval := time.Duration(float64(time.Second) / rate)
	start := time.Now()
	for i := int64(0); ; i++ {
		at := start.Add(time.Duration(i) * interval)
		if at.Sub(start) >= d || ctx.Err() != nil {
			break
		}
		if wait := time.Until(at); wait > 0 {
			time.Sleep(wait)
		}
		o := pick(ops, r)
		if o == nil {
			break
		}
		if inFlight.Load() >= int64(maxInFlight) {
			o.stats.notSent.Add(1)
			continue
		}
		if time.Since(at) > lateAfter {
			o.stats.late.Add(1)
		}
		inFlight.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer inFlight.Add(-1)
			o.send(context.WithoutCancel(ctx), at, errw)
		}()
	}
	wg.Wait()
}
