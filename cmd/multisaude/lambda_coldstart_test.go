package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	localkms "github.com/nsmithuk/local-kms/src"
	kmsconfig "github.com/nsmithuk/local-kms/src/config"
	"github.com/nsmithuk/local-kms/src/data"

	"github.com/multisaude/multisaude/adapters/queue/sqsqueue"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/e2e/harness"
	"github.com/multisaude/multisaude/test/fakes/schedulerfake"
	"github.com/multisaude/multisaude/test/fakes/sqsfake"
	"github.com/multisaude/multisaude/test/testdb"
)

var coldStarts = flag.Int("lambda.coldstarts", 0, "TestLambdaColdStart: also start the api role this many times and print min/median/max of process start to first answer")

// fakeRuntime is the Lambda Runtime API (2018-06-01) a function process talks
// to, in-process: invocations wait in a queue for GET .../invocation/next and
// their answers come back through .../response or .../error.
type fakeRuntime struct {
	srv     *httptest.Server
	next    chan invocation
	mu      sync.Mutex
	answers map[string]chan answer
	initErr chan string
}

type invocation struct {
	id      string
	payload []byte
}

type answer struct {
	ok   bool // response, not error
	body []byte
	at   time.Time
}

func newFakeRuntime(t *testing.T) *fakeRuntime {
	f := &fakeRuntime{next: make(chan invocation, 16), answers: map[string]chan answer{}, initErr: make(chan string, 1)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			return
		case inv := <-f.next:
			w.Header().Set("Lambda-Runtime-Aws-Request-Id", inv.id)
			w.Header().Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(30*time.Second).UnixMilli(), 10))
			w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:sa-east-1:111122223333:function:multisaude")
			w.Header().Set("Lambda-Runtime-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793")
			_, _ = w.Write(inv.payload)
		}
	})
	reply := func(ok bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			f.mu.Lock()
			ch := f.answers[r.PathValue("id")]
			f.mu.Unlock()
			if ch == nil {
				http.Error(w, `{"errorMessage":"unknown request id"}`, http.StatusBadRequest)
				return
			}
			ch <- answer{ok: ok, body: b, at: time.Now()}
			w.WriteHeader(http.StatusAccepted)
		}
	}
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", reply(true))
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", reply(false))
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		select {
		case f.initErr <- string(b):
		default:
		}
		w.WriteHeader(http.StatusAccepted)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// addr is AWS_LAMBDA_RUNTIME_API: host:port.
func (f *fakeRuntime) addr() string { return strings.TrimPrefix(f.srv.URL, "http://") }

// enqueue queues an invocation and returns where its answer arrives.
func (f *fakeRuntime) enqueue(payload any) <-chan answer {
	b, _ := json.Marshal(payload)
	id := kernel.NewID()
	ch := make(chan answer, 1)
	f.mu.Lock()
	f.answers[id] = ch
	f.mu.Unlock()
	f.next <- invocation{id: id, payload: b}
	return ch
}

// wait returns the answer, failing the test on an init error or a timeout.
func (f *fakeRuntime) wait(t *testing.T, ch <-chan answer, stderr *lockedBuilder) answer {
	t.Helper()
	select {
	case a := <-ch:
		return a
	case e := <-f.initErr:
		t.Fatalf("init error: %s\n%s", e, stderr.String())
	case <-time.After(90 * time.Second):
		t.Fatalf("no answer\n%s", stderr.String())
	}
	return answer{}
}

