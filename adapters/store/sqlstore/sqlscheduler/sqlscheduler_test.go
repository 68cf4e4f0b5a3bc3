package sqlscheduler_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/queue/memqueue"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/sqlqueue"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/sqlscheduler"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
	"github.com/multisaude/multisaude/test/testdb"
)

// Two pollers run each poll at once, like two processes.
func twoPollers(db *sqlstore.DB, q ports.Queue) func() {
	log := slog.New(slog.DiscardHandler)
	p1, p2 := sqlscheduler.NewPoller(db, q, log), sqlscheduler.NewPoller(db, q, log)
	return func() {
		var wg sync.WaitGroup
		for _, p := range []*sqlscheduler.Poller{p1, p2} {
			wg.Add(1)
			go func() { defer wg.Done(); _, _ = p.PollOnce(context.Background()) }()
		}
		wg.Wait()
	}
}

func TestConformance(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		t.Run("sqlqueue", func(t *testing.T) {
			conformance.RunScheduler(t, func(t *testing.T) (ports.Scheduler, ports.Queue, func()) {
				q := sqlqueue.New(db, conformance.QueueSuiteOptions)
				q.PollInterval = 20 * time.Millisecond
				return sqlscheduler.New(db), q, twoPollers(db, q)
			})
		})
		t.Run("memqueue", func(t *testing.T) {
			conformance.RunScheduler(t, func(t *testing.T) (ports.Scheduler, ports.Queue, func()) {
				q := memqueue.New(conformance.QueueSuiteOptions)
				return sqlscheduler.New(db), q, twoPollers(db, q)
			})
		})
	})
}

// Jobs survive a restart: a new Scheduler and Poller over the same database fire them.
func TestJobsSurviveRestart(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		if err := sqlscheduler.New(db).Schedule(ctx, ports.Job{ID: "r1", At: time.Now().Add(100 * time.Millisecond),
			Msg: ports.Message{Topic: "restart", Body: []byte("later")}}); err != nil {
			t.Fatal(err)
		}
		q := memqueue.New(ports.QueueOptions{})
		p := sqlscheduler.NewPoller(db, q, slog.New(slog.DiscardHandler))
		p.Interval = 20 * time.Millisecond
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); p.Run(runCtx) }()
		defer func() { cancel(); <-done }()
		got := make(chan ports.Delivery, 2)
		cctx, ccancel := context.WithCancel(ctx)
		defer ccancel()
		go q.Consume(cctx, "restart", func(ctx context.Context, d ports.Delivery) error { got <- d; return nil })
		select {
		case d := <-got:
			if string(d.Body) != "later" || d.ID == "" {
				t.Errorf("fired %+v", d)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the job did not fire")
		}
	})
}
