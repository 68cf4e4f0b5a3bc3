// Package onprem_test checks the on-premises deployment artefacts against the
// code they run: the Helm chart (helm/multisaude) rendered with Helm's own
// engine and decoded strictly into Kubernetes' types, and the Compose file
// (compose.yaml) loaded with compose-go, both held to the configuration the
// binary reads (wire.Config) and to what the adapters expect of Keycloak and Jitsi.
package onprem_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	appwire "github.com/multisaude/multisaude/wire"
)

// knownVars is every variable of wire.Config.
func knownVars() map[string]appwire.Field {
	out := map[string]appwire.Field{}
	for _, f := range appwire.Fields() {
		out[f.Env] = f
	}
	return out
}

// defaultOf is the configuration's default of a variable.
func defaultOf(t *testing.T, name string) string {
	t.Helper()
	f, ok := knownVars()[name]
	if !ok {
		t.Fatalf("%s is not a configuration variable", name)
	}
	return f.Default
}

// loadConfig runs the binary's own configuration loader on env: what the
// container would start with, or the problems it would exit with.
func loadConfig(env map[string]string) (appwire.Config, error) {
	return appwire.Load(func(k string) string { return env[k] })
}

// servedStatus answers the status a GET of each path gets from the API server
// (platform routes, with one passing readiness check) and from its metrics handler.
func servedStatus(t *testing.T, path string, metrics bool) int {
	t.Helper()
	srv := httpapi.New(httpapi.Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil,
		[]httpapi.Check{{Name: "database", Fn: func(context.Context) error { return nil }}})
	if metrics {
		rec := httptest.NewRecorder()
		srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code
	}
	res, err := srv.App().Test(httptest.NewRequest(http.MethodGet, path, nil))
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestServedStatusCanFail(t *testing.T) {
	if got := servedStatus(t, "/readyz", false); got != http.StatusOK {
		t.Fatalf("/readyz: %d", got)
	}
	if got := servedStatus(t, "/livez", false); got == http.StatusOK {
		t.Fatal("/livez, which the API does not serve, answered 200: the probe-path check cannot fail")
	}
	if got := servedStatus(t, "/healthz", true); got == http.StatusOK {
		t.Fatal("the metrics handler answered /healthz: the metrics-path check cannot fail")
	}
}

// The binary must not link what only these tests use.
func TestBinaryDoesNotLinkDeploymentTooling(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not in PATH: cannot list the binary's dependencies")
	}
	out, err := exec.Command(gobin, "list", "-deps", "github.com/multisaude/multisaude/cmd/multisaude").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	pkgs := strings.Fields(string(out))
	if len(pkgs) < 100 || !slices.Contains(pkgs, "github.com/multisaude/multisaude/wire") {
		t.Fatalf("go list -deps answered %d packages without wire: not the binary's list", len(pkgs))
	}
	for _, p := range pkgs {
		for _, banned := range []string{"helm.sh/", "k8s.io/", "sigs.k8s.io/", "github.com/compose-spec/"} {
			if strings.HasPrefix(p, banned) {
				t.Errorf("cmd/multisaude links %s (test-only tooling)", p)
			}
		}
	}
}
