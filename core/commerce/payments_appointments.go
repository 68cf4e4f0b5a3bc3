package commerce

import (
	"context"
	"encoding/json"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging"
	"github.com/multisaude/multisaude/ports"
)

// Appointments with a price are paid the same way as orders: the same
// payment records (AppointmentID set, OrderID empty), provider charge,
// webhook route and refund machinery. There is no order to settle: a
// succeeded payment only tells the patient; a cancelled appointment's
// payment is refunded in full (HandleAppointmentCancelled), and so is money
// that arrives for an appointment cancelled meanwhile or paid already.

// TopicAppointmentCancelled is scheduling's event of a cancelled appointment
// with a price (scheduling.TopicCancelledWithPrice, payload {"appointment_id",
// "patient_id", ...}); commerce consumes it. (Not scheduling.appointment.cancelled
// itself: a queue hands each topic to one consumer, scheduling's reminders.)
const TopicAppointmentCancelled = "scheduling.appointment.cancelled.with_price"

func appointmentNotFound() error { return kernel.NotFound("consulta não encontrada") }

// payerOf is the principal of a payment's patient: the automatic steps read
// the appointment as the patient who paid for it, under scheduling's rules.
func payerOf(pay Payment) kernel.Principal {
	return kernel.Principal{AccountID: pay.PatientID, Kind: kernel.KindPatient}
}

// patientAppointment reads an appointment for its patient p; others learn nothing (not found).
func (s *Service) patientAppointment(ctx context.Context, p kernel.Principal, id kernel.ID) (Appointment, error) {
	if p.Kind != kernel.KindPatient || !kernel.ValidID(id) {
		return Appointment{}, appointmentNotFound()
	}
	a, err := s.Dir.Appointment(ctx, p, id)
	if kernel.KindOf(err) == kernel.KindNotFound || err == nil && a.PatientID != p.AccountID {
		return Appointment{}, appointmentNotFound()
	}
	return a, err
}

// PayAppointment creates the charge of an appointment with a price, for its
// patient, or returns its pending charge of the same method. The appointment
// must be confirmed and in the future; the charge expires at the earlier of
// its start and the pay window. kernel.KindConflict (pt-BR) when there is
// nothing to pay, it was paid, or a pending charge of another method exists.
func (s *Service) PayAppointment(ctx context.Context, p kernel.Principal, appointmentID kernel.ID, in PayInput) (Payment, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return Payment{}, err
	}
	if err := checkPayInput(in); err != nil {
		return Payment{}, err
	}
	a, err := s.patientAppointment(ctx, p, appointmentID)
	if err != nil {
		return Payment{}, err
	}
	if s.Pay == nil {
		return Payment{}, kernel.Unavailable(nil, "os pagamentos estão indisponíveis no momento; tente mais tarde")
	}
	if a.Status != AppointmentConfirmed {
		return Payment{}, kernel.Conflict("a consulta está %s e não pode ser paga", appointmentStatusPT(a.Status))
	}
	now := s.now()
	if !now.Before(a.Start) {
		return Payment{}, kernel.Conflict("a consulta já começou e não pode mais ser paga")
	}
	if a.Price.Amount <= 0 {
		return Payment{}, kernel.Conflict("esta consulta não tem valor a pagar")
	}
	pay, found, err := s.openAppointmentPayment(ctx, a.ID, in.Method)
	if err != nil {
		return Payment{}, err
	}
	expires := now.Add(s.cfg.PayWindow)
	if a.Start.Before(expires) {
		expires = a.Start
	}
	if !found {
		pay = Payment{ID: kernel.NewID(), AppointmentID: a.ID, PatientID: a.PatientID, CompanyID: a.CompanyID, Provider: s.Pay.Provider(),
			Method: in.Method, Amount: a.Price, Status: PaymentPending, ExpiresAt: expires.UTC(), CreatedAt: now, UpdatedAt: now}
		if pay.Amount.Currency == "" {
			pay.Amount.Currency = "BRL"
		}
		if err := s.Payments.CreatePayment(ctx, pay); err != nil {
			if kernel.KindOf(err) != kernel.KindConflict {
				return Payment{}, err
			}
			if pay, found, err = s.openAppointmentPayment(ctx, a.ID, in.Method); err != nil || !found {
				return Payment{}, kernel.Wrap(err, "read the pending payment")
			}
		}
	}
	return s.charge(ctx, pay, found, in, "Consulta multisaude "+payOrderRef(a.ID), pay.ExpiresAt, "desta consulta")
}

