package authz_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

const unknownID = "0193a1b2-0000-7000-8000-000000000000"

// malformedIDs: every path parameter, replaced by something that is not an ID
// (or an ID of nothing), is a 404 problem even for the route's rightful caller;
// never a 5xx, never a 2xx.
func (w *world) malformedIDs(t *testing.T, h *harness.H, ops map[string]bool) {
	bad := []string{"not-a-uuid", "' OR '1'='1", unknownID, strings.Repeat("a", 300), "%00", "1;DROP TABLE x"}
	for _, op := range sortedKeys(ops) {
		r := table[op]
		if r.params == nil {
			continue
		}
		caller := r.owner
		if caller == "" {
			caller = anon
		}
		for name := range r.params(w) {
			for _, b := range bad {
				params := r.params(w)
				params[name] = b
				res := h.Do(t, request(t, w, op, r, params, w.tokens[caller]))
				what := op + " with " + name + "=" + b[:min(len(b), 20)] + " as " + caller
				if name == "key" { // a blob key is checked before its signature
					if res.Status != 400 && res.Status != 403 && res.Status != 404 {
						t.Errorf("%s: %d, want 400, 403 or 404", what, res.Status)
					}
					continue
				}
				if strings.HasPrefix(op, "POST /dev/localpay/") {
					// the simulator's charge IDs are its own (ch_...), not UUIDs:
					// a malformed one is named (400), an unknown one is not found
					if res.Status != http.StatusBadRequest && res.Status != http.StatusNotFound {
						t.Errorf("%s: %d, want 400 or 404", what, res.Status)
					}
					continue
				}
				if name == "cep" {
					// a CEP is no ID: a malformed one is named (400 with the field cep)
					w.checkProblem(t, what, res, http.StatusBadRequest)
					if !strings.Contains(string(res.Body), `"field":"cep"`) {
						t.Errorf("%s: the problem does not name cep: %.300s", what, res.Body)
					}
					continue
				}
				if name == "sku" && strings.HasPrefix(op, "PUT ") {
					// a SKU is the partner's own name for an item: a PUT of a
					// well-formed one creates it, of a malformed one names sku
					if res.Status != http.StatusCreated && res.Status != http.StatusOK && res.Status != http.StatusBadRequest {
						t.Errorf("%s: %d, want 201, 200 or 400", what, res.Status)
					}
					continue
				}
				if b == unknownID && r.deny[patB] == http.StatusForbidden && res.Status == http.StatusForbidden {
					// a well-formed ID of no company or professional: their
					// existence is public, so refusing before looking is no leak
					w.checkProblem(t, what, res, http.StatusForbidden)
					continue
				}
				w.checkProblem(t, what, res, http.StatusNotFound)
			}
		}
	}
}

