// Package erasure_test drives erasure requests over HTTP (LGPD art. 18, IV
// and VI): the decision per data class, the worker's effects on sign-in,
// tokens, the record, orders and the e-mail, a professional's erasure, and
// the daily retention purge.
package erasure_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore/commercesql"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/test/e2e/harness"
)

var sp, _ = time.LoadLocation("America/Sao_Paulo")

type erasureJSON struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	Pending   string `json:"pending"`
	Decisions []struct {
		Class       string     `json:"class"`
		Action      string     `json:"action"`
		Until       *time.Time `json:"until"`
		Explanation string     `json:"explanation"`
	} `json:"decisions"`
}

func (e erasureJSON) action(class string) string {
	for _, d := range e.Decisions {
		if d.Class == class {
			return d.Action
		}
	}
	return ""
}

// openAllDay publishes telemedicine availability every day, all day.
func openAllDay(t *testing.T, h *harness.H, pro harness.Account) {
	var weekly []map[string]any
	for _, d := range []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
		weekly = append(weekly, map[string]any{"weekday": d, "start": "00:00", "end": "24:00", "mode": "telemedicine"})
	}
	h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/professionals/" + pro.ID + "/availability", Token: pro.Token,
		Body: map[string]any{"time_zone": "America/Sao_Paulo", "slot_minutes": 30, "buffer_minutes": 0, "min_notice_hours": 2,
			"horizon_days": 30, "cancel_until_hours": 0, "weekly": weekly, "exceptions": []any{}}}).Want(t, http.StatusOK)
}

// book books the n-th slot two days ahead.
func book(t *testing.T, h *harness.H, pat, pro harness.Account, n int) string {
	day := time.Now().In(sp).AddDate(0, 0, 2).Format("2006-01-02")
	var slots struct {
		Items []struct {
			Start time.Time `json:"start"`
		} `json:"items"`
	}
	h.Get(t, "/v1/professionals/"+pro.ID+"/slots?from="+day+"&to="+day, "").Want(t, http.StatusOK).JSON(t, &slots)
	if len(slots.Items) <= n {
		t.Fatalf("slots = %d", len(slots.Items))
	}
	a := h.Post(t, "/v1/appointments", pat.Token, map[string]any{"professional_id": pro.ID, "start": slots.Items[n].Start.Format(time.RFC3339)}).
		Want(t, http.StatusCreated).Map(t)
	return a["id"].(string)
}

