package commerce_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// --- orders ---

type fakeOrders struct {
	mu     sync.Mutex
	orders map[kernel.ID]commerce.Order
	events []kernel.Event
}

func (f *fakeOrders) CreateOrder(ctx context.Context, o commerce.Order, events []kernel.Event) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.orders[o.ID] = o
	f.events = append(f.events, events...)
	return nil
}

func (f *fakeOrders) GetOrder(ctx context.Context, id kernel.ID) (commerce.Order, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.orders[id]
	if !ok {
		return o, kernel.NotFound("order")
	}
	o.Timeline = append([]commerce.TimelineEntry(nil), o.Timeline...)
	return o, nil
}

func (f *fakeOrders) UpdateOrder(ctx context.Context, id kernel.ID, fn func(*commerce.Order) ([]kernel.Event, error)) (commerce.Order, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.orders[id]
	if !ok {
		return o, kernel.NotFound("order")
	}
	o.Timeline = append([]commerce.TimelineEntry(nil), o.Timeline...)
	evs, err := fn(&o)
	if err != nil {
		return commerce.Order{}, err
	}
	o.Version++
	f.orders[id] = o
	f.events = append(f.events, evs...)
	return o, nil
}

func (f *fakeOrders) ListOrders(ctx context.Context, fl commerce.OrderFilter, page kernel.Page) (kernel.List[commerce.Order], error) {
	return kernel.List[commerce.Order]{}, nil
}

func (f *fakeOrders) partnerEvents(typ string) []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []map[string]any
	for _, e := range f.events {
		if p, ok := e.Payload.(map[string]any); ok && e.Topic == commerce.TopicPartnerEvent && p["type"] == typ {
			out = append(out, p)
		}
	}
	return out
}

// --- payments ---

type fakePayStore struct {
	mu       sync.Mutex
	payments map[kernel.ID]commerce.Payment
	refunds  map[kernel.ID]commerce.Refund
	applied  map[string]bool
	events   []kernel.Event
}

func newFakePayStore() *fakePayStore {
	return &fakePayStore{payments: map[kernel.ID]commerce.Payment{}, refunds: map[kernel.ID]commerce.Refund{}, applied: map[string]bool{}}
}

func (f *fakePayStore) refunded(id kernel.ID) int64 {
	var n int64
	for _, r := range f.refunds {
		if r.PaymentID == id && r.Status != commerce.RefundFailed {
			n += r.Amount.Amount
		}
	}
	return n
}

func (f *fakePayStore) read(id kernel.ID) (commerce.Payment, bool) {
	p, ok := f.payments[id]
	p.Refunded = f.refunded(id)
	return p, ok
}

func (f *fakePayStore) CreatePayment(ctx context.Context, p commerce.Payment) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, x := range f.payments {
		if x.OrderID == p.OrderID && x.AppointmentID == p.AppointmentID && x.Status == commerce.PaymentPending {
			return kernel.Conflict("pending")
		}
	}
	f.payments[p.ID] = p
	return nil
}

func (f *fakePayStore) GetPayment(ctx context.Context, id kernel.ID) (commerce.Payment, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.read(id)
	if !ok {
		return p, kernel.NotFound("payment")
	}
	return p, nil
}

func (f *fakePayStore) UpdatePayment(ctx context.Context, id kernel.ID, fn func(*commerce.Payment) ([]kernel.Event, error)) (commerce.Payment, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.read(id)
	if !ok {
		return p, kernel.NotFound("payment")
	}
	evs, err := fn(&p)
	if err != nil {
		return commerce.Payment{}, err
	}
	f.payments[id] = p
	f.events = append(f.events, evs...)
	return p, nil
}

