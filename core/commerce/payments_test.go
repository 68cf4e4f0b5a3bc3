package commerce_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

var bg = context.Background()

func wantKind(t *testing.T, what string, err error, k kernel.Kind) {
	t.Helper()
	if err == nil || kernel.KindOf(err) != k {
		t.Errorf("%s: got %v, want kind %s", what, err, k)
	}
}

func must[T any](t *testing.T, what string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

func TestPayOrder(t *testing.T) {
	f := newPayFixture(t, 0)
	o := f.order(12345)
	pay := must[commerce.Payment](t, "pay")(f.svc.PayOrder(bg, f.patientP(), o.ID, commerce.PayInput{Method: ports.PayPix}))
	if pay.Status != commerce.PaymentPending || pay.PixCopyPaste == "" || pay.Amount != kernel.BRL(12345) || !pay.ExpiresAt.Equal(o.PayBy) || pay.ChargeID == "" {
		t.Errorf("payment %+v", pay)
	}
	req := f.provider.chargeReq[0]
	if req.Reference != pay.ID || req.IdempotencyKey != pay.ID || !req.Capture || req.Amount != 12345 || req.Currency != "BRL" ||
		!strings.HasPrefix(req.Description, "Pedido multisaude ") || !req.ExpiresAt.Equal(o.PayBy) {
		t.Errorf("charge request %+v", req)
	}
	again := must[commerce.Payment](t, "pay again")(f.svc.PayOrder(bg, f.patientP(), o.ID, commerce.PayInput{Method: ports.PayPix}))
	if again.ID != pay.ID || len(f.provider.chargeReq) != 1 {
		t.Errorf("the same method again made another charge: %s vs %s, %d charges", again.ID, pay.ID, len(f.provider.chargeReq))
	}
	_, err := f.svc.PayOrder(bg, f.patientP(), o.ID, commerce.PayInput{Method: ports.PayCard, CardToken: "tok_visa"})
	wantKind(t, "card while a Pix is pending", err, kernel.KindConflict)

	other := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindPatient}
	_, err = f.svc.PayOrder(bg, other, o.ID, commerce.PayInput{Method: ports.PayPix})
	wantKind(t, "another patient", err, kernel.KindNotFound)
	_, err = f.svc.PayOrder(bg, f.admin(), o.ID, commerce.PayInput{Method: ports.PayPix})
	wantKind(t, "the company", err, kernel.KindNotFound)
	_, err = f.svc.PayOrder(bg, f.patientP(), o.ID, commerce.PayInput{Method: "boleto"})
	wantKind(t, "unknown method", err, kernel.KindInvalid)
	_, err = f.svc.PayOrder(bg, f.patientP(), kernel.NewID(), commerce.PayInput{Method: ports.PayPix})
	wantKind(t, "unknown order", err, kernel.KindNotFound)

	late := f.order(100)
	f.clock.Advance(31 * time.Minute)
	_, err = f.svc.PayOrder(bg, f.patientP(), late.ID, commerce.PayInput{Method: ports.PayPix})
	wantKind(t, "after PayBy", err, kernel.KindConflict)

	// a failed Pix lets the patient pay by card
	if err := f.webhook(t, ports.PaymentEvent{ID: "evt_f", Type: ports.EventChargeFailed, ChargeID: pay.ChargeID, Reference: pay.ID}); err != nil {
		t.Fatal(err)
	}
	o2 := f.order(500)
	p1 := must[commerce.Payment](t, "pay o2")(f.svc.PayOrder(bg, f.patientP(), o2.ID, commerce.PayInput{Method: ports.PayPix}))
	if err := f.webhook(t, ports.PaymentEvent{ID: "evt_x", Type: ports.EventChargeExpired, ChargeID: p1.ChargeID}); err != nil {
		t.Fatal(err)
	}
	card := must[commerce.Payment](t, "card after expiry")(f.svc.PayOrder(bg, f.patientP(), o2.ID, commerce.PayInput{Method: ports.PayCard, CardToken: "tok_visa"}))
	if card.ClientSecret == "" || card.ID == p1.ID {
		t.Errorf("card payment %+v", card)
	}
}

