package clinicalapi

import (
	"time"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
)

// Examples shown in the OpenAPI document (httpapi.Exemplified).

const (
	exampleID           = "01936b2e-8e31-7a62-9b73-5c6d7e8f9012"
	exampleProfessional = "01936b2e-5c1a-7c3e-9f1a-2b3c4d5e6f70"
	examplePatient      = "01936b2e-6b2c-7d4e-8f5a-6b7c8d9e0f11"
	exampleAppointment  = "01936b2e-9a41-7b52-8c63-4d5e6f708192"
)

var exampleTime = time.Date(2026, 12, 1, 12, 30, 0, 0, time.UTC)

func (ShareRequest) Example() any {
	return ShareRequest{ProfessionalID: exampleProfessional, Until: "2027-03-01T00:00:00-03:00"}
}

func (BreakGlassRequest) Example() any {
	return BreakGlassRequest{Reason: "Paciente inconsciente no pronto-socorro; preciso das alergias e medicações em uso."}
}

func ptr(f float64) *float64 { return &f }

func (VitalSigns) Example() any {
	return VitalSigns{WeightKg: ptr(72.5), HeightCm: ptr(168), SystolicMmHg: ptr(130), DiastolicMmHg: ptr(85), HeartRateBpm: ptr(78)}
}

func (EvaluationRequest) Example() any {
	vs := VitalSigns{}.Example().(VitalSigns)
	return EvaluationRequest{Kind: "simplified", Reason: "Dor no peito ao subir escadas há duas semanas.",
		Notes: "Dor em aperto, sem irradiação, melhora com repouso. Solicitado eletrocardiograma e teste ergométrico.",
		ICD10: []string{"R07.4"}, VitalSigns: &vs, AppointmentID: exampleAppointment}
}

func (AmendEvaluationRequest) Example() any {
	vs := VitalSigns{}.Example().(VitalSigns)
	return AmendEvaluationRequest{Kind: "simplified", Reason: "Dor no peito ao subir escadas há duas semanas.",
		Notes: "Dor em aperto, sem irradiação, melhora com repouso. Eletrocardiograma normal.", ICD10: []string{"R07.4"},
		VitalSigns: &vs, AmendReason: "Inclusão do resultado do eletrocardiograma."}
}

func (PlanItemBody) Example() any {
	return PlanItemBody{Kind: "medication", Name: "Losartana 50 mg", Dosage: "1 comprimido", Frequency: "1 vez ao dia, pela manhã",
		Duration: "uso contínuo"}
}

func (PlanRequest) Example() any {
	return PlanRequest{Title: "Controle da pressão arterial", Goals: []string{"Pressão abaixo de 130/80 mmHg em 3 meses"},
		Start: "2026-12-01", Status: "active", Items: []PlanItemBody{PlanItemBody{}.Example().(PlanItemBody),
			{Kind: "exercise", Name: "Caminhada", Frequency: "5 vezes por semana", Duration: "30 minutos", Intensity: "leve"}}}
}

func (ProgressRequest) Example() any {
	return ProgressRequest{ItemID: exampleID, Date: "2026-12-02", Done: true, Note: "Tomei o remédio depois do café."}
}

func (RxItemBody) Example() any {
	return RxItemBody{Drug: "Losartana potássica", Concentration: "50 mg", Form: "comprimido", Dosage: "1 comprimido ao dia",
		Quantity: "30 comprimidos", Route: "oral", Instructions: "Tomar pela manhã."}
}

func (PrescriptionRequest) Example() any {
	return PrescriptionRequest{Type: "simple", Items: []RxItemBody{RxItemBody{}.Example().(RxItemBody)}}
}

func (CancelRequest) Example() any { return CancelRequest{Reason: httpapi.ReasonExample} }

func (DispenseRequest) Example() any {
	return DispenseRequest{BuyerName: "Maria da Silva Souza", BuyerDocument: "52998224725"}
}

