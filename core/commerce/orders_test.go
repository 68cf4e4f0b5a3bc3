package commerce_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// --- fakes (prefixed ord: the payments tests have their own) ---

type ordStore struct {
	mu     sync.Mutex
	orders map[kernel.ID]commerce.Order
	events []kernel.Event
}

func (s *ordStore) CreateOrder(ctx context.Context, o commerce.Order, events []kernel.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orders[o.ID] = o
	s.events = append(s.events, events...)
	return nil
}

func (s *ordStore) GetOrder(ctx context.Context, id kernel.ID) (commerce.Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return o, kernel.NotFound("pedido não encontrado")
	}
	return o, nil
}

func (s *ordStore) UpdateOrder(ctx context.Context, id kernel.ID, fn func(*commerce.Order) ([]kernel.Event, error)) (commerce.Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return o, kernel.NotFound("pedido não encontrado")
	}
	o.Timeline = slices.Clone(o.Timeline)
	evs, err := fn(&o)
	if err != nil {
		return commerce.Order{}, err
	}
	o.Version++
	s.orders[id] = o
	s.events = append(s.events, evs...)
	return o, nil
}

func (s *ordStore) ListOrders(ctx context.Context, f commerce.OrderFilter, page kernel.Page) (kernel.List[commerce.Order], error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := kernel.List[commerce.Order]{Items: []commerce.Order{}}
	for _, o := range s.orders {
		if (f.PatientID == "" || o.PatientID == f.PatientID) && (f.CompanyID == "" || o.CompanyID == f.CompanyID) && (f.Status == "" || o.Status == f.Status) {
			out.Items = append(out.Items, o)
		}
	}
	return out, nil
}

func (s *ordStore) topics() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, e := range s.events {
		if e.Topic == commerce.TopicPartnerEvent {
			out = append(out, e.Payload.(map[string]any)["type"].(string))
		} else {
			out = append(out, e.Topic)
		}
	}
	return out
}

type ordCatalog map[string]commerce.Item // company/sku

func (c ordCatalog) Items(ctx context.Context, companyID kernel.ID, skus []string) (map[string]commerce.Item, error) {
	out := map[string]commerce.Item{}
	for _, s := range skus {
		if it, ok := c[companyID+"/"+s]; ok {
			out[s] = it
		}
	}
	return out, nil
}

func (c ordCatalog) Offers(ctx context.Context, q commerce.OfferQuery) ([]commerce.Item, error) {
	return nil, nil
}

// ordCatalogStore is the fake as a whole CatalogStore: orders use Items only;
// any other method panics.
type ordCatalogStore struct {
	commerce.CatalogStore
	ordCatalog
}

func (c ordCatalogStore) Items(ctx context.Context, companyID kernel.ID, skus []string) (map[string]commerce.Item, error) {
	return c.ordCatalog.Items(ctx, companyID, skus)
}

func (c ordCatalogStore) Offers(ctx context.Context, q commerce.OfferQuery) ([]commerce.Item, error) {
	return c.ordCatalog.Offers(ctx, q)
}

type dispensed struct {
	p           kernel.Principal
	code, n, id string
}

type ordDir struct {
	companies map[kernel.ID]commerce.Company
	rx        map[kernel.ID]commerce.Prescription
	plans     map[kernel.ID]commerce.Plan
	patients  map[kernel.ID]commerce.Patient
	mu        sync.Mutex
	dispensed []dispensed
	failRx    error
}

func (d *ordDir) Company(ctx context.Context, id kernel.ID) (commerce.Company, error) {
	c, ok := d.companies[id]
	if !ok {
		return c, kernel.NotFound("empresa não encontrada")
	}
	return c, nil
}
func (d *ordDir) Partners(ctx context.Context, types []string) ([]commerce.Company, error) {
	return nil, nil
}
func (d *ordDir) Plan(ctx context.Context, p kernel.Principal, id kernel.ID) (commerce.Plan, error) {
	pl, ok := d.plans[id]
	if !ok || pl.PatientID != p.AccountID {
		return pl, kernel.NotFound("plano não encontrado")
	}
	return pl, nil
}
func (d *ordDir) Prescription(ctx context.Context, p kernel.Principal, id kernel.ID) (commerce.Prescription, error) {
	rx, ok := d.rx[id]
	if !ok {
		return rx, kernel.NotFound("receita não encontrada")
	}
	return rx, nil
}
func (d *ordDir) Dispense(ctx context.Context, p kernel.Principal, code, name, doc string) error {
	if d.failRx != nil {
		return d.failRx
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.dispensed = append(d.dispensed, dispensed{p: p, code: code, n: name, id: doc})
	return nil
}
func (d *ordDir) Appointment(ctx context.Context, p kernel.Principal, id kernel.ID) (commerce.Appointment, error) {
	return commerce.Appointment{}, kernel.NotFound("consulta não encontrada")
}

func (d *ordDir) Patient(ctx context.Context, id kernel.ID) (commerce.Patient, error) {
	pt, ok := d.patients[id]
	if !ok {
		return pt, kernel.NotFound("paciente não encontrado")
	}
	return pt, nil
}

type ordSched struct {
	mu        sync.Mutex
	jobs      map[string]ports.Job
	cancelled []string
}

func (s *ordSched) Schedule(ctx context.Context, j ports.Job) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobs[j.ID] = j
	return nil
}