func TestWebhookPaysTheOrderOnce(t *testing.T) {
	f := newPayFixture(t, 0)
	o := f.order(8990)
	pay := must[commerce.Payment](t, "pay")(f.svc.PayOrder(bg, f.patientP(), o.ID, commerce.PayInput{Method: ports.PayPix}))

	body := []byte(`{"ID":"evt_1"}`)
	wantKind(t, "bad signature", f.svc.ApplyWebhook(bg, "fakepay", map[string]string{"Fake-Signature": "forged"}, body), kernel.KindUnauthenticated)
	wantKind(t, "another provider", f.svc.ApplyWebhook(bg, "stripe", map[string]string{"Fake-Signature": "ok"}, body), kernel.KindNotFound)
	if err := f.webhook(t, ports.PaymentEvent{ID: "evt_unknown", Type: ports.EventChargeSucceeded, ChargeID: "ch_not_ours"}); err != nil {
		t.Errorf("an event for an unknown charge is ignored, got %v", err)
	}

	paidAt := f.clock.Now().Add(2 * time.Minute)
	ev := ports.PaymentEvent{ID: "evt_ok", Type: ports.EventChargeSucceeded, ChargeID: pay.ChargeID, Reference: pay.ID, Amount: 8990, At: paidAt}
	for i := 0; i < 2; i++ { // the same event twice
		if err := f.webhook(t, ev); err != nil {
			t.Fatalf("delivery %d: %v", i+1, err)
		}
	}
	got := must[commerce.Order](t, "order")(f.orders.GetOrder(bg, o.ID))
	if got.Status != commerce.OrderPaid || got.PaidAt == nil || !got.PaidAt.Equal(paidAt) {
		t.Errorf("order %s paid at %v", got.Status, got.PaidAt)
	}
	paid := f.orders.partnerEvents(commerce.EventOrderPaid)
	if len(paid) != 1 {
		t.Fatalf("%d order.paid events, want 1", len(paid))
	}
	data := paid[0]["data"].(map[string]any)
	if len(data) != 3 || data["order_id"] != o.ID || data["paid_at"] == nil || data["total"] == nil {
		t.Errorf("order.paid data %v", data)
	}
	p := must[commerce.Payment](t, "payment")(f.pays.GetPayment(bg, pay.ID))
	if p.Status != commerce.PaymentSucceeded || len(f.pays.events) != 1 {
		t.Errorf("payment %s with %d changed events (want 1)", p.Status, len(f.pays.events))
	}
	f.deliverChanged(t)
	f.deliverChanged(t) // redelivered: settles nothing more
	if n := len(f.orders.partnerEvents(commerce.EventOrderPaid)); n != 1 {
		t.Errorf("%d order.paid events after redelivery", n)
	}
	mine := f.notifier.to("maria@example.com")
	if len(mine) == 0 || mine[0].Subject != "Pagamento confirmado" || !strings.Contains(mine[0].Body, "R$ 89,90") {
		t.Errorf("patient notifications %+v", mine)
	}
	shop := f.notifier.to("loja@example.com")
	if len(shop) == 0 || !strings.HasPrefix(shop[0].Subject, "Novo pedido pago") || strings.Contains(shop[0].Body, "Maria") {
		t.Errorf("company notifications %+v", shop)
	}
	if mine[0].ID != mine[len(mine)-1].ID {
		t.Errorf("a redelivery must reuse the notification ID")
	}
}

