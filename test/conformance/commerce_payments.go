package conformance

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// RunCommercePaymentsStore checks a commerce.PaymentStore: one pending payment
// per order, provider events applied once (also under a race of ten
// goroutines), refunds never exceeding their payment (also under a race),
// lists and the statement's lines.
func RunCommercePaymentsStore(t *testing.T, newStore func(t *testing.T) commerce.PaymentStore) {
	ctx := context.Background()
	t0 := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
	newPay := func(order, patient, company kernel.ID, amount int64, at time.Time) commerce.Payment {
		return commerce.Payment{ID: kernel.NewID(), OrderID: order, PatientID: patient, CompanyID: company, Provider: "fakepay",
			Method: ports.PayPix, Amount: kernel.BRL(amount), Status: commerce.PaymentPending, ExpiresAt: at.Add(30 * time.Minute),
			CreatedAt: at, UpdatedAt: at}
	}
	succeed := func(at time.Time) func(*commerce.Payment) ([]kernel.Event, error) {
		return func(p *commerce.Payment) ([]kernel.Event, error) {
			p.Status = commerce.PaymentSucceeded
			t := at
			p.PaidAt = &t
			return []kernel.Event{kernel.NewEvent(commerce.TopicPaymentChanged, p.ID, map[string]any{"payment_id": p.ID}, at)}, nil
		}
	}

	t.Run("one pending payment per order", func(t *testing.T) {
		s := newStore(t)
		order, patient, company := kernel.NewID(), kernel.NewID(), kernel.NewID()
		a := newPay(order, patient, company, 1500, t0)
		noErr(t, "create", s.CreatePayment(ctx, a))
		wantKind(t, "second pending payment", s.CreatePayment(ctx, newPay(order, patient, company, 1500, t0)), kernel.KindConflict)
		got, err := s.GetPayment(ctx, a.ID)
		noErr(t, "get", err)
		if got.Amount != kernel.BRL(1500) || got.Status != commerce.PaymentPending || !got.ExpiresAt.Equal(a.ExpiresAt) || got.PaidAt != nil || got.Refunded != 0 {
			t.Errorf("read back %+v", got)
		}
		_, err = s.GetPayment(ctx, kernel.NewID())
		wantKind(t, "unknown payment", err, kernel.KindNotFound)
		_, err = s.UpdatePayment(ctx, a.ID, func(p *commerce.Payment) ([]kernel.Event, error) {
			p.Status, p.ChargeID, p.PixCopyPaste = commerce.PaymentFailed, "ch_1", "000201..."
			return nil, nil
		})
		noErr(t, "update", err)
		b := newPay(order, patient, company, 1500, t0.Add(time.Minute))
		noErr(t, "a new attempt after a failure", s.CreatePayment(ctx, b))
		pays, err := s.OrderPayments(ctx, order)
		noErr(t, "order payments", err)
		if len(pays) != 2 || pays[0].ID != a.ID || pays[1].ID != b.ID || pays[0].ChargeID != "ch_1" || pays[0].PixCopyPaste != "000201..." {
			t.Errorf("order payments: %+v", pays)
		}
	})

	t.Run("one pending payment per appointment; appointments do not collide with orders", func(t *testing.T) {
		s := newStore(t)
		patient := kernel.NewID()
		apptPay := func(appt kernel.ID, at time.Time) commerce.Payment {
			p := newPay("", patient, "", 25000, at)
			p.AppointmentID = appt
			return p
		}
		appt1, appt2 := kernel.NewID(), kernel.NewID()
		a := apptPay(appt1, t0)
		noErr(t, "create", s.CreatePayment(ctx, a))
		noErr(t, "another appointment's pending payment", s.CreatePayment(ctx, apptPay(appt2, t0)))
		wantKind(t, "second pending payment of an appointment", s.CreatePayment(ctx, apptPay(appt1, t0)), kernel.KindConflict)
		order := kernel.NewID()
		noErr(t, "an order's pending payment", s.CreatePayment(ctx, newPay(order, patient, kernel.NewID(), 100, t0)))
		got, err := s.GetPayment(ctx, a.ID)
		noErr(t, "get", err)
		if got.AppointmentID != appt1 || got.OrderID != "" || got.CompanyID != "" {
			t.Errorf("read back %+v", got)
		}
		_, err = s.UpdatePayment(ctx, a.ID, succeed(t0.Add(time.Minute)))
		noErr(t, "succeed", err)
		b := apptPay(appt1, t0.Add(2*time.Minute))
		noErr(t, "a pending payment beside a succeeded one (the service refuses it; a late capture may need it)", s.CreatePayment(ctx, b))
		pays, err := s.AppointmentPayments(ctx, appt1)
		noErr(t, "appointment payments", err)
		if len(pays) != 2 || pays[0].ID != a.ID || pays[1].ID != b.ID || pays[0].Status != commerce.PaymentSucceeded {
			t.Errorf("appointment payments: %+v", pays)
		}
		if pays, err := s.OrderPayments(ctx, order); err != nil || len(pays) != 1 {
			t.Errorf("order payments: %d, %v", len(pays), err)
		}
		if pays, err := s.AppointmentPayments(ctx, kernel.NewID()); err != nil || len(pays) != 0 {
			t.Errorf("unknown appointment: %d, %v", len(pays), err)
		}
		l, err := s.ListPayments(ctx, commerce.PaymentFilter{PatientID: patient}, kernel.Page{Limit: 10})
		noErr(t, "list", err)
		if len(l.Items) != 4 {
			t.Errorf("patient's payments: %d, want 4", len(l.Items))
		}
	})

	t.Run("patient's payments, newest first, paged", func(t *testing.T) {
		s := newStore(t)
		patient := kernel.NewID()
		var ids []kernel.ID
		for i := 0; i < 5; i++ {
			p := newPay(kernel.NewID(), patient, kernel.NewID(), int64(100+i), t0.Add(time.Duration(i)*time.Minute))
			noErr(t, "create", s.CreatePayment(ctx, p))
			ids = append(ids, p.ID)
		}
		noErr(t, "someone else's", s.CreatePayment(ctx, newPay(kernel.NewID(), kernel.NewID(), kernel.NewID(), 1, t0)))
		var seen []kernel.ID
		page := kernel.Page{Limit: 2}
		for i := 0; i < 5; i++ {
			l, err := s.ListPayments(ctx, commerce.PaymentFilter{PatientID: patient}, page)
			noErr(t, "list", err)
			for _, p := range l.Items {
				seen = append(seen, p.ID)
			}
			if l.NextCursor == "" {
				break
			}
			page.Cursor = l.NextCursor
		}
		if len(seen) != 5 {
			t.Fatalf("listed %d payments, want 5", len(seen))
		}
		for i := range seen {
			if seen[i] != ids[4-i] {
				t.Errorf("position %d: %s, want %s (newest first)", i, seen[i], ids[4-i])
			}
		}
	})

	t.Run("a provider event is applied once", func(t *testing.T) {
		s := newStore(t)
		p := newPay(kernel.NewID(), kernel.NewID(), kernel.NewID(), 2500, t0)
		noErr(t, "create", s.CreatePayment(ctx, p))
		_, err := s.UpdatePayment(ctx, p.ID, func(x *commerce.Payment) ([]kernel.Event, error) { x.ChargeID = "ch_a"; return nil, nil })
		noErr(t, "charge", err)
		ev := commerce.ChargeEvent{Provider: "fakepay", EventID: "evt_1", Type: ports.EventChargeSucceeded, ChargeID: "ch_a", At: t0}
		runs := 0
		got, applied, err := s.ApplyChargeEvent(ctx, ev, func(x *commerce.Payment) ([]kernel.Event, error) { runs++; return succeed(t0)(x) })
		noErr(t, "apply", err)
		if !applied || got.Status != commerce.PaymentSucceeded || got.PaidAt == nil || !got.PaidAt.Equal(t0) {
			t.Errorf("first apply: applied %v, %+v", applied, got)
		}
		ev.PaymentID = p.ID // the same event again, found by its reference this time
		got, applied, err = s.ApplyChargeEvent(ctx, ev, func(x *commerce.Payment) ([]kernel.Event, error) { runs++; return nil, nil })
		noErr(t, "apply again", err)
		if applied || runs != 1 || got.Status != commerce.PaymentSucceeded {
			t.Errorf("second apply: applied %v, fn ran %d times, %+v", applied, runs, got)
		}
		// the same event ID from another provider is another event
		_, _, err = s.ApplyChargeEvent(ctx, commerce.ChargeEvent{Provider: "otherpay", EventID: "evt_1", ChargeID: "ch_a"},
			func(*commerce.Payment) ([]kernel.Event, error) {
				t.Error("fn ran for another provider's charge")
				return nil, nil
			})
		wantKind(t, "another provider's charge", err, kernel.KindNotFound)
		// an unknown charge is not found, and its event is not recorded
		unknown := commerce.ChargeEvent{Provider: "fakepay", EventID: "evt_2", ChargeID: "ch_unknown"}
		_, _, err = s.ApplyChargeEvent(ctx, unknown, func(*commerce.Payment) ([]kernel.Event, error) { return nil, nil })
		wantKind(t, "unknown charge", err, kernel.KindNotFound)
		// a failing fn changes nothing and records nothing
		q := newPay(kernel.NewID(), kernel.NewID(), kernel.NewID(), 100, t0)
		noErr(t, "create", s.CreatePayment(ctx, q))
		fail := commerce.ChargeEvent{Provider: "fakepay", EventID: "evt_3", PaymentID: q.ID, ChargeID: "ch_q"}
		_, _, err = s.ApplyChargeEvent(ctx, fail, func(*commerce.Payment) ([]kernel.Event, error) { return nil, kernel.Conflict("não") })
		wantKind(t, "failing fn", err, kernel.KindConflict)
		got, applied, err = s.ApplyChargeEvent(ctx, fail, succeed(t0))
		noErr(t, "apply after a failed attempt", err)
		if !applied || got.Status != commerce.PaymentSucceeded || got.ChargeID != "" && got.ChargeID != "ch_q" {
			t.Errorf("after a failed attempt: applied %v, %+v", applied, got)
		}
	})

	t.Run("ten goroutines deliver one event: applied once", func(t *testing.T) {
		s := newStore(t)
		p := newPay(kernel.NewID(), kernel.NewID(), kernel.NewID(), 990, t0)
		noErr(t, "create", s.CreatePayment(ctx, p))
		ev := commerce.ChargeEvent{Provider: "fakepay", EventID: "evt_race", Type: ports.EventChargeSucceeded, PaymentID: p.ID, ChargeID: "ch_r", At: t0}
		var runs, applies atomic.Int32
		var wg sync.WaitGroup
		errs := make(chan error, 10)
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, applied, err := s.ApplyChargeEvent(ctx, ev, func(x *commerce.Payment) ([]kernel.Event, error) { runs.Add(1); return succeed(t0)(x) })
				if err != nil {
					errs <- err
					return
				}
				if applied {
					applies.Add(1)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("concurrent apply: %v", err)
		}
		if applies.Load() != 1 {
			t.Errorf("applied %d times, want exactly once", applies.Load())
		}
		if runs.Load() < 1 {
			t.Errorf("fn never ran")
		}
	})

	t.Run("refunds never exceed their payment", func(t *testing.T) {
		s := newStore(t)
		order, company := kernel.NewID(), kernel.NewID()
		p := newPay(order, kernel.NewID(), company, 10000, t0)
		noErr(t, "create", s.CreatePayment(ctx, p))
		_, err := s.UpdatePayment(ctx, p.ID, succeed(t0))
		noErr(t, "succeed", err)
		refund := func(amount int64, at time.Time) commerce.Refund {
			return commerce.Refund{ID: kernel.NewID(), PaymentID: p.ID, OrderID: order, CompanyID: company, Amount: kernel.BRL(amount),
				Reason: "item em falta", Status: commerce.RefundPending, ByKind: kernel.KindCompanyMember, ByID: kernel.NewID(), CreatedAt: at, UpdatedAt: at}
		}
		r1 := refund(4000, t0.Add(time.Hour))
		noErr(t, "refund 40", s.CreateRefund(ctx, r1))
		wantKind(t, "the same refund again", s.CreateRefund(ctx, r1), kernel.KindConflict)
		wantKind(t, "refund 70 of the 60 left", s.CreateRefund(ctx, refund(7000, t0)), kernel.KindConflict)
		got, err := s.GetPayment(ctx, p.ID)
		noErr(t, "get", err)
		if got.Refunded != 4000 {
			t.Errorf("refunded %d, want 4000", got.Refunded)
		}
		// a failed refund gives its amount back
		_, err = s.UpdateRefund(ctx, r1.ID, func(r *commerce.Refund) error { r.Status = commerce.RefundFailed; return nil })
		noErr(t, "fail r1", err)
		r2 := refund(10000, t0.Add(2*time.Hour))
		noErr(t, "refund all after the failure", s.CreateRefund(ctx, r2))
		r, err := s.UpdateRefund(ctx, r2.ID, func(r *commerce.Refund) error {
			r.Status, r.ProviderRefundID = commerce.RefundSucceeded, "re_1"
			return nil
		})
		noErr(t, "succeed r2", err)
		if r.Status != commerce.RefundSucceeded || r.ProviderRefundID != "re_1" || r.Amount != kernel.BRL(10000) || r.ByKind != kernel.KindCompanyMember {
			t.Errorf("updated refund %+v", r)
		}
		wantKind(t, "one centavo more", s.CreateRefund(ctx, refund(1, t0)), kernel.KindConflict)
		rs, err := s.OrderRefunds(ctx, order)
		noErr(t, "order refunds", err)
		if len(rs) != 2 || rs[0].ID != r1.ID || rs[1].ID != r2.ID || rs[0].Status != commerce.RefundFailed {
			t.Errorf("order refunds %+v", rs)
		}
		_, err = s.GetRefund(ctx, kernel.NewID())
		wantKind(t, "unknown refund", err, kernel.KindNotFound)
		wantKind(t, "refund of an unknown payment", s.CreateRefund(ctx, commerce.Refund{ID: kernel.NewID(), PaymentID: kernel.NewID(),
			Amount: kernel.BRL(1), Status: commerce.RefundPending, CreatedAt: t0, UpdatedAt: t0}), kernel.KindNotFound)
	})

	t.Run("a refund event is applied once", func(t *testing.T) {
		s := newStore(t)
		p := newPay(kernel.NewID(), kernel.NewID(), kernel.NewID(), 5000, t0)
		noErr(t, "create", s.CreatePayment(ctx, p))
		r := commerce.Refund{ID: kernel.NewID(), PaymentID: p.ID, OrderID: p.OrderID, CompanyID: p.CompanyID, Amount: kernel.BRL(5000),
			Status: commerce.RefundPending, ProviderRefundID: "re_1", CreatedAt: t0, UpdatedAt: t0}
		noErr(t, "refund", s.CreateRefund(ctx, r))
		ev := commerce.ChargeEvent{Provider: "fakepay", EventID: "evt_r1", Type: ports.EventRefundSucceeded, RefundID: "re_1", At: t0}
		runs := 0
		set := func(x *commerce.Refund) error { runs++; x.Status = commerce.RefundSucceeded; return nil }
		got, applied, err := s.ApplyRefundEvent(ctx, ev, set)
		noErr(t, "apply", err)
		if !applied || got.Status != commerce.RefundSucceeded || got.ID != r.ID {
			t.Errorf("applied %v, %+v", applied, got)
		}
		_, applied, err = s.ApplyRefundEvent(ctx, ev, set)
		noErr(t, "apply again", err)
		if applied || runs != 1 {
			t.Errorf("again: applied %v, fn ran %d times", applied, runs)
		}
		if got, _ := s.GetRefund(ctx, r.ID); got.Status != commerce.RefundSucceeded {
			t.Errorf("stored %s", got.Status)
		}
		_, _, err = s.ApplyRefundEvent(ctx, commerce.ChargeEvent{Provider: "otherpay", EventID: "evt_r2", RefundID: "re_1"}, set)
		wantKind(t, "another provider's refund", err, kernel.KindNotFound)
		_, _, err = s.ApplyRefundEvent(ctx, commerce.ChargeEvent{Provider: "fakepay", EventID: "evt_r3", RefundID: "re_unknown"}, set)
		wantKind(t, "unknown refund", err, kernel.KindNotFound)
	})

	t.Run("ten goroutines refund 30% each: at most three", func(t *testing.T) {
		s := newStore(t)
		order, company := kernel.NewID(), kernel.NewID()
		p := newPay(order, kernel.NewID(), company, 10000, t0)
		noErr(t, "create", s.CreatePayment(ctx, p))
		var ok, conflicts atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := s.CreateRefund(ctx, commerce.Refund{ID: kernel.NewID(), PaymentID: p.ID, OrderID: order, CompanyID: company,
					Amount: kernel.BRL(3000), Status: commerce.RefundPending, CreatedAt: t0, UpdatedAt: t0})
				if err == nil {
					ok.Add(1)
				} else if kernel.KindOf(err) == kernel.KindConflict {
					conflicts.Add(1)
				} else {
					t.Errorf("concurrent refund: %v", err)
				}
			}()
		}
		wg.Wait()
		if ok.Load() != 3 || conflicts.Load() != 7 {
			t.Errorf("%d refunds made, %d refused; want 3 and 7", ok.Load(), conflicts.Load())
		}
	})

	t.Run("statement lines", func(t *testing.T) {
		s := newStore(t)
		company, other := kernel.NewID(), kernel.NewID()
		mk := func(c kernel.ID, amount int64, paid time.Time) commerce.Payment {
			p := newPay(kernel.NewID(), kernel.NewID(), c, amount, paid.Add(-time.Minute))
			noErr(t, "create", s.CreatePayment(ctx, p))
			p, err := s.UpdatePayment(ctx, p.ID, succeed(paid))
			noErr(t, "succeed", err)
			return p
		}
		from, to := t0, t0.Add(48*time.Hour)
		a := mk(company, 10000, t0.Add(time.Hour))
		b := mk(company, 5000, t0.Add(2*time.Hour))
		mk(company, 7000, t0.Add(-time.Second)) // before
		mk(company, 7000, to)                   // after (to is excluded)
		mk(other, 9000, t0.Add(time.Hour))      // another company
		pending := newPay(kernel.NewID(), kernel.NewID(), company, 3000, t0.Add(time.Hour))
		noErr(t, "pending", s.CreatePayment(ctx, pending))
		r := commerce.Refund{ID: kernel.NewID(), PaymentID: a.ID, OrderID: a.OrderID, CompanyID: company, Amount: kernel.BRL(2500),
			Status: commerce.RefundSucceeded, CreatedAt: t0.Add(90 * time.Minute), UpdatedAt: t0.Add(90 * time.Minute)}
		noErr(t, "refund", s.CreateRefund(ctx, r))
		failed := r
		failed.ID, failed.Status, failed.Amount = kernel.NewID(), commerce.RefundFailed, kernel.BRL(100)
		noErr(t, "failed refund", s.CreateRefund(ctx, failed))
		lines, err := s.StatementLines(ctx, company, from, to, 100)
		noErr(t, "lines", err)
		if len(lines) != 3 {
			t.Fatalf("got %d lines, want 3: %+v", len(lines), lines)
		}
		want := []struct {
			kind   string
			amount int64
			id     kernel.ID
		}{{commerce.LinePayment, 10000, a.ID}, {commerce.LineRefund, 2500, a.ID}, {commerce.LinePayment, 5000, b.ID}}
		for i, w := range want {
			l := lines[i]
			if l.Kind != w.kind || l.Amount != kernel.BRL(w.amount) || l.PaymentID != w.id {
				t.Errorf("line %d: %+v, want %s of %d for %s", i, l, w.kind, w.amount, w.id)
			}
		}
		if lines[0].Method != ports.PayPix || lines[0].OrderID != a.OrderID || !lines[0].At.Equal(t0.Add(time.Hour)) || lines[1].RefundID != r.ID {
			t.Errorf("line details: %+v / %+v", lines[0], lines[1])
		}
		lines, err = s.StatementLines(ctx, company, from, to, 2)
		noErr(t, "limited", err)
		if len(lines) != 2 {
			t.Errorf("limit 2 gave %d lines", len(lines))
		}
	})
}
