package fhirapi

import (
	"context"

	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
)

// OrganizationResource is a verified partner company (hospital, pharmacy, ...).
type OrganizationResource struct {
	Base
	Identifier []Identifier      `json:"identifier,omitempty"`
	Active     *bool             `json:"active,omitempty"`
	Type       []CodeableConcept `json:"type,omitempty"`
	Name       string            `json:"name,omitempty"`
	Alias      []string          `json:"alias,omitempty"`
	Telecom    []ContactPoint    `json:"telecom,omitempty"`
	Address    []Address         `json:"address,omitempty"`
}

// companyTypeText names each company type in pt-BR.
var companyTypeText = map[string]string{
	"hospital": "Hospital", "pharmacy": "Farmácia", "market": "Mercado", "sports_store": "Loja de artigos esportivos", "gym": "Academia",
}

// companyTypeConcept: a hospital is a healthcare provider ("prov"), every
// other partner a business ("bus"), with our own code beside.
func companyTypeConcept(typ string) CodeableConcept {
	text := companyTypeText[typ]
	if text == "" {
		text = typ
	}
	org := Coding{System: SystemOrgType, Code: "bus", Display: "Non-Healthcare Business or Corporation"}
	if typ == "hospital" {
		org = Coding{System: SystemOrgType, Code: "prov", Display: "Healthcare Provider"}
	}
	return CodeableConcept{Coding: []Coding{org, {System: SystemCompanyType, Code: typ, Display: text}}, Text: text}
}

func (f *Facade) organizationType() *resourceType {
	return &resourceType{Name: "Organization", Public: true,
		Doc: "Empresas parceiras verificadas (hospitais, farmácias, mercados, lojas, academias), com CNPJ, tipo, contato e endereço. Público, como a lista de empresas da API REST.",
		Params: []Param{
			{Name: "name", Type: "string", Doc: "a razão social ou o nome fantasia"},
			{Name: "identifier", Type: "token", Doc: "o CNPJ (" + SystemCNPJ + "|número, com ou sem pontuação)"},
			{Name: "type", Type: "token", Doc: "o tipo: " + SystemOrgType + "|prov ou bus, ou " + SystemCompanyType + "|hospital, pharmacy, market, sports_store ou gym"},
		},
		Read: func(ctx context.Context, p kernel.Principal, id string) (Resource, error) {
			c, err := f.d.Identity.GetCompany(ctx, p, id)
			if err != nil {
				return nil, err
			}
			return organizationOf(c), nil
		},
		Search: func(ctx context.Context, p kernel.Principal, q Query) (Found, error) {
			list, err := f.d.Identity.ListCompanies(ctx, p, "")
			if err != nil {
				return Found{}, err
			}
			var kept []identity.Company
			for _, c := range list {
				if q.StringMatch("name", c.LegalName, c.TradeName) &&
					identifierMatch(q, "identifier", cnpjValue, cnpjIdentifier(c.CNPJ)) &&
					q.TokenMatch("type", companyTypeConcept(c.Type).Coding...) {
					kept = append(kept, c)
				}
			}
			page, next, err := pageSlice(q, kept)
			if err != nil {
				return Found{}, err
			}
			out := Found{Next: next}
			for _, c := range page {
				out.Matches = append(out.Matches, organizationOf(c))
			}
			return out, nil
		},
	}
}

func organizationOf(c identity.Company) *OrganizationResource {
	active := c.Verified()
	r := &OrganizationResource{
		Base:       Base{ResourceType: "Organization", ID: c.ID, Meta: meta(c.UpdatedAt, "")},
		Identifier: []Identifier{cnpjIdentifier(c.CNPJ)},
		Active:     &active,
		Type:       []CodeableConcept{companyTypeConcept(c.Type)},
		Name:       c.LegalName,
		Telecom:    companyTelecom(c),
	}
	if c.TradeName != "" && c.TradeName != c.LegalName {
		r.Alias = []string{c.TradeName}
	}
	if a := addressOf(c.Address, "work"); a != nil {
		r.Address = []Address{*a}
	}
	return r
}

// companyTelecom is the company's public contact (the REST API shows it too).
func companyTelecom(c identity.Company) []ContactPoint {
	var out []ContactPoint
	if c.Phone != "" {
		out = append(out, ContactPoint{System: "phone", Value: c.Phone, Use: "work"})
	}
	if c.Email != "" {
		out = append(out, ContactPoint{System: "email", Value: c.Email, Use: "work"})
	}
	return out
}
