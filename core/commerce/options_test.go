package commerce

import (
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/multisaude/multisaude/core/kernel"
)

// supplierTypes mirrors clinical.SupplierTypes (commerce may not import clinical).
var supplierTypes = map[string][]string{
	"medication": {"pharmacy"},
	"diet":       {"market"},
	"exercise":   {"gym", "sports_store"},
	"product":    {"pharmacy", "sports_store", "market"},
	"exam":       {"hospital", "laboratory"},
	"therapy":    {"hospital", "clinic"},
}

func stock(n int64) *int64 { return &n }

func planItem(id, kind string, tags ...string) PlanItem {
	return PlanItem{ID: id, Kind: kind, Name: "item " + id, Tags: tags, Suppliers: supplierTypes[kind]}
}

func company(id, typ string, p *Point) Company {
	return Company{ID: id, Name: "Parceira " + id, Type: typ, Verified: true, Point: p}
}

func item(co, sku string, k Kind, price int64, st *int64, f Fulfilment, tags ...string) Item {
	return Item{CompanyID: co, SKU: sku, Name: "produto " + sku, Kind: k, Tags: tags, Price: kernel.BRL(price), Stock: st, Fulfilment: f}
}

var (
	pickup = Fulfilment{Pickup: true}
	here   = &Point{Lat: -23.5614, Lng: -46.6559} // Avenida Paulista
	near1  = &Point{Lat: -23.5700, Lng: -46.6500} // about 1 km away
	far    = &Point{Lat: -22.9068, Lng: -43.1729} // Rio de Janeiro
)

func deliver(radius float64, fee int64) Fulfilment {
	return Fulfilment{Delivery: &DeliveryTerms{RadiusKM: radius, Fee: kernel.BRL(fee)}}
}

func TestKindFits(t *testing.T) {
	yes := map[string][]Kind{
		"medication": {KindMedication}, "diet": {KindFood}, "exercise": {KindGymPlan, KindEquipment},
		"product": {KindProduct, KindEquipment}, "exam": {KindExam}, "therapy": {KindService},
	}
	for planKind, fits := range yes {
		for _, k := range Kinds() {
			if got, want := KindFits(planKind, Kind(k)), slices.Contains(fits, Kind(k)); got != want {
				t.Errorf("KindFits(%s, %s) = %v, want %v", planKind, k, got, want)
			}
		}
	}
	if KindFits("surgery", KindService) {
		t.Error("an unknown plan kind fits")
	}
}

func TestDistanceKM(t *testing.T) {
	if d := DistanceKM(*here, *here); d != 0 {
		t.Errorf("same point: %v", d)
	}
	if d := DistanceKM(*here, *far); d < 355 || d > 365 { // São Paulo to Rio, about 360 km
		t.Errorf("SP-RJ = %.1f km", d)
	}
	if d := DistanceKM(*here, *near1); d < 0.9 || d > 1.3 {
		t.Errorf("near = %.2f km", d)
	}
}

