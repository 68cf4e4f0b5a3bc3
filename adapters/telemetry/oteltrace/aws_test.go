package oteltrace_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/multisaude/multisaude/adapters/telemetry/oteltrace"
)

// TestAWSCallsAreSpans: an SDK call made inside a trace is a client span
// "SQS.GetQueueUrl" with the request ID and, when it fails, the API error
// code; its input is not recorded; a call outside any trace makes no span.
func TestAWSCallsAreSpans(t *testing.T) {
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body bytes.Buffer
		_, _ = body.ReadFrom(r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("x-amzn-RequestId", "aws-req-1")
		if strings.Contains(body.String(), "missing") {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}`))
			return
		}
		_, _ = w.Write([]byte(`{"QueueUrl":"` + "http://" + r.Host + `/000000000000/q"}`))
	}))
	defer fake.Close()
	recv := newReceiver(t)
	tr, err := oteltrace.New(context.Background(), oteltrace.Config{Exporter: oteltrace.OTLP, Endpoint: recv.srv.URL, SampleRatio: 1})
	if err != nil {
		t.Fatal(err)
	}
	client := sqs.NewFromConfig(aws.Config{Region: "sa-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
		APIOptions: tr.AWSAPIOptions(), RetryMaxAttempts: 1}, func(o *sqs.Options) { o.BaseEndpoint = aws.String(fake.URL) })

	if _, err := client.GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String("outside-any-trace")}); err != nil {
		t.Fatal(err)
	}
	ctx, parent := tr.Provider().Tracer("test").Start(context.Background(), "parent")
	if _, err := client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("queue-of-529.982.247-25")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("missing")}); err == nil {
		t.Fatal("the missing queue was found")
	}
	parent.End()
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans, _, raw := recv.snapshot()
	var calls []*tracepb.Span
	for _, s := range spans {
		if s.Name == "SQS.GetQueueUrl" {
			calls = append(calls, s)
		}
	}
	if len(spans) != 3 || len(calls) != 2 {
		t.Fatalf("want the parent and two SQS.GetQueueUrl spans, got %d spans (%d calls)", len(spans), len(calls))
	}
	ok, failed := calls[0], calls[1]
	for k, want := range map[string]string{"rpc.system": "aws-api", "rpc.service": "SQS", "rpc.method": "GetQueueUrl", "cloud.region": "sa-east-1", "aws.request_id": "aws-req-1", "http.response.status_code": "200"} {
		if got, _ := attr(ok, k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if ok.Kind != tracepb.Span_SPAN_KIND_CLIENT {
		t.Errorf("kind %v", ok.Kind)
	}
	if got, _ := attr(failed, "error.type"); got != "QueueDoesNotExist" || failed.Status.GetCode() != tracepb.Status_STATUS_CODE_ERROR {
		t.Errorf("failed call: error.type %q, status %v", got, failed.Status.GetCode())
	}
	for _, b := range raw {
		if bytes.Contains(b, []byte("529.982.247-25")) || bytes.Contains(b, []byte("outside-any-trace")) {
			t.Error("an exported batch holds a call's input")
		}
	}
}
