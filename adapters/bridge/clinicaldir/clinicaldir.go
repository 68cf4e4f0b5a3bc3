// Package clinicaldir bridges the clinical context's ports to the identity and
// scheduling contexts (read-only) and to envelope encryption.
package clinicaldir

import (
	"context"
	"io"

	"github.com/multisaude/multisaude/adapters/keys/envelope"
	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
	"github.com/multisaude/multisaude/ports"
)

// Lookups are identity's internal lookups (implemented by *identity.Service).
type Lookups interface {
	LookupPatient(ctx context.Context, id kernel.ID) (identity.Patient, error)
	LookupProfessional(ctx context.Context, id kernel.ID) (identity.Professional, error)
	LookupCompany(ctx context.Context, id kernel.ID) (identity.Company, error)
}

// Directory implements clinical.Directory over identity.
type Directory struct{ id Lookups }

var _ clinical.Directory = (*Directory)(nil)

// NewDirectory returns the directory over identity's service.
func NewDirectory(svc *identity.Service) *Directory { return &Directory{id: svc} }

// NewDirectoryOver returns the directory over any implementation of the lookups.
func NewDirectoryOver(l Lookups) *Directory { return &Directory{id: l} }

func (d *Directory) Patient(ctx context.Context, id kernel.ID) (clinical.PatientInfo, error) {
	p, err := d.id.LookupPatient(ctx, id)
	if err != nil {
		return clinical.PatientInfo{}, err
	}
	return clinical.PatientInfo{ID: p.ID, Name: p.Name, Email: p.Email}, nil
}

func (d *Directory) Professional(ctx context.Context, id kernel.ID) (clinical.ProfessionalInfo, error) {
	p, err := d.id.LookupProfessional(ctx, id)
	if err != nil {
		return clinical.ProfessionalInfo{}, err
	}
	return clinical.ProfessionalInfo{ID: p.ID, Name: p.Name, Profession: p.Profession, CouncilType: p.Council.Type,
		CouncilNumber: p.Council.Number, CouncilUF: p.Council.UF, Verified: p.Verified()}, nil
}

func (d *Directory) Company(ctx context.Context, id kernel.ID) (clinical.CompanyInfo, error) {
	c, err := d.id.LookupCompany(ctx, id)
	if err != nil {
		return clinical.CompanyInfo{}, err
	}
	return clinical.CompanyInfo{ID: c.ID, Type: c.Type, Verified: c.Verified()}, nil
}

// Care implements clinical.CareRelations with read-only calls of scheduling's
// store (GetAppointment and ListAppointments).
type Care struct{ st scheduling.Store }

var _ clinical.CareRelations = (*Care)(nil)

// NewCare returns the care relations over scheduling's store.
func NewCare(st scheduling.Store) *Care { return &Care{st: st} }

func (c *Care) all(ctx context.Context, f scheduling.AppointmentFilter) ([]scheduling.Appointment, error) {
	var out []scheduling.Appointment
	page := kernel.Page{Limit: kernel.MaxLimit}
	for i := 0; i < 100; i++ { // at most 10,000 appointments: far more than one pair ever has
		l, err := c.st.ListAppointments(ctx, f, page)
		if err != nil {
			return nil, err
		}
		out = append(out, l.Items...)
		if l.NextCursor == "" {
			break
		}
		page.Cursor = l.NextCursor
	}
	return out, nil
}

// Relation summarises confirmed and completed consultations of the pair.
func (c *Care) Relation(ctx context.Context, professionalID, patientID kernel.ID) (clinical.CareRelation, error) {
	as, err := c.all(ctx, scheduling.AppointmentFilter{ProfessionalID: professionalID, PatientID: patientID})
	if err != nil {
		return clinical.CareRelation{}, err
	}
	var rel clinical.CareRelation
	for _, a := range as {
		if a.Status != scheduling.StatusConfirmed && a.Status != scheduling.StatusCompleted {
			continue
		}
		if !rel.Exists || a.CreatedAt.Before(rel.FirstBooked) {
			rel.FirstBooked = a.CreatedAt.UTC()
		}
		if !rel.Exists || a.End.After(rel.LastEnd) {
			rel.LastEnd = a.End.UTC()
		}
		rel.Exists = true
	}
	return rel, nil
}

func ref(a scheduling.Appointment) clinical.AppointmentRef {
	return clinical.AppointmentRef{ID: a.ID, PatientID: a.PatientID, ProfessionalID: a.ProfessionalID,
		Start: a.Start.UTC(), End: a.End.UTC(), Status: string(a.Status)}
}

func (c *Care) Appointment(ctx context.Context, id kernel.ID) (clinical.AppointmentRef, error) {
	a, err := c.st.GetAppointment(ctx, id)
	if err != nil {
		return clinical.AppointmentRef{}, err
	}
	return ref(a), nil
}

func (c *Care) PatientAppointments(ctx context.Context, patientID kernel.ID) ([]clinical.AppointmentRef, error) {
	as, err := c.all(ctx, scheduling.AppointmentFilter{PatientID: patientID})
	if err != nil {
		return nil, err
	}
	out := make([]clinical.AppointmentRef, 0, len(as))
	for _, a := range as {
		out = append(out, ref(a))
	}
	return out, nil
}

func (c *Care) AttendedPatients(ctx context.Context, professionalID kernel.ID) ([]clinical.PatientVisit, error) {
	as, err := c.all(ctx, scheduling.AppointmentFilter{ProfessionalID: professionalID, Status: scheduling.StatusCompleted})
	if err != nil {
		return nil, err
	}
	last := map[kernel.ID]int{}
	var out []clinical.PatientVisit
	for _, a := range as {
		if i, ok := last[a.PatientID]; ok {
			if a.End.After(out[i].LastVisit) {
				out[i].LastVisit = a.End.UTC()
			}
			continue
		}
		last[a.PatientID] = len(out)
		out = append(out, clinical.PatientVisit{PatientID: a.PatientID, LastVisit: a.End.UTC()})
	}
	return out, nil
}

// Sealer implements clinical.Sealer with adapters/keys/envelope over a key manager.
type Sealer struct{ km ports.KeyManager }

var _ clinical.Sealer = (*Sealer)(nil)

// NewSealer returns the sealer.
func NewSealer(km ports.KeyManager) *Sealer { return &Sealer{km: km} }

func (s *Sealer) Seal(ctx context.Context, plaintext io.Reader, encContext map[string]string) ([]byte, error) {
	r, err := envelope.Seal(ctx, s.km, plaintext, encContext)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, kernel.Wrap(err, "seal")
	}
	return b, nil
}

func (s *Sealer) Open(ctx context.Context, sealed io.Reader, encContext map[string]string) ([]byte, error) {
	r, err := envelope.Open(ctx, s.km, sealed, encContext)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, kernel.Wrap(err, "open")
	}
	return b, nil
}
