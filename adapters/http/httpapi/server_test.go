package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/kernel"
)

type echoReq struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

type testModule struct{}

func (testModule) Register(r *httpapi.Router) {
	r.Handle(fiber.MethodPost, "/v1/echo", httpapi.Op{ID: "echo", Request: echoReq{}, Responses: []httpapi.Response{{Status: 200, Body: echoReq{}}}},
		func(c *fiber.Ctx) error {
			var in echoReq
			if err := httpapi.Bind(c, &in); err != nil {
				return err
			}
			var p kernel.Problems
			if in.Count < 0 {
				p.Add("count", "must not be negative")
			}
			p.Require("name", in.Name)
			if err := p.Err(); err != nil {
				return err
			}
			return httpapi.OK(c, in)
		})
	r.Handle(fiber.MethodGet, "/v1/panic", httpapi.Op{ID: "panic"}, func(c *fiber.Ctx) error { panic("boom: secret detail") })
	r.Handle(fiber.MethodGet, "/v1/me-only", httpapi.Op{ID: "meOnly", Auth: httpapi.User}, func(c *fiber.Ctx) error {
		return httpapi.OK(c, map[string]string{"id": httpapi.PrincipalOf(c).AccountID})
	})
	r.Handle(fiber.MethodGet, "/v1/kinds/:kind", httpapi.Op{ID: "kinds"}, func(c *fiber.Ctx) error {
		switch c.Params("kind") {
		case "notfound":
			return kernel.NotFound("no such thing")
		case "conflict":
			return kernel.Conflict("taken")
		case "unavailable":
			return kernel.Unavailable(io.ErrUnexpectedEOF, "PostgreSQL at 10.0.0.5 went away")
		case "internal":
			return kernel.Internal(io.ErrUnexpectedEOF, "database password=hunter2 failed")
		case "plain":
			return io.ErrClosedPipe
		}
		return kernel.Unprocessable("rule broken", kernel.FieldError{Field: "start", Message: "too soon"})
	})
}

type tokenAuth struct{}

func (tokenAuth) Authenticate(_ context.Context, cred string) (kernel.Principal, error) {
	switch cred {
	case "good":
		return kernel.Principal{AccountID: "acc-1", Kind: kernel.KindPatient}, nil
	case "db-down": // a well-formed token whose account cannot be read
		return kernel.Principal{}, kernel.Unavailable(syscall.ECONNREFUSED, "the database is unavailable")
	}
	return kernel.Principal{}, kernel.Unauthenticated("bad")
}

func newServer(t *testing.T) *httpapi.Server {
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	return httpapi.New(httpapi.Config{BodyLimit: 1024, UploadLimit: 4096}, log, tokenAuth{}, nil, testModule{})
}

func do(t *testing.T, s *httpapi.Server, method, path, body, ct, token string) (*http.Response, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := s.App().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	if res.Header.Get("X-Request-ID") == "" {
		t.Errorf("%s %s: no X-Request-ID", method, path)
	}
	return res, m
}

func wantProblem(t *testing.T, res *http.Response, m map[string]any, status int, fields ...string) {
	t.Helper()
	if res.StatusCode != status {
		t.Fatalf("status %d, want %d (%v)", res.StatusCode, status, m)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("content type %q", ct)
	}
	if m["type"] == nil || m["title"] == nil || int(m["status"].(float64)) != status {
		t.Fatalf("incomplete problem %v", m)
	}
	errs, _ := m["errors"].([]any)
	for _, f := range fields {
		found := false
		for _, e := range errs {
			if e.(map[string]any)["field"] == f {
				found = true
			}
		}
		if !found {
			t.Fatalf("problem does not name field %q: %v", f, m)
		}
	}
}

