// Package sqlqueue is a durable ports.Queue kept in the application's database
// (table queue_messages), for the local profile and for small on-premises
// installs: a restart loses nothing, and no broker is needed.
//
// A consumer claims one message at a time with one atomic statement (PostgreSQL:
// UPDATE of a row picked with FOR UPDATE SKIP LOCKED; SQLite: UPDATE ... RETURNING,
// writes being serialised) that leases it for the visibility timeout. An ack
// deletes the row; a nack makes it available again after the retry delay, or
// moves it to the dead-letter topic after MaxAttempts; a lease that runs out
// (a crashed consumer) makes it available again, or dead-letters it.
//
// Messages of one non-empty key are delivered strictly in publish order, even
// to several consumers: a message is not claimed while an earlier message of its
// key is still in the table. Publishing a message whose ID is already queued on
// its topic is a no-op. Times are Unix milliseconds of the database's clock,
// read when a statement runs (not when it was queued for a lock), so that
// leases are as long as configured even under write contention, and several
// processes with skewed clocks agree.
package sqlqueue

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

var _ ports.Queue = (*Queue)(nil)

// Queue is a queue in the database.
type Queue struct {
	db   *sqlstore.DB
	opts ports.QueueOptions
	// PollInterval is how often an idle consumer looks for messages published by
	// other processes (messages published through this Queue wake it at once).
	PollInterval time.Duration

	mu      sync.Mutex
	changed map[string]chan struct{} // per topic, closed when a message of it may have become claimable
}

// New returns a queue over db (migrated); zero option fields take their defaults.
func New(db *sqlstore.DB, opts ports.QueueOptions) *Queue {
	return &Queue{db: db, opts: opts.WithDefaults(), PollInterval: 250 * time.Millisecond, changed: map[string]chan struct{}{}}
}

type messageRow struct {
	bun.BaseModel `bun:"table:queue_messages"`
	Seq           int64  `bun:"seq,pk,autoincrement"`
	ID            string `bun:"id"`
	Topic         string `bun:"topic"`
	Key           string `bun:"key"`
	Body          []byte `bun:"body"`
	Headers       string `bun:"headers"`
	Attempts      int    `bun:"attempts"`
	AvailableAt   int64  `bun:"available_at"`
	PublishedAt   int64  `bun:"published_at"`
}

func toRow(m ports.Message) (messageRow, error) {
	h := m.Headers
	if h == nil {
		h = map[string]string{}
	}
	hb, err := json.Marshal(h)
	if err != nil {
		return messageRow{}, err
	}
	body := m.Body
	if body == nil {
		body = []byte{}
	}
	return messageRow{ID: m.ID, Topic: m.Topic, Key: m.Key, Body: body, Headers: string(hb)}, nil
}

// wake wakes the local consumers of topic. Only they: an ack or a publish on
// one topic never makes a message of another claimable, and waking every
// consumer on every ack made each idle topic's consumer run an empty claim per
// message settled elsewhere.
func (q *Queue) wake(topic string) {
	q.mu.Lock()
	if ch, ok := q.changed[topic]; ok {
		close(ch)
		delete(q.changed, topic)
	}
	q.mu.Unlock()
}

func (q *Queue) changedCh(topic string) <-chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	ch, ok := q.changed[topic]
	if !ok {
		ch = make(chan struct{})
		q.changed[topic] = ch
	}
	return ch
}

// Publish stores the messages in one transaction; all or none.
func (q *Queue) Publish(ctx context.Context, msgs ...ports.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	err := q.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error { return q.insert(ctx, tx, msgs) })
	if err != nil {
		return sqlstore.Translate(err)
	}
	for i, m := range msgs {
		if i == 0 || m.Topic != msgs[i-1].Topic {
			q.wake(m.Topic)
		}
	}
	return nil
}

// PublishTx stores the messages inside the caller's transaction on DB(), so they
// are queued if and only if it commits (the outbox relay and the scheduler's
// poller use it to move rows atomically). Local consumers find them on their next poll.
func (q *Queue) PublishTx(ctx context.Context, tx bun.IDB, msgs ...ports.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	return sqlstore.Translate(q.insert(ctx, tx, msgs))
}

// DB is the database holding the queue.
func (q *Queue) DB() *sqlstore.DB { return q.db }

var _ sqlstore.TxPublisher = (*Queue)(nil)

func (q *Queue) insert(ctx context.Context, tx bun.IDB, msgs []ports.Message) error {
	rows := make([]messageRow, len(msgs))
	for i, m := range msgs {
		if err := ports.CheckMessage(m); err != nil {
			return prefixFields(err, fmt.Sprintf("messages[%d].", i))
		}
		r, err := toRow(m)
		if err != nil {
			return kernel.Internal(err, "encode headers")
		}
		rows[i] = r
	}
	_, err := tx.NewInsert().Model(&rows).
		Column("id", "topic", "key", "body", "headers", "attempts").
		On("CONFLICT (topic, id) DO NOTHING").Exec(ctx)
	return err
}

