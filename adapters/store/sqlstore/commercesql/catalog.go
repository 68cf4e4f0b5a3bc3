package commercesql

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
)

// itemRow is a catalogue item: the columns orders and searches use, and the
// rest of the item as a JSON body.
type itemRow struct {
	bun.BaseModel        `bun:"table:commerce_items"`
	CompanyID            string    `bun:"company_id,pk"`
	SKU                  string    `bun:"sku,pk"`
	Name                 string    `bun:"name"`
	Search               string    `bun:"search"`
	Kind                 string    `bun:"kind"`
	PriceAmount          int64     `bun:"price_amount"`
	PriceCurrency        string    `bun:"price_currency"`
	Stock                *int64    `bun:"stock"`
	RequiresPrescription bool      `bun:"requires_prescription"`
	Body                 string    `bun:"body"`
	Version              int64     `bun:"version"`
	CreatedAt            time.Time `bun:"created_at"`
	UpdatedAt            time.Time `bun:"updated_at"`
}

type itemTagRow struct {
	bun.BaseModel `bun:"table:commerce_item_tags"`
	CompanyID     string `bun:"company_id,pk"`
	SKU           string `bun:"sku,pk"`
	Tag           string `bun:"tag,pk"`
}

type itemBody struct {
	Description      string        `json:"description,omitempty"`
	Tags             []string      `json:"tags"`
	ActiveIngredient string        `json:"active_ingredient,omitempty"`
	Concentration    string        `json:"concentration,omitempty"`
	Form             string        `json:"form,omitempty"`
	Anvisa           string        `json:"anvisa,omitempty"`
	Pickup           bool          `json:"pickup"`
	Delivery         *deliveryBody `json:"delivery,omitempty"`
}

type deliveryBody struct {
	RadiusKM    float64 `json:"radius_km"`
	FeeAmount   int64   `json:"fee_amount"`
	FeeCurrency string  `json:"fee_currency"`
}

func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// fold lower-cases s and strips Portuguese accents, so that a search ignores both.
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case 'á', 'à', 'â', 'ã', 'ä':
			r = 'a'
		case 'é', 'è', 'ê', 'ë':
			r = 'e'
		case 'í', 'ì', 'î', 'ï':
			r = 'i'
		case 'ó', 'ò', 'ô', 'õ', 'ö':
			r = 'o'
		case 'ú', 'ù', 'û', 'ü':
			r = 'u'
		case 'ç':
			r = 'c'
		case 'ñ':
			r = 'n'
		}
		if unicode.IsSpace(r) {
			r = ' '
		}
		b.WriteRune(r)
	}
	return b.String()
}

func itemToRow(it commerce.Item) (itemRow, error) {
	body := itemBody{Description: it.Description, Tags: it.Tags, ActiveIngredient: it.ActiveIngredient,
		Concentration: it.Concentration, Form: it.Form, Anvisa: it.Anvisa, Pickup: it.Fulfilment.Pickup}
	if body.Tags == nil {
		body.Tags = []string{}
	}
	if d := it.Fulfilment.Delivery; d != nil {
		body.Delivery = &deliveryBody{RadiusKM: d.RadiusKM, FeeAmount: d.Fee.Amount, FeeCurrency: d.Fee.Currency}
	}
	b, err := json.Marshal(body)
	if err != nil {
		return itemRow{}, kernel.Internal(err, "encode item %s", it.SKU)
	}
	return itemRow{CompanyID: it.CompanyID, SKU: it.SKU, Name: it.Name, Search: fold(it.Name), Kind: string(it.Kind),
		PriceAmount: it.Price.Amount, PriceCurrency: it.Price.Currency, Stock: it.Stock, RequiresPrescription: it.RequiresPrescription,
		Body: string(b), Version: it.Version, CreatedAt: utc(it.CreatedAt), UpdatedAt: utc(it.UpdatedAt)}, nil
}

func (r itemRow) toDomain() (commerce.Item, error) {
	var body itemBody
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
		return commerce.Item{}, kernel.Internal(err, "decode item %s of company %s", r.SKU, r.CompanyID)
	}
	it := commerce.Item{CompanyID: r.CompanyID, SKU: r.SKU, Name: r.Name, Description: body.Description, Kind: commerce.Kind(r.Kind),
		Tags: body.Tags, ActiveIngredient: body.ActiveIngredient, Concentration: body.Concentration, Form: body.Form, Anvisa: body.Anvisa,
		Price: kernel.Money{Amount: r.PriceAmount, Currency: r.PriceCurrency}, Stock: r.Stock, RequiresPrescription: r.RequiresPrescription,
		Fulfilment: commerce.Fulfilment{Pickup: body.Pickup}, Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if it.Tags == nil {
		it.Tags = []string{}
	}
	if d := body.Delivery; d != nil {
		it.Fulfilment.Delivery = &commerce.DeliveryTerms{RadiusKM: d.RadiusKM, Fee: kernel.Money{Amount: d.FeeAmount, Currency: d.FeeCurrency}}
	}
	return it, nil
}

