package chatdir

import (
	"context"

	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/messaging/chat"
)

// LogConversationAccess writes a professional's access to a care
// conversation into the patient's clinical access log (and so the audit
// trail) through clinical's own use case. An error (the record blocked at the
// patient's erasure request, or the log unavailable) must fail the access.
func (d *Directory) LogConversationAccess(ctx context.Context, a chat.RecordAccess) error {
	return d.cli.LogConversationAccess(ctx, clinical.ConversationAccess{PatientID: a.PatientID, ProfessionalID: a.ProfessionalID,
		ConversationID: a.ConversationID, Action: a.Action, At: a.At})
}
