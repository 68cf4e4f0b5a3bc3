package fhirapi

import (
	"context"
	"strconv"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
)

// AppointmentResource is a booked consultation or exam.
type AppointmentResource struct {
	Base
	Status            string                   `json:"status"`
	CancelationReason *CodeableConcept         `json:"cancelationReason,omitempty"`
	ServiceCategory   []CodeableConcept        `json:"serviceCategory,omitempty"`
	ServiceType       []CodeableConcept        `json:"serviceType,omitempty"`
	Description       string                   `json:"description,omitempty"`
	Start             string                   `json:"start,omitempty"`
	End               string                   `json:"end,omitempty"`
	MinutesDuration   int                      `json:"minutesDuration,omitempty"`
	Created           string                   `json:"created,omitempty"`
	Participant       []AppointmentParticipant `json:"participant"`
}

// AppointmentParticipant is one who takes part (patient, practitioner, place).
type AppointmentParticipant struct {
	Actor    *Reference `json:"actor,omitempty"`
	Required string     `json:"required,omitempty"`
	Status   string     `json:"status"`
}

var appointmentStatus = map[scheduling.Status]string{
	scheduling.StatusConfirmed: "booked",
	scheduling.StatusCancelled: "cancelled",
	scheduling.StatusCompleted: "fulfilled",
	scheduling.StatusNoShow:    "noshow",
}

func (f *Facade) appointmentType() *resourceType {
	return &resourceType{Name: "Appointment",
		Doc: "Consultas com profissionais e exames em hospitais parceiros. O paciente vê as suas; o profissional, as da sua agenda; o hospital (membros e chaves com fhir:read), os exames marcados nele.",
		Params: []Param{
			{Name: "patient", Type: "reference", Doc: "o paciente (Patient/{id})"},
			{Name: "practitioner", Type: "reference", Doc: "o profissional (Practitioner/{id})"},
			{Name: "date", Type: "date", Doc: "o início, com prefixos (ge, lt, ...); datas sem hora no fuso de Brasília"},
			{Name: "status", Type: "token", Doc: "booked, cancelled, fulfilled ou noshow"},
		},
		Includes: []string{"Appointment:practitioner", "Appointment:patient"},
		Read: func(ctx context.Context, p kernel.Principal, id string) (Resource, error) {
			a, err := f.d.Scheduling.GetAppointment(ctx, p, id)
			if err != nil {
				return nil, err
			}
			return f.appointmentOf(ctx, p, a), nil
		},
		Search: f.searchAppointments,
		IncludeRefs: func(inc string, r Resource) []string {
			a, ok := r.(*AppointmentResource)
			if !ok {
				return nil
			}
			want := map[string]string{"Appointment:practitioner": "Practitioner/", "Appointment:patient": "Patient/"}[inc]
			var out []string
			for _, pt := range a.Participant {
				if pt.Actor != nil && want != "" && len(pt.Actor.Reference) > len(want) && pt.Actor.Reference[:len(want)] == want {
					out = append(out, pt.Actor.Reference)
				}
			}
			return out
		},
	}
}

func (f *Facade) searchAppointments(ctx context.Context, p kernel.Principal, q Query) (Found, error) {
	var flt scheduling.AppointmentFilter
	var err error
	if flt.PatientID, err = q.Ref("patient", "Patient"); err != nil {
		return Found{}, err
	}
	if flt.ProfessionalID, err = q.Ref("practitioner", "Practitioner"); err != nil {
		return Found{}, err
	}
	flt.From, flt.To = q.DateRange("date")
	if ts := q.Tokens("status"); len(ts) == 1 && len(ts[0]) == 1 {
		for s, code := range appointmentStatus {
			if code == ts[0][0].Code {
				flt.Status = s
			}
		}
		if flt.Status == "" {
			return Found{}, kernel.Invalid("status", "deve ser booked, cancelled, fulfilled ou noshow")
		}
	}
	l, err := f.d.Scheduling.ListAppointments(ctx, p, flt, q.page())
	if err != nil {
		return Found{}, err
	}
	out := Found{Next: l.NextCursor}
	for _, a := range l.Items {
		if !q.DateMatch("date", a.Start) || !q.TokenMatch("status", Coding{Code: appointmentStatus[a.Status]}) {
			continue
		}
		out.Matches = append(out.Matches, f.appointmentOf(ctx, p, a))
	}
	return out, nil
}

// appointmentOf maps an appointment as the caller may read it (the use case
// already removed what a platform admin may not see).
func (f *Facade) appointmentOf(ctx context.Context, p kernel.Principal, a scheduling.Appointment) *AppointmentResource {
	r := &AppointmentResource{
		Base:   Base{ResourceType: "Appointment", ID: a.ID, Meta: meta(a.UpdatedAt, strconv.FormatInt(a.Version, 10))},
		Status: appointmentStatus[a.Status], Description: a.Reason,
		Start: instant(a.Start), End: instant(a.End), MinutesDuration: int(a.End.Sub(a.Start).Minutes()),
		Created: instant(a.CreatedAt),
	}
	if a.Status == scheduling.StatusCancelled {
		text := "cancelada"
		if a.CancelledBy != "" {
			text = "cancelada por " + cancelledBy(a.CancelledBy)
		}
		if a.CancelReason != "" {
			text += ": " + a.CancelReason
		}
		r.CancelationReason = &CodeableConcept{Text: text}
	}
	modeText := map[scheduling.Mode]string{scheduling.InPerson: "Presencial", scheduling.Telemedicine: "Teleconsulta"}[a.Mode]
	if modeText != "" {
		r.ServiceType = append(r.ServiceType, *concept(SystemMultisaude+"appointment-mode", string(a.Mode), modeText))
	}
	patient := AppointmentParticipant{Actor: ref("Patient", a.PatientID), Required: "required", Status: "accepted"}
	r.Participant = append(r.Participant, patient)
	switch a.Kind {
	case scheduling.KindExam:
		r.ServiceCategory = []CodeableConcept{*concept(SystemMultisaude+"appointment-kind", "exam", "Exame")}
		if e, err := f.d.Scheduling.GetExamService(ctx, p, a.ExamServiceID); err == nil {
			r.ServiceType = append(r.ServiceType, CodeableConcept{Text: e.Name})
		}
		r.Participant = append(r.Participant,
			AppointmentParticipant{Actor: ref("Location", a.CompanyID), Required: "required", Status: "accepted"})
	default:
		r.ServiceCategory = []CodeableConcept{*concept(SystemMultisaude+"appointment-kind", "consultation", "Consulta")}
		r.Participant = append(r.Participant,
			AppointmentParticipant{Actor: ref("Practitioner", a.ProfessionalID), Required: "required", Status: "accepted"})
		if a.Mode == scheduling.InPerson {
			r.Participant = append(r.Participant,
				AppointmentParticipant{Actor: ref("Location", a.ProfessionalID), Required: "information-only", Status: "accepted"})
		}
	}
	return r
}

func cancelledBy(k kernel.AccountKind) string {
	switch k {
	case kernel.KindPatient:
		return "o paciente"
	case kernel.KindProfessional:
		return "o profissional"
	case kernel.KindCompanyMember:
		return "o hospital"
	case kernel.KindAdmin:
		return "a plataforma"
	}
	return "o sistema"
}
