package oteltrace_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"
	"github.com/valyala/fasthttp"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/adapters/queue/memqueue"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/telemetry/oteltrace"
	"github.com/multisaude/multisaude/ports"
)

// receiver is an OTLP/HTTP collector: it decodes each POST /v1/traces.
type receiver struct {
	mu       sync.Mutex
	raw      [][]byte
	spans    []*tracepb.Span
	resource []*commonpb.KeyValue
	srv      *httptest.Server
}

func newReceiver(t testing.TB) *receiver {
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodPost || req.URL.Path != "/v1/traces" {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		b, err := io.ReadAll(req.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var ex coltracepb.ExportTraceServiceRequest
		if err := proto.Unmarshal(b, &ex); err != nil {
			t.Errorf("receiver: undecodable export: %v", err)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		r.raw = append(r.raw, b)
		for _, rs := range ex.ResourceSpans {
			r.resource = rs.GetResource().GetAttributes()
			for _, ss := range rs.ScopeSpans {
				r.spans = append(r.spans, ss.Spans...)
			}
		}
		r.mu.Unlock()
		out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(out)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) snapshot() ([]*tracepb.Span, []*commonpb.KeyValue, [][]byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*tracepb.Span(nil), r.spans...), r.resource, append([][]byte(nil), r.raw...)
}

// lockedBuffer collects log lines written from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) lines() []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.b.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

type patientRow struct {
	bun.BaseModel `bun:"table:trace_patients"`
	ID            string `bun:"id,pk"`
	CPF           string `bun:"cpf"`
}

// The CPF the handler stores, publishes and sends: it must appear in no span.
const (
	cpf       = "529.982.247-25"
	cpfDigits = "52998224725"
	topic     = "patients.registered"
)

// rig is the parts of the application wired as wire/ wires them: the HTTP
// server, a SQLite store, the in-memory queue with a consumer, an outbound
// client to a peer, and a logger.
type rig struct {
	srv      *httpapi.Server
	logs     *lockedBuffer
	consumed chan string // the trace ID the consumer's context carries ("" when none)
	peerMu   sync.Mutex
	peerSeen []string // traceparent headers the peer received ("" when absent)
	stop     func()
}

type module struct{ h fiber.Handler }

func (m module) Register(r *httpapi.Router) {
	r.Handle(fiber.MethodPost, "/v1/patients/:id", httpapi.Op{ID: "registerPatient", Responses: []httpapi.Response{{Status: 204}}}, m.h)
	r.Handle(fiber.MethodGet, "/v1/ping", httpapi.Op{ID: "ping", Responses: []httpapi.Response{{Status: 204}}}, func(c *fiber.Ctx) error { return httpapi.NoContent(c) })
}

func newRig(t testing.TB, tr *oteltrace.Tracing) *rig {
	ctx, cancel := context.WithCancel(context.Background())
	rg := &rig{logs: &lockedBuffer{}, consumed: make(chan string, 10)}
	log := slog.New(oteltrace.LogHandler(slog.NewJSONHandler(rg.logs, nil))) // as wire.ProvideLogger

	db, err := sqlstore.Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.NewCreateTable().Model((*patientRow)(nil)).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if h := oteltrace.NewQueryHook(tr, "sqlite"); h != nil { // as wire.ProvideDB
		db.DB = db.DB.WithQueryHook(h)
	}

	q := oteltrace.WrapQueue(memqueue.New(ports.QueueOptions{}), tr, "memqueue") // as wire.ProvideQueue
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = q.Consume(ctx, topic, func(ctx context.Context, d ports.Delivery) error {
			log.InfoContext(ctx, "consumer handled", "message_id", d.ID)
			rg.consumed <- oteltrace.TraceID(ctx)
			return nil
		})
	}()

	peer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rg.peerMu.Lock()
		rg.peerSeen = append(rg.peerSeen, r.Header.Get("traceparent"))
		rg.peerMu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	client := tr.Client(&http.Client{Timeout: 5 * time.Second}) // as the outbound adapters' providers

	h := func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		id := c.Params("id")
		if _, err := db.NewInsert().Model(&patientRow{ID: id, CPF: cpf}).Exec(ctx); err != nil {
			return err
		}
		var back patientRow
		if err := db.NewSelect().Model(&back).Where("cpf = ?", cpf).Scan(ctx); err != nil {
			return err
		}
		// a query that fails: its error (which may quote values) is recorded by kind only
		_, _ = db.NewInsert().Model(&patientRow{ID: id, CPF: cpf}).Exec(ctx)
		body, _ := json.Marshal(map[string]string{"cpf": cpf})
		if err := q.Publish(ctx, ports.Message{ID: "msg-" + id, Topic: topic, Body: body}); err != nil {
			return err
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, peer.URL+"/hooks/patient?cpf="+cpfDigits, strings.NewReader(string(body)))
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		_ = res.Body.Close()
		log.InfoContext(ctx, "patient registered", "patient_id", id)
		return httpapi.NoContent(c)
	}
	cfg := httpapi.Config{}
	if tr.Enabled() { // as wire.ProvideServer
		cfg.Tracer, cfg.Propagator = tr.Provider(), tr.Propagator()
	}
	rg.srv = httpapi.New(cfg, log, nil, nil, module{h})
	var once sync.Once
	rg.stop = func() {
		once.Do(func() {
			cancel()
			<-done
			peer.Close()
			_ = db.Close()
		})
	}
	t.Cleanup(rg.stop)
	return rg
}

