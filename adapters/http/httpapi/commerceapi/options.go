package commerceapi

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/commerce"
)

// nearPattern is what ?near= looks like: latitude,longitude in decimal degrees
// (the ranges, -90..90 and -180..180, are checked after).
const nearPattern = `^-?[0-9]{1,3}(\.[0-9]{1,12})?,-?[0-9]{1,3}(\.[0-9]{1,12})?$`

var nearRE = regexp.MustCompile(nearPattern)

// optionsDescription documents the answer of purchase options: how offers
// match and are ranked, and how the baskets are chosen (commerce.MatchOffers,
// commerce.Baskets).
const optionsDescription = "Para cada item do plano ativo, as ofertas de parceiros verificados: o tipo da empresa está entre os " +
	"fornecedores do item, o tipo do produto serve ao item (medication→medication; diet→food; exercise→gym_plan ou equipment; " +
	"product→product ou equipment; exam→exam; therapy→service), há ao menos uma tag em comum, o preço é em BRL e o paciente " +
	"consegue obtê-lo (retirada, ou entrega com a distância conhecida e dentro do raio). " +
	"score (0 a 100, duas casas): 50 × menor_preço_em_estoque/preço (50 se o preço é 0) + 25 × 5/(5 + km) (0 sem distância) " +
	"+ 15 se há entrega + 10 × min(estoque,10)/10 (10 se o estoque é ilimitado); 0 se está sem estoque. Ofertas em ordem de " +
	"score, depois company_id, depois sku; no máximo 50 por item; até 200 parceiros, os mais próximos primeiro. " +
	"Cestas: uma unidade por item coberto, nunca além do estoque (vários itens podem disputar o mesmo produto); cobrem todos " +
	"os itens que o estoque permite, os demais ficam em uncovered. Custo = soma dos preços + por parceiro a maior taxa de " +
	"entrega entre as linhas que não podem ser retiradas (retirada não tem taxa). cheapest: menor custo; fewest_partners: " +
	"menos parceiros (pedidos), depois menor custo. Busca exata (branch and bound) a partir de uma cesta gulosa, limitada a " +
	"50.000 nós por cesta: exact diz se terminou; se não, é a melhor encontrada, nunca pior que a gulosa. O total de " +
	"cheapest nunca passa o de fewest_partners, e fewest_partners nunca usa mais parceiros que cheapest. " +
	"Sem near, vale o endereço cadastrado do paciente, quando localizado. Nada é enviado aos parceiros."

func (m *Module) registerOptions(r *httpapi.Router) {
	r.Handle(fiber.MethodGet, "/v1/treatment-plans/:id/purchase-options", httpapi.Op{ID: "getPurchaseOptions",
		Summary: "Purchase options of an active treatment plan: ranked offers and two baskets (the patient or a professional caring for them)",
		Tag:     tag, Auth: httpapi.User,
		Query: []httpapi.Param{{Name: "near", Pattern: nearPattern, MaxLength: 64,
			Description: "latitude,longitude in decimal degrees, such as -23.55,-46.63 (default: the patient's registered address)"}},
		Responses: append([]httpapi.Response{{Status: fiber.StatusOK, Description: optionsDescription, Body: PurchaseOptionsResponse{}}},
			problems(400, 401, 403, 404, 409)...)}, m.purchaseOptions)
}

func (m *Module) purchaseOptions(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	q := httpapi.NewQuery(c)
	near := parseNear(q)
	if err := q.Err(); err != nil {
		return err
	}
	po, err := m.svc.PurchaseOptions(c.UserContext(), httpapi.PrincipalOf(c), id, near)
	if err != nil {
		return err
	}
	return httpapi.OK(c, purchaseOptionsOut(po))
}

// parseNear reads ?near=lat,lng; nil when absent.
func parseNear(q *httpapi.Query) *commerce.Point {
	v := q.String("near")
	if v == "" {
		return nil
	}
	p, ok := nearOf(v)
	if !ok {
		q.Fail("near", "deve ser latitude,longitude em graus decimais, como -23.55,-46.63 (latitude de -90 a 90, longitude de -180 a 180)")
		return nil
	}
	return &p
}

