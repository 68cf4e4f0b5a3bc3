// Package authz_test is one attacker's sweep over the whole HTTP API: for
// every operation the server documents at /openapi.json, the IDs of patient A's
// objects (or another owner's) are put in the path and the route is called as
// each caller who must not touch them. A route the table does not know fails
// the sweep, so a new route must state who may call it.
package authz_test

import (
	"bytes"
	gojson "encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

// documented returns every operation of /openapi.json ("METHOD /path") and
// whether it requires authentication.
func documented(t *testing.T, h *harness.H) map[string]bool {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]struct {
			Security []map[string][]string `json:"security"`
		} `json:"paths"`
	}
	h.Get(t, "/openapi.json", "").Want(t, http.StatusOK).JSON(t, &doc)
	out := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			// Public: no requirement, or an empty one among them (a credential may be sent).
			public := len(op.Security) == 0
			for _, req := range op.Security {
				public = public || len(req) == 0
			}
			out[strings.ToUpper(method)+" "+path] = !public
		}
	}
	if len(out) < 50 {
		t.Fatalf("the document lists only %d operations", len(out))
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// request builds the call of op with r's parameters (overridden by params when
// not nil).
func request(t *testing.T, w *world, op string, r route, params map[string]string, token string) harness.Req {
	t.Helper()
	method, path, _ := strings.Cut(op, " ")
	if params == nil && r.params != nil {
		params = r.params(w)
	}
	for k, v := range params {
		path = strings.ReplaceAll(path, "{"+k+"}", url.PathEscape(v))
	}
	if strings.Contains(path, "{") {
		t.Fatalf("%s: the table gives no value for a path parameter of %s", op, path)
	}
	req := harness.Req{Method: method, Path: path + r.query, Token: token}
	if r.body != nil {
		req.Body, req.Headers = r.body(w)
	}
	return req
}

// leaks returns the markers of A found in body. pii: A's name, CPF and e-mail;
// content: the clinical markers; ids: the IDs of A's objects.
func (w *world) leaks(body []byte, content, ids bool) []string {
	marks := []string{nameA, w.A.CPF, w.A.Email}
	if content {
		marks = append(marks, markEval, markPlan, markDrug, markDoc, markReason, markDocText)
	}
	if ids {
		marks = append(marks, w.A.ID, w.apptA, w.apptExamA, w.evalA, w.planA, w.rxA, w.rxCodeA, w.docA, w.shareA, w.waitA, w.notifA)
	}
	var found []string
	for _, m := range marks {
		if m != "" && bytes.Contains(body, []byte(m)) {
			found = append(found, m)
		}
	}
	return found
}

// checkProblem reports what is wrong with a refusal: its status, its shape
// (RFC 9457 problem+json whose status matches) and any of A's data in it.
func (w *world) checkProblem(t *testing.T, what string, res *harness.Resp, want int) {
	t.Helper()
	if fhirRoute(what) { // the FHIR facade refuses with an OperationOutcome
		w.checkOutcome(t, what, res, want)
		return
	}
	if res.Status != want {
		t.Errorf("%s: %d, want %d; body %.300s", what, res.Status, want, res.Body)
		return
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("%s: content type %q, want problem+json", what, ct)
		return
	}
	var p struct {
		Type   string `json:"type"`
		Title  string `json:"title"`
		Status int    `json:"status"`
	}
	if err := gojson.Unmarshal(res.Body, &p); err != nil || p.Status != want || p.Type == "" || p.Title == "" {
		t.Errorf("%s: not a complete problem: %s", what, res.Body)
	}
	if l := w.leaks(res.Body, true, false); len(l) > 0 {
		t.Errorf("%s: the refusal holds A's data %q", what, l)
	}
}

func (w *world) check(t *testing.T, what string, r route, res *harness.Resp, want int) {
	t.Helper()
	switch want {
	case meta, own:
		if res.Status < 200 || res.Status > 299 {
			t.Errorf("%s: %d, want 2xx; body %.300s", what, res.Status, res.Body)
		} else if fhirRoute(what) {
			w.keepFHIR(t, what, res)
		}
		if l := w.leaks(res.Body, !r.contentOK, want == own && r.public == ""); len(l) > 0 {
			t.Errorf("%s: the answer holds A's data %q", what, l)
		}
	default:
		w.checkProblem(t, what, res, want)
	}
}

func TestAuthorizationSweep(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		w := build(t, h)
		ops := documented(t, h)

		// Every documented route has an expectation, and the table names no ghost.
		for _, op := range sortedKeys(ops) {
			r, ok := table[op]
			switch {
			case !ok:
				t.Errorf("route %s has no authorisation expectation", op)
			case ops[op] && r.public != "":
				t.Errorf("route %s is documented as authenticated but the table calls it public (%s)", op, r.public)
			case !ops[op] && r.public == "":
				t.Errorf("route %s is public in the document; the table must say why (public: ...)", op)
			case strings.Contains(op, "{") && r.params == nil:
				t.Errorf("route %s has path parameters but the table gives no object to attack", op)
			}
		}
		for _, op := range sortedKeys(table) {
			if _, ok := ops[op]; !ok {
				t.Errorf("the table has %s, which the document does not list", op)
			}
		}
		if t.Failed() {
			t.FailNow()
		}

		// The sweep: every route, every caller who must not touch the object.
		calls := 0
		for _, op := range sortedKeys(ops) {
			r := table[op]
			deny := r.deny
			if ops[op] { // an authenticated route answers 401 to nobody
				deny = with(deny, anon, 401)
			}
			for _, caller := range sortedKeys(deny) {
				want := deny[caller]
				if want == 0 {
					continue
				}
				tok, ok := w.tokens[caller]
				if !ok {
					t.Fatalf("%s: unknown caller %q", op, caller)
				}
				res := h.Do(t, request(t, w, op, r, nil, tok))
				w.check(t, op+" as "+caller, r, res, want)
				calls++
			}
		}
		t.Logf("%d routes, %d refused or restricted calls", len(ops), calls)

		t.Run("malformed IDs", func(t *testing.T) { w.malformedIDs(t, h, ops) })
		t.Run("IDs of the wrong kind", func(t *testing.T) { w.wrongKind(t, h) })
		t.Run("bodies naming another patient", func(t *testing.T) { w.foreignBodies(t, h) })
		t.Run("roles", func(t *testing.T) { w.roles(t, h) })
		t.Run("Idempotency-Key of another caller", func(t *testing.T) { w.replayedKey(t, h) })
		t.Run("FHIR facade", func(t *testing.T) { w.fhir(t, h) })
		// Nothing the attackers did changed A's world.
		t.Run("intact", func(t *testing.T) { w.intact(t, h) })
		t.Run("revoked and removed credentials", func(t *testing.T) { w.deadCredentials(t, h) })
		t.Run("professional no longer verified", func(t *testing.T) { w.deverified(t, h) })
	})
}

