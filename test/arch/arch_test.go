// Package arch holds tests of the code's shape: the core stays pure, generated
// wiring is not stale, every adapter lives where the guide says.
package arch

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func repoRoot(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// forbidden are imports the core and the ports must never reach, directly or not.
var forbidden = []string{
	"github.com/gofiber/", "github.com/uptrace/bun", "github.com/aws/", "cloud.google.com/",
	"github.com/minio/", "github.com/google/wire", "github.com/rabbitmq/", "database/sql", "net/http",
	"modernc.org/", "github.com/jackc/",
}

func TestCoreAndPortsArePure(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-f", "{{if .Standard}}std:{{end}}{{.ImportPath}}", "./core/...", "./ports/...")
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		std := strings.HasPrefix(pkg, "std:")
		pkg = strings.TrimPrefix(pkg, "std:")
		for _, f := range forbidden {
			if strings.HasPrefix(pkg, f) {
				t.Errorf("core/ or ports/ depends on %s; the core must import only the standard library, core/... and ports/", pkg)
			}
		}
		if !std && !strings.HasPrefix(pkg, "github.com/multisaude/multisaude/core") &&
			!strings.HasPrefix(pkg, "github.com/multisaude/multisaude/ports") && !strings.HasPrefix(pkg, "vendor/") {
			t.Errorf("core/ or ports/ depends on the third-party package %s", pkg)
		}
	}
}

func TestPortsDoNotImportCoreContexts(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "./ports/...")
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "github.com/multisaude/multisaude/core/") && pkg != "github.com/multisaude/multisaude/core/kernel" {
			t.Errorf("ports import %s: ports may use only core/kernel", pkg)
		}
	}
}

// TestWireGenIsFresh regenerates every injector into a scratch copy and fails if
// the committed wire_gen.go differs.
func TestWireGenIsFresh(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	cmd := exec.Command("go", "tool", "wire", "diff", "./wire/...")
	cmd.Dir = repoRoot(t)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil || out.Len() > 0 {
		t.Fatalf("wire_gen.go is stale or wire failed (run `go tool wire ./wire/...`):\n%s\n%v", out.String(), err)
	}
}

func TestNoUtilsPackages(t *testing.T) {
	root := repoRoot(t)
	_ = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		switch d.Name() {
		case "utils", "helpers", "common", "util":
			t.Errorf("%s: no utils/helpers/common packages (GUIDE)", path)
		case ".git", "data", "node_modules":
			return filepath.SkipDir
		}
		return nil
	})
}