func TestCrashBetweenEventAndOrderMoveIsRepaired(t *testing.T) {
	f := newPayFixture(t, 0)
	o := f.order(1000)
	pay := must[commerce.Payment](t, "pay")(f.svc.PayOrder(bg, f.patientP(), o.ID, commerce.PayInput{Method: ports.PayPix}))
	// the event was applied (payment succeeded, event recorded) but the process died before the order moved
	_, _, err := f.pays.ApplyChargeEvent(bg, commerce.ChargeEvent{Provider: "fakepay", EventID: "evt_c", PaymentID: pay.ID, ChargeID: pay.ChargeID},
		func(p *commerce.Payment) ([]kernel.Event, error) {
			at := f.clock.Now()
			p.Status, p.PaidAt = commerce.PaymentSucceeded, &at
			return []kernel.Event{kernel.NewEvent(commerce.TopicPaymentChanged, p.ID, map[string]any{"payment_id": p.ID, "status": "succeeded"}, at)}, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	// the provider redelivers the same event: recorded already, but the order is settled
	if err := f.webhook(t, ports.PaymentEvent{ID: "evt_c", Type: ports.EventChargeSucceeded, ChargeID: pay.ChargeID, Reference: pay.ID}); err != nil {
		t.Fatal(err)
	}
	if got := must[commerce.Order](t, "order")(f.orders.GetOrder(bg, o.ID)); got.Status != commerce.OrderPaid {
		t.Errorf("order %s after the redelivery, want paid", got.Status)
	}
}

func TestPaymentAfterCancellationIsRefunded(t *testing.T) {
	f := newPayFixture(t, 0)
	o := f.order(4500)
	pay := must[commerce.Payment](t, "pay")(f.svc.PayOrder(bg, f.patientP(), o.ID, commerce.PayInput{Method: ports.PayPix}))
	must[commerce.Order](t, "cancel")(f.orders.UpdateOrder(bg, o.ID, func(x *commerce.Order) ([]kernel.Event, error) {
		return nil, x.Move(commerce.OrderCancelled, f.clock.Now(), "", "prazo de pagamento")
	}))
	if err := f.cancelled(t, o.ID); err != nil { // nothing was paid yet: nothing to refund
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := f.webhook(t, ports.PaymentEvent{ID: "evt_late", Type: ports.EventChargeSucceeded, ChargeID: pay.ChargeID, Reference: pay.ID}); err != nil {
			t.Fatal(err)
		}
	}
	f.deliverChanged(t)
	if n := f.provider.refundedTotal(); n != 4500 || len(f.provider.refunds) != 1 {
		t.Errorf("refunded %d in %d refunds, want 4500 in 1", n, len(f.provider.refunds))
	}
	rs := must[[]commerce.Refund](t, "refunds")(f.svc.OrderRefunds(bg, f.patientP(), o.ID))
	if len(rs) != 1 || rs[0].Status != commerce.RefundSucceeded || rs[0].Amount != kernel.BRL(4500) || rs[0].ByKind != "" {
		t.Errorf("refund records %+v", rs)
	}
	got := must[commerce.Order](t, "order")(f.orders.GetOrder(bg, o.ID))
	if got.Status != commerce.OrderCancelled || len(f.orders.partnerEvents(commerce.EventOrderPaid)) != 0 {
		t.Errorf("order %s; order.paid events %d", got.Status, len(f.orders.partnerEvents(commerce.EventOrderPaid)))
	}
	if mine := f.notifier.to("maria@example.com"); len(mine) != 1 || !strings.HasPrefix(mine[0].Subject, "Reembolso") {
		t.Errorf("patient notifications %+v", mine)
	}
}

func paidOrder(t *testing.T, f *payFixture, total int64) (commerce.Order, commerce.Payment) {
	t.Helper()
	o := f.order(total)
	pay := must[commerce.Payment](t, "pay")(f.svc.PayOrder(bg, f.patientP(), o.ID, commerce.PayInput{Method: ports.PayPix}))
	if err := f.webhook(t, ports.PaymentEvent{ID: "evt_" + pay.ID, Type: ports.EventChargeSucceeded, ChargeID: pay.ChargeID, Reference: pay.ID, At: f.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	o = must[commerce.Order](t, "order")(f.orders.GetOrder(bg, o.ID))
	if o.Status != commerce.OrderPaid {
		t.Fatalf("order %s, want paid", o.Status)
	}
	return o, must[commerce.Payment](t, "payment")(f.pays.GetPayment(bg, pay.ID))
}

func TestCancelledPaidOrderIsRefundedInFullOnce(t *testing.T) {
	f := newPayFixture(t, 0)
	o, _ := paidOrder(t, f, 7000)
	must[commerce.Order](t, "cancel")(f.orders.UpdateOrder(bg, o.ID, func(x *commerce.Order) ([]kernel.Event, error) {
		return nil, x.Move(commerce.OrderCancelled, f.clock.Now(), kernel.KindPatient, "")
	}))
	for i := 0; i < 3; i++ { // redelivered
		if err := f.cancelled(t, o.ID); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.provider.refundedTotal(); n != 7000 || len(f.provider.refunds) != 1 {
		t.Errorf("provider refunded %d in %d refunds", n, len(f.provider.refunds))
	}
	got := must[commerce.Order](t, "order")(f.orders.GetOrder(bg, o.ID))
	if got.Status != commerce.OrderRefunded || got.Refunded != kernel.BRL(7000) {
		t.Errorf("order %s refunded %v", got.Status, got.Refunded)
	}
	if evs := f.orders.partnerEvents(commerce.EventOrderRefunded); len(evs) != 1 {
		t.Errorf("%d order.refunded events", len(evs))
	}
}

func TestPartialRefunds(t *testing.T) {
	f := newPayFixture(t, 0)
	o, _ := paidOrder(t, f, 10000)
	admin := f.admin()
	staff := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindCompanyMember, CompanyID: f.company, Roles: []string{"staff"}}
	stranger := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindCompanyMember, CompanyID: kernel.NewID(), Roles: []string{"admin"}}
	key := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindAPIKey, CompanyID: f.company, Scopes: []string{"orders:write"}}
	readKey := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindAPIKey, CompanyID: f.company, Scopes: []string{"orders:read"}}

	_, err := f.svc.RefundOrder(bg, staff, o.ID, commerce.RefundInput{Amount: 100})
	wantKind(t, "staff", err, kernel.KindForbidden)
	_, err = f.svc.RefundOrder(bg, readKey, o.ID, commerce.RefundInput{Amount: 100})
	wantKind(t, "read-only key", err, kernel.KindForbidden)
	_, err = f.svc.RefundOrder(bg, stranger, o.ID, commerce.RefundInput{Amount: 100})
	wantKind(t, "another company", err, kernel.KindNotFound)
	_, err = f.svc.RefundOrder(bg, f.patientP(), o.ID, commerce.RefundInput{Amount: 100})
	wantKind(t, "the patient", err, kernel.KindNotFound)
	_, err = f.svc.RefundOrder(bg, admin, o.ID, commerce.RefundInput{Amount: 0})
	wantKind(t, "zero", err, kernel.KindUnprocessable)

	r1 := must[commerce.Refund](t, "refund 30")(f.svc.RefundOrder(bg, admin, o.ID, commerce.RefundInput{Amount: 3000, Reason: "item em falta"}))
	if r1.Status != commerce.RefundSucceeded || r1.ByKind != kernel.KindCompanyMember || r1.ProviderRefundID == "" {
		t.Errorf("refund %+v", r1)
	}
	_, err = f.svc.RefundOrder(bg, admin, o.ID, commerce.RefundInput{Amount: 7001})
	wantKind(t, "over-refund", err, kernel.KindConflict)
	if got := must[commerce.Order](t, "order")(f.orders.GetOrder(bg, o.ID)); got.Status != commerce.OrderPaid || got.Refunded != kernel.BRL(3000) {
		t.Errorf("after a partial refund: %s, refunded %v", got.Status, got.Refunded)
	}
	must[commerce.Refund](t, "refund 70")(f.svc.RefundOrder(bg, key, o.ID, commerce.RefundInput{Amount: 7000}))
	got := must[commerce.Order](t, "order")(f.orders.GetOrder(bg, o.ID))
	if got.Status != commerce.OrderRefunded || got.Refunded != kernel.BRL(10000) {
		t.Errorf("after refunds summing to the total: %s, refunded %v", got.Status, got.Refunded)
	}
	if n := len(f.orders.partnerEvents(commerce.EventOrderRefunded)); n != 1 {
		t.Errorf("%d order.refunded events", n)
	}
	_, err = f.svc.RefundOrder(bg, admin, o.ID, commerce.RefundInput{Amount: 1})
	wantKind(t, "nothing left", err, kernel.KindConflict)
	rs := must[[]commerce.Refund](t, "list")(f.svc.OrderRefunds(bg, readKey, o.ID))
	if len(rs) != 2 {
		t.Errorf("%d refunds listed", len(rs))
	}
	_, err = f.svc.OrderRefunds(bg, stranger, o.ID)
	wantKind(t, "another company lists", err, kernel.KindNotFound)

	unpaid := f.order(500)
	_, err = f.svc.RefundOrder(bg, admin, unpaid.ID, commerce.RefundInput{Amount: 100})
	wantKind(t, "unpaid order", err, kernel.KindConflict)
}

func TestPlatformFeeRounding(t *testing.T) {
	for _, tc := range []struct{ amount, bp, want int64 }{
		{10000, 250, 250}, {3333, 250, 83}, {2, 2500, 1}, {1, 2500, 0}, {202, 250, 5}, {6, 2500, 2}, {0, 250, 0}, {10000, 0, 0},
	} {
		if got := commerce.PlatformFee(tc.amount, tc.bp); got != tc.want {
			t.Errorf("PlatformFee(%d, %d) = %d, want %d", tc.amount, tc.bp, got, tc.want)
		}
	}
}

func TestStatement(t *testing.T) {
	f := newPayFixture(t, 250) // 2.5%
	_, a := paidOrder(t, f, 10000)
	f.clock.Advance(time.Hour)
	o2, _ := paidOrder(t, f, 3333)
	must[commerce.Refund](t, "refund")(f.svc.RefundOrder(bg, f.admin(), o2.ID, commerce.RefundInput{Amount: 1000}))
	st := must[commerce.Statement](t, "statement")(f.svc.CompanyStatement(bg, f.admin(), f.company, "2026-12-01", "2026-12-01"))
	if st.Gross != kernel.BRL(13333) || st.PlatformFee != kernel.BRL(250+83) || st.Refunds != kernel.BRL(1000) || st.Net != kernel.BRL(13333-333-1000) {
		t.Errorf("figures gross %v fee %v refunds %v net %v", st.Gross, st.PlatformFee, st.Refunds, st.Net)
	}
	if len(st.Lines) != 3 || st.Lines[0].PaymentID != a.ID || st.Lines[0].Fee != kernel.BRL(250) || st.Lines[2].Kind != commerce.LineRefund || st.Lines[2].Net != kernel.BRL(-1000) {
		t.Errorf("lines %+v", st.Lines)
	}
	var sum int64
	for _, l := range st.Lines {
		sum += l.Net.Amount
	}
	if sum != st.Net.Amount {
		t.Errorf("lines add up to %d, net is %d", sum, st.Net.Amount)
	}
	// the day is São Paulo's: 2026-12-02 starts at 03:00 UTC
	if st.Start != time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC) || st.End != time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC) {
		t.Errorf("period %v to %v", st.Start, st.End)
	}
	empty := must[commerce.Statement](t, "another day")(f.svc.CompanyStatement(bg, f.admin(), f.company, "2026-12-02", "2026-12-31"))
	if len(empty.Lines) != 0 || empty.Net.Amount != 0 {
		t.Errorf("empty statement %+v", empty)
	}
	staff := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindCompanyMember, CompanyID: f.company, Roles: []string{"staff"}}
	_, err := f.svc.CompanyStatement(bg, staff, f.company, "2026-12-01", "2026-12-01")
	wantKind(t, "staff", err, kernel.KindForbidden)
	_, err = f.svc.CompanyStatement(bg, f.admin(), kernel.NewID(), "2026-12-01", "2026-12-01")
	wantKind(t, "another company", err, kernel.KindForbidden)
	_, err = f.svc.CompanyStatement(bg, f.admin(), f.company, "2026-01-01", "2027-01-02")
	wantKind(t, "367 days", err, kernel.KindInvalid)
	must[commerce.Statement](t, "366 days")(f.svc.CompanyStatement(bg, f.admin(), f.company, "2028-01-01", "2028-12-31"))
	_, err = f.svc.CompanyStatement(bg, f.admin(), f.company, "2026-12-02", "2026-12-01")
	wantKind(t, "to before from", err, kernel.KindInvalid)
	_, err = f.svc.CompanyStatement(bg, f.admin(), f.company, "01/12/2026", "")
	wantKind(t, "bad dates", err, kernel.KindInvalid)
}

