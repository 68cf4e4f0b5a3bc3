package commerce

import (
	"context"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// MaxErasureOrders caps the orders one erasure step walks.
const MaxErasureOrders = 5000

// settled reports whether the order's life is over (nothing to deliver any more).
func settled(s OrderStatus) bool {
	return s == OrderDelivered || s == OrderCancelled || s == OrderRefunded
}

// patientOrders walks the patient's orders (at most MaxErasureOrders).
func (s *Service) patientOrders(ctx context.Context, patientID kernel.ID, fn func(Order) error) error {
	page := kernel.Page{Limit: kernel.MaxLimit}
	for seen := 0; seen < MaxErasureOrders; {
		l, err := s.Orders.ListOrders(ctx, OrderFilter{PatientID: patientID}, page)
		if err != nil {
			return err
		}
		for _, o := range l.Items {
			if err := fn(o); err != nil {
				return err
			}
		}
		seen += len(l.Items)
		if l.NextCursor == "" {
			return nil
		}
		page.Cursor = l.NextCursor
	}
	return nil
}

// CancelOpenOrders cancels, as the patient and with the usual rules (a paid
// order is refunded), every order of the patient the patient may still
// cancel; orders already on their way go on. The consent context's call at
// an erasure request. It returns how many it cancelled.
func (s *Service) CancelOpenOrders(ctx context.Context, patientID kernel.ID) (int, error) {
	p := kernel.Principal{AccountID: patientID, Kind: kernel.KindPatient}
	n := 0
	err := s.patientOrders(ctx, patientID, func(o Order) error {
		if !o.Status.CanMove(OrderCancelled) {
			return nil
		}
		_, err := s.MoveOrder(ctx, p, o.ID, ActionCancel, MoveInput{Reason: "o titular pediu a eliminação dos dados"})
		if err == nil {
			n++
			return nil
		}
		switch kernel.KindOf(err) {
		case kernel.KindConflict, kernel.KindForbidden, kernel.KindInvalid, kernel.KindUnprocessable:
			// not the patient's to cancel any more: it goes on
		default:
			return err
		}
		return nil
	})
	return n, err
}

// AnonymiseOrders removes the delivery data (recipient, address, the
// prescription's verification code, notes) of the patient's settled orders
// placed before cutoff; items, amounts and dates stay, with IDs only, for the
// tax retention (CTN). The consent context's call at an erasure and in the
// retention purge. Running it again changes nothing more. It returns how many
// orders it changed.
func (s *Service) AnonymiseOrders(ctx context.Context, patientID kernel.ID, cutoff time.Time) (int, error) {
	n := 0
	err := s.patientOrders(ctx, patientID, func(o Order) error {
		if !settled(o.Status) || !o.CreatedAt.Before(cutoff) || anonymous(o) {
			return nil
		}
		_, err := s.Orders.UpdateOrder(ctx, o.ID, func(x *Order) ([]kernel.Event, error) {
			x.Fulfilment.Address, x.Fulfilment.Recipient, x.PrescriptionCode = nil, "", ""
			for i := range x.Timeline {
				x.Timeline[i].Note = ""
			}
			return nil, nil
		})
		if err != nil {
			return err
		}
		n++
		return nil
	})
	return n, err
}

func anonymous(o Order) bool {
	if o.Fulfilment.Address != nil || o.Fulfilment.Recipient != "" || o.PrescriptionCode != "" {
		return false
	}
	for _, t := range o.Timeline {
		if t.Note != "" {
			return false
		}
	}
	return true
}
