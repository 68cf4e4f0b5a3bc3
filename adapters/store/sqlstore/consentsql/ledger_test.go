package consentsql_test

import (
	"context"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/consentsql"
	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/test/conformance"
	"github.com/multisaude/multisaude/test/testdb"
)

func TestLedgerConformance(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		conformance.RunConsentLedgerStore(t, func(t *testing.T) conformance.ConsentLedger { return consentsql.New(db) })
	})
}

// The database itself keeps the ledger append-only.
func TestLedgerRefusesUpdateAndDelete(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := consentsql.New(db)
		r := consent.ConsentRecord{ID: kernel.NewID(), SubjectID: kernel.NewID(), SubjectKind: kernel.KindPatient, Purpose: "telemedicine",
			Decision: consent.Granted, TermVersion: "2026-11-30", Channel: "api", At: time.Now()}
		if err := s.AppendConsent(ctx, r); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"UPDATE consent_ledger SET decision = 'revoked' WHERE id = ?", "DELETE FROM consent_ledger WHERE id = ?"} {
			if _, err := db.NewRaw(q, r.ID).Exec(ctx); err == nil {
				t.Errorf("%s: accepted", q)
			}
		}
		if db.Engine == sqlstore.Postgres {
			if _, err := db.NewRaw("TRUNCATE consent_ledger").Exec(ctx); err == nil {
				t.Error("TRUNCATE accepted")
			}
		}
		l, err := s.LatestConsent(ctx, r.SubjectID, "telemedicine")
		if err != nil || l.Decision != consent.Granted {
			t.Errorf("after the refused statements: %+v %v", l, err)
		}
		// A record with a decision outside the vocabulary is refused too.
		bad := r
		bad.ID, bad.Decision = kernel.NewID(), "maybe"
		if err := s.AppendConsent(ctx, bad); err == nil {
			t.Error("decision maybe accepted")
		}
	})
}
