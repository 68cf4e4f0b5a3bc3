package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/queue/sqsqueue"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/e2e/harness"
	"github.com/multisaude/multisaude/test/fakes/sqsfake"
	appwire "github.com/multisaude/multisaude/wire"
	"github.com/multisaude/multisaude/wire/awslambda"
)

func secret32() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// newTestLambdaApp builds the Lambda assembly of the aws profile in-process:
// SQS against the in-process fake, the rest on local adapters and SQLite.
func newTestLambdaApp(t *testing.T, extra map[string]string) (*appwire.LambdaApp, *sqsfake.Server) {
	t.Helper()
	sqs := sqsfake.New()
	t.Cleanup(sqs.Close)
	env := map[string]string{
		"MULTISAUDE_PROFILE": "aws", "MULTISAUDE_DATABASE_URL": "postgres://placeholder/db", "MULTISAUDE_AUTO_MIGRATE": "true",
		"MULTISAUDE_DATA_DIR": t.TempDir(), "MULTISAUDE_LOG_LEVEL": "error", "MULTISAUDE_METRICS_ADDR": "off",
		"MULTISAUDE_SIGNER_SEED": secret32(), "MULTISAUDE_SECRET": secret32(),
		"MULTISAUDE_BLOB": "file", "MULTISAUDE_IDENTITY": "local", "MULTISAUDE_KEYS": "local", "MULTISAUDE_LOCALKEYS_MASTER_KEYS": "k1=" + secret32(),
		"MULTISAUDE_NOTIFIER": "log", "MULTISAUDE_GEOCODER": "offline", "MULTISAUDE_SCHEDULER": "sql", "MULTISAUDE_PAYMENTS": "localpay",
		"MULTISAUDE_VIDEO": "webrtc", "MULTISAUDE_VIDEO_SECRET": secret32(),
		"MULTISAUDE_QUEUE": "sqs", "MULTISAUDE_SQS_ENDPOINT": sqs.URL(), "MULTISAUDE_SQS_REGION": sqsfake.Region,
		"MULTISAUDE_SQS_ACCESS_KEY_ID": "AKIDTEST", "MULTISAUDE_SQS_SECRET_ACCESS_KEY": "secret", "MULTISAUDE_SQS_QUEUE_PREFIX": "lt-",
		"MULTISAUDE_SQS_WAIT_TIME": "1s", "MULTISAUDE_AUTH_ARGON2_MEMORY_KIB": "64", "MULTISAUDE_AUTH_ARGON2_TIME": "1",
	}
	for k, v := range extra {
		env[k] = v
	}
	cfg, err := appwire.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DatabaseURL = "sqlite:" + filepath.Join(t.TempDir(), "lambda.db")
	ctx, cancel := context.WithCancel(context.Background())
	app, cleanup, err := awslambda.Build(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cleanup() })
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return app, sqs
}

// TestLambdaConsumersAreTheConsumedTopics runs the workers against the
// capturing queue: the topics they ask for are wire.Topics() but those only
// published for others (none today), every one has a queue the worker maps
// back to it, and no dead-letter topic is consumed.
func TestLambdaConsumersAreTheConsumedTopics(t *testing.T) {
	app, _ := newTestLambdaApp(t, nil)
	w, err := newSQSWorker(context.Background(), app)
	if err != nil {
		t.Fatal(err)
	}
	got := app.Queue.Topics()
	publishedOnly := map[string]bool{} // topics the app publishes that none of its workers consume
	var want []string
	for _, topic := range appwire.Topics() {
		if !publishedOnly[topic] {
			want = append(want, topic)
		}
	}
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("captured topics\n %v\nwant the consumed subset of wire.Topics()\n %v", got, want)
	}
	mapped := map[string]bool{}
	for queue, topic := range w.topicOf {
		mapped[topic] = true
		if strings.HasSuffix(topic, ports.DeadLetter("")) {
			t.Errorf("dead-letter topic %s (queue %s) is consumed", topic, queue)
		}
	}
	for _, topic := range got {
		if !mapped[topic] {
			t.Errorf("captured topic %s has no queue the worker maps back to it", topic)
		}
	}
	found := false
	for _, wk := range app.Workers {
		found = found || wk.Name == relayWorker
	}
	if !found {
		t.Errorf("no worker is named %q: the tick would run the relay twice and the worker role once", relayWorker)
	}
}

