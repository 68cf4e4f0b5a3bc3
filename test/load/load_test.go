package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/test/e2e/harness"
)

// dialect is PostgreSQL when the tests have one, else SQLite.
func dialect() sqlstore.Dialect {
	if os.Getenv("MULTISAUDE_TEST_POSTGRES_URL") != "" {
		return sqlstore.Postgres
	}
	return sqlstore.SQLite
}

// TestOperations runs every operation for a second closed loop and a second
// open loop against a harness server: every answer must say what it should.
// It asserts no timing.
func TestOperations(t *testing.T) {
	h := harness.Start(t, dialect())
	var out bytes.Buffer
	c := config{url: h.URL, adminEmail: harness.AdminEmail, adminPassword: harness.AdminPassword, patients: 6, professionals: 8, companies: 2,
		serverPID: os.Getpid(), out: &out, errw: &out}
	t0 := time.Now()
	w, err := selfSetup(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("setup in %s", time.Since(t0))
	names := make([]string, 0, len(opNames))
	for n := range opNames {
		if !strings.Contains(n, "-") { // search-city and the like: one half of an op
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		for _, rate := range []float64{0, 20} {
			t.Run(name+"/rate="+strconv.FormatFloat(rate, 'f', -1, 64), func(t *testing.T) {
				out.Reset()
				c := c
				c.ops, c.duration, c.concurrency, c.rate = map[string]int{name: 1}, time.Second, 4, rate
				if name == "slots" && rate > 0 {
					c.rate = 3 // 90 days of 15-minute slots, 8,640 per answer
				}
				if err := load(c, w); err != nil {
					t.Fatalf("%v\n%s", err, out.String())
				}
				t.Log(out.String())
				for _, sub := range opNames[name] {
					if !regexp.MustCompile(`(?m)^` + sub + ` +[1-9][0-9]* ok`).MatchString(out.String()) {
						t.Errorf("no %s answered:\n%s", sub, out.String())
					}
				}
			})
		}
	}
	t.Run("mix", func(t *testing.T) {
		out.Reset()
		c := c
		c.ops, c.duration, c.concurrency = map[string]int{"booking": 1, "search": 1, "slots": 1, "history": 1, "agenda": 1, "orders": 1}, time.Second, 6
		if err := load(c, w); err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
	})

	// A server that answers wrongly fails the run: a proxy changes a field in
	// every answer of that kind (so a slow run still meets one).
	for _, tc := range []struct {
		op, path, from, to string
	}{
		{"search", "/v1/professionals", `"city":"`, `"city":"X`},
		{"history", "/v1/appointments", `"patient_id":"`, `"patient_id":"0`},
		{"orders", "/v1/orders", `"subtotal":{"amount":`, `"subtotal":{"amount":1`},
		{"slots", "/slots", `"start":"`, `"start":"1`},
	} {
		t.Run("wrong "+tc.op, func(t *testing.T) {
			out.Reset()
			c := c
			c.url = swapProxy(t, h.URL, tc.path, tc.from, tc.to)
			c.ops, c.duration, c.concurrency = map[string]int{tc.op: 1}, time.Second, 2
			err := load(c, w)
			if err == nil || !strings.Contains(out.String(), "differ") {
				t.Fatalf("a wrong %s passed: %v\n%s", tc.op, err, out.String())
			}
		})
	}
}

// swapProxy forwards to target, replacing from with to in the bodies of answers
// to paths that end with suffix (or equal it).
func swapProxy(t *testing.T, target, suffix, from, to string) string {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := httputil.NewSingleHostReverseProxy(u)
	p.ModifyResponse = func(res *http.Response) error {
		if !strings.HasSuffix(res.Request.URL.Path, suffix) {
			return nil
		}
		b, err := io.ReadAll(res.Body)
		if err != nil {
			return err
		}
		res.Body.Close()
		b = bytes.ReplaceAll(b, []byte(from), []byte(to))
		res.Body = io.NopCloser(bytes.NewReader(b))
		res.ContentLength = int64(len(b))
		res.Header.Set("Content-Length", strconv.Itoa(len(b)))
		return nil
	}
	s := httptest.NewServer(p)
	t.Cleanup(s.Close)
	return s.URL
}
