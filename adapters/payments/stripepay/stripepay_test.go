package stripepay_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/multisaude/multisaude/adapters/payments/stripepay"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
)

const whsec = "whsec_test_secret"

// sign makes a Stripe-Signature header the way Stripe documents it:
// t=<unix>,v1=<hex HMAC-SHA256 of "<unix>.<payload>"> with the endpoint's secret.
func sign(body []byte, secret string, at time.Time) map[string]string {
	t := fmt.Sprint(at.Unix())
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(t + "." + string(body)))
	return map[string]string{"Stripe-Signature": "t=" + t + ",v1=" + hex.EncodeToString(m.Sum(nil))}
}

// event is a Stripe event body as Stripe sends it.
func event(id, typ, object string) []byte {
	return fmt.Appendf(nil, `{"id":%q,"object":"event","type":%q,"data":{"object":%s},"api_version":%q,"created":1790000000,"livemode":false,"pending_webhooks":1,"request":{"id":null,"idempotency_key":null}}`,
		id, typ, object, stripe.APIVersion)
}

func pi(id, status string, amount int64, ref string) string {
	return fmt.Sprintf(`{"id":%q,"object":"payment_intent","amount":%d,"amount_received":%d,"amount_capturable":0,"currency":"brl","status":%q,"metadata":{"reference":%q},"payment_method_types":["pix"],"created":1790000000}`,
		id, amount, amount, status, ref)
}

