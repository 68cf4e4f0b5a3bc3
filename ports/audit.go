package ports

import (
	"context"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// AuditRecord is one entry of the tamper-evident audit trail: an access to a
// data subject's record or an administrative or security action. It holds IDs
// and codes, never a name, a document number or clinical content.
type AuditRecord struct {
	At         time.Time
	ActorID    kernel.ID // empty for the platform itself (a worker, a scheduled job)
	ActorKind  string    // patient, professional, company_member, admin, api_key, system
	Action     string    // e.g. "record.read", "professional.verify", "key.create", "export.create", "erasure.execute"
	ObjectType string
	ObjectID   kernel.ID
	SubjectID  kernel.ID         // the data subject concerned, if any
	Details    map[string]string // small codes (basis, role, reason code); no personal data
	RequestID  string
}

// AuditTrail appends to the audit trail. Entries are chained by hash in the
// order they are appended; nothing is ever updated or deleted.
type AuditTrail interface {
	Append(ctx context.Context, records ...AuditRecord) error
}
