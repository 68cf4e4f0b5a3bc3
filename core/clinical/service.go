package clinical

import (
	"context"
	"log/slog"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging"
	"github.com/multisaude/multisaude/ports"
)

// Config tunes the clinical context.
type Config struct {
	// CareWindow is how long after the end of the last confirmed or completed
	// appointment a professional keeps access to the record (default 180 days).
	CareWindow time.Duration
	// EmergencyTTL is how long a break-the-glass grant lasts (default 4 hours).
	EmergencyTTL time.Duration
	// MaxDocumentBytes limits an uploaded file (default 20 MiB).
	MaxDocumentBytes int64
}

func (c Config) withDefaults() Config {
	if c.CareWindow <= 0 {
		c.CareWindow = 180 * 24 * time.Hour
	}
	if c.EmergencyTTL <= 0 {
		c.EmergencyTTL = 4 * time.Hour
	}
	if c.MaxDocumentBytes <= 0 {
		c.MaxDocumentBytes = 20 << 20
	}
	return c
}

// Deps are the ports the service uses.
type Deps struct {
	Store    Store
	Dir      Directory
	Care     CareRelations
	Signer   ports.DocumentSigner
	Blobs    ports.BlobStore
	Sealer   Sealer
	Notifier ports.Notifier
	Inbox    Inbox            // in-app notifications; nil: e-mail only
	Trail    ports.AuditTrail // the tamper-evident audit trail; nil: not kept (unit tests)
	Clock    kernel.Clock
	Log      *slog.Logger
}

// Service holds clinical's use cases. Each takes the caller first and checks
// that they may act on the patient's record; a caller who may not must not learn
// that the object exists (KindNotFound).
type Service struct {
	Deps
	cfg    Config
	blocks BlockedRecords // nil: no record is blocked
}

// NewService builds the service.
func NewService(d Deps, cfg Config) *Service {
	if d.Clock == nil {
		d.Clock = kernel.SystemClock{}
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Service{Deps: d, cfg: cfg.withDefaults()}
}

// Config returns the effective configuration.
func (s *Service) Config() Config { return s.cfg }

func (s *Service) now() time.Time { return s.Clock.Now().UTC().Truncate(time.Microsecond) }

var errNoPatient = kernel.NotFound("paciente não encontrado")

// access decides whether p may see patientID's record and on what basis. A
// record blocked at its patient's erasure request answers as absent, with a
// notice, to everyone who may otherwise see it (admins keep the metadata:
// the platform's path for legal requests).
func (s *Service) access(ctx context.Context, p kernel.Principal, patientID kernel.ID) (Access, error) {
	a, err := s.accessOf(ctx, p, patientID)
	if err != nil || a.Basis == BasisMetadata {
		return a, err
	}
	if b, err := s.blocked(ctx, patientID); err != nil || b {
		if err == nil {
			err = errBlocked
		}
		return Access{}, err
	}
	return a, nil
}

func (s *Service) accessOf(ctx context.Context, p kernel.Principal, patientID kernel.ID) (Access, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return Access{}, err
	}
	if !kernel.ValidID(patientID) {
		return Access{}, errNoPatient
	}
	switch p.Kind {
	case kernel.KindPatient:
		if p.AccountID == patientID {
			return Access{PatientID: patientID, Basis: BasisSelf}, nil
		}
	case kernel.KindProfessional:
		// a professional whose registration is not (or no longer) verified
		// keeps no care relationship and no share
		pro, err := s.Dir.Professional(ctx, p.AccountID)
		if err != nil && kernel.KindOf(err) != kernel.KindNotFound {
			return Access{}, kernel.Wrap(err, "professional")
		}
		if err != nil || !pro.Verified {
			return Access{}, errNoPatient
		}
		now := s.now()
		rel, err := s.Care.Relation(ctx, p.AccountID, patientID)
		if err != nil {
			return Access{}, kernel.Wrap(err, "care relation")
		}
		if rel.Exists && !now.Before(rel.FirstBooked) && now.Before(rel.LastEnd.Add(s.cfg.CareWindow)) {
			return Access{PatientID: patientID, Basis: BasisCare}, nil
		}
		sh, ok, err := s.Store.ActiveShare(ctx, patientID, p.AccountID, now)
		if err != nil {
			return Access{}, err
		}
		if ok {
			if sh.Kind == ShareEmergency {
				return Access{PatientID: patientID, Basis: BasisEmergency}, nil
			}
			return Access{PatientID: patientID, Basis: BasisShare}, nil
		}
	case kernel.KindAdmin:
		if _, err := s.Dir.Patient(ctx, patientID); err != nil {
			if kernel.KindOf(err) == kernel.KindNotFound {
				return Access{}, errNoPatient
			}
			return Access{}, err
		}
		return Access{PatientID: patientID, Basis: BasisMetadata}, nil
	}
	return Access{}, errNoPatient
}