func TestMyPayments(t *testing.T) {
	f := newPayFixture(t, 0)
	paidOrder(t, f, 100)
	l := must[kernel.List[commerce.Payment]](t, "mine")(f.svc.MyPayments(bg, f.patientP(), kernel.Page{}))
	if len(l.Items) != 1 {
		t.Errorf("%d payments", len(l.Items))
	}
	_, err := f.svc.MyPayments(bg, f.admin(), kernel.Page{})
	wantKind(t, "a company member", err, kernel.KindForbidden)
	_, err = f.svc.MyPayments(bg, kernel.Anonymous, kernel.Page{})
	wantKind(t, "anonymous", err, kernel.KindUnauthenticated)
}

func TestPendingRefundSettledByItsEvent(t *testing.T) {
	f := newPayFixture(t, 0)
	f.provider.refundsPending = true
	o, pay := paidOrder(t, f, 5000)
	r := must[commerce.Refund](t, "refund")(f.svc.RefundOrder(bg, f.admin(), o.ID, commerce.RefundInput{Amount: 5000}))
	if r.Status != commerce.RefundPending || r.ProviderRefundID == "" {
		t.Fatalf("refund %+v, want pending with the provider's ID", r)
	}
	// an event for a refund of our charge that we have not recorded yet: asked again later
	err := f.webhook(t, ports.PaymentEvent{ID: "evt_early", Type: ports.EventRefundSucceeded, ChargeID: pay.ChargeID, RefundID: "re_unknown"})
	wantKind(t, "refund not recorded yet", err, kernel.KindUnavailable)
	if err := f.webhook(t, ports.PaymentEvent{ID: "evt_other", Type: ports.EventRefundSucceeded, ChargeID: "ch_not_ours", RefundID: "re_x"}); err != nil {
		t.Errorf("a refund of a charge not ours is ignored: %v", err)
	}
	for i := 0; i < 2; i++ {
		if err := f.webhook(t, ports.PaymentEvent{ID: "evt_rs", Type: ports.EventRefundSucceeded, ChargeID: pay.ChargeID, RefundID: r.ProviderRefundID}); err != nil {
			t.Fatal(err)
		}
	}
	got := must[commerce.Refund](t, "refund")(f.pays.GetRefund(bg, r.ID))
	if got.Status != commerce.RefundSucceeded {
		t.Errorf("refund %s after its event", got.Status)
	}
	if o := must[commerce.Order](t, "order")(f.orders.GetOrder(bg, o.ID)); o.Status != commerce.OrderRefunded {
		t.Errorf("order %s", o.Status)
	}
}

