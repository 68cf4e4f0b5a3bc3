package oteltrace

import (
	"context"
	"maps"

	"github.com/uptrace/bun"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Queue is a ports.Queue that traces what passes through it: Publish makes a
// producer span and writes its traceparent into each message's headers;
// Consume starts, for each delivery, a consumer span whose parent is the
// traceparent the message carries (a new trace when it has none), and hands
// the handler its context. Bodies are never recorded.
type Queue struct {
	inner  ports.Queue
	tracer trace.Tracer
	prop   propagation.TextMapPropagator
	system attribute.KeyValue
}

var _ ports.Queue = (*Queue)(nil)

// WrapQueue decorates q, or returns q itself when tracing is off. system names
// the broker (messaging.system: rabbitmq, aws_sqs, ...). A queue that
// publishes inside the outbox's transaction (sqlstore.TxPublisher) stays one.
func WrapQueue(q ports.Queue, t *Tracing, system string) ports.Queue {
	if !t.Enabled() {
		return q
	}
	tq := &Queue{inner: q, tracer: t.tracer(), prop: t.Propagator(), system: attribute.String("messaging.system", system)}
	if tp, ok := q.(sqlstore.TxPublisher); ok {
		return &txQueue{Queue: tq, tx: tp}
	}
	return tq
}

// Unwrap returns the decorated queue (for providers that need the adapter itself).
func (q *Queue) Unwrap() ports.Queue { return q.inner }

// Publish publishes msgs under one producer span.
func (q *Queue) Publish(ctx context.Context, msgs ...ports.Message) error {
	ctx, span, msgs := q.startPublish(ctx, msgs)
	err := q.inner.Publish(ctx, msgs...)
	endSpan(span, err)
	return err
}

func (q *Queue) startPublish(ctx context.Context, msgs []ports.Message) (context.Context, trace.Span, []ports.Message) {
	attrs := []attribute.KeyValue{q.system, attribute.String("messaging.operation.type", "send")}
	name := "send"
	if topic, one := sameTopic(msgs); one {
		attrs = append(attrs, attribute.String("messaging.destination.name", topic))
		name += " " + topic
	}
	if len(msgs) == 1 {
		attrs = append(attrs, attribute.String("messaging.message.id", msgs[0].ID))
	} else {
		attrs = append(attrs, attribute.Int("messaging.batch.message_count", len(msgs)))
	}
	ctx, span := q.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindProducer), trace.WithAttributes(attrs...))
	out := make([]ports.Message, len(msgs)) // the caller's messages and headers stay as they were
	for i, m := range msgs {
		m.Headers = maps.Clone(m.Headers)
		if m.Headers == nil {
			m.Headers = map[string]string{}
		}
		q.prop.Inject(ctx, propagation.MapCarrier(m.Headers))
		out[i] = m
	}
	return ctx, span, out
}

func sameTopic(msgs []ports.Message) (string, bool) {
	if len(msgs) == 0 {
		return "", false
	}
	for _, m := range msgs[1:] {
		if m.Topic != msgs[0].Topic {
			return "", false
		}
	}
	return msgs[0].Topic, true
}

// Consume hands each delivery to h inside its consumer span.
func (q *Queue) Consume(ctx context.Context, topic string, h ports.Handler) error {
	return q.inner.Consume(ctx, topic, func(ctx context.Context, d ports.Delivery) error {
		parent := q.prop.Extract(ctx, propagation.MapCarrier(d.Headers))
		ctx, span := q.tracer.Start(parent, "process "+topic, trace.WithSpanKind(trace.SpanKindConsumer), trace.WithAttributes(
			q.system, attribute.String("messaging.operation.type", "process"),
			attribute.String("messaging.destination.name", topic), attribute.String("messaging.message.id", d.ID),
			attribute.Int("messaging.delivery.attempt", d.Attempt)))
		err := h(ctx, d)
		endSpan(span, err)
		return err
	})
}

// Ping checks the decorated queue.
func (q *Queue) Ping(ctx context.Context) error { return q.inner.Ping(ctx) }

// txQueue keeps the database queue's transactional publish (the outbox relay
// moves rows into it atomically).
type txQueue struct {
	*Queue
	tx sqlstore.TxPublisher
}

var _ sqlstore.TxPublisher = (*txQueue)(nil)

func (q *txQueue) DB() *sqlstore.DB { return q.tx.DB() }

func (q *txQueue) PublishTx(ctx context.Context, tx bun.IDB, msgs ...ports.Message) error {
	ctx, span, msgs := q.startPublish(ctx, msgs)
	err := q.tx.PublishTx(ctx, tx, msgs...)
	endSpan(span, err)
	return err
}

// endSpan ends span, marking an error by its kind only (a message may quote data).
func endSpan(span trace.Span, err error) {
	if err != nil {
		kind := errKind(err)
		span.SetAttributes(attribute.String("error.type", kind))
		span.SetStatus(codes.Error, kind)
	}
	span.End()
}

// errKind is the error's kernel kind (invalid, not_found, unavailable, internal, ...).
func errKind(err error) string { return string(kernel.KindOf(err)) }
