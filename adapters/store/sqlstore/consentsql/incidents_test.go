package consentsql_test

import (
	"context"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/consentsql"
	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/test/testdb"
)

func TestIncidentStore(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		st := consentsql.New(db)
		now := time.Now().UTC().Truncate(time.Microsecond)
		var ids []kernel.ID
		for i := range 3 {
			in := consent.Incident{ID: kernel.NewID(), Title: "t", Description: "d", DetectedAt: now, Categories: []string{consent.ClassAccount},
				Risk: consent.RiskMedium, RiskReasoning: "r", CreatedBy: kernel.NewID(), CreatedAt: now.Add(time.Duration(i) * time.Second), UpdatedAt: now, Version: 1}
			if err := st.CreateIncident(ctx, in); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, in.ID)
		}
		l, err := st.ListIncidents(ctx, kernel.Page{Limit: 2})
		if err != nil || len(l.Items) != 2 || l.Items[0].ID != ids[2] || l.NextCursor == "" {
			t.Fatalf("page 1: %+v %v", l, err)
		}
		l2, err := st.ListIncidents(ctx, kernel.Page{Limit: 2, Cursor: l.NextCursor})
		if err != nil || len(l2.Items) != 1 || l2.Items[0].ID != ids[0] || l2.NextCursor != "" {
			t.Fatalf("page 2: %+v %v", l2, err)
		}
		got, err := st.UpdateIncident(ctx, ids[0], func(i *consent.Incident) error { i.Measures = "m"; i.Version++; return nil })
		if err != nil || got.Measures != "m" || got.Version != 2 || len(got.Categories) != 1 {
			t.Fatalf("update: %+v %v", got, err)
		}
		if _, err := st.Incident(ctx, kernel.NewID()); kernel.KindOf(err) != kernel.KindNotFound {
			t.Errorf("absent incident: %v", err)
		}
		// The register keeps an incident 5 years, whoever asks the database.
		if _, err := db.ExecContext(ctx, "DELETE FROM consent_incidents WHERE id = ?", ids[1]); err == nil {
			t.Error("the database deleted an incident younger than 5 years")
		}
		if _, err := db.ExecContext(ctx, "UPDATE consent_incidents SET created_at = ? WHERE id = ?", now.AddDate(-6, 0, 0), ids[1]); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "DELETE FROM consent_incidents WHERE id = ?", ids[1]); err != nil {
			t.Errorf("an incident older than 5 years could not be purged: %v", err)
		}
		if db.Engine == sqlstore.Postgres {
			if _, err := db.ExecContext(ctx, "TRUNCATE consent_incidents"); err == nil {
				t.Error("the register was truncated")
			}
		}
	})
}
