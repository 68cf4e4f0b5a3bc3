package harness

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/multisaude/multisaude/core/identity"
)

// Account is a signed-in account made by the helpers below.
type Account struct {
	ID           string // the account ID (a patient's or professional's ID is their account ID)
	Kind         string // patient, professional, company_member or admin
	Email        string
	Password     string
	Name         string
	CPF          string // patients and professionals
	CompanyID    string // company members
	Role         string // company members: admin or staff
	Token        string // a bearer access token
	RefreshToken string
}

// Password is the password every helper account gets.
const Password = "Harness-Pass-2026!"

func randDigits(n int) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	v := binary.BigEndian.Uint64(b[:])
	s := fmt.Sprintf("%020d", v)
	return s[len(s)-n:]
}

// NewCPF returns a random valid CPF (11 digits).
func NewCPF() string {
	for {
		base := randDigits(9)
		if strings.Trim(base, base[:1]) == "" {
			continue
		}
		return base + identity.CPFCheckDigits(base)
	}
}

// NewCNPJ returns a random valid numeric CNPJ (14 digits).
func NewCNPJ() string {
	base := randDigits(8) + "0001"
	return base + identity.CNPJCheckDigits(base)
}

// NewAlphanumericCNPJ returns a random valid CNPJ in the alphanumeric form.
func NewAlphanumericCNPJ() string {
	const chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	var b [8]byte
	_, _ = rand.Read(b[:])
	base := make([]byte, 0, 12)
	for _, x := range b {
		base = append(base, chars[int(x)%len(chars)])
	}
	s := string(base) + "0001"
	return s + identity.CNPJCheckDigits(s)
}

// NewEmail returns a unique e-mail address with the given local-part prefix.
func NewEmail(prefix string) string {
	return fmt.Sprintf("%s-%s@example.test", prefix, strings.ToLower(randDigits(12)))
}

// SaoPaulo is a valid address body in São Paulo.
func SaoPaulo() map[string]any {
	return map[string]any{"cep": "01310-100", "street": "Avenida Paulista", "number": "1000", "complement": "ap 12",
		"district": "Bela Vista", "city": "São Paulo", "uf": "SP"}
}

// PatientBody returns a valid sign-up body for a new patient.
func PatientBody() map[string]any {
	return map[string]any{"name": "Maria Souza", "email": NewEmail("patient"), "password": Password, "cpf": NewCPF(),
		"birth_date": "1990-04-12", "phone": "+5511987654321", "address": SaoPaulo()}
}

// SignUpPatient signs up a new patient, signs in and grants the consents the
// portal's sign-up asks for (SignUpConsents, current versions).
func SignUpPatient(t testing.TB, h *H) Account {
	t.Helper()
	a := SignUpPatientWithoutConsents(t, h)
	GrantConsents(t, h, a, SignUpConsents...)
	return a
}

// SignUpPatientWithoutConsents signs a patient up and logs in, granting no
// consent: telemedicine bookings and orders answer 409 until one is granted.
func SignUpPatientWithoutConsents(t testing.TB, h *H) Account {
	t.Helper()
	body := PatientBody()
	r := h.Post(t, "/v1/patients", "", body).Want(t, http.StatusCreated)
	var out struct {
		ID string `json:"id"`
	}
	r.JSON(t, &out)
	a := Account{ID: out.ID, Kind: "patient", Email: body["email"].(string), Password: Password, Name: "Maria Souza", CPF: body["cpf"].(string)}
	a.Token, a.RefreshToken = Login(t, h, a.Email, a.Password, a.Kind)
	return a
}

// ProfessionalOptions shape a professional; zero fields take defaults
// (a physician, CRM/SP, cardiology, both modes, R$ 250,00, in São Paulo).
type ProfessionalOptions struct {
	Name        string
	Profession  string   // physician, nutritionist, physiotherapist, psychologist, physical_educator, dentist, nurse, ...
	Specialties []string // default ["cardiology"]
	Modes       []string // default ["in_person", "telemedicine"]
	Price       int64    // centavos, default 25000
	Address     map[string]any
	Pending     bool // leave it pending_verification (not verified by the admin)
}

// ProfessionalBody returns a valid sign-up body.
func ProfessionalBody(o ProfessionalOptions) map[string]any {
	if o.Name == "" {
		o.Name = "Dr. João Lima"
	}
	if o.Profession == "" {
		o.Profession = "physician"
	}
	if o.Specialties == nil {
		o.Specialties = []string{"cardiology"}
	}
	if o.Modes == nil {
		o.Modes = []string{"in_person", "telemedicine"}
	}
	if o.Price == 0 {
		o.Price = 25000
	}
	if o.Address == nil {
		o.Address = SaoPaulo()
	}
	return map[string]any{"name": o.Name, "email": NewEmail("professional"), "password": Password, "cpf": NewCPF(),
		"phone": "+5511912345678", "profession": o.Profession,
		"council":     map[string]any{"type": identity.CouncilFor(o.Profession), "number": strings.TrimLeft(randDigits(6), "0") + "1", "uf": "SP"},
		"specialties": o.Specialties, "bio": "Atendimento humanizado.", "price": map[string]any{"amount": o.Price, "currency": "BRL"},
		"modes": o.Modes, "address": o.Address}
}