// nearOf parses "lat,lng" in decimal degrees, within range.
func nearOf(v string) (commerce.Point, bool) {
	if len(v) > 64 || !nearRE.MatchString(v) {
		return commerce.Point{}, false
	}
	a, b, _ := strings.Cut(v, ",")
	lat, err1 := strconv.ParseFloat(a, 64)
	lng, err2 := strconv.ParseFloat(b, 64)
	p := commerce.Point{Lat: lat, Lng: lng}
	return p, err1 == nil && err2 == nil && commerce.ValidPoint(p)
}

// Money is an amount in centavos (the one Money schema).

// OptionsPoint is a WGS84 coordinate (the one Point schema).
type OptionsPoint struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// SchemaName shares identity's Point schema.
func (OptionsPoint) SchemaName() string { return "Point" }

func (OptionsPoint) Limits() httpapi.Limits {
	return httpapi.Limits{"lat": {Range: &httpapi.Range{Min: -90, Max: 90}}, "lng": {Range: &httpapi.Range{Min: -180, Max: 180}}}
}

// OfferDeliveryResponse is an offer's delivery: available when the distance is
// known and within the item's radius.
type OfferDeliveryResponse struct {
	Available bool  `json:"available"`
	Fee       Money `json:"fee"`
}

// OfferResponse is one partner's catalogue item answering a plan item.
type OfferResponse struct {
	CompanyID            string                 `json:"company_id"`
	CompanyName          string                 `json:"company_name"`
	CompanyType          string                 `json:"company_type"`
	SKU                  string                 `json:"sku"`
	Name                 string                 `json:"name"`
	Kind                 string                 `json:"kind"`
	Price                Money                  `json:"price"`
	DistanceKM           *float64               `json:"distance_km"`
	Delivery             *OfferDeliveryResponse `json:"delivery"`
	Pickup               bool                   `json:"pickup"`
	InStock              bool                   `json:"in_stock"`
	RequiresPrescription bool                   `json:"requires_prescription"`
	Score                float64                `json:"score"`
}

func (OfferResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"company_id": {Format: "uuid"}, "kind": {Enum: commerce.Kinds()},
		"score": {Range: &httpapi.Range{Min: 0, Max: 100}}}
}

// PurchaseItemResponse is one plan item with its offers, best first.
type PurchaseItemResponse struct {
	PlanItemID string          `json:"plan_item_id"`
	Name       string          `json:"name"`
	Kind       string          `json:"kind"`
	Offers     []OfferResponse `json:"offers"`
	// Uncovered: no offer in stock that the patient can get.
	Uncovered bool `json:"uncovered"`
}

func (PurchaseItemResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"plan_item_id": {Format: "uuid"}, "kind": {Enum: planKinds()},
		"offers": {Items: commerce.MaxOffersPerItem}}
}

func planKinds() []string {
	out := make([]string, 0, len(commerce.PlanKindFits))
	for k := range commerce.PlanKindFits {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// BasketLineResponse is one unit of a catalogue item in a basket.
type BasketLineResponse struct {
	PlanItemID string `json:"plan_item_id"`
	CompanyID  string `json:"company_id"`
	SKU        string `json:"sku"`
	Name       string `json:"name"`
	Quantity   int64  `json:"quantity"`
	UnitPrice  Money  `json:"unit_price"`
	Method     string `json:"method"`
}

func (BasketLineResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"plan_item_id": {Format: "uuid"}, "company_id": {Format: "uuid"},
		"method": {Enum: []string{commerce.MethodPickup, commerce.MethodDelivery}}}
}

// BasketPartnerResponse is one partner (one order) of a basket and its fee.
type BasketPartnerResponse struct {
	CompanyID   string `json:"company_id"`
	CompanyName string `json:"company_name"`
	Method      string `json:"method"`
	Fee         Money  `json:"fee"`
}

func (BasketPartnerResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"company_id": {Format: "uuid"}, "method": {Enum: []string{commerce.MethodPickup, commerce.MethodDelivery}}}
}

