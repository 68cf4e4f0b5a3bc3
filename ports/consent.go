package ports

import (
	"context"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// Consent purposes other contexts ask about (the consent context owns the terms).
const (
	PurposeCare           = "care"
	PurposeTelemedicine   = "telemedicine"
	PurposePartnerSharing = "partner_sharing"
	PurposeResearch       = "research"
	PurposeMarketing      = "marketing"
)

// Disclosure is one sending of a data subject's data to a recipient outside
// the subject's own account (a partner receiving an order, an API key reading).
type Disclosure struct {
	SubjectID     kernel.ID // the patient (or other data subject)
	RecipientKind string    // "company", "professional", "api_key"
	RecipientID   kernel.ID
	Category      string // a data class (see consent.DataClasses), e.g. "orders", "prescriptions"
	Basis         string // "order", "care", "share", "emergency", "api_key", or a purpose
	ObjectType    string // e.g. "order"
	ObjectID      kernel.ID
	At            time.Time
}

// Consents is the consent context's port other contexts call where processing
// needs a data subject's consent.
type Consents interface {
	// Require returns nil when subjectID holds a current grant of purpose at
	// this instant, and otherwise kernel.KindConflict with a problem that names
	// the term to accept (purpose and current version). Revocation takes effect
	// at once.
	Require(ctx context.Context, subjectID kernel.ID, purpose string) error
	// Disclosed records a disclosure for the subject's sharing report.
	Disclosed(ctx context.Context, d Disclosure) error
}

// ConsentRequired is the cause inside the kernel.KindConflict that Require
// returns: the term the data subject must accept. httpapi shows it as the
// problem's "consent" member.
type ConsentRequired struct {
	Purpose     string
	TermVersion string // the current version to accept
	TermURL     string // where to read it (a path of the API)
}

func (e *ConsentRequired) Error() string {
	return "consent required: " + e.Purpose + " " + e.TermVersion
}
