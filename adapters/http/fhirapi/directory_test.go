package fhirapi

import (
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
)

func query(t *testing.T, rt *resourceType, raw string) Query {
	t.Helper()
	v, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	q, err := parseQuery(rt, v)
	if err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return q
}

func TestPageSlice(t *testing.T) {
	rt := &resourceType{Name: "X"}
	items := make([]int, 45)
	for i := range items {
		items[i] = i
	}
	var got []int
	cursor, pages := "", 0
	for {
		raw := "_count=20"
		if cursor != "" {
			raw += "&_cursor=" + cursor
		}
		page, next, err := pageSlice(query(t, rt, raw), items)
		if err != nil {
			t.Fatal(err)
		}
		got, pages = append(got, page...), pages+1
		if next == "" {
			break
		}
		cursor = next
	}
	if pages != 3 || !slices.Equal(got, items) {
		t.Fatalf("pages %d, items %v", pages, got)
	}
	if page, next, err := pageSlice(query(t, rt, ""), items); len(page) != kernel.DefaultLimit || next == "" || err != nil {
		t.Fatalf("default page: %d items, next %q, %v", len(page), next, err)
	}
	if _, _, err := pageSlice(query(t, rt, "_cursor=bad!"), items); kernel.KindOf(err) != kernel.KindInvalid {
		t.Fatalf("bad cursor: %v", err)
	}
	if page, next, err := pageSlice(query(t, rt, "_cursor="+kernel.EncodeCursor(offsetCursor{O: 99})), items); len(page) != 0 || next != "" || err != nil {
		t.Fatalf("past the end: %v %q %v", page, next, err)
	}
}

func TestAvailableTimes(t *testing.T) {
	got := availableTimes([]scheduling.Rule{
		{Weekday: time.Monday, Start: 8 * 60, End: 12*60 + 30},
		{Weekday: time.Sunday, Start: 18 * 60, End: 24 * 60},
		{Weekday: time.Saturday, Start: 0, End: 24 * 60},
	})
	want := []RoleAvailableTime{
		{DaysOfWeek: []string{"mon"}, AvailableStartTime: "08:00:00", AvailableEndTime: "12:30:00"},
		{DaysOfWeek: []string{"sun"}, AvailableStartTime: "18:00:00", AvailableEndTime: "23:59:59"},
		{DaysOfWeek: []string{"sat"}, AllDay: true},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if !slices.Equal(got[i].DaysOfWeek, want[i].DaysOfWeek) || got[i].AllDay != want[i].AllDay ||
			got[i].AvailableStartTime != want[i].AvailableStartTime || got[i].AvailableEndTime != want[i].AvailableEndTime {
			t.Errorf("%d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestSlotWindow(t *testing.T) {
	rt := (&Facade{}).slotType()
	now := time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)
	cases := []struct {
		raw      string
		from, to time.Time
		invalid  bool
	}{
		{"", now, now.AddDate(0, 0, 14), false},
		{"start=ge2026-03-12", time.Date(2026, 3, 12, 0, 0, 0, 0, saoPaulo), time.Date(2026, 3, 26, 0, 0, 0, 0, saoPaulo), false},
		{"start=2026-03-12", time.Date(2026, 3, 12, 0, 0, 0, 0, saoPaulo), time.Date(2026, 3, 13, 0, 0, 0, 0, saoPaulo), false},
		{"start=ge2020-01-01&start=lt2026-03-20", now, time.Date(2026, 3, 20, 0, 0, 0, 0, saoPaulo), false},
		{"start=lt2026-05-01", now, time.Date(2026, 5, 1, 0, 0, 0, 0, saoPaulo), true},
		{"start=2026-04", time.Date(2026, 4, 1, 0, 0, 0, 0, saoPaulo), time.Date(2026, 5, 1, 0, 0, 0, 0, saoPaulo), false},
	}
	for _, c := range cases {
		from, to, err := slotWindow(query(t, rt, "schedule=Schedule/a&"+c.raw), now)
		if c.invalid {
			if kernel.KindOf(err) != kernel.KindInvalid {
				t.Errorf("%s: err %v, want invalid", c.raw, err)
			}
			continue
		}
		if err != nil || !from.Equal(c.from) || !to.Equal(c.to) {
			t.Errorf("%s: [%v, %v) %v, want [%v, %v)", c.raw, from, to, err, c.from, c.to)
		}
	}
}

func TestDirectoryCodes(t *testing.T) {
	if c := companyTypeConcept("hospital"); c.Coding[0].Code != "prov" || c.Text != "Hospital" {
		t.Errorf("hospital: %+v", c)
	}
	if c := companyTypeConcept("gym"); c.Coding[0].Code != "bus" || c.Coding[1].Code != "gym" || c.Text != "Academia" {
		t.Errorf("gym: %+v", c)
	}
	co := identity.Company{CNPJ: "12ABC34501DE35"}
	if id := cnpjIdentifier(co.CNPJ); id.Value != "12ABC34501DE35" || id.System != SystemCNPJ {
		t.Errorf("alphanumeric CNPJ: %+v", id)
	}
	rt := (&Facade{}).organizationType()
	if !identifierMatch(query(t, rt, "identifier="+url.QueryEscape(SystemCNPJ+"|12.abc.345/01de-35")), "identifier", cnpjValue, cnpjIdentifier(co.CNPJ)) {
		t.Error("a punctuated, lower-case CNPJ does not match")
	}
	if identifierMatch(query(t, rt, "identifier="+url.QueryEscape(SystemCPF+"|12ABC34501DE35")), "identifier", cnpjValue, cnpjIdentifier(co.CNPJ)) {
		t.Error("a CNPJ matches under the CPF system")
	}
	a := addressOf(identity.Address{CEP: "01310100", Street: "Avenida Paulista", Number: "1000", Complement: "sala 4", District: "Bela Vista", City: "São Paulo", UF: "SP"}, "work")
	if !slices.Equal(a.Line, []string{"Avenida Paulista, 1000", "sala 4"}) || a.State != "SP" || a.Country != "BR" ||
		a.Text != "Avenida Paulista, 1000, sala 4, Bela Vista, São Paulo - SP, 01310-100" {
		t.Errorf("address: %+v", a)
	}
	if addressOf(identity.Address{}, "work") != nil {
		t.Error("an empty address is written")
	}
}
