package clinical

import (
	"context"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging"
)

// Who may read a patient's demographic record (name, CPF, contacts, address)
// through the record's own rules: the patient; a professional with access to
// the record (care relationship, share or emergency grant). Demographics are
// content, not metadata, so a platform admin is answered not found. Every
// professional's read lands in the access log (object "patient", action "read").

// CanReadPatient checks, without logging, that p may read patientID's
// demographics; KindNotFound when not (or when the record is blocked). It lets
// an adapter match a search against the data before the read it logs with
// PatientRecordAccess.
func (s *Service) CanReadPatient(ctx context.Context, p kernel.Principal, patientID kernel.ID) (Access, error) {
	acc, err := s.access(ctx, p, patientID)
	if err != nil {
		return Access{}, hide(err, "patient")
	}
	if !acc.Content() {
		return Access{}, kernel.NotFound("%s", messaging.NotFound("patient"))
	}
	return acc, nil
}

// PatientRecordAccess checks that p may read patientID's demographics (as
// CanReadPatient) and records the read in the patient's access log.
func (s *Service) PatientRecordAccess(ctx context.Context, p kernel.Principal, patientID kernel.ID) (Access, error) {
	acc, err := s.CanReadPatient(ctx, p, patientID)
	if err != nil {
		return Access{}, err
	}
	return acc, s.record(ctx, p, acc, "patient", patientID, "read")
}

// AccessLogEntry returns one entry of the calling patient's access log;
// KindNotFound for anyone else and for an entry of another patient.
func (s *Service) AccessLogEntry(ctx context.Context, p kernel.Principal, id kernel.ID) (AccessEntry, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return AccessEntry{}, err
	}
	notFound := kernel.NotFound("registro de acesso não encontrado")
	if p.Kind != kernel.KindPatient || !kernel.ValidID(id) {
		return AccessEntry{}, notFound
	}
	e, err := s.Store.AccessEntry(ctx, p.AccountID, id)
	if kernel.KindOf(err) == kernel.KindNotFound {
		return AccessEntry{}, notFound
	}
	if err != nil {
		return AccessEntry{}, err
	}
	if e.ActorKind == kernel.KindProfessional {
		if pro, err := s.Dir.Professional(ctx, e.ActorID); err == nil {
			e.ActorName = pro.Name
		}
	}
	return e, nil
}
