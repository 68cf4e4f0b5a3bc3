package conformance

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// RunWebhookSender runs the ports.WebhookSender contract. newSender returns a
// sender that, with allowPrivate, may reach the suite's httptest servers on
// loopback over http, and without it must refuse them. What the sender signs is
// verified with the Standard Webhooks reference library, not our own code.
func RunWebhookSender(t *testing.T, newSender func(t *testing.T, allowPrivate bool) ports.WebhookSender) {
	report(t, "WebhookSender")
	t.Run("SignsAsStandardWebhooks", func(t *testing.T) { whSigns(t, newSender(t, true)) })
	t.Run("TwoSecretsTwoSignatures", func(t *testing.T) { whRotation(t, newSender(t, true)) })
	t.Run("AnswersAreResultsNotErrors", func(t *testing.T) { whAnswers(t, newSender(t, true)) })
	t.Run("RedirectsAreNotFollowed", func(t *testing.T) { whNoRedirect(t, newSender(t, true)) })
	t.Run("NetworkFailureIsStatusZero", func(t *testing.T) { whNetworkFailure(t, newSender(t, true)) })
	t.Run("RefusesPrivateDestinations", func(t *testing.T) { whRefuses(t, newSender(t, false)) })
}

type whCapture struct {
	header http.Header
	body   []byte
}

