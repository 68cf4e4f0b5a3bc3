package commerce_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// appointment adds a confirmed appointment of the fixture's patient starting in `in`.
func (f *payFixture) appointment(price int64, in time.Duration) *commerce.Appointment {
	a := &commerce.Appointment{ID: kernel.NewID(), PatientID: f.patient, ProfessionalID: kernel.NewID(), Status: commerce.AppointmentConfirmed,
		Start: f.clock.Now().Add(in), Price: kernel.BRL(price)}
	f.appointments[a.ID] = a
	return a
}

func (f *payFixture) apptCancelled(t *testing.T, id kernel.ID) error {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"appointment_id": id, "kind": "consultation", "status": "cancelled"})
	return f.svc.HandleAppointmentCancelled(context.Background(), ports.Delivery{Message: ports.Message{ID: kernel.NewID(), Topic: commerce.TopicAppointmentCancelled, Body: body}, Attempt: 1})
}

func TestPayAppointment(t *testing.T) {
	f := newPayFixture(t, 0)
	a := f.appointment(25000, 2*time.Hour)
	pix := commerce.PayInput{Method: ports.PayPix}

	other := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindPatient}
	_, err := f.svc.PayAppointment(bg, other, a.ID, pix)
	wantKind(t, "another patient", err, kernel.KindNotFound)
	_, err = f.svc.PayAppointment(bg, kernel.Principal{AccountID: a.ProfessionalID, Kind: kernel.KindProfessional}, a.ID, pix)
	wantKind(t, "the professional", err, kernel.KindNotFound)
	_, err = f.svc.PayAppointment(bg, f.patientP(), kernel.NewID(), pix)
	wantKind(t, "unknown appointment", err, kernel.KindNotFound)
	_, err = f.svc.PayAppointment(bg, f.patientP(), a.ID, commerce.PayInput{Method: "boleto"})
	wantKind(t, "unknown method", err, kernel.KindInvalid)

	pay := must[commerce.Payment](t, "pay")(f.svc.PayAppointment(bg, f.patientP(), a.ID, pix))
	if pay.AppointmentID != a.ID || pay.OrderID != "" || pay.Amount != kernel.BRL(25000) || pay.Status != commerce.PaymentPending || pay.ChargeID == "" {
		t.Errorf("payment %+v", pay)
	}
	// the pay window (30 min) ends before the start (2 h)
	if want := f.clock.Now().Add(30 * time.Minute); !pay.ExpiresAt.Equal(want) || !f.provider.chargeReq[0].ExpiresAt.Equal(want) {
		t.Errorf("expires at %v, want %v", pay.ExpiresAt, want)
	}
	if d := f.provider.chargeReq[0].Description; !strings.HasPrefix(d, "Consulta multisaude ") {
		t.Errorf("description %q", d)
	}
	again := must[commerce.Payment](t, "again")(f.svc.PayAppointment(bg, f.patientP(), a.ID, pix))
	if again.ID != pay.ID || len(f.provider.chargeReq) != 1 {
		t.Errorf("the same method again made another charge")
	}
	_, err = f.svc.PayAppointment(bg, f.patientP(), a.ID, commerce.PayInput{Method: ports.PayCard, CardToken: "tok_visa"})
	wantKind(t, "card while a Pix is pending", err, kernel.KindConflict)

	// the provider's event marks it succeeded; there is no order; the patient is told
	if err := f.webhook(t, ports.PaymentEvent{ID: "evt_ok", Type: ports.EventChargeSucceeded, ChargeID: pay.ChargeID, Reference: pay.ID, Amount: 25000}); err != nil {
		t.Fatal(err)
	}
	f.deliverChanged(t)
	f.deliverChanged(t)
	got := must[commerce.Payment](t, "payment")(f.pays.GetPayment(bg, pay.ID))
	if got.Status != commerce.PaymentSucceeded || got.Refunded != 0 {
		t.Errorf("payment %s refunded %d", got.Status, got.Refunded)
	}
	confirmed := 0
	for _, n := range f.notifier.to("maria@example.com") {
		if n.Subject == "Pagamento da consulta confirmado" && n.Data["appointment_id"] == a.ID {
			confirmed++
		}
	}
	if confirmed != 2 || len(f.orders.orders) != 0 { // once per delivery, under one notification ID
		t.Errorf("%d confirmations, %d orders", confirmed, len(f.orders.orders))
	}
	_, err = f.svc.PayAppointment(bg, f.patientP(), a.ID, pix)
	if wantKind(t, "paid already", err, kernel.KindConflict); err != nil && !strings.Contains(err.Error(), "a consulta já foi paga") {
		t.Errorf("paid already: %v", err)
	}
	list := must[[]commerce.Payment](t, "list")(f.svc.AppointmentPayments(bg, f.patientP(), a.ID))
	if len(list) != 1 || list[0].ID != pay.ID {
		t.Errorf("list %+v", list)
	}
	_, err = f.svc.AppointmentPayments(bg, other, a.ID)
	wantKind(t, "another patient's list", err, kernel.KindNotFound)
	mine := must[kernel.List[commerce.Payment]](t, "mine")(f.svc.MyPayments(bg, f.patientP(), kernel.Page{}))
	if len(mine.Items) != 1 || mine.Items[0].AppointmentID != a.ID {
		t.Errorf("my payments %+v", mine.Items)
	}

	// cancelled: refunded in full, once, however often the event comes
	a.Status = commerce.AppointmentCancelled
	for i := 0; i < 2; i++ {
		if err := f.apptCancelled(t, a.ID); err != nil {
			t.Fatalf("cancel delivery %d: %v", i+1, err)
		}
	}
	got = must[commerce.Payment](t, "payment")(f.pays.GetPayment(bg, pay.ID))
	if got.Refunded != 25000 || f.provider.refundedTotal() != 25000 || len(f.provider.refundReq) != 1 {
		t.Errorf("refunded %d, provider %d in %d requests", got.Refunded, f.provider.refundedTotal(), len(f.provider.refundReq))
	}
	_, err = f.svc.PayAppointment(bg, f.patientP(), a.ID, pix)
	wantKind(t, "cancelled", err, kernel.KindConflict)
}

