package httpapi_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/kernel"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

type integrityModule struct{}

func (integrityModule) Register(r *httpapi.Router) {
	r.Handle(fiber.MethodGet, "/v1/tampered", httpapi.Op{ID: "tampered", Responses: []httpapi.Response{{Status: 200, Body: echoReq{}}}},
		func(c *fiber.Ctx) error {
			return kernel.IntegrityFailure(errors.New("cipher: message authentication failed"), "document doc-123 failed to decrypt")
		})
	r.Handle(fiber.MethodGet, "/v1/broken", httpapi.Op{ID: "broken", Responses: []httpapi.Response{{Status: 200, Body: echoReq{}}}},
		func(c *fiber.Ctx) error { return kernel.Internal(errors.New("boom"), "something else") })
}

// TestIntegrityFailure: an error marked kernel.ErrIntegrity is a 500 of its own
// problem type with a pt-BR detail quoting the request ID, one alert log line
// naming the object, and one more on the metrics counter; another internal
// error is none of these.
func TestIntegrityFailure(t *testing.T) {
	var logs lockedBuffer
	s := httpapi.New(httpapi.Config{}, slog.New(slog.NewJSONHandler(&logs, nil)), nil, nil, integrityModule{})
	get := func(path string) (*http.Response, map[string]any) {
		res, err := s.App().Test(httptest.NewRequest(http.MethodGet, path, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		return res, m
	}
	res, p := get("/v1/tampered")
	rid := res.Header.Get("X-Request-ID")
	if res.StatusCode != 500 || p["type"] != "https://multisaude.com.br/problems/integrity" || p["status"] != 500.0 ||
		!strings.Contains(p["detail"].(string), "verificação de integridade") || !strings.Contains(p["detail"].(string), rid) || p["request_id"] != rid {
		t.Fatalf("%d %v", res.StatusCode, p)
	}
	if strings.Contains(p["detail"].(string), "doc-123") || strings.Contains(p["detail"].(string), "authentication") {
		t.Fatalf("the cause leaked: %v", p)
	}
	res, p = get("/v1/broken")
	if res.StatusCode != 500 || p["type"] != "https://multisaude.com.br/problems/internal" {
		t.Fatalf("%d %v", res.StatusCode, p)
	}

	var alerts []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var l map[string]any
		if json.Unmarshal([]byte(line), &l) == nil && l["alert"] == true {
			alerts = append(alerts, l)
		}
	}
	if len(alerts) != 1 || alerts[0]["level"] != "ERROR" || alerts[0]["request_id"] != rid || !strings.Contains(alerts[0]["err"].(string), "doc-123") {
		t.Fatalf("alert lines: %v\n%s", alerts, logs.String())
	}

	w := httptest.NewRecorder()
	s.MetricsHandler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if !strings.Contains(w.Body.String(), "\nmultisaude_document_integrity_failures_total 1\n") {
		t.Fatalf("counter:\n%s", w.Body.String())
	}
}
