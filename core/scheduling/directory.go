package scheduling

import (
	"context"

	"github.com/multisaude/multisaude/core/kernel"
)

// Point is a WGS84 coordinate; zero when unknown.
type Point struct{ Lat, Lng float64 }

// Known reports whether the point was set.
func (p Point) Known() bool { return p.Lat != 0 || p.Lng != 0 }

// Professional is what scheduling needs to know of a professional.
type Professional struct {
	ID          kernel.ID
	Verified    bool
	Name        string
	Profession  string
	Specialties []string
	Modes       []Mode
	Price       kernel.Money
	City, UF    string
	Point       Point
	Email       string // for reminders; never logged
}

// Company is what scheduling needs to know of a hospital or clinic.
type Company struct {
	ID       kernel.ID
	Verified bool
	Name     string
	Type     string // hospital, clinic, lab, ...
	City, UF string
	Point    Point
}

// Patient is what scheduling needs to know of a patient.
type Patient struct {
	ID    kernel.ID
	Name  string
	Email string // for reminders; never logged
}

// ProfessionalQuery filters verified professionals.
type ProfessionalQuery struct {
	Specialty  string
	Profession string
	Mode       Mode
	City       string
	UF         string
}

// Directory is the identity context seen from scheduling.
type Directory interface {
	// Professional returns a professional; kernel.KindNotFound when there is none.
	Professional(ctx context.Context, id kernel.ID) (Professional, error)
	// Company returns a company; kernel.KindNotFound when there is none.
	Company(ctx context.Context, id kernel.ID) (Company, error)
	// Patient returns a patient; kernel.KindNotFound when there is none.
	Patient(ctx context.Context, id kernel.ID) (Patient, error)
	// Patients returns those of ids that are patients, by ID (at most a page's
	// worth of IDs), in a constant number of round trips.
	Patients(ctx context.Context, ids []kernel.ID) (map[kernel.ID]Patient, error)
	// VerifiedProfessionals lists every verified professional matching q, in a stable order (by ID).
	VerifiedProfessionals(ctx context.Context, q ProfessionalQuery) ([]Professional, error)
}
