// Package clinicalsql is the clinical context's store on bun (PostgreSQL and
// SQLite). Clinical content is kept as a JSON document per row (the adapter's
// own body types) beside the columns that are queried.
package clinicalsql

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging"
)

// Store implements clinical.Store.
type Store struct{ db *sqlstore.DB }

var _ clinical.Store = (*Store)(nil)

// New returns the store over db.
func New(db *sqlstore.DB) *Store { return &Store{db: db} }

func (s *Store) lock(q *bun.SelectQuery) *bun.SelectQuery {
	if s.db.Engine == sqlstore.Postgres {
		return q.For("UPDATE")
	}
	return q // SQLite transactions begin IMMEDIATE: the database is locked for writing
}

// paged applies the ID keyset cursor and asks one row more than the limit.
func paged(q *bun.SelectQuery, col string, page kernel.Page) (*bun.SelectQuery, error) {
	if page.Limit <= 0 {
		page.Limit = kernel.DefaultLimit
	}
	if page.Cursor != "" {
		var id string
		if err := kernel.DecodeCursor(page.Cursor, &id); err != nil {
			return nil, err
		}
		q = q.Where("? < ?", bun.Ident(col), id)
	}
	return q.OrderExpr("? DESC", bun.Ident(col)).Limit(int64(page.Limit + 1)), nil
}

// cut trims the extra row and returns the next cursor.
// convertRows turns scanned rows into domain values, failing on the first row that does not convert.
func convertRows[R, D any](rows []R, conv func(R) (D, error)) ([]D, error) {
	out := make([]D, 0, len(rows))
	for _, r := range rows {
		d, err := conv(r)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func cut[T any](items []T, page kernel.Page, id func(T) string) kernel.List[T] {
	if page.Limit <= 0 {
		page.Limit = kernel.DefaultLimit
	}
	out := kernel.List[T]{Items: items}
	if out.Items == nil {
		out.Items = []T{}
	}
	if len(items) > page.Limit {
		out.Items = items[:page.Limit]
		out.NextCursor = kernel.EncodeCursor(id(out.Items[page.Limit-1]))
	}
	return out
}

// --- shares and access log ---

func (s *Store) CreateShare(ctx context.Context, sh clinical.Share, events ...kernel.Event) error {
	row := shareToRow(sh)
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return sqlstore.Translate(err)
		}
		return sqlstore.AddEvents(ctx, tx, events...)
	})
}

func (s *Store) ActiveShare(ctx context.Context, patientID, professionalID kernel.ID, at time.Time) (clinical.Share, bool, error) {
	var rows []shareRow
	err := s.db.NewSelect().Model(&rows).Where("patient_id = ? AND professional_id = ?", patientID, professionalID).
		Where("revoked_at IS NULL AND until > ? AND created_at <= ?", utc(at), utc(at)).
		Order("until DESC").Limit(1).Scan(ctx)
	if err != nil {
		return clinical.Share{}, false, sqlstore.Translate(err)
	}
	if len(rows) == 0 {
		return clinical.Share{}, false, nil
	}
	return rows[0].toDomain(), true, nil
}

func (s *Store) Shares(ctx context.Context, patientID kernel.ID, page kernel.Page) (kernel.List[clinical.Share], error) {
	var rows []shareRow
	q, err := paged(s.db.NewSelect().Model(&rows).Where("patient_id = ?", patientID), "id", page)
	if err != nil {
		return kernel.List[clinical.Share]{}, err
	}
	if err := q.Scan(ctx); err != nil {
		return kernel.List[clinical.Share]{}, sqlstore.Translate(err)
	}
	items := make([]clinical.Share, len(rows))
	for i, r := range rows {
		items[i] = r.toDomain()
	}
	return cut(items, page, func(x clinical.Share) string { return x.ID }), nil
}

