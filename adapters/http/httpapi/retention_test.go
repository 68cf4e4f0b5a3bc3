package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
)

// kept is what a handler retained past its request, as a cache or a goroutine would.
type kept struct {
	param, header, query, method string
	body                         []byte
}

func (k kept) String() string {
	return fmt.Sprintf("param=%q header=%q query=%q method=%q body=%q", k.param, k.header, k.query, k.method, k.body)
}

type retainModule struct {
	mu   sync.Mutex
	kept []kept
}

func (m *retainModule) Register(r *httpapi.Router) {
	h := func(c *fiber.Ctx) error {
		b := c.Body()
		m.mu.Lock()
		// Deliberately no copies: the server must hand out values the handler owns.
		m.kept = append(m.kept, kept{param: c.Params("id"), header: c.Get("X-Probe"), query: c.Query("q"), method: c.Method(),
			body: b})
		m.mu.Unlock()
		return c.SendStatus(http.StatusNoContent)
	}
	r.Handle(fiber.MethodPost, "/v1/retain/:id", httpapi.Op{ID: "retainPost"}, h)
	r.Handle(fiber.MethodPatch, "/v1/retain/:id", httpapi.Op{ID: "retainPatch"}, h)
}

// TestValuesOutliveTheirRequest sends many requests over one keep-alive
// connection (so fiber reuses one context and its buffers) and checks that
// what each handler kept still reads as its own request. Before the server
// made every Ctx value immutable, a kept path parameter read as a later
// request's, which confirmed bookings with the wrong professional.
func TestValuesOutliveTheirRequest(t *testing.T) {
	mod := &retainModule{}
	s := httpapi.New(httpapi.Config{}, slog.New(slog.NewJSONHandler(io.Discard, nil)), nil, nil, mod)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	defer func() { cancel(); <-done }()

	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	const n = 200
	var want []kept
	for i := 0; i < n; i++ {
		// Lengths differ from one request to the next, as IDs, methods and bodies do.
		k := kept{param: fmt.Sprintf("p%0*d", 3+i%7, i), header: fmt.Sprintf("h-%d-%s", i, strings.Repeat("x", i%5)),
			query: fmt.Sprintf("q%d", i*7), method: []string{"POST", "PATCH"}[i%2], body: []byte(fmt.Sprintf(`{"n":%d}`, i*31))}
		want = append(want, k)
		req, _ := http.NewRequest(k.method, "http://"+ln.Addr().String()+"/v1/retain/"+k.param+"?q="+k.query, bytes.NewReader(k.body))
		req.Header.Set("X-Probe", k.header)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusNoContent {
			t.Fatalf("status %d", res.StatusCode)
		}
	}
	mod.mu.Lock()
	defer mod.mu.Unlock()
	if len(mod.kept) != n {
		t.Fatalf("kept %d, want %d", len(mod.kept), n)
	}
	bad := 0
	for i, k := range mod.kept {
		if k.String() != want[i].String() {
			bad++
			if bad <= 5 {
				t.Errorf("request %d: kept %s, sent %s", i, k, want[i])
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%d of %d requests' values changed after their handler returned", bad, n)
	}
}
