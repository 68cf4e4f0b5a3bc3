package fhirapi

import (
	"context"

	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
)

// LocationResource is where care happens: a professional's office
// (Location/{professionalID}) or a partner company's address
// (Location/{companyID}).
type LocationResource struct {
	Base
	Status               string            `json:"status,omitempty"`
	Name                 string            `json:"name,omitempty"`
	Description          string            `json:"description,omitempty"`
	Mode                 string            `json:"mode,omitempty"`
	Type                 []CodeableConcept `json:"type,omitempty"`
	Telecom              []ContactPoint    `json:"telecom,omitempty"`
	Address              *Address          `json:"address,omitempty"`
	Position             *LocationPosition `json:"position,omitempty"`
	ManagingOrganization *Reference        `json:"managingOrganization,omitempty"`
}

// place is a Location's source: one professional's office or one company.
type place struct {
	pro *identity.Professional
	co  *identity.Company
}

func (f *Facade) locationType() *resourceType {
	return &resourceType{Name: "Location", Public: true,
		Doc: "Onde se atende: o consultório de um profissional verificado que atende presencialmente (Location/{id do profissional}) e o endereço de uma empresa parceira verificada (Location/{id da empresa}, com managingOrganization), com a posição quando conhecida.",
		Params: []Param{
			{Name: "name", Type: "string", Doc: "o nome do local"},
			{Name: "address-city", Type: "string", Doc: "a cidade"},
			{Name: "address-state", Type: "string", Doc: "a UF (sigla, como SP)"},
			{Name: "organization", Type: "reference", Doc: "a empresa responsável (Organization/{id})"},
		},
		Read: func(ctx context.Context, p kernel.Principal, id string) (Resource, error) {
			pl, err := f.place(ctx, p, id)
			if err != nil {
				return nil, err
			}
			return locationOf(pl), nil
		},
		Search: f.searchLocations,
	}
}

// place finds the office or the company with id the caller may see.
func (f *Facade) place(ctx context.Context, p kernel.Principal, id string) (place, error) {
	pr, err := f.d.Identity.GetProfessional(ctx, p, id)
	switch {
	case err == nil && hasOffice(pr):
		return place{pro: &pr}, nil
	case err == nil:
		return place{}, kernel.NotFound("Location/%s não foi encontrado", id)
	case kernel.KindOf(err) != kernel.KindNotFound:
		return place{}, err
	}
	c, err := f.d.Identity.GetCompany(ctx, p, id)
	if err != nil {
		if kernel.KindOf(err) == kernel.KindNotFound {
			return place{}, kernel.NotFound("Location/%s não foi encontrado", id)
		}
		return place{}, err
	}
	return place{co: &c}, nil
}

func (f *Facade) searchLocations(ctx context.Context, p kernel.Principal, q Query) (Found, error) {
	orgID, err := q.Ref("organization", "Organization")
	if err != nil {
		return Found{}, err
	}
	var all []place
	if orgID != "" {
		c, err := f.d.Identity.GetCompany(ctx, p, orgID)
		if err != nil && kernel.KindOf(err) != kernel.KindNotFound {
			return Found{}, err
		}
		if err == nil {
			all = append(all, place{co: &c})
		}
	} else {
		companies, err := f.d.Identity.ListCompanies(ctx, p, "")
		if err != nil {
			return Found{}, err
		}
		for i := range companies {
			all = append(all, place{co: &companies[i]})
		}
		pros, err := f.d.Identity.ListVerifiedProfessionals(ctx, identity.ProfessionalQuery{Mode: identity.ModeInPerson})
		if err != nil {
			return Found{}, err
		}
		for i := range pros {
			if hasOffice(pros[i]) {
				all = append(all, place{pro: &pros[i]})
			}
		}
	}
	var kept []*LocationResource
	for _, pl := range all {
		l := locationOf(pl)
		var city, state string
		if l.Address != nil {
			city, state = l.Address.City, l.Address.State
		}
		if q.StringMatch("name", l.Name) && q.StringMatch("address-city", city) && q.StringMatch("address-state", state) {
			kept = append(kept, l)
		}
	}
	page, next, err := pageSlice(q, kept)
	if err != nil {
		return Found{}, err
	}
	out := Found{Next: next}
	for _, l := range page {
		out.Matches = append(out.Matches, l)
	}
	return out, nil
}

func locationOf(pl place) *LocationResource {
	if pl.pro != nil {
		pr := pl.pro
		return &LocationResource{
			Base:   Base{ResourceType: "Location", ID: pr.ID, Meta: meta(pr.UpdatedAt, "")},
			Status: "active", Mode: "instance",
			Name:        "Consultório de " + pr.Name,
			Description: "Atendimento presencial de " + pr.Name,
			Type:        []CodeableConcept{{Coding: []Coding{{System: systemRoleCode, Code: "PROFF", Display: "Provider's Office"}}, Text: "Consultório"}},
			Address:     addressOf(pr.Address, "work"), Position: positionOf(pr.Point),
		}
	}
	c := pl.co
	name := c.TradeName
	if name == "" {
		name = c.LegalName
	}
	status := "active"
	if !c.Verified() {
		status = "inactive"
	}
	l := &LocationResource{
		Base:   Base{ResourceType: "Location", ID: c.ID, Meta: meta(c.UpdatedAt, "")},
		Status: status, Mode: "instance", Name: name,
		Description: companyTypeText[c.Type],
		Telecom:     companyTelecom(*c), Address: addressOf(c.Address, "work"), Position: positionOf(c.Point),
		ManagingOrganization: ref("Organization", c.ID),
	}
	if c.Type == "hospital" {
		l.Type = []CodeableConcept{{Coding: []Coding{{System: systemRoleCode, Code: "HOSP", Display: "Hospital"}}, Text: "Hospital"}}
	}
	return l
}

// systemRoleCode holds the service delivery location types (Location.type).
const systemRoleCode = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