func (UploadForm) Example() any {
	return map[string]any{"kind": "exam_result", "title": "Hemograma completo - dezembro de 2026", "file": "(os bytes do arquivo PDF)"}
}

func (VerifyResponse) Example() any {
	return VerifyResponse{Valid: true, Type: "simple", Prescriber: VerifiedPrescriber{Name: "Dr. João Pereira Lima", Profession: "physician",
		CouncilType: "CRM", CouncilNumber: "123456", CouncilUF: "SP"}, PatientInitials: "M. S. S.",
		Items:    []VerifiedItem{{Drug: "Losartana potássica", Concentration: "50 mg", Form: "comprimido", Quantity: "30 comprimidos"}},
		IssuedAt: exampleTime}
}

func (HistoryEntryResponse) Example() any {
	return HistoryEntryResponse{Kind: "evaluation", ID: exampleID, At: exampleTime, AuthorID: exampleProfessional,
		Summary: "Avaliação simplificada: dor no peito ao subir escadas"}
}

func (EvaluationResponse) Example() any {
	vs := VitalSigns{}.Example().(VitalSigns)
	bmi := 25.7
	return EvaluationResponse{ID: exampleID, Version: 1, PatientID: examplePatient, AuthorID: exampleProfessional,
		AppointmentID: exampleAppointment, EvaluationContent: EvaluationContent{Kind: "simplified",
			Reason: "Dor no peito ao subir escadas há duas semanas.",
			Notes:  "Dor em aperto, sem irradiação, melhora com repouso. Solicitado eletrocardiograma e teste ergométrico.",
			ICD10:  []string{"R07.4"}, VitalSigns: &vs}, BMI: &bmi, SignedAt: &exampleTime, CreatedAt: exampleTime}
}

func (PlanResponse) Example() any {
	return PlanResponse{ID: exampleID, PatientID: examplePatient, AuthorID: exampleProfessional, Title: "Controle da pressão arterial",
		Goals: []string{"Pressão abaixo de 130/80 mmHg em 3 meses"}, Start: "2026-12-01", Status: "active",
		Items: []PlanItemResponse{{PlanItemBody: PlanItemBody{ID: "item-1", Kind: "medication", Name: "Losartana 50 mg",
			Dosage: "1 comprimido", Frequency: "1 vez ao dia, pela manhã", Duration: "uso contínuo"}, Tags: []string{}, Suppliers: []string{}}},
		Version: 1, CreatedAt: exampleTime, UpdatedAt: exampleTime}
}

func (PrescriptionResponse) Example() any {
	return PrescriptionResponse{ID: exampleID, PatientID: examplePatient, Type: "simple", Status: "issued", VerificationCode: "K7QM-4TZP-9XRA",
		Prescriber: PrescriberBody{ID: exampleProfessional, Name: "Dr. João Pereira Lima", Profession: "physician", CouncilType: "CRM",
			CouncilNumber: "123456", CouncilUF: "SP"},
		Items: []RxItemBody{RxItemBody{}.Example().(RxItemBody)}, IssuedAt: exampleTime, SignatureAlg: "Ed25519", SignatureKeyID: "rx-2026-11"}
}

func (DocumentResponse) Example() any {
	return DocumentResponse{ID: exampleID, PatientID: examplePatient, UploaderID: examplePatient, UploaderKind: "patient",
		Kind: "exam_result", Title: "Hemograma completo - dezembro de 2026", FileName: "hemograma.pdf", ContentType: "application/pdf",
		Size: 184320, Checksum: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", CreatedAt: exampleTime}
}

func (ShareResponse) Example() any {
	return ShareResponse{ID: exampleID, PatientID: examplePatient, ProfessionalID: exampleProfessional, Kind: "share",
		Until: time.Date(2027, 3, 1, 3, 0, 0, 0, time.UTC), CreatedAt: exampleTime}
}
