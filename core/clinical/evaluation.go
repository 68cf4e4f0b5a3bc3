package clinical

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// EvaluationKind is simplified or detailed.
type EvaluationKind string

const (
	Simplified EvaluationKind = "simplified"
	Detailed   EvaluationKind = "detailed"
)

// VitalSigns and anthropometry; nil means not measured.
type VitalSigns struct {
	WeightKg           *float64
	HeightCm           *float64
	TemperatureC       *float64
	HeartRateBpm       *float64
	SystolicMmHg       *float64
	DiastolicMmHg      *float64
	RespiratoryRateBpm *float64
	SpO2Pct            *float64
	WaistCm            *float64
	GlucoseMgDl        *float64
}

// BMI derives the body mass index from weight and height, rounded to one decimal.
func (v VitalSigns) BMI() *float64 {
	if v.WeightKg == nil || v.HeightCm == nil || *v.HeightCm <= 0 {
		return nil
	}
	m := *v.HeightCm / 100
	b := math.Round(*v.WeightKg/(m*m)*10) / 10
	return &b
}

// Range is a physiological range of a measure.
type Range struct {
	Field    string
	Min, Max float64
	Unit     string
}

// VitalRanges are the accepted ranges; a value outside is a 422 naming the field.
var VitalRanges = []Range{
	{"weight_kg", 0.3, 400, "kg"},
	{"height_cm", 20, 260, "cm"},
	{"temperature_c", 25, 45, "°C"},
	{"heart_rate_bpm", 20, 300, "bpm"},
	{"systolic_mmhg", 40, 300, "mmHg"},
	{"diastolic_mmhg", 20, 200, "mmHg"},
	{"respiratory_rate_bpm", 4, 80, "irpm"},
	{"spo2_pct", 40, 100, "%"},
	{"waist_cm", 20, 300, "cm"},
	{"glucose_mg_dl", 10, 1500, "mg/dL"},
}

func (v VitalSigns) values() map[string]*float64 {
	return map[string]*float64{
		"weight_kg": v.WeightKg, "height_cm": v.HeightCm, "temperature_c": v.TemperatureC,
		"heart_rate_bpm": v.HeartRateBpm, "systolic_mmhg": v.SystolicMmHg, "diastolic_mmhg": v.DiastolicMmHg,
		"respiratory_rate_bpm": v.RespiratoryRateBpm, "spo2_pct": v.SpO2Pct, "waist_cm": v.WaistCm,
		"glucose_mg_dl": v.GlucoseMgDl,
	}
}

// Validate adds a problem, prefixed by prefix, for each value out of its range.
func (v VitalSigns) Validate(prefix string, p *kernel.Problems) {
	vals := v.values()
	for _, r := range VitalRanges {
		x := vals[r.Field]
		if x == nil {
			continue
		}
		if math.IsNaN(*x) || *x < r.Min || *x > r.Max {
			p.Add(prefix+r.Field, "deve estar entre %s e %s %s", trimFloat(r.Min), trimFloat(r.Max), r.Unit)
		}
	}
	if v.SystolicMmHg != nil && v.DiastolicMmHg != nil && *v.DiastolicMmHg >= *v.SystolicMmHg {
		p.Add(prefix+"diastolic_mmhg", "deve ser menor que systolic_mmhg")
	}
}

func trimFloat(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.1f", f), "0"), ".")
}

// EvaluationContent is what the author writes; amendments replace it in a new version.
type EvaluationContent struct {
	Kind EvaluationKind
	// simplified
	Reason string
	Notes  string
	// detailed
	ChiefComplaint   string
	PresentIllness   string
	PastHistory      string
	MedicationsInUse string
	Allergies        string
	Habits           string
	PhysicalExam     string
	Assessment       string
	ICD10            []string
	Plan             string
	VitalSigns       VitalSigns
}

var icd10 = regexp.MustCompile(`^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$`)

const maxText = MaxText

// Validate checks the content: required sections by kind, lengths, ICD-10 codes
// (400), and physiological ranges (422).
func (c EvaluationContent) Validate() error {
	var p kernel.Problems
	text := map[string]string{
		"reason": c.Reason, "notes": c.Notes, "chief_complaint": c.ChiefComplaint,
		"history_of_present_illness": c.PresentIllness, "past_history": c.PastHistory,
		"medications_in_use": c.MedicationsInUse, "allergies": c.Allergies, "habits": c.Habits,
		"physical_examination": c.PhysicalExam, "assessment": c.Assessment, "plan": c.Plan,
	}
	for f, v := range text {
		if len(v) > maxText {
			p.Add(f, "deve ter no máximo %d caracteres", maxText)
		}
	}
	switch c.Kind {
	case Simplified:
		p.Require("reason", c.Reason)
		for _, f := range []string{"chief_complaint", "history_of_present_illness", "past_history", "medications_in_use",
			"allergies", "habits", "physical_examination", "assessment", "plan"} {
			if text[f] != "" {
				p.Add(f, "pertence a uma avaliação detalhada")
			}
		}
		if len(c.ICD10) > 0 {
			p.Add("icd10", "pertence a uma avaliação detalhada")
		}
	case Detailed:
		p.Require("chief_complaint", c.ChiefComplaint)
		p.Require("assessment", c.Assessment)
		if len(c.ICD10) > MaxICD10 {
			p.Add("icd10", "deve ter no máximo %d códigos", MaxICD10)
			break // counted first: none is looked at
		}
		for i, code := range c.ICD10 {
			if !icd10.MatchString(code) {
				p.Add(fmt.Sprintf("icd10[%d]", i), "deve ser um código CID-10, como E11 ou I10.0")
			}
		}
	case "":
		p.Add("kind", "é obrigatório")
	default:
		p.Add("kind", "deve ser simplified ou detailed")
	}
	if err := p.Err(); err != nil {
		return err
	}
	var r kernel.Problems
	c.VitalSigns.Validate("vital_signs.", &r)
	if !r.Empty() {
		return kernel.Unprocessable("uma medida está fora da faixa fisiológica", r.Fields()...)
	}
	return nil
}

// Evaluation is one version of an evaluation. Versions share the ID; the
// highest is current, older ones stay readable.
type Evaluation struct {
	ID            kernel.ID
	Version       int
	PatientID     kernel.ID
	AuthorID      kernel.ID
	AppointmentID kernel.ID // optional
	Content       EvaluationContent
	SignedAt      *time.Time
	CreatedAt     time.Time // of this version
	AmendReason   string    // why this version replaced the previous one
}

// BMI is derived from the vital signs.
func (e Evaluation) BMI() *float64 { return e.Content.VitalSigns.BMI() }

// EvaluationMeta is an evaluation without its content, for admins.
func (e Evaluation) Meta() Evaluation {
	return Evaluation{ID: e.ID, Version: e.Version, PatientID: e.PatientID, AuthorID: e.AuthorID,
		AppointmentID: e.AppointmentID, SignedAt: e.SignedAt, CreatedAt: e.CreatedAt,
		Content: EvaluationContent{Kind: e.Content.Kind}}
}

// NewEvaluationInput creates an evaluation.
type NewEvaluationInput struct {
	AppointmentID kernel.ID
	Content       EvaluationContent
	Sign          bool // sign at once
}

// TopicEvaluationSigned is raised when an evaluation is signed; its payload (a
// JSON object of strings) holds evaluation_id, version, patient_id,
// professional_id, appointment_id (may be empty) and signed_at. Scheduling
// completes the named appointment when it consumes it.
const TopicEvaluationSigned = "clinical.evaluation.signed"
