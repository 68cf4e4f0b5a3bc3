// Package arch holds tests of the code's shape: the core stays pure, generated
// wiring is not stale, every adapter lives where the guide says.
package arch

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func repoRoot(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// goList runs go list in the module and returns its standard output; what the
// go command prints on stderr (such as "go: downloading ...") is not part of it.
func goList(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Dir = repoRoot(t)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	return out
}

// forbidden are imports the core and the ports must never reach, directly or not.
var forbidden = []string{
	"github.com/gofiber/", "github.com/uptrace/bun", "github.com/aws/", "cloud.google.com/",
	"github.com/minio/", "github.com/google/wire", "github.com/rabbitmq/", "database/sql", "net/http",
	"modernc.org/", "github.com/jackc/",
}

func TestCoreAndPortsArePure(t *testing.T) {
	out := goList(t, "-deps", "-f", "{{if .Standard}}std:{{end}}{{.ImportPath}}", "./core/...", "./ports/...")
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
	out := goList(t, "-deps", "-f", "{{.ImportPath}}", "./ports/...")
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "github.com/multisaude/multisaude/core/") && pkg != "github.com/multisaude/multisaude/core/kernel" {
			t.Errorf("ports import %s: ports may use only core/kernel", pkg)
		}
	}
}

// TestWireGenIsFresh regenerates every injector into a scratch copy of the
// module and fails if a generated wire_gen.go differs from the committed one.
// Only the files are compared: what the go command or wire print on stderr
// ("go: downloading ..." on a fresh module cache) never counts as staleness.
func TestWireGenIsFresh(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	root := repoRoot(t)
	scratch := t.TempDir()
	if err := copyModule(root, scratch); err != nil {
		t.Fatalf("copying the module to a scratch directory: %v", err)
	}
	// Generate from the injectors alone: a committed file that is stale, or one
	// wire no longer writes, must not survive into the comparison.
	for _, rel := range wireGenFiles(t, scratch) {
		if err := os.Remove(filepath.Join(scratch, rel)); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "tool", "wire", "gen", "./wire/...")
	cmd.Dir = scratch
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go tool wire gen ./wire/... failed: %v\n%s", err, stderr.String())
	}

	committed, generated := wireGenFiles(t, root), wireGenFiles(t, scratch)
	if !slices.Equal(committed, generated) {
		t.Errorf("committed wire_gen.go files %v, wire generates %v (run `go tool wire ./wire/...`)", committed, generated)
	}
	for _, rel := range generated {
		want, err := os.ReadFile(filepath.Join(scratch, rel))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			continue // reported above
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale (run `go tool wire ./wire/...`); first difference:\n%s", rel, firstDifference(string(got), string(want)))
		}
	}
}

// copyModule copies the module's source tree (no .git, no local data) to dst.
func copyModule(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		switch {
		case rel == ".":
			return nil
		case d.Name() == ".git" || d.Name() == "node_modules" || rel == "data":
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		case d.IsDir():
			return os.Mkdir(filepath.Join(dst, rel), 0o755)
		case !d.Type().IsRegular():
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
}

// wireGenFiles lists the wire_gen.go files under root/wire, relative to root.
func wireGenFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(filepath.Join(root, "wire"), func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() == "wire_gen.go" {
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	return files
}

// firstDifference shows the first line where the committed and the generated text differ.
func firstDifference(committed, generated string) string {
	a, b := strings.Split(committed, "\n"), strings.Split(generated, "\n")
	for i := 0; i < max(len(a), len(b)); i++ {
		var la, lb string
		if i < len(a) {
			la = a[i]
		}
		if i < len(b) {
			lb = b[i]
		}
		if la != lb || i >= len(a) || i >= len(b) {
			return fmt.Sprintf("line %d\n  committed: %q\n  generated: %q", i+1, la, lb)
		}
	}
	return "(no line differs)"
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
