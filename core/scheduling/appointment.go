package scheduling

import (
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// Status is an appointment's state.
type Status string

// The states. confirmed is the only active one (it holds its time); the others are final.
const (
	StatusConfirmed Status = "confirmed"
	StatusCancelled Status = "cancelled"
	StatusCompleted Status = "completed"
	StatusNoShow    Status = "no_show"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusConfirmed, StatusCancelled, StatusCompleted, StatusNoShow:
		return true
	}
	return false
}

// Active reports whether an appointment in s holds its time.
func (s Status) Active() bool { return s == StatusConfirmed }

// transitions is the state machine: from -> allowed targets.
var transitions = map[Status][]Status{
	StatusConfirmed: {StatusCancelled, StatusCompleted, StatusNoShow},
}

// CanTransition reports whether from -> to is allowed.
func CanTransition(from, to Status) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Kind says what is booked.
type Kind string

const (
	KindConsultation Kind = "consultation" // with a professional
	KindExam         Kind = "exam"         // an exam service at a hospital
)

// Appointment is a booked consultation or exam.
type Appointment struct {
	ID             kernel.ID
	Kind           Kind
	ProfessionalID kernel.ID // for consultations
	ExamServiceID  kernel.ID // for exams
	CompanyID      kernel.ID // the hospital, for exams
	PatientID      kernel.ID
	Start, End     time.Time
	Mode           Mode
	Place          string
	Reason         string
	Status         Status
	CancelReason   string
	CancelledBy    kernel.AccountKind
	Price          kernel.Money
	Capacity       int // seats per slot of the resource at booking time (1 for consultations)
	Seat           int // 1..Capacity, chosen by the store
	Version        int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// ResourceID is what the appointment occupies: the professional or the exam service.
func (a Appointment) ResourceID() kernel.ID {
	if a.Kind == KindExam {
		return a.ExamServiceID
	}
	return a.ProfessionalID
}

// Meta is the appointment without what the patient or the professional wrote
// (the reason and the cancel reason are health data): what a platform admin sees.
func (a Appointment) Meta() Appointment {
	a.Reason, a.CancelReason = "", ""
	return a
}

// transition moves a to status or fails with a conflict naming the current state.
func (a *Appointment) transition(to Status, at time.Time) error {
	if !CanTransition(a.Status, to) {
		return kernel.ConflictField("status", "a consulta está com status "+string(a.Status)+" e não pode passar a "+string(to))
	}
	a.Status = to
	a.UpdatedAt = at
	return nil
}

// Event topics raised by appointments.
const (
	TopicBooked      = "scheduling.appointment.booked"
	TopicRescheduled = "scheduling.appointment.rescheduled"
	TopicCancelled   = "scheduling.appointment.cancelled"
	TopicCompleted   = "scheduling.appointment.completed"
	TopicNoShow      = "scheduling.appointment.no_show"
	TopicReminderDue = "scheduling.reminder.due"
	// TopicCancelledWithPrice is raised with TopicCancelled (same payload) when
	// the cancelled appointment has a price, for the side that refunds its
	// payment: a queue hands each topic to one consumer, and TopicCancelled's
	// is scheduling's reminders.
	TopicCancelledWithPrice = "scheduling.appointment.cancelled.with_price"
)

// AppointmentEvent is the payload of appointment events (IDs and times only: no health data).
type AppointmentEvent struct {
	AppointmentID  string    `json:"appointment_id"`
	Kind           string    `json:"kind"`
	PatientID      string    `json:"patient_id"`
	ProfessionalID string    `json:"professional_id,omitempty"`
	ExamServiceID  string    `json:"exam_service_id,omitempty"`
	Start          time.Time `json:"start"`
	End            time.Time `json:"end"`
	Status         string    `json:"status"`
	PreviousStart  time.Time `json:"previous_start,omitzero"`
}

func (a Appointment) event(topic string, at time.Time) kernel.Event {
	return kernel.NewEvent(topic, a.ID, AppointmentEvent{
		AppointmentID: a.ID, Kind: string(a.Kind), PatientID: a.PatientID, ProfessionalID: a.ProfessionalID,
		ExamServiceID: a.ExamServiceID, Start: a.Start.UTC(), End: a.End.UTC(), Status: string(a.Status),
	}, at)
}