// lockedBuilder collects a process's output while the test reads it.
type lockedBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *lockedBuilder) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuilder) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestLambdaColdStart builds the Lambda binary (-tags lambda) for this machine,
// starts it as Lambda would (AWS_LAMBDA_RUNTIME_API, no arguments) with the aws
// profile on this machine's PostgreSQL and in-process fakes speaking SQS
// (sqsfake), S3 (gofakes3), KMS (local-kms) and EventBridge Scheduler
// (schedulerfake), and drives it through the Runtime API: in the api role
// GET /readyz and a patient's sign-up as HTTP API events; in the worker role
// an SQS batch of three records of which one handler fails. MULTISAUDE_IDENTITY
// is local (no Cognito fake here), payments the localpay simulator, video the
// built-in webrtc. With -lambda.coldstarts=N it also starts the api role N
// times and logs min/median/max of process start to first answer.
func TestLambdaColdStart(t *testing.T) {
	if testdb.PostgresURL() == "" {
		t.Skip("the Lambda cold start needs PostgreSQL: set " + testdb.PostgresEnv)
	}
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bootstrap")
	build := exec.Command("go", "build", "-tags", "lambda,timetzdata", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	sqs := sqsfake.New()
	t.Cleanup(sqs.Close)
	sched := schedulerfake.New(sqs)
	t.Cleanup(sched.Close)
	s3backend := s3mem.New()
	if err := s3backend.CreateBucket("multisaude-docs"); err != nil {
		t.Fatal(err)
	}
	s3srv := httptest.NewServer(gofakes3.New(s3backend).Server())
	t.Cleanup(s3srv.Close)
	kmsconfig.AWSRegion = "sa-east-1"
	kmsconfig.AWSAccountId = "111122223333"
	kmsDB := data.NewDatabase(t.TempDir())
	kmsSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { localkms.HandleRequest(w, r, kmsDB) }))
	t.Cleanup(func() { kmsSrv.Close(); kmsDB.Close() })
	sdkCfg := sdkaws.Config{Region: "sa-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")}
	created, err := kms.NewFromConfig(sdkCfg, func(o *kms.Options) { o.BaseEndpoint = sdkaws.String(kmsSrv.URL) }).
		CreateKey(context.Background(), &kms.CreateKeyInput{Description: sdkaws.String("multisaude documents")})
	if err != nil {
		t.Fatalf("CreateKey: %v", err)
	}

	base := map[string]string{
		"PATH": os.Getenv("PATH"), "HOME": t.TempDir(), "TZ": "UTC",
		"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": "sa-east-1", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_LAMBDA_FUNCTION_NAME": "multisaude", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
		"MULTISAUDE_PROFILE": "aws", "MULTISAUDE_DATABASE_URL": testdb.URL(t, "postgres"), "MULTISAUDE_AUTO_MIGRATE": "true",
		"MULTISAUDE_DB_MAX_CONNS": "4", "MULTISAUDE_LOG_LEVEL": "info", "MULTISAUDE_METRICS_ADDR": "off", "MULTISAUDE_DATA_DIR": t.TempDir(),
		"MULTISAUDE_PUBLIC_URL": "https://api.multisaude.test", "MULTISAUDE_SIGNER_SEED": secret32(), "MULTISAUDE_SECRET": secret32(),
		"MULTISAUDE_S3_BUCKET": "multisaude-docs", "MULTISAUDE_S3_ENDPOINT": s3srv.URL, "MULTISAUDE_S3_PATH_STYLE": "true",
		"MULTISAUDE_SQS_ENDPOINT": sqs.URL(), "MULTISAUDE_SQS_QUEUE_PREFIX": "cs-",
		"MULTISAUDE_SCHEDULER_ENDPOINT": sched.URL(), "MULTISAUDE_SCHEDULER_ROLE_ARN": "arn:aws:iam::111122223333:role/multisaude-scheduler",
		"MULTISAUDE_KMS_KEY_ID": sdkaws.ToString(created.KeyMetadata.Arn), "MULTISAUDE_KMS_ENDPOINT": kmsSrv.URL,
		"MULTISAUDE_IDENTITY": "local", "MULTISAUDE_NOTIFIER": "log", "MULTISAUDE_GEOCODER": "offline", "MULTISAUDE_PAYMENTS": "localpay",
		"MULTISAUDE_VIDEO": "webrtc", "MULTISAUDE_VIDEO_SECRET": secret32(),
	}
	// start runs the binary in role against a fresh Runtime API; the returned
	// function stops it.
	start := func(t *testing.T, role string, extra map[string]string) (*fakeRuntime, time.Time, *lockedBuilder) {
		t.Helper()
		rt := newFakeRuntime(t)
		env := []string{"AWS_LAMBDA_RUNTIME_API=" + rt.addr(), "MULTISAUDE_LAMBDA_ROLE=" + role}
		for k, v := range base {
			if _, over := extra[k]; !over {
				env = append(env, k+"="+v)
			}
		}
		for k, v := range extra {
			env = append(env, k+"="+v)
		}
		out := &lockedBuilder{}
		cmd := exec.Command(bin) // no arguments, as the provided.al2023 runtime runs bootstrap
		cmd.Env, cmd.Stdout, cmd.Stderr = env, out, out
		began := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		return rt, began, out
	}
	call := func(t *testing.T, rt *fakeRuntime, out *lockedBuilder, ev any) answer {
		t.Helper()
		return rt.wait(t, rt.enqueue(ev), out)
	}

	// api: the first answer (readyz) measures the cold start, migrations included.
	rt, began, out := start(t, "api", nil)
	first := rt.enqueue(v2("GET", "/readyz", "198.51.100.1", nil, nil, false))
	a := rt.wait(t, first, out)
	t.Logf("api cold start, process start to first answer (migrating a fresh database): %v", a.at.Sub(began).Round(time.Millisecond))
	var res events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(a.body, &res); err != nil || !a.ok || res.StatusCode != 200 || res.Headers["X-Request-Id"] != "JKJaXmPLvHcESHA=" {
		t.Fatalf("readyz: ok %v %s (%v)\n%s", a.ok, a.body, err, out.String())
	}
	body, _ := json.Marshal(harness.PatientBody())
	a = call(t, rt, out, v2("POST", "/v1/patients", "198.51.100.1", map[string]string{"content-type": "application/json"}, body, false))
	res = events.APIGatewayV2HTTPResponse{}
	if err := json.Unmarshal(a.body, &res); err != nil || res.StatusCode != 201 || !strings.Contains(res.Body, `"id"`) {
		t.Fatalf("sign-up: %s (%v)\n%s", a.body, err, out.String())
	}
	a = call(t, rt, out, v2("GET", "/v1/nada", "198.51.100.1", nil, nil, false))
	res = events.APIGatewayV2HTTPResponse{}
	if err := json.Unmarshal(a.body, &res); err != nil || res.StatusCode != 404 || !strings.HasPrefix(res.Headers["Content-Type"], "application/problem+json") {
		t.Errorf("unknown route: %s (%v)", a.body, err)
	}
	if !strings.Contains(out.String(), `"msg":"multisaude lambda ready"`) {
		t.Errorf("no ready line in the log:\n%s", out.String())
	}

	// worker: three records, the second one's handler fails (the store refuses
	// an ID holding a NUL byte): only it is reported.
	wrt, _, wout := start(t, "worker", map[string]string{"MULTISAUDE_AUTO_MIGRATE": "false"})
	names, _, err := sqsqueue.New(context.Background(), sqsqueue.Config{Region: "sa-east-1", AccessKeyID: "a", SecretAccessKey: "s", QueuePrefix: "cs-"})
	if err != nil {
		t.Fatal(err)
	}
	record := func(sqsID, topic string, body string) events.SQSMessage {
		return sqsRecord(t, names, topic, sqsID, sqsID, ports.Message{ID: kernel.NewID(), Key: sqsID, Body: []byte(body)}, "1")
	}
	batch := events.SQSEvent{Records: []events.SQSMessage{
		record("sqs-1", "scheduling.reminder.due", fmt.Sprintf(`{"appointment_id":%q}`, kernel.NewID())), // no such appointment: done
		record("sqs-2", "scheduling.reminder.due", `{"appointment_id":"a\u0000b"}`),                      // the store fails: retried
		record("sqs-3", "commerce.order.expire", fmt.Sprintf(`{"order_id":%q}`, kernel.NewID())),         // no such order: done
	}}
	a = call(t, wrt, wout, batch)
	var sr events.SQSEventResponse
	if err := json.Unmarshal(a.body, &sr); err != nil || !a.ok {
		t.Fatalf("worker: ok %v %s (%v)\n%s", a.ok, a.body, err, wout.String())
	}
	if len(sr.BatchItemFailures) != 1 || sr.BatchItemFailures[0].ItemIdentifier != "sqs-2" {
		t.Errorf("batchItemFailures %+v, want exactly sqs-2\n%s", sr.BatchItemFailures, wout.String())
	}
	if strings.Contains(wout.String(), `a\u0000b`) || strings.Contains(wout.String(), "appointment_id") {
		t.Errorf("a message body reached the log:\n%s", wout.String())
	}

	if *coldStarts > 0 {
		var d []time.Duration
		for i := 0; i < *coldStarts; i++ {
			rt, began, out := start(t, "api", map[string]string{"MULTISAUDE_AUTO_MIGRATE": "false", "MULTISAUDE_LOG_LEVEL": "warn"})
			a := rt.wait(t, rt.enqueue(v2("GET", "/readyz", "198.51.100.1", nil, nil, false)), out)
			d = append(d, a.at.Sub(began))
		}
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		t.Logf("api cold start x%d, process start to first answer (GET /readyz, migrated database): min %v median %v max %v",
			len(d), d[0].Round(time.Millisecond), d[len(d)/2].Round(time.Millisecond), d[len(d)-1].Round(time.Millisecond))
	}
}
