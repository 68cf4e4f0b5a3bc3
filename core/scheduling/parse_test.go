package scheduling

import (
	"testing"
)

func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"08:00", "24:00", "23:59", "24:01", "8:00", "ab:cd", "", "12:60"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := ParseClock(s)
		if !ok {
			return
		}
		if c < 0 || c > 1440 {
			t.Fatalf("%q parsed to %d", s, c)
		}
		if c.String() != s {
			t.Fatalf("%q round-trips to %q", s, c.String())
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-12-25", "2026-02-30", "26-12-25", "", "2026-13-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ParseDate(s)
		if ok && d.String() != s {
			t.Fatalf("%q round-trips to %q", s, d.String())
		}
	})
}

func TestParseClockTable(t *testing.T) {
	for s, want := range map[string]int{"00:00": 0, "08:30": 510, "24:00": 1440} {
		if c, ok := ParseClock(s); !ok || int(c) != want {
			t.Errorf("%s -> %d %v", s, c, ok)
		}
	}
	for _, s := range []string{"24:30", "7:00", "07:0", "07:60", "xx:00", "-1:00"} {
		if _, ok := ParseClock(s); ok {
			t.Errorf("%q accepted", s)
		}
	}
}
