package ports

import (
	"context"
	"time"
)

// Message is one event or command carried by a queue.
type Message struct {
	ID      string            // unique; set by the publisher (a UUIDv7), used for de-duplication by consumers
	Topic   string            // e.g. "scheduling.appointment.booked"
	Key     string            // ordering key: messages of one key are delivered in publish order
	Body    []byte            // JSON
	Headers map[string]string // small string attributes
}

// Delivery is a message handed to a consumer.
type Delivery struct {
	Message
	Attempt int // 1 on first delivery
}

// Handler processes one delivery. Returning nil acknowledges it; returning an error
// nacks it, and it is delivered again later until the queue's maximum attempts,
// after which it goes to the dead-letter topic DeadLetter(topic). If the consumer's
// context ends before the handler returns (a crash), the message is neither acked
// nor nacked and is delivered again after the visibility timeout.
type Handler func(ctx context.Context, d Delivery) error

// DeadLetter names the dead-letter topic of topic.
func DeadLetter(topic string) string { return topic + ".dead" }

// QueueOptions are common tunables every queue adapter honours.
type QueueOptions struct {
	MaxAttempts       int           // deliveries before dead-lettering; default 5
	VisibilityTimeout time.Duration // how long an unacked delivery stays hidden; default 30s
	RetryDelay        time.Duration // delay before a nacked message is delivered again; default 1s
}

// WithDefaults fills zero fields.
func (o QueueOptions) WithDefaults() QueueOptions {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 5
	}
	if o.VisibilityTimeout <= 0 {
		o.VisibilityTimeout = 30 * time.Second
	}
	if o.RetryDelay <= 0 {
		o.RetryDelay = time.Second
	}
	return o
}

// Queue publishes messages durably and delivers them at least once.
type Queue interface {
	// Publish stores the messages durably before returning.
	Publish(ctx context.Context, msgs ...Message) error
	// Consume delivers messages of topic to h, one at a time per consumer, until ctx ends;
	// it returns nil when ctx ends, or an error if it cannot consume at all.
	Consume(ctx context.Context, topic string, h Handler) error
	// Ping checks that the queue is reachable (for /readyz).
	Ping(ctx context.Context) error
}
