package main

// Lambda mode: when AWS_LAMBDA_RUNTIME_API is set at start, the binary is a
// function of AWS Lambda's provided.al2023 runtime (Handler bootstrap) in the
// role MULTISAUDE_LAMBDA_ROLE names, whatever its arguments:
//
//   - api: API Gateway HTTP API events (payload format 2.0) through the fiber
//     adapter of aws-lambda-go-api-proxy, over the same server `serve` runs;
//   - worker: SQS events, each record handed to the handler its topic's
//     consumer uses in the long-running worker, answering batch item failures;
//   - tick: an EventBridge Scheduler invocation every minute: the outbox relay
//     and the workers' timers run until the invocation's deadline less a margin.
//
// The application is built once per process (the cold start) and its start
// hooks run once; every invocation reuses it.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	fiberadapter "github.com/awslabs/aws-lambda-go-api-proxy/fiber"
	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/adapters/queue/lambdaqueue"
	"github.com/multisaude/multisaude/adapters/queue/sqsqueue"
	"github.com/multisaude/multisaude/adapters/telemetry/oteltrace"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	appwire "github.com/multisaude/multisaude/wire"
	"github.com/multisaude/multisaude/wire/awslambda"
)

// processStart is when the process started, for the cold-start log line.
var processStart = time.Now()

// lambdaRuntimeAPI is the variable Lambda sets for a custom runtime.
const lambdaRuntimeAPI = "AWS_LAMBDA_RUNTIME_API"

// tickMargin is how long before the invocation's deadline the tick stops, so
// it answers before Lambda cuts it off.
const tickMargin = 5 * time.Second

// relayWorker is the name of the outbox relay in wire.ProvideWorkers: the tick
// runs the relay itself (to count), and the worker role never runs it.
const relayWorker = "outbox-relay"

// runLambda builds the application and serves invocations; it returns only
// when the start fails (after reporting it to the Runtime API).
func runLambda(ctx context.Context, stderr io.Writer) int {
	api := os.Getenv(lambdaRuntimeAPI)
	fail := func(err error) int {
		fmt.Fprintf(stderr, "multisaude lambda: %v\n", err)
		reportInitError(api, err)
		return 1
	}
	cfg, err := appwire.Load(os.Getenv)
	if err != nil {
		return fail(err)
	}
	cfg.Version = version
	if cfg.Profile != appwire.ProfileAWS {
		return fail(fmt.Errorf("MULTISAUDE_PROFILE=%q: Lambda mode runs the aws profile", cfg.Profile))
	}
	app, _, err := awslambda.Build(ctx, cfg) // lives as long as the process
	if err != nil {
		return fail(err)
	}
	if err := app.Start(ctx); err != nil {
		return fail(err)
	}
	var handler any
	switch cfg.LambdaRole {
	case appwire.LambdaAPI:
		handler = newAPIHandler(app.Server.App(), app.Log).handle
	case appwire.LambdaWorker:
		w, err := newSQSWorker(ctx, app)
		if err != nil {
			return fail(err)
		}
		handler = w.handle
	case appwire.LambdaTick:
		handler = (&ticker{app: app}).handle
	}
	app.Log.Info("multisaude lambda ready", "role", cfg.LambdaRole, "version", version,
		"init_ms", time.Since(processStart).Milliseconds())
	lambda.StartWithOptions(flushing{lambda.NewHandler(handler), app.Tracing}, lambda.WithContext(ctx)) // never returns
	return 0
}

// flushing exports an invocation's spans before it answers: Lambda freezes
// the process between invocations, so a batch left for later may never leave.
type flushing struct {
	h lambda.Handler
	t *oteltrace.Tracing
}

func (f flushing) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	out, err := f.h.Invoke(ctx, payload)
	if f.t.Enabled() {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		_ = f.t.ForceFlush(fctx)
		cancel()
	}
	return out, err
}

// reportInitError tells the Runtime API why the function could not start
// (POST /runtime/init/error), so Lambda shows it instead of a bare exit.
func reportInitError(api string, cause error) {
	if api == "" {
		return
	}
	body, _ := json.Marshal(map[string]any{"errorMessage": cause.Error(), "errorType": "Runtime.InitError"})
	req, err := http.NewRequest(http.MethodPost, "http://"+api+"/2018-06-01/runtime/init/error", bytes.NewReader(body))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Lambda-Runtime-Function-Error-Type", "Runtime.InitError")
	c := &http.Client{Timeout: 5 * time.Second}
	if res, err := c.Do(req); err == nil {
		_ = res.Body.Close()
	}
}

// apiHandler answers API Gateway HTTP API (payload 2.0) events with the fiber app.
type apiHandler struct {
	adapter *fiberadapter.FiberLambda
	log     *slog.Logger
}

