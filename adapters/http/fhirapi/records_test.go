package fhirapi

import (
	"encoding/base64"
	"net/url"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

func f64(x float64) *float64 { return &x }

func testEvaluation(signed bool) clinical.Evaluation {
	at := time.Date(2026, 3, 4, 13, 0, 0, 0, time.UTC)
	e := clinical.Evaluation{ID: kernel.NewID(), Version: 1, PatientID: kernel.NewID(), AuthorID: kernel.NewID(), CreatedAt: at,
		Content: clinical.EvaluationContent{Kind: clinical.Detailed, ChiefComplaint: "dor", Assessment: "x", ICD10: []string{"I10", "E11.9"},
			VitalSigns: clinical.VitalSigns{WeightKg: f64(80), HeightCm: f64(180), SystolicMmHg: f64(130), DiastolicMmHg: f64(85), GlucoseMgDl: f64(99)}}}
	if signed {
		e.SignedAt = &at
	}
	return e
}

func TestObservationsOfAnEvaluation(t *testing.T) {
	e := testEvaluation(true)
	obs := observations(e, encounterInfo{When: e.CreatedAt})
	byID := map[string]*ObservationResource{}
	for _, o := range obs {
		if !validID(o.ID) {
			t.Errorf("id %q is not a FHIR id", o.ID)
		}
		if o.Status != "final" || o.Subject.Reference != "Patient/"+e.PatientID || o.Encounter.Reference != "Encounter/"+e.ID {
			t.Errorf("%s = %+v", o.ID, o)
		}
		byID[o.ID] = o
	}
	if len(obs) != 5 { // weight, height, BMI, blood pressure, glucose
		t.Fatalf("observations = %d", len(obs))
	}
	bmi := byID[e.ID+".bmi"]
	if bmi == nil || bmi.Code.Coding[0].Code != "39156-5" || string(*bmi.ValueQuantity.Value) != "24.7" || bmi.ValueQuantity.Code != "kg/m2" {
		t.Fatalf("BMI = %+v", bmi)
	}
	bp := byID[e.ID+".blood-pressure"]
	if bp == nil || bp.ValueQuantity != nil || len(bp.Component) != 2 || bp.Component[0].Code.Coding[0].Code != "8480-6" ||
		bp.Component[1].ValueQuantity.Code != "mm[Hg]" || bp.Meta.Profile[0] != profileBase+"bp" {
		t.Fatalf("blood pressure = %+v", bp)
	}
	if g := byID[e.ID+".glucose"]; g == nil || g.Meta.Profile != nil || g.ValueQuantity.Code != "mg/dL" {
		t.Fatalf("glucose = %+v", g)
	}

	// one pressure only: a panel of one component that claims no profile
	e.Content.VitalSigns = clinical.VitalSigns{SystolicMmHg: f64(120)}
	e.SignedAt = nil
	obs = observations(e, encounterInfo{})
	if len(obs) != 1 || len(obs[0].Component) != 1 || obs[0].Meta.Profile != nil || obs[0].Status != "preliminary" {
		t.Fatalf("systolic only = %+v", obs)
	}
	// an admin reads no content: no observation
	if obs := observations(testEvaluation(true).Meta(), encounterInfo{}); len(obs) != 0 {
		t.Fatalf("metadata only = %d observations", len(obs))
	}
}

func TestObservationStatus(t *testing.T) {
	e := testEvaluation(true)
	e.Version = 2
	if s := observationStatus(e); s != "amended" {
		t.Fatalf("signed version 2 = %s", s)
	}
}

func TestConditionsAndEncounter(t *testing.T) {
	e := testEvaluation(false)
	cs := conditions(e, encounterInfo{When: e.CreatedAt})
	if len(cs) != 2 || cs[0].ID != e.ID+".1" || cs[1].Code.Coding[0].Code != "E11.9" || cs[1].Code.Coding[0].System != SystemICD10 ||
		cs[0].VerificationStatus.Coding[0].Code != "provisional" || cs[0].Recorder.Reference != "Practitioner/"+e.AuthorID {
		t.Fatalf("conditions = %+v", cs)
	}
	enc := encounterResource(e, encounterInfo{When: e.CreatedAt, Virtual: true})
	if enc.Status != "in-progress" || enc.Class.Code != "VR" || len(enc.Diagnosis) != 2 || enc.Diagnosis[1].Condition.Reference != "Condition/"+e.ID+".2" ||
		enc.ReasonCode[0].Text != "dor" || enc.Appointment != nil {
		t.Fatalf("encounter = %+v", enc)
	}
	e = testEvaluation(true)
	e.AppointmentID = kernel.NewID()
	enc = encounterResource(e, encounterInfo{When: e.CreatedAt})
	if enc.Status != "finished" || enc.Class.Code != "AMB" || enc.Appointment[0].Reference != "Appointment/"+e.AppointmentID {
		t.Fatalf("encounter = %+v", enc)
	}
}

func TestMedicationRequests(t *testing.T) {
	now := time.Date(2026, 3, 4, 13, 0, 0, 0, time.UTC)
	until := now.Add(-time.Hour)
	rx := clinical.Prescription{ID: kernel.NewID(), PatientID: kernel.NewID(), Prescriber: clinical.Prescriber{ID: kernel.NewID()},
		Type: clinical.RxSpecialControl, Status: clinical.RxIssued, IssuedAt: now.AddDate(0, 0, -31), ValidUntil: &until, VerificationCode: "ABCD-EFGH-JKMN",
		Items:     []clinical.RxItem{{Drug: "Clonazepam", Concentration: "2 mg", Form: "comprimido", Dosage: "1 à noite", Quantity: "30"}, {Drug: "B", Dosage: "x"}},
		Signature: ports.Signature{Algorithm: "Ed25519", Value: []byte{1, 2, 3}}}
	mrs := medicationRequests(rx, now)
	if len(mrs) != 2 || mrs[1].ID != rx.ID+".2" || mrs[0].Status != "stopped" || mrs[0].MedicationCodeableConcept.Text != "Clonazepam 2 mg, comprimido" ||
		mrs[0].DosageInstruction[0].Text != "1 à noite. Quantidade: 30" || mrs[0].Identifier[0].Value != "ABCD-EFGH-JKMN" ||
		mrs[0].DispenseRequest.ValidityPeriod.End != instant(until) {
		t.Fatalf("medication requests = %+v", mrs[0])
	}
	for s, want := range map[clinical.PrescriptionStatus]string{clinical.RxCancelled: "cancelled", clinical.RxDispensed: "completed"} {
		rx.Status = s
		if got := medicationRequestStatus(rx, now); got != want {
			t.Errorf("%s = %s, want %s", s, got, want)
		}
	}
	pv := prescriptionProvenance(rx)
	if pv == nil || pv.ID != rx.ID+".sig" || len(pv.Target) != 2 || pv.Signature[0].Data != base64.StdEncoding.EncodeToString([]byte{1, 2, 3}) {
		t.Fatalf("provenance = %+v", pv)
	}
	if prescriptionProvenance(rx.Meta()) != nil {
		t.Fatal("an admin's prescription (no items) has a provenance")
	}
}

func TestCarePlan(t *testing.T) {
	pl := clinical.Plan{ID: kernel.NewID(), PatientID: kernel.NewID(), AuthorID: kernel.NewID(), Title: "t", Goals: []string{"a", "b"},
		Start: time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC), Status: clinical.PlanCancelled, Version: 3,
		Items: []clinical.PlanItem{{Kind: clinical.ItemMedication, Name: "Losartana", Dosage: "1 cp", Frequency: "12/12h"}, {Kind: clinical.ItemDiet, Name: "Aveia", Quantity: "30 g"}}}
	r := carePlanResource(pl)
	if r.Status != "revoked" || r.Meta.VersionID != "3" || r.Period.Start != "2026-03-04" || r.Description != "Metas: a; b" || len(r.Activity) != 2 ||
		r.Activity[0].Detail.Status != "cancelled" || r.Activity[0].Detail.ProductCodeableConcept.Text != "Losartana" ||
		r.Activity[0].Detail.Description != "Dose: 1 cp. Frequência: 12/12h" || r.Activity[1].Detail.Kind != "NutritionOrder" ||
		r.Activity[1].Detail.ProductCodeableConcept != nil {
		t.Fatalf("care plan = %+v", r)
	}
}