// SignUpVerifiedProfessional signs up a professional, has the admin verify
// them (unless o.Pending) and signs in.
func SignUpVerifiedProfessional(t testing.TB, h *H, o ProfessionalOptions) Account {
	t.Helper()
	body := ProfessionalBody(o)
	r := h.Post(t, "/v1/professionals", "", body).Want(t, http.StatusCreated)
	var out struct {
		ID string `json:"id"`
	}
	r.JSON(t, &out)
	if !o.Pending {
		admin := AdminLogin(t, h)
		h.Post(t, "/v1/admin/professionals/"+out.ID+"/verify", admin.Token, nil).Want(t, http.StatusOK)
	}
	a := Account{ID: out.ID, Kind: "professional", Email: body["email"].(string), Password: Password, Name: body["name"].(string), CPF: body["cpf"].(string)}
	a.Token, a.RefreshToken = Login(t, h, a.Email, a.Password, a.Kind)
	return a
}

// CompanyBody returns a valid sign-up body for a company of type typ.
func CompanyBody(typ string) map[string]any {
	return map[string]any{"legal_name": "Empresa Parceira Ltda", "trade_name": "Parceira", "cnpj": NewCNPJ(), "type": typ,
		"address": SaoPaulo(), "phone": "+551133334444",
		"admin": map[string]any{"name": "Ana Admin", "email": NewEmail("company-admin"), "password": Password}}
}

// SignUpVerifiedCompany signs up a company of type typ (hospital, pharmacy,
// market, sports_store, gym), has the admin verify it, and signs in its first
// admin member, whom it returns (CompanyID set, Role "admin").
func SignUpVerifiedCompany(t testing.TB, h *H, typ string) Account {
	t.Helper()
	body := CompanyBody(typ)
	r := h.Post(t, "/v1/companies", "", body).Want(t, http.StatusCreated)
	var out struct {
		ID             string `json:"id"`
		AdminAccountID string `json:"admin_account_id"`
	}
	r.JSON(t, &out)
	admin := AdminLogin(t, h)
	h.Post(t, "/v1/admin/companies/"+out.ID+"/verify", admin.Token, nil).Want(t, http.StatusOK)
	adm := body["admin"].(map[string]any)
	a := Account{ID: out.AdminAccountID, Kind: "company_member", Email: adm["email"].(string), Password: Password,
		Name: adm["name"].(string), CompanyID: out.ID, Role: "admin"}
	a.Token, a.RefreshToken = Login(t, h, a.Email, a.Password, a.Kind)
	return a
}

// AddCompanyStaff adds a member with role (admin or staff) to the company of
// admin (a company admin) and signs them in.
func AddCompanyStaff(t testing.TB, h *H, admin Account, role string) Account {
	t.Helper()
	email := NewEmail("company-" + role)
	r := h.Post(t, "/v1/companies/"+admin.CompanyID+"/members", admin.Token,
		map[string]any{"name": "Sam Staff", "email": email, "role": role, "password": Password}).Want(t, http.StatusCreated)
	var out struct {
		AccountID string `json:"account_id"`
	}
	r.JSON(t, &out)
	a := Account{ID: out.AccountID, Kind: "company_member", Email: email, Password: Password, Name: "Sam Staff", CompanyID: admin.CompanyID, Role: role}
	a.Token, a.RefreshToken = Login(t, h, a.Email, a.Password, a.Kind)
	return a
}

var admins sync.Map // *H -> Account: one admin sign-in per app, so helpers do not trip the login rate limit

// AdminLogin signs in the bootstrapped platform admin (once per app; later
// calls return the same tokens).
func AdminLogin(t testing.TB, h *H) Account {
	t.Helper()
	if a, ok := admins.Load(h); ok {
		return a.(Account)
	}
	a := Account{Kind: "admin", Email: AdminEmail, Password: AdminPassword, Name: "Platform admin"}
	a.Token, a.RefreshToken = Login(t, h, a.Email, a.Password, a.Kind)
	r := h.Get(t, "/v1/me", a.Token).Want(t, http.StatusOK)
	var me struct {
		ID string `json:"id"`
	}
	r.JSON(t, &me)
	a.ID = me.ID
	admins.Store(h, a)
	t.Cleanup(func() { admins.Delete(h) })
	return a
}

// Login signs in with a password grant (kind may be "") and returns the access
// and refresh tokens.
func Login(t testing.TB, h *H, email, password, kind string) (access, refresh string) {
	t.Helper()
	body := map[string]any{"grant_type": "password", "email": email, "password": password}
	if kind != "" {
		body["account_kind"] = kind
	}
	r := h.Post(t, "/v1/auth/token", "", body).Want(t, http.StatusOK)
	var out struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	r.JSON(t, &out)
	if out.AccessToken == "" || out.RefreshToken == "" {
		t.Fatalf("login answered no tokens: %s", r.Body)
	}
	return out.AccessToken, out.RefreshToken
}
