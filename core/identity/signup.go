package identity

import (
	"context"
	"slices"
	"strings"

	"github.com/multisaude/multisaude/core/kernel"
)

// AddressInput is an address as typed by a person.
type AddressInput struct {
	CEP, Street, Number, Complement, District, City, UF string
}

func (in AddressInput) validate(p *kernel.Problems, prefix string) Address {
	var a Address
	if strings.TrimSpace(in.CEP) == "" {
		p.Add(prefix+"cep", "é obrigatório")
	} else if cep, ok := NormalizeCEP(in.CEP); ok {
		a.CEP = cep
	} else {
		p.Add(prefix+"cep", "deve ter oito dígitos, como 01310-100")
	}
	a.Street = checkText(p, prefix+"street", in.Street, true, MaxStreetLen)
	a.Number = checkText(p, prefix+"number", in.Number, true, MaxNumberLen)
	a.Complement = checkText(p, prefix+"complement", in.Complement, false, MaxAddressLen)
	a.District = checkText(p, prefix+"district", in.District, true, MaxAddressLen)
	a.City = checkText(p, prefix+"city", in.City, true, MaxAddressLen)
	if strings.TrimSpace(in.UF) == "" {
		p.Add(prefix+"uf", "é obrigatório")
	} else if uf, ok := NormalizeUF(in.UF); ok {
		a.UF = uf
	} else {
		p.Add(prefix+"uf", "deve ser a sigla de um estado brasileiro, como SP")
	}
	return a
}

func (in AddressInput) empty() bool {
	return strings.TrimSpace(in.CEP+in.Street+in.Number+in.Complement+in.District+in.City+in.UF) == ""
}

func checkEmail(p *kernel.Problems, field, v string) string {
	if strings.TrimSpace(v) == "" {
		p.Add(field, "é obrigatório")
		return ""
	}
	e, ok := NormalizeEmail(v)
	if !ok {
		p.Add(field, "deve ser um endereço de e-mail, como nome@exemplo.com")
	}
	return e
}

func checkPhone(p *kernel.Problems, field, v string, required bool) string {
	if strings.TrimSpace(v) == "" {
		if required {
			p.Add(field, "é obrigatório")
		}
		return ""
	}
	ph, ok := NormalizePhone(v)
	if !ok {
		p.Add(field, "deve ser um telefone com DDD, como +5511987654321")
	}
	return ph
}

func checkCPF(p *kernel.Problems, field, v string) string {
	if strings.TrimSpace(v) == "" {
		p.Add(field, "é obrigatório")
		return ""
	}
	c, ok := NormalizeCPF(v)
	if !ok {
		p.Add(field, "não é um CPF válido")
	}
	return c
}

// PatientSignUp is what a patient gives to sign up.
type PatientSignUp struct {
	Name, SocialName, Email, Password, CPF, BirthDate, Phone string
	Address                                                  AddressInput
}

