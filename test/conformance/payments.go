package conformance

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// PaymentsDriver is what RunPayments needs of a payment adapter.
type PaymentsDriver struct {
	// New builds the adapter. webhookURL is where a provider that sends its own
	// events (localpay) posts them; an adapter whose provider is remote ignores it.
	New func(t *testing.T, webhookURL string) PaymentsHarness
	// Stateless marks a backend that answers fixtures and remembers nothing
	// (stripe-mock): the checks that need the provider to keep a charge's state
	// (a status after a payment, a decline, an over-refund, an unknown ID, the
	// webhooks it sends) are skipped, saying so; the requests are still made.
	Stateless bool
	// CardOK and CardDeclined are card tokens that succeed and are declined.
	CardOK, CardDeclined string
	// Secret is the webhook secret the adapter verifies with.
	Secret string
	// Sign returns the headers (canonical names) a provider sends with body,
	// signed with secret at time at.
	Sign func(body []byte, secret string, at time.Time) map[string]string
	// Event is the body of a genuine provider event with that ID, saying that
	// chargeID (Reference ref) was paid amount centavos.
	Event func(id, chargeID, ref string, amount int64) []byte
}

// PaymentsHarness is one adapter under test and what a payer does out of band.
type PaymentsHarness struct {
	Payments ports.Payments
	// PayPix pays a pending Pix charge as the payer's bank would; nil when Stateless.
	PayPix func(ctx context.Context, chargeID string) error
	// FailNextCharge makes the next charge fail; nil when the backend cannot.
	FailNextCharge func(ctx context.Context) error
	// Sends is true when the adapter itself posts its events to webhookURL (localpay).
	Sends bool
}

// RunPayments runs the Payments contract.
func RunPayments(t *testing.T, d PaymentsDriver) {
	report(t, "Payments")
	t.Run("PixChargeHasABRCode", func(t *testing.T) { payPix(t, d) })
	t.Run("CardSucceeds", func(t *testing.T) { payCardOK(t, d) })
	t.Run("CardDeclined", func(t *testing.T) { payCardDeclined(t, d) })
	t.Run("CaptureAuthorised", func(t *testing.T) { payCapture(t, d) })
	t.Run("RefundPartialThenRest", func(t *testing.T) { payRefund(t, d) })
	t.Run("IdempotentCreate", func(t *testing.T) { payIdem(t, d) })
	t.Run("InvalidAndUnknown", func(t *testing.T) { payInvalid(t, d) })
	t.Run("VerifyEvent", func(t *testing.T) { payVerify(t, d) })
	t.Run("RedeliveryKeepsTheEventID", func(t *testing.T) { payRedeliver(t, d) })
}

// PayDelivery is one webhook the receiver got.
type PayDelivery struct {
	Headers map[string]string
	Body    []byte
}

// payReceiver is the webhook endpoint of the suite: it records deliveries and
// refuses the first `refuse` of them with a 500.
type payReceiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []PayDelivery
	refuse int
	tries  int
}

func newPayReceiver(t *testing.T) *payReceiver {
	r := &payReceiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
		h := map[string]string{}
		for k, v := range req.Header {
			h[http.CanonicalHeaderKey(k)] = strings.Join(v, ",")
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		r.tries++
		r.got = append(r.got, PayDelivery{Headers: h, Body: b})
		if r.refuse > 0 {
			r.refuse--
			http.Error(w, "not now", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *payReceiver) deliveries() []PayDelivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]PayDelivery(nil), r.got...)
}

// waitEvent waits for a delivery that verifies as an event of type typ about
// chargeID and returns it with the event.
func (r *payReceiver) waitEvent(t *testing.T, p ports.Payments, typ, chargeID string) (PayDelivery, ports.PaymentEvent) {
	t.Helper()
	var dl PayDelivery
	var ev ports.PaymentEvent
	ok := eventually(10*time.Second, func() bool {
		for _, x := range r.deliveries() {
			e, err := p.VerifyEvent(context.Background(), x.Headers, x.Body)
			if err == nil && e.Type == typ && e.ChargeID == chargeID {
				dl, ev = x, e
				return true
			}
		}
		return false
	})
	if !ok {
		t.Fatalf("no verified %s webhook for %s arrived (%d deliveries)", typ, chargeID, len(r.deliveries()))
	}
	return dl, ev
}

func payStart(t *testing.T, d PaymentsDriver) (PaymentsHarness, *payReceiver) {
	r := newPayReceiver(t)
	h := d.New(t, r.srv.URL+"/v1/payments/webhooks/test")
	return h, r
}