func appointmentStatusPT(st string) string {
	switch st {
	case AppointmentCancelled:
		return "cancelada"
	case "completed":
		return "concluída"
	case "no_show":
		return "marcada como falta"
	}
	return st
}

// openAppointmentPayment finds the appointment's pending payment of method
// (found), or fails with a conflict when it was paid or has a pending payment
// of another method, or too many attempts. A pending payment past its expiry
// is closed as expired (a capture arriving later is refunded when settled).
func (s *Service) openAppointmentPayment(ctx context.Context, appointmentID kernel.ID, method string) (Payment, bool, error) {
	pays, err := s.Payments.AppointmentPayments(ctx, appointmentID)
	if err != nil {
		return Payment{}, false, err
	}
	now := s.now()
	for _, x := range pays {
		switch x.Status {
		case PaymentSucceeded:
			return Payment{}, false, kernel.Conflict("a consulta já foi paga")
		case PaymentPending:
			if !x.ExpiresAt.IsZero() && !now.Before(x.ExpiresAt) && x.ChargeID != "" {
				if _, err := s.Payments.UpdatePayment(ctx, x.ID, func(p *Payment) ([]kernel.Event, error) {
					return s.moveTo(p, PaymentExpired, now, "", "expired"), nil
				}); err != nil {
					return Payment{}, false, err
				}
				continue
			}
			if x.Method == method {
				return x, true, nil
			}
			return Payment{}, false, kernel.Conflict("já há um pagamento por %s pendente nesta consulta; conclua-o ou aguarde que expire", payMethodPT(x.Method))
		}
	}
	if len(pays) >= MaxOrderPayments {
		return Payment{}, false, kernel.Conflict("esta consulta já teve %d tentativas de pagamento", len(pays))
	}
	return Payment{}, false, nil
}

// AppointmentPayments lists an appointment's payments, oldest first, to its patient.
func (s *Service) AppointmentPayments(ctx context.Context, p kernel.Principal, appointmentID kernel.ID) ([]Payment, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return nil, err
	}
	if _, err := s.patientAppointment(ctx, p, appointmentID); err != nil {
		return nil, err
	}
	pays, err := s.Payments.AppointmentPayments(ctx, appointmentID)
	if err != nil {
		return nil, err
	}
	out := pays[:0]
	for _, x := range pays {
		if x.PatientID == p.AccountID {
			out = append(out, x)
		}
	}
	return out, nil
}

// settleAppointment checks a succeeded payment of an appointment: kept when it
// is the appointment's (first) payment and the appointment is not cancelled;
// refunded in full otherwise (a second capture, or money that came after the
// cancellation). Re-entrant.
func (s *Service) settleAppointment(ctx context.Context, pay Payment) (settlement, error) {
	if pay.Status != PaymentSucceeded {
		return settleNone, nil
	}
	reason := ""
	pays, err := s.Payments.AppointmentPayments(ctx, pay.AppointmentID)
	if err != nil {
		return settleNone, err
	}
	for _, x := range pays {
		if x.ID != pay.ID && x.Status == PaymentSucceeded && x.PaidAt != nil && pay.PaidAt != nil &&
			(x.PaidAt.Before(*pay.PaidAt) || x.PaidAt.Equal(*pay.PaidAt) && x.ID < pay.ID) {
			reason = "pagamento em duplicidade da consulta"
		}
	}
	if reason == "" {
		a, err := s.Dir.Appointment(ctx, payerOf(pay), pay.AppointmentID)
		switch {
		case kernel.KindOf(err) == kernel.KindNotFound:
			reason = "consulta não encontrada"
		case err != nil:
			return settleNone, err
		case a.Status == AppointmentCancelled:
			reason = "pagamento recebido depois do cancelamento da consulta"
		}
	}
	if reason == "" {
		return settlePaid, nil
	}
	s.Log.Warn("payment for an appointment no longer waiting for it; refunding it in full", "payment_id", pay.ID, "appointment_id", pay.AppointmentID)
	if _, err := s.refundInFull(ctx, pay, reason); err != nil {
		return settleNone, err
	}
	return settleRefunded, nil
}

