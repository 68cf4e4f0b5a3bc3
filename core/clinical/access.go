package clinical

import (
	"strings"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// Basis says why a caller may see a patient's record.
type Basis string

const (
	BasisSelf      Basis = "self"      // the patient
	BasisCare      Basis = "care"      // a care relationship (appointments)
	BasisShare     Basis = "share"     // the patient granted access
	BasisEmergency Basis = "emergency" // break-the-glass
	BasisMetadata  Basis = "metadata"  // a platform admin: metadata only, never content
)

// ShareKind tells a patient's grant from a break-the-glass grant.
type ShareKind string

const (
	ShareGranted   ShareKind = "share"
	ShareEmergency ShareKind = "emergency"
)

// Share lets a professional read a patient's record until a time.
type Share struct {
	ID             kernel.ID
	PatientID      kernel.ID
	ProfessionalID kernel.ID
	Kind           ShareKind
	Reason         string // for break-the-glass
	Until          time.Time
	RevokedAt      *time.Time
	CreatedAt      time.Time
}

// ActiveAt reports whether the share grants access at t.
func (s Share) ActiveAt(t time.Time) bool {
	return s.RevokedAt == nil && !t.Before(s.CreatedAt) && t.Before(s.Until)
}

// AccessEntry is one line of a patient's access log.
type AccessEntry struct {
	ID         kernel.ID
	PatientID  kernel.ID
	ActorID    kernel.ID
	ActorKind  kernel.AccountKind
	ObjectType string // evaluation, treatment_plan, prescription, document, history, ...
	ObjectID   kernel.ID
	Action     string // read, list, download, create, update, ...
	Basis      Basis
	At         time.Time
	ActorName  string // filled on reading the log, for professionals
}

// Access is the outcome of a permission check on a patient's record.
type Access struct {
	PatientID kernel.ID
	Basis     Basis
}

// Content reports whether the caller may see clinical content, not only metadata.
func (a Access) Content() bool { return a.Basis != BasisMetadata }

// CanWrite reports whether the caller may write clinical objects for the patient
// (professionals with a relationship, a share or an emergency grant).
func (a Access) CanWrite() bool {
	return a.Basis == BasisCare || a.Basis == BasisShare || a.Basis == BasisEmergency
}

// NewShareInput is a patient's grant to a professional.
type NewShareInput struct {
	ProfessionalID kernel.ID
	Until          time.Time
}

func (in NewShareInput) validate(now time.Time) error {
	var p kernel.Problems
	if p.Require("professional_id", in.ProfessionalID) && !kernel.ValidID(in.ProfessionalID) {
		p.Add("professional_id", "deve ser um ID")
	}
	switch {
	case in.Until.IsZero():
		p.Add("until", "é obrigatório")
	case !in.Until.After(now):
		p.Add("until", "deve estar no futuro")
	case in.Until.After(now.AddDate(2, 0, 0)):
		p.Add("until", "deve estar dentro dos próximos dois anos")
	}
	return p.Err()
}

func validReason(field, reason string) error {
	r := strings.TrimSpace(reason)
	switch {
	case r == "":
		return kernel.Invalid(field, "é obrigatório")
	case len([]rune(r)) < 10:
		return kernel.Invalid(field, "deve explicar o motivo em pelo menos 10 caracteres")
	case len(r) > MaxReasonLen:
		return kernel.Invalid(field, "deve ter no máximo %d caracteres", MaxReasonLen)
	}
	return nil
}
