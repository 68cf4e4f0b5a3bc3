package consentsql

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/kernel"
)

var _ consent.ErasureStore = (*Store)(nil)

type erasureRow struct {
	bun.BaseModel `bun:"table:consent_erasures"`
	ID            string     `bun:"id,pk"`
	SubjectID     string     `bun:"subject_id"`
	SubjectKind   string     `bun:"subject_kind"`
	Status        string     `bun:"status"`
	Decisions     string     `bun:"decisions"`
	PendingNote   string     `bun:"pending_note"`
	DoneSteps     string     `bun:"done_steps"`
	Attempts      int        `bun:"attempts"`
	RequestID     string     `bun:"request_id"`
	CreatedAt     time.Time  `bun:"created_at"`
	UpdatedAt     time.Time  `bun:"updated_at"`
	CompletedAt   *time.Time `bun:"completed_at"`
}

// decisionRow is a decision as stored (JSON in the decisions column).
type decisionRow struct {
	Class       string     `json:"class"`
	Name        string     `json:"name"`
	Action      string     `json:"action"`
	Until       *time.Time `json:"until,omitempty"`
	Explanation string     `json:"explanation"`
}

func erasureUTC(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func erasureToRow(r consent.ErasureRequest) (erasureRow, error) {
	ds := make([]decisionRow, 0, len(r.Decisions))
	for _, d := range r.Decisions {
		dr := decisionRow{Class: d.Class, Name: d.Name, Action: string(d.Action), Explanation: d.Explanation}
		if !d.Until.IsZero() {
			u := d.Until.UTC()
			dr.Until = &u
		}
		ds = append(ds, dr)
	}
	dj, err := json.Marshal(ds)
	if err != nil {
		return erasureRow{}, err
	}
	done := r.Done
	if done == nil {
		done = []string{}
	}
	sj, err := json.Marshal(done)
	if err != nil {
		return erasureRow{}, err
	}
	row := erasureRow{ID: r.ID, SubjectID: r.SubjectID, SubjectKind: string(r.SubjectKind), Status: string(r.Status), Decisions: string(dj),
		PendingNote: r.Pending, DoneSteps: string(sj), Attempts: r.Attempts, RequestID: r.RequestID,
		CreatedAt: erasureUTC(r.CreatedAt), UpdatedAt: erasureUTC(r.UpdatedAt)}
	if !r.CompletedAt.IsZero() {
		c := erasureUTC(r.CompletedAt)
		row.CompletedAt = &c
	}
	return row, nil
}

func erasureFromRow(row erasureRow) (consent.ErasureRequest, error) {
	var ds []decisionRow
	if err := json.Unmarshal([]byte(row.Decisions), &ds); err != nil {
		return consent.ErasureRequest{}, kernel.Internal(err, "read erasure decisions")
	}
	var done []string
	if err := json.Unmarshal([]byte(row.DoneSteps), &done); err != nil {
		return consent.ErasureRequest{}, kernel.Internal(err, "read erasure steps")
	}
	if done == nil {
		done = []string{}
	}
	r := consent.ErasureRequest{ID: row.ID, SubjectID: row.SubjectID, SubjectKind: kernel.AccountKind(row.SubjectKind),
		Status: consent.ErasureStatus(row.Status), Pending: row.PendingNote, Done: done, Attempts: row.Attempts, RequestID: row.RequestID,
		CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC()}
	for _, d := range ds {
		cd := consent.ErasureDecision{Class: d.Class, Name: d.Name, Action: consent.ErasureAction(d.Action), Explanation: d.Explanation}
		if d.Until != nil {
			cd.Until = d.Until.UTC()
		}
		r.Decisions = append(r.Decisions, cd)
	}
	if row.CompletedAt != nil {
		r.CompletedAt = row.CompletedAt.UTC()
	}
	return r, nil
}

var errErasureUnfinished = kernel.Conflict("você já tem um pedido de eliminação em andamento")

// CreateErasure: see consent.ErasureStore.
func (s *Store) CreateErasure(ctx context.Context, r consent.ErasureRequest, events ...kernel.Event) error {
	row, err := erasureToRow(r)
	if err != nil {
		return kernel.Internal(err, "encode erasure request")
	}
	err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		n, err := tx.NewSelect().Model((*erasureRow)(nil)).Where("subject_id = ? AND status IN (?, ?)", r.SubjectID,
			string(consent.ErasurePending), string(consent.ErasureRunning)).Count(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return errErasureUnfinished
		}
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return err
		}
		return sqlstore.AddEvents(ctx, tx, events...)
	})
	if cause := errors.Unwrap(err); cause != nil && kernel.KindOf(err) == kernel.KindConflict && sqlstore.IsUniqueViolation(cause) {
		return errErasureUnfinished
	}
	return err
}

