package clinical

import (
	"context"
	"io"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// PatientInfo is what clinical needs to know about a patient.
type PatientInfo struct {
	ID    kernel.ID
	Name  string
	Email string // for the break-the-glass notice; never logged
}

// ProfessionalInfo is what clinical needs to know about a professional.
type ProfessionalInfo struct {
	ID            kernel.ID
	Name          string
	Profession    string // physician, dentist, nurse, nutritionist, physiotherapist, psychologist, ...
	CouncilType   string // CRM, CRO, COREN, ...
	CouncilNumber string
	CouncilUF     string
	Verified      bool
}

// CompanyInfo is what clinical needs to know about a partner company.
type CompanyInfo struct {
	ID       kernel.ID
	Type     string // pharmacy, hospital, ...
	Verified bool
}

// Directory looks people up in the identity context. Each method returns
// kernel.KindNotFound when there is no such person or company.
type Directory interface {
	Patient(ctx context.Context, id kernel.ID) (PatientInfo, error)
	Professional(ctx context.Context, id kernel.ID) (ProfessionalInfo, error)
	Company(ctx context.Context, id kernel.ID) (CompanyInfo, error)
}

// AppointmentRef is an appointment as clinical sees it.
type AppointmentRef struct {
	ID             kernel.ID
	PatientID      kernel.ID
	ProfessionalID kernel.ID
	Start          time.Time
	End            time.Time
	Status         string // booked/confirmed/completed/cancelled/... as scheduling names them
}

// CareRelation summarises the confirmed or completed appointments between a
// professional and a patient. Exists is false when there are none.
type CareRelation struct {
	Exists      bool
	FirstBooked time.Time // when the first of them was booked
	LastEnd     time.Time // the end of the latest of them (may be in the future)
}

// PatientVisit is one patient a professional has attended.
type PatientVisit struct {
	PatientID kernel.ID
	LastVisit time.Time // end of the latest completed appointment
}

// CareRelations reads the scheduling context.
type CareRelations interface {
	// Relation summarises confirmed or completed appointments of professional with patient.
	Relation(ctx context.Context, professionalID, patientID kernel.ID) (CareRelation, error)
	// Appointment returns one appointment; kernel.KindNotFound when absent.
	Appointment(ctx context.Context, id kernel.ID) (AppointmentRef, error)
	// PatientAppointments lists a patient's appointments (any status), for the history.
	PatientAppointments(ctx context.Context, patientID kernel.ID) ([]AppointmentRef, error)
	// AttendedPatients lists the patients with a completed appointment with professional.
	AttendedPatients(ctx context.Context, professionalID kernel.ID) ([]PatientVisit, error)
}

// Sealer is envelope encryption of document bytes (a data key per document from
// ports.KeyManager, the content encrypted with it). Open fails with
// kernel.KindForbidden when the stored bytes or the wrapped key do not
// authenticate (tampering, a wrong encryption context or master key; the
// service reports it as kernel.ErrIntegrity), with kernel.KindUnavailable when
// the key manager cannot be reached: it never returns bytes that were not sealed
// with that encryption context.
type Sealer interface {
	Seal(ctx context.Context, plaintext io.Reader, encContext map[string]string) ([]byte, error)
	Open(ctx context.Context, sealed io.Reader, encContext map[string]string) ([]byte, error)
}
