package schedulingapi

import (
	"time"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
)

// Examples shown in the OpenAPI document (httpapi.Exemplified).

const (
	exampleID           = "01936b2e-9a41-7b52-8c63-4d5e6f708192"
	exampleProfessional = "01936b2e-5c1a-7c3e-9f1a-2b3c4d5e6f70"
	examplePatient      = "01936b2e-6b2c-7d4e-8f5a-6b7c8d9e0f11"
)

var (
	saoPaulo     = time.FixedZone("-03", -3*3600)
	exampleStart = time.Date(2026, 12, 1, 9, 0, 0, 0, saoPaulo)
	exampleTime  = time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC)
)

func (MoneyBody) Example() any { return MoneyBody{Amount: 25000, Currency: "BRL"} }

func (RuleBody) Example() any {
	return RuleBody{Weekday: "monday", Start: "08:00", End: "12:00", Mode: "in_person", Place: "Consultório 12, Av. Paulista 1578"}
}

func (ExceptionBody) Example() any { return ExceptionBody{Date: "2026-12-25", Available: false} }

func (AvailabilityRequest) Example() any {
	return AvailabilityRequest{TimeZone: "America/Sao_Paulo", SlotMinutes: 30, BufferMinutes: 10, MinNoticeHours: 2,
		HorizonDays: 60, CancelUntilHours: 24,
		Weekly: []RuleBody{RuleBody{}.Example().(RuleBody),
			{Weekday: "wednesday", Start: "14:00", End: "18:00", Mode: "telemedicine"}},
		Exceptions: []ExceptionBody{ExceptionBody{}.Example().(ExceptionBody)}}
}

func (BookRequest) Example() any {
	return BookRequest{ProfessionalID: exampleProfessional, Start: exampleStart.Format(time.RFC3339), Mode: "telemedicine",
		Reason: "Dor no peito ao subir escadas há duas semanas."}
}

func (RescheduleRequest) Example() any {
	return RescheduleRequest{Start: exampleStart.AddDate(0, 0, 2).Format(time.RFC3339)}
}

func (CancelRequest) Example() any { return CancelRequest{Reason: httpapi.ReasonExample} }

func (ExamRequest) Example() any {
	return ExamRequest{Name: "Hemograma completo", Code: "40304361", DurationMinutes: 15,
		Preparation: "Jejum de 8 horas; água liberada.", Price: MoneyBody{}.Example().(MoneyBody), Capacity: 4}
}

func (WaitlistRequest) Example() any {
	return WaitlistRequest{ProfessionalID: exampleProfessional, From: "2026-12-01", To: "2026-12-15"}
}

func (SlotResponse) Example() any {
	return SlotResponse{Start: exampleStart, End: exampleStart.Add(30 * time.Minute), Mode: "telemedicine"}
}

func (AppointmentResponse) Example() any {
	return AppointmentResponse{ID: exampleID, Kind: "consultation", ProfessionalID: exampleProfessional, PatientID: examplePatient,
		Start: exampleStart, End: exampleStart.Add(30 * time.Minute), Mode: "telemedicine",
		Reason: "Dor no peito ao subir escadas há duas semanas.", Status: "confirmed", Price: MoneyBody{}.Example().(MoneyBody),
		Version: 1, CreatedAt: exampleTime, UpdatedAt: exampleTime}
}

func (NotificationResponse) Example() any {
	return NotificationResponse{ID: exampleID, Kind: "appointment.reminder", Title: "Consulta amanhã às 09:00",
		Body: "Sua teleconsulta com Dr. João Pereira Lima é amanhã, 01/12, às 09:00.",
		Data: map[string]string{"appointment_id": exampleID}, CreatedAt: exampleTime}
}

func (AvailabilityResponse) Example() any {
	return AvailabilityResponse{AvailabilityRequest: AvailabilityRequest{}.Example().(AvailabilityRequest), OwnerID: exampleProfessional,
		Version: 3, UpdatedAt: exampleTime}
}

func (ExamResponse) Example() any {
	return ExamResponse{ID: exampleID, CompanyID: "01936b2e-7d20-7a41-8b2c-3d4e5f607182", Name: "Hemograma completo", Code: "40304361",
		DurationMinutes: 15, Preparation: "Jejum de 8 horas; água liberada.", Price: MoneyBody{}.Example().(MoneyBody), Capacity: 4,
		CreatedAt: exampleTime}
}

func (SearchResultResponse) Example() any {
	d := 2.4
	return SearchResultResponse{Professional: ProfessionalSummary{ID: exampleProfessional, Name: "Dr. João Pereira Lima",
		Profession: "physician", Specialties: []string{"cardiologia"}, Modes: []string{"in_person", "telemedicine"},
		Price: MoneyBody{}.Example().(MoneyBody), City: "São Paulo", UF: "SP"}, DistanceKm: &d,
		NextSlots: []SlotResponse{SlotResponse{}.Example().(SlotResponse)}}
}

func (WaitlistResponse) Example() any {
	return WaitlistResponse{ID: exampleID, ProfessionalID: exampleProfessional, From: "2026-12-01", To: "2026-12-15",
		Status: "waiting", CreatedAt: exampleTime}
}
