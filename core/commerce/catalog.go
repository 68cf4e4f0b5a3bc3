package commerce

import (
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// Kind is what sort of thing a catalogue item is.
type Kind string

const (
	KindMedication Kind = "medication"
	KindFood       Kind = "food"
	KindEquipment  Kind = "equipment"
	KindGymPlan    Kind = "gym_plan"
	KindExam       Kind = "exam"
	KindService    Kind = "service"
	KindProduct    Kind = "product"
)

// Kinds lists the item kinds, for validation messages and the API's description.
func Kinds() []string {
	return []string{string(KindMedication), string(KindFood), string(KindEquipment), string(KindGymPlan),
		string(KindExam), string(KindService), string(KindProduct)}
}

// SellerKinds says which kinds each partner company type may list: a market
// sells no medication, and only pharmacies sell what needs a prescription.
var SellerKinds = map[string][]Kind{
	"pharmacy":     {KindMedication, KindProduct, KindEquipment},
	"market":       {KindFood, KindProduct},
	"sports_store": {KindEquipment, KindProduct},
	"gym":          {KindGymPlan, KindService},
	"hospital":     {KindExam, KindService},
}

// MaySell reports whether a company of type companyType may list items of kind k.
func MaySell(companyType string, k Kind) bool {
	for _, x := range SellerKinds[companyType] {
		if x == k {
			return true
		}
	}
	return false
}

// Fulfilment says how an item reaches the patient.
type Fulfilment struct {
	Pickup   bool
	Delivery *DeliveryTerms // nil: no delivery
}

// DeliveryTerms bound a delivery: how far from the company and for what fee.
type DeliveryTerms struct {
	RadiusKM float64
	Fee      kernel.Money
}

// Item is one entry of a company's catalogue, keyed by (CompanyID, SKU).
type Item struct {
	CompanyID   kernel.ID
	SKU         string
	Name        string
	Description string
	Kind        Kind
	// Tags are category slugs in the vocabulary of treatment-plan items
	// ("drug:losartan", "food:oats", "device:glucose-meter", "activity:swimming").
	Tags []string
	// Medications: what the prescription is matched against.
	ActiveIngredient string
	Concentration    string
	Form             string
	Anvisa           string // ANVISA registration number, optional
	Price            kernel.Money
	Stock            *int64 // nil: unlimited
	// RequiresPrescription: an order must name a valid, undispensed
	// prescription of the patient that covers the item (pharmacies only).
	RequiresPrescription bool
	Fulfilment           Fulfilment
	Version              int64
	CreatedAt            time.Time
	UpdatedAt            time.Time
}

// InStock reports whether n units can be sold now.
func (it Item) InStock(n int64) bool { return it.Stock == nil || *it.Stock >= n }
