package rabbitqueue

import (
	"context"
	"fmt"
	"strconv"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Headers carrying the port's fields.
const (
	hdrKey     = "x-ms-key"
	hdrTopic   = "x-ms-topic"
	hdrAttempt = "x-ms-attempt"
	hdrHeaders = "x-ms-headers" // a nested table of the message's headers
)

// Publish declares the topics' queues (once per connection), publishes every
// message persistently and returns when the broker has confirmed them all.
func (q *Queue) Publish(ctx context.Context, msgs ...ports.Message) error {
	for i, m := range msgs {
		if err := ports.CheckMessage(m); err != nil {
			return prefixFields(err, fmt.Sprintf("msgs[%d].", i))
		}
	}
	for _, m := range msgs {
		if err := q.declare(ctx, m.Topic); err != nil {
			return err
		}
	}
	pubs := make([]publishing, len(msgs))
	for i, m := range msgs {
		pubs[i] = publishing{exchange: q.cfg.Exchange, key: m.Topic, msg: toPublishing(m, 1)}
	}
	return q.publish(ctx, pubs)
}

type publishing struct {
	exchange, key string
	msg           amqp.Publishing
}

// publish sends and waits for confirms, retrying once on a fresh connection
// when the first attempt fails because the connection dropped.
func (q *Queue) publish(ctx context.Context, pubs []publishing) error {
	var err error
	for try := 0; try < 2; try++ {
		if err = q.publishOnce(ctx, pubs); err == nil || kernel.KindOf(err) != kernel.KindUnavailable || ctx.Err() != nil {
			return err
		}
	}
	return err
}

func (q *Queue) publishOnce(ctx context.Context, pubs []publishing) error {
	ch, err := q.publisher(ctx)
	if err != nil {
		return err
	}
	confirms := make([]*amqp.DeferredConfirmation, 0, len(pubs))
	for _, p := range pubs {
		dc, err := ch.PublishWithDeferredConfirmWithContext(ctx, p.exchange, p.key, true, false, p.msg)
		if err != nil {
			return translate(err, "publish")
		}
		confirms = append(confirms, dc)
	}
	for _, dc := range confirms {
		ok, err := dc.WaitContext(ctx)
		if err != nil {
			return kernel.Unavailable(err, "rabbitqueue: waiting for the broker's confirm")
		}
		if !ok {
			return kernel.Unavailable(nil, "rabbitqueue: the broker refused a message")
		}
	}
	return nil
}

func toPublishing(m ports.Message, attempt int) amqp.Publishing {
	h := amqp.Table{hdrTopic: m.Topic, hdrAttempt: int32(attempt)}
	if m.Key != "" {
		h[hdrKey] = m.Key
	}
	if len(m.Headers) > 0 {
		t := amqp.Table{}
		for k, v := range m.Headers {
			t[k] = v
		}
		h[hdrHeaders] = t
	}
	body := m.Body
	if body == nil {
		body = []byte{}
	}
	return amqp.Publishing{
		Headers:      h,
		DeliveryMode: amqp.Persistent,
		MessageId:    m.ID,
		Timestamp:    time.Now().UTC(),
		Body:         body,
	}
}

func fromDelivery(topic string, d amqp.Delivery) ports.Delivery {
	out := ports.Delivery{Message: ports.Message{ID: d.MessageId, Topic: topic, Body: d.Body}, Attempt: attemptOf(d.Headers)}
	if k, ok := d.Headers[hdrKey].(string); ok {
		out.Key = k
	}
	if t, ok := d.Headers[hdrHeaders].(amqp.Table); ok {
		out.Headers = make(map[string]string, len(t))
		for k, v := range t {
			switch x := v.(type) {
			case string:
				out.Headers[k] = x
			case []byte:
				out.Headers[k] = string(x)
			default:
				out.Headers[k] = fmt.Sprint(x)
			}
		}
	}
	if out.Body == nil {
		out.Body = []byte{}
	}
	return out
}

func msToString(d time.Duration) string { return strconv.FormatInt(max(d.Milliseconds(), 0), 10) }

// prefixFields renames the field errors of a kernel error ("topic" -> "msgs[2].topic").
func prefixFields(err error, prefix string) error {
	e, ok := err.(*kernel.Error)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	var p kernel.Problems
	for _, f := range e.Fields {
		p.Add(prefix+f.Field, "%s", f.Message)
	}
	return p.Err()
}
