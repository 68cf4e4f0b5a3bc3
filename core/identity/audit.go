package identity

import (
	"context"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// recordAudit appends an administrative or security action to the audit
// trail, with IDs and codes only (never a name, an e-mail or a CPF).
//
// The actions recorded here have already committed when this runs, so a
// failed append does not fail them (the caller would retry an action that
// did happen): it is logged at ERROR, with alert and every ID, for an
// operator to restore the entry. Admin sign-in is the exception: it appends
// before tokens are issued and refuses the sign-in when the append fails
// (see Login).
func (s *Service) recordAudit(ctx context.Context, r ports.AuditRecord) {
	if err := s.appendAudit(ctx, r); err != nil {
		s.log.Error("audit trail append failed; the action stands without its audit entry", "alert", true,
			"action", r.Action, "actor_id", r.ActorID, "object_type", r.ObjectType, "object_id", r.ObjectID,
			"subject_id", r.SubjectID, "kind", string(kernel.KindOf(err)))
	}
}

func (s *Service) appendAudit(ctx context.Context, r ports.AuditRecord) error {
	if s.audit == nil {
		return nil
	}
	if r.At.IsZero() {
		r.At = s.clock.Now()
	}
	return s.audit.Append(context.WithoutCancel(ctx), r)
}

// actor fills the record's actor from p.
func actor(p kernel.Principal, r ports.AuditRecord) ports.AuditRecord {
	r.ActorID, r.ActorKind = p.AccountID, string(p.Kind)
	return r
}

// decisionAction names a verification decision by the status it moves from:
// verify and reject from pending, suspend a verified one, reactivate a rejected one.
func decisionAction(prefix string, from Status, approve bool) string {
	switch {
	case approve && from == StatusRejected:
		return prefix + ".reactivate"
	case approve:
		return prefix + ".verify"
	case from == StatusVerified:
		return prefix + ".suspend"
	default:
		return prefix + ".reject"
	}
}
