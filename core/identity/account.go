package identity

import (
	"slices"
	"sort"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Status of a professional or a company.
type Status string

const (
	StatusPending  Status = "pending_verification"
	StatusVerified Status = "verified"
	StatusRejected Status = "rejected"
)

// Company roles.
const (
	RoleAdmin = "admin"
	RoleStaff = "staff"
)

// Account is the credential and the sign-in state of one person. Every kind has
// one; patients and professionals have a profile besides.
type Account struct {
	ID           kernel.ID
	Kind         kernel.AccountKind
	Email        string
	Name         string
	Phone        string
	PasswordHash string
	CompanyID    kernel.ID // company members only
	Role         string    // company members only: admin or staff
	Disabled     bool      // a removed member; cannot sign in
	FailedLogins int
	LockedUntil  time.Time
	// Subject is the identity provider's ID for the user (CreateUser's answer);
	// empty for accounts made before providers held users.
	Subject string
	// SessionsValidAfter ends every access token issued before it (logout,
	// password change); zero when no session was ended yet.
	SessionsValidAfter time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// providerSubject is the subject to name the account by at the identity provider.
func (a Account) providerSubject() string {
	if a.Subject != "" {
		return a.Subject
	}
	return a.ID
}

// Principal is who the account acts as.
func (a Account) Principal() kernel.Principal {
	p := kernel.Principal{AccountID: a.ID, Kind: a.Kind}
	if a.Kind == kernel.KindCompanyMember {
		p.CompanyID = a.CompanyID
		p.Roles = []string{a.Role}
	}
	if a.Kind == kernel.KindAdmin {
		p.Roles = []string{"admin"}
	}
	return p
}

// Address is a postal address.
type Address struct {
	CEP        string
	Street     string
	Number     string
	Complement string
	District   string
	City       string
	UF         string
}

// Port converts the address for the geocoder.
func (a Address) Port() ports.Address {
	return ports.Address{CEP: a.CEP, Street: a.Street, Number: a.Number, District: a.District, City: a.City, UF: a.UF}
}

// Patient is a patient's profile.
type Patient struct {
	ID         kernel.ID // the account's ID
	Name       string
	SocialName string
	Email      string
	Phone      string
	CPF        string
	BirthDate  time.Time
	Address    Address
	Point      *ports.Point // nil when the address could not be placed
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// DisplayName is the social name when given, else the name.
func (p Patient) DisplayName() string {
	if p.SocialName != "" {
		return p.SocialName
	}
	return p.Name
}

// Council is a professional registration: council type, number and UF.
type Council struct {
	Type   string
	Number string
	UF     string
}

// Consultation modes.
const (
	ModeInPerson     = "in_person"
	ModeTelemedicine = "telemedicine"
)

// Professional is a health professional's profile.
type Professional struct {
	ID              kernel.ID // the account's ID
	Name            string
	Email           string
	Phone           string
	CPF             string
	Profession      string
	Council         Council
	Specialties     []string
	Bio             string
	Price           kernel.Money
	Modes           []string
	Address         Address // where in-person consultations happen; may be empty for telemedicine only
	Point           *ports.Point
	Status          Status
	RejectionReason string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Verified reports whether the professional may be found and booked.
func (p Professional) Verified() bool { return p.Status == StatusVerified }

// Offers reports whether the professional offers mode.
func (p Professional) Offers(mode string) bool { return slices.Contains(p.Modes, mode) }

// Company types.
var companyTypes = map[string]bool{"hospital": true, "pharmacy": true, "market": true, "sports_store": true, "gym": true}

// Company is a partner company.
type Company struct {
	ID              kernel.ID
	LegalName       string
	TradeName       string
	CNPJ            string
	Type            string
	Address         Address
	Point           *ports.Point
	Phone           string
	Email           string // contact e-mail
	Status          Status
	RejectionReason string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Verified reports whether the company may be found and ordered from.
func (c Company) Verified() bool { return c.Status == StatusVerified }

// Member is a company member as seen by the company's admins.
type Member struct {
	AccountID kernel.ID
	CompanyID kernel.ID
	Name      string
	Email     string
	Role      string
	CreatedAt time.Time
}

// API key scopes.
const (
	ScopeOrdersRead   = "orders:read"
	ScopeOrdersWrite  = "orders:write"
	ScopeCatalogWrite = "catalog:write"
	// ScopePrescriptionsDispense lets a pharmacy's integration dispense
	// prescriptions (clinical checks it); only pharmacies' keys may hold it.
	ScopePrescriptionsDispense = "prescriptions:dispense"
	// ScopeFHIRRead lets a partner's system read through the FHIR facade
	// what the company's members may read (a hospital: its exam bookings).
	ScopeFHIRRead = kernel.ScopeFHIRRead
)

var knownScopes = map[string]bool{ScopeOrdersRead: true, ScopeOrdersWrite: true, ScopeCatalogWrite: true, ScopePrescriptionsDispense: true, ScopeFHIRRead: true}

// APIKey is a partner integration's key. The secret is stored only as a hash.
type APIKey struct {
	ID         kernel.ID
	CompanyID  kernel.ID
	Name       string
	Prefix     string // the visible part, e.g. "msk_3f9a1c2b7d4e"
	SecretHash string
	Scopes     []string
	CreatedBy  kernel.ID
	CreatedAt  time.Time
	RevokedAt  *time.Time
}

// ProfessionalQuery filters verified professionals. Empty fields match all.
type ProfessionalQuery struct {
	Specialty  string
	Profession string
	Mode       string
	City       string
	UF         string
}

func sortStrings(s []string) []string { sort.Strings(s); return s }
