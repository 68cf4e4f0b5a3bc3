package commerce

import (
	"context"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// ChargeEvent is a provider event about one of our charges, as the store records it.
type ChargeEvent struct {
	Provider  string
	EventID   string // the provider's event ID: (Provider, EventID) is applied once
	Type      string // ports.EventCharge*
	ChargeID  string
	PaymentID kernel.ID // the charge's reference (our payment's ID), when the provider echoes it
	RefundID  string    // refund events: the provider's refund ID
	At        time.Time
}

// PaymentFilter selects payments; the service always sets PatientID.
type PaymentFilter struct {
	PatientID kernel.ID
}

// StatementLine is one movement of a company's statement: a captured payment
// or a refund (not failed).
type StatementLine struct {
	Kind    string // LinePayment or LineRefund
	At      time.Time
	OrderID kernel.ID
	// AppointmentID: payment lines of an appointment (an exam at the company), with no OrderID
	AppointmentID kernel.ID
	PaymentID     kernel.ID
	RefundID      kernel.ID // refunds only
	Method        string    // payments only: pix or card
	Amount        kernel.Money
}

// Statement line kinds.
const (
	LinePayment = "payment"
	LineRefund  = "refund"
)

// PaymentStore keeps payments, refunds and the provider events already applied.
// Payments and refunds read from it carry Refunded: the sum of their
// payment's refunds that did not fail.
type PaymentStore interface {
	// CreatePayment inserts a pending payment; kernel.KindConflict when its
	// order (or appointment) already has a pending payment (at most one each).
	CreatePayment(ctx context.Context, p Payment) error
	// GetPayment returns a payment; kernel.KindNotFound when there is none.
	GetPayment(ctx context.Context, id kernel.ID) (Payment, error)
	// UpdatePayment runs fn on the locked payment inside a transaction and saves
	// it with the events fn returns; kernel.KindNotFound when there is none.
	UpdatePayment(ctx context.Context, id kernel.ID, fn func(*Payment) ([]kernel.Event, error)) (Payment, error)
	// OrderPayments returns an order's payments, oldest first (at most MaxOrderPayments).
	OrderPayments(ctx context.Context, orderID kernel.ID) ([]Payment, error)
	// AppointmentPayments returns an appointment's payments, oldest first (at
	// most MaxOrderPayments+1).
	AppointmentPayments(ctx context.Context, appointmentID kernel.ID) ([]Payment, error)
	// ListPayments returns one page, newest first.
	ListPayments(ctx context.Context, f PaymentFilter, page kernel.Page) (kernel.List[Payment], error)
	// ApplyChargeEvent applies a provider event once, in one transaction: it
	// finds and locks the payment (by ev.PaymentID when given and of
	// ev.Provider, else by (Provider, ChargeID)), records (Provider, EventID),
	// runs fn on the payment and saves it with the events fn returns. When the
	// event was already recorded it changes nothing and returns the payment
	// as stored with applied false. kernel.KindNotFound (and nothing recorded)
	// when no payment matches.
	ApplyChargeEvent(ctx context.Context, ev ChargeEvent, fn func(*Payment) ([]kernel.Event, error)) (p Payment, applied bool, err error)
	// ApplyRefundEvent applies a provider's refund event once, in one
	// transaction: it finds and locks the refund whose ProviderRefundID is
	// ev.RefundID (of a payment of ev.Provider), records (Provider, EventID)
	// and runs fn on the refund, saving it. Already recorded: nothing changes,
	// applied false. kernel.KindNotFound (nothing recorded) when no refund matches.
	ApplyRefundEvent(ctx context.Context, ev ChargeEvent, fn func(*Refund) error) (r Refund, applied bool, err error)
	// CreateRefund inserts a refund, checking in the same transaction, on the
	// locked payment, that its refunds that did not fail plus r.Amount do not
	// exceed the payment's amount: kernel.KindConflict (pt-BR, naming what is
	// left) when they would, or when r.ID exists, or past MaxRefundsPerPayment.
	CreateRefund(ctx context.Context, r Refund) error
	// GetRefund returns a refund; kernel.KindNotFound when there is none.
	GetRefund(ctx context.Context, id kernel.ID) (Refund, error)
	// UpdateRefund runs fn on the locked refund inside a transaction and saves it.
	UpdateRefund(ctx context.Context, id kernel.ID, fn func(*Refund) error) (Refund, error)
	// OrderRefunds returns an order's refunds, oldest first.
	OrderRefunds(ctx context.Context, orderID kernel.ID) ([]Refund, error)
	// StatementLines returns a company's succeeded payments paid in [from, to)
	// and its refunds (not failed) made in [from, to), ordered by time, at most
	// limit of them (the caller asks one more than it accepts).
	StatementLines(ctx context.Context, companyID kernel.ID, from, to time.Time, limit int) ([]StatementLine, error)
}