func skipStateless(t *testing.T, d PaymentsDriver, what string) {
	t.Helper()
	if d.Stateless {
		t.Skipf("stateless backend (fixtures): cannot check %s", what)
	}
}

func payPix(t *testing.T, d PaymentsDriver) {
	h, rcv := payStart(t, d)
	ctx := context.Background()
	ref := uniqueName("pix")
	c, err := h.Payments.CreateCharge(ctx, ports.ChargeRequest{Reference: ref, Amount: 1234, Currency: "BRL", Method: ports.PayPix,
		Description: "Pedido na farmácia", ExpiresAt: time.Now().Add(30 * time.Minute), IdempotencyKey: uniqueName("k")})
	noErr(t, "pix charge", err)
	if c.ID == "" || c.Method != ports.PayPix || c.Amount != 1234 || c.Provider != h.Payments.Provider() {
		t.Errorf("pix charge = %+v", c)
	}
	if d.Stateless && c.PixCopyPaste == "" {
		t.Skip("stateless backend (fixtures): its answer has no Pix code to check")
	}
	if c.Status != ports.ChargePending {
		t.Errorf("new pix charge status = %q, want pending", c.Status)
	}
	if err := CheckBRCode(c.PixCopyPaste, 1234); err != nil {
		t.Errorf("BR Code %q: %v", c.PixCopyPaste, err)
	}
	if c.ExpiresAt.IsZero() {
		t.Error("a pix charge without ExpiresAt")
	}
	skipStateless(t, d, "a payment")
	noErr(t, "pay", h.PayPix(ctx, c.ID))
	got, err := h.Payments.Charge(ctx, c.ID)
	noErr(t, "read", err)
	if got.Status != ports.ChargeSucceeded || got.Reference != ref {
		t.Errorf("paid pix charge = %+v, want succeeded with reference %s", got, ref)
	}
	if h.Sends {
		_, ev := rcv.waitEvent(t, h.Payments, ports.EventChargeSucceeded, c.ID)
		if ev.Reference != ref || ev.Amount != 1234 || ev.ID == "" {
			t.Errorf("charge.succeeded event = %+v", ev)
		}
	}
}

func payCardOK(t *testing.T, d PaymentsDriver) {
	h, rcv := payStart(t, d)
	ctx := context.Background()
	c, err := h.Payments.CreateCharge(ctx, ports.ChargeRequest{Reference: uniqueName("card"), Amount: 5000, Currency: "BRL",
		Method: ports.PayCard, CardToken: d.CardOK, Capture: true, IdempotencyKey: uniqueName("k")})
	noErr(t, "card charge", err)
	if c.ID == "" || c.Method != ports.PayCard || c.Amount != 5000 {
		t.Errorf("card charge = %+v", c)
	}
	skipStateless(t, d, "the status of a paid card")
	if c.Status != ports.ChargeSucceeded {
		t.Errorf("card charge status = %q, want succeeded", c.Status)
	}
	if h.Sends {
		rcv.waitEvent(t, h.Payments, ports.EventChargeSucceeded, c.ID)
	}
}

func payCardDeclined(t *testing.T, d PaymentsDriver) {
	skipStateless(t, d, "a declined card")
	h, rcv := payStart(t, d)
	ctx := context.Background()
	c, err := h.Payments.CreateCharge(ctx, ports.ChargeRequest{Reference: uniqueName("card"), Amount: 5000, Currency: "BRL",
		Method: ports.PayCard, CardToken: d.CardDeclined, Capture: true})
	noErr(t, "declined card charge", err)
	if c.Status != ports.ChargeFailed || c.FailureReason == "" {
		t.Errorf("declined card = %+v, want failed with a reason", c)
	}
	if h.Sends {
		rcv.waitEvent(t, h.Payments, ports.EventChargeFailed, c.ID)
	}
	if _, err := h.Payments.Capture(ctx, c.ID); err == nil {
		t.Error("a failed charge was captured")
	} else {
		wantKind(t, "capture a failed charge", err, kernel.KindConflict)
	}
	if h.FailNextCharge == nil {
		return
	}
	noErr(t, "fail next", h.FailNextCharge(ctx))
	c, err = h.Payments.CreateCharge(ctx, ports.ChargeRequest{Reference: uniqueName("card"), Amount: 700, Currency: "BRL",
		Method: ports.PayCard, CardToken: d.CardOK, Capture: true})
	noErr(t, "card after FailNextCharge", err)
	if c.Status != ports.ChargeFailed {
		t.Errorf("card after FailNextCharge = %q, want failed", c.Status)
	}
	c, err = h.Payments.CreateCharge(ctx, ports.ChargeRequest{Reference: uniqueName("card"), Amount: 700, Currency: "BRL",
		Method: ports.PayCard, CardToken: d.CardOK, Capture: true})
	noErr(t, "the charge after", err)
	if c.Status != ports.ChargeSucceeded {
		t.Errorf("the charge after the failed one = %q, want succeeded", c.Status)
	}
}

