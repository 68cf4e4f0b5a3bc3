package commerce

import (
	"context"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// PartnerView is the order as its company sees it (LGPD Art. 11 §4, the
// minimum): never the patient's identity, the treatment plan it came from, the
// notes the patient wrote, nor a delivery address or recipient on a pickup order. The prescription (ID and
// verification code) stays: the order was placed with this pharmacy against it.
func PartnerView(o Order) Order {
	o.PatientID, o.PlanID = "", ""
	if o.Fulfilment.Method != MethodDelivery {
		o.Fulfilment.Address, o.Fulfilment.Recipient = nil, ""
	}
	if o.Fulfilment.Address != nil {
		a := *o.Fulfilment.Address
		o.Fulfilment.Address = &a
	}
	o.Lines = append([]OrderLine(nil), o.Lines...)
	o.Timeline = append([]TimelineEntry(nil), o.Timeline...)
	for i := range o.Timeline { // what the patient wrote (a reason to cancel) is theirs
		if o.Timeline[i].By == kernel.KindPatient {
			o.Timeline[i].Note = ""
		}
	}
	return o
}

// MetaView is the order as a platform admin sees it: who sold, state, totals
// and times; no lines, no buyer, no address, no plan or prescription.
func MetaView(o Order) Order {
	tl := make([]TimelineEntry, len(o.Timeline))
	for i, e := range o.Timeline {
		tl[i] = TimelineEntry{Status: e.Status, At: e.At, By: e.By}
	}
	return Order{ID: o.ID, CompanyID: o.CompanyID, Subtotal: o.Subtotal, Total: o.Total, Refunded: o.Refunded, Status: o.Status,
		Fulfilment: OrderFulfilment{Method: o.Fulfilment.Method, Fee: o.Fulfilment.Fee}, Timeline: tl, PayBy: o.PayBy,
		PaidAt: o.PaidAt, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Version: o.Version}
}

func moneyData(m kernel.Money) map[string]any {
	return map[string]any{"amount": m.Amount, "currency": m.Currency}
}

// PartnerData is the body of an order's partner events (webhooks): exactly
// PartnerView's content, in snake_case.
func PartnerData(o Order) map[string]any {
	v := PartnerView(o)
	lines := make([]map[string]any, 0, len(v.Lines))
	for _, l := range v.Lines {
		lines = append(lines, map[string]any{"sku": l.SKU, "name": l.Name, "kind": string(l.Kind), "quantity": l.Quantity,
			"unit_price": moneyData(l.UnitPrice), "total": moneyData(l.Total), "requires_prescription": l.RequiresPrescription})
	}
	ful := map[string]any{"method": v.Fulfilment.Method, "fee": moneyData(v.Fulfilment.Fee)}
	if v.Fulfilment.Recipient != "" {
		ful["recipient"] = v.Fulfilment.Recipient
	}
	if a := v.Fulfilment.Address; a != nil {
		ful["address"] = map[string]any{"cep": a.CEP, "street": a.Street, "number": a.Number, "complement": a.Complement,
			"district": a.District, "city": a.City, "uf": a.UF}
	}
	out := map[string]any{"order_id": v.ID, "status": string(v.Status), "items": lines, "fulfilment": ful,
		"subtotal": moneyData(v.Subtotal), "delivery_fee": moneyData(v.Fulfilment.Fee), "total": moneyData(v.Total),
		"pay_by": v.PayBy.UTC().Format(time.RFC3339), "created_at": v.CreatedAt.UTC().Format(time.RFC3339)}
	if v.PrescriptionID != "" {
		out["prescription"] = map[string]any{"id": v.PrescriptionID, "verification_code": v.PrescriptionCode}
	}
	return out
}

// viewFor is o as p may read it, or false when p may not know it exists.
func viewFor(p kernel.Principal, o Order) (Order, bool) {
	switch {
	case p.Kind == kernel.KindPatient && o.PatientID == p.AccountID:
		return o, true
	case isPartner(p, o.CompanyID, ScopeOrdersRead):
		return PartnerView(o), true
	case p.Kind == kernel.KindAdmin:
		return MetaView(o), true
	}
	return Order{}, false
}

// GetOrder returns an order with its timeline as the caller may see it: the
// patient who placed it, the company's members and API keys (orders:read or
// orders:write) in the partner's view, a platform admin its metadata.
func (s *Service) GetOrder(ctx context.Context, p kernel.Principal, id kernel.ID) (Order, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return Order{}, err
	}
	if !kernel.ValidID(id) {
		return Order{}, notFoundOrder()
	}
	o, err := s.Orders.GetOrder(ctx, id)
	if err != nil {
		if kernel.KindOf(err) == kernel.KindNotFound {
			return Order{}, notFoundOrder()
		}
		return Order{}, kernel.Wrap(err, "get order")
	}
	v, ok := viewFor(p, o)
	if !ok {
		return Order{}, notFoundOrder()
	}
	return v, nil
}

func checkStatus(st OrderStatus) error {
	if st == "" {
		return nil
	}
	for _, x := range OrderStatuses() {
		if string(st) == x {
			return nil
		}
	}
	return kernel.Invalid("status", "deve ser um destes: created, paid, accepted, preparing, ready_for_pickup, out_for_delivery, delivered, cancelled, refunded")
}

// MyOrders lists the calling patient's orders, newest first ("Minhas compras").
func (s *Service) MyOrders(ctx context.Context, p kernel.Principal, status OrderStatus, page kernel.Page) (kernel.List[Order], error) {
	if err := p.RequireAuthenticated(); err != nil {
		return kernel.List[Order]{}, err
	}
	if p.Kind != kernel.KindPatient {
		return kernel.List[Order]{}, kernel.Forbidden("somente pacientes têm compras")
	}
	if err := checkStatus(status); err != nil {
		return kernel.List[Order]{}, err
	}
	page, err := page.Normalize()
	if err != nil {
		return kernel.List[Order]{}, err
	}
	l, err := s.Orders.ListOrders(ctx, OrderFilter{PatientID: p.AccountID, Status: status}, page)
	return l, kernel.Wrap(err, "list orders")
}

// CompanyOrders is a company's board of orders, newest first, in the partner's
// view: its members and its API keys with orders:read or orders:write.
func (s *Service) CompanyOrders(ctx context.Context, p kernel.Principal, companyID kernel.ID, status OrderStatus, page kernel.Page) (kernel.List[Order], error) {
	if err := p.RequireAuthenticated(); err != nil {
		return kernel.List[Order]{}, err
	}
	if !isPartner(p, companyID, ScopeOrdersRead) {
		return kernel.List[Order]{}, kernel.Forbidden("somente a própria empresa pode ver seus pedidos")
	}
	if err := checkStatus(status); err != nil {
		return kernel.List[Order]{}, err
	}
	page, err := page.Normalize()
	if err != nil {
		return kernel.List[Order]{}, err
	}
	l, err := s.Orders.ListOrders(ctx, OrderFilter{CompanyID: companyID, Status: status}, page)
	if err != nil {
		return kernel.List[Order]{}, kernel.Wrap(err, "list orders")
	}
	for i := range l.Items {
		l.Items[i] = PartnerView(l.Items[i])
	}
	return l, nil
}