func (s *ordSched) Cancel(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cancelled = append(s.cancelled, id)
	delete(s.jobs, id)
	return nil
}

type ordMail struct {
	mu   sync.Mutex
	sent []ports.Notification
}

func (m *ordMail) Notify(ctx context.Context, n ports.Notification) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, n)
	return nil
}

func (m *ordMail) templates() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, n := range m.sent {
		out = append(out, n.Template)
	}
	return out
}

type ordGeo struct{ at ports.Point }

func (g ordGeo) Geocode(ctx context.Context, a ports.Address) (ports.Point, error) {
	if a.CEP == "00000-000" {
		return ports.Point{}, kernel.NotFound("não localizado")
	}
	return g.at, nil
}

type ordClock struct{ t time.Time }

func (c *ordClock) Now() time.Time { return c.t }

// --- the world ---

type ordWorld struct {
	svc                     *commerce.Service
	store                   *ordStore
	dir                     *ordDir
	sched                   *ordSched
	mail                    *ordMail
	clock                   *ordClock
	pharmacy, market        commerce.Company
	patient, other          kernel.Principal
	member, staff, stranger kernel.Principal
	keyRead, keyWrite       kernel.Principal
	rxID, planID            kernel.ID
}

const (
	patientCPF   = "52998224725"
	patientEmail = "aurora.quintela@example.test"
	diagnosis    = "DIAGNOSTICO-SIGILOSO"
	planText     = "PLANO-SIGILOSO"
)

func ordItem(co kernel.ID, sku string, price int64, mut ...func(*commerce.Item)) commerce.Item {
	stock := int64(100)
	it := commerce.Item{CompanyID: co, SKU: sku, Name: "Item " + sku, Kind: commerce.KindProduct, Price: kernel.BRL(price), Stock: &stock,
		Fulfilment: commerce.Fulfilment{Pickup: true, Delivery: &commerce.DeliveryTerms{RadiusKM: 5, Fee: kernel.BRL(800)}}}
	for _, m := range mut {
		m(&it)
	}
	return it
}

func newOrdWorld(t *testing.T) *ordWorld {
	t.Helper()
	w := &ordWorld{store: &ordStore{orders: map[kernel.ID]commerce.Order{}}, sched: &ordSched{jobs: map[string]ports.Job{}}, mail: &ordMail{},
		clock: &ordClock{t: time.Date(2026, 12, 7, 14, 0, 0, 0, time.UTC)}}
	w.pharmacy = commerce.Company{ID: kernel.NewID(), Name: "Drogaria Central", Type: "pharmacy", Verified: true, Point: &commerce.Point{Lat: -23.5614, Lng: -46.6559}}
	w.market = commerce.Company{ID: kernel.NewID(), Name: "Mercado Bom", Type: "market", Verified: true, Point: &commerce.Point{Lat: -23.5614, Lng: -46.6559}}
	unverified := commerce.Company{ID: kernel.NewID(), Name: "Pendente", Type: "market"}
	w.patient = kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindPatient}
	w.other = kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindPatient}
	w.member = kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindCompanyMember, CompanyID: w.pharmacy.ID, Roles: []string{"admin"}}
	w.staff = kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindCompanyMember, CompanyID: w.pharmacy.ID, Roles: []string{"staff"}}
	w.stranger = kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindCompanyMember, CompanyID: w.market.ID, Roles: []string{"admin"}}
	w.keyRead = kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindAPIKey, CompanyID: w.pharmacy.ID, Scopes: []string{"orders:read"}}
	w.keyWrite = kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindAPIKey, CompanyID: w.pharmacy.ID, Scopes: []string{"orders:write", "prescriptions:dispense"}}
	w.rxID, w.planID = kernel.NewID(), kernel.NewID()
	until := w.clock.t.Add(30 * 24 * time.Hour)
	w.dir = &ordDir{
		companies: map[kernel.ID]commerce.Company{w.pharmacy.ID: w.pharmacy, w.market.ID: w.market, unverified.ID: unverified},
		rx: map[kernel.ID]commerce.Prescription{w.rxID: {ID: w.rxID, PatientID: w.patient.AccountID, Status: "issued", ValidUntil: &until,
			VerificationCode: "ABCD-EFGH-JKLM", Items: []commerce.RxItem{{Drug: "Losartana", ActiveIngredient: "Losartana Potássica", Concentration: "50 mg"}}}},
		plans:    map[kernel.ID]commerce.Plan{w.planID: {ID: w.planID, PatientID: w.patient.AccountID, Active: true, Items: []commerce.PlanItem{{Name: planText}}}},
		patients: map[kernel.ID]commerce.Patient{w.patient.AccountID: {ID: w.patient.AccountID, Name: "Aurora Quintela Brandão", Email: patientEmail}},
	}
	cat := ordCatalog{}
	for _, it := range []commerce.Item{
		ordItem(w.pharmacy.ID, "LOS-50", 2590, func(it *commerce.Item) {
			it.Kind, it.RequiresPrescription, it.ActiveIngredient, it.Concentration = commerce.KindMedication, true, "losartana potassica", "50mg"
		}),
		ordItem(w.pharmacy.ID, "LOS-100", 3590, func(it *commerce.Item) {
			it.Kind, it.RequiresPrescription, it.ActiveIngredient, it.Concentration = commerce.KindMedication, true, "Losartana Potássica", "100 mg"
		}),
		ordItem(w.pharmacy.ID, "GEL", 1500),
		ordItem(w.pharmacy.ID, "FAR", 1500, func(it *commerce.Item) {
			it.Fulfilment.Delivery.Fee = kernel.BRL(1200)
			it.Fulfilment.Delivery.RadiusKM = 50
		}),
		ordItem(w.pharmacy.ID, "TINY", 1500, func(it *commerce.Item) { it.Fulfilment.Delivery.RadiusKM = 1 }),
		ordItem(w.pharmacy.ID, "NOPICK", 1000, func(it *commerce.Item) { it.Fulfilment.Pickup = false }),
		ordItem(w.pharmacy.ID, "NODELIV", 1000, func(it *commerce.Item) { it.Fulfilment.Delivery = nil }),
		ordItem(w.market.ID, "OATS", 890, func(it *commerce.Item) { it.Kind = commerce.KindFood }),
		ordItem(unverified.ID, "X", 100),
	} {
		cat[it.CompanyID+"/"+it.SKU] = it
	}
	// the delivery address geocodes ~3.2 km from the company
	w.svc = commerce.NewService(commerce.Deps{Catalog: ordCatalogStore{ordCatalog: cat}, Orders: w.store, Dir: w.dir, Scheduler: w.sched, Notifier: w.mail,
		Geocoder: ordGeo{at: ports.Point{Lat: -23.59, Lng: -46.6559}}, Clock: w.clock}, commerce.Config{PayWindow: 30 * time.Minute})
	return w
}

