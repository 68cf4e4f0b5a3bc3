package consent

import (
	"context"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// Decision is what a data subject decided about a purpose.
type Decision string

const (
	Granted Decision = "granted"
	Revoked Decision = "revoked"
)

// ConsentRecord is one line of the append-only consent ledger.
type ConsentRecord struct {
	ID          kernel.ID
	SubjectID   kernel.ID
	SubjectKind kernel.AccountKind
	Purpose     string
	Decision    Decision
	TermVersion string
	Channel     string // how it was given, e.g. "api", "portal"
	RequestID   string
	At          time.Time
}

// MaxLedgerHistory caps the records one subject's history returns (newest kept).
const MaxLedgerHistory = 1000

// LedgerStore keeps the consent ledger: append-only, nothing is updated in place.
type LedgerStore interface {
	// AppendConsent appends r.
	AppendConsent(ctx context.Context, r ConsentRecord) error
	// ConsentHistory returns the subject's records, oldest first, at most
	// MaxLedgerHistory (the newest ones).
	ConsentHistory(ctx context.Context, subjectID kernel.ID) ([]ConsentRecord, error)
	// LatestConsent returns the subject's latest record for purpose (by time,
	// then ID); kernel.KindNotFound when there is none.
	LatestConsent(ctx context.Context, subjectID kernel.ID, purpose string) (ConsentRecord, error)
}