// writer checks that p is a verified professional who may write to the record.
func (s *Service) writer(ctx context.Context, p kernel.Principal, patientID kernel.ID) (Access, ProfessionalInfo, error) {
	acc, err := s.access(ctx, p, patientID)
	if err != nil {
		return acc, ProfessionalInfo{}, err
	}
	if !acc.CanWrite() {
		if acc.Basis == BasisSelf {
			return acc, ProfessionalInfo{}, kernel.Forbidden("só um profissional pode registrar isto")
		}
		return acc, ProfessionalInfo{}, kernel.Forbidden("administradores veem apenas metadados")
	}
	pro, err := s.Dir.Professional(ctx, p.AccountID)
	if err != nil {
		return acc, pro, kernel.Wrap(err, "professional")
	}
	if !pro.Verified {
		return acc, pro, kernel.Forbidden("o registro do profissional não está verificado")
	}
	return acc, pro, nil
}

// record writes one access-log entry for p's access on basis acc.
func (s *Service) record(ctx context.Context, p kernel.Principal, acc Access, objType string, objID kernel.ID, action string) error {
	return s.logAccess(ctx, AccessEntry{ID: kernel.NewID(), PatientID: acc.PatientID, ActorID: p.AccountID, ActorKind: p.Kind,
		ObjectType: objType, ObjectID: objID, Action: action, Basis: acc.Basis, At: s.now()})
}

// logAccess is the one way into the access log: it writes the entry and
// appends the same access to the tamper-evident audit trail (IDs and codes
// only). Either failure fails the request, closed: no read goes unrecorded in
// either, and a caller who got an error has not been given the record. (A
// write that already committed stays committed; its request answers an error.)
func (s *Service) logAccess(ctx context.Context, e AccessEntry) error {
	if err := s.Store.LogAccess(ctx, e); err != nil {
		return kernel.Wrap(err, "write the access log")
	}
	if s.Trail == nil {
		return nil
	}
	if err := s.Trail.Append(ctx, auditRecordOf(e)); err != nil {
		s.Log.Error("audit trail append failed; the access is refused", "access_id", e.ID, "patient_id", e.PatientID,
			"actor_id", e.ActorID, "action", e.Action, "kind", string(kernel.KindOf(err)))
		return kernel.Wrap(err, "write the audit trail")
	}
	return nil
}

// auditRecordOf is an access-log entry as the audit trail keeps it: the action
// is "record.<action>" ("record.read", "record.download", "record.break_the_glass"),
// the basis and the access-log entry's ID go in the details.
func auditRecordOf(e AccessEntry) ports.AuditRecord {
	return ports.AuditRecord{At: e.At, ActorID: e.ActorID, ActorKind: string(e.ActorKind), Action: "record." + e.Action,
		ObjectType: e.ObjectType, ObjectID: e.ObjectID, SubjectID: e.PatientID,
		Details: map[string]string{"basis": string(e.Basis), "access_id": e.ID}}
}

// hide turns a not-found or forbidden answer on a patient into not-found of the object.
func hide(err error, what string) error {
	if k := kernel.KindOf(err); k == kernel.KindNotFound {
		return kernel.NotFound("%s", messaging.NotFound(what))
	}
	return err
}

// --- shares, break-the-glass, access log ---

// GrantShare lets the calling patient grant a professional access until a time.
func (s *Service) GrantShare(ctx context.Context, p kernel.Principal, in NewShareInput) (Share, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return Share{}, err
	}
	if p.Kind != kernel.KindPatient {
		return Share{}, kernel.Forbidden("só o paciente pode conceder acesso ao próprio prontuário")
	}
	now := s.now()
	if err := in.validate(now); err != nil {
		return Share{}, err
	}
	if _, err := s.Dir.Professional(ctx, in.ProfessionalID); err != nil {
		if kernel.KindOf(err) == kernel.KindNotFound {
			return Share{}, kernel.Unprocessable("profissional não encontrado", kernel.FieldError{Field: "professional_id", Message: "não corresponde a nenhum profissional"})
		}
		return Share{}, err
	}
	sh := Share{ID: kernel.NewID(), PatientID: p.AccountID, ProfessionalID: in.ProfessionalID, Kind: ShareGranted,
		Until: in.Until.UTC(), CreatedAt: now}
	ev := kernel.NewEvent("clinical.share.granted", sh.PatientID, map[string]string{
		"share_id": sh.ID, "patient_id": sh.PatientID, "professional_id": sh.ProfessionalID, "until": sh.Until.Format(time.RFC3339)}, now)
	return sh, s.Store.CreateShare(ctx, sh, ev)
}