func addr() *commerce.DeliveryAddress {
	return &commerce.DeliveryAddress{CEP: "01310-100", Street: "Avenida Paulista", Number: "1000", Complement: "ap 12", District: "Bela Vista", City: "São Paulo", UF: "sp"}
}

func wantOrdKind(t *testing.T, what string, err error, k kernel.Kind, mentions ...string) {
	t.Helper()
	if kernel.KindOf(err) != k || err == nil {
		t.Fatalf("%s: got %v, want kind %s", what, err, k)
	}
	for _, m := range mentions {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("%s: %q does not mention %q", what, err.Error(), m)
		}
	}
}

func (w *ordWorld) pickup(t *testing.T, co kernel.ID, skus ...string) commerce.Order {
	t.Helper()
	in := commerce.PlaceOrderInput{CompanyID: co, Method: commerce.MethodPickup}
	for _, s := range skus {
		in.Items = append(in.Items, commerce.OrderLineInput{SKU: s, Quantity: 2})
	}
	o, err := w.svc.PlaceOrder(context.Background(), w.patient, in)
	if err != nil {
		t.Fatalf("place: %v", err)
	}
	return o
}

// pay moves an order to paid as the payments part does.
func (w *ordWorld) pay(t *testing.T, id kernel.ID) {
	t.Helper()
	_, err := w.store.UpdateOrder(context.Background(), id, func(o *commerce.Order) ([]kernel.Event, error) {
		at := w.clock.t
		o.PaidAt = &at
		return nil, o.Move(commerce.OrderPaid, at, kernel.KindAnonymous, "pagamento confirmado")
	})
	if err != nil {
		t.Fatal(err)
	}
}

