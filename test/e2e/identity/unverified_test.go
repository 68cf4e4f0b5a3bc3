package identity_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

// Before the platform verifies a company nobody knows who runs it: its admin
// may not create member accounts nor have invitations e-mailed to addresses
// it names. After verification, they may.
func TestUnverifiedCompanyAddsNoMembers(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		body := harness.CompanyBody("hospital")
		r := h.Post(t, "/v1/companies", "", body).Want(t, http.StatusCreated)
		var co struct {
			ID string `json:"id"`
		}
		r.JSON(t, &co)
		adm := body["admin"].(map[string]any)
		token, _ := harness.Login(t, h, adm["email"].(string), harness.Password, "company_member")
		members := "/v1/companies/" + co.ID + "/members"
		mails := len(h.Mails(t))
		for _, m := range []map[string]any{
			{"name": "Convidada", "email": harness.NewEmail("invited"), "role": "staff"},
			{"name": "Com Senha", "email": harness.NewEmail("member"), "role": "admin", "password": harness.Password},
		} {
			h.Post(t, members, token, m).Want(t, http.StatusForbidden)
		}
		if n := len(h.Mails(t)); n != mails {
			t.Fatalf("%d e-mails sent for an unverified company's invitations", n-mails)
		}
		var list struct {
			Items []map[string]any `json:"items"`
		}
		h.Get(t, members, token).Want(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 1 {
			t.Fatalf("members of the unverified company: %v", list.Items)
		}

		admin := harness.AdminLogin(t, h)
		h.Post(t, "/v1/admin/companies/"+co.ID+"/verify", admin.Token, nil).Want(t, http.StatusOK)
		h.Post(t, members, token, map[string]any{"name": "Convidada", "email": harness.NewEmail("invited"), "role": "staff"}).
			Want(t, http.StatusCreated)
	})
}

// A professional whose registration is withdrawn keeps no care relationship:
// their list of patients empties at once, as the records themselves do.
func TestSuspendedProfessionalListsNoPatients(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		pat := harness.SignUpPatient(t, h)
		pro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{})
		h.Post(t, "/v1/me/record-shares", pat.Token, map[string]any{"professional_id": pro.ID,
			"until": time.Now().Add(24 * time.Hour).Format(time.RFC3339)}).Want(t, http.StatusCreated)
		h.Post(t, "/v1/patients/"+pat.ID+"/evaluations", pro.Token, map[string]any{"kind": "simplified", "reason": "febre"}).
			Want(t, http.StatusCreated)
		var mine struct {
			Items []map[string]any `json:"items"`
		}
		h.Get(t, "/v1/professionals/me/patients", pro.Token).Want(t, http.StatusOK).JSON(t, &mine)
		if len(mine.Items) != 1 {
			t.Fatalf("patients before suspension: %v", mine.Items)
		}
		admin := harness.AdminLogin(t, h)
		h.Post(t, "/v1/admin/professionals/"+pro.ID+"/reject", admin.Token, map[string]any{"reason": "registro cassado pelo conselho"}).
			Want(t, http.StatusOK)
		mine.Items = nil
		h.Get(t, "/v1/professionals/me/patients", pro.Token).Want(t, http.StatusOK).JSON(t, &mine)
		if len(mine.Items) != 0 {
			t.Fatalf("a suspended professional still lists patients: %v", mine.Items)
		}
	})
}
