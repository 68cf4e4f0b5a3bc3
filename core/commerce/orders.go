package commerce

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Bounds of an order, shared by the use case, the API's validation and its document.
const (
	MaxOrderLines     = 50  // lines of one order
	MaxOrderQuantity  = 99  // units of one line
	MaxOrderSKULen    = 128 // characters of a SKU in an order
	MaxOrderReasonLen = 500 // characters of a cancellation reason
	MaxOrderAddrLen   = 120 // characters of each address field
	MaxBuyerLen       = 200 // characters of buyer_name and buyer_document (special control)
)

// API-key scopes of a partner's integration over orders.
const (
	ScopeOrdersRead  = "orders:read"
	ScopeOrdersWrite = "orders:write"
)

// NoteExpired is the timeline note of an order cancelled for want of payment.
const NoteExpired = "pagamento não recebido no prazo"

// OrderLineInput is one line a patient asks for.
type OrderLineInput struct {
	SKU      string
	Quantity int64
}

// PlaceOrderInput is what a patient orders from one company.
type PlaceOrderInput struct {
	CompanyID      kernel.ID
	Items          []OrderLineInput
	Method         string           // MethodPickup or MethodDelivery
	Address        *DeliveryAddress // delivery only
	PrescriptionID kernel.ID
	PlanID         kernel.ID
}

var (
	cepRE = regexp.MustCompile(`^[0-9]{5}-?[0-9]{3}$`)
	ufs   = map[string]bool{"AC": true, "AL": true, "AP": true, "AM": true, "BA": true, "CE": true, "DF": true, "ES": true,
		"GO": true, "MA": true, "MT": true, "MS": true, "MG": true, "PA": true, "PB": true, "PR": true, "PE": true, "PI": true,
		"RJ": true, "RN": true, "RS": true, "RO": true, "RR": true, "SC": true, "SP": true, "SE": true, "TO": true}
)

// validate checks the shape of the request, field by field; the list is
// counted before any of its lines is looked at.
func (in *PlaceOrderInput) validate() error {
	var p kernel.Problems
	if !kernel.ValidID(in.CompanyID) {
		p.Add("company_id", "deve ser o identificador de uma empresa")
	}
	switch n := len(in.Items); {
	case n == 0:
		p.Add("items", "deve ter pelo menos um item")
	case n > MaxOrderLines:
		p.Add("items", "deve ter no máximo %d itens", MaxOrderLines)
		return p.Err()
	}
	seen := make(map[string]int, len(in.Items))
	for i := range in.Items {
		it := &in.Items[i]
		f := fmt.Sprintf("items[%d].", i)
		it.SKU = strings.TrimSpace(it.SKU)
		switch {
		case it.SKU == "":
			p.Add(f+"sku", "é obrigatório")
		case utf8.RuneCountInString(it.SKU) > MaxOrderSKULen:
			p.Add(f+"sku", "deve ter no máximo %d caracteres", MaxOrderSKULen)
		default:
			if j, dup := seen[it.SKU]; dup {
				p.Add(f+"sku", "repete o item items[%d]; some as quantidades numa linha só", j)
			}
			seen[it.SKU] = i
		}
		if it.Quantity < 1 || it.Quantity > MaxOrderQuantity {
			p.Add(f+"quantity", "deve estar entre 1 e %d", MaxOrderQuantity)
		}
		if p.Full() {
			break
		}
	}
	switch in.Method {
	case MethodPickup:
		if in.Address != nil {
			p.Add("fulfilment.address", "só é informado para entrega")
		}
	case MethodDelivery:
		if in.Address == nil {
			p.Add("fulfilment.address", "é obrigatório para entrega")
		} else {
			validateAddress(in.Address, &p)
		}
	default:
		p.Add("fulfilment.method", "deve ser pickup ou delivery")
	}
	if in.PrescriptionID != "" && !kernel.ValidID(in.PrescriptionID) {
		p.Add("prescription_id", "deve ser o identificador de uma receita")
	}
	if in.PlanID != "" && !kernel.ValidID(in.PlanID) {
		p.Add("plan_id", "deve ser o identificador de um plano de tratamento")
	}
	return p.Err()
}