func TestMatchOffers(t *testing.T) {
	ph := company("c1", "pharmacy", near1)
	mk := company("c2", "market", near1)
	gym := company("c3", "gym", nil)
	unverified := company("c4", "pharmacy", near1)
	unverified.Verified = false
	partners := []Company{ph, mk, gym, unverified}
	med := planItem("p1", "medication", "drug:losartan")
	cases := []struct {
		name  string
		pi    PlanItem
		it    Item
		near  *Point
		match bool
		check func(t *testing.T, o Offer)
	}{
		{"pharmacy medication by tag", med, item("c1", "los", KindMedication, 1000, nil, pickup, "drug:losartan"), here, true, nil},
		{"no tag in common", med, item("c1", "los", KindMedication, 1000, nil, pickup, "drug:other"), here, false, nil},
		{"wrong supplier type", med, item("c2", "los", KindMedication, 1000, nil, pickup, "drug:losartan"), here, false, nil},
		{"kind does not fit", med, item("c1", "los", KindProduct, 1000, nil, pickup, "drug:losartan"), here, false, nil},
		{"unverified company", med, item("c4", "los", KindMedication, 1000, nil, pickup, "drug:losartan"), here, false, nil},
		{"unknown company", med, item("c9", "los", KindMedication, 1000, nil, pickup, "drug:losartan"), here, false, nil},
		{"other currency", med, func() Item {
			it := item("c1", "los", KindMedication, 1000, nil, pickup, "drug:losartan")
			it.Price.Currency = "USD"
			return it
		}(), here, false, nil},
		{"diet is food", planItem("p2", "diet", "food:oats"), item("c2", "oats", KindFood, 500, stock(3), pickup, "food:oats"), here, true, nil},
		{"a market may not sell equipment", planItem("p3", "product", "device:scale"), item("c2", "scale", KindEquipment, 500, nil, pickup, "device:scale"), here, false, nil},
		{"exercise at a gym", planItem("p4", "exercise", "activity:swimming"), item("c3", "plan", KindGymPlan, 9900, nil, pickup, "activity:swimming"), here, true,
			func(t *testing.T, o Offer) {
				if o.DistanceKM != nil || o.Delivery != nil || !o.Pickup {
					t.Errorf("gym without a point: %+v", o)
				}
			}},
		{"delivery within radius", med, item("c1", "los", KindMedication, 1000, nil, deliver(5, 700), "drug:losartan"), here, true,
			func(t *testing.T, o Offer) {
				if o.DistanceKM == nil || o.Delivery == nil || !o.Delivery.Available || o.Delivery.Fee.Amount != 700 {
					t.Errorf("delivery: %+v %+v", o, o.Delivery)
				}
			}},
		{"delivery beyond radius, no pickup", med, item("c1", "los", KindMedication, 1000, nil, deliver(0.5, 700), "drug:losartan"), here, false, nil},
		{"delivery with the patient's point unknown, no pickup", med, item("c1", "los", KindMedication, 1000, nil, deliver(50, 700), "drug:losartan"), nil, false, nil},
		{"delivery beyond radius, pickup", med, item("c1", "los", KindMedication, 1000, nil, Fulfilment{Pickup: true, Delivery: &DeliveryTerms{RadiusKM: 0.5, Fee: kernel.BRL(1)}}, "drug:losartan"), here, true,
			func(t *testing.T, o Offer) {
				if o.Delivery == nil || o.Delivery.Available {
					t.Errorf("delivery should be listed and unavailable: %+v", o.Delivery)
				}
			}},
		{"out of stock is listed", med, item("c1", "los", KindMedication, 1000, stock(0), pickup, "drug:losartan"), here, true,
			func(t *testing.T, o Offer) {
				if o.InStock || o.Score != 0 {
					t.Errorf("out of stock: in_stock %v score %v", o.InStock, o.Score)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := MatchOffers([]PlanItem{c.pi}, []Item{c.it}, partners, c.near)
			if len(got) != 1 {
				t.Fatalf("items = %d", len(got))
			}
			if (len(got[0].Offers) == 1) != c.match {
				t.Fatalf("offers = %+v, want match %v", got[0].Offers, c.match)
			}
			if c.match && c.check != nil {
				c.check(t, got[0].Offers[0])
			}
			if got[0].Uncovered != (!c.match || !got[0].Offers[0].InStock) {
				t.Errorf("uncovered = %v", got[0].Uncovered)
			}
		})
	}
}

func TestScoreAndRanking(t *testing.T) {
	a := company("a", "pharmacy", near1)
	b := company("b", "pharmacy", far)
	c := company("c", "pharmacy", nil)
	med := planItem("p1", "medication", "drug:x")
	offers := []Item{
		item("b", "2", KindMedication, 1000, nil, pickup, "drug:x"),
		item("a", "1", KindMedication, 2000, stock(5), deliver(10, 500), "drug:x"),
		item("c", "3", KindMedication, 1000, nil, pickup, "drug:x"),
		item("c", "4", KindMedication, 1000, nil, pickup, "drug:x"),
	}
	got := MatchOffers([]PlanItem{med}, offers, []Company{c, b, a}, here)[0].Offers
	var order []string
	for _, o := range got {
		order = append(order, o.Company.ID+"/"+o.Item.SKU)
	}
	// a: 50×1000/2000 + 25×5/(5+~1.1) + 15 + 10×5/10 ≈ 25 + 20.5 + 15 + 5 = 65.5
	// b: 50 + 25×5/(5+360) + 0 + 10 ≈ 60.3; c: 50 + 0 + 0 + 10 = 60 (twice, by SKU)
	if want := []string{"a/1", "b/2", "c/3", "c/4"}; !slices.Equal(order, want) {
		t.Fatalf("ranking = %v, want %v (scores %v %v %v %v)", order, want, got[0].Score, got[1].Score, got[2].Score, got[3].Score)
	}
	if got[2].Score != 60 || got[0].Score < 65 || got[0].Score > 66 {
		t.Errorf("scores = %v, %v", got[0].Score, got[2].Score)
	}
}

func TestOffersCapped(t *testing.T) {
	var offers []Item
	for i := range MaxOffersPerItem + 20 {
		offers = append(offers, item("a", fmt.Sprintf("sku%03d", i), KindMedication, int64(1000+i), nil, pickup, "drug:x"))
	}
	got := MatchOffers([]PlanItem{planItem("p", "medication", "drug:x")}, offers, []Company{company("a", "pharmacy", nil)}, nil)[0].Offers
	if len(got) != MaxOffersPerItem || got[0].Item.SKU != "sku000" || got[len(got)-1].Item.SKU != fmt.Sprintf("sku%03d", MaxOffersPerItem-1) {
		t.Fatalf("kept %d offers, first %s last %s", len(got), got[0].Item.SKU, got[len(got)-1].Item.SKU)
	}
}

func lineKeys(b Basket) []string {
	var out []string
	for _, l := range b.Lines {
		out = append(out, l.PlanItemID+"="+l.CompanyID+"/"+l.SKU+"/"+l.Method)
	}
	return out
}

func TestBaskets(t *testing.T) {
	ph := company("ph", "pharmacy", near1)
	ph2 := company("ph2", "pharmacy", near1)
	mk := company("mk", "market", near1)
	cases := []struct {
		name             string
		items            []PlanItem
		offers           []Item
		partners         []Company
		cheapest, fewest []string
		cheapTotal       int64
		fewTotal         int64
		uncovered        []string
	}{
		{
			name:  "cheapest splits, fewest_partners pays more at one pharmacy",
			items: []PlanItem{planItem("1", "medication", "drug:a"), planItem("2", "medication", "drug:b")},
			offers: []Item{
				item("ph", "a", KindMedication, 1000, nil, pickup, "drug:a"), item("ph", "b", KindMedication, 3000, nil, pickup, "drug:b"),
				item("ph2", "b", KindMedication, 2000, nil, pickup, "drug:b"),
			},
			partners: []Company{ph, ph2},
			cheapest: []string{"1=ph/a/pickup", "2=ph2/b/pickup"}, cheapTotal: 3000,
			fewest: []string{"1=ph/a/pickup", "2=ph/b/pickup"}, fewTotal: 4000,
			uncovered: []string{},
		},
		{
			name:  "one delivery fee per partner makes one partner cheapest",
			items: []PlanItem{planItem("1", "medication", "drug:a"), planItem("2", "medication", "drug:b")},
			offers: []Item{
				item("ph", "a", KindMedication, 1000, nil, deliver(10, 800), "drug:a"), item("ph", "b", KindMedication, 1000, nil, deliver(10, 800), "drug:b"),
				item("ph2", "b", KindMedication, 900, nil, deliver(10, 800), "drug:b"),
			},
			partners: []Company{ph, ph2},
			cheapest: []string{"1=ph/a/delivery", "2=ph/b/delivery"}, cheapTotal: 2800,
			fewest: []string{"1=ph/a/delivery", "2=ph/b/delivery"}, fewTotal: 2800,
			uncovered: []string{},
		},
		{
			name:  "two plan items share the last unit: the other goes elsewhere",
			items: []PlanItem{planItem("1", "medication", "drug:a"), planItem("2", "medication", "drug:a", "drug:b")},
			offers: []Item{
				item("ph", "a", KindMedication, 1000, stock(1), pickup, "drug:a", "drug:b"),
				item("ph2", "b", KindMedication, 5000, nil, pickup, "drug:b"),
			},
			partners: []Company{ph, ph2},
			cheapest: []string{"1=ph/a/pickup", "2=ph2/b/pickup"}, cheapTotal: 6000,
			fewest: []string{"1=ph/a/pickup", "2=ph2/b/pickup"}, fewTotal: 6000,
			uncovered: []string{},
		},
		{
			name:  "the last unit cannot serve two: one is uncovered",
			items: []PlanItem{planItem("1", "medication", "drug:a"), planItem("2", "medication", "drug:a")},
			offers: []Item{
				item("ph", "a", KindMedication, 1000, stock(1), pickup, "drug:a"),
			},
			partners: []Company{ph},
			cheapest: []string{"1=ph/a/pickup"}, cheapTotal: 1000,
			fewest: []string{"1=ph/a/pickup"}, fewTotal: 1000,
			uncovered: []string{"2"},
		},
		{
			name:  "items without offers, out of stock or out of reach are uncovered",
			items: []PlanItem{planItem("1", "medication", "drug:a"), planItem("2", "diet", "food:oats"), planItem("3", "diet", "food:rice"), planItem("4", "exam", "exam:x")},
			offers: []Item{
				item("ph", "a", KindMedication, 1000, nil, pickup, "drug:a"),
				item("mk", "oats", KindFood, 500, stock(0), pickup, "food:oats"),
				item("mk", "rice", KindFood, 500, nil, deliver(0.1, 100), "food:rice"),
			},
			partners: []Company{ph, mk},
			cheapest: []string{"1=ph/a/pickup"}, cheapTotal: 1000,
			fewest: []string{"1=ph/a/pickup"}, fewTotal: 1000,
			uncovered: []string{"2", "3", "4"},
		},
		{
			name:  "pickup lines at a delivering partner ride along when they can be delivered",
			items: []PlanItem{planItem("1", "medication", "drug:a"), planItem("2", "medication", "drug:b")},
			offers: []Item{
				item("ph", "a", KindMedication, 1000, nil, Fulfilment{Pickup: true, Delivery: &DeliveryTerms{RadiusKM: 10, Fee: kernel.BRL(300)}}, "drug:a"),
				item("ph", "b", KindMedication, 1000, nil, deliver(10, 500), "drug:b"),
			},
			partners: []Company{ph},
			cheapest: []string{"1=ph/a/delivery", "2=ph/b/delivery"}, cheapTotal: 2500,
			fewest: []string{"1=ph/a/delivery", "2=ph/b/delivery"}, fewTotal: 2500,
			uncovered: []string{},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			po := BuildPurchaseOptions("plan", c.items, c.offers, c.partners, here)
			if got := lineKeys(po.Cheapest); !slices.Equal(got, c.cheapest) || po.Cheapest.Total.Amount != c.cheapTotal {
				t.Errorf("cheapest = %v total %d, want %v total %d", got, po.Cheapest.Total.Amount, c.cheapest, c.cheapTotal)
			}
			if got := lineKeys(po.FewestPartners); !slices.Equal(got, c.fewest) || po.FewestPartners.Total.Amount != c.fewTotal {
				t.Errorf("fewest = %v total %d, want %v total %d", got, po.FewestPartners.Total.Amount, c.fewest, c.fewTotal)
			}
			for _, b := range []Basket{po.Cheapest, po.FewestPartners} {
				if !slices.Equal(b.Uncovered, c.uncovered) || !b.Exact || b.Total.Currency != "BRL" {
					t.Errorf("uncovered = %v (want %v), exact %v, currency %q", b.Uncovered, c.uncovered, b.Exact, b.Total.Currency)
				}
			}
		})
	}
}

