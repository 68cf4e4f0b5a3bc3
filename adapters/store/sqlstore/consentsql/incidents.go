package consentsql

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/kernel"
)

var _ consent.IncidentStore = (*Store)(nil)

type incidentRow struct {
	bun.BaseModel      `bun:"table:consent_incidents"`
	ID                 string     `bun:"id,pk"`
	Title              string     `bun:"title"`
	Description        string     `bun:"description"`
	OccurredAt         *time.Time `bun:"occurred_at"`
	DetectedAt         time.Time  `bun:"detected_at"`
	Categories         string     `bun:"categories"` // JSON array of data class codes
	SubjectsAffected   int64      `bun:"subjects_affected"`
	SubjectsEstimated  bool       `bun:"subjects_estimated"`
	Risk               string     `bun:"risk"`
	RiskReasoning      string     `bun:"risk_reasoning"`
	Measures           string     `bun:"measures"`
	ANPDNotifiedAt     *time.Time `bun:"anpd_notified_at"`
	SubjectsNotifiedAt *time.Time `bun:"subjects_notified_at"`
	CreatedBy          string     `bun:"created_by"`
	CreatedAt          time.Time  `bun:"created_at"`
	UpdatedAt          time.Time  `bun:"updated_at"`
	Version            int        `bun:"version"`
}

func incUTC(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func incUTCp(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := incUTC(*t)
	return &u
}

func incidentToRow(i consent.Incident) (incidentRow, error) {
	cats, err := json.Marshal(i.Categories)
	if err != nil {
		return incidentRow{}, kernel.Internal(err, "encode incident categories")
	}
	return incidentRow{ID: i.ID, Title: i.Title, Description: i.Description, OccurredAt: incUTCp(i.OccurredAt), DetectedAt: incUTC(i.DetectedAt),
		Categories: string(cats), SubjectsAffected: i.SubjectsAffected, SubjectsEstimated: i.SubjectsEstimated, Risk: string(i.Risk),
		RiskReasoning: i.RiskReasoning, Measures: i.Measures, ANPDNotifiedAt: incUTCp(i.ANPDNotifiedAt),
		SubjectsNotifiedAt: incUTCp(i.SubjectsNotifiedAt), CreatedBy: i.CreatedBy, CreatedAt: incUTC(i.CreatedAt),
		UpdatedAt: incUTC(i.UpdatedAt), Version: i.Version}, nil
}

func (r incidentRow) toDomain() (consent.Incident, error) {
	var cats []string
	if err := json.Unmarshal([]byte(r.Categories), &cats); err != nil {
		return consent.Incident{}, kernel.Internal(err, "decode incident categories")
	}
	return consent.Incident{ID: r.ID, Title: r.Title, Description: r.Description, OccurredAt: incUTCp(r.OccurredAt), DetectedAt: r.DetectedAt.UTC(),
		Categories: cats, SubjectsAffected: r.SubjectsAffected, SubjectsEstimated: r.SubjectsEstimated, Risk: consent.Risk(r.Risk),
		RiskReasoning: r.RiskReasoning, Measures: r.Measures, ANPDNotifiedAt: incUTCp(r.ANPDNotifiedAt),
		SubjectsNotifiedAt: incUTCp(r.SubjectsNotifiedAt), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}, nil
}

func incidentNotFound(err error) error {
	err = sqlstore.Translate(err)
	if kernel.KindOf(err) == kernel.KindNotFound {
		return kernel.NotFound("incidente não encontrado")
	}
	return err
}

// CreateIncident: see consent.IncidentStore.
func (s *Store) CreateIncident(ctx context.Context, in consent.Incident) error {
	row, err := incidentToRow(in)
	if err != nil {
		return err
	}
	_, err = s.db.NewInsert().Model(&row).Exec(ctx)
	return sqlstore.Translate(err)
}

// Incident: see consent.IncidentStore.
func (s *Store) Incident(ctx context.Context, id kernel.ID) (consent.Incident, error) {
	if !kernel.ValidID(id) {
		return consent.Incident{}, kernel.NotFound("incidente não encontrado")
	}
	var row incidentRow
	if err := s.db.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return consent.Incident{}, incidentNotFound(err)
	}
	return row.toDomain()
}

type incidentCursor struct {
	At time.Time `json:"at"`
	ID string    `json:"id"`
}

// ListIncidents: see consent.IncidentStore.
func (s *Store) ListIncidents(ctx context.Context, page kernel.Page) (kernel.List[consent.Incident], error) {
	if page.Limit <= 0 {
		page.Limit = kernel.DefaultLimit
	}
	var rows []incidentRow
	q := s.db.NewSelect().Model(&rows)
	if page.Cursor != "" {
		var c incidentCursor
		if err := kernel.DecodeCursor(page.Cursor, &c); err != nil {
			return kernel.List[consent.Incident]{}, err
		}
		q = q.Where("created_at < ? OR (created_at = ? AND id < ?)", incUTC(c.At), incUTC(c.At), c.ID)
	}
	if err := q.Order("created_at DESC", "id DESC").Limit(int64(page.Limit + 1)).Scan(ctx); err != nil {
		return kernel.List[consent.Incident]{}, sqlstore.Translate(err)
	}
	out := kernel.List[consent.Incident]{Items: make([]consent.Incident, 0, len(rows))}
	for _, r := range rows {
		i, err := r.toDomain()
		if err != nil {
			return kernel.List[consent.Incident]{}, err
		}
		out.Items = append(out.Items, i)
	}
	if len(out.Items) > page.Limit {
		out.Items = out.Items[:page.Limit]
		last := out.Items[page.Limit-1]
		out.NextCursor = kernel.EncodeCursor(incidentCursor{At: last.CreatedAt, ID: last.ID})
	}
	return out, nil
}

// UpdateIncident: see consent.IncidentStore.
func (s *Store) UpdateIncident(ctx context.Context, id kernel.ID, fn func(*consent.Incident) error) (consent.Incident, error) {
	if !kernel.ValidID(id) {
		return consent.Incident{}, kernel.NotFound("incidente não encontrado")
	}
	var out consent.Incident
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var row incidentRow
		q := tx.NewSelect().Model(&row).Where("id = ?", id)
		if s.db.Engine == sqlstore.Postgres {
			q = q.For("UPDATE")
		}
		if err := q.Scan(ctx); err != nil {
			return incidentNotFound(err)
		}
		inc, err := row.toDomain()
		if err != nil {
			return err
		}
		if err := fn(&inc); err != nil {
			return err
		}
		inc.ID, inc.CreatedAt, inc.CreatedBy, inc.DetectedAt, inc.Title = row.ID, row.CreatedAt.UTC(), row.CreatedBy, row.DetectedAt.UTC(), row.Title
		nrow, err := incidentToRow(inc)
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