func prefixFields(err error, prefix string) error {
	ke, ok := err.(*kernel.Error)
	if !ok {
		return err
	}
	out := *ke
	out.Fields = make([]kernel.FieldError, len(ke.Fields))
	for i, f := range ke.Fields {
		out.Fields[i] = kernel.FieldError{Field: prefix + f.Field, Message: f.Message}
	}
	return &out
}

type claimed struct {
	seq   int64
	token string
	d     ports.Delivery
}

// now is the database's clock in Unix milliseconds, as an SQL expression.
func (q *Queue) now() string { return nowExpr(q.db.Engine) }

func nowExpr(e sqlstore.Dialect) string {
	if e == sqlstore.Postgres {
		return "(extract(epoch from clock_timestamp()) * 1000)::bigint"
	}
	return "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
}

// claim leases the first deliverable message of topic after seq floor (0: from
// the start), or returns nil.
func (q *Queue) claim(ctx context.Context, topic string, floor int64) (*claimed, error) {
	lock := ""
	if q.db.Engine == sqlstore.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	token := kernel.NewID()
	now := q.now()
	available := `SELECT m.seq FROM queue_messages AS m
	WHERE m.topic = ? AND m.seq > ? AND m.available_at <= ` + now + `
	  AND (m.lease_until IS NULL OR (m.lease_until <= ` + now + ` AND m.attempts < ?))
	  AND (m.key = '' OR NOT EXISTS (
		SELECT 1 FROM queue_messages AS e WHERE e.topic = m.topic AND e.key = m.key AND e.seq < m.seq))
	ORDER BY m.seq LIMIT 1`
	if q.db.Engine == sqlstore.SQLite {
		// SQLite has one writer at a time: a consumer that finds nothing must not
		// take the write lock to learn it (every consumer wakes on every publish).
		// The read needs no lock under WAL; the claim below stays atomic.
		var seq int64
		err := q.db.QueryRowContext(ctx, available, topic, floor, q.opts.MaxAttempts).Scan(&seq)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
	}
	query := `UPDATE queue_messages SET attempts = attempts + 1, lease_until = ` + now + ` + ?, lease_token = ?
WHERE seq = (
	` + available + lock + `)
RETURNING seq, id, key, body, headers, attempts`
	var c *claimed
	run := func(ctx context.Context, tx bun.IConn) error {
		c = nil
		rows, err := tx.QueryContext(ctx, query, q.opts.VisibilityTimeout.Milliseconds(), token, topic, floor, q.opts.MaxAttempts)
		if err != nil {
			return err
		}
		defer rows.Close()
		if !rows.Next() {
			return rows.Err()
		}
		var headers string
		x := &claimed{token: token, d: ports.Delivery{Message: ports.Message{Topic: topic}}}
		if err := rows.Scan(&x.seq, &x.d.ID, &x.d.Key, &x.d.Body, &headers, &x.d.Attempt); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(headers), &x.d.Headers); err != nil {
			return fmt.Errorf("decode headers of message %s: %w", x.d.ID, err)
		}
		if len(x.d.Headers) == 0 {
			x.d.Headers = nil
		}
		c = x
		return rows.Close()
	}
	if q.db.Engine == sqlstore.Postgres {
		// One statement is atomic on its own: no BEGIN and COMMIT round trips.
		return c, sqlstore.Translate(run(ctx, q.db))
	}
	err := q.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error { return run(ctx, tx) })
	return c, err
}

// reap dead-letters messages of topic whose last lease ran out at MaxAttempts.
func (q *Queue) reap(ctx context.Context, topic string) error {
	return q.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var seqs []int64
		sel := tx.NewSelect().Table("queue_messages").Column("seq").
			Where("topic = ? AND lease_until IS NOT NULL AND lease_until <= "+q.now()+" AND attempts >= ?", topic, q.opts.MaxAttempts)
		if q.db.Engine == sqlstore.Postgres {
			sel = sel.For("UPDATE SKIP LOCKED")
		}
		if err := sel.Scan(ctx, &seqs); err != nil {
			return err
		}
		for _, seq := range seqs {
			if err := q.deadLetter(ctx, tx, seq, ""); err != nil {
				return err
			}
		}
		return nil
	})
}

// deadLetter moves the row seq (leased with token, unless token is "") to the
// dead-letter topic, as a fresh message.
func (q *Queue) deadLetter(ctx context.Context, tx bun.Tx, seq int64, token string) error {
	var row messageRow
	sel := tx.NewSelect().Model(&row).Where("seq = ?", seq)
	if token != "" {
		sel = sel.Where("lease_token = ?", token)
	}
	if err := sel.Scan(ctx); err != nil {
		if err == sql.ErrNoRows {
			return nil // the lease was lost meanwhile
		}
		return err
	}
	dead := messageRow{ID: row.ID, Topic: ports.DeadLetter(row.Topic), Key: row.Key, Body: row.Body, Headers: row.Headers}
	if _, err := tx.NewInsert().Model(&dead).
		Column("id", "topic", "key", "body", "headers", "attempts").
		On("CONFLICT (topic, id) DO NOTHING").Exec(ctx); err != nil {
		return err
	}
	_, err := tx.NewDelete().Model((*messageRow)(nil)).Where("seq = ?", seq).Exec(ctx)
	return err
}

