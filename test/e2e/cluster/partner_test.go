package cluster

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/multisaude/multisaude/adapters/payments/localpay"
	"github.com/multisaude/multisaude/core/kernel"
)

// partner is a company's webhook receiver: it verifies every request with the
// Standard Webhooks library against the endpoint's secret and keeps what
// verified.
type partner struct {
	*httptest.Server
	mu     sync.Mutex
	secret string
	got    []delivery
	bad    int
}

type delivery struct {
	ID   string // webhook-id
	Body []byte
	Type string
	// OrderID is data.order_id of an order event.
	OrderID string
}

func newPartner(t *testing.T) *partner {
	p := &partner{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		defer p.mu.Unlock()
		wh, err := standardwebhooks.NewWebhook(p.secret)
		if err != nil || wh.Verify(body, r.Header) != nil {
			p.bad++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var b struct {
			Type string `json:"type"`
			Data struct {
				OrderID string `json:"order_id"`
			} `json:"data"`
		}
		_ = json.Unmarshal(body, &b)
		p.got = append(p.got, delivery{ID: r.Header.Get("webhook-id"), Body: body, Type: b.Type, OrderID: b.Data.OrderID})
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *partner) trust(secret string) {
	p.mu.Lock()
	p.secret = secret
	p.mu.Unlock()
}

func (p *partner) received() ([]delivery, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]delivery(nil), p.got...), p.bad
}

// eventKey names one partner event: its type and order.
type eventKey struct{ typ, order string }

// checkOnce checks the contract on what the partner received: per (type,
// order) at most one webhook-id (a second id would be the event raised
// twice), and every repeat of a webhook-id carries the same body (at-least-once
// delivery, deduplicated by id). It returns the webhook-ids by event and how
// many repeats arrived.
func checkOnce(got []delivery) (map[eventKey]string, int, error) {
	ids := map[eventKey]string{}
	bodies := map[string]string{}
	repeats := 0
	for _, d := range got {
		k := eventKey{d.Type, d.OrderID}
		if prev, ok := ids[k]; ok && prev != d.ID {
			return nil, 0, fmt.Errorf("%s of order %s arrived under two webhook-ids %s and %s: the event was raised twice", d.Type, d.OrderID, prev, d.ID)
		}
		ids[k] = d.ID
		if b, ok := bodies[d.ID]; ok {
			repeats++
			if b != string(d.Body) {
				return nil, 0, fmt.Errorf("webhook-id %s repeated with another body:\n%s\n%s", d.ID, b, d.Body)
			}
		}
		bodies[d.ID] = string(d.Body)
	}
	return ids, repeats, nil
}

// localpayEvent is a charge.succeeded event of the localpay simulator for a
// payment, signed as the simulator signs: with the secret every instance
// derives from MULTISAUDE_SECRET (wire.localPayConfig). The onprem profile
// serves no payer routes (/dev/localpay), so the test plays the provider.
func localpayEvent(secret, chargeID, paymentID string, amount int64) (body []byte, signature string) {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("localpay-webhooks"))
	whSecret := hex.EncodeToString(m.Sum(nil))
	now := time.Now()
	body, _ = json.Marshal(map[string]any{"id": "evt_" + kernel.NewID(), "type": "charge.succeeded", "created": now.Unix(),
		"data": map[string]any{"charge_id": chargeID, "reference": paymentID, "amount": amount, "status": "succeeded"}})
	return body, localpay.Sign(body, whSecret, now)
}
