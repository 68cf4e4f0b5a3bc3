package fhirapi

import (
	"context"
	"strconv"

	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/kernel"
)

// ConditionResource is one ICD-10 diagnosis of a detailed evaluation.
type ConditionResource struct {
	Base
	ClinicalStatus     *CodeableConcept  `json:"clinicalStatus,omitempty"`
	VerificationStatus *CodeableConcept  `json:"verificationStatus,omitempty"`
	Category           []CodeableConcept `json:"category,omitempty"`
	Code               *CodeableConcept  `json:"code,omitempty"`
	Subject            *Reference        `json:"subject"`
	Encounter          *Reference        `json:"encounter,omitempty"`
	RecordedDate       string            `json:"recordedDate,omitempty"`
	Recorder           *Reference        `json:"recorder,omitempty"`
}

// conditionID is the id of the i-th (from 0) ICD-10 code of an evaluation:
// "{evaluationID}.{i+1}".
func conditionID(evaluationID kernel.ID, i int) string {
	return evaluationID + "." + strconv.Itoa(i+1)
}

func (f *Facade) conditionType() *resourceType {
	return &resourceType{Name: "Condition",
		Doc: "Diagnósticos (CID-10) das avaliações detalhadas; o id é {avaliação}.{n}; confirmed quando a avaliação está assinada, provisional antes.",
		Params: append(append([]Param{}, recordParams...),
			Param{Name: "code", Type: "token", Doc: "o código CID-10 (http://hl7.org/fhir/sid/icd-10|E11)"},
			Param{Name: "clinical-status", Type: "token", Doc: "active"},
			Param{Name: "verification-status", Type: "token", Doc: "confirmed ou provisional"},
			Param{Name: "recorded-date", Type: "date", Doc: "quando foi registrado, com prefixos (ge, lt, ...)"},
			Param{Name: "encounter", Type: "reference", Doc: "a avaliação (Encounter/{id}); dispensa patient"}),
		Read: func(ctx context.Context, p kernel.Principal, id string) (Resource, error) {
			return readEvaluationPart(ctx, f, p, "Condition", id, conditions)
		},
		Search: func(ctx context.Context, p kernel.Principal, q Query) (Found, error) {
			evs, next, err := f.evaluationsFor(ctx, p, q)
			if err != nil {
				return Found{}, err
			}
			out := Found{Next: next}
			for _, e := range evs {
				if len(e.Content.ICD10) == 0 {
					continue
				}
				in := f.encounterOf(ctx, p, e)
				if !q.DateMatch("recorded-date", in.When) {
					continue
				}
				for _, c := range conditions(e, in) {
					if q.TokenMatch("code", c.Code.Coding...) && q.TokenMatch("clinical-status", c.ClinicalStatus.Coding...) &&
						q.TokenMatch("verification-status", c.VerificationStatus.Coding...) {
						out.Matches = append(out.Matches, c)
					}
				}
			}
			return out, nil
		},
	}
}

// conditions maps the ICD-10 codes of an evaluation (none for an admin).
func conditions(e clinical.Evaluation, in encounterInfo) []*ConditionResource {
	ver := concept(SystemCondVer, "provisional", "Provisional")
	ver.Text = "Provisório (avaliação não assinada)"
	if e.SignedAt != nil {
		ver = concept(SystemCondVer, "confirmed", "Confirmed")
		ver.Text = "Confirmado"
	}
	var out []*ConditionResource
	for i, code := range e.Content.ICD10 {
		c := &ConditionResource{
			Base:               Base{ResourceType: "Condition", ID: conditionID(e.ID, i), Meta: meta(e.CreatedAt, strconv.Itoa(e.Version))},
			ClinicalStatus:     &CodeableConcept{Coding: []Coding{{System: SystemCondClin, Code: "active", Display: "Active"}}, Text: "Ativo"},
			VerificationStatus: ver,
			Category: []CodeableConcept{{Coding: []Coding{{System: SystemCondCat, Code: "encounter-diagnosis", Display: "Encounter Diagnosis"}},
				Text: "Diagnóstico do atendimento"}},
			Code:         &CodeableConcept{Coding: []Coding{{System: SystemICD10, Code: code}}, Text: "CID-10 " + code},
			Subject:      ref("Patient", e.PatientID),
			Encounter:    ref("Encounter", e.ID),
			RecordedDate: instant(in.When),
			Recorder:     ref("Practitioner", e.AuthorID),
		}
		out = append(out, c)
	}
	return out
}