func newAdapter(t *testing.T, apiURL string) *stripepay.Stripe {
	t.Helper()
	s, err := stripepay.New(stripepay.Settings{SecretKey: "sk_test_123", WebhookSecret: whsec, APIURL: apiURL, MaxNetworkRetries: stripe.Int64(0)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestConformanceStripeMock runs the suite against stripe-mock, which checks
// every request against Stripe's OpenAPI document and answers fixtures: the
// checks that need state are skipped by the suite (see TestAgainstDocumentedAnswers).
func TestConformanceStripeMock(t *testing.T) {
	base := startStripeMock(t)
	conformance.RunPayments(t, conformance.PaymentsDriver{
		New: func(t *testing.T, _ string) conformance.PaymentsHarness {
			return conformance.PaymentsHarness{Payments: newAdapter(t, base)}
		},
		Stateless: true,
		CardOK:    "pm_card_visa", CardDeclined: "pm_card_chargeDeclined",
		Secret: whsec,
		Sign:   sign,
		Event: func(id, chargeID, ref string, amount int64) []byte {
			return event(id, "payment_intent.succeeded", pi(chargeID, "succeeded", amount, ref))
		},
	})
}

// TestConformanceStateful runs the whole suite, state included, against a
// stateful stand-in that answers as Stripe documents and sends signed events.
func TestConformanceStateful(t *testing.T) {
	conformance.RunPayments(t, conformance.PaymentsDriver{
		New: func(t *testing.T, hookURL string) conformance.PaymentsHarness {
			f, base := newStatefulStripe(t, hookURL)
			return conformance.PaymentsHarness{
				Payments:       newAdapter(t, base),
				PayPix:         func(_ context.Context, id string) error { return f.payPix(id) },
				FailNextCharge: func(context.Context) error { f.mu.Lock(); f.fail = true; f.mu.Unlock(); return nil },
				Sends:          true,
			}
		},
		CardOK: "pm_card_visa", CardDeclined: "pm_card_chargeDeclined",
		Secret: whsec,
		Sign:   sign,
		Event: func(id, chargeID, ref string, amount int64) []byte {
			return event(id, "payment_intent.succeeded", pi(chargeID, "succeeded", amount, ref))
		},
	})
}

// fakeStripe answers what Stripe's documentation shows for each call and
// records the requests stripe-go made.
type fakeStripe struct {
	mu   sync.Mutex
	reqs []recorded
	// answer maps "METHOD /path" to status and JSON body.
	answer map[string]func(form url.Values) (int, string)
}

type recorded struct {
	method, path string
	form         url.Values
	header       http.Header
}

func (f *fakeStripe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(b))
	for k, v := range r.URL.Query() {
		form[k] = v
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, recorded{r.Method, r.URL.Path, form, r.Header.Clone()})
	h := f.answer[r.Method+" "+r.URL.Path]
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", "req_test")
	if h == nil {
		w.WriteHeader(404)
		fmt.Fprintf(w, `{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such payment_intent: '%s'","param":"intent"}}`, r.URL.Path)
		return
	}
	status, body := h(form)
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func (f *fakeStripe) last(t *testing.T) recorded {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.reqs) == 0 {
		t.Fatal("no request reached the server")
	}
	return f.reqs[len(f.reqs)-1]
}

// A real BR Code, as Stripe puts it in next_action.pix_display_qr_code.data.
const stripeBRCode = "00020101021226580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865406123.455802BR5913Fulano de Tal6008BRASILIA62070503***6304"

func brCode() string {
	return stripeBRCode + fmt.Sprintf("%04X", conformance.PixCRC16([]byte(stripeBRCode)))
}

func TestAgainstDocumentedAnswers(t *testing.T) {
	f := &fakeStripe{answer: map[string]func(url.Values) (int, string){}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	s := newAdapter(t, srv.URL)
	ctx := context.Background()
	expires := time.Now().Add(30 * time.Minute).Truncate(time.Second)

	// Pix: the request's shape and the copy-paste code read from next_action.
	f.answer["POST /v1/payment_intents"] = func(form url.Values) (int, string) {
		return 200, fmt.Sprintf(`{"id":"pi_pix1","object":"payment_intent","amount":12345,"currency":"brl","status":"requires_action",
			"client_secret":"pi_pix1_secret_x","created":1790000000,"metadata":{"reference":"pay-1"},"payment_method_types":["pix"],
			"next_action":{"type":"pix_display_qr_code","pix_display_qr_code":{"data":%q,"expires_at":%d,
			"hosted_instructions_url":"https://payments.stripe.com/pix/instructions/x","image_url_png":"https://x/png","image_url_svg":"https://x/svg"}}}`,
			brCode(), expires.Unix())
	}
	c, err := s.CreateCharge(ctx, ports.ChargeRequest{Reference: "pay-1", Amount: 12345, Currency: "BRL", Method: ports.PayPix,
		Description: "Pedido 1", ExpiresAt: expires, IdempotencyKey: "idem-1"})
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != "pi_pix1" || c.Status != ports.ChargePending || c.Method != ports.PayPix || !c.ExpiresAt.Equal(expires) || c.Reference != "pay-1" {
		t.Errorf("pix charge = %+v", c)
	}
	if err := conformance.CheckBRCode(c.PixCopyPaste, 12345); err != nil {
		t.Errorf("copy-paste %q: %v", c.PixCopyPaste, err)
	}
	r := f.last(t)
	want := map[string]string{"amount": "12345", "currency": "brl", "payment_method_types[0]": "pix", "confirm": "true",
		"payment_method_data[type]": "pix", "metadata[reference]": "pay-1", "description": "Pedido 1",
		"payment_method_options[pix][expires_at]": fmt.Sprint(expires.Unix())}
	for k, v := range want {
		if got := r.form.Get(k); got != v {
			t.Errorf("form %s = %q, want %q (form %v)", k, got, v, r.form)
		}
	}
	if r.header.Get("Idempotency-Key") != "idem-1" || r.header.Get("Stripe-Version") != stripe.APIVersion ||
		r.header.Get("Authorization") != "Bearer sk_test_123" || !strings.HasPrefix(r.header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		t.Errorf("headers = %v", r.header)
	}

	// Card, authorised only: capture_method manual, then Capture.
	f.answer["POST /v1/payment_intents"] = func(form url.Values) (int, string) {
		return 200, `{"id":"pi_card1","object":"payment_intent","amount":5000,"amount_capturable":5000,"currency":"brl","status":"requires_capture","created":1790000000,"metadata":{"reference":"pay-2"},"payment_method_types":["card"]}`
	}
	f.answer["POST /v1/payment_intents/pi_card1/capture"] = func(url.Values) (int, string) {
		return 200, `{"id":"pi_card1","object":"payment_intent","amount":5000,"amount_received":5000,"currency":"brl","status":"succeeded","created":1790000000,"metadata":{"reference":"pay-2"},"payment_method_types":["card"],"latest_charge":{"id":"ch_1","object":"charge","amount":5000,"amount_refunded":0}}`
	}
	c, err = s.CreateCharge(ctx, ports.ChargeRequest{Reference: "pay-2", Amount: 5000, Method: ports.PayCard, CardToken: "pm_card_visa"})
	if err != nil || c.Status != ports.ChargeAuthorized {
		t.Fatalf("authorise = %+v %v", c, err)
	}
	r = f.last(t)
	if r.form.Get("capture_method") != "manual" || r.form.Get("payment_method") != "pm_card_visa" || r.form.Get("payment_method_types[0]") != "card" {
		t.Errorf("card form = %v", r.form)
	}
	c, err = s.Capture(ctx, "pi_card1")
	if err != nil || c.Status != ports.ChargeSucceeded {
		t.Fatalf("capture = %+v %v", c, err)
	}

	// A declined card: Stripe answers 402 card_error; the charge is failed, not an error.
	f.answer["POST /v1/payment_intents"] = func(url.Values) (int, string) {
		return 402, `{"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds.",
			"payment_intent":{"id":"pi_dec","object":"payment_intent","amount":700,"currency":"brl","status":"requires_payment_method","created":1790000000,"metadata":{"reference":"pay-3"},"payment_method_types":["card"],
			"last_payment_error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds"}}}}`
	}
	c, err = s.CreateCharge(ctx, ports.ChargeRequest{Reference: "pay-3", Amount: 700, Method: ports.PayCard, CardToken: "pm_card_chargeDeclinedInsufficientFunds", Capture: true})
	if err != nil || c.Status != ports.ChargeFailed || c.FailureReason != "insufficient_funds" || c.ID != "pi_dec" {
		t.Errorf("declined = %+v %v", c, err)
	}

	// Refunds: the request, an over-refund (Stripe: 400 on param amount) and a fully refunded charge.
	f.answer["POST /v1/refunds"] = func(form url.Values) (int, string) {
		switch form.Get("amount") {
		case "701":
			return 400, `{"error":{"type":"invalid_request_error","message":"Refund amount (R$7.01) is greater than unrefunded amount on charge (R$7.00)","param":"amount"}}`
		case "1":
			return 400, `{"error":{"type":"invalid_request_error","code":"charge_already_refunded","message":"Charge ch_1 has already been refunded."}}`
		}
		return 200, `{"id":"re_1","object":"refund","amount":300,"status":"succeeded","payment_intent":"pi_card1","charge":"ch_1"}`
	}
	rf, err := s.Refund(ctx, ports.RefundRequest{ChargeID: "pi_card1", Amount: 300, Reason: "requested_by_customer", IdempotencyKey: "idem-r"})
	if err != nil || rf.ID != "re_1" || rf.Amount != 300 || rf.Status != "succeeded" || rf.ChargeID != "pi_card1" {
		t.Errorf("refund = %+v %v", rf, err)
	}
	r = f.last(t)
	if r.form.Get("payment_intent") != "pi_card1" || r.form.Get("amount") != "300" || r.form.Get("reason") != "requested_by_customer" || r.header.Get("Idempotency-Key") != "idem-r" {
		t.Errorf("refund request = %v %v", r.form, r.header)
	}
	_, err = s.Refund(ctx, ports.RefundRequest{ChargeID: "pi_card1", Amount: 701})
	wantKind(t, "over-refund", err, kernel.KindConflict)
	_, err = s.Refund(ctx, ports.RefundRequest{ChargeID: "pi_card1", Amount: 1})
	wantKind(t, "refund a refunded charge", err, kernel.KindConflict)

	// Errors: unknown (404 resource_missing), invalid, idempotency, server down, unreachable.
	_, err = s.Charge(ctx, "pi_unknown")
	wantKind(t, "unknown", err, kernel.KindNotFound)
	f.answer["GET /v1/payment_intents/pi_bad"] = func(url.Values) (int, string) {
		return 400, `{"error":{"type":"invalid_request_error","message":"Invalid expand","param":"expand"}}`
	}
	_, err = s.Charge(ctx, "pi_bad")
	wantKind(t, "invalid request", err, kernel.KindInvalid)
	f.answer["GET /v1/payment_intents/pi_500"] = func(url.Values) (int, string) {
		return 500, `{"error":{"type":"api_error","message":"Something went wrong on Stripe's end."}}`
	}
	_, err = s.Charge(ctx, "pi_500")
	wantKind(t, "stripe down", err, kernel.KindUnavailable)
	f.answer["POST /v1/payment_intents/pi_failed/capture"] = func(url.Values) (int, string) {
		return 400, `{"error":{"type":"invalid_request_error","code":"payment_intent_unexpected_state","message":"This PaymentIntent could not be captured because it has a status of requires_payment_method."}}`
	}
	_, err = s.Capture(ctx, "pi_failed")
	wantKind(t, "capture a failed charge", err, kernel.KindConflict)
	f.answer["POST /v1/payment_intents"] = func(url.Values) (int, string) {
		return 400, `{"error":{"type":"idempotency_error","message":"Keys for idempotent requests can only be used with the same parameters they were first used with."}}`
	}
	_, err = s.CreateCharge(ctx, ports.ChargeRequest{Amount: 1, Method: ports.PayPix, IdempotencyKey: "idem-1"})
	wantKind(t, "idempotency key reused", err, kernel.KindConflict)

	down := newAdapter(t, "http://127.0.0.1:1")
	_, err = down.Charge(ctx, "pi_x")
	wantKind(t, "unreachable", err, kernel.KindUnavailable)
}

func TestWebhookEvents(t *testing.T) {
	s := newAdapter(t, "http://127.0.0.1:1")
	ctx := context.Background()
	now := time.Now()
	cases := []struct {
		typ, object string
		want        ports.PaymentEvent
	}{
		{"payment_intent.succeeded", pi("pi_1", "succeeded", 1500, "pay-1"), ports.PaymentEvent{Type: ports.EventChargeSucceeded, ChargeID: "pi_1", Reference: "pay-1", Amount: 1500}},
		{"payment_intent.payment_failed", pi("pi_1", "requires_payment_method", 1500, "pay-1"), ports.PaymentEvent{Type: ports.EventChargeFailed, ChargeID: "pi_1", Reference: "pay-1", Amount: 1500}},
		{"payment_intent.canceled", pi("pi_1", "canceled", 1500, "pay-1"), ports.PaymentEvent{Type: ports.EventChargeExpired, ChargeID: "pi_1", Reference: "pay-1", Amount: 1500}},
		{"payment_intent.amount_capturable_updated", pi("pi_1", "requires_capture", 1500, "pay-1"), ports.PaymentEvent{Type: ports.EventChargeAuthorized, ChargeID: "pi_1", Reference: "pay-1", Amount: 1500}},
		{"charge.refunded", `{"id":"ch_1","object":"charge","amount":1500,"amount_refunded":500,"payment_intent":"pi_1","metadata":{"reference":"pay-1"},"refunds":{"object":"list","data":[{"id":"re_2","object":"refund","amount":200,"status":"succeeded"},{"id":"re_1","object":"refund","amount":300,"status":"succeeded"}]}}`,
			ports.PaymentEvent{Type: ports.EventRefundSucceeded, ChargeID: "pi_1", RefundID: "re_2", Reference: "pay-1", Amount: 200}},
		{"refund.updated", `{"id":"re_3","object":"refund","amount":400,"status":"succeeded","payment_intent":"pi_1","charge":"ch_1"}`,
			ports.PaymentEvent{Type: ports.EventRefundSucceeded, ChargeID: "pi_1", RefundID: "re_3", Amount: 400}},
		{"refund.failed", `{"id":"re_4","object":"refund","amount":400,"status":"failed","payment_intent":"pi_1"}`,
			ports.PaymentEvent{Type: ports.EventRefundFailed, ChargeID: "pi_1", RefundID: "re_4", Amount: 400}},
		{"customer.created", `{"id":"cus_1","object":"customer"}`, ports.PaymentEvent{}},
	}
	for i, c := range cases {
		id := fmt.Sprintf("evt_%d", i)
		body := event(id, c.typ, c.object)
		got, err := s.VerifyEvent(ctx, sign(body, whsec, now), body)
		if err != nil {
			t.Errorf("%s: %v", c.typ, err)
			continue
		}
		c.want.ID, c.want.At = id, time.Unix(1790000000, 0).UTC()
		if got != c.want {
			t.Errorf("%s:\n got %+v\nwant %+v", c.typ, got, c.want)
		}
	}
	body := event("evt_x", "payment_intent.succeeded", pi("pi_1", "succeeded", 1500, "pay-1"))
	for name, h := range map[string]map[string]string{
		"wrong secret":     sign(body, "whsec_other", now),
		"old timestamp":    sign(body, whsec, now.Add(-6*time.Minute)),
		"no header":        {},
		"malformed header": {"Stripe-Signature": "garbage"},
	} {
		_, err := s.VerifyEvent(ctx, h, body)
		wantKind(t, name, err, kernel.KindUnauthenticated)
	}
	_, err := s.VerifyEvent(ctx, sign(body, whsec, now), []byte(strings.Replace(string(body), "1500", "9500", 1)))
	wantKind(t, "tampered body", err, kernel.KindUnauthenticated)
	junk := []byte("not json")
	_, err = s.VerifyEvent(ctx, sign(junk, whsec, now), junk)
	wantKind(t, "not an event", err, kernel.KindInvalid)
}

func wantKind(t *testing.T, what string, err error, k kernel.Kind) {
	t.Helper()
	if got := kernel.KindOf(err); err == nil || got != k {
		t.Errorf("%s: %v (kind %s), want kind %s", what, err, got, k)
	}
}
