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
	CatalogWriter
}

// PutResult says what putting an item did.
type PutResult string

const (
	PutCreated   PutResult = "created"
	PutUpdated   PutResult = "updated"
	PutUnchanged PutResult = "unchanged" // the same content was already stored: same version
)

// PutOutcome is one item as stored after a put, and what the put did.
type PutOutcome struct {
	Item   Item
	Result PutResult
}

// ItemFilter selects items of one company's catalogue.
type ItemFilter struct {
	CompanyID kernel.ID
	Kind      Kind   // empty: any
	Tag       string // empty: any
	// Q's words must all appear in the item's name, ignoring case and
	// Portuguese accents ("sodica 500" finds "Dipirona Sódica 500 mg").
	Q       string
	InStock bool // only items with unlimited or positive stock
}

// CatalogWriter is what the catalogue's own use cases need beyond what orders
// and purchase options read (Items, Offers).
type CatalogWriter interface {
	// PutItems upserts items of companyID (their CompanyID is set by the store)
	// in one transaction, in order: an item whose content equals the stored one
	// (Item.SameContent) is left as it is (PutUnchanged, same version and
	// times); a new SKU is inserted with version 1 (PutCreated); any other is
	// replaced with version+1, keeping its CreatedAt (PutUpdated). The stock
	// written is the item's. events, when not nil, is called with the outcomes
	// (in the items' order) and the events it returns are committed with the
	// change. Returns the outcomes.
	PutItems(ctx context.Context, companyID kernel.ID, items []Item, events func([]PutOutcome) []kernel.Event) ([]PutOutcome, error)
	// Item returns one item; kernel.KindNotFound when there is none.
	Item(ctx context.Context, companyID kernel.ID, sku string) (Item, error)
	// ListItems returns one page of f.CompanyID's items ordered by SKU (the cursor is the last SKU).
	ListItems(ctx context.Context, f ItemFilter, page kernel.Page) (kernel.List[Item], error)
	// DeleteItem removes an item; kernel.KindNotFound when there is none.
	DeleteItem(ctx context.Context, companyID kernel.ID, sku string) error
}
