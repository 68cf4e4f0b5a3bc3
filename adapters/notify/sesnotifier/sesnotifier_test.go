package sesnotifier_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/multisaude/multisaude/adapters/notify/sesnotifier"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
)

// fakeSES answers SES v2 SendEmail (POST /v2/email/outbound-emails, REST JSON)
// as documented, after checking the request is SigV4-signed for ses.
type fakeSES struct {
	mu       sync.Mutex
	requests []map[string]any
	reject   string // answer MessageRejected for this recipient
	status   int    // when set, answer this status with TooManyRequestsException
}

func (f *fakeSES) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	if r.Method != http.MethodPost || r.URL.Path != "/v2/email/outbound-emails" ||
		!strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDTEST/") || !strings.Contains(auth, "/sa-east-1/ses/aws4_request") ||
		r.Header.Get("X-Amz-Date") == "" {
		w.Header().Set("X-Amzn-ErrorType", "BadRequestException")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"message":"bad request: ` + r.Method + " " + r.URL.Path + `"}`))
		return
	}
	var in map[string]any
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.status != 0 {
		w.Header().Set("X-Amzn-ErrorType", "TooManyRequestsException")
		w.WriteHeader(f.status)
		_, _ = w.Write([]byte(`{"message":"slow down"}`))
		return
	}
	to := in["Destination"].(map[string]any)["ToAddresses"].([]any)[0].(string)
	if to == f.reject {
		w.Header().Set("X-Amzn-ErrorType", "MessageRejected")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"message":"Email address is not verified."}`))
		return
	}
	f.requests = append(f.requests, in)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"MessageId":"` + kernel.NewID() + `"}`))
}

func (f *fakeSES) delivered(t *testing.T) []ports.Notification {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []ports.Notification
	for _, in := range f.requests {
		simple := in["Content"].(map[string]any)["Simple"].(map[string]any)
		subject := simple["Subject"].(map[string]any)
		text := simple["Body"].(map[string]any)["Text"].(map[string]any)
		if subject["Charset"] != "UTF-8" || text["Charset"] != "UTF-8" {
			t.Errorf("charset not UTF-8: %v", simple)
		}
		for _, to := range in["Destination"].(map[string]any)["ToAddresses"].([]any) {
			out = append(out, ports.Notification{To: to.(string), Channel: "email", Subject: subject["Data"].(string), Body: text["Data"].(string)})
		}
	}
	return out
}

func start(t *testing.T) (*fakeSES, *sesnotifier.Notifier) {
	f := &fakeSES{}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	cfg := aws.Config{Region: "sa-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""), RetryMaxAttempts: 1}
	n, err := sesnotifier.New(context.Background(), sesnotifier.Config{From: "MultiSaúde <nao-responda@multisaude.com.br>",
		ConfigurationSet: "multisaude", Endpoint: srv.URL, AWS: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	return f, n
}

func TestConformance(t *testing.T) {
	conformance.RunNotifier(t, func(t *testing.T) (ports.Notifier, func(t *testing.T) []ports.Notification) {
		f, n := start(t)
		return n, f.delivered
	})
}

func TestRequest(t *testing.T) {
	f, n := start(t)
	id := kernel.NewID()
	if err := n.Notify(context.Background(), ports.Notification{ID: id, To: "a@example.com", Channel: "email", Template: "password_reset", Subject: "s", Body: "b"}); err != nil {
		t.Fatal(err)
	}
	in := f.requests[0]
	if in["FromEmailAddress"] != "=?utf-8?q?MultiSa=C3=BAde?= <nao-responda@multisaude.com.br>" || in["ConfigurationSetName"] != "multisaude" {
		t.Errorf("from/configuration set: %v %v", in["FromEmailAddress"], in["ConfigurationSetName"])
	}
	tags, _ := json.Marshal(in["EmailTags"])
	if !strings.Contains(string(tags), `"password_reset"`) || !strings.Contains(string(tags), id) {
		t.Errorf("tags %s", tags)
	}
}

func TestErrors(t *testing.T) {
	f, n := start(t)
	ctx := context.Background()
	f.reject = "unverified@example.com"
	if err := n.Notify(ctx, ports.Notification{ID: "1", To: "unverified@example.com", Channel: "email", Subject: "s", Body: "b"}); kernel.KindOf(err) != kernel.KindInvalid {
		t.Errorf("MessageRejected: %v, want invalid", err)
	}
	f.status = http.StatusTooManyRequests
	if err := n.Notify(ctx, ports.Notification{ID: "1", To: "a@example.com", Channel: "email", Subject: "s", Body: "b"}); kernel.KindOf(err) != kernel.KindUnavailable {
		t.Errorf("throttled: %v, want unavailable", err)
	}
	cfg := aws.Config{Region: "sa-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""), RetryMaxAttempts: 1}
	down, _ := sesnotifier.New(ctx, sesnotifier.Config{From: "a@b.com", Endpoint: "http://127.0.0.1:1", AWS: &cfg})
	if err := down.Notify(ctx, ports.Notification{ID: "1", To: "a@example.com", Channel: "email", Subject: "s", Body: "b"}); kernel.KindOf(err) != kernel.KindUnavailable {
		t.Errorf("SES down: %v, want unavailable", err)
	}
	if _, err := sesnotifier.New(ctx, sesnotifier.Config{From: "nobody", AWS: &cfg}); err == nil {
		t.Error("a bad From was accepted")
	}
}