func payCapture(t *testing.T, d PaymentsDriver) {
	h, rcv := payStart(t, d)
	ctx := context.Background()
	c, err := h.Payments.CreateCharge(ctx, ports.ChargeRequest{Reference: uniqueName("auth"), Amount: 2500, Currency: "BRL",
		Method: ports.PayCard, CardToken: d.CardOK, Capture: false})
	noErr(t, "authorise", err)
	if !d.Stateless && c.Status != ports.ChargeAuthorized {
		t.Errorf("authorised card status = %q, want authorized", c.Status)
	}
	if h.Sends {
		rcv.waitEvent(t, h.Payments, ports.EventChargeAuthorized, c.ID)
	}
	got, err := h.Payments.Capture(ctx, c.ID)
	noErr(t, "capture", err)
	skipStateless(t, d, "a capture's effect")
	if got.ID != c.ID || got.Amount != 2500 {
		t.Errorf("captured = %+v", got)
	}
	if got.Status != ports.ChargeSucceeded {
		t.Errorf("captured status = %q, want succeeded", got.Status)
	}
	_, err = h.Payments.Capture(ctx, c.ID)
	wantKind(t, "capture twice", err, kernel.KindConflict)
	if h.Sends {
		rcv.waitEvent(t, h.Payments, ports.EventChargeSucceeded, c.ID)
	}
}

func payRefund(t *testing.T, d PaymentsDriver) {
	h, rcv := payStart(t, d)
	ctx := context.Background()
	c, err := h.Payments.CreateCharge(ctx, ports.ChargeRequest{Reference: uniqueName("ref"), Amount: 1000, Currency: "BRL",
		Method: ports.PayCard, CardToken: d.CardOK, Capture: true})
	noErr(t, "charge", err)
	r1, err := h.Payments.Refund(ctx, ports.RefundRequest{ChargeID: c.ID, Amount: 300, Reason: "requested_by_customer", IdempotencyKey: uniqueName("k")})
	noErr(t, "partial refund", err)
	if r1.ID == "" || r1.Amount != 300 {
		t.Errorf("partial refund = %+v", r1)
	}
	skipStateless(t, d, "refunded amounts and over-refunds")
	if r1.ChargeID != c.ID || r1.Status != "succeeded" {
		t.Errorf("partial refund = %+v", r1)
	}
	got, err := h.Payments.Charge(ctx, c.ID)
	noErr(t, "read", err)
	if got.Refunded != 300 {
		t.Errorf("refunded = %d, want 300", got.Refunded)
	}
	_, err = h.Payments.Refund(ctx, ports.RefundRequest{ChargeID: c.ID, Amount: 701})
	wantKind(t, "refund more than is left", err, kernel.KindConflict)
	r2, err := h.Payments.Refund(ctx, ports.RefundRequest{ChargeID: c.ID, Amount: 700})
	noErr(t, "refund the rest", err)
	if r2.ID == r1.ID || r2.Amount != 700 {
		t.Errorf("second refund = %+v (first %+v)", r2, r1)
	}
	_, err = h.Payments.Refund(ctx, ports.RefundRequest{ChargeID: c.ID, Amount: 1})
	wantKind(t, "refund a fully refunded charge", err, kernel.KindConflict)
	got, err = h.Payments.Charge(ctx, c.ID)
	noErr(t, "read", err)
	if got.Refunded != 1000 {
		t.Errorf("refunded = %d, want 1000", got.Refunded)
	}
	pix, err := h.Payments.CreateCharge(ctx, ports.ChargeRequest{Reference: uniqueName("pix"), Amount: 100, Currency: "BRL", Method: ports.PayPix})
	noErr(t, "pix", err)
	_, err = h.Payments.Refund(ctx, ports.RefundRequest{ChargeID: pix.ID, Amount: 100})
	wantKind(t, "refund an unpaid charge", err, kernel.KindConflict)
	if h.Sends {
		rcv.waitEvent(t, h.Payments, ports.EventRefundSucceeded, c.ID)
	}
}

