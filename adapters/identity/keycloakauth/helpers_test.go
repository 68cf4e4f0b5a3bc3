package keycloakauth_test

import (
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

func portsUser(account, company string) ports.NewUser {
	u := ports.NewUser{AccountID: account, Email: "ana@example.com", Password: "Correct-Horse-9", Kind: kernel.KindCompanyMember, Roles: []string{"admin"}, CompanyID: company}
	if company == "" {
		u.Kind, u.Roles = kernel.KindPatient, nil
	}
	return u
}
