package commercesql

import (
	"context"

	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
)

// SKELETON: replaced by the catalogue's implementation.

func (s *Store) Items(ctx context.Context, companyID kernel.ID, skus []string) (map[string]commerce.Item, error) {
	return nil, kernel.Internal(nil, "catalogue store not implemented")
}

func (s *Store) Offers(ctx context.Context, q commerce.OfferQuery) ([]commerce.Item, error) {
	return nil, kernel.Internal(nil, "catalogue store not implemented")
}
