package identity_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

type listed struct {
	Items []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func (l listed) has(id string) bool {
	for _, it := range l.Items {
		if it.ID == id {
			return true
		}
	}
	return false
}

func TestApprovalFlow(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		admin := harness.AdminLogin(t, h)
		pro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Pending: true, Specialties: []string{"dermatology"}})
		patient := harness.SignUpPatient(t, h)

		var l listed
		h.Get(t, "/v1/directory/professionals", "").Want(t, http.StatusOK).JSON(t, &l)
		if l.has(pro.ID) {
			t.Fatal("a pending professional is listed")
		}
		h.Get(t, "/v1/professionals/"+pro.ID, "").Want(t, http.StatusNotFound)
		h.Get(t, "/v1/professionals/"+pro.ID, patient.Token).Want(t, http.StatusNotFound)
		h.Get(t, "/v1/professionals/"+pro.ID, pro.Token).Want(t, http.StatusOK)
		h.Get(t, "/v1/admin/professionals", admin.Token).Want(t, http.StatusOK).JSON(t, &l)
		if !l.has(pro.ID) {
			t.Fatal("the admin's pending list misses the professional")
		}
		if pr := h.Get(t, "/v1/admin/professionals?status=bogus", admin.Token).Want(t, http.StatusBadRequest).Problem(t); !pr.HasField("status") {
			t.Errorf("names %v", pr.Fields())
		}

		// Reject needs a reason; the professional sees it.
		if pr := h.Post(t, "/v1/admin/professionals/"+pro.ID+"/reject", admin.Token, map[string]any{}).Want(t, http.StatusBadRequest).Problem(t); !pr.HasField("reason") {
			t.Errorf("names %v", pr.Fields())
		}
		h.Post(t, "/v1/admin/professionals/"+pro.ID+"/reject", admin.Token, map[string]any{"reason": "CRM not found"}).Want(t, http.StatusOK)
		var me struct {
			Professional struct {
				Status          string `json:"status"`
				RejectionReason string `json:"rejection_reason"`
			} `json:"professional"`
		}
		h.Get(t, "/v1/me", pro.Token).Want(t, http.StatusOK).JSON(t, &me)
		if me.Professional.Status != "rejected" || me.Professional.RejectionReason != "CRM not found" {
			t.Errorf("me = %+v", me)
		}
		// Then verified after all: listed, filterable, visible to anyone.
		h.Post(t, "/v1/admin/professionals/"+pro.ID+"/verify", admin.Token, nil).Want(t, http.StatusOK)
		h.Post(t, "/v1/admin/professionals/"+pro.ID+"/verify", admin.Token, nil).Want(t, http.StatusConflict)
		h.Post(t, "/v1/admin/professionals/"+harness.NewCPF()+"/verify", admin.Token, nil).Want(t, http.StatusNotFound)
		h.Get(t, "/v1/directory/professionals?specialty=dermatology&uf=SP&mode=telemedicine", "").Want(t, http.StatusOK).JSON(t, &l)
		if !l.has(pro.ID) {
			t.Error("the verified professional is not found by specialty")
		}
		h.Get(t, "/v1/directory/professionals?specialty=cardiology&profession=dentist", "").Want(t, http.StatusOK).JSON(t, &l)
		if l.has(pro.ID) {
			t.Error("filters do not filter")
		}
		if pr := h.Get(t, "/v1/directory/professionals?mode=teleport", "").Want(t, http.StatusBadRequest).Problem(t); !pr.HasField("mode") {
			t.Errorf("names %v", pr.Fields())
		}
		var pub map[string]any
		h.Get(t, "/v1/professionals/"+pro.ID, "").Want(t, http.StatusOK).JSON(t, &pub)
		for _, private := range []string{"cpf", "email", "phone"} {
			if _, ok := pub[private]; ok {
				t.Errorf("the public profile shows %s", private)
			}
		}

		// Companies: pending ones are hidden; verified ones listed by type.
		cb := harness.CompanyBody("market")
		var co struct {
			ID string `json:"id"`
		}
		h.Post(t, "/v1/companies", "", cb).Want(t, http.StatusCreated).JSON(t, &co)
		h.Get(t, "/v1/companies/"+co.ID, "").Want(t, http.StatusNotFound)
		h.Get(t, "/v1/companies?type=market", "").Want(t, http.StatusOK).JSON(t, &l)
		if l.has(co.ID) {
			t.Error("a pending company is listed")
		}
		h.Get(t, "/v1/admin/companies", admin.Token).Want(t, http.StatusOK).JSON(t, &l)
		if !l.has(co.ID) {
			t.Error("the admin's pending list misses the company")
		}
		h.Post(t, "/v1/admin/companies/"+co.ID+"/verify", admin.Token, nil).Want(t, http.StatusOK)
		h.Get(t, "/v1/companies?type=market", "").Want(t, http.StatusOK).JSON(t, &l)
		if !l.has(co.ID) {
			t.Error("the verified company is not listed")
		}
		h.Get(t, "/v1/companies?type=gym", "").Want(t, http.StatusOK).JSON(t, &l)
		if l.has(co.ID) {
			t.Error("type filter does not filter")
		}
		h.Post(t, "/v1/admin/companies/"+co.ID+"/reject", admin.Token, map[string]any{"reason": "fraud"}).Want(t, http.StatusOK)
		h.Get(t, "/v1/companies/"+co.ID, "").Want(t, http.StatusNotFound)
	})
}

