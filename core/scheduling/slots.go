package scheduling

import (
	"sort"
	"time"
)

// Slot is a bookable span of time.
type Slot struct {
	Start, End time.Time
	Mode       Mode
	Place      string
}

// Interval is a booked span of one resource (an appointment that holds time).
type Interval struct {
	Start, End time.Time
}

// GenerateSlots expands a into the slots starting in [from, to), sorted, in a's zone.
// A slot starts no earlier than now plus the minimum notice and before now plus
// the horizon. Slots never overlap and are at least the buffer apart; they lie
// inside a weekly rule or an extra-hours exception and outside every blocked
// exception. Wall-clock times that a DST change skips or repeats yield no slot
// or one slot, never two overlapping ones.
func GenerateSlots(a Availability, from, to, now time.Time) []Slot {
	if a.SlotMinutes <= 0 || !to.After(from) {
		return nil
	}
	loc := a.Location()
	earliest := now.Add(time.Duration(a.MinNoticeHours) * time.Hour)
	latest := now.AddDate(0, 0, a.HorizonDays)
	if from.Before(earliest) {
		from = earliest
	}
	if to.After(latest) {
		to = latest
	}
	if !to.After(from) {
		return nil
	}
	slotLen := time.Duration(a.SlotMinutes) * time.Minute
	buffer := time.Duration(a.BufferMinutes) * time.Minute
	step := ClockTime(a.SlotMinutes + a.BufferMinutes)

	lf := from.In(loc)
	// Walk civil dates (a day early: a slot may start before from's local date in UTC terms).
	cy, cm, cd := time.Date(lf.Year(), lf.Month(), lf.Day()-1, 12, 0, 0, 0, time.UTC).Date()
	out := make([]Slot, 0, estimate(a, from, to))
	var prevEnd time.Time
	var wbuf [8]window
	for {
		y, m, d := cy, cm, cd
		midnight := time.Date(y, m, d, 0, 0, 0, 0, loc)
		if !midnight.Before(to) {
			break
		}
		cy, cm, cd = time.Date(y, m, d+1, 12, 0, 0, 0, time.UTC).Date()
		next := time.Date(cy, cm, cd, 0, 0, 0, 0, loc)
		_, off0 := midnight.Zone()
		_, off1 := next.Zone()
		regular := off0 == off1 && next.Sub(midnight) == 24*time.Hour && midnight.Hour() == 0
		wd := time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Weekday()
		ws := a.windowsOn(Date{y, m, d}, wd, wbuf[:0])
		lastEnd := ClockTime(-1 << 20)
		for _, w := range ws {
			t := w.start
			if min := lastEnd + ClockTime(a.BufferMinutes); t < min {
				t = min
			}
			for ; t+ClockTime(a.SlotMinutes) <= w.end; t += step {
				var s, e time.Time
				if regular {
					s = midnight.Add(time.Duration(t) * time.Minute)
					e = s.Add(slotLen)
				} else {
					s = time.Date(y, m, d, int(t)/60, int(t)%60, 0, 0, loc)
					et := t + ClockTime(a.SlotMinutes)
					e = time.Date(y, m, d, int(et)/60, int(et)%60, 0, 0, loc)
					// A skipped or repeated wall-clock hour: keep the slot only when its
					// wall times exist as written and it lasts exactly its length.
					if s.Hour()*60+s.Minute() != int(t)%1440 || e.Sub(s) != slotLen {
						continue
					}
				}
				lastEnd = t + ClockTime(a.SlotMinutes)
				if s.Before(from) || !s.Before(to) {
					continue
				}
				if !prevEnd.IsZero() && s.Before(prevEnd.Add(buffer)) {
					continue
				}
				out = append(out, Slot{Start: s, End: e, Mode: w.mode, Place: w.place})
				prevEnd = e
			}
		}
	}
	return out
}

// FreeSlots removes from slots (sorted) those that overlap capacity or more
// booked intervals. booked need not be sorted.
func FreeSlots(slots []Slot, booked []Interval, capacity int) []Slot {
	if len(booked) == 0 {
		return slots
	}
	if capacity < 1 {
		capacity = 1
	}
	b := append([]Interval(nil), booked...)
	sort.Slice(b, func(i, j int) bool { return b[i].Start.Before(b[j].Start) })
	var maxLen time.Duration
	for _, iv := range b {
		if d := iv.End.Sub(iv.Start); d > maxLen {
			maxLen = d
		}
	}
	out := make([]Slot, 0, len(slots))
	for _, s := range slots {
		lo := s.Start.Add(-maxLen)
		k := sort.Search(len(b), func(i int) bool { return b[i].Start.After(lo) || b[i].Start.Equal(lo) })
		n := 0
		for ; k < len(b) && b[k].Start.Before(s.End); k++ {
			if b[k].End.After(s.Start) {
				n++
			}
		}
		if n < capacity {
			out = append(out, s)
		}
	}
	return out
}

// FindSlot returns the generated slot starting exactly at start.
func FindSlot(slots []Slot, start time.Time) (Slot, bool) {
	i := sort.Search(len(slots), func(i int) bool { return !slots[i].Start.Before(start) })
	if i < len(slots) && slots[i].Start.Equal(start) {
		return slots[i], true
	}
	return Slot{}, false
}

// estimate is a capacity hint for GenerateSlots' result.
func estimate(a Availability, from, to time.Time) int {
	perWeek := 0
	for _, r := range a.Weekly {
		perWeek += int(r.End-r.Start) / (a.SlotMinutes + a.BufferMinutes)
	}
	days := int(to.Sub(from)/(24*time.Hour)) + 2
	n := perWeek*days/7 + 8
	if n > 1<<16 {
		n = 1 << 16
	}
	return n
}
