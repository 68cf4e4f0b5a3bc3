package httpapi

import (
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// TestTraceRequestsKeepsCopies: a span outlives its request, so every string
// it keeps must be a copy. The middleware runs here in an app WITHOUT fiber's
// Immutable (the server sets it, but the middleware must not depend on it):
// strings taken from the Ctx then alias fasthttp's buffers, which the next
// requests on the same connection overwrite. After many requests with other
// methods, IDs and trace states, each span must still say what its own request was.
func TestTraceRequestsKeepsCopies(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	app := fiber.New()                 // not Immutable
	app.Use(func(c *fiber.Ctx) error { // the server's requestID, unchecked: the header's own bytes
		c.Locals(localsRequestID, c.Get(fiber.HeaderXRequestID))
		return c.Next()
	})
	app.Use(traceRequests(tp.Tracer("test"), propagation.TraceContext{}))
	app.Get("/v1/things/:id", func(c *fiber.Ctx) error { return c.SendStatus(200) })
	app.Delete("/v1/others/:id", func(c *fiber.Ctx) error { return c.SendStatus(204) })

	type want struct{ name, method, route, requestID, state string }
	var wants []want
	for i := range 40 {
		method, path, route := fiber.MethodGet, fmt.Sprintf("/v1/things/%d", i), "/v1/things/:id"
		if i%2 == 1 {
			method, path, route = fiber.MethodDelete, fmt.Sprintf("/v1/others/%d", i), "/v1/others/:id"
		}
		req := httptest.NewRequest(method, path, nil)
		rid := fmt.Sprintf("req-%03d-%s", i, method)
		state := fmt.Sprintf("vendor=v%03d", i)
		req.Header.Set(fiber.HeaderXRequestID, rid)
		req.Header.Set("traceparent", fmt.Sprintf("00-4bf92f3577b34da6a3ce929d0e0e%04d-00f067aa0ba902b7-01", i))
		req.Header.Set("tracestate", state)
		if _, err := app.Test(req); err != nil {
			t.Fatal(err)
		}
		wants = append(wants, want{method + " " + route, method, route, rid, state})
	}
	spans := rec.Ended()
	if len(spans) != len(wants) {
		t.Fatalf("%d spans for %d requests", len(spans), len(wants))
	}
	for i, s := range spans {
		w := wants[i]
		attrs := map[attribute.Key]string{}
		for _, kv := range s.Attributes() {
			attrs[kv.Key] = kv.Value.String()
		}
		if s.Name() != w.name || attrs["http.request.method"] != w.method || attrs["http.route"] != w.route ||
			attrs["request_id"] != w.requestID || s.Parent().TraceState().String() != w.state {
			t.Errorf("span %d: name %q method %q route %q request_id %q tracestate %q; want %+v",
				i, s.Name(), attrs["http.request.method"], attrs["http.route"], attrs["request_id"], s.Parent().TraceState().String(), w)
		}
	}
}
