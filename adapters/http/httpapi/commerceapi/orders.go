package commerceapi

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
)

// OrderItemRequest is one line of an order.
type OrderItemRequest struct {
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

func (OrderItemRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"sku": {Length: commerce.MaxOrderSKULen}, "quantity": {Range: httpapi.Between(1, commerce.MaxOrderQuantity)}}
}

// DeliveryAddressBody is where a delivery goes.
type DeliveryAddressBody struct {
	CEP        string `json:"cep"`
	Street     string `json:"street"`
	Number     string `json:"number"`
	Complement string `json:"complement,omitempty"`
	District   string `json:"district"`
	City       string `json:"city"`
	UF         string `json:"uf"`
}

// SchemaName names the schema.
func (DeliveryAddressBody) SchemaName() string { return "DeliveryAddress" }

func (DeliveryAddressBody) Limits() httpapi.Limits {
	return httpapi.Limits{"cep": {Length: 9, Pattern: `^[0-9]{5}-?[0-9]{3}$`}, "uf": {Length: 2, Pattern: `^[A-Za-z]{2}$`},
		httpapi.AnyString: {Length: commerce.MaxOrderAddrLen}}
}

// OrderFulfilmentRequest says how the order reaches the patient.
type OrderFulfilmentRequest struct {
	Method  string               `json:"method"`
	Address *DeliveryAddressBody `json:"address,omitempty"`
}

func (OrderFulfilmentRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"method": {Length: 20, Enum: []string{commerce.MethodPickup, commerce.MethodDelivery}}}
}

// PlaceOrderRequest is the body of POST /v1/orders.
type PlaceOrderRequest struct {
	CompanyID      string                 `json:"company_id"`
	Items          []OrderItemRequest     `json:"items"`
	Fulfilment     OrderFulfilmentRequest `json:"fulfilment"`
	PrescriptionID string                 `json:"prescription_id,omitempty"`
	PlanID         string                 `json:"plan_id,omitempty"`
}

func (PlaceOrderRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"items": {Items: commerce.MaxOrderLines}, "company_id": {Length: 40, Format: "uuid"},
		"prescription_id": {Length: 40, Format: "uuid"}, "plan_id": {Length: 40, Format: "uuid"}}
}

// Example shows a delivery order.
func (PlaceOrderRequest) Example() any {
	return PlaceOrderRequest{CompanyID: "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", Items: []OrderItemRequest{{SKU: "LOS-50-30", Quantity: 2}},
		Fulfilment: OrderFulfilmentRequest{Method: commerce.MethodDelivery, Address: &DeliveryAddressBody{CEP: "01310-100",
			Street: "Avenida Paulista", Number: "1000", Complement: "ap 12", District: "Bela Vista", City: "São Paulo", UF: "SP"}}}
}

func (r PlaceOrderRequest) toDomain() commerce.PlaceOrderInput {
	in := commerce.PlaceOrderInput{CompanyID: r.CompanyID, Method: r.Fulfilment.Method, PrescriptionID: r.PrescriptionID, PlanID: r.PlanID,
		Items: make([]commerce.OrderLineInput, 0, len(r.Items))}
	for _, it := range r.Items {
		in.Items = append(in.Items, commerce.OrderLineInput{SKU: it.SKU, Quantity: it.Quantity})
	}
	if a := r.Fulfilment.Address; a != nil {
		in.Address = &commerce.DeliveryAddress{CEP: a.CEP, Street: a.Street, Number: a.Number, Complement: a.Complement,
			District: a.District, City: a.City, UF: a.UF}
	}
	return in
}

// OrderMoveRequest is the optional body of a move: the reason of a
// cancellation (required from the company), and the buyer's name and document
// when a special-control prescription is dispensed at ready or dispatch.
type OrderMoveRequest struct {
	Reason        string `json:"reason,omitempty"`
	BuyerName     string `json:"buyer_name,omitempty"`
	BuyerDocument string `json:"buyer_document,omitempty"`
}

func (OrderMoveRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"reason": {Length: commerce.MaxOrderReasonLen}, "buyer_name": {Length: commerce.MaxBuyerLen},
		"buyer_document": {Length: commerce.MaxBuyerLen}}
}

// Example is a company's cancellation.
func (OrderMoveRequest) Example() any {
	return OrderMoveRequest{Reason: "Produto em falta no estoque; pedimos desculpas."}
}

// OrderLineResponse is a line with the price captured when the order was placed.
type OrderLineResponse struct {
	SKU                  string `json:"sku"`
	Name                 string `json:"name"`
	Kind                 string `json:"kind"`
	Quantity             int64  `json:"quantity"`
	UnitPrice            Money  `json:"unit_price"`
	Total                Money  `json:"total"`
	RequiresPrescription bool   `json:"requires_prescription"`
}

func (OrderLineResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"kind": {Enum: commerce.Kinds()}}
}

// OrderFulfilmentResponse is how the order reaches the patient; the recipient's
// first name and the address only on a delivery.
type OrderFulfilmentResponse struct {
	Method    string               `json:"method"`
	Address   *DeliveryAddressBody `json:"address,omitempty"`
	Recipient string               `json:"recipient,omitempty"`
	Fee       Money                `json:"fee"`
}