func TestBasketFeesAndPartners(t *testing.T) {
	ph := company("ph", "pharmacy", near1)
	items := []PlanItem{planItem("1", "medication", "drug:a"), planItem("2", "medication", "drug:b")}
	offers := []Item{
		item("ph", "a", KindMedication, 1000, nil, deliver(10, 300), "drug:a"),
		item("ph", "b", KindMedication, 1000, nil, deliver(10, 500), "drug:b"),
	}
	b := BuildPurchaseOptions("plan", items, offers, []Company{ph}, here).Cheapest
	want := []BasketPartner{{CompanyID: "ph", Name: "Parceira ph", Method: MethodDelivery, Fee: kernel.BRL(500)}}
	if !reflect.DeepEqual(b.Partners, want) || b.Subtotal.Amount != 2000 || b.Fees.Amount != 500 || b.Total.Amount != 2500 {
		t.Fatalf("basket = %+v", b)
	}
	for _, l := range b.Lines {
		if l.Quantity != 1 || l.UnitPrice != kernel.BRL(1000) {
			t.Errorf("line = %+v", l)
		}
	}
}

// TestBasketsLargeFallBack: a plan past the exact search's cap (100 items,
// 200 pharmacies, the items competing for few units of shared SKUs) still
// gets valid baskets, quickly, marked as not proven optimal.
func TestBasketsLargeFallBack(t *testing.T) {
	var items []PlanItem
	var offers []Item
	var partners []Company
	for c := range MaxOptionPartners {
		partners = append(partners, company(fmt.Sprintf("c%03d", c), "pharmacy", near1))
	}
	r := rand.New(rand.NewSource(9))
	for i := range MaxOptionItems {
		items = append(items, planItem(fmt.Sprintf("i%03d", i), "medication", fmt.Sprintf("drug:d%d", i%7)))
	}
	for c := range MaxOptionPartners {
		for k := range 7 {
			f := pickup
			if r.Intn(2) == 0 {
				f = deliver(10, int64(r.Intn(1000)))
			}
			offers = append(offers, item(fmt.Sprintf("c%03d", c), fmt.Sprintf("s%d", k), KindMedication, int64(500+r.Intn(5000)),
				stock(int64(r.Intn(3))), f, fmt.Sprintf("drug:d%d", k)))
		}
	}
	start := time.Now()
	po := BuildPurchaseOptions("plan", items, offers, partners, here)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
	checkBasketInvariants(t, po)
	if po.Cheapest.Exact || po.FewestPartners.Exact {
		t.Errorf("exact search finished on a plan this size: cheapest %v, fewest %v", po.Cheapest.Exact, po.FewestPartners.Exact)
	}
	t.Logf("%v: cheapest %d lines R$ %d, fewest_partners %d partners R$ %d", time.Since(start), len(po.Cheapest.Lines),
		po.Cheapest.Total.Amount, len(po.FewestPartners.Partners), po.FewestPartners.Total.Amount)
}