func validateAddress(a *DeliveryAddress, p *kernel.Problems) {
	const f = "fulfilment.address."
	for _, x := range []*string{&a.CEP, &a.Street, &a.Number, &a.Complement, &a.District, &a.City, &a.UF} {
		*x = strings.TrimSpace(*x)
	}
	a.UF = strings.ToUpper(a.UF)
	if p.Require(f+"cep", a.CEP) && !cepRE.MatchString(a.CEP) {
		p.Add(f+"cep", "deve ser um CEP como 01310-100")
	}
	p.Require(f+"street", a.Street)
	p.Require(f+"number", a.Number)
	p.Require(f+"district", a.District)
	p.Require(f+"city", a.City)
	if p.Require(f+"uf", a.UF) && !ufs[a.UF] {
		p.Add(f+"uf", "deve ser a sigla de uma unidade da federação, como SP")
	}
	for name, v := range map[string]string{"cep": a.CEP, "street": a.Street, "number": a.Number, "complement": a.Complement,
		"district": a.District, "city": a.City, "uf": a.UF} {
		if utf8.RuneCountInString(v) > MaxOrderAddrLen {
			p.Add(f+name, "deve ter no máximo %d caracteres", MaxOrderAddrLen)
		}
	}
	a.Lat, a.Lng = 0, 0
}

// isPartner reports whether p acts for company: one of its members (admin or
// staff) or one of its API keys holding scope (or orders:write, which implies reading).
func isPartner(p kernel.Principal, companyID kernel.ID, scope string) bool {
	if companyID == "" || p.CompanyID != companyID {
		return false
	}
	switch p.Kind {
	case kernel.KindCompanyMember:
		return p.HasRole("admin") || p.HasRole("staff")
	case kernel.KindAPIKey:
		return p.HasScope(ScopeOrdersWrite) || (scope == ScopeOrdersRead && p.HasScope(ScopeOrdersRead))
	}
	return false
}

func notFoundOrder() error { return kernel.NotFound("pedido não encontrado") }

// PlaceOrder places the calling patient's order with one company: the prices of
// the catalogue are captured per line and the stock reserved atomically
// (kernel.KindConflict naming the SKU when it ran out). The order waits for
// payment until PayBy; after that its stock is released (HandleExpire).
func (s *Service) PlaceOrder(ctx context.Context, p kernel.Principal, in PlaceOrderInput) (Order, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return Order{}, err
	}
	if p.Kind != kernel.KindPatient {
		return Order{}, kernel.Forbidden("somente pacientes podem fazer pedidos")
	}
	if err := in.validate(); err != nil {
		return Order{}, err
	}
	co, err := s.Dir.Company(ctx, in.CompanyID)
	if err != nil && kernel.KindOf(err) != kernel.KindNotFound {
		return Order{}, kernel.Wrap(err, "look up company")
	}
	if err != nil || !co.Verified {
		return Order{}, kernel.NotFound("empresa não encontrada")
	}
	if s.Consents != nil {
		if err := s.Consents.Require(ctx, p.AccountID, ports.PurposePartnerSharing); err != nil {
			return Order{}, err
		}
	}
	skus := make([]string, len(in.Items))
	for i, it := range in.Items {
		skus[i] = it.SKU
	}
	items, err := s.Catalog.Items(ctx, co.ID, skus)
	if err != nil {
		return Order{}, kernel.Wrap(err, "read catalogue items")
	}
	now := s.now()
	o := Order{ID: kernel.NewID(), PatientID: p.AccountID, CompanyID: co.ID, Status: OrderCreated,
		Fulfilment: OrderFulfilment{Method: in.Method}, CreatedAt: now, UpdatedAt: now, PayBy: now.Add(s.cfg.PayWindow), Version: 1,
		Timeline: []TimelineEntry{{Status: OrderCreated, At: now, By: p.Kind}}}
	if err := s.priceLines(&o, co, in, items); err != nil {
		return Order{}, err
	}
	if err := s.fulfil(ctx, &o, co, in, items); err != nil {
		return Order{}, err
	}
	if err := s.checkPrescription(ctx, p, &o, co, in, items, now); err != nil {
		return Order{}, err
	}
	if in.PlanID != "" {
		pl, err := s.Dir.Plan(ctx, p, in.PlanID)
		if err != nil {
			return Order{}, err
		}
		if pl.PatientID != p.AccountID {
			return Order{}, kernel.NotFound("plano de tratamento não encontrado")
		}
		o.PlanID = pl.ID
	}
	if o.Fulfilment.Method == MethodDelivery {
		if pt, err := s.Dir.Patient(ctx, p.AccountID); err == nil {
			o.Fulfilment.Recipient = firstName(pt.Name)
		}
	}
	ev := PartnerEvent(EventOrderCreated, o.CompanyID, PartnerData(o), now)
	if err := s.Orders.CreateOrder(ctx, o, []kernel.Event{ev}); err != nil {
		return Order{}, kernel.Wrap(err, "create order")
	}
	s.scheduleExpire(ctx, o)
	s.recordDisclosures(ctx, o)
	return o, nil
}