// GetErasure: see consent.ErasureStore.
func (s *Store) GetErasure(ctx context.Context, id kernel.ID) (consent.ErasureRequest, error) {
	var row erasureRow
	if err := s.db.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return consent.ErasureRequest{}, kernel.NotFound("pedido de eliminação não encontrado")
		}
		return consent.ErasureRequest{}, sqlstore.Translate(err)
	}
	return erasureFromRow(row)
}

// UpdateErasure: see consent.ErasureStore.
func (s *Store) UpdateErasure(ctx context.Context, id kernel.ID, fn func(*consent.ErasureRequest) error) (consent.ErasureRequest, error) {
	var out consent.ErasureRequest
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var row erasureRow
		q := tx.NewSelect().Model(&row).Where("id = ?", id)
		if s.db.Engine == sqlstore.Postgres {
			q = q.For("UPDATE")
		}
		if err := q.Scan(ctx); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return kernel.NotFound("pedido de eliminação não encontrado")
			}
			return err
		}
		r, err := erasureFromRow(row)
		if err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
		r.ID, r.SubjectID, r.SubjectKind, r.CreatedAt = row.ID, row.SubjectID, kernel.AccountKind(row.SubjectKind), row.CreatedAt
		nr, err := erasureToRow(r)
		if err != nil {
			return err
		}
		nr.Decisions, nr.RequestID = row.Decisions, row.RequestID // decided once, at the request
		if _, err := tx.NewUpdate().Model(&nr).Column("status", "done_steps", "attempts", "updated_at", "completed_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		out, err = erasureFromRow(nr)
		return err
	})
	return out, err
}

type erasureCursor struct {
	C time.Time `json:"c"`
	I string    `json:"i"`
}

// ListErasures: see consent.ErasureStore.
func (s *Store) ListErasures(ctx context.Context, page kernel.Page) (kernel.List[consent.ErasureRequest], error) {
	out := kernel.List[consent.ErasureRequest]{Items: []consent.ErasureRequest{}}
	var rows []erasureRow
	q := s.db.NewSelect().Model(&rows)
	if page.Cursor != "" {
		var c erasureCursor
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
	for i, row := range rows {
		if i == limit {
			last := rows[limit-1]
			out.NextCursor = kernel.EncodeCursor(erasureCursor{C: last.CreatedAt.UTC(), I: last.ID})
			break
		}
		r, err := erasureFromRow(row)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, r)
	}
	return out, nil
}

// ErasedSubjects: see consent.ErasureStore.
func (s *Store) ErasedSubjects(ctx context.Context, after kernel.ID, limit int) ([]kernel.ID, error) {
	var ids []string
	err := s.db.NewSelect().Model((*erasureRow)(nil)).ColumnExpr("DISTINCT subject_id").
		Where("status = ? AND subject_id > ?", string(consent.ErasureDone), after).OrderExpr("subject_id").Limit(int64(limit)).Scan(ctx, &ids)
	if err != nil {
		return nil, sqlstore.Translate(err)
	}
	return ids, nil
}

var _ clinical.BlockedRecords = (*Store)(nil)

// RecordBlocked: see clinical.BlockedRecords. A patient's record is blocked
// once the worker starts carrying out their erasure request.
func (s *Store) RecordBlocked(ctx context.Context, patientID kernel.ID) (bool, error) {
	n, err := s.db.NewSelect().Model((*erasureRow)(nil)).Where("subject_id = ? AND subject_kind = ? AND status IN (?, ?)", patientID,
		string(kernel.KindPatient), string(consent.ErasureRunning), string(consent.ErasureDone)).Count(ctx)
	if err != nil {
		return false, sqlstore.Translate(err)
	}
	return n > 0, nil
}