func rowsToItems(rows []itemRow) ([]commerce.Item, error) {
	out := make([]commerce.Item, 0, len(rows))
	for _, r := range rows {
		it, err := r.toDomain()
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, nil
}

// chunk is how many keys one IN (...) list holds.
const chunk = 500

func (s *Store) Items(ctx context.Context, companyID kernel.ID, skus []string) (map[string]commerce.Item, error) {
	out := map[string]commerce.Item{}
	for start := 0; start < len(skus); start += chunk {
		part := skus[start:min(start+chunk, len(skus))]
		var rows []itemRow
		if err := s.db.NewSelect().Model(&rows).Where("company_id = ? AND sku IN (?)", companyID, bun.List(part)).Scan(ctx); err != nil {
			return nil, sqlstore.Translate(err)
		}
		items, err := rowsToItems(rows)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			out[it.SKU] = it
		}
	}
	return out, nil
}

// maxOffers bounds an Offers answer whose query sets no (or a larger) limit.
const maxOffers = 1000

func (s *Store) Offers(ctx context.Context, q commerce.OfferQuery) ([]commerce.Item, error) {
	if len(q.CompanyIDs) == 0 || len(q.Tags) == 0 {
		return []commerce.Item{}, nil
	}
	limit := q.Limit
	if limit <= 0 || limit > maxOffers {
		limit = maxOffers
	}
	var rows []itemRow
	err := s.db.NewSelect().Model(&rows).
		Where("company_id IN (?)", bun.List(q.CompanyIDs)).
		Where("EXISTS (SELECT 1 FROM commerce_item_tags t WHERE t.company_id = item_row.company_id AND t.sku = item_row.sku AND t.tag IN (?))", bun.List(q.Tags)).
		Order("company_id", "sku").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, sqlstore.Translate(err)
	}
	return rowsToItems(rows)
}

func (s *Store) Item(ctx context.Context, companyID kernel.ID, sku string) (commerce.Item, error) {
	var row itemRow
	if err := s.db.NewSelect().Model(&row).Where("company_id = ? AND sku = ?", companyID, sku).Scan(ctx); err != nil {
		err = sqlstore.Translate(err)
		if kernel.KindOf(err) == kernel.KindNotFound {
			return commerce.Item{}, kernel.NotFound("item não encontrado no catálogo")
		}
		return commerce.Item{}, err
	}
	return row.toDomain()
}

// likeEscape escapes LIKE's wildcards (the pattern is used with ESCAPE '\').
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func (s *Store) ListItems(ctx context.Context, f commerce.ItemFilter, page kernel.Page) (kernel.List[commerce.Item], error) {
	if page.Limit <= 0 {
		page.Limit = kernel.DefaultLimit
	}
	var rows []itemRow
	q := s.db.NewSelect().Model(&rows).Where("company_id = ?", f.CompanyID)
	if page.Cursor != "" {
		var after string
		if err := kernel.DecodeCursor(page.Cursor, &after); err != nil {
			return kernel.List[commerce.Item]{}, err
		}
		q = q.Where("sku > ?", after)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", string(f.Kind))
	}
	if f.Tag != "" {
		q = q.Where("EXISTS (SELECT 1 FROM commerce_item_tags t WHERE t.company_id = item_row.company_id AND t.sku = item_row.sku AND t.tag = ?)", f.Tag)
	}
	for _, w := range strings.Fields(fold(f.Q)) { // every word, anywhere in the name
		q = q.Where(`search LIKE ? ESCAPE '\'`, "%"+likeEscape(w)+"%")
	}
	if f.InStock {
		q = q.Where("(stock IS NULL OR stock > 0)")
	}
	if err := q.Order("sku").Limit(int64(page.Limit + 1)).Scan(ctx); err != nil {
		return kernel.List[commerce.Item]{}, sqlstore.Translate(err)
	}
	items, err := rowsToItems(rows)
	if err != nil {
		return kernel.List[commerce.Item]{}, err
	}
	out := kernel.List[commerce.Item]{Items: items}
	if len(items) > page.Limit {
		out.Items = items[:page.Limit]
		out.NextCursor = kernel.EncodeCursor(out.Items[page.Limit-1].SKU)
	}
	return out, nil
}

func (s *Store) DeleteItem(ctx context.Context, companyID kernel.ID, sku string) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		// tags go first: SQLite enforces the cascade only with foreign keys on, which every connection has, but be explicit
		if _, err := tx.NewDelete().Model((*itemTagRow)(nil)).Where("company_id = ? AND sku = ?", companyID, sku).Exec(ctx); err != nil {
			return err
		}
		res, err := tx.NewDelete().Model((*itemRow)(nil)).Where("company_id = ? AND sku = ?", companyID, sku).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return kernel.NotFound("item não encontrado no catálogo")
		}
		return nil
	})
}

// errRace marks a transaction that lost a race to insert the same new SKU; it is run again.
var errRace = errors.New("an item was inserted concurrently")

