package commercesql

import (
	"context"
	"sort"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging"
)

// --- rows ---

type paymentRow struct {
	bun.BaseModel `bun:"table:commerce_payments,alias:p"`
	ID            string     `bun:"id,pk"`
	OrderID       string     `bun:"order_id"`
	AppointmentID string     `bun:"appointment_id"`
	PatientID     string     `bun:"patient_id"`
	CompanyID     string     `bun:"company_id"`
	Provider      string     `bun:"provider"`
	ChargeID      string     `bun:"charge_id"`
	Method        string     `bun:"method"`
	Amount        int64      `bun:"amount"`
	Currency      string     `bun:"currency"`
	Status        string     `bun:"status"`
	PixCopyPaste  string     `bun:"pix_copy_paste"`
	ClientSecret  string     `bun:"client_secret"`
	FailureReason string     `bun:"failure_reason"`
	ExpiresAt     *time.Time `bun:"expires_at"`
	CreatedAt     time.Time  `bun:"created_at"`
	UpdatedAt     time.Time  `bun:"updated_at"`
	PaidAt        *time.Time `bun:"paid_at"`
	Refunded      int64      `bun:"refunded,scanonly"`
}

func payUTC(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func payUTCp(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := payUTC(*t)
	return &u
}

func paymentToRow(p commerce.Payment) paymentRow {
	return paymentRow{ID: p.ID, OrderID: p.OrderID, AppointmentID: p.AppointmentID, PatientID: p.PatientID, CompanyID: p.CompanyID, Provider: p.Provider,
		ChargeID: p.ChargeID, Method: p.Method, Amount: p.Amount.Amount, Currency: p.Amount.Currency, Status: string(p.Status),
		PixCopyPaste: p.PixCopyPaste, ClientSecret: p.ClientSecret, FailureReason: p.FailureReason, ExpiresAt: payUTCp(&p.ExpiresAt),
		CreatedAt: payUTC(p.CreatedAt), UpdatedAt: payUTC(p.UpdatedAt), PaidAt: payUTCp(p.PaidAt)}
}

func (r paymentRow) toDomain() commerce.Payment {
	p := commerce.Payment{ID: r.ID, OrderID: r.OrderID, AppointmentID: r.AppointmentID, PatientID: r.PatientID, CompanyID: r.CompanyID, Provider: r.Provider,
		ChargeID: r.ChargeID, Method: r.Method, Amount: kernel.Money{Amount: r.Amount, Currency: r.Currency},
		Status: commerce.PaymentStatus(r.Status), PixCopyPaste: r.PixCopyPaste, ClientSecret: r.ClientSecret,
		FailureReason: r.FailureReason, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), PaidAt: payUTCp(r.PaidAt),
		Refunded: r.Refunded}
	if r.ExpiresAt != nil {
		p.ExpiresAt = r.ExpiresAt.UTC()
	}
	return p
}

type refundRow struct {
	bun.BaseModel    `bun:"table:commerce_refunds,alias:r"`
	ID               string    `bun:"id,pk"`
	PaymentID        string    `bun:"payment_id"`
	OrderID          string    `bun:"order_id"`
	CompanyID        string    `bun:"company_id"`
	Amount           int64     `bun:"amount"`
	Currency         string    `bun:"currency"`
	Reason           string    `bun:"reason"`
	Status           string    `bun:"status"`
	ByKind           string    `bun:"by_kind"`
	ByID             string    `bun:"by_id"`
	ProviderRefundID string    `bun:"provider_refund_id"`
	CreatedAt        time.Time `bun:"created_at"`
	UpdatedAt        time.Time `bun:"updated_at"`
}

func refundToRow(r commerce.Refund) refundRow {
	return refundRow{ID: r.ID, PaymentID: r.PaymentID, OrderID: r.OrderID, CompanyID: r.CompanyID, Amount: r.Amount.Amount,
		Currency: r.Amount.Currency, Reason: r.Reason, Status: string(r.Status), ByKind: string(r.ByKind), ByID: r.ByID,
		ProviderRefundID: r.ProviderRefundID, CreatedAt: payUTC(r.CreatedAt), UpdatedAt: payUTC(r.UpdatedAt)}
}