func newAPIHandler(app *fiber.App, log *slog.Logger) *apiHandler {
	return &apiHandler{adapter: fiberadapter.New(app), log: log}
}

// handle proxies one event. The client IP the app sees (the sign-in rate
// limits key on it) is requestContext.http.sourceIp; an event without a usable
// one is refused, never served under a shared empty address. API Gateway's
// request ID becomes X-Request-ID when the caller sent none.
func (a *apiHandler) handle(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	ip := net.ParseIP(strings.TrimSpace(ev.RequestContext.HTTP.SourceIP))
	if ip == nil {
		return problemResponse(kernel.Invalid("requestContext.http.sourceIp", "o endereço de origem da requisição está ausente ou é inválido"), ev.RequestContext.RequestID), nil
	}
	if ip.To4() != nil {
		ev.RequestContext.HTTP.SourceIP = ip.String() // the adapter appends a port
	} else {
		ev.RequestContext.HTTP.SourceIP = net.JoinHostPort(ip.String(), "0") // the adapter would misread the colons
	}
	if ev.IsBase64Encoded {
		if _, err := base64.StdEncoding.DecodeString(ev.Body); err != nil {
			return problemResponse(kernel.Invalid("body", "o corpo não está em base64 válido"), ev.RequestContext.RequestID), nil
		}
	}
	headers := make(map[string]string, len(ev.Headers)+1)
	hasID := false
	for k, v := range ev.Headers {
		headers[k] = v
		hasID = hasID || strings.EqualFold(k, fiber.HeaderXRequestID)
	}
	if !hasID && ev.RequestContext.RequestID != "" {
		headers["x-request-id"] = ev.RequestContext.RequestID
	}
	ev.Headers = headers
	res, err := a.adapter.ProxyWithContextV2(ctx, ev)
	if err != nil {
		a.log.ErrorContext(ctx, "lambda event not proxied", "request_id", ev.RequestContext.RequestID, "err", err.Error())
		return problemResponse(kernel.Internal(err, "proxy"), ev.RequestContext.RequestID), nil
	}
	return res, nil
}

// problemResponse answers err as problem+json, as the app would.
func problemResponse(err error, requestID string) events.APIGatewayV2HTTPResponse {
	p := httpapi.ProblemOf(err)
	p.RequestID = requestID
	b, _ := json.Marshal(p)
	return events.APIGatewayV2HTTPResponse{StatusCode: p.Status, Body: string(b),
		Headers: map[string]string{"Content-Type": "application/problem+json", "X-Request-ID": requestID, "Cache-Control": "no-store"}}
}

// startWorkers runs every background worker but the outbox relay until ctx
// ends; stop ends them and waits. Against the capturing queue, their consumers
// only record their handlers; their timers (the waitlist expiry, a database
// scheduler's poller) do their work.
func startWorkers(ctx context.Context, app *appwire.LambdaApp) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, w := range app.Workers {
		if w.Name == relayWorker {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					app.Log.Error("worker panicked", "worker", w.Name, "panic", fmt.Sprint(r))
				}
			}()
			w.Run(ctx)
		}()
	}
	return func() { cancel(); wg.Wait() }
}

// waitCaptured waits until the workers have asked for their topics: they call
// Consume from their first lines, without I/O, so the set is complete once no
// new call has come for settle (at most limit in all).
func waitCaptured(q *lambdaqueue.Queue, settle, limit time.Duration) {
	deadline := time.After(limit)
	for {
		n, next := q.Calls()
		select {
		case <-next:
			continue
		case <-deadline:
			return
		case <-time.After(settle):
			if n > 0 {
				return
			}
		}
	}
}

// sqsWorker hands SQS records to the captured handlers.
type sqsWorker struct {
	topicOf  map[string]string // queue name -> topic
	handlers func(topic string) (ports.Handler, bool)
	log      *slog.Logger
	// reserve is the time left before the deadline below which the remaining
	// records are reported failed without running (SQS delivers them again),
	// rather than cut off with the whole batch.
	reserve time.Duration
}

// newSQSWorker learns the handlers (the workers' timers are stopped again:
// the tick role runs those) and maps each queue name back to its topic.
func newSQSWorker(ctx context.Context, app *appwire.LambdaApp) (*sqsWorker, error) {
	sq, ok := app.Queue.Real.(*sqsqueue.Queue)
	if !ok {
		return nil, fmt.Errorf("MULTISAUDE_LAMBDA_ROLE=worker needs MULTISAUDE_QUEUE=sqs (the queue is %T)", app.Queue.Real)
	}
	stop := startWorkers(ctx, app)
	waitCaptured(app.Queue, 100*time.Millisecond, 10*time.Second)
	stop()
	app.Log.Info("lambda worker consumers", "topics", app.Queue.Topics())
	return &sqsWorker{topicOf: queueTopics(sq), handlers: app.Queue.Handler, log: app.Log, reserve: 2 * time.Second}, nil
}