func TestPaymentWithoutItsChargeIsResumed(t *testing.T) {
	f := newPayFixture(t, 0)
	o := f.order(700)
	now := f.clock.Now()
	stuck := commerce.Payment{ID: kernel.NewID(), OrderID: o.ID, PatientID: o.PatientID, CompanyID: o.CompanyID, Provider: "fakepay",
		Method: ports.PayPix, Amount: o.Total, Status: commerce.PaymentPending, ExpiresAt: o.PayBy, CreatedAt: now, UpdatedAt: now}
	if err := f.pays.CreatePayment(bg, stuck); err != nil { // the request died before the provider answered
		t.Fatal(err)
	}
	_, err := f.svc.PayOrder(bg, f.patientP(), o.ID, commerce.PayInput{Method: ports.PayPix})
	wantKind(t, "while it may still be being created", err, kernel.KindConflict)
	f.clock.Advance(time.Minute)
	pay := must[commerce.Payment](t, "resume")(f.svc.PayOrder(bg, f.patientP(), o.ID, commerce.PayInput{Method: ports.PayPix}))
	if pay.ID != stuck.ID || pay.PixCopyPaste == "" || f.provider.chargeReq[0].IdempotencyKey != stuck.ID {
		t.Errorf("resumed %+v", pay)
	}
}
