package commercesql_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/commercesql"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/test/conformance"
	"github.com/multisaude/multisaude/test/testdb"
)

func TestCatalogStoreSQLite(t *testing.T) {
	conformance.RunCommerceCatalogStore(t, func(t *testing.T) commerce.CatalogStore {
		return commercesql.New(testdb.Open(t, sqlstore.SQLite))
	})
}

func TestCatalogStorePostgres(t *testing.T) {
	if testdb.PostgresURL() == "" {
		t.Skipf("%s not set: skipping PostgreSQL", testdb.PostgresEnv)
	}
	conformance.RunCommerceCatalogStore(t, func(t *testing.T) commerce.CatalogStore {
		return commercesql.New(testdb.Open(t, sqlstore.Postgres))
	})
}

// The import's event is in the outbox with the items, and only when they commit;
// the orders' stock decrement works on the table as the catalogue writes it.
func TestCatalogOutboxAndStockColumns(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := commercesql.New(db)
		co := kernel.NewID()
		at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
		stock := int64(3)
		it := commerce.Item{SKU: "DIP", Name: "Dipirona", Kind: commerce.KindMedication, Price: kernel.BRL(1290), Stock: &stock,
			Fulfilment: commerce.Fulfilment{Pickup: true}, CreatedAt: at, UpdatedAt: at}
		_, err := s.PutItems(ctx, co, []commerce.Item{it}, func(outs []commerce.PutOutcome) []kernel.Event {
			return []kernel.Event{commerce.PartnerEvent(commerce.EventCatalogImported, co, map[string]any{"created": 1, "updated": 0, "refused": 2}, at)}
		})
		if err != nil {
			t.Fatal(err)
		}
		var bodies []string
		if err := db.NewSelect().Table("outbox").Column("body").Where("topic = ?", commerce.TopicPartnerEvent).Scan(ctx, &bodies); err != nil {
			t.Fatal(err)
		}
		if len(bodies) != 1 {
			t.Fatalf("%d outbox events, want 1", len(bodies))
		}
		var ev struct {
			Type string         `json:"type"`
			Data map[string]int `json:"data"`
		}
		if err := json.Unmarshal([]byte(bodies[0]), &ev); err != nil || ev.Type != "catalog.imported" || ev.Data["refused"] != 2 || ev.Data["created"] != 1 {
			t.Errorf("event = %s (%v)", bodies[0], err)
		}
		// the orders' decrement, as documented to them: 2 of 3 units, then 2 more is refused
		dec := func(n int64) int64 {
			res, err := db.NewRaw("UPDATE commerce_items SET stock = stock - ? WHERE company_id = ? AND sku = ? AND (stock IS NULL OR stock >= ?) AND price_amount = ?",
				n, co, "DIP", n, int64(1290)).Exec(ctx)
			if err != nil {
				t.Fatal(err)
			}
			k, _ := res.RowsAffected()
			return k
		}
		if dec(2) != 1 || dec(2) != 0 {
			t.Error("the stock decrement did not take 2 of 3 units and refuse 2 more")
		}
		got, err := s.Item(ctx, co, "DIP")
		if err != nil || *got.Stock != 1 || got.Version != 1 {
			t.Errorf("after the decrement: %+v, %v", got, err)
		}
	})
}