// BasketResponse is a choice of offers covering the plan.
type BasketResponse struct {
	Lines     []BasketLineResponse    `json:"lines"`
	Partners  []BasketPartnerResponse `json:"partners"`
	Subtotal  Money                   `json:"subtotal"`
	Fees      Money                   `json:"fees"`
	Total     Money                   `json:"total"`
	Uncovered []string                `json:"uncovered"`
	// Exact: the search proved the basket best for its criterion.
	Exact bool `json:"exact"`
}

func (BasketResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"lines": {Items: commerce.MaxOptionItems}, "partners": {Items: commerce.MaxOptionItems},
		"uncovered": {Items: commerce.MaxOptionItems, Format: "uuid"}}
}

// BasketsResponse holds the two baskets.
type BasketsResponse struct {
	Cheapest       BasketResponse `json:"cheapest"`
	FewestPartners BasketResponse `json:"fewest_partners"`
}

// PurchaseOptionsResponse is the answer of GET /v1/treatment-plans/{id}/purchase-options.
type PurchaseOptionsResponse struct {
	PlanID  string                 `json:"plan_id"`
	Near    *OptionsPoint          `json:"near"`
	Items   []PurchaseItemResponse `json:"items"`
	Baskets BasketsResponse        `json:"baskets"`
}

func (PurchaseOptionsResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"plan_id": {Format: "uuid"}, "items": {Items: commerce.MaxOptionItems}}
}

func purchaseOptionsOut(po commerce.PurchaseOptions) PurchaseOptionsResponse {
	out := PurchaseOptionsResponse{PlanID: po.PlanID, Items: make([]PurchaseItemResponse, 0, len(po.Items)),
		Baskets: BasketsResponse{Cheapest: basketOut(po.Cheapest), FewestPartners: basketOut(po.FewestPartners)}}
	if po.Near != nil {
		out.Near = &OptionsPoint{Lat: po.Near.Lat, Lng: po.Near.Lng}
	}
	for _, io := range po.Items {
		it := PurchaseItemResponse{PlanItemID: io.Item.ID, Name: io.Item.Name, Kind: io.Item.Kind,
			Offers: make([]OfferResponse, 0, len(io.Offers)), Uncovered: io.Uncovered}
		for _, o := range io.Offers {
			r := OfferResponse{CompanyID: o.Company.ID, CompanyName: o.Company.Name, CompanyType: o.Company.Type, SKU: o.Item.SKU,
				Name: o.Item.Name, Kind: string(o.Item.Kind), Price: money(o.Item.Price), Pickup: o.Pickup, InStock: o.InStock,
				RequiresPrescription: o.Item.RequiresPrescription, Score: o.Score}
			if o.DistanceKM != nil {
				d := math.Round(*o.DistanceKM*100) / 100
				r.DistanceKM = &d
			}
			if o.Delivery != nil {
				r.Delivery = &OfferDeliveryResponse{Available: o.Delivery.Available, Fee: money(o.Delivery.Fee)}
			}
			it.Offers = append(it.Offers, r)
		}
		out.Items = append(out.Items, it)
	}
	return out
}

func basketOut(b commerce.Basket) BasketResponse {
	out := BasketResponse{Lines: make([]BasketLineResponse, 0, len(b.Lines)), Partners: make([]BasketPartnerResponse, 0, len(b.Partners)),
		Subtotal: money(b.Subtotal), Fees: money(b.Fees), Total: money(b.Total), Uncovered: append([]string{}, b.Uncovered...), Exact: b.Exact}
	for _, l := range b.Lines {
		out.Lines = append(out.Lines, BasketLineResponse{PlanItemID: l.PlanItemID, CompanyID: l.CompanyID, SKU: l.SKU, Name: l.Name,
			Quantity: l.Quantity, UnitPrice: money(l.UnitPrice), Method: l.Method})
	}
	for _, p := range b.Partners {
		out.Partners = append(out.Partners, BasketPartnerResponse{CompanyID: p.CompanyID, CompanyName: p.Name, Method: p.Method, Fee: money(p.Fee)})
	}
	return out
}
