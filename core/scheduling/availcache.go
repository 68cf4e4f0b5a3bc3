package scheduling

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// CurrentBooker is an optional Store capability that lets Book skip reading the
// availability: the service validates the slot against a recently read
// availability and the store checks, inside the booking statement itself, that
// it is still current.
type CurrentBooker interface {
	// BookIfCurrent books like Book, but only while the availability of ownerID
	// still has availabilityVersion and no waitlist offer holds ownerID's slot at
	// a.Start with a hold lasting past now; both are checked in the statement that
	// inserts. booked is false, with nothing written, when either check fails or
	// the store cannot check them (the caller then takes the ordinary path);
	// kernel.KindConflict when the slot is taken.
	BookIfCurrent(ctx context.Context, a *Appointment, events []kernel.Event, ownerID kernel.ID, availabilityVersion int64, now time.Time) (booked bool, err error)
}

// availabilityCacheTTL bounds how long a read availability is reused. Staleness
// never decides a booking (the version is checked when inserting); it only
// sends a booking down the ordinary path.
const (
	availabilityCacheTTL = time.Minute
	availabilityCacheMax = 20_000
)

type availabilityCache struct {
	mu sync.Mutex
	m  map[kernel.ID]cachedAvailability
}

type cachedAvailability struct {
	av Availability
	at time.Time
}

func (c *availabilityCache) get(owner kernel.ID, now time.Time) (Availability, bool) {
	c.mu.Lock()
	e, ok := c.m[owner]
	c.mu.Unlock()
	if !ok || now.Sub(e.at) > availabilityCacheTTL || now.Before(e.at) {
		return Availability{}, false
	}
	return e.av, true
}

func (c *availabilityCache) put(av Availability, now time.Time) {
	c.mu.Lock()
	if c.m == nil || len(c.m) >= availabilityCacheMax {
		c.m = make(map[kernel.ID]cachedAvailability)
	}
	// The entry outlives the request: own the key's bytes whatever buffer they came from.
	c.m[strings.Clone(av.OwnerID)] = cachedAvailability{av, now}
	c.mu.Unlock()
}

func (c *availabilityCache) drop(owner kernel.ID) {
	c.mu.Lock()
	delete(c.m, owner)
	c.mu.Unlock()
}

// bookCurrent is Book's fast path: a consultation validated against the cached
// availability and inserted only if that availability is still current and no
// waitlist hold covers the slot. done is false when the ordinary path must decide.
func (s *Service) bookCurrent(ctx context.Context, a *Appointment, ownerID kernel.ID, r BookRequest, now time.Time) (done bool, err error) {
	cb, ok := s.store.(CurrentBooker)
	if !ok || a.Kind != KindConsultation {
		return false, nil
	}
	av, ok := s.avCache.get(ownerID, now)
	if !ok {
		return false, nil
	}
	slot, err := offeredSlot(av, true, r.Start, r.Mode, now)
	if err != nil {
		return false, nil // the cached copy may be stale: a fresh read decides
	}
	if s.requireModeConsent(ctx, a.PatientID, slot.Mode) != nil {
		return false, nil // the ordinary path checks again and answers the refusal
	}
	a.Start, a.End, a.Mode, a.Place = slot.Start.UTC(), slot.End.UTC(), slot.Mode, slot.Place
	booked, err := cb.BookIfCurrent(ctx, a, []kernel.Event{a.event(TopicBooked, now)}, ownerID, av.Version, now)
	if err != nil {
		return true, err
	}
	if !booked {
		s.avCache.drop(ownerID)
	}
	return booked, nil
}
