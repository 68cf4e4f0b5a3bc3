package oteltrace

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/driver/pgdriver"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// QueryHook is a bun.QueryHook putting one client span on each query made
// inside a traced operation (a request, a delivery): its name is the
// operation and table ("INSERT patients"), its attributes db.system,
// db.operation.name and db.collection.name. The query's text and arguments
// are never recorded, nor a driver's error message (PostgreSQL repeats the
// offending values in it): an error is recorded by its SQLSTATE or SQLite code.
// Queries outside any trace (the pollers of queues and the outbox) make no span.
type QueryHook struct {
	tracer trace.Tracer
	system attribute.KeyValue
}

var _ bun.QueryHook = (*QueryHook)(nil)

// NewQueryHook returns the hook, or nil when tracing is off; system is
// "postgresql" or "sqlite".
func NewQueryHook(t *Tracing, system string) *QueryHook {
	if !t.Enabled() {
		return nil
	}
	return &QueryHook{tracer: t.tracer(), system: attribute.String("db.system", system)}
}

// BeforeQuery starts the query's span.
func (h *QueryHook) BeforeQuery(ctx context.Context, ev *bun.QueryEvent) context.Context {
	if !trace.SpanFromContext(ctx).IsRecording() {
		return ctx
	}
	op := operation(ev)
	attrs := []attribute.KeyValue{h.system, attribute.String("db.operation.name", op)}
	name := op
	if ev.IQuery != nil {
		if table := tableName(ev.IQuery.GetTableName()); table != "" {
			attrs = append(attrs, attribute.String("db.collection.name", table))
			name += " " + table
		}
	}
	ctx, _ = h.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(ev.StartTime),
		trace.WithAttributes(attrs...))
	return ctx
}

// AfterQuery ends it, with the error's kind.
func (h *QueryHook) AfterQuery(ctx context.Context, ev *bun.QueryEvent) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	if ev.Err != nil && !errors.Is(ev.Err, sql.ErrNoRows) {
		kind := errorKind(ev.Err)
		span.SetAttributes(attribute.String("error.type", kind))
		span.SetStatus(codes.Error, kind)
	}
	span.End()
}

// operation is the statement's first keyword (SELECT, INSERT, BEGIN, ...),
// or QUERY when it is not a plain word.
func operation(ev *bun.QueryEvent) string {
	op := strings.ToUpper(ev.Operation())
	if op == "" || len(op) > 16 || strings.IndexFunc(op, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return "QUERY"
	}
	return op
}

// tableName keeps a table name that is a plain (possibly quoted or
// schema-qualified) identifier: bun also answers a table expression, which
// could hold a value.
func tableName(s string) string {
	s = strings.ReplaceAll(s, `"`, "")
	if s == "" || len(s) > 63 {
		return ""
	}
	for _, r := range s {
		if !(r == '_' || r == '.' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return ""
		}
	}
	return s
}

// errorKind names a database error without its message.
func errorKind(err error) string {
	var pg pgdriver.Error
	if errors.As(err, &pg) {
		return "SQLSTATE " + pg.Field('C')
	}
	var se interface{ Code() int }
	if errors.As(err, &se) {
		return "sqlite " + strconv.Itoa(se.Code())
	}
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, sql.ErrTxDone):
		return "tx_done"
	}
	return "other"
}
