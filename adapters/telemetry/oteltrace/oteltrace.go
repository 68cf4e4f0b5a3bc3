// Package oteltrace owns the application's OpenTelemetry tracing: the tracer
// provider (an OTLP/HTTP exporter, or nothing at all when tracing is off), the
// W3C trace-context propagator, and the small pieces that put spans where no
// library does it for us: SQL queries (a bun query hook), queue messages (a
// ports.Queue decorator), outbound HTTP calls (a transport) and log records (a
// slog handler adding trace_id and span_id). No span ever carries a query's
// text, a message body, a query string or a header value: traces leave the
// process, and health data and CPFs must not (LGPD).
package oteltrace

import (
	"context"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Exporters.
const (
	Off  = "off"
	OTLP = "otlp"
)

// instrumentation is the name of every tracer this package hands out.
const instrumentation = "github.com/multisaude/multisaude/adapters/telemetry/oteltrace"

// Config is the tracing configuration.
type Config struct {
	Exporter string // Off or OTLP
	// Endpoint is the OTLP/HTTP base URL ("http://collector:4318"); spans go to
	// its /v1/traces. Empty: OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, else http://localhost:4318.
	Endpoint string
	// SampleRatio is the share of new traces kept, 0..1; a request that comes
	// with a traceparent keeps its caller's decision (parent-based).
	SampleRatio float64
	Version     string // service.version
	Profile     string // multisaude.profile: local, aws or onprem
}

// Tracing is the tracer provider and propagator of the application. A nil or
// disabled Tracing costs nothing: the decorators it builds return what they
// were given.
type Tracing struct {
	provider   trace.TracerProvider
	propagator propagation.TextMapPropagator
	sdk        *sdktrace.TracerProvider // nil when off
}

// New builds the tracing named by cfg. Nothing is dialled here: the exporter
// sends batches in the background, and a collector that is down only loses spans.
func New(ctx context.Context, cfg Config) (*Tracing, error) {
	switch cfg.Exporter {
	case Off, "":
		return &Tracing{provider: noop.NewTracerProvider(), propagator: propagation.NewCompositeTextMapPropagator()}, nil
	case OTLP:
	default:
		return nil, fmt.Errorf("traces exporter %q: must be off or otlp", cfg.Exporter)
	}
	if cfg.SampleRatio < 0 || cfg.SampleRatio > 1 {
		return nil, fmt.Errorf("traces sample ratio %v: must be between 0 and 1", cfg.SampleRatio)
	}
	var opts []otlptracehttp.Option
	if cfg.Endpoint != "" {
		opts = append(opts, otlptracehttp.WithEndpointURL(strings.TrimRight(cfg.Endpoint, "/")+"/v1/traces"))
	}
	exp, err := otlptracehttp.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("OTLP trace exporter: %w", err)
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(
		attribute.String("service.name", "multisaude"),
		attribute.String("service.version", cfg.Version),
		attribute.String("multisaude.profile", cfg.Profile),
	))
	if err != nil {
		return nil, fmt.Errorf("trace resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(cfg.SampleRatio))),
	)
	return &Tracing{provider: tp, propagator: propagation.TraceContext{}, sdk: tp}, nil
}

// Enabled tells whether spans are recorded and exported.
func (t *Tracing) Enabled() bool { return t != nil && t.sdk != nil }

// Provider is the tracer provider (a no-op one when off).
func (t *Tracing) Provider() trace.TracerProvider {
	if !t.Enabled() {
		return noop.NewTracerProvider()
	}
	return t.provider
}

// Propagator reads and writes the W3C traceparent (nothing when off).
func (t *Tracing) Propagator() propagation.TextMapPropagator {
	if !t.Enabled() {
		return propagation.NewCompositeTextMapPropagator()
	}
	return t.propagator
}

func (t *Tracing) tracer() trace.Tracer { return t.Provider().Tracer(instrumentation) }

// TraceID is the trace ID of ctx's span, "" when it has none.
func TraceID(ctx context.Context) string {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		return sc.TraceID().String()
	}
	return ""
}

// ForceFlush exports the spans ended so far.
func (t *Tracing) ForceFlush(ctx context.Context) error {
	if !t.Enabled() {
		return nil
	}
	return t.sdk.ForceFlush(ctx)
}

// Shutdown flushes what is left and stops the exporter.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if !t.Enabled() {
		return nil
	}
	return t.sdk.Shutdown(ctx)
}