func TestListPaging(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		for i := 0; i < 3; i++ {
			harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Specialties: []string{"paging"}})
		}
		seen := map[string]bool{}
		cursor := ""
		for page := 0; page < 3; page++ {
			var l listed
			path := "/v1/directory/professionals?specialty=paging&limit=2"
			if cursor != "" {
				path += "&cursor=" + cursor
			}
			h.Get(t, path, "").Want(t, http.StatusOK).JSON(t, &l)
			for _, it := range l.Items {
				seen[it.ID] = true
			}
			if cursor = l.NextCursor; cursor == "" {
				break
			}
		}
		if len(seen) != 3 {
			t.Errorf("paging saw %d professionals, want 3", len(seen))
		}
		if pr := h.Get(t, "/v1/directory/professionals?limit=500", "").Want(t, http.StatusBadRequest).Problem(t); !pr.HasField("limit") {
			t.Errorf("names %v", pr.Fields())
		}
		if pr := h.Get(t, "/v1/directory/professionals?cursor=%%%", "").Want(t, http.StatusBadRequest).Problem(t); !pr.HasField("cursor") {
			t.Errorf("names %v", pr.Fields())
		}
	})
}

func TestMembersAndAPIKeys(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		ca := harness.SignUpVerifiedCompany(t, h, "pharmacy")
		staff := harness.AddCompanyStaff(t, h, ca, "staff")
		base := "/v1/companies/" + ca.CompanyID

		var me struct {
			Kind      string   `json:"kind"`
			CompanyID string   `json:"company_id"`
			Roles     []string `json:"roles"`
		}
		h.Get(t, "/v1/me", staff.Token).Want(t, http.StatusOK).JSON(t, &me)
		if me.Kind != "company_member" || me.CompanyID != ca.CompanyID || len(me.Roles) != 1 || me.Roles[0] != "staff" {
			t.Errorf("staff me = %+v", me)
		}
		// Staff may look but not change.
		var ms struct {
			Items []struct {
				AccountID string `json:"account_id"`
				Role      string `json:"role"`
			} `json:"items"`
		}
		h.Get(t, base+"/members", staff.Token).Want(t, http.StatusOK).JSON(t, &ms)
		if len(ms.Items) != 2 {
			t.Errorf("members = %+v", ms)
		}
		h.Post(t, base+"/members", staff.Token, map[string]any{"name": "X", "email": harness.NewEmail("x"), "role": "staff", "password": harness.Password}).Want(t, http.StatusForbidden)
		h.Post(t, base+"/api-keys", staff.Token, map[string]any{"name": "ERP", "scopes": []string{"orders:read"}}).Want(t, http.StatusForbidden)
		// Bad input and duplicates.
		if pr := h.Post(t, base+"/members", ca.Token, map[string]any{"name": "X", "email": staff.Email, "role": "staff", "password": harness.Password}).Want(t, http.StatusConflict).Problem(t); !pr.HasField("email") {
			t.Errorf("names %v", pr.Fields())
		}
		if pr := h.Post(t, base+"/members", ca.Token, map[string]any{"name": "X", "email": harness.NewEmail("x"), "role": "owner"}).Want(t, http.StatusBadRequest).Problem(t); !pr.HasField("role") {
			t.Errorf("names %v", pr.Fields())
		}
		// An invited member (no password) gets a link to choose one.
		invited := harness.NewEmail("invited")
		h.Post(t, base+"/members", ca.Token, map[string]any{"name": "Inv", "email": invited, "role": "admin"}).Want(t, http.StatusCreated)
		tok := resetToken(t, h, invited)
		h.Post(t, "/v1/auth/password-reset/confirm", "", map[string]any{"token": tok, "password": "Invited-Pass-123"}).Want(t, http.StatusNoContent)
		harness.Login(t, h, invited, "Invited-Pass-123", "company_member")

		// Removing a member ends their sessions; the last admin stays.
		h.Do(t, harness.Req{Method: http.MethodDelete, Path: base + "/members/" + staff.ID, Token: ca.Token}).Want(t, http.StatusNoContent)
		grant(t, h, map[string]any{"grant_type": "refresh_token", "refresh_token": staff.RefreshToken}).Want(t, http.StatusUnauthorized)
		h.Get(t, "/v1/me", staff.Token).Want(t, http.StatusUnauthorized) // the access token dies at once too
		grant(t, h, map[string]any{"grant_type": "password", "email": staff.Email, "password": staff.Password}).Want(t, http.StatusUnauthorized)
		h.Do(t, harness.Req{Method: http.MethodDelete, Path: base + "/members/" + staff.ID, Token: ca.Token}).Want(t, http.StatusNotFound)

		// API keys: the secret is shown once, has a visible prefix and authenticates.
		var key struct {
			ID, Prefix, Secret string
			Scopes             []string
		}
		h.Post(t, base+"/api-keys", ca.Token, map[string]any{"name": "ERP", "scopes": []string{"orders:read", "catalog:write"}}).Want(t, http.StatusCreated).JSON(t, &key)
		if !strings.HasPrefix(key.Secret, "msk_") || !strings.HasPrefix(key.Secret, key.Prefix+"_") || len(key.Scopes) != 2 {
			t.Fatalf("key = %+v", key)
		}
		if pr := h.Post(t, base+"/api-keys", ca.Token, map[string]any{"name": "x", "scopes": []string{"admin:all"}}).Want(t, http.StatusBadRequest).Problem(t); !pr.HasField("scopes") {
			t.Errorf("names %v", pr.Fields())
		}
		var keys struct {
			Items []map[string]any `json:"items"`
		}
		r := h.Get(t, base+"/api-keys", ca.Token).Want(t, http.StatusOK)
		r.JSON(t, &keys)
		if len(keys.Items) != 1 || strings.Contains(string(r.Body), key.Secret) {
			t.Errorf("list shows %s", r.Body)
		}
		// The key authenticates as the company (it may see its company), but is not a user.
		h.Get(t, base, key.Secret).Want(t, http.StatusOK)
		h.Get(t, "/v1/me", key.Secret).Want(t, http.StatusUnauthorized)
		h.Get(t, base, key.Secret+"x").Want(t, http.StatusUnauthorized)
		h.Do(t, harness.Req{Method: http.MethodDelete, Path: base + "/api-keys/" + key.ID, Token: ca.Token}).Want(t, http.StatusNoContent)
		h.Get(t, base, key.Secret).Want(t, http.StatusUnauthorized)
	})
}