func (r refundRow) toDomain() commerce.Refund {
	return commerce.Refund{ID: r.ID, PaymentID: r.PaymentID, OrderID: r.OrderID, CompanyID: r.CompanyID,
		Amount: kernel.Money{Amount: r.Amount, Currency: r.Currency}, Reason: r.Reason, Status: commerce.RefundStatus(r.Status),
		ByKind: kernel.AccountKind(r.ByKind), ByID: r.ByID, ProviderRefundID: r.ProviderRefundID,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

type paymentEventRow struct {
	bun.BaseModel `bun:"table:commerce_payment_events"`
	Provider      string    `bun:"provider,pk"`
	EventID       string    `bun:"event_id,pk"`
	Type          string    `bun:"type"`
	ChargeID      string    `bun:"charge_id"`
	PaymentID     string    `bun:"payment_id"`
	ReceivedAt    time.Time `bun:"received_at"`
}

// --- queries ---

// refundedExpr sums a payment's refunds that did not fail.
const refundedExpr = "(SELECT COALESCE(SUM(rf.amount), 0) FROM commerce_refunds AS rf WHERE rf.payment_id = p.id AND rf.status <> 'failed') AS refunded"

func (s *Store) selectPayments(db bun.IDB, rows *[]paymentRow) *bun.SelectQuery {
	return db.NewSelect().Model(rows).Column("p.*").ColumnExpr(refundedExpr)
}

// lockPaymentWhere locks the payment q selects (PostgreSQL: FOR UPDATE; SQLite
// transactions begin IMMEDIATE, so the database is locked for writing) and
// returns its ID, "" when there is none. The payment is read afterwards, by
// another statement: a PostgreSQL statement that waited for the lock would
// otherwise compute its refunded sum on the snapshot taken before the wait.
func (s *Store) lockPaymentWhere(ctx context.Context, q *bun.SelectQuery) (kernel.ID, error) {
	var ids []string
	q = q.Model((*paymentRow)(nil)).Column("p.id").Limit(1)
	if s.db.Engine == sqlstore.Postgres {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx, &ids); err != nil {
		return "", sqlstore.Translate(err)
	}
	if len(ids) == 0 {
		return "", nil
	}
	return ids[0], nil
}

func notFoundPayment() error { return kernel.NotFound("pagamento não encontrado") }

func (s *Store) CreatePayment(ctx context.Context, p commerce.Payment) error {
	row := paymentToRow(p)
	if _, err := s.db.NewInsert().Model(&row).Exec(ctx); err != nil {
		if sqlstore.IsUniqueViolation(err) {
			msg := "o pedido já tem um pagamento pendente"
			if p.OrderID == "" {
				msg = "a consulta já tem um pagamento pendente"
			}
			return &kernel.Error{Kind: kernel.KindConflict, Message: msg, Err: err}
		}
		return sqlstore.Translate(err)
	}
	return nil
}

func (s *Store) GetPayment(ctx context.Context, id kernel.ID) (commerce.Payment, error) {
	return s.getPayment(ctx, s.db, id, false)
}

func (s *Store) getPayment(ctx context.Context, db bun.IDB, id kernel.ID, lock bool) (commerce.Payment, error) {
	if lock {
		found, err := s.lockPaymentWhere(ctx, db.NewSelect().Where("p.id = ?", id))
		if err != nil {
			return commerce.Payment{}, err
		}
		if found == "" {
			return commerce.Payment{}, notFoundPayment()
		}
	}
	var rows []paymentRow
	if err := s.selectPayments(db, &rows).Where("p.id = ?", id).Scan(ctx); err != nil {
		return commerce.Payment{}, sqlstore.Translate(err)
	}
	if len(rows) == 0 {
		return commerce.Payment{}, notFoundPayment()
	}
	return rows[0].toDomain(), nil
}

// savePayment runs fn on the locked payment p and saves it with fn's events.
func (s *Store) savePayment(ctx context.Context, tx bun.Tx, p *commerce.Payment, fn func(*commerce.Payment) ([]kernel.Event, error)) error {
	refunded := p.Refunded
	id := p.ID
	events, err := fn(p)
	if err != nil {
		return err
	}
	p.ID, p.Refunded = id, refunded
	row := paymentToRow(*p)
	if _, err := tx.NewUpdate().Model(&row).ExcludeColumn("id").WherePK().Exec(ctx); err != nil {
		return sqlstore.Translate(err)
	}
	return sqlstore.AddEvents(ctx, tx, events...)
}

func (s *Store) UpdatePayment(ctx context.Context, id kernel.ID, fn func(*commerce.Payment) ([]kernel.Event, error)) (commerce.Payment, error) {
	var out commerce.Payment
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		p, err := s.getPayment(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if err := s.savePayment(ctx, tx, &p, fn); err != nil {
			return err
		}
		out = p
		return nil
	})
	return out, err
}

func (s *Store) OrderPayments(ctx context.Context, orderID kernel.ID) ([]commerce.Payment, error) {
	var rows []paymentRow
	if err := s.selectPayments(s.db, &rows).Where("p.order_id = ?", orderID).Order("p.created_at ASC", "p.id ASC").
		Limit(int64(commerce.MaxOrderPayments + 1)).Scan(ctx); err != nil {
		return nil, sqlstore.Translate(err)
	}
	out := make([]commerce.Payment, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

func (s *Store) AppointmentPayments(ctx context.Context, appointmentID kernel.ID) ([]commerce.Payment, error) {
	if appointmentID == "" {
		return nil, nil
	}
	var rows []paymentRow
	if err := s.selectPayments(s.db, &rows).Where("p.appointment_id = ?", appointmentID).Order("p.created_at ASC", "p.id ASC").
		Limit(int64(commerce.MaxOrderPayments + 1)).Scan(ctx); err != nil {
		return nil, sqlstore.Translate(err)
	}
	out := make([]commerce.Payment, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

func (s *Store) ListPayments(ctx context.Context, f commerce.PaymentFilter, page kernel.Page) (kernel.List[commerce.Payment], error) {
	if page.Limit <= 0 {
		page.Limit = kernel.DefaultLimit
	}
	var rows []paymentRow
	q := s.selectPayments(s.db, &rows).Where("p.patient_id = ?", f.PatientID)
	if page.Cursor != "" {
		var after string
		if err := kernel.DecodeCursor(page.Cursor, &after); err != nil {
			return kernel.List[commerce.Payment]{}, err
		}
		q = q.Where("p.id < ?", after)
	}
	if err := q.Order("p.id DESC").Limit(int64(page.Limit + 1)).Scan(ctx); err != nil {
		return kernel.List[commerce.Payment]{}, sqlstore.Translate(err)
	}
	out := kernel.List[commerce.Payment]{Items: make([]commerce.Payment, 0, len(rows))}
	for _, r := range rows {
		out.Items = append(out.Items, r.toDomain())
	}
	if len(out.Items) > page.Limit {
		out.Items = out.Items[:page.Limit]
		out.NextCursor = kernel.EncodeCursor(out.Items[page.Limit-1].ID)
	}
	return out, nil
}

func (s *Store) ApplyChargeEvent(ctx context.Context, ev commerce.ChargeEvent, fn func(*commerce.Payment) ([]kernel.Event, error)) (commerce.Payment, bool, error) {
	var out commerce.Payment
	applied := false
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		applied = false
		q := tx.NewSelect().Where("p.provider = ?", ev.Provider)
		if ev.PaymentID != "" {
			q = q.Where("p.id = ?", ev.PaymentID)
		} else {
			q = q.Where("p.charge_id = ? AND p.charge_id <> ''", ev.ChargeID)
		}
		id, err := s.lockPaymentWhere(ctx, q)
		if err != nil {
			return err
		}
		if id == "" {
			return notFoundPayment()
		}
		p, err := s.getPayment(ctx, tx, id, false)
		if err != nil {
			return err
		}
		if ev.PaymentID != "" && ev.ChargeID != "" && p.ChargeID != "" && p.ChargeID != ev.ChargeID {
			return notFoundPayment() // the reference names a payment of another charge: not ours
		}
		at := ev.At
		if at.IsZero() {
			at = time.Now()
		}
		res, err := tx.NewInsert().Model(&paymentEventRow{Provider: ev.Provider, EventID: ev.EventID, Type: ev.Type,
			ChargeID: ev.ChargeID, PaymentID: p.ID, ReceivedAt: payUTC(at)}).On("CONFLICT DO NOTHING").Exec(ctx)
		if err != nil {
			return sqlstore.Translate(err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			out = p // recorded before: nothing changes
			return sqlstore.Translate(err)
		}
		if err := s.savePayment(ctx, tx, &p, fn); err != nil {
			return err
		}
		out, applied = p, true
		return nil
	})
	return out, applied, err
}

func (s *Store) ApplyRefundEvent(ctx context.Context, ev commerce.ChargeEvent, fn func(*commerce.Refund) error) (commerce.Refund, bool, error) {
	var out commerce.Refund
	applied := false
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		applied = false
		if ev.RefundID == "" {
			return kernel.NotFound("reembolso não encontrado")
		}
		var ids []string
		q := tx.NewSelect().Model((*refundRow)(nil)).Column("r.id").
			Where("r.provider_refund_id = ? AND r.payment_id IN (SELECT id FROM commerce_payments WHERE provider = ?)", ev.RefundID, ev.Provider).Limit(1)
		if s.db.Engine == sqlstore.Postgres {
			q = q.For("UPDATE")
		}
		if err := q.Scan(ctx, &ids); err != nil {
			return sqlstore.Translate(err)
		}
		if len(ids) == 0 {
			return kernel.NotFound("reembolso não encontrado")
		}
		r, err := s.getRefund(ctx, tx, ids[0], false)
		if err != nil {
			return err
		}
		at := ev.At
		if at.IsZero() {
			at = time.Now()
		}
		res, err := tx.NewInsert().Model(&paymentEventRow{Provider: ev.Provider, EventID: ev.EventID, Type: ev.Type,
			ChargeID: ev.ChargeID, PaymentID: r.PaymentID, ReceivedAt: payUTC(at)}).On("CONFLICT DO NOTHING").Exec(ctx)
		if err != nil {
			return sqlstore.Translate(err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			out = r
			return sqlstore.Translate(err)
		}
		if err := fn(&r); err != nil {
			return err
		}
		r.ID = ids[0]
		row := refundToRow(r)
		if _, err := tx.NewUpdate().Model(&row).ExcludeColumn("id").WherePK().Exec(ctx); err != nil {
			return sqlstore.Translate(err)
		}
		out, applied = r, true
		return nil
	})
	return out, applied, err
}

func (s *Store) CreateRefund(ctx context.Context, r commerce.Refund) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		p, err := s.getPayment(ctx, tx, r.PaymentID, true)
		if err != nil {
			return err
		}
		n, err := tx.NewSelect().Model((*refundRow)(nil)).Where("payment_id = ?", r.PaymentID).Count(ctx)
		if err != nil {
			return sqlstore.Translate(err)
		}
		if n >= commerce.MaxRefundsPerPayment {
			return kernel.Conflict("este pagamento já tem %d reembolsos, o máximo", commerce.MaxRefundsPerPayment)
		}
		if left := p.Amount.Amount - p.Refunded; r.Amount.Amount > left {
			return kernel.ConflictField("amount", "o valor excede o que resta a reembolsar deste pagamento ("+messaging.Money(left, p.Amount.Currency)+")")
		}
		row := refundToRow(r)
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			if sqlstore.IsUniqueViolation(err) {
				return &kernel.Error{Kind: kernel.KindConflict, Message: "este reembolso já existe", Err: err}
			}
			return sqlstore.Translate(err)
		}
		return nil
	})
}