// Shares lists the calling patient's shares and emergency grants.
func (s *Service) Shares(ctx context.Context, p kernel.Principal, page kernel.Page) (kernel.List[Share], error) {
	if err := p.RequireAuthenticated(); err != nil {
		return kernel.List[Share]{}, err
	}
	if p.Kind != kernel.KindPatient {
		return kernel.List[Share]{}, kernel.Forbidden("só pacientes têm compartilhamentos de prontuário")
	}
	page, err := page.Normalize()
	if err != nil {
		return kernel.List[Share]{}, err
	}
	return s.Store.Shares(ctx, p.AccountID, page)
}

// RevokeShare ends one of the calling patient's shares.
func (s *Service) RevokeShare(ctx context.Context, p kernel.Principal, id kernel.ID) error {
	if err := p.RequireAuthenticated(); err != nil {
		return err
	}
	if p.Kind != kernel.KindPatient || !kernel.ValidID(id) {
		return kernel.NotFound("compartilhamento não encontrado")
	}
	return s.Store.RevokeShare(ctx, p.AccountID, id, s.now())
}

// BreakTheGlass opens a patient's record to a verified professional without a
// care relationship, for EmergencyTTL, given a reason. It is logged as an
// emergency access and raises clinical.record.emergency_access, whose consumer
// (HandleEmergencyAccess) tells the patient in-app and by e-mail.
func (s *Service) BreakTheGlass(ctx context.Context, p kernel.Principal, patientID kernel.ID, reason string) (Share, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return Share{}, err
	}
	if p.Kind != kernel.KindProfessional {
		return Share{}, kernel.Forbidden("só um profissional pode abrir um prontuário em emergência")
	}
	if err := validReason("reason", reason); err != nil {
		return Share{}, err
	}
	pro, err := s.Dir.Professional(ctx, p.AccountID)
	if err != nil {
		return Share{}, kernel.Wrap(err, "professional")
	}
	if !pro.Verified {
		return Share{}, kernel.Forbidden("o registro do profissional não está verificado")
	}
	if !kernel.ValidID(patientID) {
		return Share{}, errNoPatient
	}
	if _, err := s.Dir.Patient(ctx, patientID); err != nil {
		return Share{}, hide(err, "patient")
	}
	now := s.now()
	sh := Share{ID: kernel.NewID(), PatientID: patientID, ProfessionalID: p.AccountID, Kind: ShareEmergency,
		Reason: reason, Until: now.Add(s.cfg.EmergencyTTL), CreatedAt: now}
	ev := kernel.NewEvent(TopicEmergencyAccess, patientID, EmergencyAccessEvent{
		ShareID: sh.ID, PatientID: patientID, ProfessionalID: p.AccountID, At: now, Until: sh.Until, Reason: reason}, now)
	if err := s.Store.CreateShare(ctx, sh, ev); err != nil {
		return Share{}, err
	}
	if err := s.record(ctx, p, Access{PatientID: patientID, Basis: BasisEmergency}, "record", patientID, "break_the_glass"); err != nil {
		return Share{}, err
	}
	return sh, nil
}

// AccessLog lists who looked at the calling patient's record.
func (s *Service) AccessLog(ctx context.Context, p kernel.Principal, page kernel.Page) (kernel.List[AccessEntry], error) {
	if err := p.RequireAuthenticated(); err != nil {
		return kernel.List[AccessEntry]{}, err
	}
	if p.Kind != kernel.KindPatient {
		return kernel.List[AccessEntry]{}, kernel.Forbidden("só pacientes têm registro de acessos")
	}
	page, err := page.Normalize()
	if err != nil {
		return kernel.List[AccessEntry]{}, err
	}
	l, err := s.Store.AccessLog(ctx, p.AccountID, page)
	if err != nil {
		return l, err
	}
	names := map[kernel.ID]string{}
	for i, e := range l.Items {
		if e.ActorKind != kernel.KindProfessional {
			continue
		}
		name, ok := names[e.ActorID]
		if !ok {
			if pro, err := s.Dir.Professional(ctx, e.ActorID); err == nil {
				name = pro.Name
			}
			names[e.ActorID] = name
		}
		l.Items[i].ActorName = name
	}
	return l, nil
}
