// Package procs runs the real multisaude binary as separate processes for
// end-to-end tests: it builds the binary once per test binary, gives a run its
// on-premises environment (a fresh PostgreSQL database, a unique RabbitMQ
// exchange and queue prefix, devs3 for the bucket, smtpfake for e-mail, the
// local identity provider and the localpay simulator), and starts `serve` and
// `worker` processes on it that a test may stop or kill -9.
package procs

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/multisaude/multisaude/adapters/blob/devs3"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/fakes/smtpfake"
	"github.com/multisaude/multisaude/test/testdb"
	appwire "github.com/multisaude/multisaude/wire"
)

// AMQPEnv names the variable holding the RabbitMQ URL for tests.
const AMQPEnv = "MULTISAUDE_TEST_AMQP_URL"

// RequireServices skips the test, saying why, unless PostgreSQL and RabbitMQ
// are configured (and the run is not -short); it returns the AMQP URL.
func RequireServices(t testing.TB, what string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	amqpURL := os.Getenv(AMQPEnv)
	if testdb.PostgresURL() == "" || amqpURL == "" {
		t.Skipf("%s needs %s and %s (PostgreSQL and RabbitMQ); skipping", what, testdb.PostgresEnv, AMQPEnv)
	}
	return amqpURL
}

// RepoRoot is the module's root folder.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildOut  []byte
)

// Binary builds ./cmd/multisaude once per test binary and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "multisaude-procs-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "multisaude")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/multisaude")
		cmd.Dir = RepoRoot()
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("build: %v\n%s", buildErr, buildOut)
	}
	return binPath
}

// FreeAddr returns a loopback address with a port free right now.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// RandomKey is 32 random bytes in standard base64.
func RandomKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// Uniq is a short unique lowercase hex string.
func Uniq() string { return strings.ReplaceAll(kernel.NewID(), "-", "")[16:] }

// Stack is what one run's processes share.
type Stack struct {
	Env      map[string]string // every process's configuration; change before starting one
	S3       *httptest.Server
	Bucket   string
	AMQPURL  string
	Exchange string
	Prefix   string
	SMTP     *smtpfake.Server
}

// NewStack prepares a run: a fresh database (not migrated: Run "migrate"),
// devs3, smtpfake, a unique exchange and queue prefix (deleted at the end)
// and fresh keys and secrets.
func NewStack(t testing.TB, amqpURL string) *Stack {
	t.Helper()
	s3 := httptest.NewServer(devs3.NewHandler(true))
	t.Cleanup(s3.Close)
	smtp := smtpfake.New(t, smtpfake.Options{NoTLS: true})
	id := Uniq()
	st := &Stack{S3: s3, Bucket: "docs-" + id, AMQPURL: amqpURL, Exchange: "e2e-" + id, Prefix: "e2e-" + id + ".", SMTP: smtp}
	st.Env = map[string]string{
		"MULTISAUDE_PROFILE":               "onprem",
		"MULTISAUDE_DATABASE_URL":          testdb.URL(t, sqlstore.Postgres),
		"MULTISAUDE_DB_MAX_CONNS":          "6",
		"MULTISAUDE_DATA_DIR":              t.TempDir(),
		"MULTISAUDE_LOG_LEVEL":             "info",
		"MULTISAUDE_SIGNER_SEED":           RandomKey(),
		"MULTISAUDE_LOCALKEYS_MASTER_KEYS": "k1=" + RandomKey(),
		"MULTISAUDE_MINIO_ENDPOINT":        s3.URL,
		"MULTISAUDE_MINIO_BUCKET":          st.Bucket,
		"MULTISAUDE_MINIO_ACCESS_KEY":      "devs3",
		"MULTISAUDE_MINIO_SECRET_KEY":      "devs3-secret",
		"MULTISAUDE_MINIO_CREATE_BUCKET":   "true",
		"MULTISAUDE_AMQP_URL":              amqpURL,
		"MULTISAUDE_AMQP_EXCHANGE":         st.Exchange,
		"MULTISAUDE_AMQP_QUEUE_PREFIX":     st.Prefix,
		"MULTISAUDE_IDENTITY":              "local",
		"MULTISAUDE_SMTP_HOST":             smtp.Host(),
		"MULTISAUDE_SMTP_PORT":             fmt.Sprint(smtp.Port()),
		"MULTISAUDE_SMTP_FROM":             "nao-responda@multisaude.test",
		"MULTISAUDE_SMTP_TLS":              "none",
		"MULTISAUDE_PAYMENTS":              "localpay",
		"MULTISAUDE_JITSI_URL":             "https://meet.multisaude.test",
		"MULTISAUDE_JITSI_APP_ID":          "multisaude",
		"MULTISAUDE_JITSI_SECRET":          RandomKey() + RandomKey(),
	}
	t.Cleanup(func() { st.deleteQueues() })
	return st
}

// deleteQueues removes the queues and exchange this run declared. AMQP cannot
// list queues, so every topic the application names (wire.Topics, and every
// dotted string of three or more parts quoted in core/, adapters/ and wire/)
// is tried with the names rabbitqueue derives from it; deleting a missing
// queue is not an error.
func (st *Stack) deleteQueues() {
	conn, err := amqp.Dial(st.AMQPURL)
	if err != nil {
		return
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return
	}
	for _, tp := range knownTopics() {
		for _, name := range []string{tp, tp + ".retry", ports.DeadLetter(tp), ports.DeadLetter(tp) + ".retry", ports.DeadLetter(ports.DeadLetter(tp))} {
			if _, err := ch.QueueDelete(st.Prefix+name, false, false, false); err != nil {
				if ch, err = conn.Channel(); err != nil {
					return
				}
			}
		}
	}
	_ = ch.ExchangeDelete(st.Exchange, false, false)
	_ = ch.Close()
}

