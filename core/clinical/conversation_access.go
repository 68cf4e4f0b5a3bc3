package clinical

import (
	"context"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// ConversationAccess is a professional's access to a care conversation
// (chat): clinical communication, so part of the patient's record and of its
// access log.
type ConversationAccess struct {
	PatientID      kernel.ID
	ProfessionalID kernel.ID
	ConversationID kernel.ID
	Action         string    // read, list, create, download
	At             time.Time // zero: now
}

// conversationActions are the actions chat logs.
var conversationActions = map[string]bool{"read": true, "list": true, "create": true, "download": true}

// LogConversationAccess writes a professional's access to one of the
// patient's care conversations into the access log (object type
// "conversation", basis care: the conversation exists only under a care
// relationship), through logAccess, so it also reaches the audit trail and
// the patient's "who accessed my record". A record blocked at its patient's
// erasure request answers as absent (the conversation is blocked with the
// record), and a failure to log fails the caller's access, closed. The
// platform's call (chat's bridge), after chat checked the care relationship.
func (s *Service) LogConversationAccess(ctx context.Context, a ConversationAccess) error {
	if !kernel.ValidID(a.PatientID) || !kernel.ValidID(a.ProfessionalID) || !kernel.ValidID(a.ConversationID) {
		return kernel.Invalid("conversation", "acesso a conversa sem identificadores válidos")
	}
	if !conversationActions[a.Action] {
		return kernel.Invalid("action", "ação de acesso a conversa desconhecida")
	}
	if b, err := s.blocked(ctx, a.PatientID); err != nil || b {
		if err == nil {
			err = errBlocked
		}
		return err
	}
	at := a.At.UTC().Truncate(time.Microsecond)
	if a.At.IsZero() {
		at = s.now()
	}
	return s.logAccess(ctx, AccessEntry{ID: kernel.NewID(), PatientID: a.PatientID, ActorID: a.ProfessionalID,
		ActorKind: kernel.KindProfessional, ObjectType: "conversation", ObjectID: a.ConversationID, Action: a.Action,
		Basis: BasisCare, At: at})
}