func (s *Store) PutItems(ctx context.Context, companyID kernel.ID, items []commerce.Item, events func([]commerce.PutOutcome) []kernel.Event) ([]commerce.PutOutcome, error) {
	var outs []commerce.PutOutcome
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		outs, err = s.putItems(ctx, companyID, items, events)
		if !errors.Is(err, errRace) {
			break
		}
	}
	if errors.Is(err, errRace) {
		return nil, kernel.Conflict("o catálogo foi alterado ao mesmo tempo por outra requisição; tente de novo")
	}
	return outs, err
}

// putItems decides every item's outcome in memory, in order, over the rows
// read (and, on PostgreSQL, locked) at the start, then writes the final state
// of each SKU that changed in a few statements: the new rows and their tags in
// multi-row inserts, the changed ones one update each under a version check.
func (s *Store) putItems(ctx context.Context, companyID kernel.ID, items []commerce.Item, events func([]commerce.PutOutcome) []kernel.Event) ([]commerce.PutOutcome, error) {
	var outs []commerce.PutOutcome
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		initial, err := s.lockItems(ctx, tx, companyID, items)
		if err != nil {
			return err
		}
		state := make(map[string]commerce.Item, len(initial))
		for k, v := range initial {
			state[k] = v
		}
		outs = make([]commerce.PutOutcome, 0, len(items))
		var order []string // SKUs in first-seen order
		seen := map[string]bool{}
		for _, it := range items {
			if !seen[it.SKU] {
				seen[it.SKU] = true
				order = append(order, it.SKU)
			}
			it.CompanyID = companyID
			old, exists := state[it.SKU]
			switch {
			case exists && old.SameContent(it):
				outs = append(outs, commerce.PutOutcome{Item: old, Result: commerce.PutUnchanged})
				continue
			case exists:
				it.Version, it.CreatedAt = old.Version+1, old.CreatedAt
			default:
				it.Version = 1
			}
			row, err := itemToRow(it)
			if err != nil {
				return err
			}
			stored, err := row.toDomain() // what a read will return
			if err != nil {
				return err
			}
			state[it.SKU] = stored
			res := commerce.PutUpdated
			if !exists {
				res = commerce.PutCreated
			}
			outs = append(outs, commerce.PutOutcome{Item: stored, Result: res})
		}
		var inserts []itemRow
		var tags []itemTagRow
		var changed []string
		for _, sku := range order {
			final := state[sku]
			was, had := initial[sku]
			if had && final.Version == was.Version {
				continue // unchanged
			}
			row, err := itemToRow(final)
			if err != nil {
				return err
			}
			changed = append(changed, sku)
			for _, t := range final.Tags {
				tags = append(tags, itemTagRow{CompanyID: companyID, SKU: sku, Tag: t})
			}
			if !had {
				inserts = append(inserts, row)
				continue
			}
			res, err := tx.NewUpdate().Model(&row).WherePK().Where("version = ?", was.Version).
				Column("name", "search", "kind", "price_amount", "price_currency", "stock", "requires_prescription", "body", "version", "updated_at").
				Exec(ctx)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return errRace
			}
		}
		for start := 0; start < len(changed); start += chunk {
			part := changed[start:min(start+chunk, len(changed))]
			if _, err := tx.NewDelete().Model((*itemTagRow)(nil)).Where("company_id = ? AND sku IN (?)", companyID, bun.List(part)).Exec(ctx); err != nil {
				return err
			}
		}
		for start := 0; start < len(inserts); start += rowsPerInsert {
			part := inserts[start:min(start+rowsPerInsert, len(inserts))]
			res, err := tx.NewInsert().Model(&part).On("CONFLICT (company_id, sku) DO NOTHING").Exec(ctx)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != int64(len(part)) {
				return errRace
			}
		}
		for start := 0; start < len(tags); start += chunk {
			part := tags[start:min(start+chunk, len(tags))]
			if _, err := tx.NewInsert().Model(&part).On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
				return err
			}
		}
		if events != nil {
			return sqlstore.AddEvents(ctx, tx, events(outs)...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return outs, nil
}

// rowsPerInsert keeps a multi-row insert under SQLite's and PostgreSQL's limits on bound parameters.
const rowsPerInsert = 200

// lockItems reads the stored items of those SKUs (locking them on PostgreSQL;
// SQLite's transactions already hold the write lock).
func (s *Store) lockItems(ctx context.Context, tx bun.Tx, companyID kernel.ID, items []commerce.Item) (map[string]commerce.Item, error) {
	current := map[string]commerce.Item{}
	for start := 0; start < len(items); start += chunk {
		part := items[start:min(start+chunk, len(items))]
		skus := make([]string, len(part))
		for i, it := range part {
			skus[i] = it.SKU
		}
		var rows []itemRow
		q := tx.NewSelect().Model(&rows).Where("company_id = ? AND sku IN (?)", companyID, bun.List(skus))
		if s.db.Engine == sqlstore.Postgres {
			q = q.For("UPDATE")
		}
		if err := q.Scan(ctx); err != nil {
			return nil, err
		}
		found, err := rowsToItems(rows)
		if err != nil {
			return nil, err
		}
		for _, it := range found {
			current[it.SKU] = it
		}
	}
	return current, nil
}