// checkBasketInvariants checks what every answer must satisfy, and returns
// the number of items each basket covers.
func checkBasketInvariants(t interface {
	Helper()
	Fatalf(string, ...any)
}, po PurchaseOptions) {
	t.Helper()
	offerOfLine := map[string]Offer{}
	for _, io := range po.Items {
		for _, o := range io.Offers {
			offerOfLine[io.Item.ID+"|"+o.Company.ID+"|"+o.Item.SKU] = o
		}
	}
	for name, b := range map[string]Basket{"cheapest": po.Cheapest, "fewest_partners": po.FewestPartners} {
		units := map[string]int64{}
		var sub int64
		partners := map[string]bool{}
		seenItem := map[string]bool{}
		for _, l := range b.Lines {
			o, ok := offerOfLine[l.PlanItemID+"|"+l.CompanyID+"|"+l.SKU]
			if !ok || !o.usable() || l.Quantity != 1 || l.UnitPrice != o.Item.Price {
				t.Fatalf("%s: line %+v is not a usable offer of its item", name, l)
			}
			if seenItem[l.PlanItemID] {
				t.Fatalf("%s: plan item %s twice", name, l.PlanItemID)
			}
			seenItem[l.PlanItemID] = true
			units[l.CompanyID+"|"+l.SKU]++
			if o.Item.Stock != nil && units[l.CompanyID+"|"+l.SKU] > *o.Item.Stock {
				t.Fatalf("%s: %d units of %s/%s, stock %d", name, units[l.CompanyID+"|"+l.SKU], l.CompanyID, l.SKU, *o.Item.Stock)
			}
			sub += l.UnitPrice.Amount
			partners[l.CompanyID] = true
		}
		var fees int64
		for _, p := range b.Partners {
			if !partners[p.CompanyID] {
				t.Fatalf("%s: partner %s has no line", name, p.CompanyID)
			}
			fees += p.Fee.Amount
		}
		if len(b.Partners) != len(partners) || b.Subtotal.Amount != sub || b.Fees.Amount != fees || b.Total.Amount != sub+fees {
			t.Fatalf("%s: totals %+v, lines sum %d, fees %d, partners %d/%d", name, b, sub, fees, len(b.Partners), len(partners))
		}
		if len(b.Lines)+len(b.Uncovered) != len(po.Items) {
			t.Fatalf("%s: %d lines + %d uncovered for %d items", name, len(b.Lines), len(b.Uncovered), len(po.Items))
		}
		for _, io := range po.Items {
			if io.Uncovered && seenItem[io.Item.ID] {
				t.Fatalf("%s: covers %s, which has no usable offer", name, io.Item.ID)
			}
		}
	}
	if len(po.Cheapest.Lines) != len(po.FewestPartners.Lines) {
		t.Fatalf("the baskets cover %d and %d items", len(po.Cheapest.Lines), len(po.FewestPartners.Lines))
	}
	if po.Cheapest.Total.Amount > po.FewestPartners.Total.Amount {
		t.Fatalf("cheapest R$ %d > fewest_partners R$ %d", po.Cheapest.Total.Amount, po.FewestPartners.Total.Amount)
	}
	if len(po.FewestPartners.Partners) > len(po.Cheapest.Partners) {
		t.Fatalf("fewest_partners uses %d partners, cheapest %d", len(po.FewestPartners.Partners), len(po.Cheapest.Partners))
	}
}

