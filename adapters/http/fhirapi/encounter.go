package fhirapi

import (
	"context"
	"strconv"

	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/kernel"
)

// EncounterResource is an evaluation: the professional's encounter with the patient.
type EncounterResource struct {
	Base
	Status      string                 `json:"status"`
	Class       Coding                 `json:"class"`
	Type        []CodeableConcept      `json:"type,omitempty"`
	Subject     *Reference             `json:"subject,omitempty"`
	Participant []EncounterParticipant `json:"participant,omitempty"`
	Appointment []Reference            `json:"appointment,omitempty"`
	Period      *Period                `json:"period,omitempty"`
	ReasonCode  []CodeableConcept      `json:"reasonCode,omitempty"`
	Diagnosis   []EncounterDiagnosis   `json:"diagnosis,omitempty"`
}

// EncounterParticipant is who took part (the author of the evaluation).
type EncounterParticipant struct {
	Type       []CodeableConcept `json:"type,omitempty"`
	Individual *Reference        `json:"individual,omitempty"`
}

// EncounterDiagnosis points at a Condition diagnosed in the encounter.
type EncounterDiagnosis struct {
	Condition *Reference `json:"condition"`
	Rank      int        `json:"rank,omitempty"`
}

const systemParticipationType = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"

func (f *Facade) encounterType() *resourceType {
	return &resourceType{Name: "Encounter",
		Doc: "Avaliações (atendimentos): uma por avaliação, finished quando assinada. O paciente vê as suas; o profissional, as de quem atende ou de quem lhe concedeu acesso.",
		Params: append(append([]Param{}, recordParams...),
			Param{Name: "date", Type: "date", Doc: "quando o atendimento aconteceu, com prefixos (ge, lt, ...)"},
			Param{Name: "status", Type: "token", Doc: "finished (assinada) ou in-progress"}),
		Read: func(ctx context.Context, p kernel.Principal, id string) (Resource, error) {
			e, err := f.d.Clinical.Evaluation(ctx, p, id, 0)
			if err != nil {
				return nil, err
			}
			return encounterResource(e, f.encounterOf(ctx, p, e)), nil
		},
		Search: func(ctx context.Context, p kernel.Principal, q Query) (Found, error) {
			l, err := f.evaluationPage(ctx, p, q)
			if err != nil {
				return Found{}, err
			}
			out := Found{Next: l.NextCursor}
			for _, e := range l.Items {
				in := f.encounterOf(ctx, p, e)
				r := encounterResource(e, in)
				if !q.DateMatch("date", in.When) || !q.TokenMatch("status", Coding{Code: r.Status}) {
					continue
				}
				out.Matches = append(out.Matches, r)
			}
			return out, nil
		},
	}
}

// encounterResource maps an evaluation as the caller may read it (an admin's
// has no content: no reason, no diagnoses).
func encounterResource(e clinical.Evaluation, in encounterInfo) *EncounterResource {
	r := &EncounterResource{
		Base:    Base{ResourceType: "Encounter", ID: e.ID, Meta: meta(e.CreatedAt, strconv.Itoa(e.Version))},
		Status:  "in-progress",
		Class:   Coding{System: SystemActCode, Code: "AMB", Display: "ambulatory"},
		Subject: ref("Patient", e.PatientID),
		Period:  &Period{Start: instant(in.When)},
	}
	if e.SignedAt != nil {
		r.Status = "finished"
	}
	if in.Virtual {
		r.Class = Coding{System: SystemActCode, Code: "VR", Display: "virtual"}
	}
	if kind := evaluationKindText[e.Content.Kind]; kind != "" {
		r.Type = []CodeableConcept{*concept(SystemMultisaude+"evaluation-kind", string(e.Content.Kind), kind)}
	}
	if e.AuthorID != "" {
		r.Participant = []EncounterParticipant{{
			Type:       []CodeableConcept{{Coding: []Coding{{System: systemParticipationType, Code: "PPRF", Display: "primary performer"}}, Text: "Profissional responsável"}},
			Individual: ref("Practitioner", e.AuthorID)}}
	}
	if e.AppointmentID != "" {
		r.Appointment = []Reference{*ref("Appointment", e.AppointmentID)}
	}
	reason := e.Content.ChiefComplaint
	if reason == "" {
		reason = e.Content.Reason
	}
	if reason != "" {
		r.ReasonCode = []CodeableConcept{{Text: reason}}
	}
	for i := range e.Content.ICD10 {
		r.Diagnosis = append(r.Diagnosis, EncounterDiagnosis{Condition: ref("Condition", conditionID(e.ID, i)), Rank: i + 1})
	}
	return r
}

var evaluationKindText = map[clinical.EvaluationKind]string{
	clinical.Simplified: "Avaliação simplificada",
	clinical.Detailed:   "Avaliação detalhada",
}
