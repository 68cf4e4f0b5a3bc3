package commercesql

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"sort"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
)

type orderRow struct {
	bun.BaseModel  `bun:"table:commerce_orders"`
	ID             string    `bun:"id,pk"`
	PatientID      string    `bun:"patient_id"`
	CompanyID      string    `bun:"company_id"`
	Status         string    `bun:"status"`
	TotalAmount    int64     `bun:"total_amount"`
	Currency       string    `bun:"currency"`
	PrescriptionID *string   `bun:"prescription_id"`
	PayBy          time.Time `bun:"pay_by"`
	Body           string    `bun:"body"`
	Version        int64     `bun:"version"`
	CreatedAt      time.Time `bun:"created_at"`
	UpdatedAt      time.Time `bun:"updated_at"`
}

type moneyJSON struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

type lineJSON struct {
	SKU                  string    `json:"sku"`
	Name                 string    `json:"name"`
	Kind                 string    `json:"kind"`
	Quantity             int64     `json:"quantity"`
	UnitPrice            moneyJSON `json:"unit_price"`
	Total                moneyJSON `json:"total"`
	RequiresPrescription bool      `json:"requires_prescription,omitempty"`
}

type addressJSON struct {
	CEP        string  `json:"cep"`
	Street     string  `json:"street"`
	Number     string  `json:"number"`
	Complement string  `json:"complement,omitempty"`
	District   string  `json:"district"`
	City       string  `json:"city"`
	UF         string  `json:"uf"`
	Lat        float64 `json:"lat,omitempty"`
	Lng        float64 `json:"lng,omitempty"`
}

type stepJSON struct {
	Status string    `json:"status"`
	At     time.Time `json:"at"`
	By     string    `json:"by,omitempty"`
	Note   string    `json:"note,omitempty"`
}

// orderBody is what of an order is kept as JSON: read whole, never queried.
type orderBody struct {
	PlanID           string       `json:"plan_id,omitempty"`
	PrescriptionCode string       `json:"prescription_code,omitempty"`
	Lines            []lineJSON   `json:"lines"`
	Method           string       `json:"method"`
	Address          *addressJSON `json:"address,omitempty"`
	Recipient        string       `json:"recipient,omitempty"`
	Fee              moneyJSON    `json:"fee"`
	Subtotal         moneyJSON    `json:"subtotal"`
	Refunded         moneyJSON    `json:"refunded"`
	Timeline         []stepJSON   `json:"timeline"`
	PaidAt           *time.Time   `json:"paid_at,omitempty"`
}

func mj(m kernel.Money) moneyJSON { return moneyJSON{m.Amount, m.Currency} }
func (m moneyJSON) money() kernel.Money {
	return kernel.Money{Amount: m.Amount, Currency: m.Currency}
}

func orderToRow(o commerce.Order) (orderRow, error) {
	b := orderBody{PlanID: o.PlanID, PrescriptionCode: o.PrescriptionCode, Method: o.Fulfilment.Method, Recipient: o.Fulfilment.Recipient,
		Fee: mj(o.Fulfilment.Fee), Subtotal: mj(o.Subtotal), Refunded: mj(o.Refunded), Lines: []lineJSON{}, Timeline: []stepJSON{}}
	for _, l := range o.Lines {
		b.Lines = append(b.Lines, lineJSON{SKU: l.SKU, Name: l.Name, Kind: string(l.Kind), Quantity: l.Quantity,
			UnitPrice: mj(l.UnitPrice), Total: mj(l.Total), RequiresPrescription: l.RequiresPrescription})
	}
	if a := o.Fulfilment.Address; a != nil {
		b.Address = &addressJSON{CEP: a.CEP, Street: a.Street, Number: a.Number, Complement: a.Complement, District: a.District,
			City: a.City, UF: a.UF, Lat: a.Lat, Lng: a.Lng}
	}
	for _, e := range o.Timeline {
		b.Timeline = append(b.Timeline, stepJSON{Status: string(e.Status), At: e.At.UTC(), By: string(e.By), Note: e.Note})
	}
	if o.PaidAt != nil {
		t := o.PaidAt.UTC()
		b.PaidAt = &t
	}
	body, err := json.Marshal(b)
	if err != nil {
		return orderRow{}, kernel.Internal(err, "encode order %s", o.ID)
	}
	r := orderRow{ID: o.ID, PatientID: o.PatientID, CompanyID: o.CompanyID, Status: string(o.Status), TotalAmount: o.Total.Amount,
		Currency: o.Total.Currency, PayBy: o.PayBy.UTC(), Body: string(body), Version: o.Version, CreatedAt: o.CreatedAt.UTC(), UpdatedAt: o.UpdatedAt.UTC()}
	if o.PrescriptionID != "" {
		id := o.PrescriptionID
		r.PrescriptionID = &id
	}
	return r, nil
}

