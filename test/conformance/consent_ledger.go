package conformance

import (
	"context"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// ConsentLedger is what the consent ledger's suite needs: the ledger and the disclosures.
type ConsentLedger interface {
	consent.LedgerStore
	consent.DisclosureStore
}

// RunConsentLedgerStore checks the consent ledger's contract: records read
// back field by field (times in UTC); the history is one subject's, oldest
// first; LatestConsent is the latest by time then ID, per purpose, and
// kernel.KindNotFound when there is none; disclosures read back newest first,
// one subject's only.
func RunConsentLedgerStore(t *testing.T, newStore func(t *testing.T) ConsentLedger) {
	ctx := context.Background()
	t.Run("ledger", func(t *testing.T) {
		s := newStore(t)
		subj, other := kernel.NewID(), kernel.NewID()
		at := time.Date(2026, 12, 1, 15, 0, 0, 0, time.FixedZone("BRT", -3*3600))
		rec := func(subject kernel.ID, purpose string, d consent.Decision, when time.Time) consent.ConsentRecord {
			r := consent.ConsentRecord{ID: kernel.NewID(), SubjectID: subject, SubjectKind: kernel.KindPatient, Purpose: purpose, Decision: d,
				TermVersion: "2026-11-30", Channel: "portal", RequestID: "req-1", At: when}
			if err := s.AppendConsent(ctx, r); err != nil {
				t.Fatal(err)
			}
			return r
		}
		if _, err := s.LatestConsent(ctx, subj, ports.PurposeTelemedicine); kernel.KindOf(err) != kernel.KindNotFound {
			t.Fatalf("latest of nothing: %v", err)
		}
		g := rec(subj, ports.PurposeTelemedicine, consent.Granted, at)
		r := rec(subj, ports.PurposeTelemedicine, consent.Revoked, at) // same instant: the later ID wins
		m := rec(subj, ports.PurposeMarketing, consent.Granted, at.Add(time.Minute))
		rec(other, ports.PurposeTelemedicine, consent.Granted, at.Add(time.Hour))
		h, err := s.ConsentHistory(ctx, subj)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 3 || h[0].ID != g.ID || h[1].ID != r.ID || h[2].ID != m.ID {
			t.Fatalf("history %+v", h)
		}
		got := h[0]
		if got.SubjectID != subj || got.SubjectKind != kernel.KindPatient || got.Purpose != ports.PurposeTelemedicine || got.Decision != consent.Granted ||
			got.TermVersion != "2026-11-30" || got.Channel != "portal" || got.RequestID != "req-1" || !got.At.Equal(at) || got.At.Location() != time.UTC {
			t.Errorf("record read back as %+v", got)
		}
		l, err := s.LatestConsent(ctx, subj, ports.PurposeTelemedicine)
		if err != nil || l.ID != r.ID || l.Decision != consent.Revoked {
			t.Errorf("latest telemedicine %+v %v", l, err)
		}
		if l, err := s.LatestConsent(ctx, subj, ports.PurposeMarketing); err != nil || l.ID != m.ID {
			t.Errorf("latest marketing %+v %v", l, err)
		}
		if h, _ := s.ConsentHistory(ctx, kernel.NewID()); len(h) != 0 {
			t.Errorf("history of a stranger %+v", h)
		}
	})
	t.Run("disclosures", func(t *testing.T) {
		s := newStore(t)
		subj := kernel.NewID()
		at := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
		for i, c := range []string{consent.ClassOrders, "prescriptions"} {
			if err := s.AddDisclosure(ctx, ports.Disclosure{SubjectID: subj, RecipientKind: "company", RecipientID: "co", Category: c,
				Basis: "order", ObjectType: "order", ObjectID: "o1", At: at.Add(time.Duration(i) * time.Second)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.AddDisclosure(ctx, ports.Disclosure{SubjectID: kernel.NewID(), RecipientKind: "company", RecipientID: "co", Category: "orders", Basis: "order", At: at}); err != nil {
			t.Fatal(err)
		}
		ds, err := s.ListDisclosures(ctx, subj)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 2 || ds[0].Category != "prescriptions" || ds[1].Category != consent.ClassOrders {
			t.Fatalf("disclosures %+v", ds)
		}
		if d := ds[1]; d.SubjectID != subj || d.RecipientKind != "company" || d.RecipientID != "co" || d.Basis != "order" || d.ObjectType != "order" ||
			d.ObjectID != "o1" || !d.At.Equal(at) {
			t.Errorf("disclosure read back as %+v", d)
		}
	})
}