func TestProblemsForBadInput(t *testing.T) {
	s := newServer(t)
	res, m := do(t, s, "POST", "/v1/echo", `{"name":`, "application/json", "")
	wantProblem(t, res, m, 400, "body")
	res, m = do(t, s, "POST", "/v1/echo", `{"name":"a","count":"x"}`, "application/json", "")
	wantProblem(t, res, m, 400, "count")
	res, m = do(t, s, "POST", "/v1/echo", `{"name":"a","colour":"red"}`, "application/json", "")
	wantProblem(t, res, m, 400, "colour")
	res, m = do(t, s, "POST", "/v1/echo", `{"count":-1}`, "application/json", "")
	wantProblem(t, res, m, 400, "count", "name")
	res, m = do(t, s, "POST", "/v1/echo", `name=a`, "application/x-www-form-urlencoded", "")
	wantProblem(t, res, m, 415)
	res, m = do(t, s, "POST", "/v1/echo", `{"name":"`+strings.Repeat("a", 2000)+`"}`, "application/json", "")
	wantProblem(t, res, m, 413)
	res, m = do(t, s, "POST", "/v1/echo", `{"name":"ok"} {"name":"again"}`, "application/json", "")
	wantProblem(t, res, m, 400, "body")
	res, m = do(t, s, "POST", "/v1/echo", `{"name":"ok","count":2}`, "application/json", "")
	if res.StatusCode != 200 || m["name"] != "ok" {
		t.Fatalf("good body: %d %v", res.StatusCode, m)
	}
}

func TestUnknownRouteAndPanic(t *testing.T) {
	s := newServer(t)
	res, m := do(t, s, "GET", "/v1/nothing-here", "", "", "")
	wantProblem(t, res, m, 404)
	res, m = do(t, s, "GET", "/v1/panic", "", "", "")
	wantProblem(t, res, m, 500)
	if strings.Contains(m["detail"].(string), "secret") {
		t.Fatalf("panic detail leaked: %v", m)
	}
}

func TestKindsMapToOneStatus(t *testing.T) {
	s := newServer(t)
	for kind, status := range map[string]int{"notfound": 404, "conflict": 409, "internal": 500, "plain": 500, "x": 422} {
		res, m := do(t, s, "GET", "/v1/kinds/"+kind, "", "", "")
		wantProblem(t, res, m, status)
		if status == 500 && strings.Contains(m["detail"].(string), "hunter2") {
			t.Fatalf("internal detail leaked: %v", m)
		}
	}
	res, m := do(t, s, "GET", "/v1/kinds/x", "", "", "")
	wantProblem(t, res, m, 422, "start")
}

func TestAuthentication(t *testing.T) {
	s := newServer(t)
	res, m := do(t, s, "GET", "/v1/me-only", "", "", "")
	wantProblem(t, res, m, 401)
	if res.Header.Get("WWW-Authenticate") == "" {
		t.Fatal("401 without WWW-Authenticate")
	}
	res, m = do(t, s, "GET", "/v1/me-only", "", "", "forged")
	wantProblem(t, res, m, 401)
	res, m = do(t, s, "GET", "/v1/me-only", "", "", "good")
	if res.StatusCode != 200 || m["id"] != "acc-1" {
		t.Fatalf("good token: %d %v", res.StatusCode, m)
	}
	// A bad token is refused even on a public route: a client must learn its token is bad.
	res, m = do(t, s, "GET", "/healthz", "", "", "forged")
	wantProblem(t, res, m, 401)
}

func TestSecurityHeadersAndRequestID(t *testing.T) {
	s := newServer(t)
	req := httptest.NewRequest("GET", "/healthz", nil)
	req.Header.Set("X-Request-ID", "abc-123")
	res, err := s.App().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	if res.Header.Get("X-Request-ID") != "abc-123" {
		t.Fatalf("request ID not echoed: %q", res.Header.Get("X-Request-ID"))
	}
	for _, h := range []string{"X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy", "Strict-Transport-Security"} {
		if res.Header.Get(h) == "" {
			t.Errorf("missing %s", h)
		}
	}
}

// The request ID is in every request's log line: one that could be an e-mail
// or a name is replaced, trace IDs are kept.
func TestRequestIDIsNeverPersonalData(t *testing.T) {
	s := newServer(t)
	for id, kept := range map[string]bool{
		"maria.souza@example.test": false, "Maria Souza": false, "a\"b": false, strings.Repeat("a", 129): false,
		"019ad6a1-7c2e-7b3a-9f10-3e5d2c1b0a99": true, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8": true,
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01": true,
	} {
		req := httptest.NewRequest("GET", "/healthz", nil)
		req.Header.Set("X-Request-ID", id)
		res, err := s.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Header.Get("X-Request-ID"); (got == id) != kept || got == "" {
			t.Errorf("X-Request-ID %q answered %q, kept %v", id, got, kept)
		}
	}
}

