package identitysql

import (
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

type accountRow struct {
	bun.BaseModel `bun:"table:identity_accounts"`
	ID            string    `bun:"id,pk"`
	Kind          string    `bun:"kind"`
	Email         string    `bun:"email"`
	Name          string    `bun:"name"`
	Phone         string    `bun:"phone"`
	PasswordHash  string    `bun:"password_hash"`
	CompanyID     *string   `bun:"company_id"`
	Role          string    `bun:"role"`
	Disabled      bool      `bun:"disabled"`
	FailedLogins  int       `bun:"failed_logins"`
	LockedUntil   time.Time `bun:"locked_until,nullzero"`
	Subject       string    `bun:"provider_subject"`
	ValidAfter    time.Time `bun:"sessions_valid_after,nullzero"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
}

func accountToRow(a identity.Account) accountRow {
	r := accountRow{ID: a.ID, Kind: string(a.Kind), Email: a.Email, Name: a.Name, Phone: a.Phone, PasswordHash: a.PasswordHash,
		Role: a.Role, Disabled: a.Disabled, FailedLogins: a.FailedLogins, LockedUntil: utc(a.LockedUntil),
		Subject: a.Subject, ValidAfter: utc(a.SessionsValidAfter), CreatedAt: utc(a.CreatedAt), UpdatedAt: utc(a.UpdatedAt)}
	if a.CompanyID != "" {
		c := a.CompanyID
		r.CompanyID = &c
	}
	return r
}

func accountFromRow(r accountRow) identity.Account {
	a := identity.Account{ID: r.ID, Kind: kernel.AccountKind(r.Kind), Email: r.Email, Name: r.Name, Phone: r.Phone,
		PasswordHash: r.PasswordHash, Role: r.Role, Disabled: r.Disabled, FailedLogins: r.FailedLogins,
		LockedUntil: utc(r.LockedUntil), Subject: r.Subject, SessionsValidAfter: utc(r.ValidAfter),
		CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt)}
	if r.CompanyID != nil {
		a.CompanyID = *r.CompanyID
	}
	return a
}

type AddressCols struct {
	CEP        string   `bun:"cep"`
	Street     string   `bun:"street"`
	Number     string   `bun:"number"`
	Complement string   `bun:"complement"`
	District   string   `bun:"district"`
	City       string   `bun:"city"`
	UF         string   `bun:"uf"`
	Lat        *float64 `bun:"lat"`
	Lng        *float64 `bun:"lng"`
}

func addressToCols(a identity.Address, pt *ports.Point) AddressCols {
	c := AddressCols{CEP: a.CEP, Street: a.Street, Number: a.Number, Complement: a.Complement, District: a.District, City: a.City, UF: a.UF}
	if pt != nil {
		lat, lng := pt.Lat, pt.Lng
		c.Lat, c.Lng = &lat, &lng
	}
	return c
}

func addressFromCols(c AddressCols) (identity.Address, *ports.Point) {
	a := identity.Address{CEP: c.CEP, Street: c.Street, Number: c.Number, Complement: c.Complement, District: c.District, City: c.City, UF: c.UF}
	if c.Lat != nil && c.Lng != nil {
		return a, &ports.Point{Lat: *c.Lat, Lng: *c.Lng}
	}
	return a, nil
}

type patientRow struct {
	bun.BaseModel `bun:"table:identity_patients"`
	ID            string `bun:"id,pk"`
	SocialName    string `bun:"social_name"`
	CPF           string `bun:"cpf"`
	BirthDate     string `bun:"birth_date"`
	AddressCols
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
}

func patientToRow(p identity.Patient) patientRow {
	return patientRow{ID: p.ID, SocialName: p.SocialName, CPF: p.CPF, BirthDate: p.BirthDate.Format("2006-01-02"),
		AddressCols: addressToCols(p.Address, p.Point), CreatedAt: utc(p.CreatedAt), UpdatedAt: utc(p.UpdatedAt)}
}

func patientFromRow(r patientRow, a accountRow) identity.Patient {
	bd, _ := time.Parse("2006-01-02", r.BirthDate)
	addr, pt := addressFromCols(r.AddressCols)
	return identity.Patient{ID: r.ID, Name: a.Name, SocialName: r.SocialName, Email: a.Email, Phone: a.Phone, CPF: r.CPF,
		BirthDate: bd, Address: addr, Point: pt, CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt)}
}

type professionalRow struct {
	bun.BaseModel `bun:"table:identity_professionals"`
	ID            string `bun:"id,pk"`
	CPF           string `bun:"cpf"`
	Profession    string `bun:"profession"`
	CouncilType   string `bun:"council_type"`
	CouncilNumber string `bun:"council_number"`
	CouncilUF     string `bun:"council_uf"`
	Specialties   string `bun:"specialties"`
	Bio           string `bun:"bio"`
	PriceAmount   int64  `bun:"price_amount"`
	PriceCurrency string `bun:"price_currency"`
	Modes         string `bun:"modes"`
	AddressCols
	Status          string    `bun:"status"`
	RejectionReason string    `bun:"rejection_reason"`
	CreatedAt       time.Time `bun:"created_at"`
	UpdatedAt       time.Time `bun:"updated_at"`
}

func professionalToRow(p identity.Professional) professionalRow {
	return professionalRow{ID: p.ID, CPF: p.CPF, Profession: p.Profession, CouncilType: p.Council.Type,
		CouncilNumber: p.Council.Number, CouncilUF: p.Council.UF, Specialties: jsonList(p.Specialties), Bio: p.Bio,
		PriceAmount: p.Price.Amount, PriceCurrency: p.Price.Currency, Modes: jsonList(p.Modes),
		AddressCols: addressToCols(p.Address, p.Point), Status: string(p.Status), RejectionReason: p.RejectionReason,
		CreatedAt: utc(p.CreatedAt), UpdatedAt: utc(p.UpdatedAt)}
}

func professionalFromRow(r professionalRow, a accountRow) identity.Professional {
	addr, pt := addressFromCols(r.AddressCols)
	return identity.Professional{ID: r.ID, Name: a.Name, Email: a.Email, Phone: a.Phone, CPF: r.CPF, Profession: r.Profession,
		Council:     identity.Council{Type: r.CouncilType, Number: r.CouncilNumber, UF: r.CouncilUF},
		Specialties: listJSON(r.Specialties), Bio: r.Bio, Price: kernel.Money{Amount: r.PriceAmount, Currency: r.PriceCurrency},
		Modes: listJSON(r.Modes), Address: addr, Point: pt, Status: identity.Status(r.Status), RejectionReason: r.RejectionReason,
		CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt)}
}

type companyRow struct {
	bun.BaseModel `bun:"table:identity_companies"`
	ID            string `bun:"id,pk"`
	LegalName     string `bun:"legal_name"`
	TradeName     string `bun:"trade_name"`
	CNPJ          string `bun:"cnpj"`
	Type          string `bun:"type"`
	AddressCols
	Phone           string    `bun:"phone"`
	Email           string    `bun:"email"`
	Status          string    `bun:"status"`
	RejectionReason string    `bun:"rejection_reason"`
	CreatedAt       time.Time `bun:"created_at"`
	UpdatedAt       time.Time `bun:"updated_at"`
}

func companyToRow(c identity.Company) companyRow {
	return companyRow{ID: c.ID, LegalName: c.LegalName, TradeName: c.TradeName, CNPJ: c.CNPJ, Type: c.Type,
		AddressCols: addressToCols(c.Address, c.Point), Phone: c.Phone, Email: c.Email, Status: string(c.Status),
		RejectionReason: c.RejectionReason, CreatedAt: utc(c.CreatedAt), UpdatedAt: utc(c.UpdatedAt)}
}

func companyFromRow(r companyRow) identity.Company {
	addr, pt := addressFromCols(r.AddressCols)
	return identity.Company{ID: r.ID, LegalName: r.LegalName, TradeName: r.TradeName, CNPJ: r.CNPJ, Type: r.Type,
		Address: addr, Point: pt, Phone: r.Phone, Email: r.Email, Status: identity.Status(r.Status),
		RejectionReason: r.RejectionReason, CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt)}
}

type refreshRow struct {
	bun.BaseModel `bun:"table:identity_refresh_tokens"`
	ID            string     `bun:"id,pk"`
	Family        string     `bun:"family"`
	AccountID     string     `bun:"account_id"`
	Hash          string     `bun:"hash"`
	ExpiresAt     time.Time  `bun:"expires_at"`
	CreatedAt     time.Time  `bun:"created_at"`
	UsedAt        *time.Time `bun:"used_at"`
	RevokedAt     *time.Time `bun:"revoked_at"`
}

func refreshFromRow(r refreshRow) identity.RefreshToken {
	return identity.RefreshToken{ID: r.ID, Family: r.Family, AccountID: r.AccountID, Hash: r.Hash, ExpiresAt: utc(r.ExpiresAt),
		CreatedAt: utc(r.CreatedAt), UsedAt: utcp(r.UsedAt), RevokedAt: utcp(r.RevokedAt)}
}

type resetRow struct {
	bun.BaseModel `bun:"table:identity_reset_tokens"`
	Hash          string     `bun:"hash,pk"`
	AccountID     string     `bun:"account_id"`
	ExpiresAt     time.Time  `bun:"expires_at"`
	CreatedAt     time.Time  `bun:"created_at"`
	UsedAt        *time.Time `bun:"used_at"`
}

type apiKeyRow struct {
	bun.BaseModel `bun:"table:identity_api_keys"`
	ID            string     `bun:"id,pk"`
	CompanyID     string     `bun:"company_id"`
	Name          string     `bun:"name"`
	Prefix        string     `bun:"prefix"`
	SecretHash    string     `bun:"secret_hash"`
	Scopes        string     `bun:"scopes"`
	CreatedBy     string     `bun:"created_by"`
	CreatedAt     time.Time  `bun:"created_at"`
	RevokedAt     *time.Time `bun:"revoked_at"`
}

func apiKeyToRow(k identity.APIKey) apiKeyRow {
	return apiKeyRow{ID: k.ID, CompanyID: k.CompanyID, Name: k.Name, Prefix: k.Prefix, SecretHash: k.SecretHash,
		Scopes: jsonList(k.Scopes), CreatedBy: k.CreatedBy, CreatedAt: utc(k.CreatedAt), RevokedAt: utcp(k.RevokedAt)}
}

func apiKeyFromRow(r apiKeyRow) identity.APIKey {
	return identity.APIKey{ID: r.ID, CompanyID: r.CompanyID, Name: r.Name, Prefix: r.Prefix, SecretHash: r.SecretHash,
		Scopes: listJSON(r.Scopes), CreatedBy: r.CreatedBy, CreatedAt: utc(r.CreatedAt), RevokedAt: utcp(r.RevokedAt)}
}

func jsonList(s []string) string {
	if s == nil {
		s = []string{}
	}
	b, _ := json.Marshal(s)
	return string(b)
}

func listJSON(s string) []string {
	out := []string{}
	_ = json.Unmarshal([]byte(s), &out)
	return out
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

func utcp(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
