// Package identity_test drives identity's HTTP API as users do: sign-up of
// each kind, bad input, duplicates, sign-in, sessions, lockout, reset, the
// approval flow, company members, API keys and the permission table.
package identity_test

import (
	"net/http"
	"testing"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

func TestHelpersAndMe(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		pat := harness.SignUpPatient(t, h)
		pro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{})
		co := harness.SignUpVerifiedCompany(t, h, "pharmacy")
		admin := harness.AdminLogin(t, h)
		for _, c := range []struct {
			a    harness.Account
			kind string
		}{{pat, "patient"}, {pro, "professional"}, {co, "company_member"}, {admin, "admin"}} {
			var me struct {
				ID        string   `json:"id"`
				Kind      string   `json:"kind"`
				Email     string   `json:"email"`
				CompanyID string   `json:"company_id"`
				Roles     []string `json:"roles"`
			}
			h.Get(t, "/v1/me", c.a.Token).Want(t, http.StatusOK).JSON(t, &me)
			if me.ID != c.a.ID || me.Kind != c.kind || me.Email != c.a.Email || me.CompanyID != c.a.CompanyID {
				t.Errorf("%s: /v1/me = %+v, account %+v", c.kind, me, c.a)
			}
		}
		var pr struct {
			Status   string `json:"status"`
			Location *struct {
				Lat float64 `json:"lat"`
			} `json:"location"`
			CPF string `json:"cpf"`
		}
		h.Get(t, "/v1/professionals/"+pro.ID, "").Want(t, http.StatusOK).JSON(t, &pr)
		if pr.Status != "verified" || pr.Location == nil || pr.CPF != "" {
			t.Errorf("public professional = %+v (verified, geocoded, no CPF expected)", pr)
		}
		h.Get(t, "/v1/me", "").Want(t, http.StatusUnauthorized)
		h.Get(t, "/v1/me", "garbage").Want(t, http.StatusUnauthorized)
		var jwks struct {
			Keys []map[string]string `json:"keys"`
		}
		h.Get(t, "/.well-known/jwks.json", "").Want(t, http.StatusOK).JSON(t, &jwks)
		if len(jwks.Keys) != 1 || jwks.Keys[0]["alg"] != "EdDSA" {
			t.Errorf("jwks = %+v", jwks)
		}
	})
}
