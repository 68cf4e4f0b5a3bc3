package kernel

import "time"

// AccountKind says what sort of account is calling.
type AccountKind string

const (
	KindAnonymous     AccountKind = ""
	KindPatient       AccountKind = "patient"
	KindProfessional  AccountKind = "professional"
	KindCompanyMember AccountKind = "company_member"
	KindAdmin         AccountKind = "admin"
	KindAPIKey        AccountKind = "api_key" // a partner integration authenticated by an API key
)

// Principal is who is calling. It reaches every use case first.
type Principal struct {
	AccountID ID
	Kind      AccountKind
	Roles     []string // e.g. "admin" or "staff" within a company
	CompanyID ID       // for company members and API keys
	Scopes    []string // for API keys: orders:read, orders:write, catalog:write, prescriptions:dispense, fhir:read
	// IssuedAt is when the bearer token was issued (its iat), for revoking
	// sessions; zero when unknown (API keys, or a token without iat).
	IssuedAt time.Time
	// SessionID names the sign-in session the bearer token belongs to (our
	// refresh-token family, the local provider's sid claim), so that ending one
	// session ends its access tokens and no other's; empty when unknown (API
	// keys, tokens of outside providers).
	SessionID ID
}

// Anonymous is the principal of an unauthenticated call.
var Anonymous = Principal{}

// IsAnonymous reports whether nobody authenticated.
func (p Principal) IsAnonymous() bool { return p.AccountID == "" }

// HasRole reports whether the principal holds role.
func (p Principal) HasRole(role string) bool {
	for _, r := range p.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// ScopeFHIRRead is the API key scope of the FHIR facade's reads (every
// context checks it on the partner keys it lets read).
const ScopeFHIRRead = "fhir:read"

// HasScope reports whether an API key principal holds scope.
func (p Principal) HasScope(scope string) bool {
	for _, s := range p.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// RequireAuthenticated fails with KindUnauthenticated for an anonymous caller.
func (p Principal) RequireAuthenticated() error {
	if p.IsAnonymous() {
		return Unauthenticated("authentication is required")
	}
	return nil
}
