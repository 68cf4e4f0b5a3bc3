package scheduling

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"

	"pgregory.net/rapid"
)

func mustLoc(t testing.TB, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func clock(h, m int) ClockTime { return ClockTime(h*60 + m) }

func weekdays(start, end ClockTime, mode Mode) []Rule {
	var rs []Rule
	for d := time.Monday; d <= time.Friday; d++ {
		rs = append(rs, Rule{Weekday: d, Start: start, End: end, Mode: mode})
	}
	return rs
}

func TestGenerateSlotsExample(t *testing.T) {
	loc := mustLoc(t, "America/Sao_Paulo")
	a := Availability{TimeZone: "America/Sao_Paulo", SlotMinutes: 30, HorizonDays: 60, MinNoticeHours: 2,
		Weekly: []Rule{{Weekday: time.Tuesday, Start: clock(8, 0), End: clock(10, 0), Mode: InPerson},
			{Weekday: time.Tuesday, Start: clock(14, 0), End: clock(15, 0), Mode: Telemedicine}}}
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	from := time.Date(2026, 12, 1, 0, 0, 0, 0, loc)
	got := GenerateSlots(a, from, from.AddDate(0, 0, 7), now)
	want := []string{"08:00", "08:30", "09:00", "09:30", "14:00", "14:30"}
	if len(got) != len(want) {
		t.Fatalf("got %d slots %v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		if s := got[i].Start.In(loc).Format("15:04"); s != w {
			t.Errorf("slot %d starts %s, want %s", i, s, w)
		}
	}
	if got[0].Start.In(loc).Format(time.RFC3339) != "2026-12-01T08:00:00-03:00" || got[4].Mode != Telemedicine {
		t.Errorf("first slot %v, fifth mode %s", got[0].Start.In(loc), got[4].Mode)
	}
	// day off and extra hours
	a.Exceptions = []Exception{{Date: Date{2026, 12, 1}}, {Date: Date{2026, 12, 2}, Available: true, Start: clock(9, 0), End: clock(10, 0), Mode: Telemedicine}}
	got = GenerateSlots(a, from, from.AddDate(0, 0, 7), now)
	if len(got) != 2 || got[0].Start.In(loc).Format("2006-01-02 15:04") != "2026-12-02 09:00" {
		t.Fatalf("with exceptions got %v", got)
	}
}

func TestGenerateSlotsNoticeAndHorizon(t *testing.T) {
	a := Availability{TimeZone: "UTC", SlotMinutes: 60, HorizonDays: 2, MinNoticeHours: 3,
		Weekly: []Rule{}}
	for d := time.Sunday; d <= time.Saturday; d++ {
		a.Weekly = append(a.Weekly, Rule{Weekday: d, Start: 0, End: clock(24, 0), Mode: InPerson})
	}
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	got := GenerateSlots(a, now.Add(-48*time.Hour), now.Add(30*24*time.Hour), now)
	if first := got[0].Start; !first.Equal(now.Add(3 * time.Hour)) {
		t.Errorf("first slot %v, want %v", first, now.Add(3*time.Hour))
	}
	if last := got[len(got)-1].Start; !last.Before(now.Add(48 * time.Hour)) {
		t.Errorf("last slot %v beyond horizon", last)
	}
}

// TestGenerateSlotsDST checks the day São Paulo skipped midnight (2018-11-04 00:00 -> 01:00)
// and the day New York repeated 01:00-02:00 (2026-11-01).
func TestGenerateSlotsDST(t *testing.T) {
	sp := mustLoc(t, "America/Sao_Paulo")
	a := Availability{TimeZone: "America/Sao_Paulo", SlotMinutes: 30, HorizonDays: 30,
		Weekly: []Rule{{Weekday: time.Sunday, Start: 0, End: clock(2, 0), Mode: InPerson}}}
	now := time.Date(2018, 11, 1, 0, 0, 0, 0, time.UTC)
	day := time.Date(2018, 11, 4, 12, 0, 0, 0, sp)
	got := GenerateSlots(a, day.Add(-12*time.Hour), day.Add(12*time.Hour), now)
	// 00:00 and 00:30 do not exist that day: only 01:00, 01:30.
	if len(got) != 2 || got[0].Start.In(sp).Format("15:04") != "01:00" {
		t.Fatalf("spring-forward day: %v", got)
	}
	ny := mustLoc(t, "America/New_York")
	b := Availability{TimeZone: "America/New_York", SlotMinutes: 30, HorizonDays: 30,
		Weekly: []Rule{{Weekday: time.Sunday, Start: 0, End: clock(3, 0), Mode: InPerson}}}
	now = time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC)
	day = time.Date(2026, 11, 1, 0, 0, 0, 0, ny)
	got = GenerateSlots(b, day, day.Add(25*time.Hour), now)
	for i := 1; i < len(got); i++ {
		if got[i].Start.Before(got[i-1].End) {
			t.Fatalf("overlap at fall-back: %v then %v", got[i-1], got[i])
		}
	}
	for _, s := range got {
		if s.End.Sub(s.Start) != 30*time.Minute {
			t.Fatalf("slot %v lasts %v", s, s.End.Sub(s.Start))
		}
	}
	// 00:00, 00:30, 01:00 EDT, then 01:30 would end at 02:00 EST an hour late: dropped; 02:00, 02:30 EST.
	var starts []string
	for _, s := range got {
		starts = append(starts, s.Start.In(ny).Format("15:04 MST"))
	}
	if want := "[00:00 EDT 00:30 EDT 01:00 EDT 02:00 EST 02:30 EST]"; fmt.Sprint(starts) != want {
		t.Fatalf("fall-back day slots %v, want %s", starts, want)
	}
}

