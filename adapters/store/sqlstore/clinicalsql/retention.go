package clinicalsql

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/kernel"
)

// entryColumns are the tables of a record and the column that dates an entry.
var entryColumns = []struct{ table, column string }{
	{"clinical_evaluations", "created_at"},
	{"clinical_plans", "updated_at"},
	{"clinical_plan_progress", "created_at"},
	{"clinical_prescriptions", "issued_at"},
	{"clinical_documents", "created_at"},
}

// LastEntry: see clinical.Store.
func (s *Store) LastEntry(ctx context.Context, patientID kernel.ID) (time.Time, error) {
	var last time.Time
	for _, e := range entryColumns {
		var t time.Time
		err := s.db.NewSelect().TableExpr(e.table).ColumnExpr(e.column).Where("patient_id = ?", patientID).
			OrderExpr(e.column+" DESC").Limit(1).Scan(ctx, &t)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return time.Time{}, sqlstore.Translate(err)
		}
		if t.After(last) {
			last = t.UTC()
		}
	}
	return last, nil
}

// ExpiredRecords: see clinical.Store.
func (s *Store) ExpiredRecords(ctx context.Context, cutoff time.Time, limit int) ([]kernel.ID, error) {
	q := s.db.NewSelect().TableExpr("(SELECT patient_id FROM clinical_evaluations UNION SELECT patient_id FROM clinical_plans " +
		"UNION SELECT patient_id FROM clinical_prescriptions UNION SELECT patient_id FROM clinical_documents) AS u").ColumnExpr("u.patient_id")
	for _, e := range entryColumns {
		q = q.Where("NOT EXISTS (SELECT 1 FROM "+e.table+" x WHERE x.patient_id = u.patient_id AND x."+e.column+" >= ?)", cutoff.UTC())
	}
	var ids []string
	if err := q.OrderExpr("u.patient_id").Limit(int64(limit)).Scan(ctx, &ids); err != nil {
		return nil, sqlstore.Translate(err)
	}
	return ids, nil
}

// RecordBlobKeys: see clinical.Store.
func (s *Store) RecordBlobKeys(ctx context.Context, patientID kernel.ID) ([]string, error) {
	var keys []string
	err := s.db.NewSelect().TableExpr("clinical_documents").ColumnExpr("blob_key").Where("patient_id = ?", patientID).
		OrderExpr("blob_key").Scan(ctx, &keys)
	return keys, sqlstore.Translate(err)
}

// DeleteRecord: see clinical.Store.
func (s *Store) DeleteRecord(ctx context.Context, patientID kernel.ID) error {
	return sqlstore.Translate(s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		for _, t := range []string{"clinical_plan_progress", "clinical_prescriptions", "clinical_plans", "clinical_documents", "clinical_evaluations", "clinical_shares"} {
			if _, err := tx.NewDelete().TableExpr(t).Where("patient_id = ?", patientID).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	}))
}
