package kernel

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
)

func TestNewIDIsUUIDv7OrderedAndUnique(t *testing.T) {
	const n = 20000
	ids := make([]string, n)
	for i := range ids {
		ids[i] = NewID()
	}
	seen := map[string]bool{}
	for i, id := range ids {
		if !ValidID(id) || id[14] != '7' || (id[19] != '8' && id[19] != '9' && id[19] != 'a' && id[19] != 'b') {
			t.Fatalf("not a UUIDv7: %s", id)
		}
		if seen[id] {
			t.Fatalf("duplicate %s", id)
		}
		seen[id] = true
		if i > 0 && ids[i-1] >= id {
			t.Fatalf("not increasing: %s then %s", ids[i-1], id)
		}
	}
}

func TestNewIDConcurrent(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				id := NewID()
				mu.Lock()
				if seen[id] {
					t.Errorf("duplicate %s", id)
				}
				seen[id] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

func TestValidID(t *testing.T) {
	for s, want := range map[string]bool{
		"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b": true,
		"0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B": false,
		"0190a1b2c3d47e5f8a9b0c1d2e3f4a5b":     false,
		"":                                     false,
		"../../etc/passwd-0000-0000-000000000": false,
	} {
		if ValidID(s) != want {
			t.Errorf("ValidID(%q) != %v", s, want)
		}
	}
}

func TestErrorKindsSurviveWrapping(t *testing.T) {
	err := fmt.Errorf("store: %w", NotFound("no appointment"))
	if KindOf(err) != KindNotFound || !errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict) {
		t.Fatalf("kind lost: %v", err)
	}
	if KindOf(errors.New("plain")) != KindInternal {
		t.Fatal("a plain error must be internal")
	}
	if KindOf(Wrap(Conflict("x"), "ctx")) != KindConflict || KindOf(Wrap(errors.New("y"), "ctx")) != KindInternal {
		t.Fatal("Wrap changed a kind")
	}
}

func TestProblemsSortedAndMerged(t *testing.T) {
	var p, addr Problems
	p.Add("name", "is required")
	addr.Add("cep", "must have 8 digits")
	p.Merge("address.", &addr)
	p.Require("email", " ")
	err := p.Err()
	var ke *Error
	if !errors.As(err, &ke) || ke.Kind != KindInvalid {
		t.Fatalf("got %v", err)
	}
	var names []string
	for _, f := range ke.Fields {
		names = append(names, f.Field)
	}
	if !sort.StringsAreSorted(names) || len(names) != 3 || names[0] != "address.cep" {
		t.Fatalf("fields %v", names)
	}
	var empty Problems
	if empty.Err() != nil {
		t.Fatal("no problems must be nil")
	}
}

func TestMoney(t *testing.T) {
	var p Problems
	Money{Amount: -1, Currency: "brl"}.Validate("price", &p)
	if len(p.Fields()) != 2 {
		t.Fatalf("%v", p.Fields())
	}
	if s := BRL(25050).String(); s != "BRL 250.50" {
		t.Fatal(s)
	}
	if s := BRL(-5).String(); s != "-BRL 0.05" {
		t.Fatal(s)
	}
	if _, err := BRL(1).Add(Money{Amount: 1, Currency: "USD"}); KindOf(err) != KindUnprocessable {
		t.Fatal("mixed currencies must be refused")
	}
}

func TestPagingAndCursor(t *testing.T) {
	if p, err := (Page{}).Normalize(); err != nil || p.Limit != DefaultLimit {
		t.Fatalf("%v %v", p, err)
	}
	for _, l := range []int{-1, MaxLimit + 1} {
		if _, err := (Page{Limit: l}).Normalize(); KindOf(err) != KindInvalid {
			t.Fatalf("limit %d accepted", l)
		}
	}
	if _, err := (Page{Cursor: "!!!"}).Normalize(); KindOf(err) != KindInvalid {
		t.Fatal("bad cursor accepted")
	}
	type pos struct{ At, ID string }
	c := EncodeCursor(pos{"2026-12-01", "x"})
	var back pos
	if err := DecodeCursor(c, &back); err != nil || back.ID != "x" {
		t.Fatalf("%v %v", back, err)
	}
	if err := DecodeCursor("bm90IGpzb24", &back); KindOf(err) != KindInvalid {
		t.Fatal("non-JSON cursor accepted")
	}
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add(EncodeCursor(map[string]string{"a": "b"}))
	f.Add("")
	f.Add("%%%")
	f.Fuzz(func(t *testing.T, c string) {
		var v map[string]any
		err := DecodeCursor(c, &v)
		if err != nil && KindOf(err) != KindInvalid {
			t.Fatalf("cursor %q: error of kind %s", c, KindOf(err))
		}
	})
}

func TestProblemsCapped(t *testing.T) {
	var p Problems
	for i := 0; i < 100_000; i++ {
		p.Add(fmt.Sprintf("weekly[%d].start", i), "overlaps weekly[%d]", i-1)
	}
	if !p.Full() || p.Len() != 100_000 {
		t.Fatalf("full %v, len %d", p.Full(), p.Len())
	}
	fs := p.Fields()
	if len(fs) != MaxFieldErrors+1 {
		t.Fatalf("%d fields, want %d", len(fs), MaxFieldErrors+1)
	}
	last := fs[len(fs)-1]
	if last.Field != MoreField || !strings.Contains(last.Message, "mais 99950") {
		t.Fatalf("last entry %+v", last)
	}
	var ke *Error
	if !errors.As(p.Err(), &ke) || len(ke.Fields) != MaxFieldErrors+1 {
		t.Fatalf("Err: %v", p.Err())
	}

	// Past the cap, Add formats nothing.
	allocs := testing.AllocsPerRun(1000, func() { p.Add("x", "must be %s", "y") })
	if allocs != 0 {
		t.Fatalf("Add past the cap allocates %v times", allocs)
	}
}

func TestProblemsMergeCapped(t *testing.T) {
	var a, b Problems
	for i := 0; i < 40; i++ {
		a.Add(fmt.Sprintf("a%d", i), "bad")
	}
	for i := 0; i < 30; i++ {
		b.Add(fmt.Sprintf("b%d", i), "bad")
	}
	a.Merge("x.", &b)
	if a.Len() != 70 || len(a.Fields()) != MaxFieldErrors+1 {
		t.Fatalf("len %d, fields %d", a.Len(), len(a.Fields()))
	}
	if m := a.Fields()[MaxFieldErrors].Message; !strings.Contains(m, "mais 20") {
		t.Fatal(m)
	}
	// A capped list merged keeps its count.
	var c Problems
	c.Merge("y.", &a)
	if c.Len() != 70 || !strings.Contains(c.Fields()[MaxFieldErrors].Message, "mais 20") {
		t.Fatalf("len %d: %v", c.Len(), c.Fields()[MaxFieldErrors])
	}
	// Below the cap nothing is added.
	var d Problems
	d.Add("one", "bad")
	if fs := d.Fields(); len(fs) != 1 || fs[0].Field != "one" {
		t.Fatalf("%v", fs)
	}
}
