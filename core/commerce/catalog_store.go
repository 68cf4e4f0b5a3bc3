package commerce

import (
	"context"

	"github.com/multisaude/multisaude/core/kernel"
)

// OfferQuery selects catalogue items that may answer treatment-plan items.
type OfferQuery struct {
	CompanyIDs []kernel.ID // only these companies (the verified partners of the fitting types)
	Tags       []string    // items carrying any of these tags
	Limit      int         // at most this many items
}

// CatalogStore keeps catalogues.
type CatalogStore interface {
	// Items returns the company's items with those SKUs (missing SKUs are absent from the map).
	Items(ctx context.Context, companyID kernel.ID, skus []string) (map[string]Item, error)
	// Offers returns items of q.CompanyIDs with any of q.Tags, ordered by company, then SKU.
	Offers(ctx context.Context, q OfferQuery) ([]Item, error)
}
