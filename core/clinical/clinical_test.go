package clinical

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

func fp(v float64) *float64 { return &v }

func fields(err error) map[string]bool {
	out := map[string]bool{}
	var ke *kernel.Error
	if errors.As(err, &ke) {
		for _, f := range ke.Fields {
			out[f.Field] = true
		}
	}
	return out
}

func TestVitalRangesNameTheField(t *testing.T) {
	cases := []struct {
		name  string
		v     VitalSigns
		field string
	}{
		{"fever of 420", VitalSigns{TemperatureC: fp(420)}, "vital_signs.temperature_c"},
		{"negative weight", VitalSigns{WeightKg: fp(-1)}, "vital_signs.weight_kg"},
		{"spo2 over 100", VitalSigns{SpO2Pct: fp(101)}, "vital_signs.spo2_pct"},
		{"diastolic above systolic", VitalSigns{SystolicMmHg: fp(80), DiastolicMmHg: fp(120)}, "vital_signs.diastolic_mmhg"},
		{"heart rate 0", VitalSigns{HeartRateBpm: fp(0)}, "vital_signs.heart_rate_bpm"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := EvaluationContent{Kind: Simplified, Reason: "x", VitalSigns: c.v}.Validate()
			if kernel.KindOf(err) != kernel.KindUnprocessable || !fields(err)[c.field] {
				t.Fatalf("got %v, want 422 naming %s", err, c.field)
			}
		})
	}
	ok := EvaluationContent{Kind: Simplified, Reason: "x", VitalSigns: VitalSigns{TemperatureC: fp(36.5), SystolicMmHg: fp(120), DiastolicMmHg: fp(80)}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestEvaluationRequiredSectionsAndICD(t *testing.T) {
	err := EvaluationContent{Kind: Detailed, ICD10: []string{"E11", "banana"}}.Validate()
	f := fields(err)
	if kernel.KindOf(err) != kernel.KindInvalid || !f["chief_complaint"] || !f["assessment"] || !f["icd10[1]"] || f["icd10[0]"] {
		t.Fatalf("got %v", err)
	}
	if f := fields(EvaluationContent{}.Validate()); !f["kind"] {
		t.Fatal("kind not named")
	}
	if f := fields(EvaluationContent{Kind: Simplified, Reason: "r", Assessment: "a"}.Validate()); !f["assessment"] {
		t.Fatal("a detailed section in a simplified evaluation is not refused")
	}
}

func TestBMI(t *testing.T) {
	if b := (VitalSigns{WeightKg: fp(70.5), HeightCm: fp(175)}).BMI(); b == nil || *b != 23 {
		t.Fatalf("BMI = %v", b)
	}
	if (VitalSigns{WeightKg: fp(70)}).BMI() != nil {
		t.Fatal("BMI without height")
	}
}

func TestSniffContentType(t *testing.T) {
	dicom := append(make([]byte, 128), []byte("DICM....")...)
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	cases := map[string]string{
		"%PDF-1.7\n":              "application/pdf",
		string(dicom):             "application/dicom",
		string(png):               "image/png",
		"\xff\xd8\xff\xe0JFIF":    "image/jpeg",
		"<html><script>":          "",
		"MZ\x90\x00":              "",
		"just text, not a record": "",
	}
	for in, want := range cases {
		if got := SniffContentType([]byte(in)); got != want {
			t.Errorf("sniff(%q) = %q, want %q", in[:min(len(in), 10)], got, want)
		}
	}
}

func TestPlanStatusMoves(t *testing.T) {
	if !PlanDraft.CanMove(PlanActive) || !PlanActive.CanMove(PlanCompleted) || PlanCompleted.CanMove(PlanActive) || PlanCancelled.CanMove(PlanDraft) {
		t.Fatal("plan state machine is wrong")
	}
}

func TestVerificationCodes(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		c := NewVerificationCode()
		if len(c) != 14 || strings.ContainsAny(c, "01OIL") || seen[c] {
			t.Fatalf("bad or repeated code %q", c)
		}
		seen[c] = true
		if NormalizeCode(strings.ToLower(strings.ReplaceAll(c, "-", ""))) != c {
			t.Fatalf("normalize(%q)", c)
		}
	}
}

func TestCanonicalTextIsStable(t *testing.T) {
	at := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	rx := Prescription{ID: "x", VerificationCode: "AAAA-BBBB-CCCC", Type: RxSimple, IssuedAt: at, PatientName: "Ana\nInjected: line",
		Items: []RxItem{{Drug: "Dipirona", Dosage: "1 cp"}}}
	a, b := rx.CanonicalText(), rx.CanonicalText()
	if string(a) != string(b) || strings.Contains(string(a), "\nInjected") {
		t.Fatalf("canonical text:\n%s", a)
	}
}

func FuzzEvaluationValidate(f *testing.F) {
	f.Add("simplified", "check-up", 36.5, "E11")
	f.Add("detailed", "", 420.0, "x")
	f.Fuzz(func(t *testing.T, kind, reason string, temp float64, code string) {
		c := EvaluationContent{Kind: EvaluationKind(kind), Reason: reason, ChiefComplaint: reason, Assessment: reason,
			ICD10: []string{code}, VitalSigns: VitalSigns{TemperatureC: &temp}}
		err := c.Validate()
		if err != nil {
			if k := kernel.KindOf(err); k != kernel.KindInvalid && k != kernel.KindUnprocessable {
				t.Fatalf("kind %s", k)
			}
			if len(fields(err)) == 0 {
				t.Fatalf("no field named: %v", err)
			}
		}
	})
}