func attr(s *tracepb.Span, key string) (string, bool) {
	for _, kv := range s.Attributes {
		if kv.Key == key {
			v := kv.Value
			if v.GetStringValue() != "" {
				return v.GetStringValue(), true
			}
			return fmt.Sprint(v.GetIntValue()), true
		}
	}
	return "", false
}

func hexID(b []byte) string { return hex.EncodeToString(b) }

const (
	callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	callerSpan  = "00f067aa0ba902b7"
)

// TestTracesAcrossRequestSQLQueueAndOutboundCall makes one request that
// writes to the database, publishes and calls a peer, with tracing exporting
// to an in-process OTLP/HTTP receiver, and follows its trace everywhere.
func TestTracesAcrossRequestSQLQueueAndOutboundCall(t *testing.T) {
	recv := newReceiver(t)
	tr, err := oteltrace.New(context.Background(), oteltrace.Config{Exporter: oteltrace.OTLP, Endpoint: recv.srv.URL + "/", SampleRatio: 1, Version: "v9.9.9-test", Profile: "local"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tr.Shutdown(context.Background()) }()
	rg := newRig(t, tr)

	req := httptest.NewRequest(fiber.MethodPost, "/v1/patients/p-123", nil)
	req.Header.Set("X-Request-ID", "req-otel-1")
	req.Header.Set("traceparent", "00-"+callerTrace+"-"+callerSpan+"-01")
	res, err := rg.srv.App().Test(req, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusNoContent {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("status %d: %s", res.StatusCode, b)
	}
	select {
	case got := <-rg.consumed:
		if got != callerTrace {
			t.Errorf("consumer's context is in trace %q, want the request's %s", got, callerTrace)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the message was not consumed")
	}
	rg.stop() // the consumer's span has ended
	if err := tr.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans, resource, raw := recv.snapshot()

	byName := map[string][]*tracepb.Span{}
	for _, s := range spans {
		byName[s.Name] = append(byName[s.Name], s)
		if hexID(s.TraceId) != callerTrace {
			t.Errorf("span %q is in trace %s, not the caller's %s", s.Name, hexID(s.TraceId), callerTrace)
		}
	}
	one := func(name string, kind tracepb.Span_SpanKind) *tracepb.Span {
		t.Helper()
		ss := byName[name]
		if len(ss) != 1 {
			var names []string
			for _, s := range spans {
				names = append(names, s.Name)
			}
			t.Fatalf("want one span %q, got %d among %q", name, len(ss), names)
		}
		if ss[0].Kind != kind {
			t.Errorf("span %q: kind %v, want %v", name, ss[0].Kind, kind)
		}
		return ss[0]
	}

	server := one("POST /v1/patients/:id", tracepb.Span_SPAN_KIND_SERVER)
	if hexID(server.ParentSpanId) != callerSpan {
		t.Errorf("server span's parent %s, want the caller's traceparent span %s", hexID(server.ParentSpanId), callerSpan)
	}
	for k, want := range map[string]string{"http.route": "/v1/patients/:id", "http.request.method": "POST", "http.response.status_code": "204", "request_id": "req-otel-1"} {
		if got, _ := attr(server, k); got != want {
			t.Errorf("server span %s = %q, want %q", k, got, want)
		}
	}

	insert, sel := byName["INSERT trace_patients"], one("SELECT trace_patients", tracepb.Span_SPAN_KIND_CLIENT)
	if len(insert) != 2 {
		t.Fatalf("want two INSERT spans (one failing), got %d", len(insert))
	}
	failed := 0
	for _, s := range append(insert, sel) {
		if hexID(s.ParentSpanId) != hexID(server.SpanId) {
			t.Errorf("SQL span %q is not a child of the request's span", s.Name)
		}
		for k, want := range map[string]string{"db.system": "sqlite", "db.collection.name": "trace_patients"} {
			if got, _ := attr(s, k); got != want {
				t.Errorf("%s: %s = %q, want %q", s.Name, k, got, want)
			}
		}
		if s.Status.GetCode() == tracepb.Status_STATUS_CODE_ERROR {
			failed++
			if kind, _ := attr(s, "error.type"); !strings.HasPrefix(kind, "sqlite ") {
				t.Errorf("failed query's error.type %q, want its SQLite code", kind)
			}
		}
	}
	if failed != 1 {
		t.Errorf("%d SQL spans marked failed, want 1 (the duplicate insert)", failed)
	}

	send := one("send "+topic, tracepb.Span_SPAN_KIND_PRODUCER)
	process := one("process "+topic, tracepb.Span_SPAN_KIND_CONSUMER)
	if hexID(send.ParentSpanId) != hexID(server.SpanId) {
		t.Error("the publish span is not a child of the request's span")
	}
	if hexID(process.ParentSpanId) != hexID(send.SpanId) {
		t.Error("the consume span is not a child of the publish span (traceparent not carried in the message)")
	}
	for _, s := range []*tracepb.Span{send, process} {
		for k, want := range map[string]string{"messaging.system": "memqueue", "messaging.destination.name": topic, "messaging.message.id": "msg-p-123"} {
			if got, _ := attr(s, k); got != want {
				t.Errorf("%s: %s = %q, want %q", s.Name, k, got, want)
			}
		}
	}

	out := one("POST", tracepb.Span_SPAN_KIND_CLIENT)
	if got, _ := attr(out, "http.response.status_code"); got != "202" {
		t.Errorf("outbound span status %q", got)
	}
	rg.peerMu.Lock()
	seen := rg.peerSeen
	rg.peerMu.Unlock()
	if want := "00-" + callerTrace + "-" + hexID(out.SpanId) + "-01"; len(seen) != 1 || seen[0] != want {
		t.Errorf("the peer received traceparent %q, want %q", seen, want)
	}

	res0 := map[string]string{}
	for _, kv := range resource {
		res0[kv.Key] = kv.Value.GetStringValue()
	}
	for k, want := range map[string]string{"service.name": "multisaude", "service.version": "v9.9.9-test", "multisaude.profile": "local"} {
		if res0[k] != want {
			t.Errorf("resource %s = %q, want %q", k, res0[k], want)
		}
	}

	// LGPD: the CPF went into SQL, the message, the outbound URL and body: into no span.
	for _, b := range raw {
		for _, v := range []string{cpf, cpfDigits, "hooks/patient"} {
			if bytes.Contains(b, []byte(v)) {
				t.Errorf("an exported batch contains %q", v)
			}
		}
	}

	traced := map[string]bool{}
	for _, l := range rg.logs.lines() {
		if l["trace_id"] == callerTrace {
			traced[fmt.Sprint(l["msg"])] = true
		}
	}
	for _, msg := range []string{"request", "patient registered", "consumer handled"} {
		if !traced[msg] {
			t.Errorf("log line %q does not carry trace_id %s: %v", msg, callerTrace, rg.logs.lines())
		}
	}
}

// TestTracingOffExportsNothing: the same request with tracing off sends no
// span, adds no traceparent and logs no trace ID.
func TestTracingOffExportsNothing(t *testing.T) {
	recv := newReceiver(t)
	tr, err := oteltrace.New(context.Background(), oteltrace.Config{Exporter: oteltrace.Off, Endpoint: recv.srv.URL, SampleRatio: 1})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Enabled() {
		t.Fatal("off is enabled")
	}
	rg := newRig(t, tr)
	req := httptest.NewRequest(fiber.MethodPost, "/v1/patients/p-9", nil)
	req.Header.Set("traceparent", "00-"+callerTrace+"-"+callerSpan+"-01")
	res, err := rg.srv.App().Test(req, 10_000)
	if err != nil || res.StatusCode != http.StatusNoContent {
		t.Fatalf("status %v: %v", res.StatusCode, err)
	}
	select {
	case got := <-rg.consumed:
		if got != "" {
			t.Errorf("the consumer's context carries trace %q with tracing off", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the message was not consumed")
	}
	_ = tr.ForceFlush(context.Background())
	_ = tr.Shutdown(context.Background())
	if spans, _, raw := recv.snapshot(); len(spans) > 0 || len(raw) > 0 {
		t.Errorf("tracing off exported %d spans in %d batches", len(spans), len(raw))
	}
	rg.peerMu.Lock()
	defer rg.peerMu.Unlock()
	if len(rg.peerSeen) != 1 || rg.peerSeen[0] != "" {
		t.Errorf("with tracing off the peer received traceparent %q", rg.peerSeen)
	}
	for _, l := range rg.logs.lines() {
		if _, ok := l["trace_id"]; ok {
			t.Errorf("with tracing off a log line has a trace_id: %v", l)
		}
	}
}

// BenchmarkHTTPPath is one request through the whole middleware chain with
// tracing off and on (exporting to an in-process receiver).
func BenchmarkHTTPPath(b *testing.B) {
	for _, mode := range []string{oteltrace.Off, oteltrace.OTLP} {
		b.Run("traces="+mode, func(b *testing.B) {
			recv := newReceiver(b)
			tr, err := oteltrace.New(context.Background(), oteltrace.Config{Exporter: mode, Endpoint: recv.srv.URL, SampleRatio: 1})
			if err != nil {
				b.Fatal(err)
			}
			defer func() { _ = tr.Shutdown(context.Background()) }()
			rg := newRig(b, tr)
			h := rg.srv.App().Handler()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				var fc fasthttp.RequestCtx
				fc.Request.Header.SetMethod(fiber.MethodGet)
				fc.Request.SetRequestURI("/v1/ping")
				h(&fc)
				if fc.Response.StatusCode() != http.StatusNoContent {
					b.Fatalf("status %d", fc.Response.StatusCode())
				}
			}
		})
	}
}

// TestSampleRatioIsParentBased: with a ratio of 0 a new trace is dropped, but a
// caller's sampled traceparent is followed.
func TestSampleRatioIsParentBased(t *testing.T) {
	recv := newReceiver(t)
	tr, err := oteltrace.New(context.Background(), oteltrace.Config{Exporter: oteltrace.OTLP, Endpoint: recv.srv.URL, SampleRatio: 0})
	if err != nil {
		t.Fatal(err)
	}
	rg := newRig(t, tr)
	for _, parent := range []string{"", "00-" + callerTrace + "-" + callerSpan + "-01"} {
		req := httptest.NewRequest(fiber.MethodGet, "/v1/ping", nil)
		if parent != "" {
			req.Header.Set("traceparent", parent)
		}
		if res, err := rg.srv.App().Test(req); err != nil || res.StatusCode != http.StatusNoContent {
			t.Fatalf("ping: %v", err)
		}
	}
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans, _, _ := recv.snapshot()
	if len(spans) != 1 || hexID(spans[0].TraceId) != callerTrace {
		t.Errorf("exported %d spans, want only the one continuing the caller's sampled trace", len(spans))
	}
}

func TestNewRefusesBadSettings(t *testing.T) {
	for _, c := range []oteltrace.Config{{Exporter: "jaeger"}, {Exporter: oteltrace.OTLP, SampleRatio: 1.5}, {Exporter: oteltrace.OTLP, SampleRatio: -0.1}} {
		if _, err := oteltrace.New(context.Background(), c); err == nil {
			t.Errorf("%+v: accepted", c)
		}
	}
}
