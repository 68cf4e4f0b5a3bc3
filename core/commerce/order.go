package commerce

import (
	"slices"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// OrderStatus is an order's state.
type OrderStatus string

const (
	OrderCreated        OrderStatus = "created"
	OrderPaid           OrderStatus = "paid"
	OrderAccepted       OrderStatus = "accepted"
	OrderPreparing      OrderStatus = "preparing"
	OrderReadyForPickup OrderStatus = "ready_for_pickup"
	OrderOutForDelivery OrderStatus = "out_for_delivery"
	OrderDelivered      OrderStatus = "delivered"
	OrderCancelled      OrderStatus = "cancelled"
	OrderRefunded       OrderStatus = "refunded"
)

// OrderStatuses lists the states, for validation and the API's description.
func OrderStatuses() []string {
	return []string{string(OrderCreated), string(OrderPaid), string(OrderAccepted), string(OrderPreparing),
		string(OrderReadyForPickup), string(OrderOutForDelivery), string(OrderDelivered), string(OrderCancelled), string(OrderRefunded)}
}

var orderMoves = map[OrderStatus][]OrderStatus{
	OrderCreated:        {OrderPaid, OrderCancelled},
	OrderPaid:           {OrderAccepted, OrderCancelled, OrderRefunded},
	OrderAccepted:       {OrderPreparing, OrderCancelled, OrderRefunded},
	OrderPreparing:      {OrderReadyForPickup, OrderOutForDelivery, OrderCancelled, OrderRefunded},
	OrderReadyForPickup: {OrderDelivered, OrderRefunded},
	OrderOutForDelivery: {OrderDelivered, OrderRefunded},
	OrderDelivered:      {OrderRefunded},
	OrderCancelled:      {OrderRefunded},
}

// CanMove reports whether an order may go from s to next.
func (s OrderStatus) CanMove(next OrderStatus) bool { return slices.Contains(orderMoves[s], next) }

// Fulfilment methods of an order.
const (
	MethodPickup   = "pickup"
	MethodDelivery = "delivery"
)

// OrderLine is one item of an order with the price captured when it was placed.
type OrderLine struct {
	SKU                  string
	Name                 string
	Kind                 Kind
	Quantity             int64
	UnitPrice            kernel.Money
	Total                kernel.Money
	RequiresPrescription bool
}

// DeliveryAddress is where a delivery goes.
type DeliveryAddress struct {
	CEP, Street, Number, Complement, District, City, UF string
	Lat, Lng                                            float64 // from the geocoder; zero when unknown
}

// OrderFulfilment is how the order reaches the patient.
type OrderFulfilment struct {
	Method  string           // MethodPickup or MethodDelivery
	Address *DeliveryAddress // delivery only
	Fee     kernel.Money

	// Recipient is the buyer's first name, for the courier (delivery only).
	Recipient string
}

// TimelineEntry is one step of an order's life.
type TimelineEntry struct {
	Status OrderStatus
	At     time.Time
	By     kernel.AccountKind // who moved it: patient, company_member, api_key, or "" for the platform
	Note   string
}

// Order is a patient's purchase from one company.
type Order struct {
	ID             kernel.ID
	PatientID      kernel.ID
	CompanyID      kernel.ID
	PlanID         kernel.ID // optional: the treatment plan it came from (never shown to the partner)
	PrescriptionID kernel.ID // optional: the prescription it is ordered against (pharmacies)
	Lines          []OrderLine
	Fulfilment     OrderFulfilment
	Subtotal       kernel.Money
	Total          kernel.Money // subtotal + delivery fee
	Refunded       kernel.Money // sum of refunds
	Status         OrderStatus
	Timeline       []TimelineEntry
	PayBy          time.Time // unpaid orders are cancelled and their stock released after this
	PaidAt         *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Version        int64

	// PrescriptionCode is the verification code of PrescriptionID, read as the
	// patient when the order was placed: the pharmacy dispenses with it.
	PrescriptionCode string
}

// Move changes the status, appending to the timeline; kernel.KindConflict
// naming the current state when the move is not allowed.
func (o *Order) Move(next OrderStatus, at time.Time, by kernel.AccountKind, note string) error {
	if !o.Status.CanMove(next) {
		return kernel.Conflict("o pedido está %s e não pode passar a %s", StatusPT(o.Status), StatusPT(next))
	}
	o.Status = next
	o.UpdatedAt = at
	o.Timeline = append(o.Timeline, TimelineEntry{Status: next, At: at, By: by, Note: note})
	return nil
}

// StatusPT names a status in Portuguese, for messages people read.
func StatusPT(s OrderStatus) string {
	switch s {
	case OrderCreated:
		return "criado"
	case OrderPaid:
		return "pago"
	case OrderAccepted:
		return "aceito"
	case OrderPreparing:
		return "em preparação"
	case OrderReadyForPickup:
		return "pronto para retirada"
	case OrderOutForDelivery:
		return "saiu para entrega"
	case OrderDelivered:
		return "entregue"
	case OrderCancelled:
		return "cancelado"
	case OrderRefunded:
		return "reembolsado"
	}
	return string(s)
}
