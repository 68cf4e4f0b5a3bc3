package consentsql

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/kernel"
)

var _ consent.ExportStore = (*Store)(nil)

type exportRow struct {
	bun.BaseModel `bun:"table:consent_exports"`
	ID            string     `bun:"id,pk"`
	OwnerID       string     `bun:"owner_id"`
	OwnerKind     string     `bun:"owner_kind"`
	Status        string     `bun:"status"`
	Progress      int        `bun:"progress"`
	Files         int        `bun:"files"`
	Size          int64      `bun:"size"`
	Stored        int64      `bun:"stored"`
	SHA256        string     `bun:"sha256"`
	BlobKey       string     `bun:"blob_key"`
	Reason        string     `bun:"reason"`
	Attempts      int        `bun:"attempts"`
	CreatedAt     time.Time  `bun:"created_at"`
	UpdatedAt     time.Time  `bun:"updated_at"`
	ReadyAt       *time.Time `bun:"ready_at"`
	ExpiresAt     *time.Time `bun:"expires_at"`
}

func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := utc(t)
	return &u
}

func exportToRow(e consent.Export) exportRow {
	return exportRow{ID: e.ID, OwnerID: e.OwnerID, OwnerKind: string(e.OwnerKind), Status: string(e.Status), Progress: e.Progress,
		Files: e.Files, Size: e.Size, Stored: e.Stored, SHA256: e.SHA256, BlobKey: e.BlobKey, Reason: e.Reason, Attempts: e.Attempts,
		CreatedAt: utc(e.CreatedAt), UpdatedAt: utc(e.UpdatedAt), ReadyAt: optTime(e.ReadyAt), ExpiresAt: optTime(e.ExpiresAt)}
}

func exportFromRow(r exportRow) consent.Export {
	e := consent.Export{ID: r.ID, OwnerID: r.OwnerID, OwnerKind: kernel.AccountKind(r.OwnerKind), Status: consent.ExportStatus(r.Status),
		Progress: r.Progress, Files: r.Files, Size: r.Size, Stored: r.Stored, SHA256: r.SHA256, BlobKey: r.BlobKey, Reason: r.Reason,
		Attempts: r.Attempts, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.ReadyAt != nil {
		e.ReadyAt = r.ReadyAt.UTC()
	}
	if r.ExpiresAt != nil {
		e.ExpiresAt = r.ExpiresAt.UTC()
	}
	return e
}

var errUnfinished = kernel.Conflict("você já tem uma exportação em andamento; aguarde ela ficar pronta")

// CreateExport: see consent.ExportStore.
func (s *Store) CreateExport(ctx context.Context, e consent.Export, since time.Time, events ...kernel.Event) error {
	row := exportToRow(e)
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if s.db.Engine == sqlstore.Postgres { // one owner's requests one at a time (SQLite transactions already are)
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", "consent_exports:"+e.OwnerID); err != nil {
				return err
			}
		}
		n, err := tx.NewSelect().Model((*exportRow)(nil)).Where("owner_id = ? AND status IN (?, ?)", e.OwnerID,
			string(consent.ExportPending), string(consent.ExportBuilding)).Count(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return errUnfinished
		}
		n, err = tx.NewSelect().Model((*exportRow)(nil)).Where("owner_id = ? AND created_at >= ?", e.OwnerID, utc(since)).Count(ctx)
		if err != nil {
			return err
		}
		if n >= consent.MaxExportsPerDay {
			return kernel.TooMany("você já pediu %d exportações nas últimas 24 horas; tente novamente amanhã", consent.MaxExportsPerDay)
		}
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return err
		}
		return sqlstore.AddEvents(ctx, tx, events...)
	})
	if cause := errors.Unwrap(err); cause != nil && kernel.KindOf(err) == kernel.KindConflict && sqlstore.IsUniqueViolation(cause) {
		return errUnfinished
	}
	return err
}

// GetExport: see consent.ExportStore.
func (s *Store) GetExport(ctx context.Context, id kernel.ID) (consent.Export, error) {
	var r exportRow
	if err := s.db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return consent.Export{}, kernel.NotFound("exportação não encontrada")
		}
		return consent.Export{}, sqlstore.Translate(err)
	}
	return exportFromRow(r), nil
}

// UpdateExport: see consent.ExportStore.
func (s *Store) UpdateExport(ctx context.Context, id kernel.ID, fn func(*consent.Export) error) (consent.Export, error) {
	var out consent.Export
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var r exportRow
		q := tx.NewSelect().Model(&r).Where("id = ?", id)
		if s.db.Engine == sqlstore.Postgres {
			q = q.For("UPDATE")
		}
		if err := q.Scan(ctx); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return kernel.NotFound("exportação não encontrada")
			}
			return err
		}
		e := exportFromRow(r)
		if err := fn(&e); err != nil {
			return err
		}
		e.ID, e.OwnerID, e.OwnerKind, e.CreatedAt = r.ID, r.OwnerID, kernel.AccountKind(r.OwnerKind), r.CreatedAt
		nr := exportToRow(e)
		if _, err := tx.NewUpdate().Model(&nr).WherePK().Exec(ctx); err != nil {
			return err
		}
		out = exportFromRow(nr)
		return nil
	})
	return out, err
}

type exportCursor struct {
	C time.Time `json:"c"`
	I string    `json:"i"`
}

// ListExports: see consent.ExportStore.
func (s *Store) ListExports(ctx context.Context, ownerID kernel.ID, page kernel.Page) (kernel.List[consent.Export], error) {
	out := kernel.List[consent.Export]{Items: []consent.Export{}}
	var rows []exportRow
	q := s.db.NewSelect().Model(&rows).Where("owner_id = ?", ownerID)
	if page.Cursor != "" {
		var c exportCursor
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
			out.NextCursor = kernel.EncodeCursor(exportCursor{C: last.CreatedAt.UTC(), I: last.ID})
			break
		}
		out.Items = append(out.Items, exportFromRow(r))
	}
	return out, nil
}
