package commerce

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// PaymentStatus is a payment's state.
type PaymentStatus string

const (
	PaymentPending   PaymentStatus = "pending"
	PaymentSucceeded PaymentStatus = "succeeded"
	PaymentFailed    PaymentStatus = "failed"
	PaymentExpired   PaymentStatus = "expired"
	PaymentCancelled PaymentStatus = "cancelled"
)

// PaymentStatuses lists the states, for the API's description.
func PaymentStatuses() []string {
	return []string{string(PaymentPending), string(PaymentSucceeded), string(PaymentFailed), string(PaymentExpired), string(PaymentCancelled)}
}

// PayMethods lists the payment methods.
func PayMethods() []string { return []string{ports.PayPix, ports.PayCard} }

// Payment is one attempt to pay an order, or an appointment with a price,
// through the payment provider: exactly one of OrderID and AppointmentID is set.
type Payment struct {
	ID            kernel.ID
	OrderID       kernel.ID
	AppointmentID kernel.ID
	PatientID     kernel.ID
	CompanyID     kernel.ID
	Provider      string
	ChargeID      string // the provider's charge; empty until the provider answered
	Method        string // ports.PayPix or ports.PayCard
	Amount        kernel.Money
	Status        PaymentStatus
	// PixCopyPaste is the BR Code the patient pastes in their bank's app (or reads as a QR code).
	PixCopyPaste string
	// ClientSecret lets the patient's app finish a card payment with the provider's SDK.
	ClientSecret  string
	FailureReason string
	ExpiresAt     time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
	PaidAt        *time.Time
	Refunded      int64 // read only: centavos of this payment's refunds that did not fail
}

// RefundStatus is a refund's state.
type RefundStatus string

const (
	RefundPending   RefundStatus = "pending"
	RefundSucceeded RefundStatus = "succeeded"
	RefundFailed    RefundStatus = "failed"
)

