package fhirapi

import (
	"context"

	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
)

// PatientResource is a patient's demographics. It declares no meta.profile:
// BRIndividuo-1.0 requires elements the platform does not hold (race/colour,
// nationality, gender, a CNS), so claiming it would be false.
type PatientResource struct {
	Base
	Identifier []Identifier   `json:"identifier,omitempty"`
	Active     bool           `json:"active"`
	Name       []HumanName    `json:"name,omitempty"`
	Telecom    []ContactPoint `json:"telecom,omitempty"`
	BirthDate  string         `json:"birthDate,omitempty"`
	Address    []Address      `json:"address,omitempty"`
}

func (f *Facade) patientType() *resourceType {
	return &resourceType{Name: "Patient",
		Doc: "Dados cadastrais do paciente (CPF, nome, nome social, contatos, data de nascimento, endereço). O paciente lê os seus; o profissional, os de quem atende (relação de cuidado, compartilhamento ou acesso de emergência), e cada leitura entra no registro de acesso do paciente. Administradores não veem dados cadastrais por aqui.",
		Params: []Param{
			{Name: "identifier", Type: "token", Doc: "o CPF: " + SystemCPF + "|{só dígitos}"},
			{Name: "name", Type: "string", Doc: "o nome ou o nome social (início de uma palavra, sem distinguir acentos)"},
		},
		Read: func(ctx context.Context, p kernel.Principal, id string) (Resource, error) {
			if _, err := f.d.Clinical.PatientRecordAccess(ctx, p, id); err != nil {
				return nil, err
			}
			pt, err := f.d.Identity.LookupPatient(ctx, id)
			if err != nil {
				return nil, err
			}
			return patientOf(pt), nil
		},
		Search: f.searchPatients,
	}
}

// searchPatients: a patient finds themself; a professional, the patients they
// attend (clinical's MyPatients, one page of it per search page) whose record
// they may read now; anyone else, nobody. Only the matches' reads are logged.
func (f *Facade) searchPatients(ctx context.Context, p kernel.Principal, q Query) (Found, error) {
	var ids []kernel.ID
	var out Found
	switch p.Kind {
	case kernel.KindPatient:
		if q.Cursor == "" {
			ids = []kernel.ID{p.AccountID}
		}
	case kernel.KindProfessional:
		l, err := f.d.Clinical.MyPatients(ctx, p, q.page())
		if err != nil {
			return Found{}, err
		}
		out.Next = l.NextCursor
		for _, ps := range l.Items {
			ids = append(ids, ps.PatientID)
		}
	default:
		return Found{}, nil
	}
	for _, id := range ids {
		if _, err := f.d.Clinical.CanReadPatient(ctx, p, id); err != nil {
			if kernel.KindOf(err) == kernel.KindNotFound {
				continue
			}
			return Found{}, err
		}
		pt, err := f.d.Identity.LookupPatient(ctx, id)
		if kernel.KindOf(err) == kernel.KindNotFound {
			continue
		}
		if err != nil {
			return Found{}, err
		}
		if !q.StringMatch("name", pt.Name, pt.SocialName) || !cpfMatch(q, pt.CPF) {
			continue
		}
		if _, err := f.d.Clinical.PatientRecordAccess(ctx, p, id); err != nil {
			if kernel.KindOf(err) == kernel.KindNotFound {
				continue
			}
			return Found{}, err
		}
		out.Matches = append(out.Matches, patientOf(pt))
	}
	return out, nil
}

// cpfMatch: every repetition of identifier names this CPF (system CPF or
// none; the value with or without punctuation).
func cpfMatch(q Query, cpf string) bool {
	for _, alt := range q.Tokens("identifier") {
		ok := false
		for _, t := range alt {
			if (!t.HasSystem || t.System == SystemCPF) && t.Code != "" && digits(t.Code) == digits(cpf) {
				ok = true
			}
			if t.HasSystem && t.System == SystemCPF && t.Code == "" {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func patientOf(pt identity.Patient) *PatientResource {
	r := &PatientResource{Base: Base{ResourceType: "Patient", ID: pt.ID, Meta: meta(pt.UpdatedAt, "")}, Active: true,
		BirthDate: dateOnly(pt.BirthDate)}
	if pt.CPF != "" {
		r.Identifier = []Identifier{cpfIdentifier(pt.CPF)}
	}
	if pt.Name != "" {
		r.Name = append(r.Name, HumanName{Use: "official", Text: pt.Name})
	}
	if pt.SocialName != "" {
		r.Name = append(r.Name, HumanName{Use: "usual", Text: pt.SocialName})
	}
	if pt.Phone != "" {
		r.Telecom = append(r.Telecom, ContactPoint{System: "phone", Value: pt.Phone})
	}
	if pt.Email != "" {
		r.Telecom = append(r.Telecom, ContactPoint{System: "email", Value: pt.Email})
	}
	if a := addressOf(pt.Address, "home"); a != nil {
		r.Address = []Address{*a}
	}
	return r
}