// intact: each of A's objects reads back unchanged by its owner, which also
// proves the IDs the sweep used were live (a 404 for everyone would prove nothing).
func (w *world) intact(t *testing.T, h *harness.H) {
	get := func(path, tok string) map[string]any {
		return h.Get(t, path, tok).Want(t, http.StatusOK).Map(t)
	}
	if a := get("/v1/appointments/"+w.apptA, w.A.Token); a["status"] != "confirmed" || a["reason"] != markReason {
		t.Errorf("appointment = %v", a)
	}
	if a := get("/v1/appointments/"+w.apptExamA, w.hospStaff.Token); a["status"] != "confirmed" {
		t.Errorf("exam appointment = %v", a)
	}
	if e := get("/v1/evaluations/"+w.evalA, w.A.Token); e["version"] != float64(1) || e["signed_at"] != nil || e["notes"] != markEval {
		t.Errorf("evaluation = %v", e)
	}
	if p := get("/v1/treatment-plans/"+w.planA, w.A.Token); p["version"] != float64(1) || p["title"] != markPlan {
		t.Errorf("plan = %v", p)
	}
	if p := get("/v1/treatment-plans/"+w.planA+"/progress", w.A.Token); len(p["items"].([]any)) != 0 {
		t.Errorf("progress = %v", p)
	}
	if rx := get("/v1/prescriptions/"+w.rxA, w.A.Token); rx["status"] != "issued" {
		t.Errorf("prescription = %v", rx)
	}
	get("/v1/documents/"+w.docA, w.A.Token)
	if d := h.Do(t, harness.Req{Method: http.MethodGet, Path: "/v1/documents/" + w.docA + "/content", Token: w.A.Token, Raw: true}).Want(t, http.StatusOK); !bytes.Equal(d.Body, examPDF) {
		t.Error("the document's bytes changed")
	}
	for _, p := range []string{"evaluations", "treatment-plans", "prescriptions", "documents"} {
		if n := len(get("/v1/patients/"+w.A.ID+"/"+p, w.A.Token)["items"].([]any)); n != 1 {
			t.Errorf("A has %d %s, want 1 (somebody wrote to the record)", n, p)
		}
	}
	var shares struct {
		Items []struct {
			ID        string `json:"id"`
			RevokedAt any    `json:"revoked_at"`
		} `json:"items"`
	}
	h.Get(t, "/v1/me/record-shares", w.A.Token).Want(t, http.StatusOK).JSON(t, &shares)
	if len(shares.Items) != 1 || shares.Items[0].ID != w.shareA || shares.Items[0].RevokedAt != nil {
		t.Errorf("shares = %+v", shares.Items)
	}
	if l := get("/v1/me/waitlist", w.A.Token)["items"].([]any); len(l) != 1 {
		t.Errorf("waitlist = %v", l)
	}
	if v := get("/v1/prescription-verifications/"+w.rxCodeA, ""); v["dispensed"] != false || v["valid"] != true {
		t.Errorf("verify = %v", v)
	}
	if n := get("/v1/me/notifications?unread=true", w.A.Token)["items"].([]any); len(n) == 0 {
		t.Error("A's notification was marked read by someone else")
	}
	if m := get("/v1/companies/"+w.pharm.CompanyID+"/members", w.pharm.Token)["items"].([]any); len(m) != 2 {
		t.Errorf("pharmacy members = %v", m)
	}
	if k := get("/v1/companies/"+w.pharm.CompanyID+"/api-keys", w.pharm.Token)["items"].([]any); len(k) != 1 || k[0].(map[string]any)["revoked_at"] != nil {
		t.Errorf("pharmacy keys = %v", k)
	}
	if p := get("/v1/professionals/"+w.R.ID, w.admin.Token); p["status"] != "pending_verification" {
		t.Errorf("pending professional = %v", p["status"])
	}
	if c := get("/v1/companies/"+w.pendingCompanyID, w.admin.Token); c["status"] != "pending_verification" {
		t.Errorf("pending company = %v", c["status"])
	}
	if av := h.Get(t, "/v1/professionals/"+w.P.ID+"/availability", w.P.Token).Want(t, http.StatusOK); av.Header.Get("ETag") != `"1"` {
		t.Errorf("P's availability was rewritten: ETag %s", av.Header.Get("ETag"))
	}
}