func countOf(list []string, s string) (n int) {
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// --- tests ---

func TestPlaceOrderCapturesPricesAndSchedulesExpiry(t *testing.T) {
	w := newOrdWorld(t)
	ctx := context.Background()
	o, err := w.svc.PlaceOrder(ctx, w.patient, commerce.PlaceOrderInput{CompanyID: w.pharmacy.ID, Method: commerce.MethodDelivery, Address: addr(),
		Items: []commerce.OrderLineInput{{SKU: "GEL", Quantity: 3}, {SKU: "FAR", Quantity: 1}}, PlanID: w.planID})
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != commerce.OrderCreated || o.Subtotal.Amount != 3*1500+1500 || o.Fulfilment.Fee.Amount != 1200 || o.Total.Amount != 6000+1200 {
		t.Errorf("status %s subtotal %d fee %d total %d", o.Status, o.Subtotal.Amount, o.Fulfilment.Fee.Amount, o.Total.Amount)
	}
	if o.Lines[0].UnitPrice.Amount != 1500 || o.Lines[0].Total.Amount != 4500 || o.Lines[0].Name != "Item GEL" {
		t.Errorf("line 0: %+v", o.Lines[0])
	}
	if !o.PayBy.Equal(w.clock.t.Add(30*time.Minute)) || o.PlanID != w.planID || o.Fulfilment.Recipient != "Aurora" || o.Fulfilment.Address.UF != "SP" {
		t.Errorf("pay_by %s plan %s recipient %q address %+v", o.PayBy, o.PlanID, o.Fulfilment.Recipient, o.Fulfilment.Address)
	}
	j, ok := w.sched.jobs["order-expire:"+o.ID]
	if !ok || !j.At.Equal(o.PayBy) || j.Msg.Topic != commerce.TopicOrderExpire || j.Msg.Key != o.ID || string(j.Msg.Body) != fmt.Sprintf(`{"order_id":%q}`, o.ID) {
		t.Errorf("expiry job: %+v (found %v)", j, ok)
	}
	if got := w.store.topics(); !slices.Equal(got, []string{commerce.EventOrderCreated}) {
		t.Errorf("events: %v", got)
	}
	if len(w.mail.sent) != 0 {
		t.Errorf("a created order e-mails no one: %v", w.mail.templates())
	}
}

func TestPlaceOrderValidation(t *testing.T) {
	w := newOrdWorld(t)
	ctx := context.Background()
	many := make([]commerce.OrderLineInput, commerce.MaxOrderLines+1)
	for i := range many {
		many[i] = commerce.OrderLineInput{SKU: fmt.Sprint("S", i), Quantity: 1}
	}
	cases := []struct {
		name   string
		in     commerce.PlaceOrderInput
		fields []string
	}{
		{"empty", commerce.PlaceOrderInput{}, []string{"company_id", "fulfilment.method", "items"}},
		{"too many lines", commerce.PlaceOrderInput{CompanyID: w.pharmacy.ID, Items: many, Method: "pickup"}, []string{"items"}},
		{"quantities and duplicates", commerce.PlaceOrderInput{CompanyID: w.pharmacy.ID, Method: "pickup",
			Items: []commerce.OrderLineInput{{SKU: "GEL", Quantity: 0}, {SKU: "GEL", Quantity: 100}, {SKU: " ", Quantity: 1}}},
			[]string{"items[0].quantity", "items[1].quantity", "items[1].sku", "items[2].sku"}},
		{"delivery without address", commerce.PlaceOrderInput{CompanyID: w.pharmacy.ID, Method: "delivery", Items: []commerce.OrderLineInput{{SKU: "GEL", Quantity: 1}}},
			[]string{"fulfilment.address"}},
		{"bad address", commerce.PlaceOrderInput{CompanyID: w.pharmacy.ID, Method: "delivery", Items: []commerce.OrderLineInput{{SKU: "GEL", Quantity: 1}},
			Address: &commerce.DeliveryAddress{CEP: "123", UF: "XX"}},
			[]string{"fulfilment.address.cep", "fulfilment.address.city", "fulfilment.address.district", "fulfilment.address.number", "fulfilment.address.street", "fulfilment.address.uf"}},
		{"pickup with address", commerce.PlaceOrderInput{CompanyID: w.pharmacy.ID, Method: "pickup", Address: addr(), Items: []commerce.OrderLineInput{{SKU: "GEL", Quantity: 1}},
			PrescriptionID: "x", PlanID: "y"}, []string{"fulfilment.address", "plan_id", "prescription_id"}},
	}
	for _, tc := range cases {
		_, err := w.svc.PlaceOrder(ctx, w.patient, tc.in)
		var ke *kernel.Error
		if !errors.As(err, &ke) || ke.Kind != kernel.KindInvalid {
			t.Errorf("%s: %v, want invalid", tc.name, err)
			continue
		}
		var got []string
		for _, f := range ke.Fields {
			got = append(got, f.Field)
		}
		if !slices.Equal(got, tc.fields) {
			t.Errorf("%s: fields %v, want %v", tc.name, got, tc.fields)
		}
	}
	_, err := w.svc.PlaceOrder(ctx, w.member, commerce.PlaceOrderInput{})
	wantOrdKind(t, "a company member orders", err, kernel.KindForbidden)
	_, err = w.svc.PlaceOrder(ctx, kernel.Anonymous, commerce.PlaceOrderInput{})
	wantOrdKind(t, "anonymous", err, kernel.KindUnauthenticated)
	for id := range w.dir.companies {
		if !w.dir.companies[id].Verified {
			_, err = w.svc.PlaceOrder(ctx, w.patient, commerce.PlaceOrderInput{CompanyID: id, Method: "pickup", Items: []commerce.OrderLineInput{{SKU: "X", Quantity: 1}}})
			wantOrdKind(t, "an unverified company", err, kernel.KindNotFound)
		}
	}
	_, err = w.svc.PlaceOrder(ctx, w.patient, commerce.PlaceOrderInput{CompanyID: kernel.NewID(), Method: "pickup", Items: []commerce.OrderLineInput{{SKU: "X", Quantity: 1}}})
	wantOrdKind(t, "an unknown company", err, kernel.KindNotFound)
}

func TestPlaceOrderCatalogueAndFulfilmentRules(t *testing.T) {
	w := newOrdWorld(t)
	ctx := context.Background()
	place := func(method string, a *commerce.DeliveryAddress, skus ...string) error {
		in := commerce.PlaceOrderInput{CompanyID: w.pharmacy.ID, Method: method, Address: a}
		for _, s := range skus {
			in.Items = append(in.Items, commerce.OrderLineInput{SKU: s, Quantity: 1})
		}
		_, err := w.svc.PlaceOrder(ctx, w.patient, in)
		return err
	}
	wantOrdKind(t, "unknown SKU", place("pickup", nil, "GEL", "NOPE"), kernel.KindUnprocessable, "NOPE")
	wantOrdKind(t, "pickup of a delivery-only item", place("pickup", nil, "GEL", "NOPICK"), kernel.KindUnprocessable, "NOPICK")
	wantOrdKind(t, "delivery of a pickup-only item", place("delivery", addr(), "FAR", "NODELIV"), kernel.KindUnprocessable, "NODELIV")
	wantOrdKind(t, "beyond the radius", place("delivery", addr(), "GEL", "TINY"), kernel.KindUnprocessable, "TINY", "raio")
	bad := addr()
	bad.CEP = "00000-000"
	wantOrdKind(t, "an address the geocoder cannot place", place("delivery", bad, "FAR"), kernel.KindUnprocessable)
	if err := place("delivery", addr(), "FAR"); err != nil {
		t.Errorf("within the radius: %v", err)
	}
	low := int64(1)
	w2 := newOrdWorld(t)
	cat := w2.svc.Catalog.(ordCatalogStore).ordCatalog
	g := cat[w2.pharmacy.ID+"/GEL"]
	g.Stock = &low
	cat[w2.pharmacy.ID+"/GEL"] = g
	_, err := w2.svc.PlaceOrder(ctx, w2.patient, commerce.PlaceOrderInput{CompanyID: w2.pharmacy.ID, Method: "pickup", Items: []commerce.OrderLineInput{{SKU: "GEL", Quantity: 2}}})
	wantOrdKind(t, "more than the stock", err, kernel.KindConflict, "GEL")
}

func TestPlaceOrderPrescriptionRules(t *testing.T) {
	w := newOrdWorld(t)
	ctx := context.Background()
	place := func(p kernel.Principal, rx kernel.ID, skus ...string) (commerce.Order, error) {
		in := commerce.PlaceOrderInput{CompanyID: w.pharmacy.ID, Method: "pickup", PrescriptionID: rx}
		for _, s := range skus {
			in.Items = append(in.Items, commerce.OrderLineInput{SKU: s, Quantity: 1})
		}
		return w.svc.PlaceOrder(ctx, p, in)
	}
	_, err := place(w.patient, "", "GEL", "LOS-50")
	wantOrdKind(t, "no prescription", err, kernel.KindUnprocessable, "prescription_id", "items[1].sku", "LOS-50")
	_, err = place(w.patient, w.rxID, "LOS-100")
	wantOrdKind(t, "another concentration", err, kernel.KindUnprocessable, "LOS-100")
	o, err := place(w.patient, w.rxID, "GEL", "LOS-50") // "Losartana Potássica 50 mg" covers "losartana potassica 50mg"
	if err != nil {
		t.Fatalf("a covering prescription: %v", err)
	}
	if o.PrescriptionID != w.rxID || o.PrescriptionCode != "ABCD-EFGH-JKLM" {
		t.Errorf("prescription not kept: %q %q", o.PrescriptionID, o.PrescriptionCode)
	}
	_, err = place(w.other, w.rxID, "LOS-50")
	wantOrdKind(t, "another patient's prescription", err, kernel.KindNotFound)
	rx := w.dir.rx[w.rxID]
	rx.Status = "dispensed"
	w.dir.rx[w.rxID] = rx
	_, err = place(w.patient, w.rxID, "LOS-50")
	wantOrdKind(t, "a dispensed prescription", err, kernel.KindConflict, "receita")
	_, err = w.svc.PlaceOrder(ctx, w.patient, commerce.PlaceOrderInput{CompanyID: w.market.ID, Method: "pickup", PrescriptionID: w.rxID,
		Items: []commerce.OrderLineInput{{SKU: "OATS", Quantity: 1}}})
	wantOrdKind(t, "a prescription sent to a market", err, kernel.KindUnprocessable, "prescription_id")
	_, err = w.svc.PlaceOrder(ctx, w.other, commerce.PlaceOrderInput{CompanyID: w.market.ID, Method: "pickup", PlanID: w.planID,
		Items: []commerce.OrderLineInput{{SKU: "OATS", Quantity: 1}}})
	wantOrdKind(t, "another patient's plan", err, kernel.KindNotFound)
}

func TestOrderMovesBySide(t *testing.T) {
	w := newOrdWorld(t)
	ctx := context.Background()
	o := w.pickup(t, w.pharmacy.ID, "GEL")
	_, err := w.svc.MoveOrder(ctx, w.member, o.ID, commerce.ActionAccept, commerce.MoveInput{})
	wantOrdKind(t, "accept an unpaid order", err, kernel.KindConflict, "criado")
	w.pay(t, o.ID)
	_, err = w.svc.MoveOrder(ctx, w.patient, o.ID, commerce.ActionAccept, commerce.MoveInput{})
	wantOrdKind(t, "the patient accepts", err, kernel.KindForbidden)
	_, err = w.svc.MoveOrder(ctx, w.keyRead, o.ID, commerce.ActionAccept, commerce.MoveInput{})
	wantOrdKind(t, "a read-only key accepts", err, kernel.KindForbidden)
	_, err = w.svc.MoveOrder(ctx, w.stranger, o.ID, commerce.ActionAccept, commerce.MoveInput{})
	wantOrdKind(t, "another company accepts", err, kernel.KindNotFound)
	_, err = w.svc.MoveOrder(ctx, w.other, o.ID, commerce.ActionCancel, commerce.MoveInput{})
	wantOrdKind(t, "another patient cancels", err, kernel.KindNotFound)
	for _, step := range []struct {
		p      kernel.Principal
		action string
		want   commerce.OrderStatus
	}{{w.member, "accept", commerce.OrderAccepted}, {w.staff, "prepare", commerce.OrderPreparing}} {
		got, err := w.svc.MoveOrder(ctx, step.p, o.ID, step.action, commerce.MoveInput{})
		if err != nil || got.Status != step.want || got.PatientID != "" {
			t.Fatalf("%s: %v %s (patient %q in the partner's answer)", step.action, err, got.Status, got.PatientID)
		}
	}
	_, err = w.svc.MoveOrder(ctx, w.patient, o.ID, commerce.ActionCancel, commerce.MoveInput{})
	wantOrdKind(t, "the patient cancels a preparing order", err, kernel.KindConflict, "em preparação")
	_, err = w.svc.MoveOrder(ctx, w.keyWrite, o.ID, commerce.ActionDispatch, commerce.MoveInput{})
	wantOrdKind(t, "dispatch a pickup order", err, kernel.KindConflict, "retirada")
	got, err := w.svc.MoveOrder(ctx, w.keyWrite, o.ID, commerce.ActionReady, commerce.MoveInput{})
	if err != nil || got.Status != commerce.OrderReadyForPickup {
		t.Fatalf("ready: %v", err)
	}
	_, err = w.svc.MoveOrder(ctx, w.member, o.ID, commerce.ActionCancel, commerce.MoveInput{Reason: "sem estoque"})
	wantOrdKind(t, "cancel after ready", err, kernel.KindConflict, "pronto para retirada")
	got, err = w.svc.MoveOrder(ctx, w.member, o.ID, commerce.ActionDeliver, commerce.MoveInput{})
	if err != nil || got.Status != commerce.OrderDelivered || len(got.Timeline) != 6 {
		t.Fatalf("deliver: %v %s %d steps", err, got.Status, len(got.Timeline))
	}
	if tl := got.Timeline[len(got.Timeline)-1]; tl.By != kernel.KindCompanyMember {
		t.Errorf("last step by %q", tl.By)
	}
	want := []string{"order_accepted", "order_ready_for_pickup", "order_delivered"}
	if !slices.Equal(w.mail.templates(), want) {
		t.Errorf("e-mails: %v, want %v", w.mail.templates(), want)
	}
	for _, n := range w.mail.sent {
		if n.To != patientEmail || !strings.Contains(n.Body, "Drogaria Central") {
			t.Errorf("e-mail to %q: %q", n.To, n.Body)
		}
	}
	// a delivery order goes out for delivery
	d, err := w.svc.PlaceOrder(ctx, w.patient, commerce.PlaceOrderInput{CompanyID: w.pharmacy.ID, Method: "delivery", Address: addr(),
		Items: []commerce.OrderLineInput{{SKU: "FAR", Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	w.pay(t, d.ID)
	for _, a := range []string{"accept", "prepare"} {
		if _, err := w.svc.MoveOrder(ctx, w.member, d.ID, a, commerce.MoveInput{}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = w.svc.MoveOrder(ctx, w.member, d.ID, commerce.ActionReady, commerce.MoveInput{})
	wantOrdKind(t, "ready on a delivery order", err, kernel.KindConflict, "entrega")
	if got, err := w.svc.MoveOrder(ctx, w.member, d.ID, commerce.ActionDispatch, commerce.MoveInput{}); err != nil || got.Status != commerce.OrderOutForDelivery {
		t.Fatalf("dispatch: %v", err)
	}
}

func TestCancelBothSides(t *testing.T) {
	w := newOrdWorld(t)
	ctx := context.Background()
	a := w.pickup(t, w.pharmacy.ID, "GEL")
	got, err := w.svc.MoveOrder(ctx, w.patient, a.ID, commerce.ActionCancel, commerce.MoveInput{Reason: "desisti"})
	if err != nil || got.Status != commerce.OrderCancelled {
		t.Fatalf("patient cancels a created order: %v", err)
	}
	if !slices.Contains(w.sched.cancelled, "order-expire:"+a.ID) {
		t.Errorf("the expiry job was not cancelled: %v", w.sched.cancelled)
	}
	b := w.pickup(t, w.pharmacy.ID, "GEL")
	w.pay(t, b.ID)
	_, err = w.svc.MoveOrder(ctx, w.member, b.ID, commerce.ActionCancel, commerce.MoveInput{Reason: "  "})
	wantOrdKind(t, "the company cancels without a reason", err, kernel.KindInvalid, "reason")
	_, err = w.svc.MoveOrder(ctx, w.member, b.ID, commerce.ActionCancel, commerce.MoveInput{Reason: "produto vencido"})
	if err != nil {
		t.Fatal(err)
	}
	var cancelled []commerce.CancelledEvent
	for _, e := range w.store.events {
		if e.Topic == commerce.TopicOrderCancelled {
			cancelled = append(cancelled, e.Payload.(commerce.CancelledEvent))
		}
	}
	if len(cancelled) != 2 || cancelled[0] != (commerce.CancelledEvent{OrderID: a.ID}) || cancelled[1] != (commerce.CancelledEvent{OrderID: b.ID, WasPaid: true}) {
		t.Errorf("cancelled events: %+v", cancelled)
	}
	if n := countOf(w.store.topics(), commerce.EventOrderCancelled); n != 2 {
		t.Errorf("%d order.cancelled partner events", n)
	}
	last := w.mail.sent[len(w.mail.sent)-1]
	if last.Template != "order_cancelled" || !strings.Contains(last.Body, "produto vencido") || !strings.Contains(last.Body, "devolvido") {
		t.Errorf("cancellation e-mail: %+v", last)
	}
}

func TestReadyDispensesThePrescription(t *testing.T) {
	w := newOrdWorld(t)
	ctx := context.Background()
	o, err := w.svc.PlaceOrder(ctx, w.patient, commerce.PlaceOrderInput{CompanyID: w.pharmacy.ID, Method: "pickup", PrescriptionID: w.rxID,
		Items: []commerce.OrderLineInput{{SKU: "LOS-50", Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	w.pay(t, o.ID)
	for _, a := range []string{"accept", "prepare"} {
		if _, err := w.svc.MoveOrder(ctx, w.keyWrite, o.ID, a, commerce.MoveInput{}); err != nil {
			t.Fatal(err)
		}
	}
	w.dir.failRx = kernel.Conflict("a receita já foi dispensada")
	_, err = w.svc.MoveOrder(ctx, w.keyWrite, o.ID, commerce.ActionReady, commerce.MoveInput{})
	wantOrdKind(t, "clinical refuses to dispense", err, kernel.KindConflict, "dispensada")
	if cur, _ := w.store.GetOrder(ctx, o.ID); cur.Status != commerce.OrderPreparing {
		t.Errorf("the order moved though dispensing failed: %s", cur.Status)
	}
	w.dir.failRx = nil
	got, err := w.svc.MoveOrder(ctx, w.keyWrite, o.ID, commerce.ActionReady, commerce.MoveInput{BuyerName: "Aurora", BuyerDocument: "RG 12"})
	if err != nil || got.Status != commerce.OrderReadyForPickup {
		t.Fatalf("ready: %v", err)
	}
	if len(w.dir.dispensed) != 1 || w.dir.dispensed[0].code != "ABCD-EFGH-JKLM" || w.dir.dispensed[0].p.AccountID != w.keyWrite.AccountID || w.dir.dispensed[0].n != "Aurora" {
		t.Errorf("dispensed: %+v", w.dir.dispensed)
	}
	if slices.Contains(w.store.topics(), commerce.EventPrescriptionDispensed) {
		t.Errorf("orders raised prescription.dispensed itself (clinical's event feeds the webhook): %v", w.store.topics())
	}
	if got.PrescriptionCode != "ABCD-EFGH-JKLM" {
		t.Errorf("the pharmacy's view lost its prescription")
	}
}

func TestHandleExpire(t *testing.T) {
	w := newOrdWorld(t)
	ctx := context.Background()
	a := w.pickup(t, w.pharmacy.ID, "GEL")
	b := w.pickup(t, w.pharmacy.ID, "GEL")
	w.pay(t, b.ID)
	msg := func(id kernel.ID) ports.Delivery {
		return ports.Delivery{Message: ports.Message{ID: kernel.NewID(), Topic: commerce.TopicOrderExpire, Body: fmt.Appendf(nil, `{"order_id":%q}`, id)}}
	}
	if err := w.svc.HandleExpire(ctx, msg(a.ID)); err != nil {
		t.Fatal(err)
	}
	if cur, _ := w.store.GetOrder(ctx, a.ID); cur.Status != commerce.OrderCreated {
		t.Errorf("expired before pay_by: %s", cur.Status)
	}
	w.clock.t = w.clock.t.Add(31 * time.Minute)
	for i := 0; i < 2; i++ {
		for _, id := range []kernel.ID{a.ID, b.ID, kernel.NewID()} {
			if err := w.svc.HandleExpire(ctx, msg(id)); err != nil {
				t.Fatalf("expire %s: %v", id, err)
			}
		}
	}
	if err := w.svc.HandleExpire(ctx, ports.Delivery{Message: ports.Message{Body: []byte("{")}}); err != nil {
		t.Errorf("a bad message is dropped, not retried: %v", err)
	}
	ca, _ := w.store.GetOrder(ctx, a.ID)
	cb, _ := w.store.GetOrder(ctx, b.ID)
	if ca.Status != commerce.OrderCancelled || ca.Timeline[len(ca.Timeline)-1].Note != commerce.NoteExpired || ca.Timeline[len(ca.Timeline)-1].By != "" {
		t.Errorf("unpaid order: %s %+v", ca.Status, ca.Timeline)
	}
	if cb.Status != commerce.OrderPaid {
		t.Errorf("a paid order was touched: %s", cb.Status)
	}
	if n := countOf(w.store.topics(), commerce.TopicOrderCancelled); n != 1 {
		t.Errorf("%d cancellations raised, want 1", n)
	}
}

// TestPartnerNeverSeesTheForbidden reads everything a company gets (its
// answers and every partner event body) for the patient's identity, plan and
// clinical text.
func TestPartnerNeverSeesTheForbidden(t *testing.T) {
	w := newOrdWorld(t)
	ctx := context.Background()
	w.dir.patients[w.patient.AccountID] = commerce.Patient{ID: w.patient.AccountID, Name: "Aurora Quintela Brandão " + patientCPF, Email: patientEmail}
	pick, err := w.svc.PlaceOrder(ctx, w.patient, commerce.PlaceOrderInput{CompanyID: w.pharmacy.ID, Method: "pickup", PrescriptionID: w.rxID, PlanID: w.planID,
		Items: []commerce.OrderLineInput{{SKU: "LOS-50", Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	deliv, err := w.svc.PlaceOrder(ctx, w.patient, commerce.PlaceOrderInput{CompanyID: w.market.ID, Method: "delivery", PlanID: w.planID,
		Address: &commerce.DeliveryAddress{CEP: "01310-100", Street: "Rua A", Number: "1", District: "Centro", City: "São Paulo", UF: "SP"},
		Items:   []commerce.OrderLineInput{{SKU: "OATS", Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	w.pay(t, pick.ID)
	w.pay(t, deliv.ID)
	marketMember := w.stranger
	var partnerAnswers []any
	for _, step := range []struct {
		p      kernel.Principal
		id     kernel.ID
		action string
	}{{w.member, pick.ID, "accept"}, {w.member, pick.ID, "prepare"}, {w.member, pick.ID, "ready"}, {marketMember, deliv.ID, "cancel"}} {
		got, err := w.svc.MoveOrder(ctx, step.p, step.id, step.action, commerce.MoveInput{Reason: "indisponível"})
		if err != nil {
			t.Fatalf("%s: %v", step.action, err)
		}
		partnerAnswers = append(partnerAnswers, got)
	}
	for _, p := range []kernel.Principal{w.member, w.keyRead} {
		got, err := w.svc.GetOrder(ctx, p, pick.ID)
		if err != nil {
			t.Fatal(err)
		}
		partnerAnswers = append(partnerAnswers, got)
		l, err := w.svc.CompanyOrders(ctx, p, w.pharmacy.ID, "", kernel.Page{})
		if err != nil || len(l.Items) != 1 {
			t.Fatalf("board: %v %d", err, len(l.Items))
		}
		partnerAnswers = append(partnerAnswers, l)
	}
	got, _ := w.svc.GetOrder(ctx, marketMember, deliv.ID)
	partnerAnswers = append(partnerAnswers, got)
	for _, e := range w.store.events {
		if e.Topic == commerce.TopicPartnerEvent {
			partnerAnswers = append(partnerAnswers, e.Payload)
		}
	}
	// the patient cancels another order with words of their own
	own, err := w.svc.PlaceOrder(ctx, w.patient, commerce.PlaceOrderInput{CompanyID: w.pharmacy.ID, Method: "pickup", Items: []commerce.OrderLineInput{{SKU: "GEL", Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.MoveOrder(ctx, w.patient, own.ID, commerce.ActionCancel, commerce.MoveInput{Reason: "fui internada " + diagnosis}); err != nil {
		t.Fatal(err)
	}
	got, _ = w.svc.GetOrder(ctx, w.member, own.ID)
	partnerAnswers = append(partnerAnswers, got)
	for _, e := range w.store.events {
		if e.Topic == commerce.TopicPartnerEvent && e.Payload.(map[string]any)["type"] == commerce.EventOrderCancelled {
			partnerAnswers = append(partnerAnswers, e.Payload)
		}
	}
	forbidden := []string{w.patient.AccountID, w.planID, patientCPF, patientEmail, "Quintela", "Brandão", planText, diagnosis, "internada", "birth", "cpf", "email", "plan_id"}
	for i, a := range partnerAnswers {
		b, _ := json.Marshal(a)
		s := string(b)
		for _, f := range forbidden {
			if strings.Contains(s, f) {
				t.Errorf("partner answer %d holds %q: %s", i, f, s)
			}
		}
		pharmacyBody := strings.Contains(s, w.pharmacy.ID) || strings.Contains(s, "LOS-50")
		if !pharmacyBody && (strings.Contains(s, w.rxID) || strings.Contains(s, "ABCD-EFGH-JKLM")) {
			t.Errorf("partner answer %d about the market names the prescription: %s", i, s)
		}
		if strings.Contains(s, "OATS") && !strings.Contains(s, "Rua A") {
			t.Errorf("the delivery order lost its address for the courier: %s", s)
		}
		if strings.Contains(s, "LOS-50") && strings.Contains(s, "Avenida") {
			t.Errorf("a pickup order shows an address: %s", s)
		}
	}
	// the data of partner events is the partner view, without a pickup's recipient
	if d := commerce.PartnerData(pick); d["fulfilment"].(map[string]any)["recipient"] != nil {
		t.Errorf("pickup recipient in the partner data: %v", d)
	}
	// an admin sees metadata only
	adm := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindAdmin}
	meta, err := w.svc.GetOrder(ctx, adm, deliv.ID)
	if err != nil || len(meta.Lines) != 0 || meta.Fulfilment.Address != nil || meta.PatientID != "" || meta.PlanID != "" {
		t.Errorf("admin view: %+v %v", meta, err)
	}
	// the patient sees it whole, another patient not at all
	mine, err := w.svc.GetOrder(ctx, w.patient, deliv.ID)
	if err != nil || mine.PlanID != w.planID || mine.Fulfilment.Address == nil {
		t.Errorf("patient's view: %+v %v", mine, err)
	}
	_, err = w.svc.GetOrder(ctx, w.other, deliv.ID)
	wantOrdKind(t, "another patient reads", err, kernel.KindNotFound)
	_, err = w.svc.CompanyOrders(ctx, marketMember, w.pharmacy.ID, "", kernel.Page{})
	wantOrdKind(t, "another company's board", err, kernel.KindForbidden)
	_, err = w.svc.MyOrders(ctx, w.member, "", kernel.Page{})
	wantOrdKind(t, "a member's purchases", err, kernel.KindForbidden)
	_, err = w.svc.MyOrders(ctx, w.patient, "shipped", kernel.Page{})
	wantOrdKind(t, "a bad status", err, kernel.KindInvalid, "status")
}
