package commercesql

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
)

// Partners' webhook endpoints, their deliveries and each delivery's attempts.
// Secrets are kept as base64 of the raw key: commerce has no key manager to
// seal them with, and they must be recoverable to sign.

type webhookRow struct {
	bun.BaseModel `bun:"table:commerce_webhook_endpoints"`
	ID            string     `bun:"id,pk"`
	CompanyID     string     `bun:"company_id"`
	URL           string     `bun:"url"`
	Events        string     `bun:"events"` // JSON array
	Secret        string     `bun:"secret"`
	PrevSecret    *string    `bun:"prev_secret"`
	PrevUntil     *time.Time `bun:"prev_until"`
	CreatedAt     time.Time  `bun:"created_at"`
	UpdatedAt     time.Time  `bun:"updated_at"`
}

type webhookDeliveryRow struct {
	bun.BaseModel `bun:"table:commerce_webhook_deliveries"`
	ID            string     `bun:"id,pk"`
	EndpointID    string     `bun:"endpoint_id"`
	CompanyID     string     `bun:"company_id"`
	EventID       string     `bun:"event_id"`
	EventType     string     `bun:"event_type"`
	MessageID     string     `bun:"message_id"`
	Body          string     `bun:"body"`
	Status        string     `bun:"status"`
	AttemptCount  int        `bun:"attempt_count"`
	NextAttemptAt *time.Time `bun:"next_attempt_at"`
	CreatedAt     time.Time  `bun:"created_at"`
	UpdatedAt     time.Time  `bun:"updated_at"`
}

type webhookAttemptRow struct {
	bun.BaseModel `bun:"table:commerce_webhook_attempts"`
	DeliveryID    string    `bun:"delivery_id,pk"`
	N             int       `bun:"n,pk"`
	At            time.Time `bun:"at"`
	StatusCode    int       `bun:"status_code"`
	DurationMS    int64     `bun:"duration_ms"`
	Error         string    `bun:"error"`
}

