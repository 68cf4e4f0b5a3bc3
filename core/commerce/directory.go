package commerce

import (
	"context"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// Point is a place on the map.
type Point struct{ Lat, Lng float64 }

// Company is a partner as commerce sees it.
type Company struct {
	ID       kernel.ID
	Name     string // trade name
	Type     string // hospital, pharmacy, market, sports_store, gym
	Verified bool
	Point    *Point
	City, UF string
	Email    string // contact address for notifications
}

// PlanItem is a treatment-plan item as commerce needs it: no free text.
type PlanItem struct {
	ID        kernel.ID
	Kind      string   // clinical item kind: medication, diet, exercise, product, exam, therapy
	Name      string   // shown to the patient only
	Tags      []string // the shared vocabulary
	Suppliers []string // partner types that may supply it
}

// Plan is a treatment plan as commerce needs it.
type Plan struct {
	ID        kernel.ID
	PatientID kernel.ID
	Active    bool
	Items     []PlanItem
}

// RxItem is a prescribed medication.
type RxItem struct{ Drug, ActiveIngredient, Concentration, Form string }

// Prescription is a prescription as commerce needs it.
type Prescription struct {
	ID               kernel.ID
	PatientID        kernel.ID
	Status           string // issued, dispensed, cancelled
	ValidUntil       *time.Time
	VerificationCode string
	SpecialControl   bool
	Items            []RxItem
}

// Usable reports whether the prescription may still be ordered against at t.
func (rx Prescription) Usable(t time.Time) bool {
	return rx.Status == "issued" && (rx.ValidUntil == nil || !t.After(*rx.ValidUntil))
}

// Patient is the buyer, for notifications.
type Patient struct {
	ID    kernel.ID
	Name  string
	Email string
	Point *Point // the registered address on the map; nil when it could not be placed
}

// Directory is what commerce reads of other contexts, through their use cases.
type Directory interface {
	// Company returns a company (verified or not); kernel.KindNotFound when there is none.
	Company(ctx context.Context, id kernel.ID) (Company, error)
	// Partners returns the verified companies of the given types.
	Partners(ctx context.Context, types []string) ([]Company, error)
	// Plan reads a treatment plan as p (the patient, or a professional caring
	// for them), under clinical's permission rules and access log.
	Plan(ctx context.Context, p kernel.Principal, id kernel.ID) (Plan, error)
	// Prescription reads a prescription as p under clinical's rules.
	Prescription(ctx context.Context, p kernel.Principal, id kernel.ID) (Prescription, error)
	// Dispense marks a prescription dispensed by the pharmacy p (clinical's rule:
	// once, by a verified pharmacy); one dispensed earlier by that same pharmacy
	// counts as done, so a retried move after a failed order update goes on.
	Dispense(ctx context.Context, p kernel.Principal, verificationCode, buyerName, buyerDocument string) error
	// Patient returns a patient; kernel.KindNotFound when there is none.
	Patient(ctx context.Context, id kernel.ID) (Patient, error)
	// Appointment reads an appointment as p, under scheduling's permission
	// rules (a patient reads only their own); kernel.KindNotFound otherwise.
	Appointment(ctx context.Context, p kernel.Principal, id kernel.ID) (Appointment, error)
}

// Appointment statuses, as scheduling names them.
const (
	AppointmentConfirmed = "confirmed"
	AppointmentCancelled = "cancelled"
)

// Appointment is a booked consultation or exam as commerce needs it to be paid.
type Appointment struct {
	ID             kernel.ID
	PatientID      kernel.ID
	ProfessionalID kernel.ID // consultations
	CompanyID      kernel.ID // exams: the hospital
	Status         string    // confirmed, cancelled, completed, no_show
	Start          time.Time
	Price          kernel.Money
}
