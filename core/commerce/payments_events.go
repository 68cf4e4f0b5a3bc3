package commerce

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging"
	"github.com/multisaude/multisaude/ports"
)

// How a provider event becomes a paid order, and why no crash loses it:
//
//  1. ApplyWebhook verifies the event and, in ONE transaction
//     (PaymentStore.ApplyChargeEvent), records (provider, event id), moves the
//     payment and writes TopicPaymentChanged to the outbox.
//  2. It then settles the order (settle: created -> paid with order.paid for
//     the partner's webhooks, in the order's own transaction). settle is
//     re-entrant: an order already paid by this payment is left alone.
//  3. A crash between 1 and 2 loses nothing: the outbox event's consumer
//     (HandlePaymentChanged) settles again, and so does a redelivery of the
//     same provider event (recorded already, so the payment is not changed
//     twice, but the settlement is re-run). The consumer also sends the
//     notifications, once per payment (notification IDs are derived from it).

// settle outcomes.
type settlement int

const (
	settleNone     settlement = iota
	settlePaid                // the order is paid by this payment (now or earlier)
	settleRefunded            // the money came for an order already cancelled or paid: refunded in full
)

// ApplyWebhook verifies and applies a provider's webhook. kernel.KindNotFound
// when provider is not the configured one; the provider's verification error
// (kernel.KindUnauthenticated for a bad signature) otherwise. The same event
// twice changes nothing; an event for a charge that is not ours is ignored
// (nil, so the provider stops sending it).
func (s *Service) ApplyWebhook(ctx context.Context, provider string, headers map[string]string, body []byte) error {
	if s.Pay == nil || provider == "" || provider != s.Pay.Provider() {
		return kernel.NotFound("provedor de pagamento desconhecido")
	}
	ev, err := s.Pay.VerifyEvent(ctx, headers, body)
	if err != nil {
		return kernel.Wrap(err, "verify payment event")
	}
	var next PaymentStatus
	switch ev.Type {
	case ports.EventRefundSucceeded, ports.EventRefundFailed:
		return s.applyRefundEvent(ctx, provider, ev)
	case ports.EventChargeSucceeded:
		next = PaymentSucceeded
	case ports.EventChargeFailed:
		next = PaymentFailed
	case ports.EventChargeExpired:
		next = PaymentExpired
	default: // authorisations, refund events and whatever else the provider sends: nothing to do
		return nil
	}
	if ev.ID == "" || ev.ChargeID == "" && ev.Reference == "" {
		return kernel.Invalid("body", "o evento não identifica a si mesmo ou a cobrança")
	}
	ref := ev.Reference
	if !kernel.ValidID(ref) {
		ref = ""
	}
	pay, applied, err := s.Payments.ApplyChargeEvent(ctx, ChargeEvent{Provider: provider, EventID: ev.ID, Type: ev.Type,
		ChargeID: ev.ChargeID, PaymentID: ref, At: s.now()}, func(p *Payment) ([]kernel.Event, error) {
		return s.moveTo(p, next, ev.At, ev.ChargeID, ""), nil
	})
	if kernel.KindOf(err) == kernel.KindNotFound {
		s.Log.Warn("payment event for an unknown charge; ignored", "provider", provider, "event_id", ev.ID, "type", ev.Type)
		return nil
	}
	if err != nil {
		return err
	}
	if !applied {
		s.Log.Info("payment event already applied", "provider", provider, "event_id", ev.ID, "payment_id", pay.ID)
	}
	if pay.Status == PaymentSucceeded {
		if _, err := s.settle(ctx, pay); err != nil {
			return err // the provider retries; the event's consumer settles too
		}
	}
	return nil
}