func (s *Store) RevokeShare(ctx context.Context, patientID, id kernel.ID, at time.Time) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var row shareRow
		if err := s.lock(tx.NewSelect().Model(&row).Where("id = ? AND patient_id = ?", id, patientID)).Scan(ctx); err != nil {
			return hideNotFound(err, "share")
		}
		if row.RevokedAt != nil {
			return kernel.Conflict("o compartilhamento já foi revogado")
		}
		_, err := tx.NewUpdate().Model((*shareRow)(nil)).Set("revoked_at = ?", utc(at)).Where("id = ?", id).Exec(ctx)
		if err != nil {
			return err
		}
		return sqlstore.AddEvents(ctx, tx, kernel.NewEvent("clinical.share.revoked", patientID,
			map[string]string{"share_id": id, "patient_id": patientID, "professional_id": row.ProfessionalID}, at))
	})
}

func hideNotFound(err error, what string) error {
	err = sqlstore.Translate(err)
	if kernel.KindOf(err) == kernel.KindNotFound {
		return kernel.NotFound("%s", messaging.NotFound(what))
	}
	return err
}

func (s *Store) LogAccess(ctx context.Context, entries ...clinical.AccessEntry) error {
	if len(entries) == 0 {
		return nil
	}
	rows := make([]accessRow, len(entries))
	for i, e := range entries {
		rows[i] = accessToRow(e)
	}
	_, err := s.db.NewInsert().Model(&rows).Exec(ctx)
	return sqlstore.Translate(err)
}

func (s *Store) AccessLog(ctx context.Context, patientID kernel.ID, page kernel.Page) (kernel.List[clinical.AccessEntry], error) {
	var rows []accessRow
	q, err := paged(s.db.NewSelect().Model(&rows).Where("patient_id = ?", patientID), "id", page)
	if err != nil {
		return kernel.List[clinical.AccessEntry]{}, err
	}
	if err := q.Scan(ctx); err != nil {
		return kernel.List[clinical.AccessEntry]{}, sqlstore.Translate(err)
	}
	items := make([]clinical.AccessEntry, len(rows))
	for i, r := range rows {
		items[i] = r.toDomain()
	}
	return cut(items, page, func(x clinical.AccessEntry) string { return x.ID }), nil
}

func (s *Store) AccessEntry(ctx context.Context, patientID, id kernel.ID) (clinical.AccessEntry, error) {
	var row accessRow
	if err := s.db.NewSelect().Model(&row).Where("id = ? AND patient_id = ?", id, patientID).Scan(ctx); err != nil {
		return clinical.AccessEntry{}, hideNotFound(err, "access log entry")
	}
	return row.toDomain(), nil
}

// --- evaluations ---

func (s *Store) CreateEvaluation(ctx context.Context, e clinical.Evaluation, events ...kernel.Event) error {
	row, err := evaluationToRow(e, e.CreatedAt)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return sqlstore.Translate(err)
		}
		return sqlstore.AddEvents(ctx, tx, events...)
	})
}

func (s *Store) Evaluation(ctx context.Context, id kernel.ID, version int) (clinical.Evaluation, error) {
	var row evaluationRow
	q := s.db.NewSelect().Model(&row).Where("id = ?", id)
	if version == 0 {
		q = q.Where("is_current")
	} else {
		q = q.Where("version = ?", version)
	}
	if err := q.Scan(ctx); err != nil {
		return clinical.Evaluation{}, hideNotFound(err, "evaluation")
	}
	return row.toDomain()
}

