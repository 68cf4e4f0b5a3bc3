package identityapi

import (
	"time"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
)

// Examples shown in the OpenAPI document (httpapi.Exemplified).

const (
	exampleID      = "01936b2e-5c1a-7c3e-9f1a-2b3c4d5e6f70"
	exampleCompany = "01936b2e-7d20-7a41-8b2c-3d4e5f607182"
)

var exampleTime = time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC)

func (Address) Example() any {
	return Address{CEP: "01310-100", Street: "Avenida Paulista", Number: "1578", Complement: "conjunto 42",
		District: "Bela Vista", City: "São Paulo", UF: "SP"}
}

func (Money) Example() any { return Money{Amount: 25000, Currency: "BRL"} }

func (Council) Example() any { return Council{Type: "CRM", Number: "123456", UF: "SP"} }

func (PatientRequest) Example() any {
	return PatientRequest{Name: "Maria da Silva Souza", Email: "maria.souza@exemplo.com.br", Password: "Ipê-amarelo-florido-2026",
		CPF: "529.982.247-25", BirthDate: "1985-04-12", Phone: "+5511987654321", Address: Address{}.Example().(Address)}
}

func (ProfessionalRequest) Example() any {
	return ProfessionalRequest{Name: "Dr. João Pereira Lima", Email: "joao.lima@exemplo.com.br", Password: "Jabuticaba-no-pé-2026",
		CPF: "529.982.247-25", Phone: "+5511912345678", Profession: "physician", Council: Council{}.Example().(Council),
		Specialties: []string{"cardiologia", "clinica-geral"}, Bio: "Cardiologista com 15 anos de experiência em prevenção.",
		Price: Money{}.Example().(Money), Modes: []string{"in_person", "telemedicine"}}
}

func (CompanyAdmin) Example() any {
	return CompanyAdmin{Name: "Ana Beatriz Costa", Email: "ana.costa@hospitalexemplo.com.br", Password: "Cerrado-em-flor-2026"}
}

func (CompanyRequest) Example() any {
	return CompanyRequest{LegalName: "Hospital Exemplo Ltda.", TradeName: "Hospital Exemplo", CNPJ: "11.222.333/0001-81",
		Type: "hospital", Address: Address{}.Example().(Address), Phone: "+551133334444", Email: "contato@hospitalexemplo.com.br",
		Admin: CompanyAdmin{}.Example().(CompanyAdmin)}
}

func (TokenRequest) Example() any {
	return TokenRequest{GrantType: "password", Email: "maria.souza@exemplo.com.br", Password: "Ipê-amarelo-florido-2026"}
}

func (TokenResponse) Example() any {
	return TokenResponse{AccessToken: "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiIwMTkzNmIyZSJ9.assinatura", RefreshToken: "rt_8f3a2c1d9e7b",
		TokenType: "Bearer", ExpiresIn: 900, AccountID: exampleID, Kind: "patient"}
}

func (LogoutRequest) Example() any { return LogoutRequest{RefreshToken: "rt_8f3a2c1d9e7b"} }

func (ResetRequest) Example() any { return ResetRequest{Email: "maria.souza@exemplo.com.br"} }

func (ResetConfirm) Example() any {
	return ResetConfirm{Token: "rst_4b1e9c7a2d", Password: "Nova-senha-do-ipê-2026"}
}

func (AcceptedResponse) Example() any {
	return AcceptedResponse{Status: "if the account exists, an e-mail is on its way"}
}

func (MePatchRequest) Example() any {
	phone := "+5511998765432"
	social := "Maria Souza"
	return MePatchRequest{Phone: &phone, SocialName: &social}
}

func (DecisionRequest) Example() any {
	return DecisionRequest{Reason: httpapi.ReasonExample}
}

func (MemberRequest) Example() any {
	return MemberRequest{Name: "Carlos Mendes", Email: "carlos.mendes@hospitalexemplo.com.br", Role: "staff"}
}

func (APIKeyRequest) Example() any {
	return APIKeyRequest{Name: "Integração do sistema da farmácia", Scopes: []string{"prescriptions:dispense"}}
}

func (ProfessionalResponse) Example() any {
	return ProfessionalResponse{ID: exampleID, Kind: "professional", Name: "Dr. João Pereira Lima", Profession: "physician",
		Council: Council{}.Example().(Council), Specialties: []string{"cardiologia"}, Bio: "Cardiologista com 15 anos de experiência em prevenção.",
		Price: Money{}.Example().(Money), Modes: []string{"in_person", "telemedicine"}, Status: "verified", CreatedAt: exampleTime}
}

func (CompanyResponse) Example() any {
	return CompanyResponse{ID: exampleCompany, LegalName: "Hospital Exemplo Ltda.", TradeName: "Hospital Exemplo", CNPJ: "11222333000181",
		Type: "hospital", Address: Address{CEP: "01310100", Street: "Avenida Paulista", Number: "1578", District: "Bela Vista",
			City: "São Paulo", UF: "SP"}, Phone: "+551133334444", Status: "verified", CreatedAt: exampleTime}
}

func (MemberResponse) Example() any {
	return MemberResponse{AccountID: exampleID, CompanyID: exampleCompany, Name: "Carlos Mendes",
		Email: "carlos.mendes@hospitalexemplo.com.br", Role: "staff", CreatedAt: exampleTime}
}

func (PatientResponse) Example() any {
	return PatientResponse{ID: exampleID, Kind: "patient", Name: "Maria da Silva Souza", Email: "maria.souza@exemplo.com.br",
		Phone: "+5511987654321", CPF: "52998224725", BirthDate: "1985-04-12", Address: Address{CEP: "01310100",
			Street: "Avenida Paulista", Number: "1578", Complement: "conjunto 42", District: "Bela Vista", City: "São Paulo", UF: "SP"},
		Location: &Point{Lat: -23.5614, Lng: -46.6559}, CreatedAt: exampleTime}
}

func (APIKeyResponse) Example() any {
	return APIKeyResponse{ID: exampleID, CompanyID: exampleCompany, Name: "Integração do sistema da farmácia", Prefix: "msk_3f9a1c2b7d4e",
		Scopes: []string{"prescriptions:dispense"}, CreatedAt: exampleTime, Secret: "msk_3f9a1c2b7d4e_Zx8v...mostrado-uma-vez"}
}