// wrongKind: an ID of one kind of object where another kind is expected is
// not found, even for the owner of both.
func (w *world) wrongKind(t *testing.T, h *harness.H) {
	cases := []struct {
		caller, method, path string
		body                 any
	}{
		{patA, "GET", "/v1/documents/" + w.apptA, nil},
		{patA, "GET", "/v1/documents/" + w.evalA + "/content", nil},
		{patA, "GET", "/v1/evaluations/" + w.docA, nil},
		{patA, "GET", "/v1/evaluations/" + w.planA + "/versions", nil},
		{patA, "GET", "/v1/treatment-plans/" + w.rxA, nil},
		{patA, "GET", "/v1/treatment-plans/" + w.evalA + "/progress", nil},
		{patA, "GET", "/v1/prescriptions/" + w.planA, nil},
		{patA, "GET", "/v1/prescriptions/" + w.docA + "/pdf", nil},
		{patA, "GET", "/v1/appointments/" + w.evalA, nil},
		{patA, "GET", "/v1/patients/" + w.apptA + "/history", nil},
		{patA, "GET", "/v1/prescription-verifications/" + w.rxA, nil},
		{patA, "DELETE", "/v1/me/record-shares/" + w.waitA, nil},
		{patA, "DELETE", "/v1/waitlist/" + w.shareA, nil},
		{patA, "POST", "/v1/me/notifications/" + w.apptA + "/read", nil},
		{patA, "POST", "/v1/appointments/" + w.rxA + "/cancel", map[string]any{"reason": "x"}},
		{proP, "GET", "/v1/patients/" + w.P.ID + "/evaluations", nil},
		{proP, "GET", "/v1/patients/" + w.apptA + "/history", nil},
		{proP, "POST", "/v1/patients/" + w.apptA + "/evaluations", map[string]any{"kind": "simplified", "reason": "x"}},
		{proP, "POST", "/v1/evaluations/" + w.planA + "/sign", nil},
		{proP, "POST", "/v1/prescriptions/" + w.evalA + "/cancel", map[string]any{"reason": "x"}},
		{proP, "POST", "/v1/appointments/" + w.planA + "/complete", nil},
		{hoStaff, "PUT", "/v1/exams/" + w.apptExamA + "/availability", allDay()},
		{hoStaff, "POST", "/v1/appointments/" + w.examID + "/cancel", map[string]any{"reason": "x"}},
		{phAdmin, "DELETE", "/v1/companies/" + w.pharm.CompanyID + "/members/" + w.pharmKeyID, nil},
		{phAdmin, "DELETE", "/v1/companies/" + w.pharm.CompanyID + "/api-keys/" + w.pharmStaff.ID, nil},
		// another company's member and key, through one's own company
		{phAdmin, "DELETE", "/v1/companies/" + w.pharm.CompanyID + "/members/" + w.otherStaff.ID, nil},
		{phAdmin, "DELETE", "/v1/companies/" + w.pharm.CompanyID + "/api-keys/" + w.otherKeyID, nil},
		{phAdmin, "GET", "/v1/companies/" + w.pharm.CompanyID + "/webhooks/" + w.hookDeliveryID, nil},
		{phAdmin, "POST", "/v1/companies/" + w.pharm.CompanyID + "/webhooks/" + w.hookID + "/deliveries/" + w.hookID + "/replay", nil},
		{phAdmin, "GET", "/v1/companies/" + w.pharm.CompanyID + "/webhooks/" + w.pharmKeyID + "/deliveries", nil},
		{admin, "POST", "/v1/admin/professionals/" + w.pendingCompanyID + "/verify", nil},
		{admin, "POST", "/v1/admin/companies/" + w.R.ID + "/verify", nil},
		{admin, "POST", "/v1/admin/professionals/" + w.A.ID + "/verify", nil},
	}
	for _, c := range cases {
		res := h.Do(t, harness.Req{Method: c.method, Path: c.path, Token: w.tokens[c.caller], Body: c.body})
		w.checkProblem(t, c.method+" "+c.path+" as "+c.caller, res, http.StatusNotFound)
	}
	// the other company's member and key still work
	h.Get(t, "/v1/me", w.otherStaff.Token).Want(t, http.StatusOK)
	h.Get(t, "/v1/companies/"+w.other.CompanyID, w.tokens[coKey]).Want(t, http.StatusOK)
}

