package scheduling

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/multisaude/multisaude/core/kernel"
)

// DefaultTimeZone is the zone an availability is written in when none is given.
const DefaultTimeZone = "America/Sao_Paulo"

// Mode is how an appointment happens.
type Mode string

const (
	InPerson     Mode = "in_person"
	Telemedicine Mode = "telemedicine"
)

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool { return m == InPerson || m == Telemedicine }

// ClockTime is a wall-clock time of day, in minutes after midnight (0..1440).
type ClockTime int

// ParseClock reads "HH:MM" (24:00 allowed as the end of a day).
func ParseClock(s string) (ClockTime, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	h, m := 0, 0
	for _, c := range s[:2] {
		if c < '0' || c > '9' {
			return 0, false
		}
		h = h*10 + int(c-'0')
	}
	for _, c := range s[3:] {
		if c < '0' || c > '9' {
			return 0, false
		}
		m = m*10 + int(c-'0')
	}
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return ClockTime(h*60 + m), true
}

func (c ClockTime) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// Date is a civil date with no zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads "YYYY-MM-DD".
func ParseDate(s string) (Date, bool) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, false
	}
	return DateOf(t), true
}

// DateOf is the civil date of t in t's location.
func DateOf(t time.Time) Date { y, m, d := t.Date(); return Date{y, m, d} }

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// Before orders dates.
func (d Date) Before(o Date) bool {
	if d.Year != o.Year {
		return d.Year < o.Year
	}
	if d.Month != o.Month {
		return d.Month < o.Month
	}
	return d.Day < o.Day
}

// Limits of an availability, checked before any per-item work.
const (
	MaxWeeklyRules = 100 // rules in a week
	MaxExceptions  = 400 // dated exceptions
	MaxPlaceLen    = 200 // characters of a place
)

// Bounds is an inclusive interval of whole numbers.
type Bounds struct{ Min, Max int }

// Holds reports whether Min <= n <= Max.
func (b Bounds) Holds(n int) bool { return n >= b.Min && n <= b.Max }

// Bounds of an availability's settings and of an exam service's.
var (
	SlotMinutesBounds     = Bounds{5, 480}
	BufferMinutesBounds   = Bounds{0, 240}
	NoticeHoursBounds     = Bounds{0, 24 * 30} // min_notice_hours, cancel_until_hours
	HorizonDaysBounds     = Bounds{1, 366}
	DurationMinutesBounds = Bounds{5, 480}
	CapacityBounds        = Bounds{1, 100}
)

// MaxAppointmentLength is longer than any appointment can last (a slot or an
// exam lasts at most 480 minutes): a read of the appointments overlapping
// [from, to) may bound start_at below by from - MaxAppointmentLength, so an
// index range scan never walks a resource's whole past.
const MaxAppointmentLength = 24 * time.Hour

// Limits of other requests.
const (
	MaxReasonLen      = 1000 // characters of a booking's or a cancellation's reason
	MaxExamNameLen    = 200
	MaxExamCodeLen    = 40
	MaxPreparationLen = 4000
	MaxWaitlistDays   = 366 // days between a waitlist entry's from and to
	MaxSlotDays       = 92  // days of slots one request may expand
	MaxAgendaDays     = 366 // days of an agenda one request may span (paged)
)

// Rule is a weekly window of work.
type Rule struct {
	Weekday    time.Weekday
	Start, End ClockTime
	Mode       Mode
	Place      string
}

// Exception changes one date: a day off (Available false, no hours), blocked hours
// (Available false with hours) or extra hours (Available true with hours).
type Exception struct {
	Date       Date
	Available  bool
	Start, End ClockTime // both zero: the whole day
	Mode       Mode
	Place      string
}

// WholeDay reports whether the exception has no hours.
func (e Exception) WholeDay() bool { return e.Start == 0 && e.End == 0 }

