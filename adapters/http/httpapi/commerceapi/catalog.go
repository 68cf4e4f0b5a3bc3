package commerceapi

import (
	"bytes"
	"errors"
	"mime"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
)

// --- request and response types ---

// DeliveryBody is an item's delivery terms.
type DeliveryBody struct {
	RadiusKM float64 `json:"radius_km"`
	Fee      Money   `json:"fee"`
}

// FulfilmentBody says how an item reaches the patient: pickup, delivery or both.
type FulfilmentBody struct {
	Pickup   bool          `json:"pickup"`
	Delivery *DeliveryBody `json:"delivery"` // null: no delivery
}

// ItemRequest is the body of PUT /v1/companies/{id}/catalog/{sku}.
type ItemRequest struct {
	Name                 string         `json:"name"`
	Description          string         `json:"description,omitempty"`
	Kind                 string         `json:"kind"`
	Tags                 []string       `json:"tags,omitempty"`
	ActiveIngredient     string         `json:"active_ingredient,omitempty"`
	Concentration        string         `json:"concentration,omitempty"`
	Form                 string         `json:"form,omitempty"`
	Anvisa               string         `json:"anvisa,omitempty"`
	Price                Money          `json:"price"`
	Stock                *int64         `json:"stock"` // null or absent: unlimited
	RequiresPrescription bool           `json:"requires_prescription,omitempty"`
	Fulfilment           FulfilmentBody `json:"fulfilment"`
}

// ImportItemLine is one line of an application/x-ndjson import: the PUT body plus its SKU.
type ImportItemLine struct {
	SKU string `json:"sku"`
	ItemRequest
}

// ItemResponse is a catalogue item.
type ItemResponse struct {
	CompanyID            string         `json:"company_id"`
	SKU                  string         `json:"sku"`
	Name                 string         `json:"name"`
	Description          string         `json:"description"`
	Kind                 string         `json:"kind"`
	Tags                 []string       `json:"tags"`
	ActiveIngredient     string         `json:"active_ingredient,omitempty"`
	Concentration        string         `json:"concentration,omitempty"`
	Form                 string         `json:"form,omitempty"`
	Anvisa               string         `json:"anvisa,omitempty"`
	Price                Money          `json:"price"`
	Stock                *int64         `json:"stock"` // null: unlimited
	RequiresPrescription bool           `json:"requires_prescription"`
	Fulfilment           FulfilmentBody `json:"fulfilment"`
	Version              int64          `json:"version"`
	CreatedAt            time.Time      `json:"created_at"`
	UpdatedAt            time.Time      `json:"updated_at"`
}

// PutItemResponse is the item as stored and what the put did.
type PutItemResponse struct {
	ItemResponse
	Result string `json:"result"` // created, updated or unchanged
}

// ImportBody is a catalogue file: CSV or JSON lines.
type ImportBody string

// ImportErrorBody is one reason a line was refused.
type ImportErrorBody struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ImportLineResponse is what the import did with one line.
type ImportLineResponse struct {
	Line   int               `json:"line"`
	SKU    string            `json:"sku"`
	Result string            `json:"result"`
	Errors []ImportErrorBody `json:"errors"`
}

// ImportTotals count the lines by result.
type ImportTotals struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Refused   int `json:"refused"`
}

// ImportResponse is the answer of an import.
type ImportResponse struct {
	Totals ImportTotals         `json:"totals"`
	Lines  []ImportLineResponse `json:"lines"`
}

var (
	shortText = httpapi.Limit{Length: commerce.MaxItemFieldLen}
	tagLimit  = httpapi.Limit{Items: commerce.MaxItemTags, Length: commerce.MaxItemTagLen, Pattern: tagPattern}
)

const tagPattern = `^[a-z0-9]+(:[a-z0-9]+(-[a-z0-9]+)*)?$` // clinical.TagPattern(), checked equal in a test

func itemLimits() httpapi.Limits {
	return httpapi.Limits{"name": {Length: commerce.MaxItemNameLen}, "description": {Length: commerce.MaxItemDescLen},
		"kind": {Length: 20, Enum: commerce.Kinds()}, "tags": tagLimit, "anvisa": {Length: 13, Pattern: commerce.AnvisaPattern},
		"stock": {Range: httpapi.Between(0, commerce.MaxStock)}, "sku": {Length: commerce.MaxSKULen, Pattern: commerce.SKUPattern},
		httpapi.AnyString: shortText}
}