func (OrderFulfilmentResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"method": {Enum: []string{commerce.MethodPickup, commerce.MethodDelivery}}}
}

// OrderPrescriptionResponse is the prescription an order was placed against.
type OrderPrescriptionResponse struct {
	ID               string `json:"id"`
	VerificationCode string `json:"verification_code"`
}

func (OrderPrescriptionResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"id": {Format: "uuid"}}
}

// OrderStepResponse is one step of the timeline.
type OrderStepResponse struct {
	Status string    `json:"status"`
	At     time.Time `json:"at"`
	By     string    `json:"by,omitempty"`
	Note   string    `json:"note,omitempty"`
}

func (OrderStepResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"status": {Enum: commerce.OrderStatuses()},
		"by": {Enum: []string{string(kernel.KindPatient), string(kernel.KindCompanyMember), string(kernel.KindAPIKey), string(kernel.KindAdmin)}}}
}

// OrderResponse is an order as the caller may see it: the patient sees it
// whole; the company sees no patient, plan or (on pickup) address; a platform
// admin sees its metadata only (no lines).
type OrderResponse struct {
	ID           string                     `json:"id"`
	Status       string                     `json:"status"`
	CompanyID    string                     `json:"company_id"`
	PatientID    string                     `json:"patient_id,omitempty"`
	PlanID       string                     `json:"plan_id,omitempty"`
	Prescription *OrderPrescriptionResponse `json:"prescription,omitempty"`
	Items        []OrderLineResponse        `json:"items"`
	Fulfilment   OrderFulfilmentResponse    `json:"fulfilment"`
	Subtotal     Money                      `json:"subtotal"`
	DeliveryFee  Money                      `json:"delivery_fee"`
	Total        Money                      `json:"total"`
	Refunded     Money                      `json:"refunded"`
	PayBy        time.Time                  `json:"pay_by"`
	PaidAt       *time.Time                 `json:"paid_at,omitempty"`
	Timeline     []OrderStepResponse        `json:"timeline"`
	CreatedAt    time.Time                  `json:"created_at"`
	UpdatedAt    time.Time                  `json:"updated_at"`
	Version      int64                      `json:"version"`
}

func (OrderResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"id": {Format: "uuid"}, "company_id": {Format: "uuid"}, "patient_id": {Format: "uuid"}, "plan_id": {Format: "uuid"},
		"status": {Enum: commerce.OrderStatuses()}}
}

func orderOf(o commerce.Order) OrderResponse {
	refunded := o.Refunded
	if refunded.Currency == "" {
		refunded.Currency = o.Total.Currency
	}
	fee := o.Fulfilment.Fee
	if fee.Currency == "" {
		fee.Currency = o.Total.Currency
	}
	out := OrderResponse{ID: o.ID, Status: string(o.Status), CompanyID: o.CompanyID, PatientID: o.PatientID, PlanID: o.PlanID,
		Items: make([]OrderLineResponse, 0, len(o.Lines)), Subtotal: money(o.Subtotal), DeliveryFee: money(fee),
		Total: money(o.Total), Refunded: money(refunded), PayBy: o.PayBy, PaidAt: o.PaidAt,
		Timeline: make([]OrderStepResponse, 0, len(o.Timeline)), CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Version: o.Version,
		Fulfilment: OrderFulfilmentResponse{Method: o.Fulfilment.Method, Recipient: o.Fulfilment.Recipient, Fee: money(fee)}}
	if o.PrescriptionID != "" {
		out.Prescription = &OrderPrescriptionResponse{ID: o.PrescriptionID, VerificationCode: o.PrescriptionCode}
	}
	for _, l := range o.Lines {
		out.Items = append(out.Items, OrderLineResponse{SKU: l.SKU, Name: l.Name, Kind: string(l.Kind), Quantity: l.Quantity,
			UnitPrice: money(l.UnitPrice), Total: money(l.Total), RequiresPrescription: l.RequiresPrescription})
	}
	if a := o.Fulfilment.Address; a != nil {
		out.Fulfilment.Address = &DeliveryAddressBody{CEP: a.CEP, Street: a.Street, Number: a.Number, Complement: a.Complement,
			District: a.District, City: a.City, UF: a.UF}
	}
	for _, e := range o.Timeline {
		out.Timeline = append(out.Timeline, OrderStepResponse{Status: string(e.Status), At: e.At, By: string(e.By), Note: e.Note})
	}
	return out
}

var (
	orderIdemHeader = httpapi.Param{Name: "Idempotency-Key", MaxLength: 255, Description: "repeat-safe key; the first answer is replayed"}
	orderStatusQ    = httpapi.Param{Name: "status", Enum: commerce.OrderStatuses(), Description: "only orders in this state"}
)

