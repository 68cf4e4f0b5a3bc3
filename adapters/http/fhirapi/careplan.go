package fhirapi

import (
	"context"
	"strconv"
	"strings"

	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/kernel"
)

// CarePlanResource is a treatment plan.
type CarePlanResource struct {
	Base
	Status      string             `json:"status"`
	Intent      string             `json:"intent"`
	Title       string             `json:"title,omitempty"`
	Description string             `json:"description,omitempty"`
	Subject     *Reference         `json:"subject"`
	Period      *Period            `json:"period,omitempty"`
	Created     string             `json:"created,omitempty"`
	Author      *Reference         `json:"author,omitempty"`
	Activity    []CarePlanActivity `json:"activity,omitempty"`
}

// CarePlanActivity is one item of the plan.
type CarePlanActivity struct {
	Detail *CarePlanDetail `json:"detail,omitempty"`
}

// CarePlanDetail describes an item inline (no request resource behind it).
type CarePlanDetail struct {
	Kind                   string           `json:"kind,omitempty"`
	Code                   *CodeableConcept `json:"code,omitempty"`
	Status                 string           `json:"status"`
	Description            string           `json:"description,omitempty"`
	ProductCodeableConcept *CodeableConcept `json:"productCodeableConcept,omitempty"`
}

var carePlanStatus = map[clinical.PlanStatus]string{
	clinical.PlanDraft:     "draft",
	clinical.PlanActive:    "active",
	clinical.PlanCompleted: "completed",
	clinical.PlanCancelled: "revoked",
}

// activityStatus is an item's status, which follows its plan's.
var activityStatus = map[clinical.PlanStatus]string{
	clinical.PlanDraft:     "not-started",
	clinical.PlanActive:    "in-progress",
	clinical.PlanCompleted: "completed",
	clinical.PlanCancelled: "cancelled",
}

// activityKind is the request resource type an item would be (CarePlan's
// required CarePlanActivityKind value set).
var activityKind = map[clinical.ItemKind]string{
	clinical.ItemMedication: "MedicationRequest",
	clinical.ItemDiet:       "NutritionOrder",
	clinical.ItemExam:       "ServiceRequest",
	clinical.ItemTherapy:    "ServiceRequest",
	clinical.ItemExercise:   "Task",
	clinical.ItemProduct:    "Task",
}

var itemKindText = map[clinical.ItemKind]string{
	clinical.ItemMedication: "Medicamento", clinical.ItemDiet: "Dieta", clinical.ItemExercise: "Exercício",
	clinical.ItemProduct: "Produto", clinical.ItemExam: "Exame", clinical.ItemTherapy: "Terapia",
}

var intensityText = map[string]string{"low": "leve", "moderate": "moderada", "high": "alta"}

func (f *Facade) carePlanType() *resourceType {
	return &resourceType{Name: "CarePlan",
		Doc: "Planos de tratamento, com um item por atividade (medicamento, dieta, exercício, produto, exame, terapia); meta.versionId é a versão do plano.",
		Params: append(append([]Param{}, recordParams...),
			Param{Name: "status", Type: "token", Doc: "draft, active, completed ou revoked"},
			Param{Name: "date", Type: "date", Doc: "o início do plano, com prefixos (ge, lt, ...)"}),
		Read: func(ctx context.Context, p kernel.Principal, id string) (Resource, error) {
			pl, _, err := f.d.Clinical.Plan(ctx, p, id)
			if err != nil {
				return nil, err
			}
			return carePlanResource(pl), nil
		},
		Search: func(ctx context.Context, p kernel.Principal, q Query) (Found, error) {
			pat, err := recordPatient(p, q)
			if err != nil {
				return Found{}, err
			}
			var status clinical.PlanStatus
			if ts := q.Tokens("status"); len(ts) == 1 && len(ts[0]) == 1 {
				for s, code := range carePlanStatus {
					if code == ts[0][0].Code {
						status = s
					}
				}
				if status == "" {
					return Found{}, kernel.Invalid("status", "deve ser draft, active, completed ou revoked")
				}
			}
			l, err := f.d.Clinical.Plans(ctx, p, pat, status, q.page())
			if err != nil {
				return unseen(err)
			}
			out := Found{Next: l.NextCursor}
			for _, pl := range l.Items {
				r := carePlanResource(pl)
				if q.DateMatch("date", pl.Start) && q.TokenMatch("status", Coding{Code: r.Status}) {
					out.Matches = append(out.Matches, r)
				}
			}
			return out, nil
		},
	}
}

// carePlanResource maps a plan as the caller may read it (an admin's has no
// title, goals or items).
func carePlanResource(pl clinical.Plan) *CarePlanResource {
	r := &CarePlanResource{
		Base:    Base{ResourceType: "CarePlan", ID: pl.ID, Meta: meta(pl.UpdatedAt, strconv.FormatInt(pl.Version, 10))},
		Status:  carePlanStatus[pl.Status],
		Intent:  "plan",
		Title:   pl.Title,
		Subject: ref("Patient", pl.PatientID),
		Created: instant(pl.CreatedAt),
		Author:  ref("Practitioner", pl.AuthorID),
	}
	if r.Status == "" {
		r.Status = "unknown"
	}
	if len(pl.Goals) > 0 {
		r.Description = "Metas: " + strings.Join(pl.Goals, "; ")
	}
	if !pl.Start.IsZero() {
		r.Period = &Period{Start: dateOnly(pl.Start.UTC())}
		if pl.End != nil {
			r.Period.End = dateOnly(pl.End.UTC())
		}
	}
	for _, it := range pl.Items {
		d := &CarePlanDetail{Kind: activityKind[it.Kind], Status: activityStatus[pl.Status], Description: itemDescription(it),
			Code: &CodeableConcept{Coding: []Coding{{System: SystemMultisaude + "plan-item-kind", Code: string(it.Kind), Display: itemKindText[it.Kind]}},
				Text: it.Name}}
		if d.Status == "" {
			d.Status = "unknown"
		}
		if it.Kind == clinical.ItemMedication {
			d.ProductCodeableConcept = &CodeableConcept{Text: it.Name}
		}
		r.Activity = append(r.Activity, CarePlanActivity{Detail: d})
	}
	return r
}

// itemDescription writes an item's instructions in one pt-BR line.
func itemDescription(it clinical.PlanItem) string {
	var parts []string
	add := func(label, v string) {
		if v = strings.TrimSpace(v); v != "" {
			parts = append(parts, label+v)
		}
	}
	add("", it.Description)
	add("Dose: ", it.Dosage)
	add("Frequência: ", it.Frequency)
	add("Duração: ", it.Duration)
	add("Quantidade: ", it.Quantity)
	add("Intensidade: ", intensityText[it.Intensity])
	add("Equipamento: ", it.Equipment)
	if it.NeedsGym {
		parts = append(parts, "Requer academia")
	}
	return strings.Join(parts, ". ")
}