// foreignBodies: a body cannot name another patient; a professional cannot
// write to a patient they never attended.
func (w *world) foreignBodies(t *testing.T, h *harness.H) {
	start := time.Now().In(sp).AddDate(0, 0, 6).Truncate(time.Hour).Add(30 * time.Minute)
	cases := []struct {
		caller, path string
		body         map[string]any
	}{
		{patA, "/v1/appointments", map[string]any{"professional_id": w.P.ID, "start": start.Format(time.RFC3339), "patient_id": w.B.ID}},
		{patA, "/v1/me/record-shares", map[string]any{"professional_id": w.Q.ID, "until": time.Now().Add(time.Hour).Format(time.RFC3339), "patient_id": w.B.ID}},
		{patA, "/v1/waitlist", map[string]any{"professional_id": w.Q.ID, "from": plusDays(3), "to": plusDays(4), "patient_id": w.B.ID}},
		{proP, "/v1/patients/" + w.A.ID + "/evaluations", map[string]any{"kind": "simplified", "reason": "x", "patient_id": w.B.ID}},
		{proP, "/v1/patients/" + w.A.ID + "/treatment-plans", map[string]any{"title": "x", "start": plusDays(0), "status": "active", "items": []any{}, "patient_id": w.B.ID}},
	}
	for _, c := range cases {
		res := h.Post(t, c.path, w.tokens[c.caller], c.body)
		w.checkProblem(t, "POST "+c.path+" with patient_id as "+c.caller, res, http.StatusBadRequest)
		if res.Status == http.StatusBadRequest && !res.Problem(t).HasField("patient_id") {
			t.Errorf("POST %s with patient_id: the problem does not name patient_id: %s", c.path, res.Body)
		}
	}
	// Nothing reached B.
	for _, p := range []string{"/v1/appointments", "/v1/me/waitlist", "/v1/me/record-shares", "/v1/patients/" + w.B.ID + "/history"} {
		if n := len(h.Get(t, p, w.B.Token).Want(t, http.StatusOK).Map(t)["items"].([]any)); n != 0 {
			t.Errorf("B's %s has %d items", p, n)
		}
	}
	// P attends A, never B: every write to B's record is not found.
	b := "/v1/patients/" + w.B.ID
	for _, c := range []struct {
		path string
		body any
	}{
		{b + "/evaluations", map[string]any{"kind": "simplified", "reason": "x"}},
		{b + "/evaluations", map[string]any{"kind": "simplified", "reason": "x", "appointment_id": w.apptA}},
		{b + "/treatment-plans", map[string]any{"title": "x", "start": plusDays(0), "status": "active", "items": []any{}}},
		{b + "/prescriptions", map[string]any{"type": "simple", "items": []any{map[string]any{"drug": "Dipirona", "dosage": "1 cp", "quantity": "10"}}}},
	} {
		w.checkProblem(t, "POST "+c.path+" as "+proP, h.Post(t, c.path, w.P.Token, c.body), http.StatusNotFound)
	}
	body, hd := multipartDoc("x")
	w.checkProblem(t, "upload to B as "+proP, h.Do(t, harness.Req{Method: http.MethodPost, Path: b + "/documents", Token: w.P.Token, Body: body, Headers: hd}), http.StatusNotFound)
	// Q tying an evaluation of A to P's appointment: still not found.
	w.checkProblem(t, "Q evaluates A on P's appointment", h.Post(t, "/v1/patients/"+w.A.ID+"/evaluations", w.Q.Token,
		map[string]any{"kind": "simplified", "reason": "x", "appointment_id": w.apptA}), http.StatusNotFound)
}

// roles: a company of the wrong type; an exam booking seen by its hospital only.
func (w *world) roles(t *testing.T, h *harness.H) {
	exam := map[string]any{"name": "Exame", "duration_minutes": 30, "price": map[string]any{"amount": 100, "currency": "BRL"}, "capacity": 1}
	for _, c := range []harness.Account{w.pharm, w.other} { // only hospitals publish exams (issue 4)
		w.checkProblem(t, "POST exams of company "+c.CompanyID+" by its admin", h.Post(t, "/v1/companies/"+c.CompanyID+"/exams", c.Token, exam), http.StatusForbidden)
	}
	h.Get(t, "/v1/appointments/"+w.apptExamA, w.hospStaff.Token).Want(t, http.StatusOK)
	for _, c := range []string{phAdmin, phStaff, coAdmin, proP, patB} {
		w.checkProblem(t, "GET the exam booking as "+c, h.Get(t, "/v1/appointments/"+w.apptExamA, w.tokens[c]), http.StatusNotFound)
	}
}

// deverified: a professional whose registration the platform withdraws loses
// the record at once, whatever share or care relationship they had.
func (w *world) deverified(t *testing.T, h *harness.H) {
	s := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dr. Sérgio Suspenso"})
	h.Post(t, "/v1/me/record-shares", w.A.Token, map[string]any{"professional_id": s.ID,
		"until": time.Now().Add(24 * time.Hour).Format(time.RFC3339)}).Want(t, http.StatusCreated)
	hist := "/v1/patients/" + w.A.ID + "/history"
	h.Get(t, hist, s.Token).Want(t, http.StatusOK)
	h.Get(t, "/v1/evaluations/"+w.evalA, s.Token).Want(t, http.StatusOK)
	h.Post(t, "/v1/admin/professionals/"+s.ID+"/reject", w.admin.Token, map[string]any{"reason": "registro cassado pelo conselho"}).Want(t, http.StatusOK)
	for _, p := range []string{hist, "/v1/evaluations/" + w.evalA, "/v1/treatment-plans/" + w.planA, "/v1/prescriptions/" + w.rxA,
		"/v1/documents/" + w.docA, "/v1/documents/" + w.docA + "/content", "/v1/patients/" + w.A.ID + "/evaluations"} {
		w.checkProblem(t, "GET "+p+" as a rejected professional", h.Get(t, p, s.Token), http.StatusNotFound)
	}
}