func (ItemRequest) Limits() httpapi.Limits    { return itemLimits() }
func (ImportItemLine) Limits() httpapi.Limits { return itemLimits() }
func (ItemResponse) Limits() httpapi.Limits {
	l := itemLimits()
	l["company_id"] = httpapi.Limit{Format: "uuid"}
	return l
}

func (PutItemResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"result": {Enum: []string{string(commerce.PutCreated), string(commerce.PutUpdated), string(commerce.PutUnchanged)}}}
}

func (DeliveryBody) Limits() httpapi.Limits {
	return httpapi.Limits{"radius_km": {Range: &httpapi.Range{Min: 0, Max: commerce.MaxDeliveryKM}}}
}

func (ImportLineResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"result": {Enum: []string{string(commerce.PutCreated), string(commerce.PutUpdated), string(commerce.PutUnchanged), string(commerce.ImportRefused)}},
		"errors": {Items: commerce.MaxLineErrors}}
}

func (ImportResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"lines": {Items: commerce.MaxImportLines}}
}

func (ItemRequest) Example() any {
	stock := int64(40)
	return ItemRequest{Name: "Dipirona Sódica 500 mg, 10 comprimidos", Kind: "medication", Tags: []string{"drug:dipyrone"},
		ActiveIngredient: "dipirona sódica", Concentration: "500 mg", Form: "comprimido", Anvisa: "1058300780018",
		Price: Money{Amount: 1290, Currency: "BRL"}, Stock: &stock,
		Fulfilment: FulfilmentBody{Pickup: true, Delivery: &DeliveryBody{RadiusKM: 5, Fee: Money{Amount: 700, Currency: "BRL"}}}}
}

func (r ItemRequest) input(sku string) commerce.ItemInput {
	in := commerce.ItemInput{SKU: sku, Name: r.Name, Description: r.Description, Kind: commerce.Kind(r.Kind), Tags: r.Tags,
		ActiveIngredient: r.ActiveIngredient, Concentration: r.Concentration, Form: r.Form, Anvisa: r.Anvisa,
		Price: kernel.Money{Amount: r.Price.Amount, Currency: r.Price.Currency}, Stock: r.Stock,
		RequiresPrescription: r.RequiresPrescription, Fulfilment: commerce.Fulfilment{Pickup: r.Fulfilment.Pickup}}
	if d := r.Fulfilment.Delivery; d != nil {
		in.Fulfilment.Delivery = &commerce.DeliveryTerms{RadiusKM: d.RadiusKM, Fee: kernel.Money{Amount: d.Fee.Amount, Currency: d.Fee.Currency}}
	}
	return in
}

