package jwks

import (
	"net/mail"
	"strings"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// CompanyRolePrefix marks an identity provider group or role that is a role
// within the caller's company: "company-admin" gives the role "admin".
const CompanyRolePrefix = "company-"

// kindOrder is the precedence when a user holds several kind groups.
var kindOrder = []kernel.AccountKind{kernel.KindAdmin, kernel.KindProfessional, kernel.KindCompanyMember, kernel.KindPatient}

// PrincipalOf builds the principal an identity provider's token names: the
// account kind is the group or role named after it ("patient", "professional",
// "company_member", "admin"), company roles are the groups or roles prefixed
// "company-", and extra roles (a Keycloak client's roles) are kept as they are.
// An account ID that is not one of ours is kernel.KindUnauthenticated.
func PrincipalOf(accountID, companyID string, groups, extraRoles []string) (kernel.Principal, error) {
	if !kernel.ValidID(accountID) {
		return kernel.Principal{}, kernel.Unauthenticated("o token não indica nenhuma conta desta plataforma")
	}
	if companyID != "" && !kernel.ValidID(companyID) {
		return kernel.Principal{}, kernel.Unauthenticated("o token indica uma empresa inválida")
	}
	p := kernel.Principal{AccountID: accountID, CompanyID: companyID, Roles: []string{}}
	held := map[string]bool{}
	for _, g := range groups {
		held[g] = true
		if r, ok := strings.CutPrefix(g, CompanyRolePrefix); ok && r != "" {
			p.Roles = append(p.Roles, r)
		}
	}
	for _, k := range kindOrder {
		if held[string(k)] {
			p.Kind = k
			break
		}
	}
	if p.Kind == "" {
		return kernel.Principal{}, kernel.Unauthenticated("o token não indica nenhum tipo de conta")
	}
	p.Roles = append(p.Roles, extraRoles...)
	return p, nil
}

// Groups returns the provider groups for a new user: its kind and its company roles.
func Groups(kind kernel.AccountKind, roles []string) []string {
	out := []string{string(kind)}
	for _, r := range roles {
		out = append(out, CompanyRolePrefix+r)
	}
	return out
}

// ValidKind reports whether k is an account kind an identity provider holds.
func ValidKind(k kernel.AccountKind) bool {
	for _, x := range kindOrder {
		if x == k {
			return true
		}
	}
	return false
}

// ValidateNewUser checks a user before it is sent to a provider; bad fields are
// kernel.KindInvalid naming them.
func ValidateNewUser(u ports.NewUser) error {
	var p kernel.Problems
	if p.Require("email", u.Email) {
		if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
			p.Add("email", "não é um endereço de e-mail")
		}
	}
	p.Require("password", u.Password)
	if !kernel.ValidID(u.AccountID) {
		p.Add("account_id", "não é um ID")
	}
	if u.CompanyID != "" && !kernel.ValidID(u.CompanyID) {
		p.Add("company_id", "não é um ID")
	}
	if !ValidKind(u.Kind) {
		p.Add("kind", "não é um tipo de conta")
	}
	for _, r := range u.Roles {
		if r == "" || strings.ContainsAny(r, "/ ") {
			p.Add("roles", "contém um papel inválido")
		}
	}
	return p.Err()
}

// Strings converts a decoded JSON array of strings (or one string) to []string.
func Strings(v any) []string {
	switch v := v.(type) {
	case []string:
		return v
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