func waitDone(t *testing.T, h *harness.H, token, id string) erasureJSON {
	var e erasureJSON
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		// the subject's token stops working once the worker starts: read it
		// through the store's row status instead
		var status string
		if err := h.App.DB.NewSelect().Table("consent_erasures").Column("status").Where("id = ?", id).Scan(context.Background(), &status); err != nil {
			t.Fatal(err)
		}
		if status == "done" {
			e.Status = status
			return e
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("erasure %s not done in time", id)
	return e
}

func TestPatientErasure(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		ctx := context.Background()
		pro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dra. Agenda"})
		openAllDay(t, h, pro)
		pat := harness.SignUpPatient(t, h)
		stranger := harness.SignUpPatient(t, h)
		admin := harness.AdminLogin(t, h)

		past := book(t, h, pat, pro, 4)
		future := book(t, h, pat, pro, 6)
		until := time.Now().Add(30 * 24 * time.Hour).Format(time.RFC3339)
		h.Post(t, "/v1/me/record-shares", pat.Token, map[string]any{"professional_id": pro.ID, "until": until}).Want(t, http.StatusCreated)
		h.Post(t, "/v1/patients/"+pat.ID+"/evaluations", pro.Token, map[string]any{"kind": "simplified", "reason": "check-up", "appointment_id": past}).
			Want(t, http.StatusCreated)
		hist := "/v1/patients/" + pat.ID + "/history"
		h.Get(t, hist, pro.Token).Want(t, http.StatusOK)

		// an order from a pharmacy, delivered (settled) before the request
		pharm := harness.SignUpVerifiedCompany(t, h, "pharmacy")
		stock := int64(10)
		h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/companies/" + pharm.CompanyID + "/catalog/GEL-01", Token: pharm.Token,
			Body: map[string]any{"name": "Gel", "kind": "product", "price": map[string]any{"amount": 1590, "currency": "BRL"}, "stock": stock,
				"fulfilment": map[string]any{"pickup": true, "delivery": map[string]any{"radius_km": 15, "fee": map[string]any{"amount": 700, "currency": "BRL"}}},
				"tags":       []string{"product:gel"}}})
		ord := h.Post(t, "/v1/orders", pat.Token, map[string]any{"company_id": pharm.CompanyID, "items": []any{map[string]any{"sku": "GEL-01", "quantity": 1}},
			"fulfilment": map[string]any{"method": "delivery", "address": harness.SaoPaulo()}}).Want(t, http.StatusCreated).Map(t)
		orderID := ord["id"].(string)
		if _, err := commercesql.New(h.App.DB).UpdateOrder(ctx, orderID, func(o *commerce.Order) ([]kernel.Event, error) {
			at := time.Now().UTC()
			o.PaidAt, o.Status = &at, commerce.OrderDelivered
			return nil, nil
		}); err != nil {
			t.Fatal(err)
		}
		if b := string(h.Get(t, "/v1/orders/"+orderID, pharm.Token).Want(t, http.StatusOK).Body); !strings.Contains(b, "Avenida Paulista") && !strings.Contains(b, "recipient") {
			t.Logf("partner view before: %s", b)
		}

		// confirmation required, field by field
		p := h.Post(t, "/v1/me/erasure-requests", pat.Token, map[string]any{"confirm": "sim"}).Want(t, http.StatusBadRequest).Problem(t)
		if !p.HasField("confirm") {
			t.Fatalf("problem does not name confirm: %+v", p)
		}
		h.Post(t, "/v1/me/erasure-requests", admin.Token, map[string]any{"confirm": "ELIMINAR"}).Want(t, http.StatusForbidden)

		r := h.Post(t, "/v1/me/erasure-requests", pat.Token, map[string]any{"confirm": "ELIMINAR"}).Want(t, http.StatusAccepted)
		var e erasureJSON
		r.JSON(t, &e)
		want := map[string]string{"account": "anonymise_now", "clinical_records": "block_until", "appointments": "block_until",
			"orders": "retain_until", "payments": "retain_until", "notifications": "delete_now", "marketing": "delete_now",
			"consents": "keep", "audit_trail": "keep"}
		for class, action := range want {
			if got := e.action(class); got != action {
				t.Errorf("%s: %q, want %q", class, got, action)
			}
		}
		for _, d := range e.Decisions {
			if d.Class == "clinical_records" && (d.Until == nil || d.Until.Year() != time.Now().Year()+20 || !strings.Contains(d.Explanation, "Lei 13.787/2018")) {
				t.Errorf("clinical decision: %+v", d)
			}
		}
		if e.Pending == "" || r.Header.Get("Location") != "/v1/me/erasure-requests/"+e.ID {
			t.Errorf("pending %q, location %q", e.Pending, r.Header.Get("Location"))
		}
		h.Get(t, "/v1/me/erasure-requests/"+e.ID, stranger.Token).Want(t, http.StatusNotFound)
		h.Get(t, "/v1/me/erasure-requests/not-an-id", stranger.Token).Want(t, http.StatusNotFound)
		h.Get(t, "/v1/admin/erasure-requests", stranger.Token).Want(t, http.StatusForbidden)
		list := string(h.Get(t, "/v1/admin/erasure-requests", admin.Token).Want(t, http.StatusOK).Body)
		if !strings.Contains(list, e.ID) || strings.Contains(list, pat.Email) || strings.Contains(list, "Maria") {
			t.Errorf("admin list: %s", list)
		}

		waitDone(t, h, pat.Token, e.ID)

		// sign-in refused, the old token refused
		res := h.Post(t, "/v1/auth/token", "", map[string]any{"grant_type": "password", "email": pat.Email, "password": pat.Password})
		if res.Status != http.StatusUnauthorized && res.Status != http.StatusBadRequest {
			t.Errorf("sign-in after erasure: %d %s", res.Status, res.Body)
		}
		h.Get(t, "/v1/me", pat.Token).Want(t, http.StatusUnauthorized)
		// the professional sees the record blocked
		bl := h.Get(t, hist, pro.Token).Want(t, http.StatusNotFound).Problem(t)
		if !strings.Contains(bl.Detail, "bloqueado") {
			t.Errorf("blocked record's notice: %+v", bl)
		}
		// the future appointment was cancelled
		ap := h.Get(t, "/v1/appointments/"+future, pro.Token).Want(t, http.StatusOK).Map(t)
		if ap["status"] != "cancelled" {
			t.Errorf("future appointment: %v", ap["status"])
		}
		// the partner sees no name nor address
		b := string(h.Get(t, "/v1/orders/"+orderID, pharm.Token).Want(t, http.StatusOK).Body)
		if strings.Contains(b, "Paulista") || strings.Contains(b, "Maria") || strings.Contains(b, `"address"`) {
			t.Errorf("partner view after erasure: %s", b)
		}
		// the e-mail is free for a new sign-up
		body := harness.PatientBody()
		body["email"], body["cpf"] = pat.Email, pat.CPF
		h.Post(t, "/v1/patients", "", body).Want(t, http.StatusCreated)
		// running the worker again changes nothing: the request stays done
		n, _ := h.App.DB.NewSelect().Table("consent_erasures").Where("subject_id = ? AND status = 'done'", pat.ID).Count(ctx)
		if n != 1 {
			t.Errorf("done requests = %d", n)
		}
	})
}

