package fhirapi

import (
	"context"

	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/kernel"
)

// ObservationResource is one vital sign measured in an evaluation.
type ObservationResource struct {
	Base
	Status            string                 `json:"status"`
	Category          []CodeableConcept      `json:"category,omitempty"`
	Code              CodeableConcept        `json:"code"`
	Subject           *Reference             `json:"subject,omitempty"`
	Encounter         *Reference             `json:"encounter,omitempty"`
	EffectiveDateTime string                 `json:"effectiveDateTime,omitempty"`
	Issued            string                 `json:"issued,omitempty"`
	Performer         []Reference            `json:"performer,omitempty"`
	ValueQuantity     *Quantity              `json:"valueQuantity,omitempty"`
	Component         []ObservationComponent `json:"component,omitempty"`
}

// ObservationComponent is one part of a panel (systolic, diastolic).
type ObservationComponent struct {
	Code          CodeableConcept `json:"code"`
	ValueQuantity *Quantity       `json:"valueQuantity,omitempty"`
}

// vital is one kind of measure: its id slug, LOINC code and UCUM unit, and
// the R4 vital-signs profile its Observation conforms to ("" for none).
type vital struct {
	Slug, LOINC, Display, Text string
	Unit, UCUM                 string
	Profile                    string
	Value                      func(clinical.VitalSigns) *float64
}

const profileBase = "http://hl7.org/fhir/StructureDefinition/"

// vitals are the measures an evaluation records, in the order they are
// answered (blood pressure is a panel, written apart: bloodPressure).
var vitals = []vital{
	{"weight", "29463-7", "Body weight", "Peso corporal", "kg", "kg", profileBase + "bodyweight",
		func(v clinical.VitalSigns) *float64 { return v.WeightKg }},
	{"height", "8302-2", "Body height", "Altura", "cm", "cm", profileBase + "bodyheight",
		func(v clinical.VitalSigns) *float64 { return v.HeightCm }},
	{"bmi", "39156-5", "Body mass index (BMI) [Ratio]", "Índice de massa corporal (IMC)", "kg/m2", "kg/m2", profileBase + "bmi",
		func(v clinical.VitalSigns) *float64 { return v.BMI() }},
	{"temperature", "8310-5", "Body temperature", "Temperatura corporal", "°C", "Cel", profileBase + "bodytemp",
		func(v clinical.VitalSigns) *float64 { return v.TemperatureC }},
	{"heart-rate", "8867-4", "Heart rate", "Frequência cardíaca", "/min", "/min", profileBase + "heartrate",
		func(v clinical.VitalSigns) *float64 { return v.HeartRateBpm }},
	{"respiratory-rate", "9279-1", "Respiratory rate", "Frequência respiratória", "/min", "/min", profileBase + "resprate",
		func(v clinical.VitalSigns) *float64 { return v.RespiratoryRateBpm }},
	{"spo2", "2708-6", "Oxygen saturation in Arterial blood", "Saturação de oxigênio (SpO2)", "%", "%", profileBase + "oxygensat",
		func(v clinical.VitalSigns) *float64 { return v.SpO2Pct }},
	{"waist", "8280-0", "Waist Circumference at umbilicus by Tape measure", "Circunferência abdominal", "cm", "cm", "",
		func(v clinical.VitalSigns) *float64 { return v.WaistCm }},
	{"glucose", "2339-0", "Glucose [Mass/volume] in Blood", "Glicemia", "mg/dL", "mg/dL", "",
		func(v clinical.VitalSigns) *float64 { return v.GlucoseMgDl }},
}

// The blood pressure panel and its components.
var (
	bpPanel     = vital{Slug: "blood-pressure", LOINC: "85354-9", Display: "Blood pressure panel with all children optional", Text: "Pressão arterial", Profile: profileBase + "bp"}
	bpSystolic  = vital{LOINC: "8480-6", Display: "Systolic blood pressure", Text: "Pressão arterial sistólica", Unit: "mmHg", UCUM: "mm[Hg]"}
	bpDiastolic = vital{LOINC: "8462-4", Display: "Diastolic blood pressure", Text: "Pressão arterial diastólica", Unit: "mmHg", UCUM: "mm[Hg]"}
)

func (v vital) code() CodeableConcept {
	return CodeableConcept{Coding: []Coding{{System: SystemLOINC, Code: v.LOINC, Display: v.Display}}, Text: v.Text}
}

func (v vital) quantity(x float64) *Quantity {
	return &Quantity{Value: number(x), Unit: v.Unit, System: SystemUCUM, Code: v.UCUM}
}

