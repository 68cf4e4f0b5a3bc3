package wire_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	appwire "github.com/multisaude/multisaude/wire"
	"github.com/multisaude/multisaude/wire/local"
)

// TestLocalAppExportsTraces builds the local profile with MULTISAUDE_TRACES=otlp
// pointing at an in-process OTLP/HTTP receiver: one request gives a server span
// named by its route with SQL spans under it, the app's cleanup flushes them,
// and the access log line carries the trace ID.
func TestLocalAppExportsTraces(t *testing.T) {
	var mu sync.Mutex
	var spans []*tracepb.Span
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var ex coltracepb.ExportTraceServiceRequest
		if r.URL.Path != "/v1/traces" || proto.Unmarshal(b, &ex) != nil {
			http.Error(w, "bad export", http.StatusBadRequest)
			return
		}
		mu.Lock()
		for _, rs := range ex.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				spans = append(spans, ss.Spans...)
			}
		}
		mu.Unlock()
	}))
	defer recv.Close()
	env := map[string]string{"MULTISAUDE_DATA_DIR": t.TempDir(), "MULTISAUDE_TRACES": "otlp", "MULTISAUDE_TRACES_ENDPOINT": recv.URL,
		"MULTISAUDE_SECRET": "trace-secret-trace-secret-trace-secret"}
	cfg, err := appwire.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	cfg.LogOutput = &logs
	app, cleanup, err := local.Build(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := app.Server.App().Test(httptest.NewRequest(http.MethodGet, "/v1/prescription-verifications/CODE12345678", nil), 10_000)
	if err != nil {
		cleanup()
		t.Fatal(err)
	}
	_ = res.Body.Close()
	cleanup() // flushes the spans

	mu.Lock()
	defer mu.Unlock()
	var server *tracepb.Span
	for _, s := range spans {
		if s.Kind == tracepb.Span_SPAN_KIND_SERVER {
			server = s
		}
		if strings.Contains(s.Name, "CODE12345678") {
			t.Errorf("a span is named with the path's value: %q", s.Name)
		}
	}
	if server == nil || server.Name != "GET /v1/prescription-verifications/:code" {
		t.Fatalf("no server span named by the route among %d spans", len(spans))
	}
	sql := 0
	for _, s := range spans {
		if s.Kind == tracepb.Span_SPAN_KIND_CLIENT && bytes.Equal(s.TraceId, server.TraceId) {
			for _, kv := range s.Attributes {
				if kv.Key == "db.system" && kv.Value.GetStringValue() == "sqlite" {
					sql++
				}
			}
		}
	}
	if sql == 0 {
		t.Error("no SQL span in the request's trace")
	}
	if !strings.Contains(logs.String(), `"trace_id":"`+hex.EncodeToString(server.TraceId)+`"`) {
		t.Error("no log line carries the request's trace_id")
	}
}