func TestPayAppointmentRules(t *testing.T) {
	f := newPayFixture(t, 0)
	pix := commerce.PayInput{Method: ports.PayPix}

	free := f.appointment(0, 2*time.Hour)
	_, err := f.svc.PayAppointment(bg, f.patientP(), free.ID, pix)
	if wantKind(t, "free", err, kernel.KindConflict); err != nil && !strings.Contains(err.Error(), "esta consulta não tem valor a pagar") {
		t.Errorf("free: %v", err)
	}
	past := f.appointment(100, -time.Minute)
	_, err = f.svc.PayAppointment(bg, f.patientP(), past.ID, pix)
	wantKind(t, "started", err, kernel.KindConflict)
	for _, st := range []string{"cancelled", "completed", "no_show"} {
		a := f.appointment(100, time.Hour)
		a.Status = st
		_, err = f.svc.PayAppointment(bg, f.patientP(), a.ID, pix)
		wantKind(t, st, err, kernel.KindConflict)
	}
	// soon: the charge expires at the start
	soon := f.appointment(100, 10*time.Minute)
	pay := must[commerce.Payment](t, "soon")(f.svc.PayAppointment(bg, f.patientP(), soon.ID, pix))
	if !pay.ExpiresAt.Equal(soon.Start) {
		t.Errorf("expires at %v, want the start %v", pay.ExpiresAt, soon.Start)
	}

	// money that comes after the cancellation is refunded in full when settled
	late := f.appointment(7000, 3*time.Hour)
	lp := must[commerce.Payment](t, "late")(f.svc.PayAppointment(bg, f.patientP(), late.ID, pix))
	late.Status = commerce.AppointmentCancelled
	if err := f.apptCancelled(t, late.ID); err != nil { // nothing paid yet: nothing to refund
		t.Fatal(err)
	}
	if len(f.provider.refundReq) != 0 {
		t.Fatalf("refunded an unpaid appointment")
	}
	if err := f.webhook(t, ports.PaymentEvent{ID: "evt_late", Type: ports.EventChargeSucceeded, ChargeID: lp.ChargeID, Reference: lp.ID, Amount: 7000}); err != nil {
		t.Fatal(err)
	}
	f.deliverChanged(t)
	got := must[commerce.Payment](t, "late payment")(f.pays.GetPayment(bg, lp.ID))
	if got.Status != commerce.PaymentSucceeded || got.Refunded != 7000 || len(f.provider.refundReq) != 1 {
		t.Errorf("late payment %s refunded %d (%d requests)", got.Status, got.Refunded, len(f.provider.refundReq))
	}
}
