package commerce_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

// TestPlanToDelivery is the journey: a physician's and a
// nutritionist's plans turn into purchase options from a pharmacy, a market
// and a gym near the patient; the patient orders from each and pays with Pix
// through the local simulator (its signed webhook moves each order to paid);
// the pharmacy accepts and dispenses through its API key, the market through
// its staff; the partners' webhook servers receive signed events that a
// Standard Webhooks library verifies; and nothing a partner reads carries the
// plans' text, a diagnosis or, outside the pharmacy's own prescription order,
// a drug.
func TestPlanToDelivery(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		pat := harness.SignUpPatient(t, h)
		doctor := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dra. Helena Prado"})
		nutri := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Bia Nutri", Profession: "nutritionist",
			Specialties: []string{"clinical_nutrition"}})
		until := time.Now().Add(30 * 24 * time.Hour).Format(time.RFC3339)
		for _, p := range []harness.Account{doctor, nutri} {
			h.Post(t, "/v1/me/record-shares", pat.Token, map[string]any{"professional_id": p.ID, "until": until}).Want(t, http.StatusCreated)
		}
		today := time.Now().Format("2006-01-02")
		const secretPlanText, diagnosis = "Controle da hipertensão arterial", "hipertensão estágio 2"
		h.Post(t, "/v1/patients/"+pat.ID+"/evaluations", doctor.Token, map[string]any{"kind": "detailed", "chief_complaint": "cefaleia",
			"assessment": diagnosis, "icd10": []string{"I10"}, "plan": "losartana", "sign": true}).Want(t, http.StatusCreated)
		docPlan := h.Post(t, "/v1/patients/"+pat.ID+"/treatment-plans", doctor.Token, map[string]any{"title": secretPlanText, "start": today,
			"status": "active", "items": []any{map[string]any{"kind": "medication", "name": "Losartana 50 mg", "dosage": "1 comprimido",
				"frequency": "1x ao dia", "tags": []string{"drug:losartana"}}}}).Want(t, http.StatusCreated).Map(t)
		nutriPlan := h.Post(t, "/v1/patients/"+pat.ID+"/treatment-plans", nutri.Token, map[string]any{"title": "Reeducação alimentar e natação",
			"start": today, "status": "active", "items": []any{
				map[string]any{"kind": "diet", "name": "Aveia em flocos", "quantity": "40 g/dia", "tags": []string{"food:aveia"}},
				map[string]any{"kind": "exercise", "name": "Natação", "frequency": "3x por semana", "needs_gym": true, "tags": []string{"activity:natacao"}},
			}}).Want(t, http.StatusCreated).Map(t)
		rx := h.Post(t, "/v1/patients/"+pat.ID+"/prescriptions", doctor.Token, map[string]any{"type": "simple", "items": []any{map[string]any{
			"drug": "Losartana potássica", "active_ingredient": "Losartana potássica", "concentration": "50 mg", "form": "comprimido",
			"dosage": "1 comprimido a cada 24 horas", "quantity": "30 comprimidos", "route": "oral"}}}).Want(t, http.StatusCreated).Map(t)

		pharm := harness.SignUpVerifiedCompany(t, h, "pharmacy")
		market := harness.SignUpVerifiedCompany(t, h, "market")
		marketStaff := harness.AddCompanyStaff(t, h, market, "staff")
		gym := harness.SignUpVerifiedCompany(t, h, "gym")
		put := func(co harness.Account, sku string, body map[string]any) {
			h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/companies/" + co.CompanyID + "/catalog/" + sku, Token: co.Token, Body: body}).Want(t, http.StatusCreated)
		}
		near := map[string]any{"pickup": true, "delivery": map[string]any{"radius_km": 15, "fee": map[string]any{"amount": 700, "currency": "BRL"}}}
		put(pharm, "LOS-50", map[string]any{"name": "Losartana Potássica 50 mg 30 comprimidos", "kind": "medication", "tags": []string{"drug:losartana"},
			"active_ingredient": "Losartana potássica", "concentration": "50 mg", "form": "comprimido", "requires_prescription": true,
			"price": map[string]any{"amount": 1890, "currency": "BRL"}, "stock": 5, "fulfilment": near})
		put(market, "AVEIA-500", map[string]any{"name": "Aveia em flocos 500 g", "kind": "food", "tags": []string{"food:aveia"},
			"price": map[string]any{"amount": 1249, "currency": "BRL"}, "stock": 40, "fulfilment": near})
		put(gym, "NATACAO-MENSAL", map[string]any{"name": "Plano mensal de natação", "kind": "gym_plan", "tags": []string{"activity:natacao"},
			"price": map[string]any{"amount": 18900, "currency": "BRL"}, "fulfilment": map[string]any{"pickup": true}})

		// partners' webhook servers, verified with the Standard Webhooks library
		receivers := map[string]*partnerServer{}
		for name, co := range map[string]harness.Account{"pharmacy": pharm, "market": market} {
			rcv := newPartner(t)
			var ep struct {
				Secret string `json:"secret"`
			}
			h.Post(t, "/v1/companies/"+co.CompanyID+"/webhooks", co.Token, map[string]any{"url": rcv.URL + "/hooks",
				"events": []string{"order.created", "order.paid", "prescription.dispensed"}}).Want(t, http.StatusCreated).JSON(t, &ep)
			rcv.trust(ep.Secret)
			receivers[name] = rcv
		}

		// purchase options: each plan item finds its partner, the baskets cover both
		type options struct {
			Items []struct {
				Name   string `json:"name"`
				Offers []struct {
					CompanyID string `json:"company_id"`
					SKU       string `json:"sku"`
				} `json:"offers"`
				Uncovered bool `json:"uncovered"`
			} `json:"items"`
			Baskets struct {
				Cheapest struct {
					Lines []struct {
						CompanyID string `json:"company_id"`
						SKU       string `json:"sku"`
					} `json:"lines"`
				} `json:"cheapest"`
			} `json:"baskets"`
		}
		offered := func(planID, token string) map[string]string {
			var o options
			h.Get(t, "/v1/treatment-plans/"+planID+"/purchase-options", token).Want(t, http.StatusOK).JSON(t, &o)
			got := map[string]string{}
			for _, it := range o.Items {
				if it.Uncovered || len(it.Offers) == 0 {
					t.Errorf("plan item %q has no offer", it.Name)
					continue
				}
				got[it.Offers[0].SKU] = it.Offers[0].CompanyID
			}
			if len(o.Baskets.Cheapest.Lines) != len(o.Items) {
				t.Errorf("cheapest basket covers %d of %d items", len(o.Baskets.Cheapest.Lines), len(o.Items))
			}
			return got
		}
		if got := offered(docPlan["id"].(string), pat.Token); got["LOS-50"] != pharm.CompanyID {
			t.Errorf("physician's plan offers %v", got)
		}
		if got := offered(nutriPlan["id"].(string), nutri.Token); got["AVEIA-500"] != market.CompanyID || got["NATACAO-MENSAL"] != gym.CompanyID {
			t.Errorf("nutritionist's plan offers %v", got)
		}

		// orders, each paid with Pix through the simulator
		type order struct {
			ID     string `json:"id"`
			Status string `json:"status"`
			Total  struct {
				Amount int64 `json:"amount"`
			} `json:"total"`
		}
		place := func(body map[string]any) order {
			var o order
			h.Do(t, harness.Req{Method: http.MethodPost, Path: "/v1/orders", Token: pat.Token, Body: body,
				Headers: map[string]string{"Idempotency-Key": fmt.Sprintf("journey-%v-%d", body["company_id"], time.Now().UnixNano())}}).
				Want(t, http.StatusCreated).JSON(t, &o)
			if o.Status != "created" {
				t.Fatalf("new order %+v", o)
			}
			return o
		}
		rxOrder := place(map[string]any{"company_id": pharm.CompanyID, "items": []any{map[string]any{"sku": "LOS-50", "quantity": 1}},
			"fulfilment": map[string]any{"method": "pickup"}, "prescription_id": rx["id"], "plan_id": docPlan["id"]})
		foodOrder := place(map[string]any{"company_id": market.CompanyID, "items": []any{map[string]any{"sku": "AVEIA-500", "quantity": 2}},
			"fulfilment": map[string]any{"method": "delivery", "address": harness.SaoPaulo()}, "plan_id": nutriPlan["id"]})
		gymOrder := place(map[string]any{"company_id": gym.CompanyID, "items": []any{map[string]any{"sku": "NATACAO-MENSAL", "quantity": 1}},
			"fulfilment": map[string]any{"method": "pickup"}})
		if rxOrder.Total.Amount != 1890 || foodOrder.Total.Amount != 2*1249+700 || gymOrder.Total.Amount != 18900 {
			t.Errorf("totals %d %d %d", rxOrder.Total.Amount, foodOrder.Total.Amount, gymOrder.Total.Amount)
		}
		for _, o := range []order{rxOrder, foodOrder, gymOrder} {
			var pay struct {
				ChargeID     string `json:"charge_id"`
				Status       string `json:"status"`
				PixCopyPaste string `json:"pix_copy_paste"`
				Amount       struct {
					Amount int64 `json:"amount"`
				} `json:"amount"`
			}
			h.Do(t, harness.Req{Method: http.MethodPost, Path: "/v1/orders/" + o.ID + "/payments", Token: pat.Token, Body: map[string]any{"method": "pix"},
				Headers: map[string]string{"Idempotency-Key": "pay-" + o.ID}}).Want(t, http.StatusCreated).JSON(t, &pay)
			if pay.Status != "pending" || !strings.HasPrefix(pay.PixCopyPaste, "000201") || pay.Amount.Amount != o.Total.Amount || pay.ChargeID == "" {
				t.Fatalf("payment of %s: %+v", o.ID, pay)
			}
			h.Post(t, "/dev/localpay/charges/"+pay.ChargeID+"/pay", "", nil).Want(t, http.StatusOK)
		}
		for _, o := range []order{rxOrder, foodOrder, gymOrder} {
			harness.Eventually(t, 20*time.Second, func() error {
				var cur order
				h.Get(t, "/v1/orders/"+o.ID, pat.Token).Want(t, http.StatusOK).JSON(t, &cur)
				if cur.Status != "paid" {
					return fmt.Errorf("order %s is %s", o.ID, cur.Status)
				}
				return nil
			})
		}

		// the pharmacy works through its API key (accept, prepare, ready = dispensed, delivered)
		var key struct {
			Secret string `json:"secret"`
		}
		h.Post(t, "/v1/companies/"+pharm.CompanyID+"/api-keys", pharm.Token, map[string]any{"name": "ERP da farmácia",
			"scopes": []string{"orders:read", "orders:write", "prescriptions:dispense"}}).Want(t, http.StatusCreated).JSON(t, &key)
		for _, step := range []string{"accept", "prepare", "ready", "deliver"} {
			h.Post(t, "/v1/orders/"+rxOrder.ID+"/"+step, key.Secret, nil).Want(t, http.StatusOK)
		}
		h.Post(t, "/v1/orders/"+rxOrder.ID+"/deliver", key.Secret, nil).Want(t, http.StatusConflict) // delivered already
		v := h.Get(t, "/v1/prescription-verifications/"+rx["verification_code"].(string), "").Want(t, http.StatusOK).Map(t)
		if v["dispensed"] != true {
			t.Errorf("the prescription was not dispensed: %v", v)
		}
		// the market works through its staff; a delivery goes out and arrives
		for _, step := range []string{"accept", "prepare", "dispatch", "deliver"} {
			h.Post(t, "/v1/orders/"+foodOrder.ID+"/"+step, marketStaff.Token, nil).Want(t, http.StatusOK)
		}
		var mine struct {
			Items []order `json:"items"`
		}
		h.Get(t, "/v1/me/orders", pat.Token).Want(t, http.StatusOK).JSON(t, &mine)
		states := map[string]string{}
		for _, o := range mine.Items {
			states[o.ID] = o.Status
		}
		if states[rxOrder.ID] != "delivered" || states[foodOrder.ID] != "delivered" || states[gymOrder.ID] != "paid" {
			t.Errorf("my orders: %v", states)
		}

		// webhooks: each receiver verified order.created and order.paid for its order; the pharmacy also its dispensation
		want := map[string][]string{"pharmacy": {"order.created", "order.paid", "prescription.dispensed"}, "market": {"order.created", "order.paid"}}
		for name, rcv := range receivers {
			harness.Eventually(t, 30*time.Second, func() error {
				seen := map[string]int{}
				for _, r := range rcv.received() {
					var b webhookBody
					if err := json.Unmarshal(r.Body, &b); err != nil {
						return err
					}
					seen[b.Type]++
				}
				for _, typ := range want[name] {
					if seen[typ] == 0 {
						return fmt.Errorf("%s has not received %s (got %v)", name, typ, seen)
					}
				}
				return nil
			})
			rcv.mu.Lock()
			bad := rcv.bad
			rcv.mu.Unlock()
			if bad != 0 {
				t.Errorf("%s received %d requests its library could not verify", name, bad)
			}
		}

		// what partners read: their boards and orders, and every webhook body
		partnerReads := map[string][]string{}
		for name, co := range map[string]harness.Account{"pharmacy": pharm, "market": market, "gym": gym} {
			partnerReads[name] = append(partnerReads[name], string(h.Get(t, "/v1/companies/"+co.CompanyID+"/orders", co.Token).Want(t, http.StatusOK).Body))
		}
		partnerReads["market"] = append(partnerReads["market"], string(h.Get(t, "/v1/orders/"+foodOrder.ID, marketStaff.Token).Want(t, http.StatusOK).Body))
		for name, rcv := range receivers {
			for _, r := range rcv.received() {
				partnerReads[name] = append(partnerReads[name], string(r.Body))
			}
		}
		never := []string{secretPlanText, diagnosis, "I10", "hipertens", docPlan["id"].(string), nutriPlan["id"].(string), pat.Email, pat.ID}
		for name, bodies := range partnerReads {
			forbidden := never
			if name != "pharmacy" {
				forbidden = append(forbidden, "osartana", rx["id"].(string), rx["verification_code"].(string))
			}
			for _, b := range bodies {
				for _, f := range forbidden {
					if strings.Contains(strings.ToLower(b), strings.ToLower(f)) {
						t.Errorf("%s read %q in %s", name, f, b)
					}
				}
			}
		}
	})
}