func (s *Store) EvaluationVersions(ctx context.Context, id kernel.ID) ([]clinical.Evaluation, error) {
	var rows []evaluationRow
	if err := s.db.NewSelect().Model(&rows).Where("id = ?", id).Order("version").Scan(ctx); err != nil {
		return nil, sqlstore.Translate(err)
	}
	if len(rows) == 0 {
		return nil, kernel.NotFound("avaliação não encontrada")
	}
	out := make([]clinical.Evaluation, 0, len(rows))
	for _, r := range rows {
		e, err := r.toDomain()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func (s *Store) Evaluations(ctx context.Context, patientID kernel.ID, page kernel.Page) (kernel.List[clinical.Evaluation], error) {
	var rows []evaluationRow
	q, err := paged(s.db.NewSelect().Model(&rows).Where("patient_id = ? AND is_current", patientID), "id", page)
	if err != nil {
		return kernel.List[clinical.Evaluation]{}, err
	}
	if err := q.Scan(ctx); err != nil {
		return kernel.List[clinical.Evaluation]{}, sqlstore.Translate(err)
	}
	items, err := convertRows(rows, evaluationRow.toDomain)
	if err != nil {
		return kernel.List[clinical.Evaluation]{}, err
	}
	return cut(items, page, func(x clinical.Evaluation) string { return x.ID }), nil
}

func (s *Store) UpdateEvaluation(ctx context.Context, id kernel.ID, fn func(cur clinical.Evaluation) (clinical.Evaluation, []kernel.Event, error)) (clinical.Evaluation, error) {
	var out clinical.Evaluation
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var row evaluationRow
		if err := s.lock(tx.NewSelect().Model(&row).Where("id = ? AND is_current", id)).Scan(ctx); err != nil {
			err = hideNotFound(err, "evaluation")
			if kernel.KindOf(err) == kernel.KindNotFound {
				// On PostgreSQL a waiter for the lock re-checks is_current on the row it
				// waited for, which a concurrent amendment just cleared: the evaluation
				// exists but changed under us.
				n, cerr := tx.NewSelect().Model((*evaluationRow)(nil)).Where("id = ?", id).Count(ctx)
				if cerr == nil && n > 0 {
					return kernel.Conflict("a avaliação foi retificada ao mesmo tempo; leia-a novamente")
				}
			}
			return err
		}
		cur, err := row.toDomain()
		if err != nil {
			return err
		}
		next, events, err := fn(cur)
		if err != nil {
			return err
		}
		if next.ID != cur.ID || next.PatientID != cur.PatientID {
			return kernel.Internal(nil, "an evaluation update may not change its ID or patient")
		}
		nrow, err := evaluationToRow(next, row.FirstAt)
		if err != nil {
			return err
		}
		switch next.Version {
		case cur.Version:
			if _, err := tx.NewUpdate().Model(&nrow).WherePK().Exec(ctx); err != nil {
				return sqlstore.Translate(err)
			}
		case cur.Version + 1:
			if _, err := tx.NewUpdate().Model((*evaluationRow)(nil)).Set("is_current = ?", false).
				Where("id = ? AND version = ?", id, cur.Version).Exec(ctx); err != nil {
				return sqlstore.Translate(err)
			}
			if _, err := tx.NewInsert().Model(&nrow).Exec(ctx); err != nil {
				if sqlstore.IsUniqueViolation(err) {
					return kernel.Conflict("a avaliação foi retificada ao mesmo tempo")
				}
				return sqlstore.Translate(err)
			}
		default:
			return kernel.Internal(nil, "an evaluation update keeps its version or adds the next")
		}
		out = next
		return sqlstore.AddEvents(ctx, tx, events...)
	})
	return out, err
}

// --- plans ---

func (s *Store) CreatePlan(ctx context.Context, p clinical.Plan, events ...kernel.Event) error {
	row, err := planToRow(p)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return sqlstore.Translate(err)
		}
		return sqlstore.AddEvents(ctx, tx, events...)
	})
}

func (s *Store) Plan(ctx context.Context, id kernel.ID) (clinical.Plan, error) {
	var row planRow
	if err := s.db.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return clinical.Plan{}, hideNotFound(err, "treatment plan")
	}
	return row.toDomain()
}

func (s *Store) Plans(ctx context.Context, patientID kernel.ID, status clinical.PlanStatus, page kernel.Page) (kernel.List[clinical.Plan], error) {
	var rows []planRow
	q := s.db.NewSelect().Model(&rows).Where("patient_id = ?", patientID)
	if status != "" {
		q = q.Where("status = ?", string(status))
	}
	q, err := paged(q, "id", page)
	if err != nil {
		return kernel.List[clinical.Plan]{}, err
	}
	if err := q.Scan(ctx); err != nil {
		return kernel.List[clinical.Plan]{}, sqlstore.Translate(err)
	}
	items, err := convertRows(rows, planRow.toDomain)
	if err != nil {
		return kernel.List[clinical.Plan]{}, err
	}
	return cut(items, page, func(x clinical.Plan) string { return x.ID }), nil
}