// brute enumerates every assignment of the usable offers (small inputs only):
// the most items coverable, the lowest cost covering that many, and the
// fewest partners then lowest cost covering that many.
func brute(items []ItemOptions) (maxCover int, cheapest int64, fewestParts int, fewestCost int64) {
	type opt struct {
		key, partner string
		price, fee   int64
		delivery     bool
	}
	var opts [][]opt
	for _, io := range items {
		var os []opt
		for _, o := range io.Offers {
			if o.usable() {
				x := opt{key: o.Company.ID + "|" + o.Item.SKU, partner: o.Company.ID, price: o.Item.Price.Amount, delivery: !o.Pickup}
				if x.delivery {
					x.fee = o.Delivery.Fee.Amount
				}
				os = append(os, x)
			}
		}
		opts = append(opts, os)
	}
	stockOf := map[string]int64{}
	for _, io := range items {
		for _, o := range io.Offers {
			if o.Item.Stock != nil {
				stockOf[o.Company.ID+"|"+o.Item.SKU] = *o.Item.Stock
			}
		}
	}
	maxCover, cheapest, fewestParts, fewestCost = -1, 0, 0, 0
	choice := make([]int, len(items))
	var rec func(i int)
	rec = func(i int) {
		if i == len(items) {
			units := map[string]int64{}
			fee := map[string]int64{}
			used := map[string]bool{}
			cov := 0
			var cost int64
			for k, c := range choice {
				if c < 0 {
					continue
				}
				o := opts[k][c]
				units[o.key]++
				if s, ok := stockOf[o.key]; ok && units[o.key] > s {
					return
				}
				cov++
				cost += o.price
				used[o.partner] = true
				fee[o.partner] = max(fee[o.partner], o.fee)
			}
			for _, f := range fee {
				cost += f
			}
			parts := len(used)
			switch {
			case cov > maxCover:
				maxCover, cheapest, fewestParts, fewestCost = cov, cost, parts, cost
			case cov == maxCover:
				cheapest = min(cheapest, cost)
				if parts < fewestParts || (parts == fewestParts && cost < fewestCost) {
					fewestParts, fewestCost = parts, cost
				}
			}
			return
		}
		for c := -1; c < len(opts[i]); c++ {
			choice[i] = c
			rec(i + 1)
		}
	}
	rec(0)
	return
}

