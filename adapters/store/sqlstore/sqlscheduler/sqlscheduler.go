// Package sqlscheduler is a durable ports.Scheduler kept in the application's
// database (table scheduled_jobs), with a Poller that moves due jobs to a
// ports.Queue. Several pollers may run at once (one per process): on PostgreSQL
// each claims due rows with FOR UPDATE SKIP LOCKED, on SQLite writes are
// serialised. When the queue lives in the same database (sqlqueue), a job moves
// from table to queue in one transaction; with another queue a job is published
// and then deleted, so a crash in between may publish it twice, with the same
// message ID.
package sqlscheduler

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

var _ ports.Scheduler = (*Scheduler)(nil)

type jobRow struct {
	bun.BaseModel `bun:"table:scheduled_jobs"`
	ID            string `bun:"id,pk"`
	DueAt         int64  `bun:"due_at"` // Unix milliseconds, rounded up
	MsgID         string `bun:"msg_id"`
	Topic         string `bun:"topic"`
	Key           string `bun:"key"`
	Body          []byte `bun:"body"`
	Headers       string `bun:"headers"`
	CreatedAt     int64  `bun:"created_at"`
}

// Scheduler registers jobs in the database.
type Scheduler struct{ db *sqlstore.DB }

// New returns a scheduler over db (migrated). Nothing fires without a Poller.
func New(db *sqlstore.DB) *Scheduler { return &Scheduler{db: db} }

// dueMillis rounds t up to a whole millisecond, so a job never fires early.
func dueMillis(t time.Time) int64 {
	ns := t.UnixNano()
	ms := ns / 1e6
	if ns%1e6 > 0 {
		ms++
	}
	return ms
}

// Schedule registers or replaces the job. A message without an ID gets one now,
// so a job that fires twice carries the same ID both times.
func (s *Scheduler) Schedule(ctx context.Context, j ports.Job) error {
	if err := ports.CheckJob(j); err != nil {
		return err
	}
	if j.Msg.ID == "" {
		j.Msg.ID = kernel.NewID()
	}
	headers := j.Msg.Headers
	if headers == nil {
		headers = map[string]string{}
	}
	hb, err := json.Marshal(headers)
	if err != nil {
		return kernel.Internal(err, "encode headers")
	}
	body := j.Msg.Body
	if body == nil {
		body = []byte{}
	}
	row := jobRow{ID: j.ID, DueAt: dueMillis(j.At), MsgID: j.Msg.ID, Topic: j.Msg.Topic, Key: j.Msg.Key, Body: body,
		Headers: string(hb), CreatedAt: time.Now().UnixMilli()}
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewInsert().Model(&row).
			On("CONFLICT (id) DO UPDATE").
			Set("due_at = EXCLUDED.due_at, msg_id = EXCLUDED.msg_id, topic = EXCLUDED.topic, key = EXCLUDED.key").
			Set("body = EXCLUDED.body, headers = EXCLUDED.headers, created_at = EXCLUDED.created_at").
			Exec(ctx)
		return err
	})
}

// Cancel removes a job not yet fired; kernel.KindNotFound if there is none.
func (s *Scheduler) Cancel(ctx context.Context, id string) error {
	var n int64
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*jobRow)(nil)).Where("id = ?", id).Exec(ctx)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return kernel.NotFound("no scheduled job %q", id)
	}
	return nil
}

// Poller publishes due jobs on a queue.
type Poller struct {
	db       *sqlstore.DB
	queue    ports.Queue
	log      *slog.Logger
	Interval time.Duration // between polls; default 1 s
	Batch    int           // jobs moved per transaction; default 100
}

// NewPoller builds a poller moving jobs of db to q.
func NewPoller(db *sqlstore.DB, q ports.Queue, log *slog.Logger) *Poller {
	return &Poller{db: db, queue: q, log: log, Interval: time.Second, Batch: 100}
}

// Run polls until ctx ends.
func (p *Poller) Run(ctx context.Context) {
	t := time.NewTicker(p.Interval)
	defer t.Stop()
	for {
		for {
			n, err := p.PollOnce(ctx)
			if err != nil {
				if ctx.Err() == nil {
					p.log.Warn("scheduler poll failed", "err", err)
				}
				break
			}
			if n < p.Batch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// PollOnce publishes one batch of due jobs and returns how many it published.
func (p *Poller) PollOnce(ctx context.Context) (int, error) {
	n := 0
	err := p.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		n = 0
		var rows []jobRow
		q := tx.NewSelect().Model(&rows).Where("due_at <= ?", time.Now().UnixMilli()).
			OrderExpr("due_at, id").Limit(int64(p.Batch))
		if p.db.Engine == sqlstore.Postgres {
			q = q.For("UPDATE SKIP LOCKED")
		}
		if err := q.Scan(ctx); err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		msgs := make([]ports.Message, len(rows))
		ids := make([]string, len(rows))
		for i, r := range rows {
			m := ports.Message{ID: r.MsgID, Topic: r.Topic, Key: r.Key, Body: r.Body}
			if err := json.Unmarshal([]byte(r.Headers), &m.Headers); err != nil {
				return kernel.Internal(err, "decode headers of job %s", r.ID)
			}
			if len(m.Headers) == 0 {
				m.Headers = nil
			}
			msgs[i], ids[i] = m, r.ID
		}
		if tp, ok := p.queue.(sqlstore.TxPublisher); ok && tp.DB() == p.db {
			if err := tp.PublishTx(ctx, tx, msgs...); err != nil {
				return err
			}
		} else if err := p.queue.Publish(ctx, msgs...); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*jobRow)(nil)).Where("id IN (?)", bun.List(ids)).Exec(ctx); err != nil {
			return err
		}
		n = len(rows)
		return nil
	})
	return n, err
}