func whServer(t *testing.T, status int, answer string) (*httptest.Server, chan whCapture) {
	got := make(chan whCapture, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- whCapture{header: r.Header.Clone(), body: b}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func whRequest(url string, secrets ...[]byte) ports.WebhookRequest {
	return ports.WebhookRequest{URL: url, MessageID: commerce.WebhookMessageID(kernel.NewID(), kernel.NewID()), Timestamp: time.Now(),
		Body:    []byte(`{"type":"order.created","timestamp":"2026-11-30T12:00:00Z","data":{"order_id":"o-1","total":{"amount":1990,"currency":"BRL"}}}`),
		Secrets: secrets}
}

func whSigns(t *testing.T, s ports.WebhookSender) {
	srv, got := whServer(t, http.StatusNoContent, "")
	shown, key, err := commerce.NewWebhookSecret()
	noErr(t, "secret", err)
	req := whRequest(srv.URL+"/hooks", key)
	res, err := s.Send(context.Background(), req)
	noErr(t, "send", err)
	if res.Status != http.StatusNoContent || res.Duration <= 0 {
		t.Errorf("result %+v, want status 204 and a duration", res)
	}
	c := <-got
	wh, err := standardwebhooks.NewWebhook(shown) // the "whsec_..." form the partner was shown
	noErr(t, "library webhook", err)
	if err := wh.Verify(c.body, c.header); err != nil {
		t.Errorf("the Standard Webhooks library rejects our signature: %v (headers %v)", err, c.header)
	}
	if string(c.body) != string(req.Body) {
		t.Errorf("body %s, want %s", c.body, req.Body)
	}
	for k, want := range map[string]string{"webhook-id": req.MessageID, "webhook-timestamp": strconv.FormatInt(req.Timestamp.Unix(), 10),
		"Content-Type": "application/json", "User-Agent": "multisaude-webhooks/1"} {
		if v := c.header.Get(k); v != want {
			t.Errorf("header %s = %q, want %q", k, v, want)
		}
	}
	// A tampered body does not verify.
	if err := wh.Verify(append(c.body[:len(c.body)-1:len(c.body)-1], ' ', '}'), c.header); err == nil {
		t.Errorf("a changed body still verifies")
	}
}

func whRotation(t *testing.T, s ports.WebhookSender) {
	srv, got := whServer(t, http.StatusOK, "ok")
	newShown, newKey, _ := commerce.NewWebhookSecret()
	oldShown, oldKey, _ := commerce.NewWebhookSecret()
	otherShown, _, _ := commerce.NewWebhookSecret()
	_, err := s.Send(context.Background(), whRequest(srv.URL, newKey, oldKey))
	noErr(t, "send", err)
	c := <-got
	if n := len(strings.Fields(c.header.Get("webhook-signature"))); n != 2 {
		t.Errorf("%d signatures, want 2: %q", n, c.header.Get("webhook-signature"))
	}
	for name, shown := range map[string]string{"new": newShown, "old": oldShown} {
		wh, _ := standardwebhooks.NewWebhook(shown)
		if err := wh.Verify(c.body, c.header); err != nil {
			t.Errorf("a receiver holding the %s secret cannot verify: %v", name, err)
		}
	}
	wh, _ := standardwebhooks.NewWebhook(otherShown)
	if err := wh.Verify(c.body, c.header); err == nil {
		t.Errorf("an unrelated secret verifies")
	}
}

func whAnswers(t *testing.T, s ports.WebhookSender) {
	_, key, _ := commerce.NewWebhookSecret()
	long := strings.Repeat("x", 5000)
	srv, _ := whServer(t, http.StatusServiceUnavailable, long)
	res, err := s.Send(context.Background(), whRequest(srv.URL, key))
	if err != nil {
		t.Fatalf("a 503 answer is a result, not an error: %v", err)
	}
	if res.Status != http.StatusServiceUnavailable || len(res.Body) != 1024 {
		t.Errorf("status %d, %d bytes of answer kept; want 503 and 1024", res.Status, len(res.Body))
	}
}

func whNoRedirect(t *testing.T, s ports.WebhookSender) {
	var targetHits atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/target", func(w http.ResponseWriter, r *http.Request) { targetHits.Add(1) })
	mux.HandleFunc("/hooks", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/target", http.StatusTemporaryRedirect)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	_, key, _ := commerce.NewWebhookSecret()
	res, err := s.Send(context.Background(), whRequest(srv.URL+"/hooks", key))
	noErr(t, "send", err)
	if res.Status != http.StatusTemporaryRedirect || targetHits.Load() != 0 {
		t.Errorf("status %d, redirect target hit %d times; want 307 and never", res.Status, targetHits.Load())
	}
}

func whNetworkFailure(t *testing.T, s ports.WebhookSender) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, key, _ := commerce.NewWebhookSecret()
	res, err := s.Send(context.Background(), whRequest(url, key))
	if err == nil || res.Status != 0 {
		t.Errorf("a closed port: status %d, error %v; want 0 and an error", res.Status, err)
	}
	if err != nil && kernel.KindOf(err) == kernel.KindInternal {
		t.Errorf("a network failure is not an internal error: %v", err)
	}
}

func whRefuses(t *testing.T, s ports.WebhookSender) {
	ctx := context.Background()
	for _, u := range []string{
		"https://127.0.0.1/hooks", "http://parceiro.example.com/hooks", "https://[::1]/hooks", "https://169.254.169.254/latest/meta-data",
		"https://10.0.0.1/hooks", "https://172.16.5.4/", "https://192.168.0.10/", "https://100.64.0.1/", "https://0.0.0.0/",
		"https://[::ffff:127.0.0.1]/", "https://[fe80::1]/", "https://[fd00::1]/", "https://224.0.0.1/", "https://255.255.255.255/",
		"https://user:pass@parceiro.example.com/", "ftp://parceiro.example.com/", "/relative", "",
	} {
		err := s.CheckURL(ctx, u)
		wantKind(t, "CheckURL "+u, err, kernel.KindInvalid)
	}
	srv, got := whServer(t, http.StatusOK, "")
	_, key, _ := commerce.NewWebhookSecret()
	res, err := s.Send(ctx, whRequest(srv.URL, key)) // http and loopback
	wantKind(t, "Send to loopback", err, kernel.KindInvalid)
	if res.Status != 0 || len(got) != 0 {
		t.Errorf("a refused destination was reached (status %d, %d requests)", res.Status, len(got))
	}
	res, err = s.Send(ctx, whRequest(strings.Replace(srv.URL, "http://", "https://", 1), key))
	wantKind(t, "Send to https loopback", err, kernel.KindInvalid)
	if res.Status != 0 || len(got) != 0 {
		t.Errorf("a refused destination was reached (status %d, %d requests)", res.Status, len(got))
	}
}