// sqsRecord is a record of queue as the SQS event source sends it, carrying m
// the way Publish does (attributes), or as an envelope when m.ID is empty.
func sqsRecord(t *testing.T, sq *sqsqueue.Queue, topic, sqsID, group string, m ports.Message, receiveCount string) events.SQSMessage {
	t.Helper()
	attrs := map[string]events.SQSMessageAttribute{}
	str := func(s string) *string { return &s }
	if m.ID != "" {
		attrs["ms-id"] = events.SQSMessageAttribute{StringValue: str(m.ID), DataType: "String"}
		if m.Key != "" {
			attrs["ms-key"] = events.SQSMessageAttribute{StringValue: str(m.Key), DataType: "String"}
		}
	}
	return events.SQSMessage{MessageId: sqsID, Body: string(m.Body), MessageAttributes: attrs,
		EventSourceARN: sqsfake.QueueARN(sq.QueueName(topic)), EventSource: "aws:sqs",
		Attributes: map[string]string{"ApproximateReceiveCount": receiveCount, "MessageGroupId": group}}
}

// TestLambdaWorkerBatch: only the failed records are reported; a FIFO group's
// records after its first failure are reported without running; records of an
// unknown queue or undecodable ones fail; a handler's panic is a failure; the
// delivery is decoded as the long-running consumer decodes it.
func TestLambdaWorkerBatch(t *testing.T) {
	sq, _, err := sqsqueue.New(context.Background(), sqsqueue.Config{Region: "us-east-1", AccessKeyID: "a", SecretAccessKey: "s", QueuePrefix: "t-"})
	if err != nil {
		t.Fatal(err)
	}
	const topic, other = "scheduling.appointment.booked", "commerce.order.expire"
	var mu sync.Mutex
	var ran []string
	var seen ports.Delivery
	handler := func(ctx context.Context, d ports.Delivery) error {
		mu.Lock()
		ran = append(ran, d.ID)
		if d.ID == "m-ok" {
			seen = d
		}
		mu.Unlock()
		switch string(d.Body) {
		case "falha":
			return errors.New("boom")
		case "pânico":
			panic("boom")
		}
		return nil
	}
	w := &sqsWorker{topicOf: map[string]string{sq.QueueName(topic): topic, sq.QueueName(other): other},
		handlers: func(tp string) (ports.Handler, bool) { return handler, tp == topic },
		log:      slog.New(slog.NewJSONHandler(io.Discard, nil)), reserve: time.Second}
	rec := func(sqsID, group, id, body string) events.SQSMessage {
		return sqsRecord(t, sq, topic, sqsID, group, ports.Message{ID: id, Key: group, Body: []byte(body)}, "2")
	}
	bad := rec("s-bad", "g3", "m-bad", "x")
	bad.MessageAttributes["ms-body-encoding"] = events.SQSMessageAttribute{StringValue: func() *string { s := "rot13"; return &s }(), DataType: "String"}
	unknown := rec("s-unknown", "g4", "m-unknown", "{}")
	unknown.EventSourceARN = sqsfake.QueueARN("t-something-else.fifo")
	dead := sqsRecord(t, sq, ports.DeadLetter(topic), "s-dead", "g5", ports.Message{ID: "m-dead", Body: []byte("{}")}, "1")
	noConsumer := sqsRecord(t, sq, other, "s-other", "g6", ports.Message{ID: "m-other", Body: []byte("{}")}, "1")
	ev := events.SQSEvent{Records: []events.SQSMessage{
		rec("s-1", "g1", "m-1", "falha"),     // fails
		rec("s-ok", "g2", "m-ok", `{"a":1}`), // another group: runs
		rec("s-2", "g1", "m-2", "{}"),        // after g1's failure: not run
		bad, unknown, dead, noConsumer,
		rec("s-panic", "g7", "m-panic", "pânico"),
		rec("s-3", "g2", "m-3", "{}"), // g2 did not fail: runs
	}}
	res, err := w.handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, f := range res.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	want := []string{"s-1", "s-2", "s-bad", "s-unknown", "s-dead", "s-other", "s-panic"}
	if !reflect.DeepEqual(failed, want) {
		t.Errorf("batch item failures %v, want %v", failed, want)
	}
	if wantRan := []string{"m-1", "m-ok", "m-panic", "m-3"}; !reflect.DeepEqual(ran, wantRan) {
		t.Errorf("handlers ran for %v, want %v", ran, wantRan)
	}
	if seen.Topic != topic || seen.Key != "g2" || string(seen.Body) != `{"a":1}` || seen.Attempt != 2 {
		t.Errorf("delivery %+v", seen)
	}

	// A standard queue keeps no order: a failure does not hold back the next record.
	std, _, _ := sqsqueue.New(context.Background(), sqsqueue.Config{Region: "us-east-1", AccessKeyID: "a", SecretAccessKey: "s", QueuePrefix: "t-", Standard: true})
	w.topicOf = map[string]string{std.QueueName(topic): topic}
	ran = nil
	res, _ = w.handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		sqsRecord(t, std, topic, "s-1", "", ports.Message{ID: "m-1", Key: "k", Body: []byte("falha")}, "1"),
		sqsRecord(t, std, topic, "s-2", "", ports.Message{ID: "m-2", Key: "k", Body: []byte("{}")}, "1"),
	}})
	if len(res.BatchItemFailures) != 1 || res.BatchItemFailures[0].ItemIdentifier != "s-1" || len(ran) != 2 {
		t.Errorf("standard queue: failures %+v, ran %v", res.BatchItemFailures, ran)
	}

	// Too close to the deadline: the rest is handed back without running.
	ran = nil
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	res, _ = w.handle(ctx, events.SQSEvent{Records: []events.SQSMessage{
		sqsRecord(t, std, topic, "s-9", "", ports.Message{ID: "m-9", Body: []byte("{}")}, "1")}})
	if len(res.BatchItemFailures) != 1 || len(ran) != 0 {
		t.Errorf("near the deadline: failures %+v, ran %v", res.BatchItemFailures, ran)
	}
}