// Refund returns part or all of a payment.
type Refund struct {
	ID               kernel.ID
	PaymentID        kernel.ID
	OrderID          kernel.ID
	CompanyID        kernel.ID
	Amount           kernel.Money
	Reason           string
	Status           RefundStatus
	ByKind           kernel.AccountKind // who asked: company_member, api_key, or "" for the platform (automatic)
	ByID             kernel.ID
	ProviderRefundID string
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Bounds of the payment use cases.
const (
	MaxOrderPayments     = 20 // payment attempts of one order
	MaxRefundsPerPayment = 50
	MaxRefundReasonLen   = 500
	MaxCardTokenLen      = 255
	// chargeCreationGrace: a pending payment still without its charge after
	// this long lost its request; the next request creates the charge.
	chargeCreationGrace = 30 * time.Second
)

// TopicPaymentChanged is raised, in the same transaction, whenever a payment
// reaches a final state; payload {"payment_id", "status"}. Its consumer,
// HandlePaymentChanged, settles the order (again: it is re-entrant) and
// notifies the patient and the company.
const TopicPaymentChanged = "commerce.payment.changed"

// PayInput is what the patient chooses to pay with.
type PayInput struct {
	Method    string
	CardToken string // card only: a payment method tokenised with the provider
}

// payOrderRef is how messages and charge descriptions name an order: the last 8
// characters of its ID (the random part of a UUIDv7), upper case.
func payOrderRef(orderID kernel.ID) string {
	id := strings.ReplaceAll(orderID, "-", "")
	if len(id) > 8 {
		id = id[len(id)-8:]
	}
	return strings.ToUpper(id)
}

// fullRefundID is the ID of the automatic full refund of a payment: the same
// for every attempt, so that a redelivered event or a retried webhook never
// refunds twice (it is also the provider's idempotency key).
func fullRefundID(paymentID kernel.ID) kernel.ID {
	sum := sha256.Sum256([]byte("multisaude/commerce/full-refund/" + paymentID))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x80 // UUID version 8 (custom, RFC 9562)
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func statusOfCharge(s string) PaymentStatus {
	switch s {
	case ports.ChargeSucceeded:
		return PaymentSucceeded
	case ports.ChargeFailed:
		return PaymentFailed
	case ports.ChargeExpired:
		return PaymentExpired
	case ports.ChargeCancelled:
		return PaymentCancelled
	}
	return PaymentPending // pending, authorized (captured later)
}

func payMethodPT(m string) string {
	if m == ports.PayCard {
		return "cartão"
	}
	return "Pix"
}

// paidBy reports whether pay is the payment that paid o: settle copies the
// payment's PaidAt into the order's, and they are compared to the second (so
// any order store that keeps seconds will do). Two payments of one order
// captured within the same second would both look like its payer; at most
// one payment of an order is pending at a time, so that does not happen.
func paidBy(o Order, pay Payment) bool {
	return o.PaidAt != nil && pay.PaidAt != nil && pay.Status == PaymentSucceeded &&
		o.PaidAt.Truncate(time.Second).Equal(pay.PaidAt.Truncate(time.Second))
}

// moveTo changes p's status to next at `at` and returns the event that says
// so, or nothing when the change is not one: a final state stays, except that
// a capture (succeeded) always wins, since the money was taken.
func (s *Service) moveTo(p *Payment, next PaymentStatus, at time.Time, chargeID, reason string) []kernel.Event {
	if p.ChargeID == "" && chargeID != "" {
		p.ChargeID = chargeID
	}
	if next == p.Status || next == PaymentPending || p.Status == PaymentSucceeded ||
		p.Status != PaymentPending && next != PaymentSucceeded {
		return nil
	}
	now := s.now()
	if at.IsZero() {
		at = now
	}
	p.Status = next
	p.UpdatedAt = now
	if next == PaymentSucceeded {
		t := at.UTC().Truncate(time.Microsecond)
		p.PaidAt = &t
	}
	if reason != "" {
		p.FailureReason = reason
	}
	return []kernel.Event{kernel.NewEvent(TopicPaymentChanged, p.ID, map[string]any{"payment_id": p.ID, "status": string(next)}, now)}
}

// PayOrder creates the charge of an order for its patient, or returns the
// order's pending charge of the same method. kernel.KindConflict (pt-BR) when
// the order is not waiting for payment, its deadline passed, or a pending
// charge of another method exists.
func (s *Service) PayOrder(ctx context.Context, p kernel.Principal, orderID kernel.ID, in PayInput) (Payment, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return Payment{}, err
	}
	if err := checkPayInput(in); err != nil {
		return Payment{}, err
	}
	o, err := s.Orders.GetOrder(ctx, orderID)
	if kernel.KindOf(err) == kernel.KindNotFound || err == nil && (p.Kind != kernel.KindPatient || o.PatientID != p.AccountID) {
		return Payment{}, kernel.NotFound("pedido não encontrado")
	}
	if err != nil {
		return Payment{}, err
	}
	if s.Pay == nil {
		return Payment{}, kernel.Unavailable(nil, "os pagamentos estão indisponíveis no momento; tente mais tarde")
	}
	if o.Status != OrderCreated {
		return Payment{}, kernel.Conflict("o pedido está %s e não pode ser pago", StatusPT(o.Status))
	}
	now := s.now()
	if !o.PayBy.IsZero() && !now.Before(o.PayBy) {
		return Payment{}, kernel.Conflict("o prazo para pagar este pedido terminou")
	}
	pay, found, err := s.openPayment(ctx, o.ID, in.Method)
	if err != nil {
		return Payment{}, err
	}
	if !found {
		pay = Payment{ID: kernel.NewID(), OrderID: o.ID, PatientID: o.PatientID, CompanyID: o.CompanyID, Provider: s.Pay.Provider(),
			Method: in.Method, Amount: o.Total, Status: PaymentPending, ExpiresAt: o.PayBy, CreatedAt: now, UpdatedAt: now}
		if err := s.Payments.CreatePayment(ctx, pay); err != nil {
			if kernel.KindOf(err) != kernel.KindConflict {
				return Payment{}, err
			}
			// a concurrent request created it first
			if pay, found, err = s.openPayment(ctx, o.ID, in.Method); err != nil || !found {
				return Payment{}, kernel.Wrap(err, "read the pending payment")
			}
		}
	}
	return s.charge(ctx, pay, found, in, "Pedido multisaude "+payOrderRef(o.ID), o.PayBy, "deste pedido")
}

// checkPayInput validates the method and card token, field by field.
func checkPayInput(in PayInput) error {
	var probs kernel.Problems
	switch in.Method {
	case ports.PayPix:
		if in.CardToken != "" {
			probs.Add("card_token", "só vale para pagamento com cartão")
		}
	case ports.PayCard:
		if len(in.CardToken) > MaxCardTokenLen {
			probs.Add("card_token", "deve ter no máximo %d caracteres", MaxCardTokenLen)
		}
	case "":
		probs.Add("method", "é obrigatório: pix ou card")
	default:
		probs.Add("method", "deve ser pix ou card")
	}
	return probs.Err()
}

// charge creates the provider's charge of pay (new, or pending without its
// charge: found) and records the provider's answer. what names the thing paid
// in messages ("deste pedido"); desc is the charge's description.
func (s *Service) charge(ctx context.Context, pay Payment, found bool, in PayInput, desc string, expiresAt time.Time, what string) (Payment, error) {
	now := s.now()
	if pay.ChargeID != "" {
		return pay, nil
	}
	if found && now.Sub(pay.CreatedAt) < chargeCreationGrace {
		return Payment{}, kernel.Conflict("o pagamento %s está sendo criado; tente novamente em instantes", what)
	}
	// A new payment, or one whose request died before the provider answered:
	// the provider's idempotency key (the payment's ID) makes this one charge.
	ch, err := s.Pay.CreateCharge(ctx, ports.ChargeRequest{Reference: pay.ID, Amount: pay.Amount.Amount, Currency: pay.Amount.Currency,
		Method: pay.Method, Description: desc, CardToken: in.CardToken, Capture: true,
		ExpiresAt: expiresAt, IdempotencyKey: pay.ID})
	if err != nil {
		// The attempt is over: a new request makes a new payment (the provider's
		// idempotency key is this payment's ID, so nothing was charged twice).
		if _, uerr := s.Payments.UpdatePayment(context.WithoutCancel(ctx), pay.ID, func(x *Payment) ([]kernel.Event, error) {
			x.Status, x.FailureReason, x.UpdatedAt = PaymentFailed, "provider_error", s.now()
			return nil, nil
		}); uerr != nil {
			s.Log.Error("payment left pending after a provider error", "payment_id", pay.ID, "err", uerr)
		}
		s.Log.Warn("charge not created", "payment_id", pay.ID, "kind", kernel.KindOf(err))
		return Payment{}, kernel.Wrap(err, "create charge")
	}
	pay, err = s.Payments.UpdatePayment(ctx, pay.ID, func(x *Payment) ([]kernel.Event, error) {
		x.ChargeID, x.PixCopyPaste, x.ClientSecret = ch.ID, ch.PixCopyPaste, ch.ClientSecret
		if !ch.ExpiresAt.IsZero() {
			x.ExpiresAt = ch.ExpiresAt.UTC()
		}
		x.UpdatedAt = s.now()
		return s.moveTo(x, statusOfCharge(ch.Status), ch.CreatedAt, ch.ID, ch.FailureReason), nil
	})
	if err != nil {
		return Payment{}, err
	}
	if pay.Status == PaymentSucceeded { // a card captured at once; the webhook will say it again
		if _, err := s.settle(ctx, pay); err != nil {
			s.Log.Warn("payment not settled yet; the payment event's consumer retries", "payment_id", pay.ID, "kind", kernel.KindOf(err))
		}
	}
	return pay, nil
}

// openPayment finds the order's pending payment of method (found), or fails
// with a conflict when the order was paid or has a pending payment of another
// method, or too many attempts.
func (s *Service) openPayment(ctx context.Context, orderID kernel.ID, method string) (Payment, bool, error) {
	pays, err := s.Payments.OrderPayments(ctx, orderID)
	if err != nil {
		return Payment{}, false, err
	}
	for _, x := range pays {
		switch x.Status {
		case PaymentSucceeded:
			return Payment{}, false, kernel.Conflict("o pedido já foi pago")
		case PaymentPending:
			if x.Method == method {
				return x, true, nil
			}
			return Payment{}, false, kernel.Conflict("já há um pagamento por %s pendente neste pedido; conclua-o ou aguarde que expire", payMethodPT(x.Method))
		}
	}
	if len(pays) >= MaxOrderPayments {
		return Payment{}, false, kernel.Conflict("este pedido já teve %d tentativas de pagamento; faça um novo pedido", len(pays))
	}
	return Payment{}, false, nil
}

// MyPayments lists the patient's payments, newest first.
func (s *Service) MyPayments(ctx context.Context, p kernel.Principal, page kernel.Page) (kernel.List[Payment], error) {
	if err := p.RequireAuthenticated(); err != nil {
		return kernel.List[Payment]{}, err
	}
	if p.Kind != kernel.KindPatient {
		return kernel.List[Payment]{}, kernel.Forbidden("apenas pacientes têm histórico de pagamentos")
	}
	page, err := page.Normalize()
	if err != nil {
		return kernel.List[Payment]{}, err
	}
	return s.Payments.ListPayments(ctx, PaymentFilter{PatientID: p.AccountID}, page)
}