// Availability is when a professional (or an exam service) can be booked.
type Availability struct {
	OwnerID          kernel.ID // a professional's or an exam service's ID
	TimeZone         string
	SlotMinutes      int
	BufferMinutes    int
	MinNoticeHours   int
	HorizonDays      int
	CancelUntilHours int // how late before the start a patient may cancel or reschedule
	Weekly           []Rule
	Exceptions       []Exception
	Version          int64
	UpdatedAt        time.Time

	loc *time.Location
}

// Location returns the availability's zone (UTC if it cannot be loaded, which Validate prevents).
func (a *Availability) Location() *time.Location {
	if a.loc != nil && a.loc.String() == a.TimeZone {
		return a.loc
	}
	loc, err := loadZone(a.TimeZone)
	if err != nil {
		return time.UTC
	}
	a.loc = loc
	return loc
}

var (
	zoneMu    sync.RWMutex
	zoneCache = map[string]*time.Location{}
)

func loadZone(name string) (*time.Location, error) {
	zoneMu.RLock()
	loc, ok := zoneCache[name]
	zoneMu.RUnlock()
	if ok {
		return loc, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zoneMu.Lock()
	zoneCache[name] = loc
	zoneMu.Unlock()
	return loc, nil
}

// Weekdays by their English names, lower case.
var weekdayNames = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

// ParseWeekday reads an English weekday name.
func ParseWeekday(s string) (time.Weekday, bool) {
	d, ok := weekdayNames[strings.ToLower(s)]
	return d, ok
}

// WeekdayName is the lower-case English name of d.
func WeekdayName(d time.Weekday) string { return strings.ToLower(d.String()) }

// Normalize fills defaults.
func (a *Availability) Normalize() {
	if a.TimeZone == "" {
		a.TimeZone = DefaultTimeZone
	}
	if a.SlotMinutes == 0 {
		a.SlotMinutes = 30
	}
	if a.HorizonDays == 0 {
		a.HorizonDays = 60
	}
}

// Validate names every bad field. Rules of one weekday must not overlap.
func (a *Availability) Validate() error {
	var p kernel.Problems
	if _, err := loadZone(a.TimeZone); err != nil || a.TimeZone == "" || a.TimeZone == "Local" {
		p.Add("time_zone", "não é um fuso horário IANA conhecido")
	}
	if !SlotMinutesBounds.Holds(a.SlotMinutes) {
		p.Add("slot_minutes", "deve estar entre %d e %d", SlotMinutesBounds.Min, SlotMinutesBounds.Max)
	}
	if !BufferMinutesBounds.Holds(a.BufferMinutes) {
		p.Add("buffer_minutes", "deve estar entre %d e %d", BufferMinutesBounds.Min, BufferMinutesBounds.Max)
	}
	if !NoticeHoursBounds.Holds(a.MinNoticeHours) {
		p.Add("min_notice_hours", "deve estar entre %d e %d", NoticeHoursBounds.Min, NoticeHoursBounds.Max)
	}
	if !HorizonDaysBounds.Holds(a.HorizonDays) {
		p.Add("horizon_days", "deve estar entre %d e %d", HorizonDaysBounds.Min, HorizonDaysBounds.Max)
	}
	if !NoticeHoursBounds.Holds(a.CancelUntilHours) {
		p.Add("cancel_until_hours", "deve estar entre %d e %d", NoticeHoursBounds.Min, NoticeHoursBounds.Max)
	}
	if len(a.Weekly) > MaxWeeklyRules {
		p.Add("weekly", "deve ter no máximo %d regras", MaxWeeklyRules)
	} else {
		a.validateWeekly(&p)
	}
	if len(a.Exceptions) > MaxExceptions {
		p.Add("exceptions", "deve ter no máximo %d itens", MaxExceptions)
		return p.Err()
	}
	for i, e := range a.Exceptions {
		f := fmt.Sprintf("exceptions[%d].", i)
		if e.Date.Year < 2000 || e.Date.Year > 2200 {
			p.Add(f+"date", "deve ser uma data como 2026-12-25")
		}
		if e.Available {
			if e.End <= e.Start {
				p.Add(f+"end", "deve ser posterior ao início")
			}
			if !e.Mode.Valid() {
				p.Add(f+"mode", "deve ser in_person ou telemedicine")
			}
		} else if !e.WholeDay() && e.End <= e.Start {
			p.Add(f+"end", "deve ser posterior ao início")
		}
		if utf8.RuneCountInString(e.Place) > MaxPlaceLen {
			p.Add(f+"place", "deve ter no máximo %d caracteres", MaxPlaceLen)
		}
	}
	return p.Err()
}

// validateWeekly checks each rule, then finds overlapping rules of one weekday
// by sorting (O(n log n)): each rule that starts before an earlier-starting
// rule of its day ends is named once.
func (a *Availability) validateWeekly(p *kernel.Problems) {
	valid := make([]int, 0, len(a.Weekly))
	for i, r := range a.Weekly {
		f := fmt.Sprintf("weekly[%d].", i)
		ok := true
		if r.Weekday < time.Sunday || r.Weekday > time.Saturday {
			p.Add(f+"weekday", "deve ser um dia da semana, como monday")
			ok = false
		}
		if r.End <= r.Start {
			p.Add(f+"end", "deve ser posterior ao início")
			ok = false
		}
		if !r.Mode.Valid() {
			p.Add(f+"mode", "deve ser in_person ou telemedicine")
		}
		if utf8.RuneCountInString(r.Place) > MaxPlaceLen {
			p.Add(f+"place", "deve ter no máximo %d caracteres", MaxPlaceLen)
		}
		if ok {
			valid = append(valid, i)
		}
	}
	sort.SliceStable(valid, func(x, y int) bool {
		r, o := a.Weekly[valid[x]], a.Weekly[valid[y]]
		if r.Weekday != o.Weekday {
			return r.Weekday < o.Weekday
		}
		return r.Start < o.Start
	})
	last := -1 // the rule of the current weekday that ends latest so far
	for _, i := range valid {
		r := a.Weekly[i]
		if last >= 0 && a.Weekly[last].Weekday == r.Weekday && r.Start < a.Weekly[last].End {
			later, earlier := i, last
			if later < earlier {
				later, earlier = earlier, later
			}
			p.Add(fmt.Sprintf("weekly[%d].start", later), "sobrepõe-se a weekly[%d]", earlier)
		}
		if last < 0 || a.Weekly[last].Weekday != r.Weekday || r.End > a.Weekly[last].End {
			last = i
		}
	}
}

// window is a span of wall-clock minutes on one date.
type window struct {
	start, end ClockTime
	mode       Mode
	place      string
}

// windowsOn returns the bookable windows of a date, sorted, without blocked hours.
func (a *Availability) windowsOn(d Date, wd time.Weekday, buf []window) []window {
	ws := buf[:0]
	for _, r := range a.Weekly {
		if r.Weekday == wd {
			ws = append(ws, window{r.Start, r.End, r.Mode, r.Place})
		}
	}
	if len(a.Exceptions) == 0 {
		sortWindows(ws)
		return ws
	}
	for _, e := range a.Exceptions {
		if e.Date == d && e.Available {
			ws = append(ws, window{e.Start, e.End, e.Mode, e.Place})
		}
	}
	for _, e := range a.Exceptions {
		if e.Date != d || e.Available {
			continue
		}
		if e.WholeDay() {
			return ws[:0]
		}
		ws = subtract(ws, e.Start, e.End)
	}
	sortWindows(ws)
	return ws
}

// sortWindows is an insertion sort: a day has a handful of windows.
func sortWindows(ws []window) {
	for i := 1; i < len(ws); i++ {
		for j := i; j > 0 && ws[j].start < ws[j-1].start; j-- {
			ws[j], ws[j-1] = ws[j-1], ws[j]
		}
	}
}

func subtract(ws []window, s, e ClockTime) []window {
	out := ws[:0:0]
	for _, w := range ws {
		if e <= w.start || s >= w.end {
			out = append(out, w)
			continue
		}
		if w.start < s {
			out = append(out, window{w.start, s, w.mode, w.place})
		}
		if e < w.end {
			out = append(out, window{e, w.end, w.mode, w.place})
		}
	}
	return out
}
