package httpapi

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// traceRequests starts each request's server span, as the child of the
// caller's traceparent when it sends one, and hands the handlers its context
// (c.UserContext). The span is named by the method and the route pattern
// ("GET /v1/appointments/:id"), never the path, whose IDs would make a name
// per object; it carries http.request.method, http.route,
// http.response.status_code and request_id. Every string kept in the span
// outlives the request, so each is a copy: the Ctx's strings alias fasthttp's
// reused buffers unless the app is Immutable.
func traceRequests(tracer trace.Tracer, prop propagation.TextMapPropagator) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx := prop.Extract(c.UserContext(), headerCarrier{c})
		method := strings.Clone(c.Method())
		ctx, span := tracer.Start(ctx, method, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(
			attribute.String("http.request.method", method),
			attribute.String("request_id", strings.Clone(RequestID(c)))))
		defer span.End()
		c.SetUserContext(ctx)
		err := c.Next()
		route := routeOf(c)
		if route != "unmatched" {
			route = strings.Clone(route)
			span.SetName(method + " " + route)
		}
		status := c.Response().StatusCode()
		span.SetAttributes(attribute.String("http.route", route), attribute.Int("http.response.status_code", status))
		if status >= 500 {
			span.SetStatus(codes.Error, "")
		}
		return err
	}
}

// headerCarrier reads the request's trace headers (copies: the span context
// keeps tracestate).
type headerCarrier struct{ c *fiber.Ctx }

func (h headerCarrier) Get(key string) string { return strings.Clone(h.c.Get(key)) }
func (h headerCarrier) Set(string, string)    {}
func (h headerCarrier) Keys() []string        { return nil }