func (s *Store) GetRefund(ctx context.Context, id kernel.ID) (commerce.Refund, error) {
	return s.getRefund(ctx, s.db, id, false)
}

func (s *Store) getRefund(ctx context.Context, db bun.IDB, id kernel.ID, lock bool) (commerce.Refund, error) {
	var rows []refundRow
	q := db.NewSelect().Model(&rows).Where("id = ?", id)
	if lock && s.db.Engine == sqlstore.Postgres {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		return commerce.Refund{}, sqlstore.Translate(err)
	}
	if len(rows) == 0 {
		return commerce.Refund{}, kernel.NotFound("reembolso não encontrado")
	}
	return rows[0].toDomain(), nil
}

func (s *Store) UpdateRefund(ctx context.Context, id kernel.ID, fn func(*commerce.Refund) error) (commerce.Refund, error) {
	var out commerce.Refund
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		r, err := s.getRefund(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
		r.ID = id
		row := refundToRow(r)
		if _, err := tx.NewUpdate().Model(&row).ExcludeColumn("id").WherePK().Exec(ctx); err != nil {
			return sqlstore.Translate(err)
		}
		out = r
		return nil
	})
	return out, err
}

func (s *Store) OrderRefunds(ctx context.Context, orderID kernel.ID) ([]commerce.Refund, error) {
	var rows []refundRow
	// an order's refunds all belong to its payments: at most MaxOrderPayments × MaxRefundsPerPayment
	if err := s.db.NewSelect().Model(&rows).Where("order_id = ?", orderID).Order("created_at ASC", "id ASC").
		Limit(int64((commerce.MaxOrderPayments + 1) * commerce.MaxRefundsPerPayment)).Scan(ctx); err != nil {
		return nil, sqlstore.Translate(err)
	}
	out := make([]commerce.Refund, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

func (s *Store) StatementLines(ctx context.Context, companyID kernel.ID, from, to time.Time, limit int) ([]commerce.StatementLine, error) {
	var pays []paymentRow
	if err := s.db.NewSelect().Model(&pays).Column("p.id", "p.order_id", "p.appointment_id", "p.method", "p.amount", "p.currency", "p.paid_at").
		Where("p.company_id = ? AND p.status = 'succeeded' AND p.paid_at >= ? AND p.paid_at < ?", companyID, payUTC(from), payUTC(to)).
		Order("p.paid_at ASC", "p.id ASC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, sqlstore.Translate(err)
	}
	var refs []refundRow
	if err := s.db.NewSelect().Model(&refs).Column("r.id", "r.payment_id", "r.order_id", "r.amount", "r.currency", "r.created_at").
		Where("r.company_id = ? AND r.status <> 'failed' AND r.created_at >= ? AND r.created_at < ?", companyID, payUTC(from), payUTC(to)).
		Order("r.created_at ASC", "r.id ASC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, sqlstore.Translate(err)
	}
	out := make([]commerce.StatementLine, 0, len(pays)+len(refs))
	for _, p := range pays {
		at := time.Time{}
		if p.PaidAt != nil {
			at = p.PaidAt.UTC()
		}
		out = append(out, commerce.StatementLine{Kind: commerce.LinePayment, At: at, OrderID: p.OrderID, AppointmentID: p.AppointmentID, PaymentID: p.ID,
			Method: p.Method, Amount: kernel.Money{Amount: p.Amount, Currency: p.Currency}})
	}
	for _, r := range refs {
		out = append(out, commerce.StatementLine{Kind: commerce.LineRefund, At: r.CreatedAt.UTC(), OrderID: r.OrderID,
			PaymentID: r.PaymentID, RefundID: r.ID, Amount: kernel.Money{Amount: r.Amount, Currency: r.Currency}})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.Before(out[j].At)
		}
		return out[i].Kind < out[j].Kind
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