func (s *Store) UpdatePlan(ctx context.Context, id kernel.ID, fn func(p *clinical.Plan) ([]kernel.Event, error)) (clinical.Plan, error) {
	var out clinical.Plan
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var row planRow
		if err := s.lock(tx.NewSelect().Model(&row).Where("id = ?", id)).Scan(ctx); err != nil {
			return hideNotFound(err, "treatment plan")
		}
		p, err := row.toDomain()
		if err != nil {
			return err
		}
		events, err := fn(&p)
		if err != nil {
			return err
		}
		p.ID, p.PatientID, p.Version = row.ID, row.PatientID, row.Version+1
		nrow, err := planToRow(p)
		if err != nil {
			return err
		}
		res, err := tx.NewUpdate().Model(&nrow).WherePK().Where("version = ?", row.Version).Exec(ctx)
		if err != nil {
			return sqlstore.Translate(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return kernel.PreconditionFailed("o plano foi alterado nesse meio-tempo")
		}
		out = p
		return sqlstore.AddEvents(ctx, tx, events...)
	})
	return out, err
}

func (s *Store) AddProgress(ctx context.Context, pr clinical.Progress) error {
	row := progressToRow(pr)
	_, err := s.db.NewInsert().Model(&row).Exec(ctx)
	return sqlstore.Translate(err)
}

func (s *Store) Progress(ctx context.Context, planID kernel.ID, page kernel.Page) (kernel.List[clinical.Progress], error) {
	var rows []progressRow
	q, err := paged(s.db.NewSelect().Model(&rows).Where("plan_id = ?", planID), "id", page)
	if err != nil {
		return kernel.List[clinical.Progress]{}, err
	}
	if err := q.Scan(ctx); err != nil {
		return kernel.List[clinical.Progress]{}, sqlstore.Translate(err)
	}
	items := make([]clinical.Progress, len(rows))
	for i, r := range rows {
		items[i] = r.toDomain()
	}
	return cut(items, page, func(x clinical.Progress) string { return x.ID }), nil
}

// --- prescriptions ---

func (s *Store) CreatePrescription(ctx context.Context, rx clinical.Prescription, events ...kernel.Event) error {
	row, err := rxToRow(rx)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			if sqlstore.IsUniqueViolation(err) {
				return kernel.ConflictField("verification_code", "já está em uso")
			}
			return sqlstore.Translate(err)
		}
		return sqlstore.AddEvents(ctx, tx, events...)
	})
}

func (s *Store) Prescription(ctx context.Context, id kernel.ID) (clinical.Prescription, error) {
	var row rxRow
	if err := s.db.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return clinical.Prescription{}, hideNotFound(err, "prescription")
	}
	return row.toDomain()
}

func (s *Store) PrescriptionByCode(ctx context.Context, code string) (clinical.Prescription, error) {
	var row rxRow
	if err := s.db.NewSelect().Model(&row).Where("verification_code = ?", code).Scan(ctx); err != nil {
		return clinical.Prescription{}, hideNotFound(err, "prescription")
	}
	return row.toDomain()
}

func (s *Store) Prescriptions(ctx context.Context, patientID kernel.ID, page kernel.Page) (kernel.List[clinical.Prescription], error) {
	var rows []rxRow
	q, err := paged(s.db.NewSelect().Model(&rows).Where("patient_id = ?", patientID), "id", page)
	if err != nil {
		return kernel.List[clinical.Prescription]{}, err
	}
	if err := q.Scan(ctx); err != nil {
		return kernel.List[clinical.Prescription]{}, sqlstore.Translate(err)
	}
	items, err := convertRows(rows, rxRow.toDomain)
	if err != nil {
		return kernel.List[clinical.Prescription]{}, err
	}
	return cut(items, page, func(x clinical.Prescription) string { return x.ID }), nil
}

