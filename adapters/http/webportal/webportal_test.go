package webportal_test

import (
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/adapters/http/webportal"
)

func server(t *testing.T) *httpapi.Server {
	t.Helper()
	return httpapi.New(httpapi.Config{Portal: webportal.New().Handler()}, slog.New(slog.DiscardHandler), nil, nil)
}

func get(t *testing.T, s *httpapi.Server, method, path string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := s.App().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var r io.Reader = res.Body
	if res.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

var nonceRe = regexp.MustCompile(`'nonce-([A-Za-z0-9_-]{24})'`)

// TestPagesCarryAFreshNonce: every portal path answers the page, whose policy
// names a nonce new on each answer and stamped into the page; no inline script.
func TestPagesCarryAFreshNonce(t *testing.T) {
	s := server(t)
	seen := map[string]bool{}
	for _, p := range []string{"/", "/entrar", "/paciente/agenda", "/verificar/ABCD-1234"} {
		res, body := get(t, s, http.MethodGet, p, nil)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%s: %d %s", p, res.StatusCode, res.Header.Get("Content-Type"))
		}
		csp := res.Header.Get("Content-Security-Policy")
		m := nonceRe.FindStringSubmatch(csp)
		if m == nil || seen[m[1]] {
			t.Fatalf("%s: no fresh nonce in %q", p, csp)
		}
		seen[m[1]] = true
		for _, want := range []string{"default-src 'none'", "script-src 'self';", "frame-ancestors 'none'", "connect-src 'self'"} {
			if !strings.Contains(csp, want) {
				t.Fatalf("%s: policy %q lacks %q", p, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe") || strings.Contains(body, "__CSP_NONCE__") || !strings.Contains(body, `nonce="`+m[1]+`"`) {
			t.Fatalf("%s: nonce not stamped or unsafe policy: %q\n%s", p, csp, body)
		}
		if !strings.Contains(body, `lang="pt-BR"`) || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("%s: page %q cache %q", p, body, res.Header.Get("Cache-Control"))
		}
	}
}

// TestAssetsAreCachedAndCompressed: the page's script is served by its hashed
// name with a year's cache, gzip when asked, and the same bytes either way.
func TestAssetsAreCachedAndCompressed(t *testing.T) {
	s := server(t)
	_, page := get(t, s, http.MethodGet, "/", nil)
	m := regexp.MustCompile(`src="(/assets/[^"]+\.js)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no script in the page: %s", page)
	}
	plainRes, plain := get(t, s, http.MethodGet, m[1], nil)
	gzRes, unzipped := get(t, s, http.MethodGet, m[1], map[string]string{"Accept-Encoding": "gzip, br"})
	if plainRes.StatusCode != 200 || gzRes.Header.Get("Content-Encoding") != "gzip" || plainRes.Header.Get("Content-Encoding") != "" {
		t.Fatalf("encodings: %d %q %q", plainRes.StatusCode, plainRes.Header.Get("Content-Encoding"), gzRes.Header.Get("Content-Encoding"))
	}
	if plain != unzipped || len(plain) < 1000 || !strings.Contains(plainRes.Header.Get("Content-Type"), "javascript") {
		t.Fatalf("script: %d bytes plain, %d unzipped, %s", len(plain), len(unzipped), plainRes.Header.Get("Content-Type"))
	}
	if cc := plainRes.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Fatalf("cache %q", cc)
	}
}

// TestTheAPIKeepsItsAnswers: misses under the API, unknown files and other
// methods are the API's problems, never the portal's page.
func TestTheAPIKeepsItsAnswers(t *testing.T) {
	s := server(t)
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/v1/nada", 404},
		{http.MethodGet, "/assets/index-velho.js", 404},
		{http.MethodGet, "/favicon.ico", 404},
		{http.MethodPost, "/entrar", 404},
		{http.MethodGet, "/.well-known/nada", 404},
		{http.MethodGet, "/metrics", 404},
	} {
		res, body := get(t, s, c.method, c.path, nil)
		if res.StatusCode != c.status || res.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("%s %s: %d %s %s", c.method, c.path, res.StatusCode, res.Header.Get("Content-Type"), body)
		}
	}
	res, _ := get(t, s, http.MethodGet, "/favicon.svg", nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("favicon: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

// TestInitialBundleBudget: what the first page load must fetch (the page's
// script and style and the modules it preloads) stays under 250 KB gzip; each
// side's pages are separate chunks loaded when visited. The sizes are logged.
func TestInitialBundleBudget(t *testing.T) {
	s := server(t)
	_, page := get(t, s, http.MethodGet, "/", nil)
	refs := regexp.MustCompile(`(?:src|href)="(/assets/[^"]+\.(?:js|css))"`).FindAllStringSubmatch(page, -1)
	if len(refs) == 0 {
		t.Fatalf("the page references no asset: %s", page)
	}
	total := 0
	for _, r := range refs {
		req := httptest.NewRequest(http.MethodGet, r[1], nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := s.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", r[1], res.StatusCode)
		}
		t.Logf("%s: %.1f KB as sent", r[1], float64(len(b))/1024)
		total += len(b)
	}
	t.Logf("initial load: %.1f KB gzip (budget 250 KB)", float64(total)/1024)
	if total > 250*1024 {
		t.Fatalf("initial load is %.1f KB gzip, over the 250 KB budget", float64(total)/1024)
	}
}