var zones = []string{"America/Sao_Paulo", "America/New_York", "Europe/London", "UTC", "Australia/Lord_Howe"}

func genAvailability(t *rapid.T) Availability {
	a := Availability{
		TimeZone:       rapid.SampledFrom(zones).Draw(t, "zone"),
		SlotMinutes:    rapid.IntRange(5, 120).Draw(t, "slot"),
		BufferMinutes:  rapid.IntRange(0, 30).Draw(t, "buffer"),
		MinNoticeHours: rapid.IntRange(0, 48).Draw(t, "notice"),
		HorizonDays:    rapid.IntRange(1, 120).Draw(t, "horizon"),
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		n := rapid.IntRange(0, 3).Draw(t, "rules")
		cur := 0
		for i := 0; i < n && cur < 1440; i++ {
			s := cur + rapid.IntRange(0, 300).Draw(t, "gap")
			e := s + rapid.IntRange(1, 600).Draw(t, "len")
			if e > 1440 {
				break
			}
			a.Weekly = append(a.Weekly, Rule{Weekday: d, Start: ClockTime(s), End: ClockTime(e), Mode: rapid.SampledFrom([]Mode{InPerson, Telemedicine}).Draw(t, "mode")})
			cur = e
		}
	}
	base := time.Date(rapid.IntRange(2015, 2027).Draw(t, "year"), time.Month(rapid.IntRange(1, 12).Draw(t, "month")), 1, 0, 0, 0, 0, time.UTC)
	for i := rapid.IntRange(0, 5).Draw(t, "exceptions"); i > 0; i-- {
		d := DateOf(base.AddDate(0, 0, rapid.IntRange(0, 60).Draw(t, "exday")))
		e := Exception{Date: d, Available: rapid.Bool().Draw(t, "available")}
		if e.Available || rapid.Bool().Draw(t, "partial") {
			s := rapid.IntRange(0, 1400).Draw(t, "exstart")
			e.Start, e.End = ClockTime(s), ClockTime(s+rapid.IntRange(1, 1440-s).Draw(t, "exlen"))
			e.Mode = InPerson
		}
		a.Exceptions = append(a.Exceptions, e)
	}
	return a
}

func TestGenerateSlotsProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := genAvailability(t)
		if err := a.Validate(); err != nil {
			t.Skip("invalid availability")
		}
		loc := a.Location()
		now := time.Date(rapid.IntRange(2015, 2027).Draw(t, "nyear"), time.Month(rapid.IntRange(1, 12).Draw(t, "nmonth")), rapid.IntRange(1, 28).Draw(t, "nday"),
			rapid.IntRange(0, 23).Draw(t, "nhour"), 0, 0, 0, time.UTC)
		from := now.Add(time.Duration(rapid.IntRange(-48, 24*40).Draw(t, "fromh")) * time.Hour)
		to := from.Add(time.Duration(rapid.IntRange(1, 24*45).Draw(t, "spanh")) * time.Hour)
		slots := GenerateSlots(a, from, to, now)
		slot := time.Duration(a.SlotMinutes) * time.Minute
		buf := time.Duration(a.BufferMinutes) * time.Minute
		for i, s := range slots {
			if s.End.Sub(s.Start) != slot {
				t.Fatalf("slot %d lasts %v", i, s.End.Sub(s.Start))
			}
			if s.Start.Before(from) || !s.Start.Before(to) {
				t.Fatalf("slot %d %v outside [%v,%v)", i, s.Start, from, to)
			}
			if s.Start.Before(now.Add(time.Duration(a.MinNoticeHours) * time.Hour)) {
				t.Fatalf("slot %d %v inside notice", i, s.Start)
			}
			if !s.Start.Before(now.AddDate(0, 0, a.HorizonDays)) {
				t.Fatalf("slot %d %v beyond horizon", i, s.Start)
			}
			if i > 0 && s.Start.Before(slots[i-1].End.Add(buf)) {
				t.Fatalf("slot %d %v overlaps or is within buffer of %v", i, s.Start, slots[i-1].End)
			}
			// inside a rule or extra hours, outside blocked exceptions (wall clock)
			ls, le := s.Start.In(loc), s.End.In(loc)
			d := DateOf(ls)
			sm := ClockTime(ls.Hour()*60 + ls.Minute())
			em := sm + ClockTime(a.SlotMinutes)
			_ = le
			inside := false
			for _, r := range a.Weekly {
				if r.Weekday == ls.Weekday() && r.Start <= sm && em <= r.End && r.Mode == s.Mode {
					inside = true
				}
			}
			for _, e := range a.Exceptions {
				if e.Date == d && e.Available && e.Start <= sm && em <= e.End {
					inside = true
				}
			}
			if !inside {
				t.Fatalf("slot %v (%s %s-%s) is in no rule", s, ls.Weekday(), sm, em)
			}
			for _, e := range a.Exceptions {
				if e.Date == d && !e.Available && (e.WholeDay() || sm < e.End && e.Start < em) {
					t.Fatalf("slot %v falls in blocked exception %+v", s, e)
				}
			}
		}
	})
}

func TestFreeSlotsCapacity(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	var slots []Slot
	for i := 0; i < 4; i++ {
		slots = append(slots, Slot{Start: t0.Add(time.Duration(i) * 30 * time.Minute), End: t0.Add(time.Duration(i+1) * 30 * time.Minute)})
	}
	booked := []Interval{{t0, t0.Add(30 * time.Minute)}, {t0, t0.Add(30 * time.Minute)}, {t0.Add(30 * time.Minute), t0.Add(90 * time.Minute)}}
	if got := FreeSlots(slots, booked, 1); len(got) != 1 || !got[0].Start.Equal(t0.Add(90*time.Minute)) {
		t.Errorf("capacity 1: %v", got)
	}
	if got := FreeSlots(slots, booked, 2); len(got) != 3 || !got[0].Start.Equal(t0.Add(30*time.Minute)) {
		t.Errorf("capacity 2: %v", got)
	}
}

