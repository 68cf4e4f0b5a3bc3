package ports

import (
	"context"
	"time"
)

// Payment methods a charge may use.
const (
	PayPix  = "pix"
	PayCard = "card"
)

// Charge statuses, in the provider-neutral words the core uses.
const (
	ChargePending    = "pending"    // waiting for the payer (a Pix code to pay, a card to confirm)
	ChargeAuthorized = "authorized" // card authorised, not captured yet
	ChargeSucceeded  = "succeeded"  // money captured
	ChargeFailed     = "failed"     // refused by the issuer or the simulator
	ChargeExpired    = "expired"    // a Pix code not paid in time
	ChargeCancelled  = "cancelled"  // voided before capture
)

// ChargeRequest asks a payment provider for a charge.
type ChargeRequest struct {
	Reference   string // our payment's ID; the provider echoes it in its events
	Amount      int64  // minor units (centavos)
	Currency    string // ISO 4217, "BRL"
	Method      string // PayPix or PayCard
	Description string // shown to the payer; never a diagnosis or a drug
	// CardToken is a payment method the client tokenised with the provider
	// (Stripe "pm_card_visa"; localpay "tok_visa", "tok_declined"); card only.
	CardToken string
	// Capture: false authorises a card and leaves the capture to Capture.
	Capture   bool
	ExpiresAt time.Time // Pix: when the code stops being payable
	// IdempotencyKey makes a retried request create one charge.
	IdempotencyKey string
}

// Charge is a provider's charge as the core sees it.
type Charge struct {
	ID        string // the provider's ID
	Provider  string
	Reference string
	Method    string
	Status    string // one of the Charge* constants
	Amount    int64
	Currency  string
	Refunded  int64 // minor units refunded so far
	// PixCopyPaste is the BR Code ("Pix copia e cola") the payer pastes or reads as a QR code.
	PixCopyPaste string
	// ClientSecret lets a client finish a card payment with the provider's SDK.
	ClientSecret  string
	ExpiresAt     time.Time
	FailureReason string // provider's code, when Status is failed
	CreatedAt     time.Time
}

// RefundRequest returns money of a captured charge.
type RefundRequest struct {
	ChargeID       string
	Amount         int64 // minor units, at most what is left to refund; 0 refunds all that is left
	Reason         string
	IdempotencyKey string
}

// Refund is a provider's refund.
type Refund struct {
	ID       string
	ChargeID string
	Amount   int64
	Status   string // "succeeded", "pending" or "failed"
}

// Payment event types, provider-neutral.
const (
	EventChargeSucceeded  = "charge.succeeded"
	EventChargeFailed     = "charge.failed"
	EventChargeExpired    = "charge.expired"
	EventChargeAuthorized = "charge.authorized"
	EventRefundSucceeded  = "refund.succeeded"
	EventRefundFailed     = "refund.failed"
)

// PaymentEvent is a verified notification from a provider.
type PaymentEvent struct {
	ID        string // the provider's event ID: the same event twice has the same ID
	Type      string // one of the Event* constants; other provider events are ignored by the caller
	ChargeID  string
	RefundID  string // refund events
	Reference string // ChargeRequest.Reference
	Amount    int64
	At        time.Time
}

// Payments is a payment provider (Pix and card). Errors are kernel kinds:
// KindInvalid for a request the provider refuses as malformed, KindNotFound for
// an unknown charge, KindConflict for an operation the charge's state forbids
// (refunding more than was captured, capturing a failed charge), KindUnavailable
// when the provider cannot be reached.
type Payments interface {
	// Provider names the adapter ("localpay", "stripe"); it is the {provider} of the webhook route.
	Provider() string
	// CreateCharge creates a charge; a card with a token and Capture is charged at once.
	CreateCharge(ctx context.Context, r ChargeRequest) (Charge, error)
	// Capture captures an authorised card charge.
	Capture(ctx context.Context, chargeID string) (Charge, error)
	// Refund returns part or all of a captured charge.
	Refund(ctx context.Context, r RefundRequest) (Refund, error)
	// Charge reads a charge's current state from the provider.
	Charge(ctx context.Context, chargeID string) (Charge, error)
	// VerifyEvent checks a webhook's signature (headers as received, names in
	// canonical form) and parses it; kernel.KindUnauthenticated when the
	// signature is missing, wrong or too old, KindInvalid when the body is not an event.
	VerifyEvent(ctx context.Context, headers map[string]string, body []byte) (PaymentEvent, error)
}