func payIdem(t *testing.T, d PaymentsDriver) {
	h, _ := payStart(t, d)
	ctx := context.Background()
	req := ports.ChargeRequest{Reference: uniqueName("idem"), Amount: 990, Currency: "BRL", Method: ports.PayPix, IdempotencyKey: uniqueName("k")}
	a, err := h.Payments.CreateCharge(ctx, req)
	noErr(t, "first", err)
	b, err := h.Payments.CreateCharge(ctx, req)
	noErr(t, "retry", err)
	skipStateless(t, d, "idempotency")
	if a.ID != b.ID {
		t.Errorf("a retried request made two charges: %s and %s", a.ID, b.ID)
	}
}

func payInvalid(t *testing.T, d PaymentsDriver) {
	h, _ := payStart(t, d)
	ctx := context.Background()
	_, err := h.Payments.CreateCharge(ctx, ports.ChargeRequest{Reference: "x", Amount: 0, Currency: "BRL", Method: ports.PayPix})
	wantKind(t, "amount 0", err, kernel.KindInvalid)
	_, err = h.Payments.CreateCharge(ctx, ports.ChargeRequest{Reference: "x", Amount: 100, Currency: "BRL", Method: "boleto"})
	wantKind(t, "unknown method", err, kernel.KindInvalid)
	skipStateless(t, d, "unknown charges")
	_, err = h.Payments.Charge(ctx, "ch_doesnotexist")
	wantKind(t, "read unknown", err, kernel.KindNotFound)
	_, err = h.Payments.Capture(ctx, "ch_doesnotexist")
	wantKind(t, "capture unknown", err, kernel.KindNotFound)
	_, err = h.Payments.Refund(ctx, ports.RefundRequest{ChargeID: "ch_doesnotexist", Amount: 1})
	wantKind(t, "refund unknown", err, kernel.KindNotFound)
}

func payVerify(t *testing.T, d PaymentsDriver) {
	h, _ := payStart(t, d)
	ctx := context.Background()
	p := h.Payments
	now := time.Now()
	body := d.Event("evt_conf_1", "ch_conf_1", "ref-1", 1234)
	ev, err := p.VerifyEvent(ctx, d.Sign(body, d.Secret, now), body)
	noErr(t, "genuine event", err)
	if ev.ID != "evt_conf_1" || ev.Type != ports.EventChargeSucceeded || ev.ChargeID != "ch_conf_1" || ev.Amount != 1234 {
		t.Errorf("genuine event = %+v", ev)
	}
	again, err := p.VerifyEvent(ctx, d.Sign(body, d.Secret, now.Add(time.Second)), body)
	noErr(t, "the same event again", err)
	if again.ID != ev.ID {
		t.Errorf("the same event delivered twice has IDs %q and %q", ev.ID, again.ID)
	}
	tampered := []byte(strings.Replace(string(body), "1234", "9234", 1))
	if string(tampered) == string(body) {
		t.Fatal("the event body does not hold its amount")
	}
	_, err = p.VerifyEvent(ctx, d.Sign(body, d.Secret, now), tampered)
	wantKind(t, "tampered body", err, kernel.KindUnauthenticated)
	_, err = p.VerifyEvent(ctx, d.Sign(body, d.Secret+"x", now), body)
	wantKind(t, "wrong secret", err, kernel.KindUnauthenticated)
	_, err = p.VerifyEvent(ctx, d.Sign(body, d.Secret, now.Add(-time.Hour)), body)
	wantKind(t, "old timestamp", err, kernel.KindUnauthenticated)
	_, err = p.VerifyEvent(ctx, map[string]string{}, body)
	wantKind(t, "no signature", err, kernel.KindUnauthenticated)
	if err != nil && err.Error() == "" {
		t.Error("empty error message")
	}
}

