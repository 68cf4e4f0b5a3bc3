// Package harness starts the whole application in-process, as the binary does
// with the local profile (SQLite, or PostgreSQL when configured), on a free
// port, and drives it over real HTTP. Every response is checked against the
// OpenAPI document the server publishes, and every line the server logs (at
// info level, as in production) is checked for personal data (logscan.go).
package harness

import (
	"bytes"
	"context"
	"encoding/json"

	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/test/testdb"
	appwire "github.com/multisaude/multisaude/wire"
	"github.com/multisaude/multisaude/wire/local"
)

// Admin credentials the harness bootstraps.
const (
	AdminEmail    = "admin@multisaude.test"
	AdminPassword = "Admin-Password-2026!"
)

// H is a running application.
type H struct {
	URL     string
	DataDir string
	Dialect sqlstore.Dialect
	App     *appwire.App
	Client  *http.Client
	// Logs scans the server's log for personal data (logscan.go); it sees
	// every request sent through Client.
	Logs *LogScanner

	router routers.Router
}

// Option changes the configuration before start.
type Option func(env map[string]string)

// WithEnv sets a configuration variable.
func WithEnv(k, v string) Option { return func(env map[string]string) { env[k] = v } }

const noWorkers = "harness:no-workers"

// WithoutWorkers serves the API without the background workers (no outbox
// relay, no consumers): what a process that dies right after its commits
// leaves behind.
func WithoutWorkers() Option { return func(env map[string]string) { env[noWorkers] = "true" } }

// Start runs the app on dialect d until the test ends.
func Start(t testing.TB, d sqlstore.Dialect, opts ...Option) *H {
	t.Helper()
	// Registered first, so it runs last: after the server has stopped and
	// written its last line.
	logs := NewLogScanner()
	t.Cleanup(func() { logs.Report(t) })
	dir := t.TempDir()
	env := map[string]string{
		"MULTISAUDE_PROFILE":        appwire.ProfileLocal,
		"MULTISAUDE_DATA_DIR":       dir,
		"MULTISAUDE_DATABASE_URL":   testdb.URL(t, d),
		"MULTISAUDE_AUTO_MIGRATE":   "true",
		"MULTISAUDE_DB_MAX_CONNS":   "6",
		"MULTISAUDE_LOG_LEVEL":      "info", // what production runs: its lines are scanned
		"MULTISAUDE_ADMIN_EMAIL":    AdminEmail,
		"MULTISAUDE_ADMIN_PASSWORD": AdminPassword,
		"MULTISAUDE_SECRET":         "harness-secret-harness-secret-32",
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	env["MULTISAUDE_HTTP_ADDR"] = ln.Addr().String()
	env["MULTISAUDE_PUBLIC_URL"] = url
	for _, o := range opts {
		o(env)
	}
	cfg, err := appwire.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	cfg.LogOutput = logs
	ctx, cancel := context.WithCancel(context.Background())
	app, cleanup, err := local.Build(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatalf("build app: %v", err)
	}
	if err := app.Start(ctx); err != nil {
		cancel()
		cleanup()
		t.Fatalf("start app: %v", err)
	}
	var wg sync.WaitGroup
	if env[noWorkers] != "true" {
		app.RunWorkers(ctx, &wg)
	}
	served := make(chan error, 1)
	go func() { served <- app.Server.Serve(ctx, ln) }()
	h := &H{URL: url, DataDir: dir, Dialect: d, App: app, Logs: logs,
		Client: &http.Client{Timeout: 30 * time.Second, Transport: scanningTransport{base: http.DefaultTransport, scan: logs}}}
	t.Cleanup(func() {
		cancel()
		select {
		case <-served:
		case <-time.After(20 * time.Second):
			t.Errorf("server did not stop")
		}
		wg.Wait()
		cleanup()
	})
	h.loadSpec(t)
	return h
}

// ForEachDialect runs fn as a subtest against a fresh app on SQLite and, when
// configured, PostgreSQL.
func ForEachDialect(t *testing.T, fn func(t *testing.T, h *H)) {
	for _, d := range testdb.Dialects() {
		t.Run(string(d), func(t *testing.T) { fn(t, Start(t, d)) })
	}
	if testdb.PostgresURL() == "" {
		t.Run("postgres", func(t *testing.T) { t.Skipf("%s not set: skipping PostgreSQL", testdb.PostgresEnv) })
	}
}

func (h *H) loadSpec(t testing.TB) {
	b, err := json.Marshal(h.App.Server.Spec().Document())
	if err != nil {
		t.Fatal(err)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(b)
	if err != nil {
		t.Fatalf("the OpenAPI document does not load: %v", err)
	}
	if err := doc.Validate(loader.Context, openapi3.EnableSchemaFormatValidation()); err != nil {
		t.Fatalf("the OpenAPI document is invalid: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: h.URL}}
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("OpenAPI router: %v", err)
	}
	h.router = r
}

// Resp is an answer.
type Resp struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test if it is not JSON.
func (r *Resp) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("body is not the expected JSON (%v): %s", err, r.Body)
	}
}

// Map decodes the body as a JSON object.
func (r *Resp) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// Problem is a decoded problem+json body.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// Problem decodes a problem+json body, failing if the content type is wrong.
func (r *Resp) Problem(t testing.TB) Problem {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("content type %q, want application/problem+json; body %s", ct, r.Body)
	}
	var p Problem
	r.JSON(t, &p)
	if p.Status != r.Status || p.Type == "" || p.Title == "" {
		t.Fatalf("incomplete problem: %s", r.Body)
	}
	return p
}

