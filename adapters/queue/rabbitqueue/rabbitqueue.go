// Package rabbitqueue carries messages on RabbitMQ through amqp091-go, for the
// on-premises profile. Each topic has a durable quorum queue bound to one
// direct exchange; messages are persistent and published with confirms;
// consumers ack by hand. A failed delivery is re-published to the topic's retry
// queue, whose per-message TTL dead-letters it back to the topic after
// RetryDelay; after MaxAttempts it goes to the queue of DeadLetter(topic). A
// consumer that dies mid-handler leaves the message unacked: RabbitMQ returns
// it to the queue (quorum queues count the return in x-delivery-count, and
// dead-letter it past x-delivery-limit). Connections are re-dialled after
// they drop.
package rabbitqueue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Config configures the broker connection. Environment variables are given per field.
type Config struct {
	URL         string // MULTISAUDE_AMQP_URL (required), e.g. amqp://user:pass@rabbit:5672/vhost
	Exchange    string // MULTISAUDE_AMQP_EXCHANGE: direct exchange for all topics, default "multisaude"
	QueuePrefix string // MULTISAUDE_AMQP_QUEUE_PREFIX, default "multisaude."
	Prefetch    int    // MULTISAUDE_AMQP_PREFETCH: unacked deliveries per consumer, default 32 (still handled one at a time, in order)
	// Competing (MULTISAUDE_AMQP_COMPETING) lets all consumers of a topic take
	// messages at once. By default a topic's queue has a single active consumer
	// (the others stand by), which keeps the per-key order the Queue port
	// promises. Changing it for an existing queue needs the queue re-created.
	Competing bool
	// MaxAttempts (MULTISAUDE_QUEUE_MAX_ATTEMPTS, default 5) and RetryDelay
	// (MULTISAUDE_QUEUE_RETRY_DELAY, default 1s) as every queue adapter.
	// VisibilityTimeout is not used: RabbitMQ returns a message when its
	// consumer's channel or connection closes, and its consumer_timeout
	// (server-wide, 30 min by default) bounds a stuck handler.
	ports.QueueOptions
}

// Queue is a ports.Queue over RabbitMQ.
type Queue struct {
	cfg Config
	log *slog.Logger

	mu       sync.Mutex
	conn     *amqp.Connection
	pub      *amqp.Channel // confirm mode
	declared map[string]bool
	queues   map[string]bool // every queue name declared, for tests to delete
	closed   bool
}

var _ ports.Queue = (*Queue)(nil)

// New connects to the broker and declares the exchange.
func New(ctx context.Context, cfg Config) (*Queue, func(), error) {
	cfg.QueueOptions = cfg.QueueOptions.WithDefaults()
	if cfg.Exchange == "" {
		cfg.Exchange = "multisaude"
	}
	if cfg.QueuePrefix == "" {
		cfg.QueuePrefix = "multisaude."
	}
	if cfg.Prefetch == 0 {
		cfg.Prefetch = 32
	}
	var p kernel.Problems
	if p.Require("url", cfg.URL) {
		if _, err := amqp.ParseURI(cfg.URL); err != nil {
			p.Add("url", "is not an AMQP URL")
		}
	}
	if cfg.Prefetch < 1 || cfg.Prefetch > 1000 {
		p.Add("prefetch", "must be between 1 and 1000")
	}
	if err := p.Err(); err != nil {
		return nil, nil, err
	}
	q := &Queue{cfg: cfg, log: slog.Default().With("adapter", "rabbitqueue"), declared: map[string]bool{}, queues: map[string]bool{}}
	if _, err := q.connection(ctx); err != nil {
		return nil, nil, err
	}
	return q, q.close, nil
}

func (q *Queue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	if q.conn != nil {
		_ = q.conn.Close()
	}
}

// connection returns a live connection, dialling a new one when the last has dropped.
func (q *Queue) connection(ctx context.Context) (*amqp.Connection, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return nil, kernel.Unavailable(nil, "rabbitqueue: closed")
	}
	if q.conn != nil && !q.conn.IsClosed() {
		return q.conn, nil
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	conn, err := amqp.DialConfig(q.cfg.URL, amqp.Config{
		Heartbeat:  10 * time.Second,
		Locale:     "en_US",
		Properties: amqp.Table{"connection_name": "multisaude"},
		Dial: func(network, addr string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addr)
		},
	})
	if err != nil {
		return nil, kernel.Unavailable(err, "rabbitqueue: connect")
	}
	ch, err := conn.Channel()
	if err == nil {
		err = ch.ExchangeDeclare(q.cfg.Exchange, amqp.ExchangeDirect, true, false, false, false, nil)
		ch.Close()
	}
	if err != nil {
		conn.Close()
		return nil, translate(err, "declare exchange")
	}
	if q.conn != nil {
		q.log.Info("reconnected to the broker")
	}
	q.conn, q.pub = conn, nil
	q.declared = map[string]bool{} // the broker may have lost non-durable state; declaring again is cheap
	return conn, nil
}