func itemOut(it commerce.Item) ItemResponse {
	out := ItemResponse{CompanyID: it.CompanyID, SKU: it.SKU, Name: it.Name, Description: it.Description, Kind: string(it.Kind),
		Tags: it.Tags, ActiveIngredient: it.ActiveIngredient, Concentration: it.Concentration, Form: it.Form, Anvisa: it.Anvisa,
		Price: Money{Amount: it.Price.Amount, Currency: it.Price.Currency}, Stock: it.Stock,
		RequiresPrescription: it.RequiresPrescription, Fulfilment: FulfilmentBody{Pickup: it.Fulfilment.Pickup},
		Version: it.Version, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if d := it.Fulfilment.Delivery; d != nil {
		out.Fulfilment.Delivery = &DeliveryBody{RadiusKM: d.RadiusKM, Fee: Money{Amount: d.Fee.Amount, Currency: d.Fee.Currency}}
	}
	return out
}

func importOut(r commerce.ImportReport) ImportResponse {
	out := ImportResponse{Totals: ImportTotals{Created: r.Created, Updated: r.Updated, Unchanged: r.Unchanged, Refused: r.Refused},
		Lines: make([]ImportLineResponse, len(r.Lines))}
	for i, l := range r.Lines {
		errs := make([]ImportErrorBody, len(l.Errors))
		for k, e := range l.Errors {
			errs[k] = ImportErrorBody{Field: e.Field, Message: e.Message}
		}
		out.Lines[i] = ImportLineResponse{Line: l.Line, SKU: l.SKU, Result: string(l.Result), Errors: errs}
	}
	return out
}

// --- routes ---

const importDoc = "Creates or updates many items at once; answers, for each item line, what was done (`created`, `updated`, " +
	"`unchanged` or `refused`, with the reasons) and the totals. A refused line does not stop the others; the valid lines " +
	"are stored together, with one `catalog.imported` webhook event. At most 5000 item lines, and at most the request body " +
	"limit (`MULTISAUDE_BODY_LIMIT`, 1 MiB by default).\n\n" +
	"**application/x-ndjson**: one JSON object per line, the body of `PUT .../catalog/{sku}` plus `sku`.\n\n" +
	"**text/csv**: UTF-8 (a byte order mark is skipped) or, when not valid UTF-8, Windows-1252; fields separated by `;` or " +
	"`,` (whichever the header uses more). The header row names the columns, in any order: `sku`, `name`, `kind`, `price` " +
	"(required), `currency` (BRL), `stock` (empty: unlimited), `tags` (separated by `|`), `requires_prescription` " +
	"(sim/não; empty: não), `pickup` (sim/não; empty: sim), `delivery_radius_km` (empty: no delivery), `delivery_fee`, " +
	"`description`, `active_ingredient`, `concentration`, `form`, `anvisa`. Amounts are written in reais: `12,90`, " +
	"`12.90`, `1.234,56` or `R$ 12,90`.\n\n" +
	"Example:\n\n```\nsku;name;kind;price;stock;tags;requires_prescription;pickup;delivery_radius_km;delivery_fee;active_ingredient;concentration;form\n" +
	"DIP-500;Dipirona Sódica 500 mg;medication;12,90;40;drug:dipyrone;não;sim;5;7,00;dipirona sódica;500 mg;comprimido\n```"

func (m *Module) registerCatalog(r *httpapi.Router) {
	type L[T any] = httpapi.ListResponse[T]
	etag := []string{"ETag"}
	r.Handle(fiber.MethodPut, "/v1/companies/:id/catalog/:sku", httpapi.Op{ID: "putCatalogItem", Summary: "Create or replace a catalogue item (members and API keys with catalog:write of a verified company)",
		Tag: tag, Auth: httpapi.Any, Request: ItemRequest{}, ResponseHeaders: etag,
		Description: "Idempotent: the same content again changes nothing (`result: unchanged`, same version). 201 when the SKU is new, 200 otherwise.",
		Responses:   append(ok(200, PutItemResponse{}), httpapi.Response{Status: 201, Body: PutItemResponse{}})}, m.putItem)
	r.Handle(fiber.MethodGet, "/v1/companies/:id/catalog/:sku", httpapi.Op{ID: "getCatalogItem", Summary: "A catalogue item (public for a verified company)",
		Tag: tag, Auth: httpapi.Public, ResponseHeaders: etag, Responses: ok(200, ItemResponse{})}, m.getItem)
	r.Handle(fiber.MethodGet, "/v1/companies/:id/catalog", httpapi.Op{ID: "listCatalogItems", Summary: "A company's catalogue by SKU (public for a verified company)",
		Tag: tag, Auth: httpapi.Public, Query: append([]httpapi.Param{
			{Name: "kind", Enum: commerce.Kinds()},
			{Name: "tag", MaxLength: commerce.MaxItemTagLen, Pattern: tagPattern, Description: "items carrying this tag"},
			{Name: "q", MaxLength: commerce.MaxCatalogQueryLen, Description: "words of the name, ignoring case and accents"},
			{Name: "in_stock", Type: "boolean", Description: "only items that can be bought now (unlimited or positive stock)"},
		}, httpapi.PageParams...), Responses: ok(200, L[ItemResponse]{})}, m.listItems)
	r.Handle(fiber.MethodDelete, "/v1/companies/:id/catalog/:sku", httpapi.Op{ID: "deleteCatalogItem", Summary: "Remove a catalogue item (orders already placed keep their lines)",
		Tag: tag, Auth: httpapi.Any, Responses: []httpapi.Response{{Status: 204}}}, m.deleteItem)
	r.Handle(fiber.MethodPost, "/v1/companies/:id/catalog\\:import", httpapi.Op{ID: "importCatalog", Summary: "Bulk upsert of catalogue items from CSV or JSON lines",
		Description: importDoc, Tag: tag, Auth: httpapi.Any, Request: ImportBody(""), RequestType: "text/csv, application/x-ndjson",
		Responses: ok(200, ImportResponse{})}, m.importCatalog)
}

func skuParam(c *fiber.Ctx) string { return strings.Clone(c.Params("sku")) }

func (m *Module) putItem(c *fiber.Ctx) error {
	var req ItemRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	it, res, err := m.svc.PutItem(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"), req.input(skuParam(c)))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, httpapi.ETag(it.Version))
	out := PutItemResponse{ItemResponse: itemOut(it), Result: string(res)}
	if res == commerce.PutCreated {
		return httpapi.Created(c, "/v1/companies/"+it.CompanyID+"/catalog/"+it.SKU, out)
	}
	return httpapi.OK(c, out)
}

func (m *Module) getItem(c *fiber.Ctx) error {
	it, err := m.svc.Item(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"), skuParam(c))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, httpapi.ETag(it.Version))
	return httpapi.OK(c, itemOut(it))
}

func (m *Module) listItems(c *fiber.Ctx) error {
	q := httpapi.NewQuery(c)
	pg := q.Page()
	f := commerce.ItemFilter{Kind: commerce.Kind(q.String("kind")), Tag: q.String("tag"), Q: q.String("q")}
	switch v := q.String("in_stock"); v {
	case "", "false":
	case "true":
		f.InStock = true
	default:
		q.Fail("in_stock", "deve ser true ou false")
	}
	if err := q.Err(); err != nil {
		return err
	}
	l, err := m.svc.ListItems(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"), f, pg)
	if err != nil {
		return err
	}
	return httpapi.OK(c, httpapi.NewList(l, itemOut))
}

func (m *Module) deleteItem(c *fiber.Ctx) error {
	if err := m.svc.DeleteItem(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"), skuParam(c)); err != nil {
		return err
	}
	return httpapi.NoContent(c)
}

func (m *Module) importCatalog(c *fiber.Ctx) error {
	mt, _, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	var parse func([]byte) ([]commerce.ImportLine, error)
	switch strings.ToLower(mt) {
	case "text/csv":
		parse = commerce.ParseCatalogCSV
	case "application/x-ndjson", "application/jsonl", "application/json-lines":
		parse = parseJSONLines
	default:
		return fiber.NewError(fiber.StatusUnsupportedMediaType, "o corpo deve ser text/csv ou application/x-ndjson")
	}
	body := c.Body()
	rep, err := m.svc.ImportCatalog(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"), func() ([]commerce.ImportLine, error) { return parse(body) })
	if err != nil {
		return err
	}
	return httpapi.OK(c, importOut(rep))
}

// parseJSONLines reads one ImportItemLine per non-blank line, each as strictly
// as a PUT body; a line that does not decode is returned with its errors.
func parseJSONLines(body []byte) ([]commerce.ImportLine, error) {
	if bytes.Count(body, []byte{'\n'}) > commerce.MaxImportLines+1 {
		return nil, kernel.Invalid("body", "o arquivo tem mais de %d itens; divida-o em partes", commerce.MaxImportLines)
	}
	var out []commerce.ImportLine
	for i, raw := range bytes.Split(body, []byte{'\n'}) {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			continue
		}
		if len(out) >= commerce.MaxImportLines {
			return nil, kernel.Invalid("body", "o arquivo tem mais de %d itens; divida-o em partes", commerce.MaxImportLines)
		}
		l := commerce.ImportLine{Line: i + 1}
		var req ImportItemLine
		err := httpapi.DecodeJSON(raw, &req)
		if err == nil {
			err = httpapi.CheckLimits(&req)
		}
		if err != nil {
			var ke *kernel.Error
			if errors.As(err, &ke) && len(ke.Fields) > 0 {
				l.Errors = ke.Fields
			} else {
				l.Errors = []kernel.FieldError{{Field: "line", Message: "JSON inválido"}}
			}
			l.Item.SKU = req.SKU
		} else {
			l.Item = req.input(req.SKU)
		}
		out = append(out, l)
	}
	return out, nil
}
