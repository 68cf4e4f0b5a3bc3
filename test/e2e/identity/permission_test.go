package identity_test

import (
	"net/http"
	"testing"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

// TestPermissionTable asks, for each route and each kind of caller, for the
// answer the permission table promises. 404 where 403 would leak that an
// unverified professional or company exists.
func TestPermissionTable(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		admin := harness.AdminLogin(t, h)
		patientA := harness.SignUpPatient(t, h)
		patientB := harness.SignUpPatient(t, h)
		pending := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Pending: true})
		otherPro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{})
		companyAdmin := harness.SignUpVerifiedCompany(t, h, "hospital")
		staff := harness.AddCompanyStaff(t, h, companyAdmin, "staff")
		otherCompany := harness.SignUpVerifiedCompany(t, h, "gym")
		// A company still pending verification, with its admin signed in.
		pb := harness.CompanyBody("pharmacy")
		var pc struct {
			ID string `json:"id"`
		}
		h.Post(t, "/v1/companies", "", pb).Want(t, http.StatusCreated).JSON(t, &pc)
		pendingAdminEmail := pb["admin"].(map[string]any)["email"].(string)
		pendingAdmin, _ := harness.Login(t, h, pendingAdminEmail, harness.Password, "")

		callers := []struct {
			name  string
			token string
		}{
			{"anonymous", ""}, {"patient A", patientA.Token}, {"patient B", patientB.Token},
			{"professional (pending, self)", pending.Token}, {"other professional", otherPro.Token},
			{"company admin", companyAdmin.Token}, {"company staff", staff.Token}, {"other company", otherCompany.Token},
			{"admin", admin.Token},
		}
		co := "/v1/companies/" + companyAdmin.CompanyID
		routes := []struct {
			method, path string
			body         any
			want         []int // one per caller, in the order above
		}{
			{"GET", "/v1/me", nil, []int{401, 200, 200, 200, 200, 200, 200, 200, 200}},
			{"GET", "/v1/professionals/" + pending.ID, nil, []int{404, 404, 404, 200, 404, 404, 404, 404, 200}},
			{"GET", "/v1/professionals/" + otherPro.ID, nil, []int{200, 200, 200, 200, 200, 200, 200, 200, 200}},
			{"GET", "/v1/companies/" + pc.ID, nil, []int{404, 404, 404, 404, 404, 404, 404, 404, 200}},
			{"GET", co, nil, []int{200, 200, 200, 200, 200, 200, 200, 200, 200}},
			{"GET", "/v1/admin/professionals", nil, []int{401, 403, 403, 403, 403, 403, 403, 403, 200}},
			{"GET", "/v1/admin/companies", nil, []int{401, 403, 403, 403, 403, 403, 403, 403, 200}},
			{"POST", "/v1/admin/companies/" + pc.ID + "/reject", map[string]any{"reason": "x"}, []int{401, 403, 403, 403, 403, 403, 403, 403, 200}},
			{"GET", co + "/members", nil, []int{401, 403, 403, 403, 403, 200, 200, 403, 200}},
			{"GET", co + "/api-keys", nil, []int{401, 403, 403, 403, 403, 200, 403, 403, 403}},
			{"POST", co + "/api-keys", map[string]any{"name": "k", "scopes": []string{"orders:read"}}, []int{401, 403, 403, 403, 403, 201, 403, 403, 403}},
			{"POST", co + "/members", nil, []int{401, 403, 403, 403, 403, 400, 403, 403, 403}}, // the admin passes the check, then the empty body fails
		}
		for _, r := range routes {
			for i, c := range callers {
				var body any = r.body
				if r.method == "POST" && body == nil {
					body = map[string]any{}
				}
				got := h.Do(t, harness.Req{Method: r.method, Path: r.path, Token: c.token, Body: body}).Status
				if got != r.want[i] {
					t.Errorf("%s %s as %s: %d, want %d", r.method, r.path, c.name, got, r.want[i])
				}
			}
		}
		// Each patient's /v1/me is their own.
		var a, b struct {
			ID string `json:"id"`
		}
		h.Get(t, "/v1/me", patientA.Token).JSON(t, &a)
		h.Get(t, "/v1/me", patientB.Token).JSON(t, &b)
		if a.ID != patientA.ID || b.ID != patientB.ID {
			t.Errorf("me: %s, %s", a.ID, b.ID)
		}
		// The pending company's own admin may see it (and the rejection reason after the admin's decision).
		var got struct {
			Status          string `json:"status"`
			RejectionReason string `json:"rejection_reason"`
		}
		h.Get(t, "/v1/companies/"+pc.ID, pendingAdmin).Want(t, http.StatusOK).JSON(t, &got)
		if got.Status != "rejected" || got.RejectionReason != "x" {
			t.Errorf("own company = %+v", got)
		}
		// The last admin of a company cannot be removed.
		h.Do(t, harness.Req{Method: http.MethodDelete, Path: co + "/members/" + companyAdmin.ID, Token: companyAdmin.Token}).Want(t, http.StatusConflict)
		h.Do(t, harness.Req{Method: http.MethodDelete, Path: co + "/members/" + companyAdmin.ID, Token: otherCompany.Token}).Want(t, http.StatusForbidden)
	})
}
