package commercesql

import (
	"context"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/commerce"
)

// Bulk writers for fixtures (PostgreSQL COPY), with the converters the catalogue,
// order and payment writes use.

// CopyItems writes catalogue items and their tags.
func CopyItems(ctx context.Context, db *sqlstore.DB, its []commerce.Item) (int64, error) {
	rows := make([]itemRow, len(its))
	var tags []itemTagRow
	for i, it := range its {
		r, err := itemToRow(it)
		if err != nil {
			return 0, err
		}
		rows[i] = r
		for _, t := range it.Tags {
			tags = append(tags, itemTagRow{CompanyID: it.CompanyID, SKU: it.SKU, Tag: t})
		}
	}
	n, err := sqlstore.CopyRows(ctx, db, rows)
	if err != nil {
		return n, err
	}
	_, err = sqlstore.CopyRows(ctx, db, tags)
	return n, err
}

// CopyOrders writes orders.
func CopyOrders(ctx context.Context, db *sqlstore.DB, os []commerce.Order) (int64, error) {
	rows := make([]orderRow, len(os))
	for i, o := range os {
		r, err := orderToRow(o)
		if err != nil {
			return 0, err
		}
		rows[i] = r
	}
	return sqlstore.CopyRows(ctx, db, rows)
}

// CopyPayments writes payments.
func CopyPayments(ctx context.Context, db *sqlstore.DB, ps []commerce.Payment) (int64, error) {
	return sqlstore.CopyEach(ctx, db, ps, paymentToRow)
}
