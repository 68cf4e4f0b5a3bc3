package identity

import (
	"testing"

	"github.com/multisaude/multisaude/core/kernel"
)

func TestAuthorizeTable(t *testing.T) {
	const co, other = "0190f5d2-0000-7000-8000-000000000001", "0190f5d2-0000-7000-8000-000000000002"
	callers := map[string]kernel.Principal{
		"anonymous":       kernel.Anonymous,
		"patient":         {AccountID: "p", Kind: kernel.KindPatient},
		"professional":    {AccountID: "d", Kind: kernel.KindProfessional},
		"company admin":   {AccountID: "ca", Kind: kernel.KindCompanyMember, CompanyID: co, Roles: []string{RoleAdmin}},
		"company staff":   {AccountID: "cs", Kind: kernel.KindCompanyMember, CompanyID: co, Roles: []string{RoleStaff}},
		"other company":   {AccountID: "oa", Kind: kernel.KindCompanyMember, CompanyID: other, Roles: []string{RoleAdmin}},
		"platform admin":  {AccountID: "a", Kind: kernel.KindAdmin, Roles: []string{"admin"}},
		"company API key": {AccountID: "k", Kind: kernel.KindAPIKey, CompanyID: co, Scopes: []string{ScopeOrdersRead}},
	}
	const (
		ok    = ""
		unau  = kernel.KindUnauthenticated
		forbd = kernel.KindForbidden
	)
	want := map[Action]map[string]kernel.Kind{
		ActAdminister: {"anonymous": unau, "patient": forbd, "professional": forbd, "company admin": forbd, "company staff": forbd,
			"other company": forbd, "platform admin": ok, "company API key": forbd},
		ActViewCompany: {"anonymous": unau, "patient": forbd, "professional": forbd, "company admin": ok, "company staff": ok,
			"other company": forbd, "platform admin": ok, "company API key": forbd},
		ActManageMembers: {"anonymous": unau, "patient": forbd, "professional": forbd, "company admin": ok, "company staff": forbd,
			"other company": forbd, "platform admin": forbd, "company API key": forbd},
		ActManageAPIKeys: {"anonymous": unau, "patient": forbd, "professional": forbd, "company admin": ok, "company staff": forbd,
			"other company": forbd, "platform admin": forbd, "company API key": forbd},
	}
	for act, row := range want {
		for name, p := range callers {
			err := Authorize(p, act, co)
			got := kernel.Kind("")
			if err != nil {
				got = kernel.KindOf(err)
			}
			if got != row[name] {
				t.Errorf("%s by %s: got %q, want %q", act, name, got, row[name])
			}
		}
	}
}

func TestVisibility(t *testing.T) {
	pending := Professional{ID: "d1", Status: StatusPending}
	verified := Professional{ID: "d2", Status: StatusVerified}
	for _, c := range []struct {
		p    kernel.Principal
		pr   Professional
		want bool
	}{
		{kernel.Anonymous, verified, true},
		{kernel.Anonymous, pending, false},
		{kernel.Principal{AccountID: "d1", Kind: kernel.KindProfessional}, pending, true},
		{kernel.Principal{AccountID: "d9", Kind: kernel.KindProfessional}, pending, false},
		{kernel.Principal{AccountID: "p", Kind: kernel.KindPatient}, pending, false},
		{kernel.Principal{AccountID: "a", Kind: kernel.KindAdmin}, pending, true},
	} {
		if got := canSeeProfessional(c.p, c.pr); got != c.want {
			t.Errorf("canSeeProfessional(%+v, %s) = %v", c.p, c.pr.Status, got)
		}
	}
	co := Company{ID: "c1", Status: StatusPending}
	if canSeeCompany(kernel.Principal{AccountID: "x", Kind: kernel.KindCompanyMember, CompanyID: "c2"}, co) ||
		!canSeeCompany(kernel.Principal{AccountID: "x", Kind: kernel.KindCompanyMember, CompanyID: "c1"}, co) {
		t.Error("company visibility is wrong")
	}
	if !canSeeCompany(kernel.Principal{AccountID: "k", Kind: kernel.KindAPIKey, CompanyID: "c1"}, co) ||
		canSeeCompany(kernel.Principal{AccountID: "k", Kind: kernel.KindAPIKey, CompanyID: "c2"}, co) ||
		canSeeCompany(kernel.Principal{AccountID: "p", Kind: kernel.KindPatient}, co) {
		t.Error("company visibility to API keys and patients is wrong")
	}
}
