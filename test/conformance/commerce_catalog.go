package conformance

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
)

func catalogItem(company kernel.ID, sku, name string, kind commerce.Kind, price int64, stock *int64, tags ...string) commerce.Item {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	return commerce.Item{CompanyID: company, SKU: sku, Name: name, Kind: kind, Tags: tags, Price: kernel.BRL(price), Stock: stock,
		Fulfilment: commerce.Fulfilment{Pickup: true}, CreatedAt: at, UpdatedAt: at}
}

func units(n int64) *int64 { return &n }

// RunCommerceCatalogStore checks the catalogue store's contract: an upsert of
// the same content leaves the version alone (unchanged), a changed one bumps it
// and keeps CreatedAt, a new SKU starts at version 1; Item and DeleteItem of a
// missing SKU are kernel.KindNotFound; lists are paged by SKU with their
// filters (kind, tag, accent-insensitive name, in stock) and never cross
// companies; Offers returns the tagged items of the given companies by company
// then SKU, limited; Items returns what exists; twenty concurrent puts of one
// new SKU create it once.
func RunCommerceCatalogStore(t *testing.T, newStore func(t *testing.T) commerce.CatalogStore) {
	report(t, "CommerceCatalogStore")
	ctx := context.Background()
	put := func(t *testing.T, s commerce.CatalogStore, co kernel.ID, items ...commerce.Item) []commerce.PutOutcome {
		t.Helper()
		out, err := s.PutItems(ctx, co, items, nil)
		noErr(t, "PutItems", err)
		if len(out) != len(items) {
			t.Fatalf("PutItems: %d outcomes for %d items", len(out), len(items))
		}
		return out
	}

	t.Run("UpsertVersions", func(t *testing.T) {
		s := newStore(t)
		co := kernel.NewID()
		it := catalogItem(co, "DIP-500", "Dipirona Sódica 500 mg", commerce.KindMedication, 1290, units(10), "drug:dipyrone")
		it.ActiveIngredient, it.Concentration, it.Form, it.Anvisa = "dipirona sódica", "500 mg", "comprimido", "1234567890123"
		it.RequiresPrescription = false
		it.Fulfilment.Delivery = &commerce.DeliveryTerms{RadiusKM: 7.5, Fee: kernel.BRL(500)}
		it.Description = "Caixa com 10 comprimidos"
		o := put(t, s, co, it)[0]
		if o.Result != commerce.PutCreated || o.Item.Version != 1 {
			t.Fatalf("first put = %s v%d, want created v1", o.Result, o.Item.Version)
		}
		got, err := s.Item(ctx, co, "DIP-500")
		noErr(t, "Item", err)
		if !got.SameContent(it) || got.CompanyID != co || got.Version != 1 || !got.CreatedAt.Equal(it.CreatedAt) {
			t.Fatalf("Item = %+v, want the content put", got)
		}
		if got.Fulfilment.Delivery == nil || got.Fulfilment.Delivery.RadiusKM != 7.5 || got.Fulfilment.Delivery.Fee != kernel.BRL(500) || *got.Stock != 10 {
			t.Errorf("delivery or stock lost: %+v", got)
		}

		again := it
		again.UpdatedAt = it.UpdatedAt.Add(time.Hour)
		o = put(t, s, co, again)[0]
		if o.Result != commerce.PutUnchanged || o.Item.Version != 1 || !o.Item.UpdatedAt.Equal(it.UpdatedAt) {
			t.Fatalf("same content again = %s v%d (updated %s), want unchanged v1 with the old time", o.Result, o.Item.Version, o.Item.UpdatedAt)
		}

		changed := again
		changed.Price = kernel.BRL(1390)
		changed.Stock = nil
		changed.Tags = []string{"drug:dipyrone", "form:tablet"}
		o = put(t, s, co, changed)[0]
		if o.Result != commerce.PutUpdated || o.Item.Version != 2 || !o.Item.CreatedAt.Equal(it.CreatedAt) || !o.Item.UpdatedAt.Equal(changed.UpdatedAt) {
			t.Fatalf("changed = %s v%d created %s updated %s, want updated v2 keeping CreatedAt", o.Result, o.Item.Version, o.Item.CreatedAt, o.Item.UpdatedAt)
		}
		got, err = s.Item(ctx, co, "DIP-500")
		noErr(t, "Item", err)
		if got.Stock != nil || got.Price.Amount != 1390 || !slices.Equal(got.Tags, []string{"drug:dipyrone", "form:tablet"}) || got.Version != 2 {
			t.Errorf("after update Item = %+v", got)
		}
		// the same SKU twice in one call: in order
		a := catalogItem(co, "X1", "Aveia", commerce.KindFood, 100, nil)
		b := a
		b.Name = "Aveia em flocos"
		outs := put(t, s, co, a, b)
		if outs[0].Result != commerce.PutCreated || outs[1].Result != commerce.PutUpdated || outs[1].Item.Version != 2 {
			t.Errorf("same SKU twice = %s, %s v%d", outs[0].Result, outs[1].Result, outs[1].Item.Version)
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		s := newStore(t)
		co := kernel.NewID()
		_, err := s.Item(ctx, co, "NOPE")
		wantKind(t, "Item of a missing SKU", err, kernel.KindNotFound)
		wantKind(t, "DeleteItem of a missing SKU", s.DeleteItem(ctx, co, "NOPE"), kernel.KindNotFound)
		put(t, s, co, catalogItem(co, "A", "Arroz", commerce.KindFood, 500, nil, "food:rice"))
		other := kernel.NewID()
		_, err = s.Item(ctx, other, "A")
		wantKind(t, "Item of another company's SKU", err, kernel.KindNotFound)
		wantKind(t, "DeleteItem of another company's SKU", s.DeleteItem(ctx, other, "A"), kernel.KindNotFound)
		noErr(t, "DeleteItem", s.DeleteItem(ctx, co, "A"))
		_, err = s.Item(ctx, co, "A")
		wantKind(t, "Item after delete", err, kernel.KindNotFound)
		wantKind(t, "DeleteItem twice", s.DeleteItem(ctx, co, "A"), kernel.KindNotFound)
		offers, err := s.Offers(ctx, commerce.OfferQuery{CompanyIDs: []kernel.ID{co}, Tags: []string{"food:rice"}})
		noErr(t, "Offers", err)
		if len(offers) != 0 {
			t.Errorf("a deleted item is still offered: %+v", offers)
		}
		// put again after delete: created anew
		if o := put(t, s, co, catalogItem(co, "A", "Arroz", commerce.KindFood, 500, nil))[0]; o.Result != commerce.PutCreated || o.Item.Version != 1 {
			t.Errorf("put after delete = %s v%d", o.Result, o.Item.Version)
		}
	})

	t.Run("ListPagingAndFilters", func(t *testing.T) {
		s := newStore(t)
		co, other := kernel.NewID(), kernel.NewID()
		put(t, s, co,
			catalogItem(co, "A-01", "Dipirona Sódica 500 mg", commerce.KindMedication, 1290, units(3), "drug:dipyrone"),
			catalogItem(co, "A-02", "Losartana Potássica 50 mg", commerce.KindMedication, 2190, units(0), "drug:losartan"),
			catalogItem(co, "A-03", "Glicosímetro", commerce.KindEquipment, 9990, nil, "device:glucose-meter"),
			catalogItem(co, "A-04", "Fita 100%_pura", commerce.KindProduct, 500, nil),
			catalogItem(co, "A-05", "DIPIRONA gotas", commerce.KindMedication, 890, nil, "drug:dipyrone"),
		)
		put(t, s, other, catalogItem(other, "A-00", "Dipirona de outra empresa", commerce.KindMedication, 100, nil, "drug:dipyrone"))

		var skus []string
		page := kernel.Page{Limit: 2}
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("paging does not end")
			}
			l, err := s.ListItems(ctx, commerce.ItemFilter{CompanyID: co}, page)
			noErr(t, "ListItems", err)
			if len(l.Items) > 2 {
				t.Fatalf("page of %d items, limit 2", len(l.Items))
			}
			for _, it := range l.Items {
				skus = append(skus, it.SKU)
			}
			if l.NextCursor == "" {
				break
			}
			page.Cursor = l.NextCursor
		}
		if !slices.Equal(skus, []string{"A-01", "A-02", "A-03", "A-04", "A-05"}) {
			t.Errorf("pages = %v", skus)
		}
		cases := []struct {
			f    commerce.ItemFilter
			want []string
		}{
			{commerce.ItemFilter{Kind: commerce.KindMedication}, []string{"A-01", "A-02", "A-05"}},
			{commerce.ItemFilter{Tag: "drug:dipyrone"}, []string{"A-01", "A-05"}},
			{commerce.ItemFilter{Q: "sodica"}, []string{"A-01"}},
			{commerce.ItemFilter{Q: " 500  DIPIRONA "}, []string{"A-01"}},
			{commerce.ItemFilter{Q: "dipirona 50"}, []string{"A-01"}},
			{commerce.ItemFilter{Q: "DIPIRONA"}, []string{"A-01", "A-05"}},
			{commerce.ItemFilter{Q: "potássica"}, []string{"A-02"}},
			{commerce.ItemFilter{Q: "%"}, []string{"A-04"}},
			{commerce.ItemFilter{Q: "_"}, []string{"A-04"}},
			{commerce.ItemFilter{InStock: true}, []string{"A-01", "A-03", "A-04", "A-05"}},
			{commerce.ItemFilter{Kind: commerce.KindMedication, InStock: true, Tag: "drug:dipyrone", Q: "gotas"}, []string{"A-05"}},
			{commerce.ItemFilter{Tag: "food:oats"}, nil},
		}
		for _, c := range cases {
			c.f.CompanyID = co
			l, err := s.ListItems(ctx, c.f, kernel.Page{Limit: 100})
			noErr(t, "ListItems", err)
			var got []string
			for _, it := range l.Items {
				got = append(got, it.SKU)
			}
			if !slices.Equal(got, c.want) || l.NextCursor != "" {
				t.Errorf("ListItems(%+v) = %v (next %q), want %v", c.f, got, l.NextCursor, c.want)
			}
		}
		_, err := s.ListItems(ctx, commerce.ItemFilter{CompanyID: co}, kernel.Page{Limit: 10, Cursor: "!!"})
		wantKind(t, "ListItems with a bad cursor", err, kernel.KindInvalid)
	})

	t.Run("OffersAndItems", func(t *testing.T) {
		s := newStore(t)
		c1, c2, c3 := kernel.NewID(), kernel.NewID(), kernel.NewID()
		put(t, s, c1, catalogItem(c1, "B", "Aveia", commerce.KindFood, 700, nil, "food:oats"),
			catalogItem(c1, "A", "Aveia fina", commerce.KindFood, 650, units(0), "food:oats", "food:cereal"),
			catalogItem(c1, "C", "Arroz", commerce.KindFood, 500, nil, "food:rice"))
		put(t, s, c2, catalogItem(c2, "Z", "Aveia orgânica", commerce.KindFood, 900, nil, "food:oats"))
		put(t, s, c3, catalogItem(c3, "Q", "Aveia de c3", commerce.KindFood, 100, nil, "food:oats"))
		offers, err := s.Offers(ctx, commerce.OfferQuery{CompanyIDs: []kernel.ID{c2, c1}, Tags: []string{"food:oats", "food:cereal"}, Limit: 10})
		noErr(t, "Offers", err)
		var got []string
		for _, it := range offers {
			got = append(got, it.CompanyID+"/"+it.SKU)
		}
		want := []string{c1 + "/A", c1 + "/B", c2 + "/Z"}
		if c2 < c1 {
			want = []string{c2 + "/Z", c1 + "/A", c1 + "/B"}
		}
		if !slices.Equal(got, want) {
			t.Errorf("Offers = %v, want %v (by company, then SKU; once per item)", got, want)
		}
		if len(offers) > 0 && len(offers[0].Tags) == 0 {
			t.Errorf("Offers lost the tags: %+v", offers[0])
		}
		offers, err = s.Offers(ctx, commerce.OfferQuery{CompanyIDs: []kernel.ID{c1, c2}, Tags: []string{"food:oats"}, Limit: 2})
		noErr(t, "Offers", err)
		if len(offers) != 2 {
			t.Errorf("Offers with limit 2 = %d items", len(offers))
		}
		for _, q := range []commerce.OfferQuery{{Tags: []string{"food:oats"}}, {CompanyIDs: []kernel.ID{c1}}} {
			offers, err = s.Offers(ctx, q)
			noErr(t, "Offers", err)
			if len(offers) != 0 {
				t.Errorf("Offers(%+v) = %d items, want none", q, len(offers))
			}
		}
		m, err := s.Items(ctx, c1, []string{"A", "C", "NOPE", "Z"})
		noErr(t, "Items", err)
		if len(m) != 2 || m["A"].Name != "Aveia fina" || m["C"].Price.Amount != 500 || m["A"].Stock == nil || *m["A"].Stock != 0 {
			t.Errorf("Items = %+v", m)
		}
		m, err = s.Items(ctx, c1, nil)
		noErr(t, "Items of no SKU", err)
		if len(m) != 0 {
			t.Errorf("Items(nil) = %+v", m)
		}
	})

	t.Run("EventsSeeOutcomes", func(t *testing.T) {
		s := newStore(t)
		co := kernel.NewID()
		put(t, s, co, catalogItem(co, "A", "Aveia", commerce.KindFood, 700, nil))
		var seen []commerce.PutResult
		_, err := s.PutItems(ctx, co, []commerce.Item{catalogItem(co, "A", "Aveia", commerce.KindFood, 700, nil),
			catalogItem(co, "B", "Arroz", commerce.KindFood, 700, nil), catalogItem(co, "A", "Aveia", commerce.KindFood, 800, nil)},
			func(outs []commerce.PutOutcome) []kernel.Event {
				for _, o := range outs {
					seen = append(seen, o.Result)
				}
				return []kernel.Event{commerce.PartnerEvent(commerce.EventCatalogImported, co, map[string]any{"created": 1}, time.Now())}
			})
		noErr(t, "PutItems with events", err)
		if !slices.Equal(seen, []commerce.PutResult{commerce.PutUnchanged, commerce.PutCreated, commerce.PutUpdated}) {
			t.Errorf("events saw %v", seen)
		}
		// an empty put still commits its events
		_, err = s.PutItems(ctx, co, nil, func([]commerce.PutOutcome) []kernel.Event {
			return []kernel.Event{commerce.PartnerEvent(commerce.EventCatalogImported, co, map[string]any{"created": 0}, time.Now())}
		})
		noErr(t, "PutItems of nothing", err)
	})

	t.Run("ConcurrentCreate", func(t *testing.T) {
		s := newStore(t)
		co := kernel.NewID()
		const n = 20
		var wg sync.WaitGroup
		results := make([]commerce.PutResult, n)
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				out, err := s.PutItems(ctx, co, []commerce.Item{catalogItem(co, "RACE", "Aveia", commerce.KindFood, 700, units(5), "food:oats")}, nil)
				errs[i] = err
				if err == nil {
					results[i] = out[0].Result
				}
			}(i)
		}
		wg.Wait()
		created := 0
		for i := 0; i < n; i++ {
			if errs[i] != nil {
				if k := kernel.KindOf(errs[i]); k != kernel.KindConflict && k != kernel.KindUnavailable {
					t.Errorf("put %d: %v (want success, or a conflict/unavailable to retry)", i, errs[i])
				}
				continue
			}
			if results[i] == commerce.PutCreated {
				created++
			} else if results[i] != commerce.PutUnchanged {
				t.Errorf("put %d: %s", i, results[i])
			}
		}
		if created != 1 {
			t.Errorf("%d puts created the item, want exactly 1", created)
		}
		it, err := s.Item(ctx, co, "RACE")
		noErr(t, "Item", err)
		if it.Version != 1 {
			t.Errorf("version %d after identical concurrent puts, want 1", it.Version)
		}
	})

	t.Run("ManyItems", func(t *testing.T) {
		s := newStore(t)
		co := kernel.NewID()
		items := make([]commerce.Item, 1200) // more than one IN (...) chunk
		skus := make([]string, len(items))
		for i := range items {
			skus[i] = fmt.Sprintf("SKU-%05d", i)
			items[i] = catalogItem(co, skus[i], "Item", commerce.KindProduct, int64(i), nil, "product:x")
		}
		put(t, s, co, items...)
		outs := put(t, s, co, items...)
		for _, o := range outs {
			if o.Result != commerce.PutUnchanged {
				t.Fatalf("%s: %s on the second put, want unchanged", o.Item.SKU, o.Result)
			}
		}
		for i := range items {
			if i%2 == 0 {
				items[i].Price.Amount += 1
				items[i].Tags = []string{"product:y"}
			}
		}
		outs = put(t, s, co, items...)
		for i, o := range outs {
			want, version := commerce.PutUnchanged, int64(1)
			if i%2 == 0 {
				want, version = commerce.PutUpdated, 2
			}
			if o.Result != want || o.Item.Version != version {
				t.Fatalf("%s: %s v%d on the third put, want %s v%d", o.Item.SKU, o.Result, o.Item.Version, want, version)
			}
		}
		m, err := s.Items(ctx, co, skus)
		noErr(t, "Items", err)
		if len(m) != len(items) || m["SKU-00000"].Price.Amount != 1 || m["SKU-00000"].Version != 2 || m["SKU-00001"].Version != 1 {
			t.Errorf("Items found %d of %d; %+v", len(m), len(items), m["SKU-00000"])
		}
		offers, err := s.Offers(ctx, commerce.OfferQuery{CompanyIDs: []kernel.ID{co}, Tags: []string{"product:y"}, Limit: 1000})
		noErr(t, "Offers", err)
		if len(offers) != len(items)/2 {
			t.Errorf("%d items carry the new tag, want %d (tags replaced on update)", len(offers), len(items)/2)
		}
	})
}
