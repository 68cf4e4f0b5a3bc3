package commerce

import (
	"math"
	"slices"
	"strings"

	"github.com/multisaude/multisaude/core/kernel"
)

// Bounds of purchase options: what one answer considers at most.
const (
	// MaxOptionItems: plan items considered (clinical caps a plan at 100 already).
	MaxOptionItems = 100
	// MaxOptionPartners: partners considered, nearest first when a point is known
	// (otherwise by ID).
	MaxOptionPartners = 200
	// MaxOffersPerItem: offers kept per plan item, best score first.
	MaxOffersPerItem = 50
	// BasketSearchNodes caps the exact basket search (nodes of the branch and
	// bound, per basket); past it the best basket found so far is answered,
	// never worse than the greedy one, with Exact false.
	BasketSearchNodes = 50_000
)

// OptionsCurrency is the currency of purchase options: offers priced in
// another currency are not considered.
const OptionsCurrency = "BRL"

// PlanKindFits says which catalogue kinds answer a treatment-plan item kind:
// a medication is a medication, a diet is food, an exercise a gym plan or
// equipment, a product a product or equipment, an exam an exam, a therapy a
// service.
var PlanKindFits = map[string][]Kind{
	"medication": {KindMedication},
	"diet":       {KindFood},
	"exercise":   {KindGymPlan, KindEquipment},
	"product":    {KindProduct, KindEquipment},
	"exam":       {KindExam},
	"therapy":    {KindService},
}

// KindFits reports whether a catalogue item of kind k may answer a plan item of kind planKind.
func KindFits(planKind string, k Kind) bool { return slices.Contains(PlanKindFits[planKind], k) }

