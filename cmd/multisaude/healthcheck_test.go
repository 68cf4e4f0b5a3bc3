package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
)

func runHealthcheck(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"healthcheck"}, args...), &out, &errb)
	return code, out.String() + errb.String()
}

func TestHealthcheckAnswersWhatReadyzSays(t *testing.T) {
	status, body := http.StatusOK, `{"status":"ok"}`
	var path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.Path
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	defer srv.Close()

	t.Setenv("MULTISAUDE_HTTP_ADDR", strings.TrimPrefix(srv.URL, "http://"))
	if code, out := runHealthcheck(t); code != 0 || path != "/readyz" {
		t.Fatalf("ready API: exit %d, path %q, output %q", code, path, out)
	}
	if code, out := runHealthcheck(t, "--path", "/healthz"); code != 0 || path != "/healthz" {
		t.Fatalf("--path /healthz: exit %d, path %q, output %q", code, path, out)
	}

	status, body = http.StatusServiceUnavailable, `{"status":"unavailable","checks":{"database":"ok","schema":"the database schema is behind this binary"}}`
	code, out := runHealthcheck(t)
	if code != 1 || !strings.Contains(out, "503") || !strings.Contains(out, "schema: the database schema is behind") || strings.Contains(out, "database: ok") {
		t.Fatalf("unready API: exit %d, output %q", code, out)
	}
	if code, out := runHealthcheck(t, "--url", srv.URL+"/healthz"); code != 1 {
		t.Fatalf("--url answering 503: exit %d, output %q", code, out)
	}

	srv.Close()
	if code, out := runHealthcheck(t); code != 1 || !strings.Contains(out, "GET http://") {
		t.Fatalf("API down: exit %d, output %q", code, out)
	}
}

func TestHealthcheckLocalURL(t *testing.T) {
	for addr, want := range map[string]string{
		"":               "http://127.0.0.1:8080/readyz",
		":8080":          "http://127.0.0.1:8080/readyz",
		"0.0.0.0:9000":   "http://127.0.0.1:9000/readyz",
		"[::]:8081":      "http://127.0.0.1:8081/readyz",
		"10.0.0.5:8080":  "http://10.0.0.5:8080/readyz",
		"[::1]:8080":     "http://[::1]:8080/readyz",
		"localhost:8443": "http://localhost:8443/readyz",
	} {
		if got, err := localURL(addr, "/readyz"); err != nil || got != want {
			t.Errorf("localURL(%q) = %q, %v; want %q", addr, got, err, want)
		}
	}
	for _, addr := range []string{"8080", "host", "host:"} {
		if got, err := localURL(addr, "/readyz"); err == nil {
			t.Errorf("localURL(%q) = %q, want an error", addr, got)
		}
	}
	if _, err := localURL(":8080", "readyz"); err == nil {
		t.Error("a path without / was accepted")
	}
	if code, out := runHealthcheck(t, "extra"); code != 1 || !strings.Contains(out, "unexpected argument") {
		t.Errorf("extra argument: exit %d, output %q", code, out)
	}
	if code, out := runHealthcheck(t, "--timeout", "0s"); code != 1 || !strings.Contains(out, "--timeout") {
		t.Errorf("zero timeout: exit %d, output %q", code, out)
	}
}

// The worker check fails on a configuration the worker would refuse and on a
// database behind the binary's migrations, and passes once they are applied.
func TestHealthcheckWorker(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("MULTISAUDE_PROFILE", "onprem")
	t.Setenv("MULTISAUDE_DATABASE_URL", "")
	if code, out := runHealthcheck(t, "--worker"); code != 1 || !strings.Contains(out, "MULTISAUDE_DATABASE_URL") {
		t.Fatalf("invalid configuration: exit %d, output %q", code, out)
	}

	t.Setenv("MULTISAUDE_PROFILE", "local")
	t.Setenv("MULTISAUDE_DATA_DIR", dir)
	if code, out := runHealthcheck(t, "--worker"); code != 1 || !strings.Contains(out, "schema") {
		t.Fatalf("unmigrated database: exit %d, output %q", code, out)
	}
	db, err := sqlstore.Open(context.Background(), "sqlite:"+filepath.Join(dir, "multisaude.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.MigrateUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if code, out := runHealthcheck(t, "--worker"); code != 0 || strings.TrimSpace(out) != "ok" {
		t.Fatalf("migrated database: exit %d, output %q", code, out)
	}
}
