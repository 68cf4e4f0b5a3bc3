package fhirapi

import (
	"context"
	"slices"
	"strings"

	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// ConsentResource is a patient's decision on one purpose of the platform's
// consent terms (LGPD): the latest decision, with the term version it names.
type ConsentResource struct {
	Base
	Status     string            `json:"status"`
	Scope      CodeableConcept   `json:"scope"`
	Category   []CodeableConcept `json:"category"`
	Patient    *Reference        `json:"patient,omitempty"`
	DateTime   string            `json:"dateTime,omitempty"`
	PolicyRule *CodeableConcept  `json:"policyRule,omitempty"`
	Provision  *ConsentProvision `json:"provision,omitempty"`
}

// ConsentProvision says what the decision permits or denies.
type ConsentProvision struct {
	Type    string   `json:"type,omitempty"` // permit | deny
	Purpose []Coding `json:"purpose,omitempty"`
}

// SystemActReason is HL7 v3 ActReason: purposes of use (TREAT, HRESCH,
// HMARKT) and break-the-glass (BTG).
const SystemActReason = "http://terminology.hl7.org/CodeSystem/v3-ActReason"

// purposeOfUse is the v3 purpose of use of our consent purposes, where one
// applies (partner sharing for an order has none).
var purposeOfUse = map[string]Coding{
	ports.PurposeCare:         {System: SystemActReason, Code: "TREAT", Display: "treatment"},
	ports.PurposeTelemedicine: {System: SystemActReason, Code: "TREAT", Display: "treatment"},
	ports.PurposeResearch:     {System: SystemActReason, Code: "HRESCH", Display: "healthcare research"},
	ports.PurposeMarketing:    {System: SystemActReason, Code: "HMARKT", Display: "healthcare marketing"},
}

var consentStatuses = []string{"active", "inactive"}

func (f *Facade) consentType() *resourceType {
	return &resourceType{Name: "Consent",
		Doc: "Os consentimentos do paciente (LGPD), um por finalidade (care, telemedicine, partner-sharing, research, marketing), com a versão do termo: ativo (concedido, permit) ou inativo (revogado, deny). Só o próprio paciente os lê. Id: {paciente}.{finalidade}.",
		Params: []Param{
			{Name: "patient", Type: "reference", Doc: "o paciente (Patient/{id}): só o próprio"},
			{Name: "status", Type: "token", Doc: "active (concedido) ou inactive (revogado)"},
		},
		Read: func(ctx context.Context, p kernel.Principal, id string) (Resource, error) {
			patientID, slug, _ := strings.Cut(id, ".")
			notFound := kernel.NotFound("consentimento não encontrado")
			if p.Kind != kernel.KindPatient || patientID != p.AccountID {
				return nil, notFound
			}
			v, err := f.d.Consent.MyConsents(ctx, p)
			if err != nil {
				return nil, err
			}
			for _, st := range v.States {
				if purposeSlug(st.Purpose) == slug && st.Decision != "" {
					return consentOf(p.AccountID, st), nil
				}
			}
			return nil, notFound
		},
		Search: f.searchConsents,
	}
}

// searchConsents answers the calling patient's decided purposes (five at
// most: one page); anyone else finds none.
func (f *Facade) searchConsents(ctx context.Context, p kernel.Principal, q Query) (Found, error) {
	patientID, err := q.Ref("patient", "Patient")
	if err != nil {
		return Found{}, err
	}
	for _, alt := range q.Tokens("status") {
		for _, t := range alt {
			if t.Code != "" && !slices.Contains(consentStatuses, t.Code) {
				return Found{}, kernel.Invalid("status", "deve ser active ou inactive")
			}
		}
	}
	if p.Kind != kernel.KindPatient || (patientID != "" && patientID != p.AccountID) || q.Cursor != "" {
		return Found{}, nil
	}
	v, err := f.d.Consent.MyConsents(ctx, p)
	if err != nil {
		return Found{}, err
	}
	var out Found
	for _, st := range v.States {
		if st.Decision == "" {
			continue
		}
		c := consentOf(p.AccountID, st)
		if q.TokenMatch("status", Coding{System: "http://hl7.org/fhir/consent-state-codes", Code: c.Status}) {
			out.Matches = append(out.Matches, c)
		}
	}
	return out, nil
}

// purposeSlug is a purpose as a FHIR id part ("partner_sharing" ->
// "partner-sharing": ids admit no underscore).
func purposeSlug(purpose string) string { return strings.ReplaceAll(purpose, "_", "-") }

func consentOf(patientID kernel.ID, st consent.ConsentState) *ConsentResource {
	granted := st.Decision == consent.Granted
	r := &ConsentResource{
		Base:   Base{ResourceType: "Consent", ID: patientID + "." + purposeSlug(st.Purpose), Meta: meta(st.At, "")},
		Status: "inactive",
		Scope: CodeableConcept{Coding: []Coding{{System: SystemConsentScope, Code: "patient-privacy", Display: "Privacy Consent"}},
			Text: "Consentimento de privacidade (LGPD)"},
		Category: []CodeableConcept{{Coding: []Coding{{System: SystemConsentCat, Code: "59284-0", Display: "Patient Consent"}},
			Text: "Consentimento do paciente"}},
		Patient:  ref("Patient", patientID),
		DateTime: instant(st.At),
		Provision: &ConsentProvision{Type: "deny",
			Purpose: []Coding{{System: SystemMultisaude + "consent-purpose", Code: st.Purpose, Display: purposeText(st.Purpose)}}},
	}
	if granted {
		r.Status, r.Provision.Type = "active", "permit"
	}
	if c, ok := purposeOfUse[st.Purpose]; ok {
		r.Provision.Purpose = append(r.Provision.Purpose, c)
	}
	text := "Termo de " + purposeText(st.Purpose) + ", versão " + st.TermVersion
	if t, ok := consent.TermVersion(st.Purpose, st.TermVersion); ok {
		text = t.Title + " (versão " + st.TermVersion + ")"
	}
	if granted && st.TermVersion != st.CurrentVersion {
		text += "; há uma versão mais nova (" + st.CurrentVersion + ") ainda não aceita"
	}
	r.PolicyRule = &CodeableConcept{Coding: []Coding{{System: SystemMultisaude + "consent-term",
		Code: st.Purpose + "/" + st.TermVersion, Display: text}}, Text: text}
	return r
}

func purposeText(purpose string) string {
	switch purpose {
	case ports.PurposeCare:
		return "cuidado em saúde"
	case ports.PurposeTelemedicine:
		return "telemedicina"
	case ports.PurposePartnerSharing:
		return "compartilhamento com empresas parceiras"
	case ports.PurposeResearch:
		return "pesquisa com dados anonimizados"
	case ports.PurposeMarketing:
		return "comunicações promocionais"
	}
	return purpose
}