// appointmentPaymentChanged is HandlePaymentChanged for an appointment's payment.
func (s *Service) appointmentPaymentChanged(ctx context.Context, pay Payment) error {
	amount := messaging.Money(pay.Amount.Amount, pay.Amount.Currency)
	data := map[string]string{"appointment_id": pay.AppointmentID, "payment_id": pay.ID}
	switch pay.Status {
	case PaymentSucceeded:
		out, err := s.settleAppointment(ctx, pay)
		if err != nil {
			return err
		}
		switch out {
		case settlePaid:
			return s.notifyPatientData(ctx, pay.PatientID, "payment_confirmed:"+pay.ID, messaging.Message{Template: messaging.TemplatePaymentConfirmed,
				Subject: "Pagamento da consulta confirmado",
				Body:    "Recebemos o pagamento de " + amount + " da sua consulta. Se ela for cancelada, o valor é reembolsado automaticamente."}, data)
		case settleRefunded:
			return s.notifyPatientData(ctx, pay.PatientID, "refund:"+fullRefundID(pay.ID), appointmentRefunded(pay.Amount.Amount-pay.Refunded, pay.Amount.Currency), data)
		}
	case PaymentFailed:
		return s.notifyPatientData(ctx, pay.PatientID, "payment_failed:"+pay.ID, messaging.Message{Template: messaging.TemplatePaymentFailed,
			Subject: "Pagamento da consulta não aprovado",
			Body:    "O pagamento de " + amount + " da sua consulta não foi aprovado. Você pode tentar de novo pelo aplicativo."}, data)
	case PaymentExpired:
		return s.notifyPatientData(ctx, pay.PatientID, "payment_expired:"+pay.ID, messaging.Message{Template: messaging.TemplatePaymentExpired,
			Subject: "Pagamento da consulta expirado",
			Body:    "A cobrança de " + amount + " da sua consulta expirou sem pagamento. Você pode gerar uma nova pelo aplicativo."}, data)
	}
	return nil
}

func appointmentRefunded(centavos int64, currency string) messaging.Message {
	return messaging.Message{Template: messaging.TemplateOrderRefunded, Subject: "Reembolso de " + messaging.Money(centavos, currency),
		Body: "Reembolsamos o valor da sua consulta: " + messaging.Money(centavos, currency) +
			". No Pix o valor volta à conta de origem em instantes; no cartão, aparece na fatura em até dois ciclos, conforme o emissor."}
}

// HandleAppointmentCancelled consumes TopicAppointmentCancelled:
// every succeeded payment of the appointment is refunded in full,
// automatically (what is left of it), and the patient is told. The refund's
// ID, and so the provider's idempotency key, is derived from the payment: a
// redelivery refunds nothing twice. Money that arrives later for a pending
// charge is refunded when it is settled.
func (s *Service) HandleAppointmentCancelled(ctx context.Context, d ports.Delivery) error {
	var ev struct {
		AppointmentID kernel.ID `json:"appointment_id"`
	}
	if err := json.Unmarshal(d.Body, &ev); err != nil || ev.AppointmentID == "" {
		s.Log.Error("bad scheduling.appointment.cancelled message; dropped", "message_id", d.ID)
		return nil
	}
	pays, err := s.Payments.AppointmentPayments(ctx, ev.AppointmentID)
	if err != nil {
		return err
	}
	for _, pay := range pays {
		if pay.Status != PaymentSucceeded {
			continue
		}
		if s.Pay == nil {
			return kernel.Unavailable(nil, "no payment provider")
		}
		r, err := s.refundInFull(ctx, pay, "consulta cancelada")
		if err != nil {
			return err
		}
		if r.ID == "" || r.Status == RefundFailed {
			continue
		}
		if err := s.notifyPatientData(ctx, pay.PatientID, "refund:"+r.ID, appointmentRefunded(r.Amount.Amount, r.Amount.Currency),
			map[string]string{"appointment_id": pay.AppointmentID, "payment_id": pay.ID}); err != nil {
			return err
		}
	}
	return nil
}

// notifyPatientData e-mails a patient with data; see notifyPatient.
func (s *Service) notifyPatientData(ctx context.Context, patientID kernel.ID, id string, m messaging.Message, data map[string]string) error {
	pat, err := s.Dir.Patient(ctx, patientID)
	if kernel.KindOf(err) == kernel.KindNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if s.Notifier == nil || pat.Email == "" {
		return nil
	}
	err = s.Notifier.Notify(ctx, ports.Notification{ID: id, To: pat.Email, Channel: "email", Template: m.Template,
		Subject: m.Subject, Body: m.Body, Data: data})
	if kernel.KindOf(err) == kernel.KindInvalid {
		s.Log.Warn("payment e-mail address rejected", "template", m.Template)
		return nil
	}
	return err
}