// recordDisclosures records, for the patient's sharing report, what the order
// sends to its company: the order and, when it names one, the prescription.
// The order is placed already: a failure is logged, not returned.
func (s *Service) recordDisclosures(ctx context.Context, o Order) {
	if s.Consents == nil {
		return
	}
	cats := []string{"orders"}
	if o.PrescriptionID != "" {
		cats = append(cats, "prescriptions")
	}
	for _, c := range cats {
		d := ports.Disclosure{SubjectID: o.PatientID, RecipientKind: "company", RecipientID: o.CompanyID, Category: c,
			Basis: "order", ObjectType: "order", ObjectID: o.ID, At: o.CreatedAt}
		if err := s.Consents.Disclosed(ctx, d); err != nil {
			s.Log.Warn("order disclosure not recorded", "order_id", o.ID, "category", c, "err", err)
		}
	}
}

// priceLines fills the lines with the catalogue's prices and the totals before delivery.
func (s *Service) priceLines(o *Order, co Company, in PlaceOrderInput, items map[string]Item) error {
	var p kernel.Problems
	for i, l := range in.Items {
		f := fmt.Sprintf("items[%d].sku", i)
		it, ok := items[l.SKU]
		switch {
		case !ok:
			p.Add(f, "o item %s não está no catálogo desta empresa", l.SKU)
			continue
		case !MaySell(co.Type, it.Kind):
			p.Add(f, "o item %s não pode ser vendido por este tipo de empresa", l.SKU)
			continue
		case it.RequiresPrescription && co.Type != "pharmacy":
			p.Add(f, "o item %s exige receita e só farmácias vendem itens com receita", l.SKU)
			continue
		}
		total := it.Price
		total.Amount *= l.Quantity
		o.Lines = append(o.Lines, OrderLine{SKU: it.SKU, Name: it.Name, Kind: it.Kind, Quantity: l.Quantity,
			UnitPrice: it.Price, Total: total, RequiresPrescription: it.RequiresPrescription})
	}
	if err := p.Err(); err != nil {
		return kernel.Unprocessable("o pedido tem itens que não podem ser comprados", p.Fields()...)
	}
	for i, l := range o.Lines {
		it := items[l.SKU]
		if !it.InStock(l.Quantity) {
			return kernel.ConflictField(fmt.Sprintf("items[%d].quantity", i), fmt.Sprintf("o item %s não tem estoque suficiente", l.SKU))
		}
	}
	o.Subtotal = kernel.Money{Currency: o.Lines[0].UnitPrice.Currency}
	for _, l := range o.Lines {
		sum, err := o.Subtotal.Add(l.Total)
		if err != nil {
			return kernel.Unprocessable("os itens do pedido estão em moedas diferentes")
		}
		o.Subtotal = sum
	}
	return nil
}