func payRedeliver(t *testing.T, d PaymentsDriver) {
	h, rcv := payStart(t, d)
	if !h.Sends {
		t.Skip("the adapter does not send its own webhooks (the provider does): redelivery is the provider's")
	}
	rcv.mu.Lock()
	rcv.refuse = 2
	rcv.mu.Unlock()
	ctx := context.Background()
	c, err := h.Payments.CreateCharge(ctx, ports.ChargeRequest{Reference: uniqueName("re"), Amount: 4321, Currency: "BRL",
		Method: ports.PayCard, CardToken: d.CardOK, Capture: true})
	noErr(t, "charge", err)
	var ids []string
	ok := eventually(15*time.Second, func() bool {
		ids = ids[:0]
		for _, x := range rcv.deliveries() {
			if e, err := h.Payments.VerifyEvent(ctx, x.Headers, x.Body); err == nil && e.ChargeID == c.ID {
				ids = append(ids, e.ID)
			}
		}
		return len(ids) >= 3
	})
	if !ok {
		t.Fatalf("the refused webhook was not retried until accepted: %d verified deliveries", len(ids))
	}
	for _, id := range ids[1:] {
		if id != ids[0] {
			t.Errorf("redeliveries of one event have IDs %v", ids)
		}
	}
}

var brTxID = regexp.MustCompile(`^([A-Za-z0-9]{1,25}|\*\*\*)$`)

// CheckBRCode checks a Pix "copia e cola" payload (EMV QRCPS-MPM as the
// central bank's BR Code manual describes it): every TLV's length, the fields
// a dynamic Pix code needs, the amount (centavos), and the CRC16 (field 63).
func CheckBRCode(code string, amount int64) error {
	if len(code) > 512 {
		return fmt.Errorf("longer than 512 characters")
	}
	i := strings.LastIndex(code, "6304")
	if i < 0 || i+8 != len(code) {
		return fmt.Errorf("does not end with the CRC field 63")
	}
	want := fmt.Sprintf("%04X", PixCRC16([]byte(code[:i+4])))
	if code[i+4:] != want {
		return fmt.Errorf("CRC %s, want %s", code[i+4:], want)
	}
	top, err := parseTLV(code)
	if err != nil {
		return err
	}
	get := func(id string) string { return top[id] }
	checks := []struct{ id, want string }{{"00", "01"}, {"01", "12"}, {"52", "0000"}, {"53", "986"}, {"58", "BR"}}
	for _, c := range checks {
		if get(c.id) != c.want {
			return fmt.Errorf("field %s = %q, want %q", c.id, get(c.id), c.want)
		}
	}
	if a := fmt.Sprintf("%d.%02d", amount/100, amount%100); get("54") != a {
		return fmt.Errorf("amount (54) = %q, want %q", get("54"), a)
	}
	acct, err := parseTLV(get("26"))
	if err != nil {
		return fmt.Errorf("merchant account (26): %w", err)
	}
	if !strings.EqualFold(acct["00"], "br.gov.bcb.pix") {
		return fmt.Errorf("merchant account GUI = %q", acct["00"])
	}
	if acct["01"] == "" && acct["25"] == "" {
		return fmt.Errorf("merchant account has neither a key (01) nor a URL (25)")
	}
	for id, max := range map[string]int{"59": 25, "60": 15} {
		v := get(id)
		if v == "" || len(v) > max {
			return fmt.Errorf("field %s = %q: 1 to %d characters", id, v, max)
		}
		for _, r := range v {
			if r < 0x20 || r > 0x7e {
				return fmt.Errorf("field %s = %q: not ASCII", id, v)
			}
		}
	}
	add, err := parseTLV(get("62"))
	if err != nil {
		return fmt.Errorf("additional data (62): %w", err)
	}
	if !brTxID.MatchString(add["05"]) {
		return fmt.Errorf("txid (62/05) = %q: 1 to 25 letters and digits", add["05"])
	}
	return nil
}

// parseTLV splits EMV fields (two-digit ID, two-digit length, value), checking
// that every length fits.
func parseTLV(s string) (map[string]string, error) {
	out := map[string]string{}
	for len(s) > 0 {
		if len(s) < 4 {
			return nil, fmt.Errorf("truncated field header %q", s)
		}
		id := s[:2]
		n, err := strconv.Atoi(s[2:4])
		if err != nil || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
			return nil, fmt.Errorf("bad field header %q", s[:4])
		}
		if len(s) < 4+n || n == 0 {
			return nil, fmt.Errorf("field %s says %d characters, %d left", id, n, len(s)-4)
		}
		if _, dup := out[id]; dup {
			return nil, fmt.Errorf("field %s twice", id)
		}
		out[id] = s[4 : 4+n]
		s = s[4+n:]
	}
	return out, nil
}

// PixCRC16 is CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), the BR Code's checksum.
func PixCRC16(b []byte) uint16 {
	crc := uint16(0xFFFF)
	for _, c := range b {
		crc ^= uint16(c) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}