func hookUTC(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func hookUTCp(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := hookUTC(*t)
	return &u
}

func webhookToRow(e commerce.WebhookEndpoint) (webhookRow, error) {
	events, err := json.Marshal(e.Events)
	if err != nil {
		return webhookRow{}, kernel.Internal(err, "encode webhook events")
	}
	r := webhookRow{ID: e.ID, CompanyID: e.CompanyID, URL: e.URL, Events: string(events),
		Secret: base64.StdEncoding.EncodeToString(e.Secret), PrevUntil: hookUTCp(e.PrevUntil),
		CreatedAt: hookUTC(e.CreatedAt), UpdatedAt: hookUTC(e.UpdatedAt)}
	if len(e.PrevSecret) > 0 {
		p := base64.StdEncoding.EncodeToString(e.PrevSecret)
		r.PrevSecret = &p
	}
	return r, nil
}

func (r webhookRow) toDomain() (commerce.WebhookEndpoint, error) {
	e := commerce.WebhookEndpoint{ID: r.ID, CompanyID: r.CompanyID, URL: r.URL, PrevUntil: hookUTCp(r.PrevUntil),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if err := json.Unmarshal([]byte(r.Events), &e.Events); err != nil {
		return e, kernel.Internal(err, "webhook %s: events unreadable", r.ID)
	}
	var err error
	if e.Secret, err = base64.StdEncoding.DecodeString(r.Secret); err != nil {
		return e, kernel.Internal(err, "webhook %s: secret unreadable", r.ID)
	}
	if r.PrevSecret != nil {
		if e.PrevSecret, err = base64.StdEncoding.DecodeString(*r.PrevSecret); err != nil {
			return e, kernel.Internal(err, "webhook %s: previous secret unreadable", r.ID)
		}
	}
	return e, nil
}

func webhookDeliveryToRow(d commerce.WebhookDelivery) webhookDeliveryRow {
	return webhookDeliveryRow{ID: d.ID, EndpointID: d.EndpointID, CompanyID: d.CompanyID, EventID: d.EventID, EventType: d.EventType,
		MessageID: d.MessageID, Body: string(d.Body), Status: string(d.Status), AttemptCount: d.AttemptCount,
		NextAttemptAt: hookUTCp(d.NextAttemptAt), CreatedAt: hookUTC(d.CreatedAt), UpdatedAt: hookUTC(d.UpdatedAt)}
}

func (r webhookDeliveryRow) toDomain() commerce.WebhookDelivery {
	return commerce.WebhookDelivery{ID: r.ID, EndpointID: r.EndpointID, CompanyID: r.CompanyID, EventID: r.EventID, EventType: r.EventType,
		MessageID: r.MessageID, Body: []byte(r.Body), Status: commerce.WebhookStatus(r.Status), AttemptCount: r.AttemptCount,
		NextAttemptAt: hookUTCp(r.NextAttemptAt), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func (r webhookAttemptRow) toDomain() commerce.WebhookAttempt {
	return commerce.WebhookAttempt{N: r.N, At: r.At.UTC(), StatusCode: r.StatusCode, Duration: time.Duration(r.DurationMS) * time.Millisecond, Error: r.Error}
}

func hookNotFound(err error, msg string) error {
	err = sqlstore.Translate(err)
	if kernel.KindOf(err) == kernel.KindNotFound {
		return kernel.NotFound("%s", msg)
	}
	return err
}

func (s *Store) CreateWebhook(ctx context.Context, e commerce.WebhookEndpoint, max int) error {
	row, err := webhookToRow(e)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if s.db.Engine == sqlstore.Postgres {
			// Serialises creations for one company so that the count below holds
			// (SQLite transactions already begin IMMEDIATE).
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", "commerce_webhooks:"+e.CompanyID); err != nil {
				return sqlstore.Translate(err)
			}
		}
		n, err := tx.NewSelect().Model((*webhookRow)(nil)).Where("company_id = ?", e.CompanyID).Count(ctx)
		if err != nil {
			return sqlstore.Translate(err)
		}
		if int(n) >= max {
			return kernel.Conflict("a empresa já tem %d endpoints de webhook, o máximo", max)
		}
		_, err = tx.NewInsert().Model(&row).Exec(ctx)
		return sqlstore.Translate(err)
	})
}

func (s *Store) Webhook(ctx context.Context, companyID, id kernel.ID) (commerce.WebhookEndpoint, error) {
	var row webhookRow
	if err := s.db.NewSelect().Model(&row).Where("id = ? AND company_id = ?", id, companyID).Scan(ctx); err != nil {
		return commerce.WebhookEndpoint{}, hookNotFound(err, "webhook não encontrado")
	}
	return row.toDomain()
}

func (s *Store) Webhooks(ctx context.Context, companyID kernel.ID) ([]commerce.WebhookEndpoint, error) {
	var rows []webhookRow
	// The limit is a guard: CreateWebhook keeps a company at MaxWebhookEndpoints.
	err := s.db.NewSelect().Model(&rows).Where("company_id = ?", companyID).Order("id").Limit(commerce.MaxWebhookEndpoints * 2).Scan(ctx)
	if err != nil {
		return nil, sqlstore.Translate(err)
	}
	out := make([]commerce.WebhookEndpoint, 0, len(rows))
	for _, r := range rows {
		e, err := r.toDomain()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func (s *Store) UpdateWebhook(ctx context.Context, companyID, id kernel.ID, fn func(*commerce.WebhookEndpoint) error) (commerce.WebhookEndpoint, error) {
	var out commerce.WebhookEndpoint
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var row webhookRow
		q := tx.NewSelect().Model(&row).Where("id = ? AND company_id = ?", id, companyID)
		if s.db.Engine == sqlstore.Postgres {
			q = q.For("UPDATE")
		}
		if err := q.Scan(ctx); err != nil {
			return hookNotFound(err, "webhook não encontrado")
		}
		e, err := row.toDomain()
		if err != nil {
			return err
		}
		if err := fn(&e); err != nil {
			return err
		}
		e.ID, e.CompanyID, e.CreatedAt = row.ID, row.CompanyID, row.CreatedAt.UTC()
		nrow, err := webhookToRow(e)
		if err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model(&nrow).WherePK().Exec(ctx); err != nil {
			return sqlstore.Translate(err)
		}
		out, err = nrow.toDomain()
		return err
	})
	return out, err
}

func (s *Store) DeleteWebhook(ctx context.Context, companyID, id kernel.ID) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		// Children first: the cascade would do it, but not every SQLite
		// connection is sure to have foreign keys on.
		sub := tx.NewSelect().Model((*webhookDeliveryRow)(nil)).Column("id").Where("endpoint_id = ? AND company_id = ?", id, companyID)
		if _, err := tx.NewDelete().Model((*webhookAttemptRow)(nil)).Where("delivery_id IN (?)", sub).Exec(ctx); err != nil {
			return sqlstore.Translate(err)
		}
		if _, err := tx.NewDelete().Model((*webhookDeliveryRow)(nil)).Where("endpoint_id = ? AND company_id = ?", id, companyID).Exec(ctx); err != nil {
			return sqlstore.Translate(err)
		}
		res, err := tx.NewDelete().Model((*webhookRow)(nil)).Where("id = ? AND company_id = ?", id, companyID).Exec(ctx)
		if err != nil {
			return sqlstore.Translate(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return kernel.NotFound("webhook não encontrado")
		}
		return nil
	})
}

