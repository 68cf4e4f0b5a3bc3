package commercesql_test

import (
	"context"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/commercesql"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/test/conformance"
	"github.com/multisaude/multisaude/test/testdb"
)

// ordersFixture writes catalogue rows directly: the catalogue's own store is
// not what this suite tests.
func ordersFixture(t *testing.T, db *sqlstore.DB) conformance.CommerceOrdersFixture {
	ctx := context.Background()
	return conformance.CommerceOrdersFixture{
		Store: commercesql.New(db),
		PutItem: func(t *testing.T, companyID kernel.ID, sku string, price int64, stock *int64) {
			now := time.Now().UTC()
			_, err := db.NewRaw(`INSERT INTO commerce_items (company_id, sku, name, kind, price_amount, price_currency, stock,
				requires_prescription, body, version, created_at, updated_at) VALUES (?, ?, ?, 'product', ?, 'BRL', ?, FALSE, '{}', 1, ?, ?)`,
				companyID, sku, "Item "+sku, price, stock, now, now).Exec(ctx)
			if err != nil {
				t.Fatalf("insert item: %v", err)
			}
		},
		Stock: func(t *testing.T, companyID kernel.ID, sku string) *int64 {
			var s struct {
				Stock *int64 `bun:"stock"`
			}
			if err := db.NewSelect().Table("commerce_items").Column("stock").Where("company_id = ? AND sku = ?", companyID, sku).Scan(ctx, &s); err != nil {
				t.Fatalf("read stock: %v", err)
			}
			return s.Stock
		},
	}
}

func TestOrdersStore(t *testing.T) {
	for _, d := range testdb.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			conformance.RunCommerceOrdersStore(t, func(t *testing.T) conformance.CommerceOrdersFixture {
				return ordersFixture(t, testdb.Open(t, d))
			})
		})
	}
	if testdb.PostgresURL() == "" {
		t.Run("postgres", func(t *testing.T) { t.Skipf("%s not set: skipping PostgreSQL", testdb.PostgresEnv) })
	}
}