func orderFromRow(r orderRow) (commerce.Order, error) {
	var b orderBody
	if err := json.Unmarshal([]byte(r.Body), &b); err != nil {
		return commerce.Order{}, kernel.Internal(err, "decode order %s", r.ID)
	}
	o := commerce.Order{ID: r.ID, PatientID: r.PatientID, CompanyID: r.CompanyID, PlanID: b.PlanID, PrescriptionCode: b.PrescriptionCode,
		Subtotal: b.Subtotal.money(), Total: kernel.Money{Amount: r.TotalAmount, Currency: r.Currency}, Refunded: b.Refunded.money(),
		Status: commerce.OrderStatus(r.Status), PayBy: r.PayBy.UTC(), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version,
		Fulfilment: commerce.OrderFulfilment{Method: b.Method, Fee: b.Fee.money(), Recipient: b.Recipient},
		Lines:      make([]commerce.OrderLine, 0, len(b.Lines)), Timeline: make([]commerce.TimelineEntry, 0, len(b.Timeline))}
	if r.PrescriptionID != nil {
		o.PrescriptionID = *r.PrescriptionID
	}
	for _, l := range b.Lines {
		o.Lines = append(o.Lines, commerce.OrderLine{SKU: l.SKU, Name: l.Name, Kind: commerce.Kind(l.Kind), Quantity: l.Quantity,
			UnitPrice: l.UnitPrice.money(), Total: l.Total.money(), RequiresPrescription: l.RequiresPrescription})
	}
	if a := b.Address; a != nil {
		o.Fulfilment.Address = &commerce.DeliveryAddress{CEP: a.CEP, Street: a.Street, Number: a.Number, Complement: a.Complement,
			District: a.District, City: a.City, UF: a.UF, Lat: a.Lat, Lng: a.Lng}
	}
	for _, e := range b.Timeline {
		o.Timeline = append(o.Timeline, commerce.TimelineEntry{Status: commerce.OrderStatus(e.Status), At: e.At.UTC(), By: kernel.AccountKind(e.By), Note: e.Note})
	}
	if b.PaidAt != nil {
		t := b.PaidAt.UTC()
		o.PaidAt = &t
	}
	return o, nil
}

// byStock returns the lines in SKU order: every transaction locks items in
// the same order, so two orders of the same items cannot deadlock.
func byStock(ls []commerce.OrderLine) []commerce.OrderLine {
	out := append([]commerce.OrderLine(nil), ls...)
	sort.Slice(out, func(i, j int) bool { return out[i].SKU < out[j].SKU })
	return out
}

// CreateOrder reserves each line's units with one conditional UPDATE per item
// (the row lock and the re-checked condition make it atomic on PostgreSQL;
// SQLite's IMMEDIATE transactions serialise writers), then inserts the order
// and its events; a line short of stock or repriced rolls everything back.
func (s *Store) CreateOrder(ctx context.Context, o commerce.Order, events []kernel.Event) error {
	row, err := orderToRow(o)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		for _, l := range byStock(o.Lines) {
			res, err := tx.NewRaw("UPDATE commerce_items SET stock = stock - ? WHERE company_id = ? AND sku = ? AND (stock IS NULL OR stock >= ?) AND price_amount = ?",
				l.Quantity, o.CompanyID, l.SKU, l.Quantity, l.UnitPrice.Amount).Exec(ctx)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				return s.whyNot(ctx, tx, o.CompanyID, l)
			}
		}
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return err
		}
		return sqlstore.AddEvents(ctx, tx, events...)
	})
}