// DistanceKM is the great-circle (haversine) distance between two points, in km.
func DistanceKM(a, b Point) float64 {
	const r = 6371.0
	la1, la2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	dla, dlo := la2-la1, (b.Lng-a.Lng)*math.Pi/180
	h := math.Sin(dla/2)*math.Sin(dla/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dlo/2)*math.Sin(dlo/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}

// ValidPoint reports whether p is a coordinate on the map.
func ValidPoint(p Point) bool {
	return p.Lat >= -90 && p.Lat <= 90 && p.Lng >= -180 && p.Lng <= 180
}

// OfferDelivery is an offer's delivery to the patient.
type OfferDelivery struct {
	// Available: the patient's point and the company's are known and the
	// distance between them is within the item's delivery radius.
	Available bool
	Fee       kernel.Money
}

// Offer is one catalogue item answering one plan item.
type Offer struct {
	Item       Item
	Company    Company
	DistanceKM *float64       // nil when the patient's or the company's point is unknown
	Delivery   *OfferDelivery // nil when the item is not delivered
	Pickup     bool
	InStock    bool // at least one unit (or unlimited stock)
	Score      float64
}

// Obtainable reports whether the patient can get the offer: picked up, or
// delivered within its radius.
func (o Offer) Obtainable() bool { return o.Pickup || (o.Delivery != nil && o.Delivery.Available) }

// usable: it may go into a basket.
func (o Offer) usable() bool { return o.InStock && o.Obtainable() }

// ItemOptions are the offers for one plan item, best score first.
type ItemOptions struct {
	Item   PlanItem
	Offers []Offer
	// Uncovered: no offer is in stock and obtainable.
	Uncovered bool
}

// BasketLine is one unit of one catalogue item answering one plan item.
type BasketLine struct {
	PlanItemID kernel.ID
	CompanyID  kernel.ID
	SKU        string
	Name       string
	Quantity   int64
	UnitPrice  kernel.Money
	Method     string // MethodPickup or MethodDelivery
}

// BasketPartner is one partner of a basket (one order): delivery when at least
// one of its lines cannot be picked up, with the largest delivery fee among
// those lines; pickup otherwise, with no fee.
type BasketPartner struct {
	CompanyID kernel.ID
	Name      string
	Method    string
	Fee       kernel.Money
}

// Basket is a choice of one offer per coverable plan item.
type Basket struct {
	Lines     []BasketLine // in the plan's item order
	Partners  []BasketPartner
	Subtotal  kernel.Money
	Fees      kernel.Money
	Total     kernel.Money
	Uncovered []kernel.ID // plan items the basket does not cover, in the plan's order
	// Exact: the search proved the basket optimal for its criterion; false
	// when it stopped at BasketSearchNodes (the basket is then the best found,
	// never worse than the greedy one).
	Exact bool
}

// PurchaseOptions answer a treatment plan with what the patient can buy.
type PurchaseOptions struct {
	PlanID         kernel.ID
	Near           *Point
	Items          []ItemOptions
	Cheapest       Basket
	FewestPartners Basket
}

// BuildPurchaseOptions is the pure core of purchase options: MatchOffers, then Baskets.
func BuildPurchaseOptions(planID kernel.ID, items []PlanItem, offers []Item, partners []Company, near *Point) PurchaseOptions {
	opts := MatchOffers(items, offers, partners, near)
	cheapest, fewest := Baskets(opts)
	return PurchaseOptions{PlanID: planID, Near: near, Items: opts, Cheapest: cheapest, FewestPartners: fewest}
}

// Score weights (see MatchOffers).
const (
	scorePrice    = 50.0
	scoreDistance = 25.0
	scoreDelivery = 15.0
	scoreStock    = 10.0
	scoreHalfKM   = 5.0  // the distance at which the distance share is halved
	scoreStockFor = 10.0 // units in stock that earn the whole stock share
)

// MatchOffers finds, for each plan item (in the plan's order, at most
// MaxOptionItems), the offers that answer it: the company is a verified
// partner whose type is among the item's suppliers and may sell the kind; the
// catalogue item's kind fits the plan item's kind (PlanKindFits); they share
// at least one tag; the price is in BRL; and the patient can get it (pickup, or
// delivery with the distance known and within the radius). Out-of-stock
// offers are listed (in_stock false) but go in no basket.
//
// Each offer has a score from 0 to 100, rounded to two decimals:
//
//	50 × cheapest/price   (cheapest: the lowest price among the item's offers in stock; 50 when the price is 0)
//	+ 25 × 5/(5 + km)     (0 when the distance is unknown)
//	+ 15                  (when delivery is available)
//	+ 10 × min(stock,10)/10 (10 when the stock is unlimited)
//
// and 0 when out of stock. Offers are ranked by score (highest first), then
// company ID, then SKU; at most MaxOffersPerItem are kept. The result does not
// depend on the order of offers or partners.
func MatchOffers(items []PlanItem, offers []Item, partners []Company, near *Point) []ItemOptions {
	if len(items) > MaxOptionItems {
		items = items[:MaxOptionItems]
	}
	byID := canonicalPartners(partners)
	catalogue := canonicalItems(offers)
	out := make([]ItemOptions, 0, len(items))
	for _, pi := range items {
		io := ItemOptions{Item: pi, Offers: []Offer{}}
		for _, it := range catalogue {
			co, ok := byID[it.CompanyID]
			if !ok || !matches(pi, it, co) {
				continue
			}
			o := offerOf(it, co, near)
			if o.Obtainable() {
				io.Offers = append(io.Offers, o)
			}
		}
		scoreOffers(io.Offers)
		slices.SortFunc(io.Offers, func(a, b Offer) int {
			if a.Score != b.Score {
				if a.Score > b.Score {
					return -1
				}
				return 1
			}
			if c := strings.Compare(a.Company.ID, b.Company.ID); c != 0 {
				return c
			}
			return strings.Compare(a.Item.SKU, b.Item.SKU)
		})
		if len(io.Offers) > MaxOffersPerItem {
			io.Offers = io.Offers[:MaxOffersPerItem]
		}
		io.Uncovered = !slices.ContainsFunc(io.Offers, Offer.usable)
		out = append(out, io)
	}
	return out
}

// canonicalPartners indexes the verified partners by ID (a repeated ID keeps
// the first in ID, then name order).
func canonicalPartners(partners []Company) map[kernel.ID]Company {
	ps := slices.Clone(partners)
	slices.SortStableFunc(ps, func(a, b Company) int {
		if c := strings.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	out := make(map[kernel.ID]Company, len(ps))
	for _, c := range ps {
		if _, dup := out[c.ID]; !dup && c.Verified {
			out[c.ID] = c
		}
	}
	return out
}

// canonicalItems sorts the catalogue items by company, SKU (then price and
// name, so a repeated key keeps the same one whatever the input order) and
// drops repeated keys.
func canonicalItems(items []Item) []Item {
	its := slices.Clone(items)
	slices.SortStableFunc(its, func(a, b Item) int {
		if c := strings.Compare(a.CompanyID, b.CompanyID); c != 0 {
			return c
		}
		if c := strings.Compare(a.SKU, b.SKU); c != 0 {
			return c
		}
		if a.Price.Amount != b.Price.Amount {
			if a.Price.Amount < b.Price.Amount {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return slices.CompactFunc(its, func(a, b Item) bool { return a.CompanyID == b.CompanyID && a.SKU == b.SKU })
}

func matches(pi PlanItem, it Item, co Company) bool {
	if !slices.Contains(pi.Suppliers, co.Type) || !MaySell(co.Type, it.Kind) || !KindFits(pi.Kind, it.Kind) {
		return false
	}
	if it.Price.Currency != OptionsCurrency || it.Price.Amount < 0 {
		return false
	}
	for _, t := range it.Tags {
		if slices.Contains(pi.Tags, t) {
			return true
		}
	}
	return false
}

func offerOf(it Item, co Company, near *Point) Offer {
	o := Offer{Item: it, Company: co, Pickup: it.Fulfilment.Pickup, InStock: it.InStock(1)}
	if near != nil && co.Point != nil {
		d := DistanceKM(*near, *co.Point)
		o.DistanceKM = &d
	}
	if dt := it.Fulfilment.Delivery; dt != nil {
		fee := dt.Fee
		if fee.Currency == "" {
			fee.Currency = OptionsCurrency
		}
		ok := o.DistanceKM != nil && *o.DistanceKM <= dt.RadiusKM && fee.Currency == OptionsCurrency && fee.Amount >= 0
		o.Delivery = &OfferDelivery{Available: ok, Fee: fee}
	}
	return o
}

func scoreOffers(offers []Offer) {
	cheapest := int64(-1)
	for _, o := range offers {
		if o.InStock && (cheapest < 0 || o.Item.Price.Amount < cheapest) {
			cheapest = o.Item.Price.Amount
		}
	}
	for i := range offers {
		o := &offers[i]
		if !o.InStock {
			o.Score = 0
			continue
		}
		s := scorePrice
		if p := o.Item.Price.Amount; p > 0 {
			s = scorePrice * float64(cheapest) / float64(p)
		}
		if o.DistanceKM != nil {
			s += scoreDistance * scoreHalfKM / (scoreHalfKM + *o.DistanceKM)
		}
		if o.Delivery != nil && o.Delivery.Available {
			s += scoreDelivery
		}
		if o.Item.Stock == nil {
			s += scoreStock
		} else {
			s += scoreStock * math.Min(float64(*o.Item.Stock), scoreStockFor) / scoreStockFor
		}
		o.Score = math.Round(s*100) / 100
	}
}