// replayedKey: an Idempotency-Key is the caller's own; another caller reusing
// it never gets the first caller's stored answer.
func (w *world) replayedKey(t *testing.T, h *harness.H) {
	ss := slotsOn(t, h, "/v1/professionals/"+w.P.ID+"/slots", time.Now().In(sp).AddDate(0, 0, 7))
	key := "0193a1b2-1111-7000-8000-00000000abcd"
	body := map[string]any{"professional_id": w.P.ID, "start": ss[12].Start.Format(time.RFC3339), "reason": markReason}
	first := h.Do(t, harness.Req{Method: http.MethodPost, Path: "/v1/appointments", Token: w.A.Token, Body: body, Headers: map[string]string{"Idempotency-Key": key}}).
		Want(t, http.StatusCreated).Map(t)
	again := h.Do(t, harness.Req{Method: http.MethodPost, Path: "/v1/appointments", Token: w.B.Token, Body: body, Headers: map[string]string{"Idempotency-Key": key}})
	if res := again.Header.Get("Idempotent-Replayed"); res != "" {
		t.Errorf("B got A's replayed answer (Idempotent-Replayed: %s)", res)
	}
	if bytes.Contains(again.Body, []byte(first["id"].(string))) || bytes.Contains(again.Body, []byte(markReason)) {
		t.Errorf("B's answer holds A's booking: %s", again.Body)
	}
	w.checkProblem(t, "B books A's slot with A's key", again, http.StatusConflict)
	h.Post(t, "/v1/appointments/"+first["id"].(string)+"/cancel", w.A.Token, map[string]any{}).Want(t, http.StatusOK)
}

// deadCredentials: a revoked API key and the token of a removed member stop at once.
func (w *world) deadCredentials(t *testing.T, h *harness.H) {
	keyID, secret := apiKey(t, h, w.pharm, "prescriptions:dispense")
	co := "/v1/companies/" + w.pharm.CompanyID
	h.Get(t, co, secret).Want(t, http.StatusOK)
	h.Do(t, harness.Req{Method: http.MethodDelete, Path: co + "/api-keys/" + keyID, Token: w.pharm.Token}).Want(t, http.StatusNoContent)
	w.checkProblem(t, "revoked key reads its company", h.Get(t, co, secret), http.StatusUnauthorized)
	w.checkProblem(t, "revoked key dispenses", h.Post(t, "/v1/prescription-verifications/"+w.rxCodeA+"/dispense", secret, nil), http.StatusUnauthorized)
	w.checkProblem(t, "revoked key lists keys", h.Get(t, co+"/api-keys", secret), http.StatusUnauthorized)
	// a forged secret behind a live prefix
	forged := secret[:strings.LastIndex(secret, "_")+1] + strings.Repeat("x", 40)
	w.checkProblem(t, "forged key", h.Get(t, co, forged), http.StatusUnauthorized)

	gone := harness.AddCompanyStaff(t, h, w.pharm, "admin")
	h.Get(t, "/v1/me", gone.Token).Want(t, http.StatusOK)
	h.Do(t, harness.Req{Method: http.MethodDelete, Path: co + "/members/" + gone.ID, Token: w.pharm.Token}).Want(t, http.StatusNoContent)
	w.checkProblem(t, "removed member /v1/me", h.Get(t, "/v1/me", gone.Token), http.StatusUnauthorized)
	w.checkProblem(t, "removed member dispenses", h.Post(t, "/v1/prescription-verifications/"+w.rxCodeA+"/dispense", gone.Token, nil), http.StatusUnauthorized)
	w.checkProblem(t, "removed admin adds a member", h.Post(t, co+"/members", gone.Token,
		map[string]any{"name": "Volta", "email": harness.NewEmail("back"), "role": "admin", "password": harness.Password}), http.StatusUnauthorized)
	w.checkProblem(t, "removed admin makes a key", h.Post(t, co+"/api-keys", gone.Token,
		map[string]any{"name": "volta", "scopes": []string{"orders:read"}}), http.StatusUnauthorized)
	grant := h.Post(t, "/v1/auth/token", "", map[string]any{"grant_type": "refresh_token", "refresh_token": gone.RefreshToken})
	w.checkProblem(t, "removed member refreshes", grant, http.StatusUnauthorized)
	if v := h.Get(t, "/v1/prescription-verifications/"+w.rxCodeA, "").Map(t); v["dispensed"] != false {
		t.Errorf("a dead credential dispensed A's prescription: %v", v)
	}
}
