package identity_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

// Access tokens stop working at once when their session ends: logout,
// logout everywhere, a password change.
func TestAccessTokenDiesWithItsSession(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		p := harness.SignUpPatient(t, h)

		// Logout of this session: the old access token is refused at once.
		a1, r1 := harness.Login(t, h, p.Email, p.Password, "")
		h.Get(t, "/v1/me", a1).Want(t, http.StatusOK)
		h.Post(t, "/v1/auth/logout", "", map[string]any{"refresh_token": r1}).Want(t, http.StatusNoContent)
		if pr := h.Get(t, "/v1/me", a1).Want(t, http.StatusUnauthorized).Problem(t); pr.Detail == "" {
			t.Error("the 401 says nothing")
		}
		// Signing in again right away works.
		a2, _ := harness.Login(t, h, p.Email, p.Password, "")
		h.Get(t, "/v1/me", a2).Want(t, http.StatusOK)

		// Logout everywhere.
		h.Post(t, "/v1/auth/logout", a2, map[string]any{"all": true}).Want(t, http.StatusNoContent)
		h.Get(t, "/v1/me", a2).Want(t, http.StatusUnauthorized)

		// A password change ends every session, the caller's included.
		a3, r3 := harness.Login(t, h, p.Email, p.Password, "")
		a4, _ := harness.Login(t, h, p.Email, p.Password, "")
		newPass := "Changed-Pass-2026!"
		h.Do(t, harness.Req{Method: http.MethodPatch, Path: "/v1/me", Token: a3,
			Body: map[string]any{"current_password": p.Password, "new_password": newPass}}).Want(t, http.StatusOK)
		h.Get(t, "/v1/me", a3).Want(t, http.StatusUnauthorized)
		h.Get(t, "/v1/me", a4).Want(t, http.StatusUnauthorized)
		grant(t, h, map[string]any{"grant_type": "refresh_token", "refresh_token": r3}).Want(t, http.StatusUnauthorized)
		a5, _ := harness.Login(t, h, p.Email, newPass, "")
		h.Get(t, "/v1/me", a5).Want(t, http.StatusOK)
	})
}

// A company's API keys work only while the company is verified; the
// prescriptions:dispense scope is for pharmacies only.
func TestAPIKeysNeedAVerifiedCompany(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		body := harness.CompanyBody("pharmacy")
		var co struct {
			ID string `json:"id"`
		}
		h.Post(t, "/v1/companies", "", body).Want(t, http.StatusCreated).JSON(t, &co)
		adm := body["admin"].(map[string]any)
		ca, _ := harness.Login(t, h, adm["email"].(string), adm["password"].(string), "company_member")
		base := "/v1/companies/" + co.ID

		var key struct {
			Secret string   `json:"secret"`
			Scopes []string `json:"scopes"`
		}
		h.Post(t, base+"/api-keys", ca, map[string]any{"name": "PDV", "scopes": []string{"prescriptions:dispense", "orders:read"}}).
			Want(t, http.StatusCreated).JSON(t, &key)
		if len(key.Scopes) != 2 || key.Scopes[1] != "prescriptions:dispense" {
			t.Fatalf("scopes = %v", key.Scopes)
		}
		// Pending: the key is refused, saying why.
		pr := h.Get(t, base, key.Secret).Want(t, http.StatusForbidden).Problem(t)
		if !strings.Contains(pr.Detail, "não está verificada") {
			t.Errorf("detail = %q", pr.Detail)
		}
		// Verified: it works.
		admin := harness.AdminLogin(t, h)
		h.Post(t, "/v1/admin/companies/"+co.ID+"/verify", admin.Token, nil).Want(t, http.StatusOK)
		h.Get(t, base, key.Secret).Want(t, http.StatusOK)
		// Rejected later (suspended): refused again at once.
		h.Post(t, "/v1/admin/companies/"+co.ID+"/reject", admin.Token, map[string]any{"reason": "licence expired"}).Want(t, http.StatusOK)
		h.Get(t, base, key.Secret).Want(t, http.StatusForbidden)

		// Only a pharmacy's key may dispense.
		gym := harness.SignUpVerifiedCompany(t, h, "gym")
		if pr := h.Post(t, "/v1/companies/"+gym.CompanyID+"/api-keys", gym.Token, map[string]any{"name": "x", "scopes": []string{"prescriptions:dispense"}}).
			Want(t, http.StatusBadRequest).Problem(t); !pr.HasField("scopes") {
			t.Errorf("names %v", pr.Fields())
		}
	})
}