func TestEveryRouteIsDocumented(t *testing.T) {
	s := newServer(t)
	doc := s.Spec().Document()
	paths := doc["paths"].(map[string]map[string]any)
	for _, r := range s.App().GetRoutes(true) {
		if r.Method == "HEAD" || r.Path == "/" {
			continue
		}
		p := r.Path
		for _, seg := range strings.Split(p, "/") {
			if strings.HasPrefix(seg, ":") {
				p = strings.Replace(p, seg, "{"+seg[1:]+"}", 1)
			}
		}
		if paths[p][strings.ToLower(r.Method)] == nil {
			t.Errorf("%s %s is routed but not in the OpenAPI document", r.Method, r.Path)
		}
	}
}

// TestBodyOverTheServerLimit: a body larger than any route allows is refused by
// the server itself, still as problem+json.
func TestBodyOverTheServerLimit(t *testing.T) {
	s := newServer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	defer func() { cancel(); <-done }()
	res, err := http.Post("http://"+ln.Addr().String()+"/v1/echo", "application/json", strings.NewReader(`{"name":"`+strings.Repeat("a", 9000)+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	if res.StatusCode != 413 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("status %d %q: %s", res.StatusCode, res.Header.Get("Content-Type"), b)
	}
	if m["detail"] != "O corpo da requisição passa do limite aceito." { // fasthttp's own refusal, in pt-BR
		t.Fatalf("detail %q", m["detail"])
	}
}

// TestServeStopsWhenCancelledBeforeStart: a context already ended still stops Serve.
func TestServeStopsWhenCancelledBeforeStart(t *testing.T) {
	s := newServer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
}

// A dependency that is down is a 503 with Retry-After and a detail in
// Portuguese that does not say which dependency or how; when authentication is
// what failed, logs and metrics still name the route asked for (authentication
// runs after routing), and so do a 401's.
func TestUnavailableIsA503OnTheRoute(t *testing.T) {
	s := newServer(t)
	res, m := do(t, s, "GET", "/v1/me-only", "", "", "db-down")
	wantProblem(t, res, m, 503)
	if ra := res.Header.Get("Retry-After"); ra != "5" {
		t.Fatalf("Retry-After %q, want 5", ra)
	}
	if d, _ := m["detail"].(string); !strings.Contains(d, "temporariamente indisponível") || strings.Contains(d, "database") {
		t.Fatalf("detail %q", d)
	}
	res, m = do(t, s, "GET", "/v1/kinds/unavailable", "", "", "")
	wantProblem(t, res, m, 503)
	if d, _ := m["detail"].(string); strings.Contains(d, "10.0.0.5") || res.Header.Get("Retry-After") == "" {
		t.Fatalf("detail %q, Retry-After %q", d, res.Header.Get("Retry-After"))
	}
	res, m = do(t, s, "GET", "/v1/me-only", "", "", "forged")
	wantProblem(t, res, m, 401)
	res, m = do(t, s, "GET", "/v1/nothing-here", "", "", "db-down")
	wantProblem(t, res, m, 404)

	counts := map[string]float64{}
	mfs, err := s.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "multisaude_http_requests_total" {
			continue
		}
		for _, mt := range mf.GetMetric() {
			l := map[string]string{}
			for _, lp := range mt.GetLabel() {
				l[lp.GetName()] = lp.GetValue()
			}
			counts[l["method"]+" "+l["route"]+" "+l["status"]] += mt.GetCounter().GetValue()
		}
	}
	for key, want := range map[string]float64{"GET /v1/me-only 503": 1, "GET /v1/me-only 401": 1, "GET /v1/kinds/:kind 503": 1, "GET unmatched 404": 1} {
		if counts[key] != want {
			t.Errorf("requests_total{%s} = %v, want %v (all: %v)", key, counts[key], want, counts)
		}
	}
	doc := s.Spec().Document()
	op := doc["paths"].(map[string]map[string]any)["/v1/me-only"]["get"].(map[string]any)
	r503, ok := op["responses"].(map[string]any)["503"].(map[string]any)
	if !ok || r503["headers"].(map[string]any)["Retry-After"] == nil {
		t.Fatalf("503 with Retry-After is not documented: %v", op["responses"])
	}
}