func (f *fakePayStore) sorted(keep func(commerce.Payment) bool) []commerce.Payment {
	var out []commerce.Payment
	for id := range f.payments {
		if p, _ := f.read(id); keep(p) {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (f *fakePayStore) OrderPayments(ctx context.Context, orderID kernel.ID) ([]commerce.Payment, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sorted(func(p commerce.Payment) bool { return p.OrderID == orderID }), nil
}

func (f *fakePayStore) AppointmentPayments(ctx context.Context, appointmentID kernel.ID) ([]commerce.Payment, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sorted(func(p commerce.Payment) bool { return p.AppointmentID == appointmentID }), nil
}

func (f *fakePayStore) ListPayments(ctx context.Context, fl commerce.PaymentFilter, page kernel.Page) (kernel.List[commerce.Payment], error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	all := f.sorted(func(p commerce.Payment) bool { return p.PatientID == fl.PatientID })
	for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
		all[i], all[j] = all[j], all[i]
	}
	return kernel.List[commerce.Payment]{Items: all}, nil
}

func (f *fakePayStore) ApplyChargeEvent(ctx context.Context, ev commerce.ChargeEvent, fn func(*commerce.Payment) ([]kernel.Event, error)) (commerce.Payment, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var p commerce.Payment
	found := false
	for id, x := range f.payments {
		if x.Provider == ev.Provider && (ev.PaymentID != "" && id == ev.PaymentID || ev.PaymentID == "" && x.ChargeID != "" && x.ChargeID == ev.ChargeID) {
			p, found = f.read(id)
		}
	}
	if !found {
		return p, false, kernel.NotFound("payment")
	}
	key := ev.Provider + "/" + ev.EventID
	if f.applied[key] {
		return p, false, nil
	}
	evs, err := fn(&p)
	if err != nil {
		return commerce.Payment{}, false, err
	}
	f.applied[key] = true
	f.payments[p.ID] = p
	f.events = append(f.events, evs...)
	return p, true, nil
}

func (f *fakePayStore) ApplyRefundEvent(ctx context.Context, ev commerce.ChargeEvent, fn func(*commerce.Refund) error) (commerce.Refund, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for id, r := range f.refunds {
		p := f.payments[r.PaymentID]
		if ev.RefundID == "" || r.ProviderRefundID != ev.RefundID || p.Provider != ev.Provider {
			continue
		}
		key := ev.Provider + "/" + ev.EventID
		if f.applied[key] {
			return r, false, nil
		}
		if err := fn(&r); err != nil {
			return commerce.Refund{}, false, err
		}
		f.applied[key] = true
		f.refunds[id] = r
		return r, true, nil
	}
	return commerce.Refund{}, false, kernel.NotFound("refund")
}

func (f *fakePayStore) CreateRefund(ctx context.Context, r commerce.Refund) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.read(r.PaymentID)
	if !ok {
		return kernel.NotFound("payment")
	}
	if _, dup := f.refunds[r.ID]; dup {
		return kernel.Conflict("exists")
	}
	if r.Amount.Amount > p.Amount.Amount-p.Refunded {
		return kernel.Conflict("too much")
	}
	f.refunds[r.ID] = r
	return nil
}

func (f *fakePayStore) GetRefund(ctx context.Context, id kernel.ID) (commerce.Refund, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.refunds[id]
	if !ok {
		return r, kernel.NotFound("refund")
	}
	return r, nil
}

func (f *fakePayStore) UpdateRefund(ctx context.Context, id kernel.ID, fn func(*commerce.Refund) error) (commerce.Refund, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.refunds[id]
	if !ok {
		return r, kernel.NotFound("refund")
	}
	if err := fn(&r); err != nil {
		return r, err
	}
	f.refunds[id] = r
	return r, nil
}

func (f *fakePayStore) OrderRefunds(ctx context.Context, orderID kernel.ID) ([]commerce.Refund, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []commerce.Refund
	for _, r := range f.refunds {
		if r.OrderID == orderID {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out, nil
}

func (f *fakePayStore) StatementLines(ctx context.Context, companyID kernel.ID, from, to time.Time, limit int) ([]commerce.StatementLine, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []commerce.StatementLine
	for _, p := range f.payments {
		if p.CompanyID == companyID && p.Status == commerce.PaymentSucceeded && !p.PaidAt.Before(from) && p.PaidAt.Before(to) {
			out = append(out, commerce.StatementLine{Kind: commerce.LinePayment, At: *p.PaidAt, OrderID: p.OrderID, PaymentID: p.ID, Method: p.Method, Amount: p.Amount})
		}
	}
	for _, r := range f.refunds {
		if r.CompanyID == companyID && r.Status != commerce.RefundFailed && !r.CreatedAt.Before(from) && r.CreatedAt.Before(to) {
			out = append(out, commerce.StatementLine{Kind: commerce.LineRefund, At: r.CreatedAt, OrderID: r.OrderID, PaymentID: r.PaymentID, RefundID: r.ID, Amount: r.Amount})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// --- the provider ---

type fakeProvider struct {
	mu             sync.Mutex
	charges        map[string]ports.Charge
	refunds        map[string]ports.Refund // by idempotency key
	refundReq      []ports.RefundRequest
	chargeReq      []ports.ChargeRequest
	cardNow        string // status a card charge gets at once
	refundsPending bool   // refunds answer "pending"; a refund event settles them
}

func newFakeProvider() *fakeProvider {
	return &fakeProvider{charges: map[string]ports.Charge{}, refunds: map[string]ports.Refund{}}
}

func (f *fakeProvider) Provider() string { return "fakepay" }

func (f *fakeProvider) CreateCharge(ctx context.Context, r ports.ChargeRequest) (ports.Charge, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.chargeReq = append(f.chargeReq, r)
	c := ports.Charge{ID: "ch_" + r.IdempotencyKey, Provider: "fakepay", Reference: r.Reference, Method: r.Method, Status: ports.ChargePending,
		Amount: r.Amount, Currency: r.Currency, ExpiresAt: r.ExpiresAt, CreatedAt: time.Now()}
	if r.Method == ports.PayPix {
		c.PixCopyPaste = "00020126580014BR.GOV.BCB.PIX" + r.Reference
	} else {
		c.ClientSecret = "secret_" + r.Reference
		if f.cardNow != "" {
			c.Status = f.cardNow
		}
	}
	f.charges[c.ID] = c
	return c, nil
}

func (f *fakeProvider) Capture(ctx context.Context, id string) (ports.Charge, error) {
	return ports.Charge{}, kernel.Conflict("no")
}

func (f *fakeProvider) Refund(ctx context.Context, r ports.RefundRequest) (ports.Refund, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refundReq = append(f.refundReq, r)
	if x, ok := f.refunds[r.IdempotencyKey]; ok {
		return x, nil
	}
	var total int64
	for _, x := range f.refunds {
		if x.ChargeID == r.ChargeID {
			total += x.Amount
		}
	}
	c, ok := f.charges[r.ChargeID]
	if !ok {
		return ports.Refund{}, kernel.NotFound("charge")
	}
	if total+r.Amount > c.Amount {
		return ports.Refund{}, kernel.Conflict("more than captured")
	}
	x := ports.Refund{ID: "re_" + r.IdempotencyKey, ChargeID: r.ChargeID, Amount: r.Amount, Status: "succeeded"}
	if f.refundsPending {
		x.Status = "pending"
	}
	f.refunds[r.IdempotencyKey] = x
	return x, nil
}

func (f *fakeProvider) refundedTotal() (n int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, x := range f.refunds {
		n += x.Amount
	}
	return n
}

func (f *fakeProvider) Charge(ctx context.Context, id string) (ports.Charge, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.charges[id]
	if !ok {
		return c, kernel.NotFound("charge")
	}
	return c, nil
}

// VerifyEvent accepts a body signed with the header "Fake-Signature: ok".
func (f *fakeProvider) VerifyEvent(ctx context.Context, headers map[string]string, body []byte) (ports.PaymentEvent, error) {
	if headers["Fake-Signature"] != "ok" {
		return ports.PaymentEvent{}, kernel.Unauthenticated("assinatura inválida")
	}
	var ev ports.PaymentEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return ev, kernel.Invalid("body", "não é um evento")
	}
	return ev, nil
}

// --- directory and notifier ---

type fakeDir struct {
	companies    map[kernel.ID]commerce.Company
	appointments map[kernel.ID]*commerce.Appointment
}

// Appointment follows scheduling's rule: a patient reads only their own.
func (d fakeDir) Appointment(ctx context.Context, p kernel.Principal, id kernel.ID) (commerce.Appointment, error) {
	a, ok := d.appointments[id]
	if !ok || p.Kind != kernel.KindPatient || a.PatientID != p.AccountID {
		return commerce.Appointment{}, kernel.NotFound("consulta não encontrada")
	}
	return *a, nil
}

func (d fakeDir) Company(ctx context.Context, id kernel.ID) (commerce.Company, error) {
	c, ok := d.companies[id]
	if !ok {
		return c, kernel.NotFound("company")
	}
	return c, nil
}
func (fakeDir) Partners(ctx context.Context, types []string) ([]commerce.Company, error) {
	return nil, nil
}
func (fakeDir) Plan(ctx context.Context, p kernel.Principal, id kernel.ID) (commerce.Plan, error) {
	return commerce.Plan{}, kernel.NotFound("plan")
}
func (fakeDir) Prescription(ctx context.Context, p kernel.Principal, id kernel.ID) (commerce.Prescription, error) {
	return commerce.Prescription{}, kernel.NotFound("prescription")
}
func (fakeDir) Dispense(ctx context.Context, p kernel.Principal, code, name, doc string) error {
	return nil
}
func (fakeDir) Patient(ctx context.Context, id kernel.ID) (commerce.Patient, error) {
	return commerce.Patient{ID: id, Name: "Maria", Email: "maria@example.com"}, nil
}

type fakeNotifier struct {
	mu   sync.Mutex
	sent []ports.Notification
}

func (n *fakeNotifier) Notify(ctx context.Context, x ports.Notification) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, x)
	return nil
}

func (n *fakeNotifier) to(addr string) []ports.Notification {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []ports.Notification
	for _, x := range n.sent {
		if x.To == addr {
			out = append(out, x)
		}
	}
	return out
}

// --- fixture ---

type payFixture struct {
	svc      *commerce.Service
	orders   *fakeOrders
	pays     *fakePayStore
	provider *fakeProvider
	notifier *fakeNotifier
	clock    *kernel.FixedClock
	company  kernel.ID
	patient  kernel.ID
	// appointments the directory knows (shared with it)
	appointments map[kernel.ID]*commerce.Appointment
}

func newPayFixture(t *testing.T, feeBP int64) *payFixture {
	t.Helper()
	f := &payFixture{orders: &fakeOrders{orders: map[kernel.ID]commerce.Order{}}, pays: newFakePayStore(), provider: newFakeProvider(),
		notifier: &fakeNotifier{}, clock: kernel.NewFixedClock(time.Date(2026, 12, 1, 13, 0, 0, 0, time.UTC)),
		company: kernel.NewID(), patient: kernel.NewID()}
	f.appointments = map[kernel.ID]*commerce.Appointment{}
	dir := fakeDir{companies: map[kernel.ID]commerce.Company{f.company: {ID: f.company, Name: "Farmácia Boa Saúde", Type: "pharmacy", Verified: true, Email: "loja@example.com"}},
		appointments: f.appointments}
	f.svc = commerce.NewService(commerce.Deps{Orders: f.orders, Payments: f.pays, Dir: dir, Pay: f.provider, Notifier: f.notifier,
		Clock: f.clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, commerce.Config{PlatformFeeBP: feeBP})
	return f
}

func (f *payFixture) order(total int64) commerce.Order {
	now := f.clock.Now()
	o := commerce.Order{ID: kernel.NewID(), PatientID: f.patient, CompanyID: f.company, Subtotal: kernel.BRL(total), Total: kernel.BRL(total),
		Status: commerce.OrderCreated, PayBy: now.Add(30 * time.Minute), CreatedAt: now, UpdatedAt: now,
		Timeline: []commerce.TimelineEntry{{Status: commerce.OrderCreated, At: now, By: kernel.KindPatient}}}
	f.orders.orders[o.ID] = o
	return o
}

func (f *payFixture) patientP() kernel.Principal {
	return kernel.Principal{AccountID: f.patient, Kind: kernel.KindPatient}
}

func (f *payFixture) admin() kernel.Principal {
	return kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindCompanyMember, CompanyID: f.company, Roles: []string{"admin"}}
}

// webhook sends a signed provider event.
func (f *payFixture) webhook(t *testing.T, ev ports.PaymentEvent) error {
	t.Helper()
	body, _ := json.Marshal(ev)
	return f.svc.ApplyWebhook(context.Background(), "fakepay", map[string]string{"Fake-Signature": "ok"}, body)
}

// deliverChanged runs the payment-changed consumer over every such event raised so far.
func (f *payFixture) deliverChanged(t *testing.T) {
	t.Helper()
	f.pays.mu.Lock()
	evs := append([]kernel.Event(nil), f.pays.events...)
	f.pays.mu.Unlock()
	for _, e := range evs {
		if e.Topic != commerce.TopicPaymentChanged {
			continue
		}
		body, _ := json.Marshal(e.Payload)
		if err := f.svc.HandlePaymentChanged(context.Background(), ports.Delivery{Message: ports.Message{ID: e.ID, Topic: e.Topic, Body: body}, Attempt: 1}); err != nil {
			t.Fatalf("HandlePaymentChanged: %v", err)
		}
	}
}

func (f *payFixture) cancelled(t *testing.T, orderID kernel.ID) error {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"order_id": orderID, "was_paid": true})
	return f.svc.HandleOrderCancelled(context.Background(), ports.Delivery{Message: ports.Message{ID: kernel.NewID(), Topic: commerce.TopicOrderCancelled, Body: body}, Attempt: 1})
}