// Fields returns the names of the invalid fields of a problem.
func (p Problem) Fields() []string {
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	return out
}

// HasField reports whether the problem names field.
func (p Problem) HasField(field string) bool {
	for _, e := range p.Errors {
		if e.Field == field {
			return true
		}
	}
	return false
}

// Req is a request to send.
type Req struct {
	Method  string
	Path    string
	Token   string
	Body    any // marshalled as JSON unless it is []byte or io.Reader
	Headers map[string]string
	Raw     bool // do not validate the response against the OpenAPI document
	// ServerError: a 5xx answer is what the test provokes (an integrity failure),
	// not a failure of the test by itself.
	ServerError bool
}

// Do sends a request and validates the response against the OpenAPI document.
func (h *H) Do(t testing.TB, r Req) *Resp {
	t.Helper()
	var body io.Reader
	contentType := ""
	switch b := r.Body.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(b)
		contentType = "application/json"
	case io.Reader:
		body = b
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(buf)
		contentType = "application/json"
	}
	req, err := http.NewRequest(r.Method, h.URL+r.Path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, v := range r.Headers {
		req.Header.Set(k, v)
	}
	res, err := h.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.Path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := &Resp{Status: res.StatusCode, Header: res.Header, Body: data}
	if res.Header.Get("X-Request-ID") == "" {
		t.Errorf("%s %s: no X-Request-ID header", r.Method, r.Path)
	}
	if res.StatusCode >= 500 && res.StatusCode != http.StatusServiceUnavailable && !r.ServerError {
		t.Errorf("%s %s: server error %d: %s", r.Method, r.Path, res.StatusCode, data)
	}
	if !r.Raw {
		h.validate(t, req, out)
	}
	return out
}

// validate checks that the route is documented and the response matches its schema.
func (h *H) validate(t testing.TB, req *http.Request, res *Resp) {
	t.Helper()
	route, params, err := h.router.FindRoute(req)
	if err != nil {
		if res.Status == http.StatusNotFound || res.Status == http.StatusMethodNotAllowed {
			return // an unknown route is allowed to be unknown
		}
		t.Errorf("%s %s answered %d but is not in the OpenAPI document: %v", req.Method, req.URL.Path, res.Status, err)
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, ExcludeRequestBody: true}}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.Status, Header: res.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: false, MultiError: true}}
	out.SetBodyBytes(res.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		msg := err.Error()
		if len(msg) > 2000 {
			msg = msg[:2000] + "..."
		}
		t.Errorf("%s %s -> %d does not match the OpenAPI document: %s\nbody: %.500s", req.Method, req.URL.Path, res.Status, msg, res.Body)
	}
}

// Get is a GET.
func (h *H) Get(t testing.TB, path, token string) *Resp {
	t.Helper()
	return h.Do(t, Req{Method: http.MethodGet, Path: path, Token: token})
}

// Post is a POST with a JSON body.
func (h *H) Post(t testing.TB, path, token string, body any) *Resp {
	t.Helper()
	return h.Do(t, Req{Method: http.MethodPost, Path: path, Token: token, Body: body})
}

// Want fails the test unless the response has the status.
func (r *Resp) Want(t testing.TB, status int) *Resp {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body: %s", r.Status, status, r.Body)
	}
	return r
}

// MailDir is where the local profile's mail drop writes messages.
func (h *H) MailDir() string { return filepath.Join(h.DataDir, "mail") }

// Mails returns the text of every message in the mail drop.
func (h *H) Mails(t testing.TB) []string {
	t.Helper()
	entries, _ := os.ReadDir(h.MailDir())
	var out []string
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(h.MailDir(), e.Name()))
		if err == nil {
			out = append(out, string(b))
		}
	}
	return out
}

// Eventually retries check until it returns nil or the timeout passes.
func Eventually(t testing.TB, timeout time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s: %v", timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
