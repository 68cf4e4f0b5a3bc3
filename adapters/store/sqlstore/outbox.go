package sqlstore

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

type outboxRow struct {
	bun.BaseModel `bun:"table:outbox"`
	Seq           int64      `bun:"seq,pk,autoincrement"`
	ID            string     `bun:"id"`
	Topic         string     `bun:"topic"`
	Key           string     `bun:"key"`
	Body          []byte     `bun:"body"`
	OccurredAt    time.Time  `bun:"occurred_at"`
	PublishedAt   *time.Time `bun:"published_at"`
}

// AddEvents writes events into the outbox inside the caller's transaction, so
// they are published if and only if the change commits.
func AddEvents(ctx context.Context, tx bun.IDB, events ...kernel.Event) error {
	q, err := EventsInsert(tx, events...)
	if err != nil || q == nil {
		return err
	}
	_, err = q.Exec(ctx)
	return Translate(err)
}

// EventsInsert builds the outbox insert of events without running it (nil when
// there are none), so a store can send it in one statement with its own change,
// e.g. as the main query of a PostgreSQL WITH ... INSERT.
func EventsInsert(db bun.IDB, events ...kernel.Event) (*bun.InsertQuery, error) {
	if len(events) == 0 {
		return nil, nil
	}
	rows, err := outboxRows(events)
	if err != nil {
		return nil, err
	}
	return db.NewInsert().Model(&rows), nil
}

// EventsColumns are the columns EventsValues gives values for, in order.
const EventsColumns = "id, topic, key, body, occurred_at"

// EventsValues is each event's outbox row as the values of EventsColumns, for a
// store that writes them with a statement of its own (a prepared one).
func EventsValues(events ...kernel.Event) ([][]any, error) {
	rows, err := outboxRows(events)
	if err != nil {
		return nil, err
	}
	out := make([][]any, len(rows))
	for i, r := range rows {
		out[i] = []any{r.ID, r.Topic, r.Key, r.Body, r.OccurredAt}
	}
	return out, nil
}

func outboxRows(events []kernel.Event) ([]outboxRow, error) {
	rows := make([]outboxRow, 0, len(events))
	for _, e := range events {
		body, err := json.Marshal(e.Payload)
		if err != nil {
			return nil, kernel.Internal(err, "encode event %s", e.Topic)
		}
		id := e.ID
		if id == "" {
			id = kernel.NewID()
		}
		at := e.OccurredAt
		if at.IsZero() {
			at = time.Now().UTC()
		}
		rows = append(rows, outboxRow{ID: id, Topic: e.Topic, Key: e.Key, Body: body, OccurredAt: at.UTC()})
	}
	return rows, nil
}

// TxPublisher is a queue kept in a database (sqlqueue) that can publish inside
// a transaction on it. The relay uses it when the queue shares the outbox's
// database: the move from outbox to queue is then atomic, and on SQLite it has
// to be, since a second writer would wait for the relay's own transaction.
type TxPublisher interface {
	DB() *DB
	PublishTx(ctx context.Context, tx bun.IDB, msgs ...ports.Message) error
}

// Relay publishes outbox rows through a queue, oldest first, at least once.
// Only one relay works at a time (a PostgreSQL advisory lock; one process on
// SQLite), so events of one key keep their order.
type Relay struct {
	db       *DB
	queue    ports.Queue
	log      *slog.Logger
	Interval time.Duration
	Batch    int
}

// NewRelay builds a relay polling every 200 ms and moving up to 500 events a
// transaction (a backlog of 100,000 drains in 200 transactions, each publishing
// its batch at once: one INSERT into sqlqueue, or one round of confirms).
func NewRelay(db *DB, q ports.Queue, log *slog.Logger) *Relay {
	return &Relay{db: db, queue: q, log: log, Interval: 200 * time.Millisecond, Batch: 500}
}

// Run relays until ctx ends.
func (r *Relay) Run(ctx context.Context) {
	t := time.NewTicker(r.Interval)
	defer t.Stop()
	for {
		for {
			n, err := r.RelayOnce(ctx)
			if err != nil {
				if ctx.Err() == nil {
					r.log.Warn("outbox relay failed", "err", err)
				}
				break
			}
			if n < r.Batch {
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

// RelayOnce publishes one batch and returns how many rows it published.
func (r *Relay) RelayOnce(ctx context.Context) (int, error) {
	n := 0
	err := r.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if r.db.Engine == Postgres {
			var got bool
			if err := tx.QueryRowContext(ctx, "SELECT pg_try_advisory_xact_lock(7243002)").Scan(&got); err != nil {
				return err
			}
			if !got {
				return nil // another relay is at work
			}
		}
		var rows []outboxRow
		if err := tx.NewSelect().Model(&rows).Where("published_at IS NULL").Order("seq").Limit(int64(r.Batch)).Scan(ctx); err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		msgs := make([]ports.Message, len(rows))
		seqs := make([]int64, len(rows))
		for i, row := range rows {
			msgs[i] = ports.Message{ID: row.ID, Topic: row.Topic, Key: row.Key, Body: row.Body}
			seqs[i] = row.Seq
		}
		if tp, ok := r.queue.(TxPublisher); ok && tp.DB() == r.db {
			if err := tp.PublishTx(ctx, tx, msgs...); err != nil {
				return err
			}
		} else if err := r.queue.Publish(ctx, msgs...); err != nil {
			return err
		}
		_, err := tx.NewUpdate().Model((*outboxRow)(nil)).Set("published_at = ?", time.Now().UTC()).
			Where("seq IN (?)", bun.List(seqs)).Exec(ctx)
		n = len(rows)
		return err
	})
	return n, err
}