func TestDocumentReference(t *testing.T) {
	d := clinical.Document{ID: kernel.NewID(), PatientID: kernel.NewID(), UploaderID: kernel.NewID(), UploaderKind: kernel.KindPatient,
		Kind: clinical.DocReport, Title: "Laudo", FileName: "laudo.pdf", ContentType: "application/pdf", Size: 10, Checksum: "ab", CreatedAt: time.Now()}
	r := documentReference(d, "https://api.example/")
	a := r.Content[0].Attachment
	if a.URL != "https://api.example/v1/documents/"+d.ID+"/content" || a.Hash != "" || a.Title != "Laudo" || r.Author[0].Reference != "Patient/"+d.UploaderID {
		t.Fatalf("document = %+v", r)
	}
}

func TestRecordPatient(t *testing.T) {
	pat := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindPatient}
	pro := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindProfessional}
	other := kernel.NewID()
	q := func(v string) Query {
		vals, _ := url.ParseQuery(v)
		qq, err := parseQuery(&resourceType{Name: "Encounter", Params: recordParams}, vals)
		if err != nil {
			t.Fatal(err)
		}
		return qq
	}
	if id, err := recordPatient(pat, q("")); err != nil || id != pat.AccountID {
		t.Fatalf("patient's own = %q %v", id, err)
	}
	if _, err := recordPatient(pro, q("")); kernel.KindOf(err) != kernel.KindInvalid {
		t.Fatalf("professional without patient = %v", err)
	}
	if id, err := recordPatient(pro, q("subject=Patient/"+other)); err != nil || id != other {
		t.Fatalf("subject = %q %v", id, err)
	}
	if _, err := recordPatient(pro, q("subject=Patient/"+other+"&patient="+pat.AccountID)); kernel.KindOf(err) != kernel.KindInvalid {
		t.Fatalf("two patients = %v", err)
	}
}

func TestIDsAndTargets(t *testing.T) {
	id := kernel.NewID()
	if at := idTime(id); time.Since(at) > time.Minute || time.Since(at) < -time.Minute {
		t.Fatalf("idTime = %s", at)
	}
	if !idTime("not-an-id").IsZero() {
		t.Fatal("idTime of a non-UUID")
	}
	for v, want := range map[string][2]string{
		"Encounter/" + id: {"Encounter", id},
		"http://x/fhir/R4/MedicationRequest/" + id + ".2": {"MedicationRequest", id},
		id:                {"", id},
		"Patient/" + id:   {"", ""},
		"Encounter/abc.1": {"", ""},
	} {
		typ, got := targetOf(v)
		if typ != want[0] || got != want[1] {
			t.Errorf("targetOf(%q) = %q %q, want %v", v, typ, got, want)
		}
	}
	if obj, part, ok := splitID(id + ".blood-pressure"); !ok || obj != id || part != "blood-pressure" {
		t.Fatal("splitID")
	}
	if _, _, ok := splitID(id); ok {
		t.Fatal("splitID of a bare id")
	}
	if long := id + ".respiratory-rate"; len(long) > 64 {
		t.Fatalf("%q is longer than a FHIR id may be", long)
	}
}