// queueTopics inverts sqsqueue's QueueName over the topics of wire.Topics;
// dead-letter queues are not consumed, so their names map to nothing.
func queueTopics(sq *sqsqueue.Queue) map[string]string {
	m := map[string]string{}
	for _, t := range appwire.Topics() {
		m[sq.QueueName(t)] = t
	}
	return m
}

// handle runs the batch in order. A record fails when its queue is not a
// topic's, it cannot be decoded, its topic has no consumer, or its handler
// fails; only the failures are retried. On a FIFO queue, once a record of a
// message group fails, the later records of that group fail without running,
// so a key's messages are never handled out of order.
func (w *sqsWorker) handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var res events.SQSEventResponse
	failedGroups := map[string]bool{}
	for _, r := range ev.Records {
		queue := r.EventSourceARN[strings.LastIndexByte(r.EventSourceARN, ':')+1:]
		group := ""
		if strings.HasSuffix(queue, ".fifo") {
			group = queue + "\x00" + r.Attributes["MessageGroupId"]
		}
		fail := func(msg string, attrs ...any) {
			res.BatchItemFailures = append(res.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
			if group != "" {
				failedGroups[group] = true
			}
			if msg != "" {
				w.log.ErrorContext(ctx, msg, append([]any{"queue", queue, "sqs_message_id", r.MessageId}, attrs...)...)
			}
		}
		if group != "" && failedGroups[group] {
			fail("") // an earlier message of its group failed: keep the order
			continue
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < w.reserve {
			fail("")
			continue
		}
		topic, ok := w.topicOf[queue]
		if !ok {
			fail("sqs record from a queue of no topic")
			continue
		}
		d, err := sqsqueue.Decode(topic, r.MessageId, r.Body, stringAttributes(r.MessageAttributes), r.Attributes["ApproximateReceiveCount"])
		if err != nil {
			fail("undecodable sqs record", "error", err.Error())
			continue
		}
		h, ok := w.handlers(topic)
		if !ok {
			fail("no consumer for the topic", "topic", topic)
			continue
		}
		if err := runHandler(ctx, h, d); err != nil {
			fail("handler failed; retrying later", "topic", topic, "message_id", d.ID, "attempt", d.Attempt, "error", err.Error())
		}
	}
	return res, nil
}

// runHandler runs h, turning a panic into an error.
func runHandler(ctx context.Context, h ports.Handler, d ports.Delivery) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	return h(ctx, d)
}

func stringAttributes(m map[string]events.SQSMessageAttribute) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if v.StringValue != nil {
			out[k] = *v.StringValue
		}
	}
	return out
}

// ticker is the tick role.
type ticker struct {
	app *appwire.LambdaApp
	mu  sync.Mutex
}

// tickSummary is the tick's answer.
type tickSummary struct {
	Relayed    int   `json:"relayed"`
	Passes     int   `json:"passes"`
	Errors     int   `json:"errors"`
	DurationMS int64 `json:"duration_ms"`
}

// handle relays the outbox and runs the workers' timers (the consumers among
// them only block on the capturing queue) until the deadline less tickMargin.
// With a 60 s timeout and rate(1 minute), relaying stops for about 5 s a
// minute; an overlapping invocation is harmless, since the relay takes a
// PostgreSQL advisory lock and the timers' work is idempotent.
func (t *ticker) handle(ctx context.Context, _ json.RawMessage) (tickSummary, error) {
	t.mu.Lock() // one tick at a time per process (Lambda never overlaps them; tests might)
	defer t.mu.Unlock()
	start := time.Now()
	end := start.Add(55 * time.Second)
	if dl, ok := ctx.Deadline(); ok {
		end = dl.Add(-tickMargin)
	}
	runCtx, cancel := context.WithDeadline(ctx, end)
	defer cancel()
	stop := startWorkers(runCtx, t.app)
	defer stop()
	var s tickSummary
	relay := t.app.Relay
	for {
		n, err := relay.RelayOnce(runCtx)
		s.Passes++
		s.Relayed += n
		if err != nil && runCtx.Err() == nil {
			s.Errors++
			t.app.Log.WarnContext(ctx, "outbox relay failed", "err", err.Error())
		}
		if n == relay.Batch && err == nil {
			continue // more waiting
		}
		if runCtx.Err() != nil {
			break
		}
		select {
		case <-runCtx.Done():
		case <-time.After(relay.Interval):
		}
		if runCtx.Err() != nil {
			break
		}
	}
	s.DurationMS = time.Since(start).Milliseconds()
	t.app.Log.Info("lambda tick", "relayed", s.Relayed, "passes", s.Passes, "errors", s.Errors, "duration_ms", s.DurationMS)
	return s, nil
}
