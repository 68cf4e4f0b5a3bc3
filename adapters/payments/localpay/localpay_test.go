package localpay_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/payments/localpay"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
)

const secret = "whsec_local_test"

func newSim(t *testing.T, s localpay.Settings) *localpay.Sim {
	t.Helper()
	if s.WebhookSecret == "" {
		s.WebhookSecret = secret
	}
	s.RetryBase, s.RetryMax, s.SweepEvery = 30*time.Millisecond, 200*time.Millisecond, 20*time.Millisecond
	p, err := localpay.New(s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func TestConformance(t *testing.T) {
	conformance.RunPayments(t, conformance.PaymentsDriver{
		New: func(t *testing.T, url string) conformance.PaymentsHarness {
			p := newSim(t, localpay.Settings{WebhookURL: url})
			return conformance.PaymentsHarness{
				Payments:       p,
				PayPix:         func(ctx context.Context, id string) error { _, err := p.Pay(ctx, id); return err },
				FailNextCharge: func(context.Context) error { return p.FailNext(1) },
				Sends:          true,
			}
		},
		CardOK: localpay.TokenVisa, CardDeclined: localpay.TokenDeclined,
		Secret: secret,
		Sign: func(body []byte, secret string, at time.Time) map[string]string {
			return map[string]string{localpay.SignatureHeader: localpay.Sign(body, secret, at)}
		},
		Event: func(id, chargeID, ref string, amount int64) []byte {
			b, _ := json.Marshal(map[string]any{"id": id, "type": ports.EventChargeSucceeded, "created": time.Now().Unix(),
				"data": map[string]any{"charge_id": chargeID, "reference": ref, "amount": amount, "status": "succeeded"}})
			return b
		},
	})
}

func TestCRCVector(t *testing.T) {
	if got := conformance.PixCRC16([]byte("123456789")); got != 0x29B1 {
		t.Fatalf("CRC-16/CCITT-FALSE(123456789) = %04X, want 29B1", got)
	}
	// A BR Code published in the central bank's manual (static, key 123e4567-e12b-12d1-a456-426655440000).
	const manual = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"
	if got := conformance.PixCRC16([]byte(manual[:len(manual)-4])); got != 0x1D3D {
		t.Errorf("CRC of the manual's example = %04X, want 1D3D", got)
	}
}

func TestBRCode(t *testing.T) {
	p := newSim(t, localpay.Settings{MerchantName: "Farmácia São João da Esquina Ltda", MerchantCity: "São José dos Campos"})
	for _, amount := range []int64{1, 99, 100, 1234, 100000, 99_999_999_99} {
		c, err := p.CreateCharge(context.Background(), ports.ChargeRequest{Reference: "r", Amount: amount, Method: ports.PayPix})
		if err != nil {
			t.Fatal(err)
		}
		if err := conformance.CheckBRCode(c.PixCopyPaste, amount); err != nil {
			t.Errorf("%d: %q: %v", amount, c.PixCopyPaste, err)
		}
		if !strings.Contains(c.PixCopyPaste, "FARMACIA SAO JOAO DA ESQU") || !strings.Contains(c.PixCopyPaste, p.PixKey()) {
			t.Errorf("name or key missing: %q", c.PixCopyPaste)
		}
	}
	// A URL instead of a key.
	q := newSim(t, localpay.Settings{PixURL: "pix.example.com/qr/v2/cobv/9d36b84f"})
	c, _ := q.CreateCharge(context.Background(), ports.ChargeRequest{Amount: 500, Method: ports.PayPix})
	if err := conformance.CheckBRCode(c.PixCopyPaste, 500); err != nil || !strings.Contains(c.PixCopyPaste, "25") {
		t.Errorf("url code %q: %v", c.PixCopyPaste, err)
	}
	// The validator refuses a broken CRC, a wrong amount and a lying length.
	bad := c.PixCopyPaste[:len(c.PixCopyPaste)-1] + "0"
	if bad != c.PixCopyPaste && conformance.CheckBRCode(bad, 500) == nil {
		t.Error("a wrong CRC passed")
	}
	if conformance.CheckBRCode(c.PixCopyPaste, 501) == nil {
		t.Error("a wrong amount passed")
	}
}

func TestPixExpires(t *testing.T) {
	p := newSim(t, localpay.Settings{})
	ctx := context.Background()
	c, err := p.CreateCharge(ctx, ports.ChargeRequest{Amount: 100, Method: ports.PayPix, ExpiresAt: time.Now().Add(100 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		got, _ := p.Charge(ctx, c.ID)
		if got.Status == ports.ChargeExpired {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status %q, want expired", got.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := p.Pay(ctx, c.ID); kernel.KindOf(err) != kernel.KindConflict {
		t.Errorf("paying an expired code: %v, want conflict", err)
	}
	evs := p.Events()
	if len(evs) != 1 || evs[0].Type != ports.EventChargeExpired || evs[0].ChargeID != c.ID {
		t.Errorf("events = %+v, want one charge.expired", evs)
	}
}

func TestCardTokensAndFail(t *testing.T) {
	p := newSim(t, localpay.Settings{FailNext: 1})
	ctx := context.Background()
	c, _ := p.CreateCharge(ctx, ports.ChargeRequest{Amount: 100, Method: ports.PayPix})
	if c.Status != ports.ChargeFailed {
		t.Errorf("FailNext 1: first charge %q, want failed", c.Status)
	}
	c, _ = p.CreateCharge(ctx, ports.ChargeRequest{Amount: 100, Method: ports.PayCard, CardToken: localpay.TokenInsufficientFunds, Capture: true})
	if c.Status != ports.ChargeFailed || c.FailureReason != localpay.ReasonInsufficientFunds {
		t.Errorf("insufficient funds = %+v", c)
	}
	_, err := p.CreateCharge(ctx, ports.ChargeRequest{Amount: 100, Method: ports.PayCard, CardToken: "tok_what"})
	if kernel.KindOf(err) != kernel.KindInvalid {
		t.Errorf("unknown token: %v", err)
	}
	c, _ = p.CreateCharge(ctx, ports.ChargeRequest{Amount: 100, Method: ports.PayPix})
	got, err := p.Fail(ctx, c.ID, "")
	if err != nil || got.Status != ports.ChargeFailed {
		t.Errorf("Fail = %+v %v", got, err)
	}
	if _, err := p.Pay(ctx, "ch_nope"); kernel.KindOf(err) != kernel.KindNotFound {
		t.Errorf("pay unknown: %v", err)
	}
}

func TestRestartKeepsPendingChargesAndEvents(t *testing.T) {
	file := filepath.Join(t.TempDir(), "data", "localpay.json") // the folder is created
	ctx := context.Background()
	p, err := localpay.New(localpay.Settings{WebhookSecret: secret, File: file, WebhookURL: "http://127.0.0.1:1/unreachable",
		RetryBase: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := p.CreateCharge(ctx, ports.ChargeRequest{Reference: "order-1", Amount: 1500, Method: ports.PayPix})
	card, _ := p.CreateCharge(ctx, ports.ChargeRequest{Amount: 900, Method: ports.PayCard, Capture: true})
	key := p.PixKey()
	p.Close()
	b, err := os.ReadFile(file)
	if err != nil || !strings.Contains(string(b), c.ID) {
		t.Fatalf("state file: %v %s", err, b)
	}
	if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(file), ".localpay-*")); len(matches) != 0 {
		t.Errorf("temporary files left: %v", matches)
	}

	got := make(chan []byte, 16)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- b
	}))
	defer rcv.Close()
	q := newSim(t, localpay.Settings{File: file, WebhookURL: rcv.URL})
	if q.PixKey() != key {
		t.Errorf("pix key changed across restarts: %s, %s", key, q.PixKey())
	}
	r, err := q.Charge(ctx, c.ID)
	if err != nil || r.Status != ports.ChargePending || r.PixCopyPaste != c.PixCopyPaste {
		t.Fatalf("after restart: %+v %v", r, err)
	}
	if _, err := q.Pay(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Refund(ctx, ports.RefundRequest{ChargeID: card.ID, Amount: 900}); err != nil {
		t.Fatal(err)
	}
	// The card's charge.succeeded, undelivered before the restart, arrives now.
	timeout := time.After(5 * time.Second)
	for seen := map[string]bool{}; !seen[card.ID+ports.EventChargeSucceeded] || !seen[card.ID+ports.EventRefundSucceeded] || !seen[c.ID+ports.EventChargeSucceeded]; {
		select {
		case b := <-got:
			var ev struct {
				Type string `json:"type"`
				Data struct {
					ChargeID string `json:"charge_id"`
				} `json:"data"`
			}
			_ = json.Unmarshal(b, &ev)
			seen[ev.Data.ChargeID+ev.Type] = true
		case <-timeout:
			t.Fatalf("events after restart: %v", seen)
		}
	}
}

func TestSetWebhookURL(t *testing.T) {
	p := newSim(t, localpay.Settings{WebhookURL: "http://127.0.0.1:1/not-yet"})
	got := make(chan string, 4)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if _, err := p.VerifyEvent(r.Context(), map[string]string{localpay.SignatureHeader: r.Header.Get(localpay.SignatureHeader)}, b); err != nil {
			t.Errorf("delivered event does not verify: %v", err)
		}
		got <- string(b)
	}))
	defer rcv.Close()
	c, _ := p.CreateCharge(context.Background(), ports.ChargeRequest{Amount: 100, Method: ports.PayCard, Capture: true})
	p.SetWebhookURL(rcv.URL)
	select {
	case b := <-got:
		if !strings.Contains(b, c.ID) {
			t.Errorf("delivered %s", b)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the queued event did not follow the new URL")
	}
}