// applyRefundEvent settles a refund the provider answered "pending": the
// event is applied once (PaymentStore.ApplyRefundEvent), then the order's
// refunded total is brought up to date (re-entrant, as settle is). An event
// for a refund not known yet, of a charge that is ours, is refused as
// unavailable so that the provider sends it again (our answer to the refund
// request, carrying its ID, may not be saved yet); one of a charge not ours
// is ignored.
func (s *Service) applyRefundEvent(ctx context.Context, provider string, ev ports.PaymentEvent) error {
	if ev.ID == "" || ev.RefundID == "" {
		return kernel.Invalid("body", "o evento não identifica a si mesmo ou o reembolso")
	}
	next := RefundSucceeded
	if ev.Type == ports.EventRefundFailed {
		next = RefundFailed
	}
	r, _, err := s.Payments.ApplyRefundEvent(ctx, ChargeEvent{Provider: provider, EventID: ev.ID, Type: ev.Type, ChargeID: ev.ChargeID,
		RefundID: ev.RefundID, At: s.now()}, func(r *Refund) error {
		if r.Status == RefundPending {
			r.Status, r.UpdatedAt = next, s.now()
		}
		return nil
	})
	if kernel.KindOf(err) == kernel.KindNotFound {
		if ev.ChargeID != "" {
			if _, _, cerr := s.Payments.ApplyChargeEvent(ctx, ChargeEvent{Provider: provider, EventID: "probe:" + ev.ID, ChargeID: ev.ChargeID},
				func(*Payment) ([]kernel.Event, error) { return nil, errProbe }); errors.Is(cerr, errProbe) {
				return kernel.Unavailable(nil, "reembolso ainda não registrado; reenvie o evento")
			}
		}
		s.Log.Warn("refund event for an unknown refund; ignored", "provider", provider, "event_id", ev.ID)
		return nil
	}
	if err != nil {
		return err
	}
	if r.Status == RefundFailed {
		s.Log.Error("refund failed at the provider", "refund_id", r.ID, "payment_id", r.PaymentID)
		return nil
	}
	return s.syncOrderRefunds(ctx, r.PaymentID, kernel.KindAnonymous)
}

// errProbe aborts a transaction that only looked for a payment.
var errProbe = errors.New("probe: payment found")

// settle makes a succeeded payment's order paid, or refunds the payment in
// full when its order was cancelled before the money came or was paid by
// another payment. Re-entrant.
func (s *Service) settle(ctx context.Context, pay Payment) (settlement, error) {
	if pay.AppointmentID != "" {
		return s.settleAppointment(ctx, pay)
	}
	if pay.Status != PaymentSucceeded {
		return settleNone, nil
	}
	late := false
	_, err := s.Orders.UpdateOrder(ctx, pay.OrderID, func(o *Order) ([]kernel.Event, error) {
		late = false
		switch {
		case paidBy(*o, pay):
			return nil, nil
		case o.Status == OrderCreated:
			at := s.now()
			if err := o.Move(OrderPaid, at, kernel.KindAnonymous, "pagamento confirmado"); err != nil {
				return nil, err
			}
			paid := *pay.PaidAt
			o.PaidAt = &paid
			return []kernel.Event{PartnerEvent(EventOrderPaid, o.CompanyID, map[string]any{
				"order_id": o.ID, "total": payMoneyData(o.Total), "paid_at": paid.UTC().Format(time.RFC3339)}, at)}, nil
		default:
			late = true
			return nil, nil
		}
	})
	if err != nil {
		return settleNone, err
	}
	if !late {
		return settlePaid, nil
	}
	s.Log.Warn("payment for an order no longer waiting for it; refunding it in full", "payment_id", pay.ID, "order_id", pay.OrderID)
	if _, err := s.refundInFull(ctx, pay, "pagamento recebido depois do cancelamento do pedido"); err != nil {
		return settleNone, err
	}
	return settleRefunded, nil
}

func payMoneyData(m kernel.Money) map[string]any {
	return map[string]any{"amount": m.Amount, "currency": m.Currency}
}

// HandlePaymentChanged consumes TopicPaymentChanged: it settles the order of
// a succeeded payment (again; settle is re-entrant) and tells the patient
// (and, for a paid order, the company) by e-mail. A failed notification
// returns an error, so the event is delivered again; notification IDs are
// derived from the payment, for providers that de-duplicate.
func (s *Service) HandlePaymentChanged(ctx context.Context, d ports.Delivery) error {
	var ev struct {
		PaymentID kernel.ID `json:"payment_id"`
	}
	if err := json.Unmarshal(d.Body, &ev); err != nil || ev.PaymentID == "" {
		s.Log.Error("bad commerce.payment.changed message; dropped", "message_id", d.ID)
		return nil
	}
	pay, err := s.Payments.GetPayment(ctx, ev.PaymentID)
	if kernel.KindOf(err) == kernel.KindNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if pay.AppointmentID != "" {
		return s.appointmentPaymentChanged(ctx, pay)
	}
	ref, amount, cur := payOrderRef(pay.OrderID), pay.Amount.Amount, pay.Amount.Currency
	switch pay.Status {
	case PaymentSucceeded:
		out, err := s.settle(ctx, pay)
		if err != nil {
			return err
		}
		switch out {
		case settlePaid:
			company, cerr := s.Dir.Company(ctx, pay.CompanyID)
			if cerr != nil && kernel.KindOf(cerr) != kernel.KindNotFound {
				return cerr
			}
			return errors.Join(
				s.notifyPatient(ctx, pay.PatientID, "payment_confirmed:"+pay.ID, messaging.PaymentConfirmed(ref, amount, cur, company.Name), pay.OrderID),
				s.notifyEmail(ctx, company.Email, "order_paid:"+pay.ID, messaging.OrderPaid(ref, amount, cur), pay.OrderID))
		case settleRefunded:
			return s.notifyPatient(ctx, pay.PatientID, "refund:"+fullRefundID(pay.ID), messaging.OrderRefunded(ref, amount, cur, true), pay.OrderID)
		}
	case PaymentFailed:
		return s.notifyPatient(ctx, pay.PatientID, "payment_failed:"+pay.ID, messaging.PaymentFailed(ref, amount, cur), pay.OrderID)
	case PaymentExpired:
		return s.notifyPatient(ctx, pay.PatientID, "payment_expired:"+pay.ID, messaging.PaymentExpired(ref, amount, cur), pay.OrderID)
	}
	return nil
}