// fulfil checks that every line may be picked up or delivered to the address,
// and sets the delivery fee (the highest among the lines) and the total.
func (s *Service) fulfil(ctx context.Context, o *Order, co Company, in PlaceOrderInput, items map[string]Item) error {
	var p kernel.Problems
	fee := kernel.Money{Currency: o.Subtotal.Currency}
	var addr *DeliveryAddress
	if in.Method == MethodDelivery {
		a := *in.Address
		addr = &a
		if s.Geocoder != nil {
			pt, err := s.Geocoder.Geocode(ctx, ports.Address{CEP: a.CEP, Street: a.Street, Number: a.Number, District: a.District, City: a.City, UF: a.UF})
			switch {
			case err == nil:
				addr.Lat, addr.Lng = pt.Lat, pt.Lng
			case kernel.KindOf(err) == kernel.KindNotFound:
				return kernel.Unprocessable("não foi possível localizar o endereço de entrega",
					kernel.FieldError{Field: "fulfilment.address", Message: "não foi localizado; confira o CEP e o número"})
			default:
				return kernel.Wrap(err, "geocode delivery address")
			}
		}
	}
	for i, l := range o.Lines {
		it := items[l.SKU]
		f := fmt.Sprintf("items[%d].sku", i)
		if in.Method == MethodPickup {
			if !it.Fulfilment.Pickup {
				p.Add(f, "o item %s não pode ser retirado na loja", l.SKU)
			}
			continue
		}
		d := it.Fulfilment.Delivery
		if d == nil {
			p.Add(f, "o item %s não é entregue", l.SKU)
			continue
		}
		if addr.Lat != 0 || addr.Lng != 0 {
			if co.Point == nil {
				p.Add(f, "a empresa não informou sua localização e não pode entregar o item %s", l.SKU)
				continue
			}
			if km := distanceKM(co.Point.Lat, co.Point.Lng, addr.Lat, addr.Lng); km > d.RadiusKM {
				p.Add(f, "o endereço fica a %.1f km da empresa, além do raio de entrega de %.1f km do item %s", km, d.RadiusKM, l.SKU)
				continue
			}
		}
		if d.Fee.Amount > fee.Amount {
			fee.Amount = d.Fee.Amount
		}
	}
	if !p.Empty() {
		return kernel.Unprocessable("o pedido não pode ser atendido desta forma", p.Fields()...)
	}
	o.Fulfilment.Address = addr
	o.Fulfilment.Fee = fee
	o.Total = o.Subtotal
	o.Total.Amount += fee.Amount
	return nil
}

