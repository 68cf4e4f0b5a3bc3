package commerce

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/kernel"
)

// Maxima of a catalogue item and of an import, checked before any per-item
// work. commerceapi declares them to the API document.
const (
	MaxSKULen          = 64
	MaxItemNameLen     = 200
	MaxItemDescLen     = 2000
	MaxItemFieldLen    = 200 // active ingredient, concentration, form
	MaxItemTags        = clinical.MaxTags
	MaxItemTagLen      = clinical.MaxTagLen
	MaxDeliveryKM      = 100
	MaxPriceAmount     = 100_000_000_00 // R$ 100 milhões, in centavos
	MaxStock           = 1_000_000_000
	MaxImportLines     = 5000 // item lines of one import (a CSV's header is not counted)
	MaxLineErrors      = 10   // errors reported for one refused import line
	MaxCatalogQueryLen = 100  // characters of ?q=
)

// Patterns the API document shows and validation applies.
const (
	SKUPattern    = `^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`
	AnvisaPattern = `^[0-9]{13}$`
)

var (
	skuRe    = regexp.MustCompile(SKUPattern)
	anvisaRe = regexp.MustCompile(AnvisaPattern)
	tagRe    = regexp.MustCompile(clinical.TagPattern())
)

// ValidSKU reports whether s may name a catalogue item.
func ValidSKU(s string) bool { return skuRe.MatchString(s) }

// ItemInput is what a partner writes for one catalogue item (the SKU comes from
// the path or the import line).
type ItemInput struct {
	SKU                  string
	Name                 string
	Description          string
	Kind                 Kind
	Tags                 []string
	ActiveIngredient     string
	Concentration        string
	Form                 string
	Anvisa               string
	Price                kernel.Money
	Stock                *int64 // nil: unlimited
	RequiresPrescription bool
	Fulfilment           Fulfilment
}

// companyTypePT names a partner type in Portuguese, for messages.
func companyTypePT(t string) string {
	switch t {
	case "pharmacy":
		return "uma farmácia"
	case "market":
		return "um mercado"
	case "sports_store":
		return "uma loja de esportes"
	case "gym":
		return "uma academia"
	case "hospital":
		return "um hospital"
	}
	return "esta empresa"
}

// kindPT names an item kind in Portuguese (plural), for messages.
func kindPT(k Kind) string {
	switch k {
	case KindMedication:
		return "medicamentos"
	case KindFood:
		return "alimentos"
	case KindEquipment:
		return "equipamentos"
	case KindGymPlan:
		return "planos de academia"
	case KindExam:
		return "exames"
	case KindService:
		return "serviços"
	case KindProduct:
		return "produtos"
	}
	return string(k)
}

