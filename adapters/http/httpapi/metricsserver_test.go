package httpapi_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestMetricsOnTheirOwnListener: the public app answers 404 for /metrics and does
// not document it; the metrics listener serves the Prometheus text, counting the
// public requests, and stops with its context.
func TestMetricsOnTheirOwnListener(t *testing.T) {
	s := newServer(t)
	do(t, s, http.MethodGet, "/healthz", "", "", "")
	res, m := do(t, s, http.MethodGet, "/metrics", "", "", "")
	wantProblem(t, res, m, http.StatusNotFound)
	if paths := s.Spec().Document()["paths"].(map[string]map[string]any); paths["/metrics"] != nil {
		t.Fatal("the OpenAPI document still has /metrics")
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.ServeMetrics(ctx, ln) }()
	get, err := http.Get("http://" + ln.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(get.Body)
	get.Body.Close()
	if get.StatusCode != 200 || !strings.HasPrefix(get.Header.Get("Content-Type"), "text/plain") ||
		!strings.Contains(string(b), `multisaude_http_requests_total{method="GET",route="/healthz",status="200"} 1`) {
		t.Fatalf("metrics listener: %d %q\n%.600s", get.StatusCode, get.Header.Get("Content-Type"), b)
	}
	if other, err := http.Get("http://" + ln.Addr().String() + "/v1/echo"); err != nil || other.StatusCode != 404 {
		t.Fatalf("metrics listener serves other paths: %v %v", other, err)
	} else {
		other.Body.Close()
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ServeMetrics: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ServeMetrics did not stop")
	}
}
