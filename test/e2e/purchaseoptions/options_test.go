// Package purchaseoptions_test drives GET /v1/treatment-plans/{id}/purchase-options
// over HTTP: who may read a plan's options, a plan that is not active, the
// near parameter, and a plan no partner answers (every item uncovered, empty
// baskets). Offers themselves need partner catalogues and are covered by the
// core tests and the commerce scenario.
package purchaseoptions_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

func TestPurchaseOptions(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		patA, patB := harness.SignUpPatient(t, h), harness.SignUpPatient(t, h)
		doctor := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dra. Ana Lima"})
		other := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dr. Outro"})
		hospital := harness.SignUpVerifiedCompany(t, h, "hospital") // supplies none of the plan's kinds
		admin := harness.AdminLogin(t, h)
		until := time.Now().Add(30 * 24 * time.Hour).Format(time.RFC3339)
		h.Post(t, "/v1/me/record-shares", patA.Token, map[string]any{"professional_id": doctor.ID, "until": until}).Want(t, http.StatusCreated)

		plan := func(status string) map[string]any {
			return h.Post(t, "/v1/patients/"+patA.ID+"/treatment-plans", doctor.Token, map[string]any{"title": "Controle da pressão",
				"start": time.Now().Format("2006-01-02"), "status": status, "items": []any{
					map[string]any{"kind": "medication", "name": "Losartana 50 mg", "dosage": "1 cp", "frequency": "1x/dia", "tags": []string{"drug:losartan"}},
					map[string]any{"kind": "diet", "name": "aveia", "quantity": "40 g", "tags": []string{"food:oats"}},
					map[string]any{"kind": "product", "name": "balança digital", "tags": []string{"device:scale"}}}}).
				Want(t, http.StatusCreated).Map(t)
		}
		active, draft := plan("active"), plan("draft")
		path := "/v1/treatment-plans/" + active["id"].(string) + "/purchase-options"

		// the patient: no partner sells any item yet, so every item is uncovered and the baskets are empty
		po := h.Get(t, path, patA.Token).Want(t, http.StatusOK).Map(t)
		if po["plan_id"] != active["id"] {
			t.Fatalf("plan_id = %v", po["plan_id"])
		}
		var ids []any
		for k, it := range po["items"].([]any) {
			m := it.(map[string]any)
			want := active["items"].([]any)[k].(map[string]any)
			if m["plan_item_id"] != want["id"] || m["name"] != want["name"] || m["kind"] != want["kind"] || m["uncovered"] != true || len(m["offers"].([]any)) != 0 {
				t.Errorf("item %d = %v", k, m)
			}
			ids = append(ids, want["id"])
		}
		if len(ids) != 3 {
			t.Fatalf("items = %v", po["items"])
		}
		for _, name := range []string{"cheapest", "fewest_partners"} {
			b := po["baskets"].(map[string]any)[name].(map[string]any)
			if len(b["lines"].([]any)) != 0 || len(b["partners"].([]any)) != 0 || !slices.Equal(b["uncovered"].([]any), ids) ||
				b["total"].(map[string]any)["amount"] != float64(0) || b["exact"] != true {
				t.Errorf("%s = %v", name, b)
			}
		}
		if n, ok := po["near"].(map[string]any); !ok || n["lat"] == nil { // the local geocoder places the patient's CEP
			t.Errorf("near by default = %v, want the patient's registered address", po["near"])
		}

		// near, given, is echoed; malformed or out of range, a 400 naming the field
		po = h.Get(t, path+"?near=-23.5614,-46.6559", doctor.Token).Want(t, http.StatusOK).Map(t)
		if n := po["near"].(map[string]any); n["lat"] != -23.5614 || n["lng"] != -46.6559 {
			t.Errorf("near = %v", n)
		}
		for _, bad := range []string{"abc", "-23.5", "91,0", "0,180.5", "-23.5,-46.6,1", "1e3,2", "-23.5;-46.6"} {
			p := h.Get(t, path+"?near="+bad, patA.Token).Want(t, http.StatusBadRequest).Problem(t)
			if !p.HasField("near") {
				t.Errorf("near=%s: fields %v", bad, p.Fields())
			}
		}

		// who may read them: the patient and a professional caring for them
		h.Get(t, path, "").Want(t, http.StatusUnauthorized)
		h.Get(t, path, patB.Token).Want(t, http.StatusNotFound)
		h.Get(t, path, other.Token).Want(t, http.StatusNotFound)
		h.Get(t, path, hospital.Token).Want(t, http.StatusNotFound)
		h.Get(t, path, admin.Token).Want(t, http.StatusForbidden)
		h.Get(t, "/v1/treatment-plans/not-an-id/purchase-options", patA.Token).Want(t, http.StatusNotFound)
		h.Get(t, "/v1/treatment-plans/01936b2e-8e31-7a62-9b73-5c6d7e8f9012/purchase-options", patA.Token).Want(t, http.StatusNotFound)

		// a draft plan has no purchase options yet
		p := h.Get(t, "/v1/treatment-plans/"+draft["id"].(string)+"/purchase-options", patA.Token).Want(t, http.StatusConflict).Problem(t)
		if p.Detail != "o plano não está ativo" {
			t.Errorf("conflict detail = %q", p.Detail)
		}
		h.Get(t, "/v1/treatment-plans/"+draft["id"].(string)+"/purchase-options", patB.Token).Want(t, http.StatusNotFound)
	})
}
