package identityapi

import (
	"time"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Address is a postal address in requests and responses.
type Address struct {
	CEP        string `json:"cep"`
	Street     string `json:"street"`
	Number     string `json:"number"`
	Complement string `json:"complement,omitempty"`
	District   string `json:"district"`
	City       string `json:"city"`
	UF         string `json:"uf"`
}

func (a Address) input() identity.AddressInput {
	return identity.AddressInput{CEP: a.CEP, Street: a.Street, Number: a.Number, Complement: a.Complement,
		District: a.District, City: a.City, UF: a.UF}
}

func addressOf(a identity.Address) Address {
	return Address{CEP: a.CEP, Street: a.Street, Number: a.Number, Complement: a.Complement, District: a.District, City: a.City, UF: a.UF}
}

// Point is a WGS84 coordinate.
type Point struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

func pointOf(p *ports.Point) *Point {
	if p == nil {
		return nil
	}
	return &Point{Lat: p.Lat, Lng: p.Lng}
}

// Money is an amount in centavos.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// PatientRequest signs up a patient.
type PatientRequest struct {
	Name       string  `json:"name"`
	SocialName string  `json:"social_name,omitempty"`
	Email      string  `json:"email"`
	Password   string  `json:"password"`
	CPF        string  `json:"cpf"`
	BirthDate  string  `json:"birth_date"`
	Phone      string  `json:"phone"`
	Address    Address `json:"address"`
}

// PatientResponse is a patient's own profile.
type PatientResponse struct {
	ID         string    `json:"id"`
	Kind       string    `json:"kind"`
	Name       string    `json:"name"`
	SocialName string    `json:"social_name,omitempty"`
	Email      string    `json:"email"`
	Phone      string    `json:"phone"`
	CPF        string    `json:"cpf"`
	BirthDate  string    `json:"birth_date"`
	Address    Address   `json:"address"`
	Location   *Point    `json:"location"`
	CreatedAt  time.Time `json:"created_at"`
}

func patientOf(p identity.Patient) PatientResponse {
	return PatientResponse{ID: p.ID, Kind: string(kernel.KindPatient), Name: p.Name, SocialName: p.SocialName, Email: p.Email,
		Phone: p.Phone, CPF: p.CPF, BirthDate: p.BirthDate.Format("2006-01-02"), Address: addressOf(p.Address),
		Location: pointOf(p.Point), CreatedAt: p.CreatedAt}
}

// Council is a professional registration.
type Council struct {
	Type   string `json:"type"`
	Number string `json:"number"`
	UF     string `json:"uf"`
}

// ProfessionalRequest signs up a professional.
type ProfessionalRequest struct {
	Name        string   `json:"name"`
	Email       string   `json:"email"`
	Password    string   `json:"password"`
	CPF         string   `json:"cpf"`
	Phone       string   `json:"phone"`
	Profession  string   `json:"profession"`
	Council     Council  `json:"council"`
	Specialties []string `json:"specialties"`
	Bio         string   `json:"bio,omitempty"`
	Price       Money    `json:"price"`
	Modes       []string `json:"modes"`
	Address     *Address `json:"address,omitempty"`
}

// ProfessionalResponse is a professional's profile. CPF, e-mail and phone are
// shown only to the professional and admins.
type ProfessionalResponse struct {
	ID              string    `json:"id"`
	Kind            string    `json:"kind"`
	Name            string    `json:"name"`
	Email           string    `json:"email,omitempty"`
	Phone           string    `json:"phone,omitempty"`
	CPF             string    `json:"cpf,omitempty"`
	Profession      string    `json:"profession"`
	Council         Council   `json:"council"`
	Specialties     []string  `json:"specialties"`
	Bio             string    `json:"bio"`
	Price           Money     `json:"price"`
	Modes           []string  `json:"modes"`
	Address         *Address  `json:"address"`
	Location        *Point    `json:"location"`
	Status          string    `json:"status"`
	RejectionReason string    `json:"rejection_reason,omitempty"`
	CreatedAt       time.Time `json:"created_at"`
}

func professionalOf(p identity.Professional, private bool) ProfessionalResponse {
	r := ProfessionalResponse{ID: p.ID, Kind: string(kernel.KindProfessional), Name: p.Name, Profession: p.Profession,
		Council:     Council{Type: p.Council.Type, Number: p.Council.Number, UF: p.Council.UF},
		Specialties: nonNil(p.Specialties), Bio: p.Bio, Price: Money{Amount: p.Price.Amount, Currency: p.Price.Currency},
		Modes: nonNil(p.Modes), Location: pointOf(p.Point), Status: string(p.Status), CreatedAt: p.CreatedAt}
	if p.Address != (identity.Address{}) {
		a := addressOf(p.Address)
		r.Address = &a
	}
	if private {
		r.Email, r.Phone, r.CPF, r.RejectionReason = p.Email, p.Phone, p.CPF, p.RejectionReason
	}
	return r
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// CompanyAdmin is a company's first admin user.
type CompanyAdmin struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Password string `json:"password"`
}

// CompanyRequest signs up a partner company.
type CompanyRequest struct {
	LegalName string       `json:"legal_name"`
	TradeName string       `json:"trade_name"`
	CNPJ      string       `json:"cnpj"`
	Type      string       `json:"type"`
	Address   Address      `json:"address"`
	Phone     string       `json:"phone"`
	Email     string       `json:"email,omitempty"`
	Admin     CompanyAdmin `json:"admin"`
}

// CompanyResponse is a partner company.
type CompanyResponse struct {
	ID              string    `json:"id"`
	LegalName       string    `json:"legal_name"`
	TradeName       string    `json:"trade_name"`
	CNPJ            string    `json:"cnpj"`
	Type            string    `json:"type"`
	Address         Address   `json:"address"`
	Location        *Point    `json:"location"`
	Phone           string    `json:"phone"`
	Email           string    `json:"email,omitempty"`
	Status          string    `json:"status"`
	RejectionReason string    `json:"rejection_reason,omitempty"`
	CreatedAt       time.Time `json:"created_at"`
}

func companyOf(c identity.Company) CompanyResponse {
	return CompanyResponse{ID: c.ID, LegalName: c.LegalName, TradeName: c.TradeName, CNPJ: c.CNPJ, Type: c.Type,
		Address: addressOf(c.Address), Location: pointOf(c.Point), Phone: c.Phone, Email: c.Email, Status: string(c.Status),
		RejectionReason: c.RejectionReason, CreatedAt: c.CreatedAt}
}

// CompanySignUpResponse is a new company and its admin's account ID.
type CompanySignUpResponse struct {
	CompanyResponse
	AdminAccountID string `json:"admin_account_id"`
}

// TokenRequest is an OAuth-style grant.
type TokenRequest struct {
	GrantType    string `json:"grant_type"`
	Email        string `json:"email,omitempty"`
	Password     string `json:"password,omitempty"`
	AccountKind  string `json:"account_kind,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// TokenResponse carries new tokens.
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	AccountID    string `json:"account_id"`
	Kind         string `json:"kind"`
}

// LogoutRequest ends a session (or, with all, every session of the caller).
type LogoutRequest struct {
	RefreshToken string `json:"refresh_token,omitempty"`
	All          bool   `json:"all,omitempty"`
}

// ResetRequest asks for a password-reset e-mail.
type ResetRequest struct {
	Email       string `json:"email"`
	AccountKind string `json:"account_kind,omitempty"`
}

// ResetConfirm sets a new password with a reset token.
type ResetConfirm struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// AcceptedResponse answers requests whose outcome is not told.
type AcceptedResponse struct {
	Status string `json:"status"`
}

// MeResponse is the caller's account, with the profile of its kind.
type MeResponse struct {
	ID           string                `json:"id"`
	Kind         string                `json:"kind"`
	Email        string                `json:"email"`
	Name         string                `json:"name"`
	Phone        string                `json:"phone,omitempty"`
	CompanyID    string                `json:"company_id,omitempty"`
	Roles        []string              `json:"roles"`
	Patient      *PatientResponse      `json:"patient,omitempty"`
	Professional *ProfessionalResponse `json:"professional,omitempty"`
	Company      *CompanyResponse      `json:"company,omitempty"`
}

func meOf(m identity.Me) MeResponse {
	p := m.Account.Principal()
	r := MeResponse{ID: m.Account.ID, Kind: string(m.Account.Kind), Email: m.Account.Email, Name: m.Account.Name,
		Phone: m.Account.Phone, CompanyID: m.Account.CompanyID, Roles: nonNil(p.Roles)}
	if m.Patient != nil {
		v := patientOf(*m.Patient)
		r.Patient = &v
	}
	if m.Professional != nil {
		v := professionalOf(*m.Professional, true)
		r.Professional = &v
	}
	if m.Company != nil {
		v := companyOf(*m.Company)
		r.Company = &v
	}
	return r
}

// MePatchRequest changes the caller's profile; absent fields stay.
type MePatchRequest struct {
	Name            *string   `json:"name,omitempty"`
	SocialName      *string   `json:"social_name,omitempty"`
	Phone           *string   `json:"phone,omitempty"`
	Email           *string   `json:"email,omitempty"`
	CurrentPassword *string   `json:"current_password,omitempty"`
	NewPassword     *string   `json:"new_password,omitempty"`
	Address         *Address  `json:"address,omitempty"`
	Bio             *string   `json:"bio,omitempty"`
	Specialties     *[]string `json:"specialties,omitempty"`
	Modes           *[]string `json:"modes,omitempty"`
	Price           *Money    `json:"price,omitempty"`
}

func (r MePatchRequest) patch() identity.MePatch {
	p := identity.MePatch{Name: r.Name, SocialName: r.SocialName, Phone: r.Phone, Email: r.Email, Bio: r.Bio,
		CurrentPassword: r.CurrentPassword, NewPassword: r.NewPassword, Specialties: r.Specialties, Modes: r.Modes}
	if r.Address != nil {
		a := r.Address.input()
		p.Address = &a
	}
	if r.Price != nil {
		p.Price = &kernel.Money{Amount: r.Price.Amount, Currency: r.Price.Currency}
	}
	return p
}

// DecisionRequest rejects with a reason (verify takes no body, or an empty one).
type DecisionRequest struct {
	Reason string `json:"reason,omitempty"`
}

// SchemaName shares the schema of every body that is only a reason (cancel, reject).
func (DecisionRequest) SchemaName() string { return "ReasonRequest" }

// MemberRequest adds a member to a company.
type MemberRequest struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Role     string `json:"role"`
	Password string `json:"password,omitempty"`
}

// MemberResponse is a company member.
type MemberResponse struct {
	AccountID string    `json:"account_id"`
	CompanyID string    `json:"company_id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	CreatedAt time.Time `json:"created_at"`
}

func memberOf(m identity.Member) MemberResponse {
	return MemberResponse{AccountID: m.AccountID, CompanyID: m.CompanyID, Name: m.Name, Email: m.Email, Role: m.Role, CreatedAt: m.CreatedAt}
}

// APIKeyRequest creates a partner API key.
type APIKeyRequest struct {
	Name   string   `json:"name"`
	Scopes []string `json:"scopes"`
}

// APIKeyResponse describes a key; Secret is present only in the creation answer.
type APIKeyResponse struct {
	ID        string     `json:"id"`
	CompanyID string     `json:"company_id"`
	Name      string     `json:"name"`
	Prefix    string     `json:"prefix"`
	Scopes    []string   `json:"scopes"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at"`
	Secret    string     `json:"secret,omitempty"`
}

func apiKeyOf(k identity.APIKey) APIKeyResponse {
	return APIKeyResponse{ID: k.ID, CompanyID: k.CompanyID, Name: k.Name, Prefix: k.Prefix, Scopes: nonNil(k.Scopes),
		CreatedAt: k.CreatedAt, RevokedAt: k.RevokedAt}
}

// JWKSResponse is a JSON Web Key Set.
type JWKSResponse struct {
	Keys []map[string]string `json:"keys"`
}

// Maxima of the request bodies (see httpapi.Bounded): the use cases' own
// constants; and the closed sets, patterns and formats the use cases check,
// from the use cases' own declarations (documented on responses too).

const maxShort = 254 // any other string: e-mails, CPF, phones, codes, enums

var (
	ufs        = httpapi.Limit{Enum: identity.UFList()}
	email      = httpapi.Limit{Format: "email"}
	uuid       = httpapi.Limit{Format: "uuid"}
	date       = httpapi.Limit{Format: "date"}
	modes      = httpapi.Limit{Items: identity.MaxModes, Length: 20, Enum: identity.Modes()}
	statuses   = httpapi.Limit{Enum: identity.Statuses()}
	profession = httpapi.Limit{Enum: identity.Professions()}
)

func (Address) Limits() httpapi.Limits {
	return httpapi.Limits{"street": {Length: identity.MaxStreetLen}, "number": {Length: identity.MaxNumberLen},
		"complement": {Length: identity.MaxAddressLen}, "district": {Length: identity.MaxAddressLen},
		"city": {Length: identity.MaxAddressLen}, "cep": {Pattern: identity.CEPPattern}, "uf": ufs,
		httpapi.AnyString: {Length: maxShort}}
}

func (Money) Limits() httpapi.Limits {
	return httpapi.Limits{"currency": {Length: 3, Pattern: kernel.CurrencyPattern}}
}

func (Point) Limits() httpapi.Limits {
	return httpapi.Limits{"lat": {Range: &httpapi.Range{Min: -90, Max: 90}}, "lng": {Range: &httpapi.Range{Min: -180, Max: 180}}}
}

func (Council) Limits() httpapi.Limits {
	return httpapi.Limits{"type": {Enum: identity.Councils()}, "uf": ufs, httpapi.AnyString: {Length: 40}}
}

func (PatientRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"name": {Length: identity.MaxNameLen}, "social_name": {Length: identity.MaxNameLen},
		"password": {Length: identity.MaxPasswordLen}, "email": email, "cpf": {Pattern: identity.CPFPattern},
		"birth_date": date, httpapi.AnyString: {Length: maxShort}}
}

