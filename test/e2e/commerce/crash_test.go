package commerce_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/multisaude/multisaude/test/e2e/harness"
	"github.com/multisaude/multisaude/test/testdb"
)

// TestOrderEventSurvivesARestart: a server commits an order (its order.created
// event is in the outbox with it) and stops before any worker delivered it; a
// new server on the same database delivers it, and the partner's receiver sees
// one webhook-id for that event however often it arrives.
func TestOrderEventSurvivesARestart(t *testing.T) {
	for _, d := range testdb.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			dbURL, dir := testdb.URL(t, d), t.TempDir()
			same := []harness.Option{harness.WithEnv("MULTISAUDE_DATABASE_URL", dbURL), harness.WithEnv("MULTISAUDE_DATA_DIR", dir)}
			rcv := newPartner(t)
			var orderID string
			t.Run("before the crash", func(t *testing.T) {
				h := harness.Start(t, d, append(same, harness.WithoutWorkers())...)
				pat := harness.SignUpPatient(t, h)
				shop := harness.SignUpVerifiedCompany(t, h, "market")
				h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/companies/" + shop.CompanyID + "/catalog/AVEIA", Token: shop.Token,
					Body: map[string]any{"name": "Aveia em flocos 500 g", "kind": "food", "tags": []string{"food:aveia"},
						"price": map[string]any{"amount": 1249, "currency": "BRL"}, "fulfilment": map[string]any{"pickup": true}}}).Want(t, http.StatusCreated)
				var ep struct {
					Secret string `json:"secret"`
				}
				h.Post(t, "/v1/companies/"+shop.CompanyID+"/webhooks", shop.Token, map[string]any{"url": rcv.URL, "events": []string{"order.created"}}).
					Want(t, http.StatusCreated).JSON(t, &ep)
				rcv.trust(ep.Secret)
				var o struct {
					ID string `json:"id"`
				}
				h.Do(t, harness.Req{Method: http.MethodPost, Path: "/v1/orders", Token: pat.Token, Headers: map[string]string{"Idempotency-Key": "crash-1"},
					Body: map[string]any{"company_id": shop.CompanyID, "items": []any{map[string]any{"sku": "AVEIA", "quantity": 1}},
						"fulfilment": map[string]any{"method": "pickup"}}}).Want(t, http.StatusCreated).JSON(t, &o)
				orderID = o.ID
			})
			if orderID == "" {
				t.Fatal("no order was placed")
			}
			if got := rcv.received(); len(got) != 0 {
				t.Fatalf("delivered before the restart: %d", len(got))
			}
			harness.Start(t, d, same...) // the restarted server, with its workers
			var ids map[string]int
			harness.Eventually(t, 30*time.Second, func() error {
				ids = map[string]int{}
				for _, r := range rcv.received() {
					var b webhookBody
					if err := json.Unmarshal(r.Body, &b); err != nil {
						return err
					}
					if b.Type == "order.created" && b.Data["order_id"] == orderID {
						ids[r.ID]++
					}
				}
				if len(ids) == 0 {
					bodies := []string{}
					for _, r := range rcv.received() {
						bodies = append(bodies, string(r.Body))
					}
					return fmt.Errorf("not delivered yet (received %v)", bodies)
				}
				return nil
			})
			time.Sleep(2 * time.Second) // room for a duplicate to show up
			if len(ids) != 1 {
				t.Errorf("order.created of %s arrived under %d webhook-ids: %v", orderID, len(ids), ids)
			}
		})
	}
}
