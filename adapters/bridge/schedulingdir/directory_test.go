package schedulingdir_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/bridge/schedulingdir"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/identitysql"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
	"github.com/multisaude/multisaude/test/testdb"
)

// naive is the rule the directory promises, applied to every professional.
func naive(list []identity.Professional, q scheduling.ProfessionalQuery) []kernel.ID {
	spec := strings.ToLower(strings.TrimSpace(q.Specialty))
	prof, city, uf := strings.TrimSpace(q.Profession), strings.TrimSpace(q.City), strings.ToUpper(strings.TrimSpace(q.UF))
	out := []kernel.ID{}
	for _, p := range list {
		if (spec == "" || slices.Contains(p.Specialties, spec)) && (prof == "" || p.Profession == prof) &&
			(q.Mode == "" || p.Offers(string(q.Mode))) && (city == "" || strings.EqualFold(p.Address.City, city)) &&
			(uf == "" || p.Address.UF == uf) {
			out = append(out, p.ID)
		}
	}
	return out
}

func ids(list []scheduling.Professional) []kernel.ID {
	out := []kernel.ID{}
	for _, p := range list {
		out = append(out, p.ID)
	}
	return out
}

// The indexes by specialty and city find exactly what a scan of every professional finds, in the same order.
func TestVerifiedProfessionalsMatchesAScan(t *testing.T) {
	list := synthetic(3000)
	list[5].Address.City = "SÃO PAULO"
	list[6].Address.City = "são paulo"
	d := schedulingdir.NewWith(&listIdentity{list: list}, kernel.NewFixedClock(time.Unix(1e9, 0)))
	r := rand.New(rand.NewPCG(4, 5))
	cities := []string{"", "São Paulo", "são paulo", " SÃO PAULO ", "Cidade 2", "cidade 37", "Cidade 499", "Nowhere"}
	specs := append([]string{"", "Cardiology ", "nope"}, benchSpecialties[:10]...)
	modes := []scheduling.Mode{"", scheduling.InPerson, scheduling.Telemedicine}
	profs := []string{"", "physician", "dentist"}
	ufs := []string{"", "sp", "RJ"}
	for range 500 {
		q := scheduling.ProfessionalQuery{Specialty: specs[r.IntN(len(specs))], City: cities[r.IntN(len(cities))],
			Mode: modes[r.IntN(3)], Profession: profs[r.IntN(3)], UF: ufs[r.IntN(3)]}
		got, err := d.VerifiedProfessionals(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if want := naive(list, q); !slices.Equal(ids(got), want) {
			t.Fatalf("%+v: %d professionals, a scan finds %d", q, len(got), len(want))
		}
	}
}

// A revoked professional leaves search and booking once the TTL has passed, and the
// list is read once per TTL however many searches run meanwhile.
func TestRevokedProfessionalLeavesWithinTTL(t *testing.T) {
	ctx := context.Background()
	list := synthetic(50)
	src := &listIdentity{list: list}
	clock := kernel.NewFixedClock(time.Unix(1e9, 0))
	d := schedulingdir.NewWith(src, clock)
	gone := list[7]
	q := scheduling.ProfessionalQuery{Specialty: gone.Specialties[0]}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			got, err := d.VerifiedProfessionals(ctx, q)
			if err != nil || !slices.Contains(ids(got), gone.ID) {
				t.Errorf("before revocation: found %v, error %v", slices.Contains(ids(got), gone.ID), err)
			}
		})
	}
	wg.Wait()
	if p, err := d.Professional(ctx, gone.ID); err != nil || !p.Verified {
		t.Fatalf("before revocation: %+v %v", p, err)
	}
	if n := src.calls.Load(); n != 1 {
		t.Fatalf("%d reloads for 20 concurrent searches, want 1", n)
	}

	revoked := gone
	revoked.Status = identity.StatusRejected
	src.set(slices.Delete(slices.Clone(list), 7, 8), revoked)
	clock.Advance(d.TTL - time.Millisecond)
	got, _ := d.VerifiedProfessionals(ctx, q)
	if !slices.Contains(ids(got), gone.ID) {
		t.Fatal("within the TTL the cached list still shows them (no reload per search)")
	}
	clock.Advance(2 * time.Millisecond)
	got, _ = d.VerifiedProfessionals(ctx, q)
	if slices.Contains(ids(got), gone.ID) {
		t.Fatal("still found by search after the TTL")
	}
	if p, err := d.Professional(ctx, gone.ID); err != nil || p.Verified {
		t.Fatalf("still bookable after the TTL: %+v %v", p, err)
	}
}

// Every verified professional reaches search, not only the first 5,000 (the cap of the
// identity listing the directory used to read), on both dialects.
func TestDirectoryHoldsMoreThan5000Professionals(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		const n = 5003
		testdb.InsertProfessionals(t, db, n)
		svc, err := identity.NewService(identitysql.New(db), plainHasher{}, nil, nil, nil, nil, nil, nil, identity.Config{})
		if err != nil {
			t.Fatal(err)
		}
		d := schedulingdir.New(svc, nil)
		all, err := d.VerifiedProfessionals(ctx, scheduling.ProfessionalQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != n-1 { // one is pending
			t.Fatalf("%d verified professionals in the directory, want %d", len(all), n-1)
		}
		last := fmt.Sprintf("01900000-0000-7000-8000-%012x", n)
		found, err := d.VerifiedProfessionals(ctx, scheduling.ProfessionalQuery{Specialty: "cardiology", City: "campinas"})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(found), []kernel.ID{last}) {
			t.Fatalf("the newest professional (the only cardiologist in Campinas) not found: %v", ids(found))
		}
		p := found[0]
		if p.Name != "Pro 5003" || p.Email != "pro5003@example.com" || p.Profession != "physician" || p.UF != "SP" ||
			p.Price.Amount != 20000 || !slices.Equal(p.Modes, []scheduling.Mode{scheduling.InPerson, scheduling.Telemedicine}) ||
			p.Point != (scheduling.Point{Lat: -22.9, Lng: -47.06}) || !p.Verified {
			t.Fatalf("fields: %+v", p)
		}
		if all[0].Name != "Pro 1" || all[1].Name != "Pro 10" { // identity's order: by name
			t.Fatalf("order: %q, %q", all[0].Name, all[1].Name)
		}
	})
}

