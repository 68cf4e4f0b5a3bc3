// Package audit_test drives the tamper-evident audit trail end to end: real
// requests land in the chain, `audit verify` (the consent service the command
// calls) finds it intact, and after tampering names the entry.
package audit_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/test/e2e/harness"
)

func entries(t *testing.T, h *harness.H) []consent.AuditEntry {
	t.Helper()
	var all []consent.AuditEntry
	for after := int64(0); ; {
		page, err := h.App.Consent.Audit.AuditEntries(context.Background(), after, 1000)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if len(page) < 1000 {
			return all
		}
		after = page[len(page)-1].Seq
	}
}

func find(es []consent.AuditEntry, action, objectID string) (consent.AuditEntry, bool) {
	for _, e := range es {
		if e.Record.Action == action && (objectID == "" || e.Record.ObjectID == objectID) {
			return e, true
		}
	}
	return consent.AuditEntry{}, false
}

func TestAuditTrailEndToEnd(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		ctx := context.Background()
		pat := harness.SignUpPatient(t, h)
		doctor := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{}) // the admin verifies them
		admin := harness.AdminLogin(t, h)
		until := time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
		h.Post(t, "/v1/me/record-shares", pat.Token, map[string]any{"professional_id": doctor.ID, "until": until}).Want(t, http.StatusCreated)
		ev := h.Post(t, "/v1/patients/"+pat.ID+"/evaluations", doctor.Token, map[string]any{"kind": "simplified", "reason": "check-up",
			"notes": "sem queixas"}).Want(t, http.StatusCreated).Map(t)
		evID := ev["id"].(string)
		h.Get(t, "/v1/evaluations/"+evID, doctor.Token).Want(t, http.StatusOK)

		es := entries(t, h)
		read, ok := find(es, "record.read", evID)
		if !ok {
			t.Fatalf("no record.read of the evaluation in %d entries", len(es))
		}
		if read.Record.ActorID != doctor.ID || read.Record.ActorKind != "professional" || read.Record.SubjectID != pat.ID ||
			read.Record.ObjectType != "evaluation" || read.Record.Details["basis"] != "share" || read.Record.Details["access_id"] == "" {
			t.Fatalf("record.read entry = %+v", read.Record)
		}
		verify, ok := find(es, "professional.verify", doctor.ID)
		if !ok || verify.Record.ActorID != admin.ID || verify.Record.ActorKind != "admin" {
			t.Fatalf("professional.verify entry = %+v (found %v)", verify.Record, ok)
		}
		if _, ok := find(es, "admin.sign_in", admin.ID); !ok {
			t.Fatal("no admin.sign_in entry")
		}
		for _, e := range es { // IDs and codes only
			for _, v := range append([]string{e.Record.ActorID, e.Record.ObjectID, e.Record.SubjectID}, mapValues(e.Record.Details)...) {
				if v == pat.Email || v == pat.CPF || v == pat.Name || v == doctor.Email || v == doctor.CPF || v == doctor.Name || v == "sem queixas" {
					t.Fatalf("entry %d holds personal data: %+v", e.Seq, e.Record)
				}
			}
		}

		if _, err := h.App.Consent.WriteAuditDigest(ctx); err != nil {
			t.Fatal(err)
		}
		rep, err := h.App.Consent.VerifyAudit(ctx)
		if err != nil || !rep.OK() || rep.Checked != int64(len(es)) || rep.Digests != 1 {
			t.Fatalf("clean trail: %+v %v, %v", rep, rep.First, err)
		}

		// The database refuses a change; an attacker with DDL drops the trigger first.
		if _, err := h.App.DB.ExecContext(ctx, "UPDATE audit_trail SET details = '{}' WHERE seq = ?", read.Seq); err == nil {
			t.Fatal("UPDATE of audit_trail was allowed")
		}
		drop := "DROP TRIGGER audit_trail_no_update"
		if h.Dialect == sqlstore.Postgres {
			drop += " ON audit_trail"
		}
		if _, err := h.App.DB.ExecContext(ctx, drop); err != nil {
			t.Fatal(err)
		}
		if _, err := h.App.DB.ExecContext(ctx, `UPDATE audit_trail SET details = '{"access_id":"x","basis":"care"}' WHERE seq = ?`, read.Seq); err != nil {
			t.Fatal(err)
		}
		rep, err = h.App.Consent.VerifyAudit(ctx)
		if err != nil || rep.OK() || rep.First.Seq != read.Seq || rep.First.Kind != consent.AuditChanged {
			t.Fatalf("after tampering with entry %d: %+v %v, %v", read.Seq, rep, rep.First, err)
		}
	})
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