func (s *Store) UpdatePrescription(ctx context.Context, id kernel.ID, fn func(rx *clinical.Prescription) ([]kernel.Event, error)) (clinical.Prescription, error) {
	var out clinical.Prescription
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var row rxRow
		if err := s.lock(tx.NewSelect().Model(&row).Where("id = ?", id)).Scan(ctx); err != nil {
			return hideNotFound(err, "prescription")
		}
		rx, err := row.toDomain()
		if err != nil {
			return err
		}
		events, err := fn(&rx)
		if err != nil {
			return err
		}
		rx.ID, rx.PatientID, rx.VerificationCode, rx.Document = row.ID, row.PatientID, row.VerificationCode, row.Document
		rx.Signature.Algorithm, rx.Signature.KeyID, rx.Signature.Value = row.SigAlgorithm, row.SigKeyID, row.SigValue
		nrow, err := rxToRow(rx)
		if err != nil {
			return err
		}
		// The status guard makes the dispense-once rule hold even without the row lock.
		res, err := tx.NewUpdate().Model(&nrow).WherePK().Where("status = ?", row.Status).Exec(ctx)
		if err != nil {
			return sqlstore.Translate(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return kernel.Conflict("a receita foi alterada nesse meio-tempo")
		}
		out = rx
		return sqlstore.AddEvents(ctx, tx, events...)
	})
	return out, err
}

// --- documents ---

func (s *Store) CreateDocument(ctx context.Context, d clinical.Document, events ...kernel.Event) error {
	row := documentToRow(d)
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return sqlstore.Translate(err)
		}
		return sqlstore.AddEvents(ctx, tx, events...)
	})
}

func (s *Store) Document(ctx context.Context, id kernel.ID) (clinical.Document, error) {
	var row documentRow
	if err := s.db.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return clinical.Document{}, hideNotFound(err, "document")
	}
	return row.toDomain(), nil
}

func (s *Store) Documents(ctx context.Context, patientID kernel.ID, page kernel.Page) (kernel.List[clinical.Document], error) {
	var rows []documentRow
	q, err := paged(s.db.NewSelect().Model(&rows).Where("patient_id = ?", patientID), "id", page)
	if err != nil {
		return kernel.List[clinical.Document]{}, err
	}
	if err := q.Scan(ctx); err != nil {
		return kernel.List[clinical.Document]{}, sqlstore.Translate(err)
	}
	items := make([]clinical.Document, len(rows))
	for i, r := range rows {
		items[i] = r.toDomain()
	}
	return cut(items, page, func(x clinical.Document) string { return x.ID }), nil
}

// --- timeline and authored patients ---

type timelineRow struct {
	ID     string    `bun:"id"`
	At     time.Time `bun:"at"`
	Author string    `bun:"author"`
	Kind   string    `bun:"kind"`
	Status string    `bun:"status"`
	Title  string    `bun:"title"`
	Body   string    `bun:"body"`
}

type source struct {
	kind                     clinical.HistoryKind
	table, at, author, extra string
	where                    string
}

var sources = []source{
	{clinical.HistEvaluation, "clinical_evaluations", "first_at", "author_id", "kind, '' AS status, '' AS title, body", "is_current"},
	{clinical.HistPlan, "clinical_plans", "created_at", "author_id", "'' AS kind, status, '' AS title, body", ""},
	{clinical.HistPrescription, "clinical_prescriptions", "issued_at", "prescriber_id", "type AS kind, status, '' AS title, body", ""},
	{clinical.HistDocument, "clinical_documents", "created_at", "uploader_id", "kind, '' AS status, title, '' AS body", ""},
}

