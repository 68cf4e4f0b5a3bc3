package consent

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// ledgerFake is an in-memory LedgerStore and DisclosureStore.
type ledgerFake struct {
	mu   sync.Mutex
	recs []ConsentRecord
	ds   []ports.Disclosure
}

func (f *ledgerFake) AppendConsent(_ context.Context, r ConsentRecord) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.recs = append(f.recs, r)
	return nil
}

func (f *ledgerFake) sorted(subject kernel.ID) []ConsentRecord {
	var out []ConsentRecord
	for _, r := range f.recs {
		if r.SubjectID == subject {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b ConsentRecord) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

func (f *ledgerFake) ConsentHistory(_ context.Context, subject kernel.ID) ([]ConsentRecord, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sorted(subject), nil
}

func (f *ledgerFake) LatestConsent(_ context.Context, subject kernel.ID, purpose string) (ConsentRecord, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rs := f.sorted(subject)
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i].Purpose == purpose {
			return rs[i], nil
		}
	}
	return ConsentRecord{}, kernel.NotFound("none")
}

func (f *ledgerFake) AddDisclosure(_ context.Context, d ports.Disclosure) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ds = append(f.ds, d)
	return nil
}

func (f *ledgerFake) ListDisclosures(_ context.Context, subject kernel.ID) ([]ports.Disclosure, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []ports.Disclosure
	for _, d := range f.ds {
		if d.SubjectID == subject {
			out = append(out, d)
		}
	}
	return out, nil
}

func TestTermsAreComplete(t *testing.T) {
	ts := Terms()
	if len(ts) != len(Purposes) {
		t.Fatalf("%d terms", len(ts))
	}
	for i, tm := range ts {
		if tm.Purpose != Purposes[i] || tm.Version == "" || tm.Title == "" || tm.Summary == "" || tm.Text == "" || tm.LegalBasis == "" || tm.PublishedAt.IsZero() {
			t.Errorf("incomplete term %+v", tm)
		}
		if tm.Required != (tm.Purpose != ports.PurposeCare) {
			t.Errorf("%s: Required=%v", tm.Purpose, tm.Required)
		}
		vs := TermVersions(tm.Purpose)
		if vs[len(vs)-1].Version != tm.Version {
			t.Errorf("%s: current is not the last published version", tm.Purpose)
		}
		seen := map[string]bool{}
		for j, v := range vs {
			if seen[v.Version] || v.Purpose != tm.Purpose || (j > 0 && !v.PublishedAt.After(vs[j-1].PublishedAt)) {
				t.Errorf("%s: versions out of order or repeated: %+v", tm.Purpose, v)
			}
			seen[v.Version] = true
		}
	}
	if _, ok := CurrentTerm("astrology"); ok || KnownPurpose("astrology") {
		t.Error("unknown purpose has a term")
	}
}

func TestRecordValidation(t *testing.T) {
	svc := NewService(Deps{Ledger: &ledgerFake{}}, Config{})
	pat := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindPatient}
	cur, _ := CurrentTerm(ports.PurposeTelemedicine)
	cases := []struct {
		name   string
		in     ConsentInput
		fields []string
	}{
		{"empty", ConsentInput{}, []string{"decision", "purpose", "term_version"}},
		{"unknown purpose and decision", ConsentInput{Purpose: "astrology", Decision: "maybe", TermVersion: "1"}, []string{"decision", "purpose"}},
		{"stale grant", ConsentInput{Purpose: "telemedicine", Decision: Granted, TermVersion: "1999-01-01"}, []string{"term_version"}},
		{"unpublished revocation", ConsentInput{Purpose: "telemedicine", Decision: Revoked, TermVersion: "nope"}, []string{"term_version"}},
		{"bad channel", ConsentInput{Purpose: "telemedicine", Decision: Granted, TermVersion: cur.Version, Channel: "pombo"}, []string{"channel"}},
		{"ok grant", ConsentInput{Purpose: "telemedicine", Decision: Granted, TermVersion: cur.Version}, nil},
		{"ok revocation", ConsentInput{Purpose: "telemedicine", Decision: Revoked, TermVersion: cur.Version, Channel: "app"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := svc.Record(context.Background(), pat, c.in)
			if c.fields == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ke *kernel.Error
			if !errors.As(err, &ke) || ke.Kind != kernel.KindInvalid {
				t.Fatalf("err %v, want invalid", err)
			}
			var got []string
			for _, f := range ke.Fields {
				got = append(got, f.Field)
			}
			if !slices.Equal(got, c.fields) {
				t.Errorf("fields %v, want %v", got, c.fields)
			}
		})
	}
	for _, p := range []kernel.Principal{{}, {AccountID: "k", Kind: kernel.KindAPIKey}, {AccountID: "a", Kind: kernel.KindAdmin}} {
		_, err := svc.Record(context.Background(), p, cases[5].in)
		want := kernel.KindForbidden
		if p.IsAnonymous() {
			want = kernel.KindUnauthenticated
		}
		if kernel.KindOf(err) != want {
			t.Errorf("%q: %v, want %s", p.Kind, err, want)
		}
		if _, err := svc.MyConsents(context.Background(), p); kernel.KindOf(err) != want {
			t.Errorf("MyConsents %q: %v, want %s", p.Kind, err, want)
		}
	}
}