func TestProfessionalErasure(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		pro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dr. Sai"})
		openAllDay(t, h, pro)
		pat := harness.SignUpPatient(t, h)
		appt := book(t, h, pat, pro, 5)
		var e erasureJSON
		h.Post(t, "/v1/me/erasure-requests", pro.Token, map[string]any{"confirm": "ELIMINAR"}).Want(t, http.StatusAccepted).JSON(t, &e)
		if e.action("professional_profile") != "anonymise_now" || e.action("clinical_records") != "" {
			t.Errorf("professional decisions: %+v", e.Decisions)
		}
		h.Post(t, "/v1/me/erasure-requests", pro.Token, map[string]any{"confirm": "ELIMINAR"}) // 409 or 401, depending on the worker
		waitDone(t, h, pro.Token, e.ID)
		res := h.Post(t, "/v1/auth/token", "", map[string]any{"grant_type": "password", "email": pro.Email, "password": pro.Password})
		if res.Status != http.StatusUnauthorized && res.Status != http.StatusBadRequest {
			t.Errorf("sign-in after erasure: %d", res.Status)
		}
		h.Get(t, "/v1/me", pro.Token).Want(t, http.StatusUnauthorized)
		ap := h.Get(t, "/v1/appointments/"+appt, pat.Token).Want(t, http.StatusOK).Map(t)
		if ap["status"] != "cancelled" {
			t.Errorf("the patient's appointment: %v", ap["status"])
		}
		if strings.Contains(string(h.Get(t, "/v1/professionals?specialty=cardiology", "").Body), pro.ID) {
			t.Errorf("the erased professional is still in search")
		}
	})
}

func TestRetentionPurge(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		ctx := context.Background()
		pro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dra. Arquivo"})
		old, recent := harness.SignUpPatient(t, h), harness.SignUpPatient(t, h)
		until := time.Now().Add(30 * 24 * time.Hour).Format(time.RFC3339)
		for _, p := range []harness.Account{old, recent} {
			h.Post(t, "/v1/me/record-shares", p.Token, map[string]any{"professional_id": pro.ID, "until": until}).Want(t, http.StatusCreated)
			h.Post(t, "/v1/patients/"+p.ID+"/evaluations", pro.Token, map[string]any{"kind": "simplified", "reason": "check-up"}).Want(t, http.StatusCreated)
		}
		// the old patient's last entry was 20 years and a day ago
		oldAt := time.Now().UTC().AddDate(-20, 0, -1)
		if _, err := h.App.DB.NewUpdate().Table("clinical_evaluations").Set("created_at = ?", oldAt).Set("first_at = ?", oldAt).
			Where("patient_id = ?", old.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		// the purge seeded at start runs now
		if _, err := h.App.DB.NewUpdate().Table("scheduled_jobs").Set("due_at = 0").Where("id = ?", "consent-retention-purge").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		count := func(id string) int64 {
			n, err := h.App.DB.NewSelect().Table("clinical_evaluations").Where("patient_id = ?", id).Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		deadline := time.Now().Add(20 * time.Second)
		for count(old.ID) > 0 {
			if time.Now().After(deadline) {
				t.Fatal("the old record was not purged")
			}
			time.Sleep(100 * time.Millisecond)
		}
		if count(recent.ID) == 0 {
			t.Fatal("the recent record was purged")
		}
		// the next run is scheduled again
		deadline = time.Now().Add(10 * time.Second)
		for {
			n, _ := h.App.DB.NewSelect().Table("scheduled_jobs").Where("id = ? AND due_at > 0", "consent-retention-purge").Count(ctx)
			if n == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the next purge was not scheduled")
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}