var moveDocs = map[string]string{
	commerce.ActionAccept:   "The company accepts a paid order (members, or API keys with orders:write)",
	commerce.ActionPrepare:  "The company starts preparing an accepted order",
	commerce.ActionReady:    "A pickup order is ready to be picked up (dispenses its prescription, if any)",
	commerce.ActionDispatch: "A delivery order left for delivery (dispenses its prescription, if any)",
	commerce.ActionDeliver:  "The order was handed to the patient",
	commerce.ActionCancel:   "Cancel: the patient while created or paid, the company before dispatch (reason required); stock returns, a paid order is refunded",
}

var moveIDs = map[string]string{commerce.ActionAccept: "acceptOrder", commerce.ActionPrepare: "prepareOrder", commerce.ActionReady: "readyOrder",
	commerce.ActionDispatch: "dispatchOrder", commerce.ActionDeliver: "deliverOrder", commerce.ActionCancel: "cancelOrder"}

func (m *Module) registerOrders(r *httpapi.Router) {
	r.Handle(fiber.MethodPost, "/v1/orders", httpapi.Op{ID: "placeOrder", Summary: "Place an order with one company (patients); stock is reserved until pay_by", Tag: tag,
		Auth: httpapi.User, Request: PlaceOrderRequest{}, Headers: []httpapi.Param{orderIdemHeader},
		Responses: ok(201, OrderResponse{}, 400, 401, 403, 404, 409, 415, 422)}, httpapi.Idempotent(m.idem, m.placeOrder))
	r.Handle(fiber.MethodGet, "/v1/orders/:id", httpapi.Op{ID: "getOrder", Summary: "An order with its timeline (the patient; the company in its view; admins: metadata)", Tag: tag,
		Auth: httpapi.Any, Responses: ok(200, OrderResponse{}, 401, 404)}, m.getOrder)
	for _, a := range commerce.OrderActions() {
		op := httpapi.Op{ID: moveIDs[a], Summary: moveDocs[a], Tag: tag, Auth: httpapi.Any,
			Responses: ok(200, OrderResponse{}, 400, 401, 403, 404, 409, 415, 422)}
		if a == commerce.ActionCancel || a == commerce.ActionReady || a == commerce.ActionDispatch {
			op.Request = OrderMoveRequest{}
		}
		r.Handle(fiber.MethodPost, "/v1/orders/:id/"+a, op, m.move(a))
	}
	r.Handle(fiber.MethodGet, "/v1/me/orders", httpapi.Op{ID: "myOrders", Summary: "The patient's orders, newest first (Minhas compras)", Tag: tag,
		Auth: httpapi.User, Query: append([]httpapi.Param{orderStatusQ}, httpapi.PageParams...),
		Responses: ok(200, httpapi.ListResponse[OrderResponse]{}, 400, 401, 403)}, m.myOrders)
	r.Handle(fiber.MethodGet, "/v1/companies/:id/orders", httpapi.Op{ID: "companyOrders", Summary: "A company's orders board, newest first (members; API keys with orders:read)", Tag: tag,
		Auth: httpapi.Any, Query: append([]httpapi.Param{orderStatusQ}, httpapi.PageParams...),
		Responses: ok(200, httpapi.ListResponse[OrderResponse]{}, 400, 401, 403, 404)}, m.companyOrders)
}

func (m *Module) placeOrder(c *fiber.Ctx) error {
	var req PlaceOrderRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	o, err := m.svc.PlaceOrder(c.UserContext(), httpapi.PrincipalOf(c), req.toDomain())
	if err != nil {
		return err
	}
	return httpapi.Created(c, "/v1/orders/"+o.ID, orderOf(o))
}

func (m *Module) getOrder(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	o, err := m.svc.GetOrder(c.UserContext(), httpapi.PrincipalOf(c), id)
	if err != nil {
		return err
	}
	return httpapi.OK(c, orderOf(o))
}

func (m *Module) move(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := httpapi.PathID(c, "id")
		if err != nil {
			return err
		}
		var req OrderMoveRequest
		if len(c.Body()) > 0 {
			if err := httpapi.Bind(c, &req); err != nil {
				return err
			}
		}
		o, err := m.svc.MoveOrder(c.UserContext(), httpapi.PrincipalOf(c), id, action,
			commerce.MoveInput{Reason: req.Reason, BuyerName: req.BuyerName, BuyerDocument: req.BuyerDocument})
		if err != nil {
			return err
		}
		return httpapi.OK(c, orderOf(o))
	}
}

func (m *Module) myOrders(c *fiber.Ctx) error {
	q := httpapi.NewQuery(c)
	page := q.Page()
	if err := q.Err(); err != nil {
		return err
	}
	l, err := m.svc.MyOrders(c.UserContext(), httpapi.PrincipalOf(c), commerce.OrderStatus(q.String("status")), page)
	if err != nil {
		return err
	}
	return httpapi.OK(c, httpapi.NewList(l, orderOf))
}

func (m *Module) companyOrders(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	q := httpapi.NewQuery(c)
	page := q.Page()
	if err := q.Err(); err != nil {
		return err
	}
	l, err := m.svc.CompanyOrders(c.UserContext(), httpapi.PrincipalOf(c), id, commerce.OrderStatus(q.String("status")), page)
	if err != nil {
		return err
	}
	return httpapi.OK(c, httpapi.NewList(l, orderOf))
}
