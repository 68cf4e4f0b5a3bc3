package identity

import "github.com/multisaude/multisaude/core/kernel"

// Action is something a caller may try within identity.
type Action string

const (
	ActAdminister    Action = "administer"     // verify or reject professionals and companies, list pending ones
	ActViewCompany   Action = "view_company"   // see a company's private details (members)
	ActManageMembers Action = "manage_members" // add or remove a company's members
	ActManageAPIKeys Action = "manage_api_keys"
)

// Authorize is identity's permission table: may p do a to the company
// companyID (empty for actions on no company)? Anonymous callers get
// KindUnauthenticated; others who may not, KindForbidden (a company's existence
// is public, so refusing does not leak it).
//
//	action            admin  own company admin  own company staff  other company  patient/professional  api key
//	administer        yes    no                 no                 no             no                    no
//	view_company      yes    yes                yes                no             no                    no
//	manage_members    no     yes                no                 no             no                    no
//	manage_api_keys   no     yes                no                 no             no                    no
func Authorize(p kernel.Principal, a Action, companyID kernel.ID) error {
	if p.IsAnonymous() {
		return kernel.Unauthenticated("é necessário autenticar-se")
	}
	ownCompany := p.Kind == kernel.KindCompanyMember && companyID != "" && p.CompanyID == companyID
	allowed := false
	switch a {
	case ActAdminister:
		allowed = p.Kind == kernel.KindAdmin
	case ActViewCompany:
		allowed = p.Kind == kernel.KindAdmin || ownCompany
	case ActManageMembers, ActManageAPIKeys:
		allowed = ownCompany && p.HasRole(RoleAdmin)
	}
	if !allowed {
		return kernel.Forbidden("você não tem permissão para fazer isto")
	}
	return nil
}

// canSeeProfessional: a verified professional is public; others only to
// themselves and platform admins (everyone else gets not found).
func canSeeProfessional(p kernel.Principal, pr Professional) bool {
	return pr.Verified() || p.Kind == kernel.KindAdmin || p.Kind == kernel.KindProfessional && p.AccountID == pr.ID
}

// canSeeCompany: a verified company is public; others only to their members,
// their API keys and platform admins.
func canSeeCompany(p kernel.Principal, c Company) bool {
	own := (p.Kind == kernel.KindCompanyMember || p.Kind == kernel.KindAPIKey) && p.CompanyID == c.ID
	return c.Verified() || p.Kind == kernel.KindAdmin || own
}