var (
	planKinds    = []string{"medication", "diet", "exercise", "product", "exam", "therapy"}
	companyTypes = []string{"pharmacy", "market", "sports_store", "gym", "hospital"}
	vocabulary   = []string{"t:a", "t:b"}
)

// fitting lists the kinds a partner of type typ may sell that answer pi.
func fitting(pi PlanItem, typ string) []Kind {
	if !slices.Contains(pi.Suppliers, typ) {
		return nil
	}
	var out []Kind
	for _, k := range SellerKinds[typ] {
		if KindFits(pi.Kind, k) {
			out = append(out, k)
		}
	}
	return out
}

type scenario struct {
	items    []PlanItem
	offers   []Item
	partners []Company
	near     *Point
}

func genScenario(t *rapid.T, unlimited bool) scenario {
	var s scenario
	point := func(label string) *Point {
		if rapid.IntRange(0, 4).Draw(t, label+" known") == 0 {
			return nil
		}
		return &Point{Lat: -23.56 + rapid.Float64Range(-0.1, 0.1).Draw(t, label+" lat"), Lng: -46.65 + rapid.Float64Range(-0.1, 0.1).Draw(t, label+" lng")}
	}
	s.near = point("near")
	nc := rapid.IntRange(1, 4).Draw(t, "companies")
	types := rapid.SampledFrom([][]string{companyTypes, {"pharmacy", "market", "sports_store"}}).Draw(t, "types")
	for c := range nc {
		s.partners = append(s.partners, company(fmt.Sprintf("c%d", c), rapid.SampledFrom(types).Draw(t, "type"), point("company")))
	}
	ni := rapid.IntRange(1, 5).Draw(t, "plan items")
	kinds := rapid.SampledFrom([][]string{planKinds, {"medication", "diet", "product"}}).Draw(t, "plan kinds")
	for i := range ni {
		tags := rapid.SliceOfNDistinct(rapid.SampledFrom(vocabulary), 1, 2, rapid.ID[string]).Draw(t, "item tags")
		s.items = append(s.items, planItem(fmt.Sprintf("p%d", i), rapid.SampledFrom(kinds).Draw(t, "kind"), tags...))
	}
	no := rapid.IntRange(0, 10).Draw(t, "offers")
	for o := range no {
		// most offers aim at a plan item: a partner of a fitting type, a fitting kind, one of its tags
		target := s.items[rapid.IntRange(0, ni-1).Draw(t, "target")]
		co := rapid.IntRange(0, nc-1).Draw(t, "offer company")
		var kinds []Kind
		if rapid.IntRange(0, 4).Draw(t, "aim") > 0 {
			for c := range nc {
				if k := fitting(target, s.partners[(co+c)%nc].Type); len(k) > 0 {
					co, kinds = (co+c)%nc, k
					break
				}
			}
		}
		if kinds == nil {
			kinds = SellerKinds[s.partners[co].Type]
		}
		var st *int64
		if !unlimited && rapid.Bool().Draw(t, "limited stock") {
			st = stock(rapid.Int64Range(0, 2).Draw(t, "stock"))
		}
		f := Fulfilment{Pickup: rapid.IntRange(0, 2).Draw(t, "pickup") > 0}
		if rapid.Bool().Draw(t, "delivery") {
			f.Delivery = &DeliveryTerms{RadiusKM: rapid.Float64Range(0, 30).Draw(t, "radius"), Fee: kernel.BRL(rapid.Int64Range(0, 1000).Draw(t, "fee"))}
		}
		tags := rapid.SliceOfNDistinct(rapid.SampledFrom(vocabulary), 1, 2, rapid.ID[string]).Draw(t, "offer tags")
		s.offers = append(s.offers, item(s.partners[co].ID, fmt.Sprintf("s%d", o), rapid.SampledFrom(kinds).Draw(t, "offer kind"),
			rapid.Int64Range(0, 5000).Draw(t, "price"), st, f, tags...))
	}
	return s
}

func TestBasketProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genScenario(t, false)
		po := BuildPurchaseOptions("plan", s.items, s.offers, s.partners, s.near)
		checkBasketInvariants(t, po)
		maxCover, cheapest, fewestParts, fewestCost := brute(po.Items)
		if len(po.Cheapest.Lines) != maxCover {
			t.Fatalf("the baskets cover %d items; %d can be", len(po.Cheapest.Lines), maxCover)
		}
		if po.Cheapest.Exact && po.Cheapest.Total.Amount != cheapest {
			t.Fatalf("cheapest R$ %d, the best is R$ %d", po.Cheapest.Total.Amount, cheapest)
		}
		if po.FewestPartners.Exact && (len(po.FewestPartners.Partners) != fewestParts || po.FewestPartners.Total.Amount != fewestCost) {
			t.Fatalf("fewest_partners %d partners R$ %d, the best is %d partners R$ %d", len(po.FewestPartners.Partners),
				po.FewestPartners.Total.Amount, fewestParts, fewestCost)
		}
	})
}

// With stock enough for every item, every item that has an offer in stock
// (and obtainable) is covered.
func TestBasketCoversEveryCoverableItem(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genScenario(t, true)
		po := BuildPurchaseOptions("plan", s.items, s.offers, s.partners, s.near)
		checkBasketInvariants(t, po)
		for _, b := range []Basket{po.Cheapest, po.FewestPartners} {
			for _, io := range po.Items {
				if !io.Uncovered && slices.Contains(b.Uncovered, io.Item.ID) {
					t.Fatalf("item %s has an offer in stock and is uncovered", io.Item.ID)
				}
			}
		}
	})
}

