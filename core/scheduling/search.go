package scheduling

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// SearchQuery filters verified professionals.
type SearchQuery struct {
	ProfessionalQuery
	Near     *Point
	RadiusKm float64
	Date     *Date // only professionals with a free slot that day (in their zone)
	Page     kernel.Page
}

// SearchResult is a professional with their next free slots.
type SearchResult struct {
	Professional Professional
	DistanceKm   float64
	NextSlots    []Slot
}

// DistanceKm is the great-circle distance between two points.
func DistanceKm(a, b Point) float64 {
	const r = 6371.0
	la1, la2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	dla, dlo := la2-la1, (b.Lng-a.Lng)*math.Pi/180
	h := math.Sin(dla/2)*math.Sin(dla/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dlo/2)*math.Sin(dlo/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}

// Search lists verified professionals matching q, each with the next free slots, by
// distance when Near is given, else by ID. Candidates come from the directory in one
// call; availability and bookings are then read in batches only for the candidates a
// page needs, and slots are generated in memory (a pure function, microseconds each).
func (s *Service) Search(ctx context.Context, p kernel.Principal, q SearchQuery) (kernel.List[SearchResult], error) {
	out := kernel.List[SearchResult]{Items: []SearchResult{}}
	page, err := q.Page.Normalize()
	if err != nil {
		return out, err
	}
	if q.Mode != "" && !q.Mode.Valid() {
		return out, kernel.Invalid("mode", "must be in_person or telemedicine")
	}
	if q.RadiusKm < 0 {
		return out, kernel.Invalid("radius_km", "must not be negative")
	}
	var off int
	if page.Cursor != "" {
		if err := kernel.DecodeCursor(page.Cursor, &off); err != nil || off < 0 {
			return out, kernel.Invalid("cursor", "is not a cursor this API gave")
		}
	}
	pros, err := s.dir.VerifiedProfessionals(ctx, q.ProfessionalQuery)
	if err != nil {
		return out, kernel.Wrap(err, "list professionals")
	}
	cands := make([]SearchResult, 0, len(pros))
	for _, pr := range pros {
		if !pr.Verified {
			continue
		}
		r := SearchResult{Professional: pr}
		if q.Near != nil {
			if !pr.Point.Known() {
				continue
			}
			r.DistanceKm = DistanceKm(*q.Near, pr.Point)
			if q.RadiusKm > 0 && r.DistanceKm > q.RadiusKm {
				continue
			}
		}
		cands = append(cands, r)
	}
	if q.Near != nil {
		sort.SliceStable(cands, func(i, j int) bool { return cands[i].DistanceKm < cands[j].DistanceKm })
	}
	now := s.now()
	batch := page.Limit
	if q.Date != nil {
		batch = max(page.Limit*2, 200) // many may have no free slot that day
	}
	for i := off; i < len(cands) && len(out.Items) < page.Limit; i += batch {
		chunk := cands[i:min(i+batch, len(cands))]
		ids := make([]kernel.ID, len(chunk))
		for k, c := range chunk {
			ids[k] = c.Professional.ID
		}
		avs, err := s.store.Availabilities(ctx, ids)
		if err != nil {
			return out, kernel.Wrap(err, "availabilities")
		}
		from, to := now, now.AddDate(0, 0, s.opts.SearchDays)
		if q.Date != nil {
			// widest span covering that date in any zone
			from = time.Date(q.Date.Year, q.Date.Month, q.Date.Day, 0, 0, 0, 0, time.UTC).Add(-14 * time.Hour)
			to = from.Add(52 * time.Hour)
		}
		booked, err := s.store.Booked(ctx, ids, from, to)
		if err != nil {
			return out, kernel.Wrap(err, "booked")
		}
		for k, c := range chunk {
			av, ok := avs[c.Professional.ID]
			c.NextSlots = []Slot{}
			if ok {
				f, t := from, to
				if q.Date != nil {
					loc := av.Location()
					f = time.Date(q.Date.Year, q.Date.Month, q.Date.Day, 0, 0, 0, 0, loc)
					t = f.AddDate(0, 0, 1)
				}
				c.NextSlots = nextFree(av, f, t, now, booked[c.Professional.ID], q.Mode, s.opts.NextSlots)
			}
			if q.Date != nil && len(c.NextSlots) == 0 {
				continue
			}
			out.Items = append(out.Items, c)
			if len(out.Items) == page.Limit {
				if i+k+1 < len(cands) {
					out.NextCursor = kernel.EncodeCursor(i + k + 1)
				}
				break
			}
		}
	}
	return out, nil
}

// nextFree generates day by day until n free slots are found.
func nextFree(av Availability, from, to, now time.Time, booked []Interval, mode Mode, n int) []Slot {
	out := []Slot{}
	loc := av.Location()
	for f := from; f.Before(to) && len(out) < n; {
		t := f.Add(72 * time.Hour)
		if t.After(to) {
			t = to
		}
		for _, sl := range FreeSlots(GenerateSlots(av, f, t, now), booked, 1) {
			if mode == "" || sl.Mode == mode {
				out = append(out, sl.in(loc))
				if len(out) == n {
					break
				}
			}
		}
		f = t
	}
	return out
}