var vitalSignsCategory = CodeableConcept{
	Coding: []Coding{{System: SystemObsCat, Code: "vital-signs", Display: "Vital Signs"}}, Text: "Sinais vitais"}

func (f *Facade) observationType() *resourceType {
	return &resourceType{Name: "Observation",
		Doc: "Sinais vitais e antropometria medidos nas avaliações (códigos LOINC, unidades UCUM); o id é {avaliação}.{medida}.",
		Params: append(append([]Param{}, recordParams...),
			Param{Name: "code", Type: "token", Doc: "o código LOINC (http://loinc.org|8867-4)"},
			Param{Name: "category", Type: "token", Doc: "vital-signs"},
			Param{Name: "date", Type: "date", Doc: "quando foi medido, com prefixos (ge, lt, ...)"},
			Param{Name: "status", Type: "token", Doc: "final (avaliação assinada), amended ou preliminary"},
			Param{Name: "encounter", Type: "reference", Doc: "a avaliação (Encounter/{id}); dispensa patient"}),
		Read: func(ctx context.Context, p kernel.Principal, id string) (Resource, error) {
			return readEvaluationPart(ctx, f, p, "Observation", id, observations)
		},
		Search: func(ctx context.Context, p kernel.Principal, q Query) (Found, error) {
			evs, next, err := f.evaluationsFor(ctx, p, q)
			if err != nil {
				return Found{}, err
			}
			out := Found{Next: next}
			for _, e := range evs {
				in := f.encounterOf(ctx, p, e)
				if !q.DateMatch("date", in.When) {
					continue
				}
				for _, o := range observations(e, in) {
					if q.TokenMatch("code", o.Code.Coding...) && q.TokenMatch("category", vitalSignsCategory.Coding...) &&
						q.TokenMatch("status", Coding{Code: o.Status}) {
						out.Matches = append(out.Matches, o)
					}
				}
			}
			return out, nil
		},
	}
}

// observationStatus is final for a signed evaluation (amended when a later
// version was signed), preliminary before.
func observationStatus(e clinical.Evaluation) string {
	switch {
	case e.SignedAt == nil:
		return "preliminary"
	case e.Version > 1:
		return "amended"
	}
	return "final"
}

// observations maps the measured vital signs of an evaluation (none for an
// admin, who reads no content).
func observations(e clinical.Evaluation, in encounterInfo) []*ObservationResource {
	vs := e.Content.VitalSigns
	obs := func(v vital) *ObservationResource {
		o := &ObservationResource{
			Base:              Base{ResourceType: "Observation", ID: e.ID + "." + v.Slug, Meta: meta(e.CreatedAt, "")},
			Status:            observationStatus(e),
			Category:          []CodeableConcept{vitalSignsCategory},
			Code:              v.code(),
			Subject:           ref("Patient", e.PatientID),
			Encounter:         ref("Encounter", e.ID),
			EffectiveDateTime: instant(in.When),
			Issued:            instant(signedAt(e)),
		}
		if v.Profile != "" {
			if o.Meta == nil {
				o.Meta = &Meta{}
			}
			o.Meta.Profile = []string{v.Profile}
		}
		if e.AuthorID != "" {
			o.Performer = []Reference{*ref("Practitioner", e.AuthorID)}
		}
		return o
	}
	var out []*ObservationResource
	for _, v := range vitals[:3] { // weight, height, BMI
		if x := v.Value(vs); x != nil {
			o := obs(v)
			o.ValueQuantity = v.quantity(*x)
			out = append(out, o)
		}
	}
	if vs.SystolicMmHg != nil || vs.DiastolicMmHg != nil {
		o := obs(bpPanel)
		if (vs.SystolicMmHg == nil || vs.DiastolicMmHg == nil) && o.Meta != nil {
			o.Meta.Profile = nil // the bp profile wants both
		}
		for _, c := range []struct {
			v vital
			x *float64
		}{{bpSystolic, vs.SystolicMmHg}, {bpDiastolic, vs.DiastolicMmHg}} {
			if c.x != nil {
				o.Component = append(o.Component, ObservationComponent{Code: c.v.code(), ValueQuantity: c.v.quantity(*c.x)})
			}
		}
		out = append(out, o)
	}
	for _, v := range vitals[3:] {
		if x := v.Value(vs); x != nil {
			o := obs(v)
			o.ValueQuantity = v.quantity(*x)
			out = append(out, o)
		}
	}
	return out
}