// whyNot says, in pt-BR and naming the SKU, why a line could not be reserved.
func (s *Store) whyNot(ctx context.Context, tx bun.Tx, companyID kernel.ID, l commerce.OrderLine) error {
	var cur struct {
		Price int64  `bun:"price_amount"`
		Stock *int64 `bun:"stock"`
	}
	err := tx.NewSelect().Table("commerce_items").Column("price_amount", "stock").
		Where("company_id = ? AND sku = ?", companyID, l.SKU).Scan(ctx, &cur)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return kernel.Conflict("o item %s saiu do catálogo; refaça o pedido", l.SKU)
	case err != nil:
		return err
	case cur.Price != l.UnitPrice.Amount:
		return kernel.Conflict("o preço do item %s mudou; refaça o pedido", l.SKU)
	case cur.Stock != nil && *cur.Stock <= 0:
		return kernel.Conflict("o item %s esgotou", l.SKU)
	}
	return kernel.Conflict("o item %s não tem estoque suficiente para %d unidades", l.SKU, l.Quantity)
}

func (s *Store) GetOrder(ctx context.Context, id kernel.ID) (commerce.Order, error) {
	var r orderRow
	if err := s.db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return commerce.Order{}, kernel.NotFound("pedido não encontrado")
		}
		return commerce.Order{}, sqlstore.Translate(err)
	}
	return orderFromRow(r)
}

// releases reports whether moving from before to after returns the order's units to stock.
func releases(before, after commerce.OrderStatus) bool {
	if after != commerce.OrderCancelled {
		return false
	}
	switch before {
	case commerce.OrderCreated, commerce.OrderPaid, commerce.OrderAccepted, commerce.OrderPreparing:
		return true
	}
	return false
}

func (s *Store) UpdateOrder(ctx context.Context, id kernel.ID, fn func(*commerce.Order) ([]kernel.Event, error)) (commerce.Order, error) {
	var out commerce.Order
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var r orderRow
		q := tx.NewSelect().Model(&r).Where("id = ?", id)
		if s.db.Engine == sqlstore.Postgres {
			q = q.For("UPDATE")
		}
		if err := q.Scan(ctx); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return kernel.NotFound("pedido não encontrado")
			}
			return err
		}
		o, err := orderFromRow(r)
		if err != nil {
			return err
		}
		before := o.Status
		events, err := fn(&o)
		if err != nil {
			return err
		}
		o.ID, o.Version = r.ID, r.Version+1
		nr, err := orderToRow(o)
		if err != nil {
			return err
		}
		res, err := tx.NewUpdate().Model(&nr).WherePK().Where("version = ?", r.Version).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return kernel.Conflict("o pedido mudou ao mesmo tempo; tente novamente")
		}
		if releases(before, o.Status) {
			for _, l := range byStock(o.Lines) {
				if _, err := tx.NewRaw("UPDATE commerce_items SET stock = stock + ? WHERE company_id = ? AND sku = ? AND stock IS NOT NULL",
					l.Quantity, o.CompanyID, l.SKU).Exec(ctx); err != nil {
					return err
				}
			}
		}
		out = o
		return sqlstore.AddEvents(ctx, tx, events...)
	})
	if err != nil {
		return commerce.Order{}, err
	}
	return out, nil
}

type orderCursor struct {
	C time.Time `json:"c"`
	I string    `json:"i"`
}

func (s *Store) ListOrders(ctx context.Context, f commerce.OrderFilter, page kernel.Page) (kernel.List[commerce.Order], error) {
	out := kernel.List[commerce.Order]{Items: []commerce.Order{}}
	if f.PatientID == "" && f.CompanyID == "" {
		return out, kernel.Internal(nil, "ListOrders needs a patient or a company")
	}
	var rows []orderRow
	q := s.db.NewSelect().Model(&rows)
	if f.PatientID != "" {
		q = q.Where("patient_id = ?", f.PatientID)
	}
	if f.CompanyID != "" {
		q = q.Where("company_id = ?", f.CompanyID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	if page.Cursor != "" {
		var c orderCursor
		if err := kernel.DecodeCursor(page.Cursor, &c); err != nil {
			return out, err
		}
		q = q.Where("(created_at < ? OR (created_at = ? AND id < ?))", c.C.UTC(), c.C.UTC(), c.I)
	}
	limit := page.Limit
	if limit <= 0 {
		limit = kernel.DefaultLimit
	}
	if err := q.OrderExpr("created_at DESC, id DESC").Limit(int64(limit + 1)).Scan(ctx); err != nil {
		return out, sqlstore.Translate(err)
	}
	for i, r := range rows {
		if i == limit {
			last := rows[limit-1]
			out.NextCursor = kernel.EncodeCursor(orderCursor{C: last.CreatedAt.UTC(), I: last.ID})
			break
		}
		o, err := orderFromRow(r)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, o)
	}
	return out, nil
}