func (PatientResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"id": uuid, "kind": {Enum: []string{string(kernel.KindPatient)}}, "email": email,
		"cpf": {Pattern: identity.CPFStoredPattern}, "birth_date": date}
}

func (ProfessionalRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"name": {Length: identity.MaxNameLen}, "password": {Length: identity.MaxPasswordLen},
		"specialties": {Items: identity.MaxSpecialties, Length: identity.MaxSlugLen}, "modes": modes,
		"bio": {Length: identity.MaxBioLen}, "email": email, "cpf": {Pattern: identity.CPFPattern}, "profession": profession,
		httpapi.AnyString: {Length: maxShort}}
}

func (ProfessionalResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"id": uuid, "kind": {Enum: []string{string(kernel.KindProfessional)}}, "email": email,
		"cpf": {Pattern: identity.CPFStoredPattern}, "profession": profession, "modes": {Enum: identity.Modes()}, "status": statuses}
}

func (CompanyAdmin) Limits() httpapi.Limits {
	return httpapi.Limits{"name": {Length: identity.MaxNameLen}, "password": {Length: identity.MaxPasswordLen},
		"email": email, httpapi.AnyString: {Length: maxShort}}
}

func (CompanyRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"legal_name": {Length: identity.MaxLegalNameLen}, "trade_name": {Length: identity.MaxLegalNameLen},
		"cnpj": {Pattern: identity.CNPJPattern}, "type": {Enum: identity.CompanyTypes()}, "email": email,
		httpapi.AnyString: {Length: maxShort}}
}

