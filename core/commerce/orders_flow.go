package commerce

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Order actions, as the API names them (POST /v1/orders/{id}/{action}).
const (
	ActionAccept   = "accept"
	ActionPrepare  = "prepare"
	ActionReady    = "ready"
	ActionDispatch = "dispatch"
	ActionDeliver  = "deliver"
	ActionCancel   = "cancel"
)

var actionTo = map[string]OrderStatus{ActionAccept: OrderAccepted, ActionPrepare: OrderPreparing, ActionReady: OrderReadyForPickup,
	ActionDispatch: OrderOutForDelivery, ActionDeliver: OrderDelivered, ActionCancel: OrderCancelled}

// OrderActions lists the actions, for the API.
func OrderActions() []string {
	return []string{ActionAccept, ActionPrepare, ActionReady, ActionDispatch, ActionDeliver, ActionCancel}
}

// MoveInput carries what some moves need: a cancellation's reason (required
// from the partner), and the buyer's name and document when a special-control
// prescription is dispensed at ready or dispatch.
type MoveInput struct {
	Reason        string
	BuyerName     string
	BuyerDocument string
}

// CancelledEvent is the payload of TopicOrderCancelled.
type CancelledEvent struct {
	OrderID kernel.ID `json:"order_id"`
	WasPaid bool      `json:"was_paid"`
}

// expireMsg is the body of a TopicOrderExpire message.
type expireMsg struct {
	OrderID kernel.ID `json:"order_id"`
}

// MoveOrder applies action to an order. The company (its admin or staff
// members, or its API keys with orders:write) accepts, prepares, marks ready
// for pickup or dispatches, and delivers; either side cancels: the patient
// while the order is created or paid, the company before dispatch with a
// reason. A move the order's state does not allow is kernel.KindConflict naming
// that state. At ready or dispatch, a prescription the order was placed against
// is dispensed by that pharmacy through clinical's rule.
func (s *Service) MoveOrder(ctx context.Context, p kernel.Principal, id kernel.ID, action string, in MoveInput) (Order, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return Order{}, err
	}
	to, ok := actionTo[action]
	if !ok {
		return Order{}, kernel.NotFound("ação desconhecida")
	}
	in.Reason = strings.TrimSpace(in.Reason)
	var probs kernel.Problems
	if utf8.RuneCountInString(in.Reason) > MaxOrderReasonLen {
		probs.Add("reason", "deve ter no máximo %d caracteres", MaxOrderReasonLen)
	}
	if utf8.RuneCountInString(in.BuyerName) > MaxBuyerLen {
		probs.Add("buyer_name", "deve ter no máximo %d caracteres", MaxBuyerLen)
	}
	if utf8.RuneCountInString(in.BuyerDocument) > MaxBuyerLen {
		probs.Add("buyer_document", "deve ter no máximo %d caracteres", MaxBuyerLen)
	}
	if err := probs.Err(); err != nil {
		return Order{}, err
	}
	cur, err := s.GetOrder(ctx, p, id)
	if err != nil {
		return Order{}, err
	}
	partner := isPartner(p, cur.CompanyID, ScopeOrdersWrite)
	patient := p.Kind == kernel.KindPatient && cur.PatientID == p.AccountID
	switch {
	case to == OrderCancelled && patient:
	case to == OrderCancelled && partner:
		if in.Reason == "" {
			return Order{}, kernel.Invalid("reason", "é obrigatório quando a empresa cancela um pedido")
		}
	case partner:
	case p.Kind == kernel.KindAPIKey:
		return Order{}, kernel.Forbidden("esta chave de API não tem o escopo orders:write")
	default:
		return Order{}, kernel.Forbidden("somente a empresa do pedido pode fazer esta mudança")
	}
	if err := checkMove(cur, to, patient && !partner); err != nil {
		return Order{}, err
	}
	now := s.now()
	var events []kernel.Event
	if (to == OrderReadyForPickup || to == OrderOutForDelivery) && cur.PrescriptionCode != "" && hasRxLine(cur) {
		if err := s.Dir.Dispense(ctx, p, cur.PrescriptionCode, strings.TrimSpace(in.BuyerName), strings.TrimSpace(in.BuyerDocument)); err != nil {
			return Order{}, err
		}
		// clinical raises clinical.prescription.dispensed with the dispensation;
		// the webhook consumer turns that into the pharmacy's prescription.dispensed
		// (one webhook however the prescription was dispensed)
	}
	var wasPaid bool
	out, err := s.Orders.UpdateOrder(ctx, id, func(o *Order) ([]kernel.Event, error) {
		if err := checkMove(*o, to, patient && !partner); err != nil {
			return nil, err
		}
		wasPaid = o.Status != OrderCreated
		if err := o.Move(to, now, p.Kind, in.Reason); err != nil {
			return nil, err
		}
		evs := append([]kernel.Event(nil), events...)
		if to == OrderCancelled {
			shown := in.Reason
			if !partner { // the patient's own words stay with the patient
				shown = ""
			}
			evs = append(evs, cancelEvents(*o, wasPaid, shown, now)...)
		}
		return evs, nil
	})
	if err != nil {
		if len(events) > 0 {
			s.Log.Error("prescription dispensed but the order did not move", "order_id", id, "kind", kernel.KindOf(err))
		}
		return Order{}, kernel.Wrap(err, "move order")
	}
	if to == OrderCancelled && !wasPaid {
		s.cancelExpire(ctx, out.ID)
	}
	s.notifyOrderPatient(ctx, out, in.Reason)
	v, _ := viewFor(p, out)
	return v, nil
}