func (s *Store) Timeline(ctx context.Context, patientID kernel.ID, q clinical.TimelineQuery) ([]clinical.HistoryEntry, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = kernel.DefaultLimit
	}
	var out []clinical.HistoryEntry
	for _, src := range sources {
		if q.Kind != "" && q.Kind != src.kind {
			continue
		}
		var rows []timelineRow
		sel := s.db.NewSelect().TableExpr(src.table).
			ColumnExpr("id, ? AS at, ? AS author, "+src.extra, bun.Ident(src.at), bun.Ident(src.author)).
			Where("patient_id = ?", patientID)
		if src.where != "" {
			sel = sel.Where(src.where)
		}
		if !q.From.IsZero() {
			sel = sel.Where("? >= ?", bun.Ident(src.at), utc(q.From))
		}
		if !q.To.IsZero() {
			sel = sel.Where("? < ?", bun.Ident(src.at), utc(q.To))
		}
		if !q.Before.IsZero() {
			b := utc(q.Before)
			sel = sel.Where("(? < ? OR (? = ? AND id < ?))", bun.Ident(src.at), b, bun.Ident(src.at), b, q.BeforeID)
		}
		sel = sel.OrderExpr("? DESC, id DESC", bun.Ident(src.at)).Limit(int64(limit))
		if err := sel.Scan(ctx, &rows); err != nil {
			return nil, sqlstore.Translate(err)
		}
		for _, r := range rows {
			out = append(out, clinical.HistoryEntry{Kind: src.kind, ID: r.ID, At: r.At.UTC(), AuthorID: r.Author,
				Status: r.Status, Summary: summary(src.kind, r)})
		}
	}
	return out, nil
}

func summary(k clinical.HistoryKind, r timelineRow) string {
	switch k {
	case clinical.HistEvaluation:
		var b evaluationBody
		_ = json.Unmarshal([]byte(r.Body), &b)
		s := b.Reason
		if s == "" {
			s = b.ChiefComplaint
		}
		label := map[string]string{"detailed": "Avaliação detalhada", "simplified": "Avaliação simplificada"}[r.Kind]
		if label == "" {
			label = "Avaliação"
		}
		if s == "" {
			return label
		}
		return clip(label + ": " + s)
	case clinical.HistPlan:
		var b planBody
		_ = json.Unmarshal([]byte(r.Body), &b)
		return clip(b.Title)
	case clinical.HistPrescription:
		var b rxBody
		_ = json.Unmarshal([]byte(r.Body), &b)
		var drugs []string
		for _, it := range b.Items {
			drugs = append(drugs, it.Drug)
		}
		return clip(strings.Join(drugs, ", "))
	case clinical.HistDocument:
		if r.Title != "" {
			return clip(r.Kind + ": " + r.Title)
		}
		return r.Kind
	}
	return ""
}

func clip(s string) string {
	if r := []rune(s); len(r) > 140 {
		return string(r[:139]) + "…"
	}
	return s
}

func (s *Store) AuthoredPatients(ctx context.Context, professionalID kernel.ID) ([]clinical.AuthoredPatient, error) {
	last := map[string]time.Time{}
	var order []string
	for _, src := range sources[:3] {
		var rows []struct {
			PatientID string    `bun:"patient_id"`
			At        time.Time `bun:"at"`
		}
		sel := s.db.NewSelect().TableExpr(src.table).ColumnExpr("patient_id, MAX(?) AS at", bun.Ident(src.at)).
			Where("? = ?", bun.Ident(src.author), professionalID).Group("patient_id")
		if err := sel.Scan(ctx, &rows); err != nil {
			return nil, sqlstore.Translate(err)
		}
		for _, r := range rows {
			if t, ok := last[r.PatientID]; !ok {
				order = append(order, r.PatientID)
				last[r.PatientID] = r.At.UTC()
			} else if r.At.After(t) {
				last[r.PatientID] = r.At.UTC()
			}
		}
	}
	out := make([]clinical.AuthoredPatient, 0, len(order))
	if len(order) == 0 {
		return out, nil
	}
	var counts []struct {
		PatientID string `bun:"patient_id"`
		N         int    `bun:"n"`
	}
	if err := s.db.NewSelect().TableExpr("clinical_plans").ColumnExpr("patient_id, COUNT(*) AS n").
		Where("patient_id IN (?) AND status = 'active'", bun.List(order)).Group("patient_id").Scan(ctx, &counts); err != nil {
		return nil, sqlstore.Translate(err)
	}
	active := map[string]int{}
	for _, c := range counts {
		active[c.PatientID] = c.N
	}
	for _, id := range order {
		out = append(out, clinical.AuthoredPatient{PatientID: id, LastWritten: last[id], ActivePlans: active[id]})
	}
	return out, nil
}
