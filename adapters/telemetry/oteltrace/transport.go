package oteltrace

import (
	"errors"
	"net"
	"net/http"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Transport wraps base (nil: http.DefaultTransport) so that each request is a
// client span and carries its traceparent; when tracing is off it returns base
// unchanged. The span holds the method, the server's host and port and the
// answer's status, never the path, the query string (a geocoder's query is an
// address, an admin API's may be an e-mail) or a header.
func (t *Tracing) Transport(base http.RoundTripper) http.RoundTripper {
	if !t.Enabled() {
		return base
	}
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{base: base, tracer: t.tracer(), prop: t.Propagator()}
}

// Client returns a copy of c (nil: a client with no timeout) whose transport
// is traced; c itself when tracing is off.
func (t *Tracing) Client(c *http.Client) *http.Client {
	if !t.Enabled() {
		return c
	}
	var cp http.Client
	if c != nil {
		cp = *c
	}
	cp.Transport = t.Transport(cp.Transport)
	return &cp
}

type transport struct {
	base   http.RoundTripper
	tracer trace.Tracer
	prop   propagation.TextMapPropagator
}

func (tr *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	host, port := req.URL.Hostname(), req.URL.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[req.URL.Scheme]
	}
	attrs := []attribute.KeyValue{attribute.String("http.request.method", req.Method), attribute.String("server.address", host)}
	if p, err := strconv.Atoi(port); err == nil {
		attrs = append(attrs, attribute.Int("server.port", p))
	}
	ctx, span := tr.tracer.Start(req.Context(), req.Method, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	defer span.End()
	out := req.Clone(ctx) // a RoundTripper must not change the caller's request
	tr.prop.Inject(ctx, propagation.HeaderCarrier(out.Header))
	res, err := tr.base.RoundTrip(out)
	if err != nil {
		kind := "other"
		var ne net.Error
		if ctx.Err() != nil {
			kind = "canceled"
		} else if errors.As(err, &ne) && ne.Timeout() {
			kind = "timeout"
		}
		span.SetAttributes(attribute.String("error.type", kind))
		span.SetStatus(codes.Error, kind)
		return nil, err
	}
	span.SetAttributes(attribute.Int("http.response.status_code", res.StatusCode))
	if res.StatusCode >= 400 {
		span.SetAttributes(attribute.String("error.type", strconv.Itoa(res.StatusCode)))
		span.SetStatus(codes.Error, "")
	}
	return res, nil
}
