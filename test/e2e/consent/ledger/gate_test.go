package ledger_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore/consentsql"
	"github.com/multisaude/multisaude/test/e2e/harness"
)

var sp, _ = time.LoadLocation("America/Sao_Paulo")

type slot struct {
	Start time.Time `json:"start"`
	Mode  string    `json:"mode"`
}

// allDay offers in-person slots in the morning and telemedicine in the afternoon, every day.
func allDay() map[string]any {
	var weekly []map[string]any
	for _, d := range []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
		weekly = append(weekly, map[string]any{"weekday": d, "start": "00:00", "end": "12:00", "mode": "in_person"},
			map[string]any{"weekday": d, "start": "12:00", "end": "24:00", "mode": "telemedicine"})
	}
	return map[string]any{"time_zone": "America/Sao_Paulo", "slot_minutes": 30, "buffer_minutes": 0, "min_notice_hours": 2,
		"horizon_days": 30, "cancel_until_hours": 0, "weekly": weekly, "exceptions": []any{}}
}

func slotsByMode(t *testing.T, h *harness.H, proID string, day time.Time) (inPerson, tele []slot) {
	t.Helper()
	d := day.In(sp).Format("2006-01-02")
	var l struct {
		Items []slot `json:"items"`
	}
	h.Get(t, "/v1/professionals/"+proID+"/slots?from="+d+"&to="+d, "").Want(t, http.StatusOK).JSON(t, &l)
	for _, s := range l.Items {
		if s.Mode == "telemedicine" {
			tele = append(tele, s)
		} else {
			inPerson = append(inPerson, s)
		}
	}
	if len(inPerson) < 3 || len(tele) < 3 {
		t.Fatalf("slots on %s: %d in person, %d telemedicine", d, len(inPerson), len(tele))
	}
	return inPerson, tele
}

func book(t *testing.T, h *harness.H, a harness.Account, proID string, s slot) *harness.Resp {
	t.Helper()
	return h.Post(t, "/v1/appointments", a.Token, map[string]any{"professional_id": proID, "start": s.Start.Format(time.RFC3339), "mode": s.Mode})
}

func TestTelemedicineNeedsConsent(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		pro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{})
		h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/professionals/" + pro.ID + "/availability", Token: pro.Token, Body: allDay()}).Want(t, http.StatusOK)
		pat := harness.SignUpPatientWithoutConsents(t, h)
		inPerson, tele := slotsByMode(t, h, pro.ID, time.Now().In(sp).AddDate(0, 0, 3))

		// Without the telemedicine consent: remote refused naming the term, in person fine.
		consentProblem(t, book(t, h, pat, pro.ID, tele[0]), "telemedicine")
		consentProblem(t, book(t, h, pat, pro.ID, tele[0]), "telemedicine") // and again (no fast path lets it through)
		var inp struct {
			ID string `json:"id"`
		}
		book(t, h, pat, pro.ID, inPerson[0]).Want(t, http.StatusCreated).JSON(t, &inp)
		// care is recorded on another basis: granting or revoking it changes nothing here.
		harness.RevokeConsents(t, h, pat, "care")
		book(t, h, pat, pro.ID, inPerson[1]).Want(t, http.StatusCreated)
		// Rescheduling the in-person appointment into a remote slot is refused too.
		consentProblem(t, h.Post(t, "/v1/appointments/"+inp.ID+"/reschedule", pat.Token, map[string]any{"start": tele[1].Start.Format(time.RFC3339)}), "telemedicine")

		// After the grant: accepted, and the reschedule into telemedicine too.
		harness.GrantConsents(t, h, pat, "telemedicine")
		book(t, h, pat, pro.ID, tele[0]).Want(t, http.StatusCreated)
		h.Post(t, "/v1/appointments/"+inp.ID+"/reschedule", pat.Token, map[string]any{"start": tele[1].Start.Format(time.RFC3339)}).Want(t, http.StatusOK)

		// Revocation takes effect at once; in person is still fine.
		harness.RevokeConsents(t, h, pat, "telemedicine")
		consentProblem(t, book(t, h, pat, pro.ID, tele[2]), "telemedicine")
		book(t, h, pat, pro.ID, inPerson[2]).Want(t, http.StatusCreated)
		// The appointments booked while the consent held are kept (not retroactive).
		var list struct {
			Items []struct {
				Status string `json:"status"`
				Mode   string `json:"mode"`
			} `json:"items"`
		}
		h.Get(t, "/v1/appointments", pat.Token).Want(t, http.StatusOK).JSON(t, &list)
		remote := 0
		for _, a := range list.Items {
			if a.Mode == "telemedicine" && a.Status == "confirmed" {
				remote++
			}
		}
		if remote != 2 {
			t.Errorf("%d confirmed telemedicine appointments after the revocation, want 2: %+v", remote, list.Items)
		}
		// A patient signed up through the harness (as the portal does) holds the consent.
		other := harness.SignUpPatient(t, h)
		book(t, h, other, pro.ID, tele[2]).Want(t, http.StatusCreated)
	})
}

func TestOrderNeedsPartnerSharing(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		pharm := harness.SignUpVerifiedCompany(t, h, "pharmacy")
		stock := 10
		h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/companies/" + pharm.CompanyID + "/catalog/GEL-01", Token: pharm.Token,
			Body: map[string]any{"name": "Gel redutor", "kind": "product", "price": map[string]any{"amount": 1590, "currency": "BRL"}, "stock": stock,
				"fulfilment": map[string]any{"pickup": true}, "tags": []string{"product:gel"}}}).Want(t, http.StatusCreated)
		pat := harness.SignUpPatientWithoutConsents(t, h)
		order := map[string]any{"company_id": pharm.CompanyID, "items": []any{map[string]any{"sku": "GEL-01", "quantity": 1}},
			"fulfilment": map[string]any{"method": "pickup"}}

		consentProblem(t, h.Post(t, "/v1/orders", pat.Token, order), "partner_sharing")
		store := consentsql.New(h.App.DB)
		if ds, err := store.ListDisclosures(context.Background(), pat.ID); err != nil || len(ds) != 0 {
			t.Fatalf("disclosures before any order: %v %+v", err, ds)
		}

		harness.GrantConsents(t, h, pat, "partner_sharing")
		var o struct {
			ID string `json:"id"`
		}
		h.Post(t, "/v1/orders", pat.Token, order).Want(t, http.StatusCreated).JSON(t, &o)
		ds, err := store.ListDisclosures(context.Background(), pat.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 1 {
			t.Fatalf("disclosures after the order: %+v", ds)
		}
		d := ds[0]
		if d.SubjectID != pat.ID || d.RecipientKind != "company" || d.RecipientID != pharm.CompanyID || d.Category != "orders" ||
			d.Basis != "order" || d.ObjectType != "order" || d.ObjectID != o.ID || time.Since(d.At) > time.Minute {
			t.Errorf("disclosure %+v", d)
		}

		// Revoked: no new order (the placed one stays, with its disclosure).
		harness.RevokeConsents(t, h, pat, "partner_sharing")
		consentProblem(t, h.Post(t, "/v1/orders", pat.Token, order), "partner_sharing")
		h.Get(t, "/v1/orders/"+o.ID, pat.Token).Want(t, http.StatusOK)
		if ds, _ := store.ListDisclosures(context.Background(), pat.ID); len(ds) != 1 {
			t.Errorf("disclosures after the refused order: %+v", ds)
		}
	})
}