func TestGate(t *testing.T) {
	ctx := context.Background()
	store := &ledgerFake{}
	clock := kernel.NewFixedClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	svc := NewService(Deps{Ledger: store, Clock: clock}, Config{})
	g := &Gate{Ledger: store, Disclosures: store, Clock: clock}
	pat := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindPatient}
	tele, _ := CurrentTerm(ports.PurposeTelemedicine)
	record := func(purpose string, d Decision) {
		t.Helper()
		cur, _ := CurrentTerm(purpose)
		if _, err := svc.Record(ctx, pat, ConsentInput{Purpose: purpose, Decision: d, TermVersion: cur.Version}); err != nil {
			t.Fatal(err)
		}
	}
	refused := func(purpose string) {
		t.Helper()
		err := g.Require(ctx, pat.AccountID, purpose)
		var cr *ports.ConsentRequired
		if kernel.KindOf(err) != kernel.KindConflict || !errors.As(err, &cr) || cr.Purpose != purpose || cr.TermURL != "/v1/consent-terms/"+purpose {
			t.Fatalf("Require(%s) = %v, want a conflict naming the term", purpose, err)
		}
	}
	// care is never refused; the others are until granted.
	if err := g.Require(ctx, pat.AccountID, ports.PurposeCare); err != nil {
		t.Errorf("care refused: %v", err)
	}
	refused(ports.PurposeTelemedicine)
	if cr := (*ports.ConsentRequired)(nil); !errors.As(g.Require(ctx, pat.AccountID, ports.PurposeTelemedicine), &cr) || cr.TermVersion != tele.Version {
		t.Error("the refusal does not name the current version")
	}
	record(ports.PurposeTelemedicine, Granted)
	if err := g.Require(ctx, pat.AccountID, ports.PurposeTelemedicine); err != nil {
		t.Fatalf("granted but refused: %v", err)
	}
	refused(ports.PurposePartnerSharing)
	// Revocation recorded in the same instant still wins (ID breaks the tie).
	record(ports.PurposeTelemedicine, Revoked)
	refused(ports.PurposeTelemedicine)
	clock.Advance(time.Second)
	record(ports.PurposeTelemedicine, Granted)
	if err := g.Require(ctx, pat.AccountID, ports.PurposeTelemedicine); err != nil {
		t.Fatalf("granted again but refused: %v", err)
	}
	// A grant of a version that is no longer current does not count.
	store.mu.Lock()
	store.recs = append(store.recs, ConsentRecord{ID: kernel.NewID(), SubjectID: pat.AccountID, Purpose: ports.PurposeMarketing,
		Decision: Granted, TermVersion: "2000-01-01", At: clock.Now().Add(time.Second)})
	store.mu.Unlock()
	refused(ports.PurposeMarketing)

	v, err := svc.MyConsents(ctx, pat)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.History) != 4 || v.History[0].Purpose != ports.PurposeMarketing || v.History[1].Decision != Granted || v.History[2].Decision != Revoked ||
		v.History[3].Decision != Granted || !v.History[1].At.After(v.History[2].At) {
		t.Errorf("history not newest first: %+v", v.History)
	}
	for _, s := range v.States {
		if s.Effective != (s.Purpose == ports.PurposeTelemedicine) {
			t.Errorf("state %+v", s)
		}
	}

	// Disclosures: appended with the clock's time; incomplete ones refused.
	if err := g.Disclosed(ctx, ports.Disclosure{SubjectID: pat.AccountID, RecipientKind: "company", RecipientID: "c", Category: ClassOrders,
		Basis: "order", ObjectType: "order", ObjectID: "o"}); err != nil {
		t.Fatal(err)
	}
	if ds, _ := store.ListDisclosures(ctx, pat.AccountID); len(ds) != 1 || !ds[0].At.Equal(clock.Now()) {
		t.Errorf("disclosures %+v", ds)
	}
	if err := g.Disclosed(ctx, ports.Disclosure{SubjectID: pat.AccountID}); kernel.KindOf(err) != kernel.KindInternal {
		t.Errorf("incomplete disclosure: %v", err)
	}
}
