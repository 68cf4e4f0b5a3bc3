package chat

import (
	"context"
	"io"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// OrderRef is an order as chat needs it.
type OrderRef struct {
	ID        kernel.ID
	PatientID kernel.ID
	CompanyID kernel.ID
	Status    string
	// FinishedAt is when the order reached a final state (delivered,
	// cancelled, refunded); zero while it is open.
	FinishedAt time.Time
}

// Relations answers who may talk to whom, from the other contexts.
type Relations interface {
	// Care reports whether professionalID may attend patientID now under the
	// clinical record's rule (a verified professional with a care relationship
	// or an active share).
	Care(ctx context.Context, professionalID, patientID kernel.ID) (bool, error)
	// Order returns an order; kernel.KindNotFound when absent.
	Order(ctx context.Context, orderID kernel.ID) (OrderRef, error)
	// DisplayName is the name shown for an account in a conversation
	// (a company's trade name for company members); "" when unknown.
	DisplayName(ctx context.Context, kind kernel.AccountKind, id kernel.ID) (string, error)
}

// RecordAccess is one access of a professional to a care conversation, which
// belongs to the patient's clinical access log.
type RecordAccess struct {
	PatientID      kernel.ID
	ProfessionalID kernel.ID
	ConversationID kernel.ID
	Action         string // "read", "list", "create", "download"
	At             time.Time
}

// RecordLog writes care conversations' accesses into the clinical access log.
type RecordLog interface {
	LogConversationAccess(ctx context.Context, a RecordAccess) error
}

// Sealer is envelope encryption of attachment bytes (see clinical.Sealer).
type Sealer interface {
	Seal(ctx context.Context, plaintext io.Reader, encContext map[string]string) ([]byte, error)
	Open(ctx context.Context, sealed io.Reader, encContext map[string]string) ([]byte, error)
}

// FileRule is the clinical documents' rule for an uploaded file (type decided
// by sniffing, size limit), so that attachments follow the same rule.
type FileRule interface {
	// CheckFile returns the sniffed content type, or a pt-BR problem ("" when
	// the file is acceptable).
	CheckFile(content []byte) (contentType, problem string)
	// CleanFileName is the name kept for a file the client named name.
	CleanFileName(name, contentType string) string
}
