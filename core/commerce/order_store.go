package commerce

import (
	"context"

	"github.com/multisaude/multisaude/core/kernel"
)

// OrderFilter selects orders; the service always sets PatientID or CompanyID.
type OrderFilter struct {
	PatientID kernel.ID
	CompanyID kernel.ID
	Status    OrderStatus // empty: any
}

// OrderStore keeps orders.
type OrderStore interface {
	// CreateOrder inserts the order with its events and reserves its lines'
	// stock, atomically: kernel.KindConflict (naming the SKU in pt-BR) when an
	// item has too little stock or its price changed since it was read, and
	// nothing is written then.
	CreateOrder(ctx context.Context, o Order, events []kernel.Event) error
	// GetOrder returns an order; kernel.KindNotFound when there is none.
	GetOrder(ctx context.Context, id kernel.ID) (Order, error)
	// UpdateOrder runs fn on the locked order inside a transaction and saves it
	// with the events fn returns. When fn moves the order from created, paid,
	// accepted or preparing to cancelled, the store returns its lines' units to
	// stock in the same transaction.
	UpdateOrder(ctx context.Context, id kernel.ID, fn func(*Order) ([]kernel.Event, error)) (Order, error)
	// ListOrders returns one page, newest first.
	ListOrders(ctx context.Context, f OrderFilter, page kernel.Page) (kernel.List[Order], error)
}