// settle acks (herr == nil) or nacks a claimed message, unless its lease was
// lost. An ack or a nack is one statement, run without BEGIN and COMMIT.
func (q *Queue) settle(ctx context.Context, c *claimed, herr error) error {
	var err error
	switch {
	case herr == nil:
		_, err = q.db.NewDelete().Model((*messageRow)(nil)).Where("seq = ? AND lease_token = ?", c.seq, c.token).Exec(ctx)
	case c.d.Attempt >= q.opts.MaxAttempts:
		err = q.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error { return q.deadLetter(ctx, tx, c.seq, c.token) })
		if err == nil {
			q.wake(ports.DeadLetter(c.d.Topic))
		}
	default:
		_, err = q.db.NewUpdate().Model((*messageRow)(nil)).
			Set("lease_until = NULL").Set("lease_token = NULL").Set("available_at = "+q.now()+" + ?", q.opts.RetryDelay.Milliseconds()).
			Where("seq = ? AND lease_token = ?", c.seq, c.token).Exec(ctx)
	}
	if err != nil {
		return sqlstore.Translate(err)
	}
	q.wake(c.d.Topic) // an ack may unblock the next message of the key
	return nil
}

// Consume delivers messages of topic to h, one at a time, until ctx ends. It
// returns an error only when its first query fails (no table, no database);
// later database errors are retried with backoff.
func (q *Queue) Consume(ctx context.Context, topic string, h ports.Handler) error {
	if err := ports.CheckTopic(topic); err != nil {
		return err
	}
	lastReap := time.Time{}
	var floor int64 // seq of the last message claimed; see below
	lastFull := time.Time{}
	backoff := q.PollInterval
	if ctx.Err() == nil {
		if err := q.reap(ctx, topic); err != nil && ctx.Err() == nil {
			return sqlstore.Translate(err)
		}
		lastReap = time.Now()
	}
	for ctx.Err() == nil {
		changed := q.changedCh(topic)
		if time.Since(lastReap) > q.opts.VisibilityTimeout/2 {
			lastReap = time.Now()
			if err := q.reap(ctx, topic); err != nil && ctx.Err() == nil {
				if !sleep(ctx, nil, backoff) {
					return nil
				}
				continue
			}
		}
		// Claim after the last message this consumer claimed: every message
		// acked lies before it as a dead index entry until a vacuum, and a
		// claim from the start walks them all (a drain of 100,000 events slowed
		// down as it went, and autovacuum may be busy elsewhere). What is left
		// behind (a message leased elsewhere, waiting for its retry, or whose
		// key was blocked) is found by a claim from the start, run when nothing
		// is found after the floor, and at least every PollInterval.
		if time.Since(lastFull) > q.PollInterval {
			floor = 0
		}
		if floor == 0 {
			lastFull = time.Now()
		}
		c, err := q.claim(ctx, topic, floor)
		if err == nil && c == nil && floor > 0 {
			floor, lastFull = 0, time.Now()
			c, err = q.claim(ctx, topic, 0)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			backoff = min(backoff*2, 5*time.Second)
			if !sleep(ctx, nil, backoff) {
				return nil
			}
			continue
		}
		backoff = q.PollInterval
		if c != nil {
			floor = c.seq
		}
		if c == nil {
			if !sleep(ctx, changed, q.PollInterval) {
				return nil
			}
			continue
		}
		herr := run(ctx, h, c.d)
		if ctx.Err() != nil {
			return nil // a crash: the lease runs out and the message comes back
		}
		// Settle even if ctx ends now: the handler did its work.
		for i := 0; ; i++ {
			err := q.settle(context.WithoutCancel(ctx), c, herr)
			if err == nil || i == 5 {
				break
			}
			if !sleep(ctx, nil, time.Duration(i+1)*100*time.Millisecond) {
				return nil
			}
		}
	}
	return nil
}

// sleep waits d, or until wake is closed; it returns false when ctx ended.
func sleep(ctx context.Context, wake <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-wake:
	case <-t.C:
	}
	return true
}

func run(ctx context.Context, h ports.Handler, d ports.Delivery) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("handler panicked: %v", r)
		}
	}()
	d.Headers = maps.Clone(d.Headers)
	return h(ctx, d)
}

// Ping checks the database.
func (q *Queue) Ping(ctx context.Context) error { return q.db.Ping(ctx) }
