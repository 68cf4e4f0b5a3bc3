package fhirapi

import (
	"context"

	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
)

// PractitionerResource is a professional's public profile: never the CPF, the
// e-mail or the phone.
type PractitionerResource struct {
	Base
	Identifier    []Identifier                `json:"identifier,omitempty"`
	Active        *bool                       `json:"active,omitempty"`
	Name          []HumanName                 `json:"name,omitempty"`
	Qualification []PractitionerQualification `json:"qualification,omitempty"`
}

// PractitionerQualification is the profession and its council registration.
type PractitionerQualification struct {
	Identifier []Identifier    `json:"identifier,omitempty"`
	Code       CodeableConcept `json:"code"`
}

func (f *Facade) practitionerType() *resourceType {
	return &resourceType{Name: "Practitioner", Public: true,
		Doc: "Profissionais verificados: nome, profissão e registro no conselho (nunca CPF, e-mail ou telefone). Público, como o diretório da API REST. Sem parâmetros, lista os profissionais verificados por página.",
		Params: []Param{
			{Name: "name", Type: "string", Doc: "o nome (início do nome ou de uma palavra dele, sem distinguir acentos)"},
			{Name: "identifier", Type: "token", Doc: "o registro no conselho: sistema|número (sistema " + systemCouncilBase + "{conselho}-{uf}, por exemplo crm-sp)"},
		},
		Read: func(ctx context.Context, p kernel.Principal, id string) (Resource, error) {
			pr, err := f.d.Identity.GetProfessional(ctx, p, id)
			if err != nil {
				return nil, err
			}
			return practitionerOf(pr), nil
		},
		Search: func(ctx context.Context, p kernel.Principal, q Query) (Found, error) {
			return searchProfessionals(ctx, f, q, func(pr identity.Professional) bool {
				return q.StringMatch("name", pr.Name) && identifierMatch(q, "identifier", nil, councilIdentifier(pr.Council))
			}, func(_ context.Context, pr identity.Professional) Resource { return practitionerOf(pr) })
		},
	}
}

// searchProfessionals lists the verified professionals keep accepts, one page
// of them (in memory: the directory comes whole), each as conv writes it.
func searchProfessionals(ctx context.Context, f *Facade, q Query, keep func(identity.Professional) bool,
	conv func(context.Context, identity.Professional) Resource) (Found, error) {
	list, err := f.d.Identity.ListVerifiedProfessionals(ctx, identity.ProfessionalQuery{})
	if err != nil {
		return Found{}, err
	}
	kept := list[:0:0]
	for _, pr := range list {
		if keep(pr) {
			kept = append(kept, pr)
		}
	}
	page, next, err := pageSlice(q, kept)
	if err != nil {
		return Found{}, err
	}
	out := Found{Next: next}
	for _, pr := range page {
		out.Matches = append(out.Matches, conv(ctx, pr))
	}
	return out, nil
}

func practitionerOf(pr identity.Professional) *PractitionerResource {
	active := pr.Verified()
	r := &PractitionerResource{
		Base:   Base{ResourceType: "Practitioner", ID: pr.ID, Meta: meta(pr.UpdatedAt, "")},
		Active: &active,
		Name:   []HumanName{{Use: "official", Text: pr.Name}},
	}
	q := PractitionerQualification{Code: professionConcept(pr.Profession)}
	if pr.Council.Number != "" {
		id := councilIdentifier(pr.Council)
		r.Identifier = []Identifier{id}
		q.Identifier = []Identifier{id}
	}
	r.Qualification = []PractitionerQualification{q}
	return r
}