// Validate checks the input for a company of type companyType, field by field
// (field names as in the API), and returns the item it describes with its tags
// sorted and without repetitions. The item's company, version and times are
// left to the caller.
func (in ItemInput) Validate(companyType string) (Item, *kernel.Problems) {
	var p kernel.Problems
	if !ValidSKU(in.SKU) {
		p.Add("sku", "deve ter de 1 a %d letras sem acento, dígitos, '.', '_' ou '-', começando por letra ou dígito", MaxSKULen)
	}
	name := strings.TrimSpace(in.Name)
	if p.Require("name", name) && len(in.Name) > MaxItemNameLen {
		p.Add("name", "deve ter no máximo %d caracteres", MaxItemNameLen)
	}
	if len(in.Description) > MaxItemDescLen {
		p.Add("description", "deve ter no máximo %d caracteres", MaxItemDescLen)
	}
	switch {
	case in.Kind == "":
		p.Add("kind", "é obrigatório")
	case !slices.Contains(Kinds(), string(in.Kind)):
		p.Add("kind", "deve ser um de: %s", strings.Join(Kinds(), ", "))
	case !MaySell(companyType, in.Kind):
		p.Add("kind", "%s não vende %s", companyTypePT(companyType), kindPT(in.Kind))
	}
	tags := in.validateTags(&p)
	if in.Kind == KindMedication {
		p.Require("active_ingredient", in.ActiveIngredient)
		p.Require("concentration", in.Concentration)
		p.Require("form", in.Form)
	}
	for f, v := range map[string]string{"active_ingredient": in.ActiveIngredient, "concentration": in.Concentration, "form": in.Form} {
		if len(v) > MaxItemFieldLen {
			p.Add(f, "deve ter no máximo %d caracteres", MaxItemFieldLen)
		}
	}
	if in.Anvisa != "" && !anvisaRe.MatchString(in.Anvisa) {
		p.Add("anvisa", "deve ser o número de registro na ANVISA, com 13 dígitos")
	}
	validatePrice("price", in.Price, &p)
	if in.Stock != nil && (*in.Stock < 0 || *in.Stock > MaxStock) {
		p.Add("stock", "deve ser null (ilimitado) ou um inteiro de 0 a %d", MaxStock)
	}
	if in.RequiresPrescription && (in.Kind != KindMedication || companyType != "pharmacy") {
		p.Add("requires_prescription", "só medicamentos vendidos por uma farmácia podem exigir receita")
	}
	f := in.Fulfilment
	if !f.Pickup && f.Delivery == nil {
		p.Add("fulfilment", "deve oferecer retirada (pickup), entrega (delivery) ou ambas")
	}
	if d := f.Delivery; d != nil {
		if !(d.RadiusKM > 0 && d.RadiusKM <= MaxDeliveryKM) {
			p.Add("fulfilment.delivery.radius_km", "deve ser maior que 0 e no máximo %d", MaxDeliveryKM)
		}
		validatePrice("fulfilment.delivery.fee", d.Fee, &p)
	}
	if !p.Empty() {
		return Item{}, &p
	}
	it := Item{SKU: in.SKU, Name: name, Description: in.Description, Kind: in.Kind, Tags: tags,
		ActiveIngredient: strings.TrimSpace(in.ActiveIngredient), Concentration: strings.TrimSpace(in.Concentration),
		Form: strings.TrimSpace(in.Form), Anvisa: in.Anvisa, Price: in.Price, RequiresPrescription: in.RequiresPrescription,
		Fulfilment: Fulfilment{Pickup: f.Pickup}}
	if in.Stock != nil {
		n := *in.Stock
		it.Stock = &n
	}
	if f.Delivery != nil {
		d := *f.Delivery
		it.Fulfilment.Delivery = &d
	}
	return it, nil
}

func (in ItemInput) validateTags(p *kernel.Problems) []string {
	if len(in.Tags) > MaxItemTags {
		p.Add("tags", "deve ter no máximo %d tags", MaxItemTags)
		return nil
	}
	out := make([]string, 0, len(in.Tags))
	for i, t := range in.Tags {
		if len(t) > MaxItemTagLen || !tagRe.MatchString(t) {
			p.Add(fmt.Sprintf("tags[%d]", i), "deve ser um identificador em minúsculas do vocabulário dos planos de tratamento, como drug:losartan ou food:oats")
			continue
		}
		out = append(out, t)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func validatePrice(field string, m kernel.Money, p *kernel.Problems) {
	if m.Amount < 0 || m.Amount > MaxPriceAmount {
		p.Add(field+".amount", "deve ser um valor em centavos de 0 a %d", int64(MaxPriceAmount))
	}
	if m.Currency != "BRL" {
		p.Add(field+".currency", "deve ser BRL")
	}
}

// SameContent reports whether two items say the same thing to a buyer (their
// company, version and times aside): putting it again changes nothing.
func (it Item) SameContent(o Item) bool {
	stockEq := (it.Stock == nil) == (o.Stock == nil) && (it.Stock == nil || *it.Stock == *o.Stock)
	delEq := (it.Fulfilment.Delivery == nil) == (o.Fulfilment.Delivery == nil) &&
		(it.Fulfilment.Delivery == nil || *it.Fulfilment.Delivery == *o.Fulfilment.Delivery)
	return it.SKU == o.SKU && it.Name == o.Name && it.Description == o.Description && it.Kind == o.Kind &&
		slices.Equal(normTags(it.Tags), normTags(o.Tags)) && it.ActiveIngredient == o.ActiveIngredient &&
		it.Concentration == o.Concentration && it.Form == o.Form && it.Anvisa == o.Anvisa && it.Price == o.Price &&
		stockEq && it.RequiresPrescription == o.RequiresPrescription && it.Fulfilment.Pickup == o.Fulfilment.Pickup && delEq
}

func normTags(t []string) []string {
	out := slices.Clone(t)
	slices.Sort(out)
	return slices.Compact(out)
}