// HandleOrderCancelled consumes TopicOrderCancelled (payload {"order_id",
// "was_paid"}): a paid order that was cancelled is refunded in full,
// automatically (what is left of it, after partial refunds), and moves to
// refunded; the patient is told. The refund's ID, and so the provider's
// idempotency key, is derived from the payment: a redelivery refunds nothing
// twice. An order that was not paid has nothing to refund; money arriving
// for it later is refunded when it is settled.
func (s *Service) HandleOrderCancelled(ctx context.Context, d ports.Delivery) error {
	var ev struct {
		OrderID kernel.ID `json:"order_id"`
	}
	if err := json.Unmarshal(d.Body, &ev); err != nil || ev.OrderID == "" {
		s.Log.Error("bad commerce.order.cancelled message; dropped", "message_id", d.ID)
		return nil
	}
	o, err := s.Orders.GetOrder(ctx, ev.OrderID)
	if kernel.KindOf(err) == kernel.KindNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if o.PaidAt == nil {
		return nil
	}
	pay, ok, err := s.orderPayment(ctx, o)
	if err != nil {
		return err
	}
	if !ok {
		s.Log.Error("paid order without its payment; not refunded", "order_id", o.ID)
		return nil
	}
	if s.Pay == nil {
		return kernel.Unavailable(nil, "no payment provider")
	}
	r, err := s.refundInFull(ctx, pay, "pedido cancelado")
	if err != nil {
		return err
	}
	if r.ID == "" || r.Status == RefundFailed {
		return nil
	}
	return s.notifyPatient(ctx, o.PatientID, "refund:"+r.ID, messaging.OrderRefunded(payOrderRef(o.ID), r.Amount.Amount, r.Amount.Currency, true), o.ID)
}

// orderPayment returns the payment that paid o.
func (s *Service) orderPayment(ctx context.Context, o Order) (Payment, bool, error) {
	pays, err := s.Payments.OrderPayments(ctx, o.ID)
	if err != nil {
		return Payment{}, false, err
	}
	for _, p := range pays {
		if paidBy(o, p) {
			return p, true, nil
		}
	}
	return Payment{}, false, nil
}

// refundInFull refunds what is left of pay under its deterministic refund ID,
// then brings its order's refunded total up to date. It returns the zero
// Refund when nothing is left to refund.
func (s *Service) refundInFull(ctx context.Context, pay Payment, reason string) (Refund, error) {
	id := fullRefundID(pay.ID)
	r, err := s.Payments.GetRefund(ctx, id)
	if kernel.KindOf(err) == kernel.KindNotFound {
		left := pay.Amount.Amount - pay.Refunded
		if left <= 0 {
			return Refund{}, s.syncOrderRefunds(ctx, pay.ID, kernel.KindAnonymous)
		}
		now := s.now()
		r = Refund{ID: id, PaymentID: pay.ID, OrderID: pay.OrderID, CompanyID: pay.CompanyID,
			Amount: kernel.Money{Amount: left, Currency: pay.Amount.Currency}, Reason: reason, Status: RefundPending,
			CreatedAt: now, UpdatedAt: now}
		if err = s.Payments.CreateRefund(ctx, r); kernel.KindOf(err) == kernel.KindConflict {
			r, err = s.Payments.GetRefund(ctx, id) // made meanwhile by another delivery
		}
	}
	if err != nil {
		return Refund{}, err
	}
	if r, err = s.executeRefund(ctx, pay, r); err != nil {
		return r, err
	}
	return r, s.syncOrderRefunds(ctx, pay.ID, kernel.KindAnonymous)
}