// checkPrescription requires, for lines needing a prescription, a usable
// prescription of the patient that covers each of them.
func (s *Service) checkPrescription(ctx context.Context, p kernel.Principal, o *Order, co Company, in PlaceOrderInput, items map[string]Item, now time.Time) error {
	needs := false
	for _, l := range o.Lines {
		needs = needs || l.RequiresPrescription
	}
	if in.PrescriptionID == "" {
		if needs {
			var fe []kernel.FieldError
			for i, l := range o.Lines {
				if l.RequiresPrescription {
					fe = append(fe, kernel.FieldError{Field: fmt.Sprintf("items[%d].sku", i), Message: fmt.Sprintf("o item %s exige receita", l.SKU)})
				}
			}
			fe = append(fe, kernel.FieldError{Field: "prescription_id", Message: "é obrigatório: o pedido tem itens que exigem receita"})
			return kernel.Unprocessable("o pedido tem itens que exigem receita", fe...)
		}
		return nil
	}
	if co.Type != "pharmacy" {
		return kernel.Unprocessable("só farmácias recebem pedidos com receita",
			kernel.FieldError{Field: "prescription_id", Message: "só é informado em pedidos a farmácias"})
	}
	rx, err := s.Dir.Prescription(ctx, p, in.PrescriptionID)
	if err != nil {
		return err
	}
	if rx.PatientID != p.AccountID {
		return kernel.NotFound("receita não encontrada")
	}
	if !rx.Usable(now) {
		return kernel.ConflictField("prescription_id", "a receita não pode mais ser usada: ela já foi dispensada, foi cancelada ou venceu")
	}
	var fe []kernel.FieldError
	for i, l := range o.Lines {
		if l.RequiresPrescription && !covers(rx, items[l.SKU]) {
			fe = append(fe, kernel.FieldError{Field: fmt.Sprintf("items[%d].sku", i),
				Message: fmt.Sprintf("a receita não cobre o item %s (princípio ativo ou concentração diferentes)", l.SKU)})
		}
	}
	if len(fe) > 0 {
		return kernel.Unprocessable("a receita não cobre todos os itens que a exigem", fe...)
	}
	o.PrescriptionID, o.PrescriptionCode = rx.ID, rx.VerificationCode
	return nil
}

// covers reports whether a prescribed item matches the catalogue item: the
// same active ingredient (ignoring case and accents) and, when both state one,
// the same concentration.
func covers(rx Prescription, it Item) bool {
	ing := fold(it.ActiveIngredient)
	if ing == "" {
		return false
	}
	for _, r := range rx.Items {
		if fold(r.ActiveIngredient) != ing {
			continue
		}
		a, b := concentration(r.Concentration), concentration(it.Concentration)
		if a == "" || b == "" || a == b {
			return true
		}
	}
	return false
}

var foldMap = map[rune]rune{'á': 'a', 'à': 'a', 'â': 'a', 'ã': 'a', 'ä': 'a', 'é': 'e', 'è': 'e', 'ê': 'e', 'ë': 'e',
	'í': 'i', 'ì': 'i', 'î': 'i', 'ï': 'i', 'ó': 'o', 'ò': 'o', 'ô': 'o', 'õ': 'o', 'ö': 'o', 'ú': 'u', 'ù': 'u', 'û': 'u',
	'ü': 'u', 'ç': 'c', 'ñ': 'n'}

// fold lower-cases s, drops Portuguese accents and collapses spaces.
func fold(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	var b strings.Builder
	for _, r := range s {
		if x, ok := foldMap[r]; ok {
			r = x
		}
		b.WriteRune(r)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// concentration normalises "50 mg" and "50MG" alike, and "2,5 mg" as "2.5mg".
func concentration(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(fold(s), " ", ""), ",", ".")
}

func firstName(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return ""
}

// distanceKM is the great-circle distance between two points.
func distanceKM(lat1, lng1, lat2, lng2 float64) float64 {
	const r = 6371.0
	rad := math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(a)))
}

// scheduleExpire asks the scheduler to cancel the order if it is still unpaid at PayBy.
func (s *Service) scheduleExpire(ctx context.Context, o Order) {
	if s.Scheduler == nil {
		s.Log.Warn("no scheduler: unpaid order will not expire", "order_id", o.ID)
		return
	}
	body := fmt.Appendf(nil, `{"order_id":%q}`, o.ID)
	err := s.Scheduler.Schedule(context.WithoutCancel(ctx), ports.Job{ID: "order-expire:" + o.ID, At: o.PayBy,
		Msg: ports.Message{ID: kernel.NewID(), Topic: TopicOrderExpire, Key: o.ID, Body: body}})
	if err != nil {
		s.Log.Error("order expiry not scheduled", "order_id", o.ID, "kind", kernel.KindOf(err), "err", err)
	}
}

var errNoop = errors.New("nothing to do")