func (CompanyResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"id": uuid, "cnpj": {Pattern: identity.CNPJStoredPattern}, "type": {Enum: identity.CompanyTypes()},
		"email": email, "status": statuses}
}

func (CompanySignUpResponse) Limits() httpapi.Limits {
	l := CompanyResponse{}.Limits()
	l["admin_account_id"] = uuid
	return l
}

func (TokenRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"password": {Length: identity.MaxPasswordLen}, "refresh_token": {Length: identity.MaxTokenLen},
		"grant_type": {Enum: []string{"password", "refresh_token"}}, "account_kind": {Enum: identity.SignInKinds()},
		"email": email, httpapi.AnyString: {Length: maxShort}}
}

func (TokenResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"token_type": {Enum: []string{"Bearer"}}, "account_id": uuid, "kind": {Enum: identity.SignInKinds()},
		"expires_in": {Range: &httpapi.Range{Min: 1, Max: 1 << 31}}}
}

func (LogoutRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"refresh_token": {Length: identity.MaxTokenLen}}
}

func (ResetRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"email": email, "account_kind": {Enum: identity.SignInKinds()}, httpapi.AnyString: {Length: maxShort}}
}

func (ResetConfirm) Limits() httpapi.Limits {
	return httpapi.Limits{"token": {Length: identity.MaxTokenLen}, "password": {Length: identity.MaxPasswordLen}}
}