// publisher returns the confirm-mode channel used for publishing.
func (q *Queue) publisher(ctx context.Context) (*amqp.Channel, error) {
	conn, err := q.connection(ctx)
	if err != nil {
		return nil, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.pub != nil && !q.pub.IsClosed() && q.conn == conn {
		return q.pub, nil
	}
	ch, err := conn.Channel()
	if err != nil {
		return nil, translate(err, "open channel")
	}
	if err := ch.Confirm(false); err != nil {
		ch.Close()
		return nil, translate(err, "enable publisher confirms")
	}
	q.pub = ch
	return ch, nil
}

func (q *Queue) queueName(topic string) string { return q.cfg.QueuePrefix + topic }
func (q *Queue) retryName(topic string) string { return q.cfg.QueuePrefix + topic + ".retry" }

// declare makes sure topic's queue, its retry queue and its dead-letter queue
// exist, on a channel of its own (a refused declaration closes the channel).
func (q *Queue) declare(ctx context.Context, topic string) error {
	q.mu.Lock()
	done := q.declared[topic]
	q.mu.Unlock()
	if done {
		return nil
	}
	conn, err := q.connection(ctx)
	if err != nil {
		return err
	}
	for _, t := range []string{topic, ports.DeadLetter(topic)} {
		if err := q.declareQueue(conn, q.queueName(t), amqp.Table{
			amqp.QueueTypeArg:           amqp.QueueTypeQuorum,
			"x-dead-letter-exchange":    q.cfg.Exchange,
			"x-dead-letter-routing-key": ports.DeadLetter(t),
			"x-delivery-limit":          int64(q.cfg.MaxAttempts),
			"x-single-active-consumer":  !q.cfg.Competing,
		}, t); err != nil {
			return err
		}
	}
	// Retried messages wait here for their per-message TTL, then go back to topic.
	if err := q.declareQueue(conn, q.retryName(topic), amqp.Table{
		"x-dead-letter-exchange":    q.cfg.Exchange,
		"x-dead-letter-routing-key": topic,
	}, ""); err != nil {
		return err
	}
	q.mu.Lock()
	q.declared[topic] = true
	q.mu.Unlock()
	return nil
}

func (q *Queue) declareQueue(conn *amqp.Connection, name string, args amqp.Table, bindKey string) error {
	ch, err := conn.Channel()
	if err != nil {
		return translate(err, "open channel")
	}
	defer ch.Close()
	if _, err := ch.QueueDeclare(name, true, false, false, false, args); err != nil {
		var ae *amqp.Error
		if !errors.As(err, &ae) || ae.Code != amqp.PreconditionFailed {
			return translate(err, "declare queue %s", name)
		}
		// Declared earlier with other arguments (another MaxAttempts, say): use it as it is.
		q.log.Warn("queue exists with other arguments; using it as it is", "queue", name, "error", ae.Reason)
		if ch, err = conn.Channel(); err != nil {
			return translate(err, "open channel")
		}
		defer ch.Close()
		if _, err := ch.QueueDeclarePassive(name, true, false, false, false, nil); err != nil {
			return translate(err, "declare queue %s", name)
		}
	}
	if bindKey != "" {
		if err := ch.QueueBind(name, bindKey, q.cfg.Exchange, false, nil); err != nil {
			return translate(err, "bind queue %s", name)
		}
	}
	q.mu.Lock()
	q.queues[name] = true
	q.mu.Unlock()
	return nil
}

// Ping checks that the broker answers: it opens and closes a channel.
func (q *Queue) Ping(ctx context.Context) error {
	conn, err := q.connection(ctx)
	if err != nil {
		return err
	}
	ch, err := conn.Channel()
	if err != nil {
		return translate(err, "ping")
	}
	return ch.Close()
}

func translate(err error, format string, a ...any) error {
	msg := "rabbitqueue: " + fmt.Sprintf(format, a...)
	var ae *amqp.Error
	if errors.As(err, &ae) && !ae.Recover && ae.Code != amqp.ChannelError && ae.Code != amqp.ConnectionForced {
		return kernel.Internal(err, "%s", msg)
	}
	return kernel.Unavailable(err, "%s", msg)
}

// attemptOf reads the attempt of a delivery: the attempt it was published with
// (1, or more for a retry) plus the times RabbitMQ returned it unacked.
func attemptOf(h amqp.Table) int {
	n := 1
	if v, ok := toInt(h[hdrAttempt]); ok && v > 0 {
		n = v
	}
	if v, ok := toInt(h["x-delivery-count"]); ok && v > 0 {
		n += v
	}
	return n
}

func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int8:
		return int(x), true
	case int16:
		return int(x), true
	case int32:
		return int(x), true
	case int64:
		return int(x), true
	case uint8:
		return int(x), true
	case uint16:
		return int(x), true
	case uint32:
		return int(x), true
	case string:
		n, err := strconv.Atoi(x)
		return n, err == nil
	}
	return 0, false
}
