package commercesql

import (
	"context"

	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
)

// SKELETON: replaced by the orders' implementation.

func (s *Store) CreateOrder(ctx context.Context, o commerce.Order, events []kernel.Event) error {
	return kernel.Internal(nil, "order store not implemented")
}

func (s *Store) GetOrder(ctx context.Context, id kernel.ID) (commerce.Order, error) {
	return commerce.Order{}, kernel.Internal(nil, "order store not implemented")
}

func (s *Store) UpdateOrder(ctx context.Context, id kernel.ID, fn func(*commerce.Order) ([]kernel.Event, error)) (commerce.Order, error) {
	return commerce.Order{}, kernel.Internal(nil, "order store not implemented")
}

func (s *Store) ListOrders(ctx context.Context, f commerce.OrderFilter, page kernel.Page) (kernel.List[commerce.Order], error) {
	return kernel.List[commerce.Order]{}, kernel.Internal(nil, "order store not implemented")
}