func (s *Store) AddWebhookDelivery(ctx context.Context, d commerce.WebhookDelivery) (commerce.WebhookDelivery, bool, error) {
	row := webhookDeliveryToRow(d)
	var out webhookDeliveryRow
	created := false
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		exists, err := tx.NewSelect().Model((*webhookRow)(nil)).Where("id = ?", d.EndpointID).Exists(ctx)
		if err != nil {
			return sqlstore.Translate(err)
		}
		if !exists {
			return kernel.NotFound("webhook não encontrado")
		}
		res, err := tx.NewInsert().Model(&row).On("CONFLICT (message_id) DO NOTHING").Exec(ctx)
		if err != nil {
			return sqlstore.Translate(err)
		}
		n, _ := res.RowsAffected()
		created = n == 1
		return sqlstore.Translate(tx.NewSelect().Model(&out).Where("message_id = ?", d.MessageID).Scan(ctx))
	})
	if err != nil {
		return commerce.WebhookDelivery{}, false, err
	}
	dd := out.toDomain()
	if !created {
		if err := s.loadAttempts(ctx, s.db, []*commerce.WebhookDelivery{&dd}); err != nil {
			return commerce.WebhookDelivery{}, false, err
		}
	}
	return dd, created, nil
}

// loadAttempts fills each delivery's latest attempts (at most MaxShownAttempts), oldest first.
func (s *Store) loadAttempts(ctx context.Context, db bun.IDB, ds []*commerce.WebhookDelivery) error {
	if len(ds) == 0 {
		return nil
	}
	ids := make([]string, len(ds))
	byID := make(map[string]*commerce.WebhookDelivery, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
		byID[d.ID] = d
		d.Attempts = []commerce.WebhookAttempt{}
	}
	var rows []webhookAttemptRow
	err := db.NewSelect().Model(&rows).
		Join("JOIN commerce_webhook_deliveries AS d ON d.id = webhook_attempt_row.delivery_id").
		Where("webhook_attempt_row.delivery_id IN (?)", bun.List(ids)).
		Where("webhook_attempt_row.n > d.attempt_count - ?", commerce.MaxShownAttempts).
		Order("webhook_attempt_row.delivery_id", "webhook_attempt_row.n").Scan(ctx)
	if err != nil {
		return sqlstore.Translate(err)
	}
	for _, r := range rows {
		if d := byID[r.DeliveryID]; d != nil {
			d.Attempts = append(d.Attempts, r.toDomain())
		}
	}
	return nil
}

