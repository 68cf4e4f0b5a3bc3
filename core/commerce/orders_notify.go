package commerce

import (
	"context"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging"
	"github.com/multisaude/multisaude/ports"
)

// notifyOrderPatient e-mails the patient about the state o just reached (accepted,
// ready for pickup, out for delivery, delivered, cancelled with reason), after
// the commit; a failure is logged, never returned: the order has moved.
func (s *Service) notifyOrderPatient(ctx context.Context, o Order, reason string) {
	if s.Notifier == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	ref := messaging.Order{Ref: o.ID, Total: o.Total.Amount, Currency: o.Total.Currency}
	if co, err := s.Dir.Company(ctx, o.CompanyID); err == nil {
		ref.Company = co.Name
	}
	var m messaging.Message
	switch o.Status {
	case OrderAccepted:
		m = messaging.OrderAccepted(ref)
	case OrderReadyForPickup:
		m = messaging.OrderReadyForPickup(ref)
	case OrderOutForDelivery:
		m = messaging.OrderOutForDelivery(ref)
	case OrderDelivered:
		m = messaging.OrderDelivered(ref)
	case OrderCancelled:
		m = messaging.OrderCancelled(ref, reason, o.PaidAt != nil || wasPaidBefore(o))
	default:
		return
	}
	pt, err := s.Dir.Patient(ctx, o.PatientID)
	if err != nil || pt.Email == "" {
		if err != nil && kernel.KindOf(err) != kernel.KindNotFound {
			s.Log.Warn("order notification not sent: patient not read", "order_id", o.ID, "kind", kernel.KindOf(err))
		}
		return
	}
	err = s.Notifier.Notify(ctx, ports.Notification{ID: "order:" + o.ID + ":" + string(o.Status), To: pt.Email, Channel: "email",
		Template: m.Template, Subject: m.Subject, Body: m.Body, Data: map[string]string{"order_id": o.ID, "status": string(o.Status)}})
	if err != nil {
		s.Log.Warn("order notification not sent", "order_id", o.ID, "status", o.Status, "kind", kernel.KindOf(err))
	}
}

// wasPaidBefore reports whether the timeline shows the order was paid.
func wasPaidBefore(o Order) bool {
	for _, e := range o.Timeline {
		if e.Status == OrderPaid {
			return true
		}
	}
	return false
}