// executeRefund asks the provider for a pending refund (idempotency key: the
// refund's ID) and records its answer. A provider that cannot be reached
// leaves the refund pending and returns the error, to be retried; a refusal
// marks it failed.
func (s *Service) executeRefund(ctx context.Context, pay Payment, r Refund) (Refund, error) {
	if r.Status != RefundPending || r.ProviderRefundID != "" {
		return r, nil
	}
	if s.Pay == nil {
		return r, kernel.Unavailable(nil, "os pagamentos estão indisponíveis no momento; tente mais tarde")
	}
	pr, err := s.Pay.Refund(ctx, ports.RefundRequest{ChargeID: pay.ChargeID, Amount: r.Amount.Amount, Reason: r.Reason, IdempotencyKey: r.ID})
	if err != nil {
		switch kernel.KindOf(err) {
		case kernel.KindConflict, kernel.KindInvalid, kernel.KindNotFound, kernel.KindUnprocessable:
			s.Log.Error("refund refused by the provider", "refund_id", r.ID, "payment_id", pay.ID, "kind", kernel.KindOf(err))
			if _, uerr := s.Payments.UpdateRefund(context.WithoutCancel(ctx), r.ID, func(x *Refund) error {
				x.Status, x.UpdatedAt = RefundFailed, s.now()
				return nil
			}); uerr != nil {
				return r, uerr
			}
			return r, kernel.Conflict("o provedor de pagamento recusou o reembolso")
		}
		return r, kernel.Wrap(err, "refund")
	}
	return s.Payments.UpdateRefund(ctx, r.ID, func(x *Refund) error {
		x.ProviderRefundID, x.UpdatedAt = pr.ID, s.now()
		switch pr.Status {
		case "failed":
			x.Status = RefundFailed
		case "pending":
			x.Status = RefundPending
		default:
			x.Status = RefundSucceeded
		}
		return nil
	})
}

// syncOrderRefunds brings the refunded total of the order paid by payment
// paymentID up to that payment's refunds (it only grows, so a stale read
// never lowers it) and moves the order to refunded when all was returned,
// raising order.refunded for the partner. A payment that did not pay its
// order (a late or duplicate one) leaves the order alone.
func (s *Service) syncOrderRefunds(ctx context.Context, paymentID kernel.ID, by kernel.AccountKind) error {
	pay, err := s.Payments.GetPayment(ctx, paymentID)
	if err != nil || pay.OrderID == "" { // an appointment's payment: no order to bring up to date
		return err
	}
	_, err = s.Orders.UpdateOrder(ctx, pay.OrderID, func(o *Order) ([]kernel.Event, error) {
		if !paidBy(*o, pay) {
			return nil, nil
		}
		if pay.Refunded > o.Refunded.Amount {
			o.Refunded = kernel.Money{Amount: pay.Refunded, Currency: o.Total.Currency}
		}
		if o.Refunded.Amount < o.Total.Amount || o.Status == OrderRefunded || !o.Status.CanMove(OrderRefunded) {
			return nil, nil
		}
		at := s.now()
		if err := o.Move(OrderRefunded, at, by, "valor reembolsado"); err != nil {
			return nil, err
		}
		return []kernel.Event{PartnerEvent(EventOrderRefunded, o.CompanyID, map[string]any{
			"order_id": o.ID, "refunded": payMoneyData(o.Refunded), "refunded_at": at.Format(time.RFC3339)}, at)}, nil
	})
	return err
}

// notifyPatient e-mails a patient; an address the notifier refuses, or a
// patient who is gone, is logged and not retried.
func (s *Service) notifyPatient(ctx context.Context, patientID kernel.ID, id string, m messaging.Message, orderID kernel.ID) error {
	pat, err := s.Dir.Patient(ctx, patientID)
	if kernel.KindOf(err) == kernel.KindNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	return s.notifyEmail(ctx, pat.Email, id, m, orderID)
}

func (s *Service) notifyEmail(ctx context.Context, to, id string, m messaging.Message, orderID kernel.ID) error {
	if s.Notifier == nil || to == "" {
		return nil
	}
	err := s.Notifier.Notify(ctx, ports.Notification{ID: id, To: to, Channel: "email", Template: m.Template,
		Subject: m.Subject, Body: m.Body, Data: map[string]string{"order_id": orderID}})
	if kernel.KindOf(err) == kernel.KindInvalid {
		s.Log.Warn("payment e-mail address rejected", "order_id", orderID, "template", m.Template)
		return nil
	}
	if err != nil {
		s.Log.Warn("payment e-mail not sent; retried", "order_id", orderID, "template", m.Template, "kind", kernel.KindOf(err))
	}
	return err
}