var topicRE = regexp.MustCompile(`"([a-z]+(?:\.[a-z_]+){2,})"`)

func knownTopics() []string {
	seen := map[string]bool{}
	for _, tp := range appwire.Topics() {
		seen[tp] = true
	}
	for _, dir := range []string{"core", "adapters", "wire"} {
		_ = filepath.WalkDir(filepath.Join(RepoRoot(), dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			b, err := os.ReadFile(p)
			if err == nil {
				for _, m := range topicRE.FindAllSubmatch(b, -1) {
					seen[string(m[1])] = true
				}
			}
			return nil
		})
	}
	out := make([]string, 0, len(seen))
	for tp := range seen {
		out = append(out, tp)
	}
	return out
}

func (st *Stack) environ(extra map[string]string) []string {
	out := os.Environ()
	for k, v := range st.Env {
		out = append(out, k+"="+v)
	}
	for k, v := range extra {
		out = append(out, k+"="+v)
	}
	return out
}

// Run runs the binary to completion (e.g. "migrate", "--profile", "onprem", "up")
// and returns its output; a failure fails the test.
func (st *Stack) Run(t testing.TB, args ...string) string {
	t.Helper()
	cmd := exec.Command(Binary(t), args...)
	cmd.Env = st.environ(nil)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("multisaude %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Proc is a running process of the binary.
type Proc struct {
	Name   string
	Base   string // http://host:port for serve; "" for a worker
	Out    *SyncBuffer
	cmd    *exec.Cmd
	exited chan struct{}
}

// SyncBuffer is a bytes.Buffer safe for a process's writes and a test's reads.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Exited reports whether the process has ended.
func (p *Proc) Exited() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// Kill ends the process with SIGKILL (no shutdown of any kind) and waits for it.
func (p *Proc) Kill(t testing.TB) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil && !p.Exited() {
		t.Fatalf("kill %s: %v", p.Name, err)
	}
	<-p.exited
}

func (st *Stack) start(t testing.TB, name string, args []string, extra map[string]string) *Proc {
	t.Helper()
	cmd := exec.Command(Binary(t), args...)
	cmd.Env = st.environ(extra)
	out := &SyncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &Proc{Name: name, Out: out, cmd: cmd, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		if !p.Exited() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.exited:
			case <-time.After(20 * time.Second):
				_ = cmd.Process.Kill()
				<-p.exited
				t.Errorf("%s did not stop on SIGTERM", name)
			}
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", name, out.String())
		}
	})
	return p
}

// Serve starts `multisaude serve --profile onprem` (plus args, e.g.
// "--no-worker") on a free port and waits for /healthz. extra overrides the
// stack's environment; MULTISAUDE_PUBLIC_URL defaults to the process's own URL
// and MULTISAUDE_METRICS_ADDR to another free port.
func (st *Stack) Serve(t testing.TB, extra map[string]string, args ...string) *Proc {
	t.Helper()
	p := st.StartServe(t, "serve", extra, args...)
	st.WaitHealthy(t, p)
	return p
}

// StartServe starts a serve process without waiting for it to answer.
func (st *Stack) StartServe(t testing.TB, name string, extra map[string]string, args ...string) *Proc {
	t.Helper()
	addr := FreeAddr(t)
	env := map[string]string{}
	for k, v := range extra {
		env[k] = v
	}
	env["MULTISAUDE_HTTP_ADDR"] = addr
	if _, ok := env["MULTISAUDE_PUBLIC_URL"]; !ok && st.Env["MULTISAUDE_PUBLIC_URL"] == "" {
		env["MULTISAUDE_PUBLIC_URL"] = "http://" + addr
	}
	if _, ok := env["MULTISAUDE_METRICS_ADDR"]; !ok {
		env["MULTISAUDE_METRICS_ADDR"] = FreeAddr(t) // instances run side by side
	}
	p := st.start(t, name, append([]string{"serve", "--profile", "onprem"}, args...), env)
	p.Base = "http://" + addr
	return p
}

// WaitHealthy waits until a serve process answers /healthz.
func (st *Stack) WaitHealthy(t testing.TB, p *Proc) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if p.Exited() {
			t.Fatalf("%s exited:\n%s", p.Name, p.Out.String())
		}
		if res, err := http.Get(p.Base + "/healthz"); err == nil {
			res.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not start:\n%s", p.Name, p.Out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// StartWorker starts `multisaude worker --profile onprem` without waiting.
func (st *Stack) StartWorker(t testing.TB, name string, extra map[string]string) *Proc {
	t.Helper()
	return st.start(t, name, []string{"worker", "--profile", "onprem"}, extra)
}

// WaitWorker waits until a worker process says it runs.
func (st *Stack) WaitWorker(t testing.TB, p *Proc) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(p.Out.String(), "multisaude worker running") {
		if p.Exited() {
			t.Fatalf("%s exited:\n%s", p.Name, p.Out.String())
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not start:\n%s", p.Name, p.Out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
