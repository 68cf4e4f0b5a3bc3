package rabbitqueue

import (
	"context"
	"errors"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

var errLost = kernel.Unavailable(errors.New("delivery channel closed"), "rabbitqueue: connection or channel lost")

// Consume hands topic's messages to h one at a time until ctx ends, coming back
// after a dropped connection. It returns an error only when the topic's queue
// cannot be used at all.
func (q *Queue) Consume(ctx context.Context, topic string, h ports.Handler) error {
	if err := ports.CheckTopic(topic); err != nil {
		return err
	}
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := q.consumeOnce(ctx, topic, h)
		if ctx.Err() != nil {
			break
		}
		if err != nil && kernel.KindOf(err) == kernel.KindInternal {
			return err
		}
		q.log.WarnContext(ctx, "consumer lost its channel; reconnecting", "topic", topic, "error", errString(err), "backoff", backoff.String())
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
	return nil
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func (q *Queue) consumeOnce(ctx context.Context, topic string, h ports.Handler) error {
	if err := q.declare(ctx, topic); err != nil {
		return err
	}
	conn, err := q.connection(ctx)
	if err != nil {
		return err
	}
	ch, err := conn.Channel()
	if err != nil {
		return translate(err, "open channel")
	}
	// Closing the channel returns unacked deliveries to the queue: that is what
	// happens to the one in hand when ctx ends mid-handler.
	defer ch.Close()
	if err := ch.Qos(q.cfg.Prefetch, 0, false); err != nil {
		return translate(err, "set prefetch")
	}
	deliveries, err := ch.Consume(q.queueName(topic), "", false, false, false, false, nil)
	if err != nil {
		return translate(err, "consume")
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case d, ok := <-deliveries:
			if !ok {
				return errLost
			}
			q.handle(ctx, topic, d, h)
			if ctx.Err() != nil {
				return nil
			}
		}
	}
}

func (q *Queue) handle(ctx context.Context, topic string, d amqp.Delivery, h ports.Handler) {
	del := fromDelivery(topic, d)
	herr := h(ctx, del)
	if herr == nil {
		if err := d.Ack(false); err != nil {
			q.log.WarnContext(ctx, "ack failed; the message will be delivered again", "topic", topic, "message_id", del.ID, "error", err.Error())
		}
		return
	}
	if ctx.Err() != nil {
		return // a crash: neither ack nor nack
	}
	// Re-publish (with confirm) for a delayed retry, or to the dead-letter
	// topic after the last attempt; then ack this delivery.
	next := ports.Message{ID: del.ID, Topic: topic, Key: del.Key, Body: del.Body, Headers: del.Headers}
	var p publishing
	if del.Attempt >= q.cfg.MaxAttempts {
		dead := ports.DeadLetter(topic)
		if err := q.declare(ctx, dead); err != nil {
			q.requeue(ctx, d, err)
			return
		}
		next.Topic = dead
		p = publishing{exchange: q.cfg.Exchange, key: dead, msg: toPublishing(next, 1)}
		q.log.WarnContext(ctx, "message dead-lettered", "topic", topic, "message_id", del.ID, "attempts", del.Attempt, "error", herr.Error())
	} else {
		msg := toPublishing(next, del.Attempt+1)
		msg.Expiration = msToString(q.cfg.RetryDelay)
		p = publishing{exchange: "", key: q.retryName(topic), msg: msg}
		q.log.InfoContext(ctx, "handler failed; retrying later", "topic", topic, "message_id", del.ID, "attempt", del.Attempt, "error", herr.Error())
	}
	if err := q.publish(ctx, []publishing{p}); err != nil {
		q.requeue(ctx, d, err)
		return
	}
	if err := d.Ack(false); err != nil {
		q.log.WarnContext(ctx, "ack after retry publish failed; a duplicate may follow", "topic", topic, "message_id", del.ID, "error", err.Error())
	}
}

// requeue hands the delivery back at once when a retry could not be arranged.
func (q *Queue) requeue(ctx context.Context, d amqp.Delivery, cause error) {
	q.log.WarnContext(ctx, "could not schedule a retry; requeueing now", "error", cause.Error())
	_ = d.Nack(false, true)
}