// v2 is an HTTP API (payload 2.0) event.
func v2(method, path, sourceIP string, headers map[string]string, body []byte, binary bool) events.APIGatewayV2HTTPRequest {
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: "$default", RawPath: path, Headers: headers,
		RequestContext: events.APIGatewayV2HTTPRequestContext{RequestID: "JKJaXmPLvHcESHA=", DomainName: "api.example.test", Stage: "$default",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path, SourceIP: sourceIP, Protocol: "HTTP/1.1"}}}
	if q := strings.IndexByte(path, '?'); q >= 0 {
		ev.RawPath, ev.RawQueryString = path[:q], path[q+1:]
		ev.RequestContext.HTTP.Path = ev.RawPath
	}
	if binary {
		ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	} else {
		ev.Body = string(body)
	}
	return ev
}

// TestLambdaAPIAdapter drives a small fiber app through the handler: the
// client IP is the event's sourceIp (IPv4 and IPv6), binary bodies travel as
// base64 both ways, multi-value headers and cookies come through, and an event
// without a source address or with a broken base64 body is a 400 problem.
func TestLambdaAPIAdapter(t *testing.T) {
	app := fiber.New()
	app.Post("/echo", func(c *fiber.Ctx) error {
		c.Set("X-IP", c.IP())
		c.Set("X-Cookie-A", c.Cookies("a"))
		c.Set("X-Cookie-B", c.Cookies("b"))
		c.Set("X-Query", c.Query("q"))
		c.Append("Vary", "Origin")
		c.Append("Vary", "Accept")
		c.Cookie(&fiber.Cookie{Name: "s1", Value: "v1"})
		c.Cookie(&fiber.Cookie{Name: "s2", Value: "v2"})
		c.Set("Content-Type", "application/octet-stream")
		return c.Send(c.Body())
	})
	h := newAPIHandler(app, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	payload := []byte{0x00, 0xff, 0xfe, 0x01, 'P', 'D', 'F'}
	for _, ip := range []string{"203.0.113.7", "2001:db8::7"} {
		ev := v2("POST", "/echo?q=a%20b", ip, map[string]string{"content-type": "application/octet-stream"}, payload, true)
		ev.Cookies = []string{"a=1", "b=2"}
		res, err := h.handle(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != 200 || res.Headers["X-Ip"] != ip {
			t.Fatalf("%s: status %d, the app saw the client as %q: %+v", ip, res.StatusCode, res.Headers["X-Ip"], res.Headers)
		}
		body, _ := base64.StdEncoding.DecodeString(res.Body)
		if !res.IsBase64Encoded || !bytes.Equal(body, payload) {
			t.Errorf("binary body: base64 %v, %x", res.IsBase64Encoded, body)
		}
		if res.Headers["X-Cookie-A"] != "1" || res.Headers["X-Cookie-B"] != "2" || res.Headers["X-Query"] != "a b" {
			t.Errorf("request cookies or query lost: %+v", res.Headers)
		}
		if v := res.Headers["Vary"]; !strings.Contains(v, "Origin") || !strings.Contains(v, "Accept") {
			t.Errorf("multi-value header Vary = %q", v)
		}
		sort.Strings(res.Cookies)
		if len(res.Cookies) != 2 || !strings.HasPrefix(res.Cookies[0], "s1=v1") || !strings.HasPrefix(res.Cookies[1], "s2=v2") {
			t.Errorf("cookies %q", res.Cookies)
		}
	}
	for name, ev := range map[string]events.APIGatewayV2HTTPRequest{
		"no source address": v2("POST", "/echo", "", nil, []byte("x"), false),
		"bad base64": func() events.APIGatewayV2HTTPRequest {
			e := v2("POST", "/echo", "203.0.113.7", nil, nil, false)
			e.Body, e.IsBase64Encoded = "%%%", true
			return e
		}(),
	} {
		res, err := h.handle(context.Background(), ev)
		if err != nil || res.StatusCode != 400 || res.Headers["Content-Type"] != "application/problem+json" || !strings.Contains(res.Body, `"status":400`) {
			t.Errorf("%s: %d %v %s %v", name, res.StatusCode, res.Headers, res.Body, err)
		}
	}
}

// TestLambdaAPIOverTheApp sends HTTP API events to the real server: /readyz
// answers with API Gateway's request ID as X-Request-ID (the caller's own when
// sent), sign-up works, the sign-in limit per IP counts each sourceIp apart,
// unknown routes and oversized bodies are problem+json.
func TestLambdaAPIOverTheApp(t *testing.T) {
	app, _ := newTestLambdaApp(t, map[string]string{"MULTISAUDE_AUTH_LOGIN_PER_IP": "2", "MULTISAUDE_AUTH_LOGIN_PER_ACCOUNT": "50", "MULTISAUDE_BODY_LIMIT": "4096"})
	h := newAPIHandler(app.Server.App(), app.Log)
	call := func(ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
		t.Helper()
		res, err := h.handle(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	jsonH := map[string]string{"content-type": "application/json"}
	res := call(v2("GET", "/readyz", "198.51.100.1", nil, nil, false))
	if res.StatusCode != 200 || res.Headers["X-Request-Id"] != "JKJaXmPLvHcESHA=" {
		t.Errorf("readyz: %d %v %s", res.StatusCode, res.Headers, res.Body)
	}
	res = call(v2("GET", "/readyz", "198.51.100.1", map[string]string{"x-request-id": "meu-id-1"}, nil, false))
	if res.Headers["X-Request-Id"] != "meu-id-1" {
		t.Errorf("the caller's request ID was replaced: %v", res.Headers)
	}
	body, _ := json.Marshal(harness.PatientBody())
	res = call(v2("POST", "/v1/patients", "198.51.100.1", jsonH, body, false))
	if res.StatusCode != 201 {
		t.Errorf("sign-up: %d %s", res.StatusCode, res.Body)
	}
	login := func(ip string, i int) int {
		b, _ := json.Marshal(map[string]any{"grant_type": "password", "email": harness.NewEmail("x"), "password": "Errada-123456"})
		return call(v2("POST", "/v1/auth/token", ip, jsonH, b, false)).StatusCode
	}
	var a []int
	for i := 0; i < 3; i++ {
		a = append(a, login("198.51.100.10", i))
	}
	if a[0] == 429 || a[1] == 429 || a[2] != 429 {
		t.Errorf("sign-ins from one address: %v, want the third refused with 429", a)
	}
	if s := login("198.51.100.11", 0); s == 429 {
		t.Errorf("another address is refused too (%d): the limit does not key on sourceIp", s)
	}
	if s := login("2001:db8::11", 0); s == 429 {
		t.Errorf("an IPv6 address is refused (%d)", s)
	}
	res = call(v2("GET", "/v1/nada-aqui", "198.51.100.1", nil, nil, false))
	if res.StatusCode != 404 || !strings.HasPrefix(res.Headers["Content-Type"], "application/problem+json") {
		t.Errorf("unknown route: %d %v", res.StatusCode, res.Headers)
	}
	big, _ := json.Marshal(map[string]any{"grant_type": "password", "email": "a@b.test", "password": strings.Repeat("x", 5000)})
	res = call(v2("POST", "/v1/auth/token", "198.51.100.12", jsonH, big, false))
	if res.StatusCode != 413 || !strings.HasPrefix(res.Headers["Content-Type"], "application/problem+json") {
		t.Errorf("oversized body: %d %v %s", res.StatusCode, res.Headers, res.Body)
	}
}

// TestLambdaTick: a tick relays what the outbox holds and stops before the
// invocation's deadline, answering how much it relayed.
func TestLambdaTick(t *testing.T) {
	app, sqs := newTestLambdaApp(t, nil)
	h := newAPIHandler(app.Server.App(), app.Log)
	body, _ := json.Marshal(harness.PatientBody())
	if res, _ := h.handle(context.Background(), v2("POST", "/v1/patients", "198.51.100.1", map[string]string{"content-type": "application/json"}, body, false)); res.StatusCode != 201 {
		t.Fatalf("sign-up: %d %s", res.StatusCode, res.Body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), tickMargin+1500*time.Millisecond)
	defer cancel()
	start := time.Now()
	s, err := (&ticker{app: app}).handle(ctx, json.RawMessage(`{"source":"aws.scheduler"}`))
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("the tick ran %v, past its deadline less the margin", took)
	}
	if s.Relayed < 1 || s.Passes < 2 || s.Errors != 0 {
		t.Errorf("summary %+v, want at least the sign-up's event relayed", s)
	}
	// The sign-up's event (identity.patient.registered) is in its topic's queue.
	if n := sqs.Count(app.Queue.Real.(*sqsqueue.Queue).QueueName("identity.patient.registered")); n < 1 {
		t.Errorf("the sign-up's event is not in its queue (%d), the tick says it relayed %d", n, s.Relayed)
	}
}

// TestLambdaRoleIsValidated: an unknown role is a start error naming the variable.
func TestLambdaRoleIsValidated(t *testing.T) {
	_, err := appwire.Load(func(k string) string {
		return map[string]string{"MULTISAUDE_LAMBDA_ROLE": "scheduler"}[k]
	})
	if err == nil || !strings.Contains(err.Error(), "MULTISAUDE_LAMBDA_ROLE") {
		t.Errorf("err = %v", err)
	}
}
