// Package portal_test runs the web portal's journeys (the *.mjs files here) in
// Debian's Chromium, driven by playwright-core, against the real binary: each
// journey gets its own server on SQLite with an empty data folder. See README.md.
package portal_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/test/browserenv"
)

const (
	adminEmail    = "admin@portal.test"
	adminPassword = "Admin-Portal-2026!"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildOut  []byte
)

func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "multisaude-portal-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "multisaude")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/multisaude")
		cmd.Dir = filepath.Join("..", "..")
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("build: %v\n%s", buildErr, buildOut)
	}
	return binPath
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// serve starts the binary on an empty data folder and returns its base URL.
func serve(t *testing.T, bin string) string {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "serve")
	cmd.Env = append(os.Environ(), "MULTISAUDE_DATA_DIR="+t.TempDir(), "MULTISAUDE_HTTP_ADDR="+addr,
		"MULTISAUDE_PUBLIC_URL=http://"+addr, "MULTISAUDE_METRICS_ADDR=off", "MULTISAUDE_LOG_LEVEL=warn",
		"MULTISAUDE_ADMIN_EMAIL="+adminEmail, "MULTISAUDE_ADMIN_PASSWORD="+adminPassword)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("server log:\n%s", out.String())
		}
	})
	base := "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == 200 {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready: %v\n%s", err, out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func journeys(t *testing.T) []string {
	files, err := filepath.Glob("*.mjs")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		if f != "lib.mjs" && f != "run.mjs" {
			out = append(out, strings.TrimSuffix(f, ".mjs"))
		}
	}
	sort.Strings(out)
	return out
}

// TestPortal runs every journey; each is a subtest named after its file.
func TestPortal(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Debian's chromium")
	}
	tl := browserenv.Need(t, "test/portal", "playwright-core", "@axe-core/playwright")
	bin := binary(t)
	shots := os.Getenv("MULTISAUDE_PORTAL_SHOTS")
	if shots == "" {
		shots, _ = filepath.Abs("shots")
	}
	for _, j := range journeys(t) {
		t.Run(j, func(t *testing.T) {
			base := serve(t, bin)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, tl.Node, "run.mjs", j+".mjs")
			cmd.Env = append(os.Environ(), "BASE_URL="+base, "CHROMIUM="+tl.Chromium, "SHOTS="+shots,
				"ADMIN_EMAIL="+adminEmail, "ADMIN_PASSWORD="+adminPassword)
			pr, pw := io.Pipe()
			cmd.Stdout, cmd.Stderr = pw, pw
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			go func() {
				defer close(done)
				sc := bufio.NewScanner(pr)
				sc.Buffer(make([]byte, 1<<20), 1<<20)
				for sc.Scan() {
					t.Log(sc.Text())
				}
			}()
			err := cmd.Wait()
			pw.Close()
			<-done
			if err != nil {
				t.Fatalf("journey %s failed: %v", j, err)
			}
		})
	}
}
