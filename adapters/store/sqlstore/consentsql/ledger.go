package consentsql

import (
	"context"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/kernel"
)

var _ consent.LedgerStore = (*Store)(nil)

// ledgerRow is one line of consent_ledger; the table refuses UPDATE and DELETE.
type ledgerRow struct {
	bun.BaseModel `bun:"table:consent_ledger,alias:l"`
	ID            string    `bun:"id,pk"`
	SubjectID     string    `bun:"subject_id"`
	SubjectKind   string    `bun:"subject_kind"`
	Purpose       string    `bun:"purpose"`
	Decision      string    `bun:"decision"`
	TermVersion   string    `bun:"term_version"`
	Channel       string    `bun:"channel"`
	RequestID     string    `bun:"request_id"`
	At            time.Time `bun:"at"`
}

func consentToRow(r consent.ConsentRecord) ledgerRow {
	return ledgerRow{ID: r.ID, SubjectID: r.SubjectID, SubjectKind: string(r.SubjectKind), Purpose: r.Purpose,
		Decision: string(r.Decision), TermVersion: r.TermVersion, Channel: r.Channel, RequestID: r.RequestID, At: utc(r.At)}
}

func (r ledgerRow) toDomain() consent.ConsentRecord {
	return consent.ConsentRecord{ID: r.ID, SubjectID: r.SubjectID, SubjectKind: kernel.AccountKind(r.SubjectKind), Purpose: r.Purpose,
		Decision: consent.Decision(r.Decision), TermVersion: r.TermVersion, Channel: r.Channel, RequestID: r.RequestID, At: r.At.UTC()}
}

// AppendConsent: see consent.LedgerStore.
func (s *Store) AppendConsent(ctx context.Context, r consent.ConsentRecord) error {
	row := consentToRow(r)
	_, err := s.db.NewInsert().Model(&row).Exec(ctx)
	return sqlstore.Translate(err)
}

// ConsentHistory: see consent.LedgerStore.
func (s *Store) ConsentHistory(ctx context.Context, subjectID kernel.ID) ([]consent.ConsentRecord, error) {
	var rows []ledgerRow
	if err := s.db.NewSelect().Model(&rows).Where("l.subject_id = ?", subjectID).
		OrderExpr("l.at DESC, l.id DESC").Limit(consent.MaxLedgerHistory).Scan(ctx); err != nil {
		return nil, sqlstore.Translate(err)
	}
	slices.Reverse(rows)
	out := make([]consent.ConsentRecord, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

const latestConsentQuery = `SELECT l.id, l.subject_id, l.subject_kind, l.purpose, l.decision, l.term_version, l.channel, l.request_id, l.at
	FROM consent_ledger AS l WHERE l.subject_id = $1 AND l.purpose = $2 ORDER BY l.at DESC, l.id DESC LIMIT 1`

// LatestConsent: see consent.LedgerStore.
func (s *Store) LatestConsent(ctx context.Context, subjectID kernel.ID, purpose string) (consent.ConsentRecord, error) {
	var row ledgerRow
	if s.db.Engine == sqlstore.Postgres { // every telemedicine booking: prepared (sqlstore.Prepared)
		if err := s.db.ScanPrepared(ctx, latestConsentQuery, []any{subjectID, purpose}, &row); err != nil {
			return consent.ConsentRecord{}, sqlstore.Translate(err)
		}
		return row.toDomain(), nil
	}
	if err := s.db.NewSelect().Model(&row).Where("l.subject_id = ? AND l.purpose = ?", subjectID, purpose).
		OrderExpr("l.at DESC, l.id DESC").Limit(1).Scan(ctx); err != nil {
		return consent.ConsentRecord{}, sqlstore.Translate(err)
	}
	return row.toDomain(), nil
}