// SignUpPatient creates a patient account. Anyone may sign up.
func (s *Service) SignUpPatient(ctx context.Context, _ kernel.Principal, in PatientSignUp) (Patient, error) {
	now := s.clock.Now()
	var p kernel.Problems
	pt := Patient{
		Name:       checkText(&p, "name", in.Name, true, MaxNameLen),
		SocialName: checkText(&p, "social_name", in.SocialName, false, MaxNameLen),
		Email:      checkEmail(&p, "email", in.Email),
		Phone:      checkPhone(&p, "phone", in.Phone, true),
		CPF:        checkCPF(&p, "cpf", in.CPF),
		BirthDate:  ParseBirthDate("birth_date", in.BirthDate, now, &p),
	}
	var ap kernel.Problems
	pt.Address = in.Address.validate(&ap, "")
	p.Merge("address.", &ap)
	CheckPassword("password", in.Password, pt.Email, &p)
	if err := p.Err(); err != nil {
		return Patient{}, err
	}
	hash, err := s.hasher.Hash(in.Password)
	if err != nil {
		return Patient{}, kernel.Internal(err, "hash password")
	}
	pt.ID = kernel.NewID()
	pt.CreatedAt, pt.UpdatedAt = now, now
	pt.Point = s.geocode(ctx, pt.Address)
	acc := Account{ID: pt.ID, Kind: kernel.KindPatient, Email: pt.Email, Name: pt.Name, Phone: pt.Phone,
		PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
	ev := kernel.NewEvent("identity.patient.registered", pt.ID, map[string]any{"patient_id": pt.ID}, now)
	reg := s.registration(acc, in.Password, "email", "password")
	if err := reg.finish(ctx, s.store.CreatePatient(ctx, acc, pt, reg.register, ev)); err != nil {
		return Patient{}, err
	}
	s.log.Info("patient registered", "account_id", pt.ID)
	return pt, nil
}

// CouncilInput is a council registration as typed.
type CouncilInput struct{ Type, Number, UF string }

// ProfessionalSignUp is what a professional gives to sign up.
type ProfessionalSignUp struct {
	Name, Email, Password, CPF, Phone, Profession, Bio string
	Council                                            CouncilInput
	Specialties                                        []string
	Price                                              kernel.Money
	Modes                                              []string
	Address                                            AddressInput
}

func validateCouncil(p *kernel.Problems, profession string, in CouncilInput) Council {
	var c Council
	want := CouncilFor(profession)
	t := strings.ToUpper(strings.TrimSpace(in.Type))
	switch {
	case t == "":
		p.Add("council.type", "é obrigatório")
	case want != "" && t != want:
		p.Add("council.type", "deve ser %s para %s", want, profession)
	case want == "" && !slices.Contains(councilTypes(), t):
		p.Add("council.type", "deve ser um de: %s", strings.Join(councilTypes(), ", "))
	}
	c.Type = t
	if strings.TrimSpace(in.Number) == "" {
		p.Add("council.number", "é obrigatório")
	} else if n, ok := NormalizeCouncilNumber(t, in.Number); ok {
		c.Number = n
	} else {
		p.Add("council.number", "não é um número de registro %s válido", t)
	}
	if strings.TrimSpace(in.UF) == "" {
		p.Add("council.uf", "é obrigatório")
	} else if uf, ok := NormalizeUF(in.UF); ok {
		c.UF = uf
	} else {
		p.Add("council.uf", "deve ser a sigla de um estado brasileiro, como SP")
	}
	return c
}

func councilTypes() []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range professionCouncil {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return sortStrings(out)
}

func checkSlug(v string) bool {
	if v == "" || len(v) > MaxSlugLen {
		return false
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func validateProfessionalProfile(p *kernel.Problems, pr *Professional, specialties, modes []string, price kernel.Money, bio string, addr AddressInput) {
	pr.Specialties = make([]string, 0, min(len(specialties), MaxSpecialties))
	if len(specialties) > MaxSpecialties {
		p.Add("specialties", "deve ter no máximo %d itens", MaxSpecialties)
		specialties = nil // counted first: none is looked at
	}
	for _, sp := range specialties {
		sp = strings.ToLower(strings.TrimSpace(sp))
		if !checkSlug(sp) {
			p.Add("specialties", "cada uma deve ser um nome em minúsculas, como cardiology")
			break
		}
		if !slices.Contains(pr.Specialties, sp) {
			pr.Specialties = append(pr.Specialties, sp)
		}
	}
	pr.Bio = checkText(p, "bio", bio, false, MaxBioLen)
	if price.Currency == "" && price.Amount == 0 {
		p.Add("price", "é obrigatório")
	} else {
		price.Validate("price", p)
		if price.Amount > 100_000_00 {
			p.Add("price.amount", "deve ser no máximo 10000000 centavos")
		}
	}
	pr.Price = price
	pr.Modes = make([]string, 0, MaxModes)
	if len(modes) == 0 || len(modes) > MaxModes {
		p.Add("modes", "deve listar in_person, telemedicine ou ambos")
		modes = nil
	}
	for _, m := range modes {
		if m != ModeInPerson && m != ModeTelemedicine {
			p.Add("modes", "cada um deve ser in_person ou telemedicine")
			break
		}
		if !slices.Contains(pr.Modes, m) {
			pr.Modes = append(pr.Modes, m)
		}
	}
	var ap kernel.Problems
	if slices.Contains(pr.Modes, ModeInPerson) || !addr.empty() {
		if addr.empty() {
			p.Add("address", "é obrigatório para consultas presenciais")
		} else {
			pr.Address = addr.validate(&ap, "")
		}
	}
	p.Merge("address.", &ap)
}

// SignUpProfessional creates a professional account, pending verification.
func (s *Service) SignUpProfessional(ctx context.Context, _ kernel.Principal, in ProfessionalSignUp) (Professional, error) {
	now := s.clock.Now()
	var p kernel.Problems
	pr := Professional{
		Name:  checkText(&p, "name", in.Name, true, MaxNameLen),
		Email: checkEmail(&p, "email", in.Email),
		Phone: checkPhone(&p, "phone", in.Phone, true),
		CPF:   checkCPF(&p, "cpf", in.CPF),
	}
	prof := strings.TrimSpace(in.Profession)
	if prof == "" {
		p.Add("profession", "é obrigatório")
	} else if CouncilFor(prof) == "" {
		p.Add("profession", "deve ser um de: %s", strings.Join(Professions(), ", "))
	}
	pr.Profession = prof
	pr.Council = validateCouncil(&p, prof, in.Council)
	validateProfessionalProfile(&p, &pr, in.Specialties, in.Modes, in.Price, in.Bio, in.Address)
	CheckPassword("password", in.Password, pr.Email, &p)
	if err := p.Err(); err != nil {
		return Professional{}, err
	}
	hash, err := s.hasher.Hash(in.Password)
	if err != nil {
		return Professional{}, kernel.Internal(err, "hash password")
	}
	pr.ID = kernel.NewID()
	pr.Status = StatusPending
	pr.CreatedAt, pr.UpdatedAt = now, now
	pr.Point = s.geocode(ctx, pr.Address)
	acc := Account{ID: pr.ID, Kind: kernel.KindProfessional, Email: pr.Email, Name: pr.Name, Phone: pr.Phone,
		PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
	ev := kernel.NewEvent("identity.professional.registered", pr.ID,
		map[string]any{"professional_id": pr.ID, "profession": pr.Profession}, now)
	reg := s.registration(acc, in.Password, "email", "password")
	if err := reg.finish(ctx, s.store.CreateProfessional(ctx, acc, pr, reg.register, ev)); err != nil {
		return Professional{}, err
	}
	s.log.Info("professional registered", "account_id", pr.ID)
	return pr, nil
}

// CompanyAdminInput is a company's first admin user.
type CompanyAdminInput struct{ Name, Email, Password string }

// CompanySignUp is what a partner company gives to sign up.
type CompanySignUp struct {
	LegalName, TradeName, CNPJ, Type, Phone, Email string
	Address                                        AddressInput
	Admin                                          CompanyAdminInput
}

// CompanyTypes lists the partner company types.
func CompanyTypes() []string {
	out := make([]string, 0, len(companyTypes))
	for t := range companyTypes {
		out = append(out, t)
	}
	return sortStrings(out)
}

// SignUpCompany creates a partner company, pending verification, and its first
// admin member. It returns the company and the admin's account.
func (s *Service) SignUpCompany(ctx context.Context, _ kernel.Principal, in CompanySignUp) (Company, Account, error) {
	now := s.clock.Now()
	var p kernel.Problems
	c := Company{
		LegalName: checkText(&p, "legal_name", in.LegalName, true, MaxLegalNameLen),
		TradeName: checkText(&p, "trade_name", in.TradeName, true, MaxLegalNameLen),
		Phone:     checkPhone(&p, "phone", in.Phone, true),
	}
	if strings.TrimSpace(in.Email) != "" {
		c.Email = checkEmail(&p, "email", in.Email)
	}
	if strings.TrimSpace(in.CNPJ) == "" {
		p.Add("cnpj", "é obrigatório")
	} else if cn, ok := NormalizeCNPJ(in.CNPJ); ok {
		c.CNPJ = cn
	} else {
		p.Add("cnpj", "não é um CNPJ válido")
	}
	switch t := strings.TrimSpace(in.Type); {
	case t == "":
		p.Add("type", "é obrigatório")
	case !companyTypes[t]:
		p.Add("type", "deve ser um de: %s", strings.Join(CompanyTypes(), ", "))
	default:
		c.Type = t
	}
	var ap kernel.Problems
	c.Address = in.Address.validate(&ap, "")
	p.Merge("address.", &ap)
	admin := Account{
		Name:  checkText(&p, "admin.name", in.Admin.Name, true, MaxNameLen),
		Email: checkEmail(&p, "admin.email", in.Admin.Email),
	}
	CheckPassword("admin.password", in.Admin.Password, admin.Email, &p)
	if err := p.Err(); err != nil {
		return Company{}, Account{}, err
	}
	hash, err := s.hasher.Hash(in.Admin.Password)
	if err != nil {
		return Company{}, Account{}, kernel.Internal(err, "hash password")
	}
	c.ID = kernel.NewID()
	c.Status = StatusPending
	c.CreatedAt, c.UpdatedAt = now, now
	c.Point = s.geocode(ctx, c.Address)
	admin.ID = kernel.NewID()
	admin.Kind = kernel.KindCompanyMember
	admin.CompanyID = c.ID
	admin.Role = RoleAdmin
	admin.PasswordHash = hash
	admin.CreatedAt, admin.UpdatedAt = now, now
	ev := kernel.NewEvent("identity.company.registered", c.ID, map[string]any{"company_id": c.ID, "type": c.Type}, now)
	reg := s.registration(admin, in.Admin.Password, "admin.email", "admin.password")
	if err := reg.finish(ctx, s.store.CreateCompany(ctx, c, admin, reg.register, ev)); err != nil {
		return Company{}, Account{}, err
	}
	admin.Subject = reg.subject
	s.log.Info("company registered", "company_id", c.ID, "admin_account_id", admin.ID)
	return c, admin, nil
}