// countingIdentity counts the full reloads of the directory.
type countingIdentity struct {
	schedulingdir.Identity
	loads int
}

func (c *countingIdentity) VerifiedDirectory(ctx context.Context) ([]identity.Professional, error) {
	c.loads++
	return c.Identity.VerifiedDirectory(ctx)
}

// At rest an instance reads one row per TTL, not the whole directory; any writer's
// change to a professional (here plain SQL, as a fixture or an erasure would write),
// or to their name or e-mail, makes every instance reload at its next TTL: a revoked
// professional leaves search within the TTL.
func TestDirectoryReloadsOnlyWhenTheVersionMoves(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		testdb.InsertProfessionals(t, db, 3)
		svc, err := identity.NewService(identitysql.New(db), plainHasher{}, nil, nil, nil, nil, nil, nil, identity.Config{})
		if err != nil {
			t.Fatal(err)
		}
		src := &countingIdentity{Identity: svc}
		clock := kernel.NewFixedClock(time.Unix(1e9, 0))
		d := schedulingdir.NewWith(src, clock)
		first := fmt.Sprintf("01900000-0000-7000-8000-%012x", 1)
		names := func() []string {
			t.Helper()
			all, err := d.VerifiedProfessionals(ctx, scheduling.ProfessionalQuery{})
			if err != nil {
				t.Fatal(err)
			}
			out := []string{}
			for _, p := range all {
				out = append(out, p.Name)
			}
			return out
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.NewRaw(q, args...).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		step := func(want []string, loads int) {
			t.Helper()
			clock.Advance(d.TTL)
			if got := names(); !slices.Equal(got, want) || src.loads != loads {
				t.Fatalf("directory %v after %d loads, want %v after %d", got, src.loads, want, loads)
			}
		}
		if got := names(); !slices.Equal(got, []string{"Pro 1", "Pro 3"}) || src.loads != 1 {
			t.Fatalf("first read: %v, %d loads", got, src.loads)
		}
		step([]string{"Pro 1", "Pro 3"}, 1)
		exec("UPDATE identity_accounts SET failed_logins = 1 WHERE id = ?", first) // not shown: no reload
		step([]string{"Pro 1", "Pro 3"}, 1)
		exec("UPDATE identity_accounts SET name = 'Ana' WHERE id = ?", first)
		step([]string{"Ana", "Pro 3"}, 2)
		exec("UPDATE identity_professionals SET status = ? WHERE id = ?", string(identity.StatusRejected), first)
		if got := names(); !slices.Equal(got, []string{"Ana", "Pro 3"}) {
			t.Fatalf("within the TTL: %v", got) // the cached list, until the TTL passes
		}
		step([]string{"Pro 3"}, 3)
		step([]string{"Pro 3"}, 3)
	})
}

// identity's own listing (GET /v1/professionals, FHIR Practitioner and Location)
// sees every verified professional, not the oldest 5,000, and a change written
// by anyone (plain SQL here) shows at the next call.
func TestListVerifiedProfessionalsHoldsMoreThan5000(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		const n = 5003
		testdb.InsertProfessionals(t, db, n)
		svc, err := identity.NewService(identitysql.New(db), plainHasher{}, nil, nil, nil, nil, nil, nil, identity.Config{})
		if err != nil {
			t.Fatal(err)
		}
		list := func(q identity.ProfessionalQuery) []identity.Professional {
			t.Helper()
			got, err := svc.ListVerifiedProfessionals(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		if all := list(identity.ProfessionalQuery{}); len(all) != n-1 {
			t.Fatalf("%d verified professionals listed, want %d", len(all), n-1)
		}
		last := fmt.Sprintf("01900000-0000-7000-8000-%012x", n)
		found := list(identity.ProfessionalQuery{Specialty: " Cardiology", City: "CAMPINAS", UF: "sp", Mode: identity.ModeInPerson})
		if len(found) != 1 || found[0].ID != last {
			t.Fatalf("the newest professional not found: %+v", found)
		}
		p := found[0]
		if p.Name != "Pro 5003" || p.Council != (identity.Council{Type: "CRM", Number: "5003", UF: "SP"}) || p.Address.City != "Campinas" ||
			p.Point == nil || p.CreatedAt.IsZero() || p.UpdatedAt.IsZero() || p.CPF != "" {
			t.Fatalf("fields: %+v", p)
		}
		if _, err := db.NewRaw("UPDATE identity_accounts SET name = 'Zé' WHERE id = ?", last).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if found := list(identity.ProfessionalQuery{City: "Campinas"}); len(found) != 1 || found[0].Name != "Zé" {
			t.Fatalf("renamed: %+v", found)
		}
		if _, err := db.NewRaw("UPDATE identity_professionals SET status = ? WHERE id = ?", string(identity.StatusRejected), last).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if found := list(identity.ProfessionalQuery{City: "Campinas"}); len(found) != 0 {
			t.Fatalf("rejected still listed: %+v", found)
		}
		if all := list(identity.ProfessionalQuery{}); len(all) != n-2 {
			t.Fatalf("%d listed after a rejection, want %d", len(all), n-2)
		}
	})
}