// checkMove refuses a move o's state does not allow, naming the state; a patient cancels only while created or paid.
func checkMove(o Order, to OrderStatus, asPatient bool) error {
	if asPatient && to == OrderCancelled && o.Status != OrderCreated && o.Status != OrderPaid {
		return kernel.Conflict("o pedido está %s e não pode mais ser cancelado pelo paciente; fale com a empresa", StatusPT(o.Status))
	}
	switch {
	case to == OrderReadyForPickup && o.Fulfilment.Method != MethodPickup:
		return kernel.Conflict("o pedido é para entrega: use dispatch quando sair para entrega")
	case to == OrderOutForDelivery && o.Fulfilment.Method != MethodDelivery:
		return kernel.Conflict("o pedido é para retirada: use ready quando estiver pronto para retirada")
	}
	if !o.Status.CanMove(to) {
		return kernel.Conflict("o pedido está %s e não pode passar a %s", StatusPT(o.Status), StatusPT(to))
	}
	return nil
}

func hasRxLine(o Order) bool {
	for _, l := range o.Lines {
		if l.RequiresPrescription {
			return true
		}
	}
	return false
}

// cancelEvents are the events of a cancellation: the internal one payments
// consumes to refund, and the partner's.
func cancelEvents(o Order, wasPaid bool, reason string, at time.Time) []kernel.Event {
	data := PartnerData(o)
	if reason != "" {
		data["reason"] = reason
	}
	return []kernel.Event{
		kernel.NewEvent(TopicOrderCancelled, o.ID, CancelledEvent{OrderID: o.ID, WasPaid: wasPaid}, at),
		PartnerEvent(EventOrderCancelled, o.CompanyID, data, at),
	}
}

func (s *Service) cancelExpire(ctx context.Context, id kernel.ID) {
	if s.Scheduler == nil {
		return
	}
	if err := s.Scheduler.Cancel(context.WithoutCancel(ctx), "order-expire:"+id); err != nil && kernel.KindOf(err) != kernel.KindNotFound {
		s.Log.Warn("order expiry job not cancelled (the consumer ignores it)", "order_id", id, "kind", kernel.KindOf(err))
	}
}

// HandleExpire consumes TopicOrderExpire: an order still created (unpaid) at
// its PayBy is cancelled by the platform and its stock released; any other
// order is left alone. Delivering the message again changes nothing.
func (s *Service) HandleExpire(ctx context.Context, d ports.Delivery) error {
	var m expireMsg
	if err := json.Unmarshal(d.Body, &m); err != nil || !kernel.ValidID(m.OrderID) {
		s.Log.Error("bad commerce.order.expire message; dropped", "message_id", d.ID)
		return nil
	}
	now := s.now()
	var early *Order
	out, err := s.Orders.UpdateOrder(ctx, m.OrderID, func(o *Order) ([]kernel.Event, error) {
		if o.Status != OrderCreated {
			return nil, errNoop
		}
		if now.Before(o.PayBy) {
			c := *o
			early = &c
			return nil, errNoop
		}
		if err := o.Move(OrderCancelled, now, kernel.KindAnonymous, NoteExpired); err != nil {
			return nil, err
		}
		return cancelEvents(*o, false, NoteExpired, now), nil
	})
	switch {
	case errors.Is(err, errNoop):
		if early != nil { // fired before its time (clock skew): try again at PayBy
			s.scheduleExpire(ctx, *early)
		}
		return nil
	case kernel.KindOf(err) == kernel.KindNotFound:
		return nil
	case err != nil:
		return err
	}
	s.notifyOrderPatient(ctx, out, NoteExpired)
	return nil
}
