package scheduling

import (
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// WaitStatus is a waitlist entry's state.
type WaitStatus string

const (
	WaitWaiting   WaitStatus = "waiting"   // in line
	WaitOffered   WaitStatus = "offered"   // a freed slot is held for this patient until HoldUntil
	WaitFulfilled WaitStatus = "fulfilled" // the patient booked the offered slot
	WaitExpired   WaitStatus = "expired"   // the hold ran out; the entry goes back in line
	WaitLeft      WaitStatus = "left"      // the patient left the list
)

// WaitlistEntry is a patient waiting for a professional's slot between two dates.
type WaitlistEntry struct {
	ID             kernel.ID
	ProfessionalID kernel.ID
	PatientID      kernel.ID
	From, To       Date // inclusive, in the professional's zone
	Status         WaitStatus
	OfferedStart   time.Time // the held slot, when offered
	OfferedEnd     time.Time
	HoldUntil      time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Covers reports whether the entry wants a slot starting at t (in loc).
func (w WaitlistEntry) Covers(t time.Time, loc *time.Location) bool {
	d := DateOf(t.In(loc))
	return !d.Before(w.From) && !w.To.Before(d)
}