func (MeResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"id": uuid, "kind": {Enum: identity.SignInKinds()}, "email": email, "company_id": uuid}
}

func (MePatchRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"name": {Length: identity.MaxNameLen}, "social_name": {Length: identity.MaxNameLen},
		"current_password": {Length: identity.MaxPasswordLen}, "new_password": {Length: identity.MaxPasswordLen},
		"specialties": {Items: identity.MaxSpecialties, Length: identity.MaxSlugLen}, "modes": modes,
		"bio": {Length: identity.MaxBioLen}, "email": email, httpapi.AnyString: {Length: maxShort}}
}

func (DecisionRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"reason": {Length: identity.MaxReasonLen}}
}

func (MemberRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"name": {Length: identity.MaxNameLen}, "password": {Length: identity.MaxPasswordLen},
		"email": email, "role": {Enum: identity.Roles()}, httpapi.AnyString: {Length: maxShort}}
}

func (MemberResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"account_id": uuid, "company_id": uuid, "email": email, "role": {Enum: identity.Roles()}}
}

func (APIKeyRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"name": {Length: identity.MaxAPIKeyNameLen},
		"scopes": {Items: identity.MaxScopes, Length: 40, Enum: identity.Scopes()}}
}

func (APIKeyResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"id": uuid, "company_id": uuid, "scopes": {Enum: identity.Scopes()}}
}
