package consent

import (
	"testing"
	"time"
)

func TestEaster(t *testing.T) {
	for year, want := range map[int]string{2024: "2024-03-31", 2025: "2025-04-20", 2026: "2026-04-05", 2027: "2027-03-28", 2038: "2038-04-25", 2000: "2000-04-23"} {
		if got := easter(year).Format("2006-01-02"); got != want {
			t.Errorf("easter(%d) = %s, want %s", year, got, want)
		}
	}
}

func TestBusinessDeadline(t *testing.T) {
	brt := brasilia()
	for _, c := range []struct {
		name string
		at   time.Time
		want string // the deadline's date in Brasília
	}{
		{"a plain Monday", time.Date(2026, 12, 7, 10, 0, 0, 0, brt), "2026-12-10"},
		{"Wednesday: the weekend is skipped", time.Date(2026, 12, 9, 10, 0, 0, 0, brt), "2026-12-14"},
		{"Christmas Eve: Christmas and the weekend skipped", time.Date(2026, 12, 24, 9, 0, 0, 0, brt), "2026-12-30"},
		{"Thursday before Good Friday 2026", time.Date(2026, 4, 2, 15, 0, 0, 0, brt), "2026-04-08"},
		{"Friday evening in Brasília is Saturday in UTC: counted from Friday", time.Date(2026, 12, 4, 22, 30, 0, 0, brt), "2026-12-09"},
		{"before Tiradentes 2027 (a Wednesday)", time.Date(2027, 4, 19, 9, 0, 0, 0, brt), "2027-04-23"},
		{"Consciência Negra 2025 (a Thursday)", time.Date(2025, 11, 18, 9, 0, 0, 0, brt), "2025-11-24"},
		{"20 de novembro was not a holiday in 2023", time.Date(2023, 11, 17, 9, 0, 0, 0, brt), "2023-11-22"},
		{"Carnaval is not a holiday (2026-02-16/17)", time.Date(2026, 2, 13, 9, 0, 0, 0, brt), "2026-02-18"},
		{"detected on a Saturday", time.Date(2026, 12, 5, 9, 0, 0, 0, brt), "2026-12-09"},
		{"New Year", time.Date(2026, 12, 30, 9, 0, 0, 0, brt), "2027-01-05"},
	} {
		got := BusinessDeadline(c.at.UTC(), 3)
		if d := got.In(brt).Format("2006-01-02"); d != c.want {
			t.Errorf("%s: deadline %s, want %s", c.name, d, c.want)
		}
		if h, m := got.In(brt).Hour(), got.In(brt).Minute(); h != 23 || m != 59 {
			t.Errorf("%s: deadline at %02d:%02d, want 23:59 in Brasília", c.name, h, m)
		}
	}
}

func TestNationalHolidays(t *testing.T) {
	if n := len(NationalHolidays(2023)); n != 9 {
		t.Errorf("2023: %d holidays, want 9", n)
	}
	if n := len(NationalHolidays(2026)); n != 10 {
		t.Errorf("2026: %d holidays, want 10", n)
	}
	if IsBusinessDay(2026, time.April, 3) {
		t.Error("Good Friday 2026 is a business day")
	}
	if !IsBusinessDay(2026, time.June, 4) {
		t.Error("Corpus Christi 2026 must count as a business day (ponto facultativo)")
	}
}