func TestValidateNamesFields(t *testing.T) {
	a := Availability{TimeZone: "Mars/Olympus", SlotMinutes: 30, HorizonDays: 10,
		Weekly: []Rule{{Weekday: time.Monday, Start: clock(8, 0), End: clock(12, 0), Mode: InPerson},
			{Weekday: time.Monday, Start: clock(11, 0), End: clock(13, 0), Mode: InPerson},
			{Weekday: time.Tuesday, Start: clock(12, 0), End: clock(11, 0), Mode: "x"}}}
	err := a.Validate()
	want := map[string]bool{"time_zone": true, "weekly[1].start": true, "weekly[2].end": true, "weekly[2].mode": true}
	for f := range want {
		if !contains(err.Error(), f) {
			t.Errorf("error %q does not name %s", err, f)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func BenchmarkGenerateSlots90Days(b *testing.B) {
	a := Availability{TimeZone: "America/Sao_Paulo", SlotMinutes: 30, BufferMinutes: 0, HorizonDays: 120,
		Weekly:     append(weekdays(clock(8, 0), clock(12, 0), InPerson), weekdays(clock(14, 0), clock(18, 0), Telemedicine)...),
		Exceptions: []Exception{{Date: Date{2026, 12, 25}}, {Date: Date{2027, 1, 1}}}}
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	from, to := now, now.AddDate(0, 0, 90)
	n := len(GenerateSlots(a, from, to, now))
	b.ReportMetric(float64(n), "slots")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		GenerateSlots(a, from, to, now)
	}
}

// The overlap check finds an overlap exactly when some pair of valid rules of one
// weekday overlaps (compared with the plain pairwise check).
func TestValidateOverlapMatchesPairwise(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 2000; n++ {
		var a Availability
		a.TimeZone, a.SlotMinutes, a.HorizonDays = "UTC", 30, 10
		k := rnd.IntN(8)
		for i := 0; i < k; i++ {
			s := ClockTime(rnd.IntN(24) * 60)
			a.Weekly = append(a.Weekly, Rule{Weekday: time.Weekday(rnd.IntN(2)), Start: s, End: s + ClockTime(rnd.IntN(6)*60), Mode: InPerson})
		}
		want := false
		for i, r := range a.Weekly {
			for j := 0; j < i; j++ {
				o := a.Weekly[j]
				if r.End > r.Start && o.End > o.Start && o.Weekday == r.Weekday && r.Start < o.End && o.Start < r.End {
					want = true
				}
			}
		}
		err := a.Validate()
		got := err != nil && strings.Contains(err.Error(), "sobrepõe-se a")
		if got != want {
			t.Fatalf("rules %+v: overlap reported %v, want %v (%v)", a.Weekly, got, want, err)
		}
	}
}

// Many identical rules are refused by their count alone, with one field error.
func TestValidateManyRulesCountedFirst(t *testing.T) {
	a := Availability{TimeZone: "UTC", SlotMinutes: 30, HorizonDays: 10}
	for i := 0; i < 10_000; i++ {
		a.Weekly = append(a.Weekly, Rule{Weekday: time.Monday, Start: clock(8, 0), End: clock(12, 0), Mode: InPerson})
	}
	var ke *kernel.Error
	if !errors.As(a.Validate(), &ke) || len(ke.Fields) != 1 || ke.Fields[0].Field != "weekly" {
		t.Fatalf("got %v", a.Validate())
	}
	// At the maximum, identical rules give at most one overlap per rule.
	a.Weekly = a.Weekly[:MaxWeeklyRules]
	if !errors.As(a.Validate(), &ke) || len(ke.Fields) != kernel.MaxFieldErrors+1 {
		t.Fatalf("got %d fields", len(ke.Fields))
	}
}

func TestMaxAppointmentLengthExceedsEveryAppointment(t *testing.T) {
	for _, b := range []Bounds{SlotMinutesBounds, DurationMinutesBounds} {
		if time.Duration(b.Max)*time.Minute >= MaxAppointmentLength {
			t.Fatalf("an appointment may last %d minutes: MaxAppointmentLength (%s) must be longer", b.Max, MaxAppointmentLength)
		}
	}
}