func TestPurchaseOptionsDeterministic(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genScenario(t, false)
		want := BuildPurchaseOptions("plan", s.items, s.offers, s.partners, s.near)
		r := rand.New(rand.NewSource(rapid.Int64().Draw(t, "seed")))
		offers, partners := slices.Clone(s.offers), slices.Clone(s.partners)
		r.Shuffle(len(offers), func(i, j int) { offers[i], offers[j] = offers[j], offers[i] })
		r.Shuffle(len(partners), func(i, j int) { partners[i], partners[j] = partners[j], partners[i] })
		got := BuildPurchaseOptions("plan", s.items, offers, partners, s.near)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("shuffled input gives another answer:\n%+v\n%+v", got, want)
		}
		// the plan's order changes the order of the answer, not the baskets' choices
		items := slices.Clone(s.items)
		r.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
		reordered := BuildPurchaseOptions("plan", items, offers, partners, s.near)
		for _, pair := range [][2]Basket{{want.Cheapest, reordered.Cheapest}, {want.FewestPartners, reordered.FewestPartners}} {
			a, b := lineKeys(pair[0]), lineKeys(pair[1])
			slices.Sort(a)
			slices.Sort(b)
			if !slices.Equal(a, b) || pair[0].Total != pair[1].Total || !reflect.DeepEqual(pair[0].Partners, pair[1].Partners) {
				t.Fatalf("reordered plan items give another basket:\n%v\n%v", a, b)
			}
		}
	})
}