func (s *Store) WebhookDelivery(ctx context.Context, id kernel.ID) (commerce.WebhookDelivery, error) {
	var row webhookDeliveryRow
	if err := s.db.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return commerce.WebhookDelivery{}, hookNotFound(err, "entrega não encontrada")
	}
	d := row.toDomain()
	if err := s.loadAttempts(ctx, s.db, []*commerce.WebhookDelivery{&d}); err != nil {
		return commerce.WebhookDelivery{}, err
	}
	return d, nil
}

func (s *Store) WebhookDeliveries(ctx context.Context, endpointID kernel.ID, page kernel.Page) (kernel.List[commerce.WebhookDelivery], error) {
	if page.Limit <= 0 {
		page.Limit = kernel.DefaultLimit
	}
	var rows []webhookDeliveryRow
	q := s.db.NewSelect().Model(&rows).Where("endpoint_id = ?", endpointID)
	if page.Cursor != "" {
		var after string
		if err := kernel.DecodeCursor(page.Cursor, &after); err != nil {
			return kernel.List[commerce.WebhookDelivery]{}, err
		}
		q = q.Where("id < ?", after)
	}
	if err := q.Order("id DESC").Limit(int64(page.Limit + 1)).Scan(ctx); err != nil {
		return kernel.List[commerce.WebhookDelivery]{}, sqlstore.Translate(err)
	}
	out := kernel.List[commerce.WebhookDelivery]{Items: make([]commerce.WebhookDelivery, 0, len(rows))}
	for _, r := range rows {
		out.Items = append(out.Items, r.toDomain())
	}
	if len(out.Items) > page.Limit {
		out.Items = out.Items[:page.Limit]
		out.NextCursor = kernel.EncodeCursor(out.Items[page.Limit-1].ID)
	}
	ptrs := make([]*commerce.WebhookDelivery, len(out.Items))
	for i := range out.Items {
		ptrs[i] = &out.Items[i]
	}
	if err := s.loadAttempts(ctx, s.db, ptrs); err != nil {
		return kernel.List[commerce.WebhookDelivery]{}, err
	}
	return out, nil
}

func (s *Store) RecordWebhookAttempt(ctx context.Context, deliveryID kernel.ID, a commerce.WebhookAttempt, status commerce.WebhookStatus, next *time.Time) (commerce.WebhookDelivery, error) {
	var out commerce.WebhookDelivery
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		at := hookUTC(a.At)
		ms := a.Duration.Milliseconds()
		if ms < 0 {
			ms = 0
		}
		// The attempt count guard makes two workers recording the same attempt
		// collide: exactly one row changes.
		res, err := tx.NewUpdate().Model((*webhookDeliveryRow)(nil)).
			Set("status = ?", string(status)).Set("attempt_count = ?", a.N).Set("next_attempt_at = ?", hookUTCp(next)).Set("updated_at = ?", at).
			Where("id = ? AND attempt_count = ?", deliveryID, a.N-1).Exec(ctx)
		if err != nil {
			return sqlstore.Translate(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			var row webhookDeliveryRow
			if err := tx.NewSelect().Model(&row).Where("id = ?", deliveryID).Scan(ctx); err != nil {
				return hookNotFound(err, "entrega não encontrada")
			}
			return kernel.Conflict("a tentativa %d desta entrega já foi registrada", a.N)
		}
		arow := webhookAttemptRow{DeliveryID: deliveryID, N: a.N, At: at, StatusCode: a.StatusCode, DurationMS: ms, Error: a.Error}
		if _, err := tx.NewInsert().Model(&arow).Exec(ctx); err != nil {
			return sqlstore.Translate(err)
		}
		var row webhookDeliveryRow
		if err := tx.NewSelect().Model(&row).Where("id = ?", deliveryID).Scan(ctx); err != nil {
			return sqlstore.Translate(err)
		}
		out = row.toDomain()
		return s.loadAttempts(ctx, tx, []*commerce.WebhookDelivery{&out})
	})
	return out, err
}
