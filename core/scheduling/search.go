package scheduling

import (
	"cmp"
	"context"
	"math"
	"slices"
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

const earthRadiusKm = 6371.0

// DistanceKm is the great-circle distance between two points.
func DistanceKm(a, b Point) float64 {
	const r = earthRadiusKm
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
		return out, kernel.Invalid("mode", "deve ser in_person ou telemedicine")
	}
	if q.RadiusKm < 0 {
		return out, kernel.Invalid("radius_km", "não pode ser negativo")
	}
	var off int
	if page.Cursor != "" {
		if err := kernel.DecodeCursor(page.Cursor, &off); err != nil || off < 0 {
			return out, kernel.Invalid("cursor", "não é um cursor fornecido por esta API")
		}
	}
	pros, err := s.dir.VerifiedProfessionals(ctx, q.ProfessionalQuery)
	if err != nil {
		return out, kernel.Wrap(err, "list professionals")
	}
	type cand struct {
		i    int
		dist float64
	}
	cands := make([]cand, 0, len(pros))
	for i, pr := range pros {
		if !pr.Verified {
			continue
		}
		c := cand{i: i}
		if q.Near != nil {
			if !pr.Point.Known() {
				continue
			}
			// a great circle is never shorter than the latitudes' difference along a
			// meridian: outside the radius by that alone, no trigonometry needed
			if q.RadiusKm > 0 && math.Abs(pr.Point.Lat-q.Near.Lat)*math.Pi/180*earthRadiusKm > q.RadiusKm {
				continue
			}
			c.dist = DistanceKm(*q.Near, pr.Point)
			if q.RadiusKm > 0 && c.dist > q.RadiusKm {
				continue
			}
		}
		cands = append(cands, c)
	}
	if q.Near != nil {
		// by distance, ties in the directory's order; without a date filter a page
		// needs only its first off+limit candidates in order: no sort of all 20,000
		byDist := func(a, b cand) int {
			if c := cmp.Compare(a.dist, b.dist); c != 0 {
				return c
			}
			return cmp.Compare(a.i, b.i)
		}
		if need := off + page.Limit; q.Date == nil && need < len(cands)/4 {
			smallestFirst(cands, need, byDist)
		} else {
			slices.SortFunc(cands, byDist)
		}
	}
	now := s.now()
	batch := page.Limit
	if q.Date != nil {
		batch = page.Limit * 2 // some may have no free slot that day; the batch doubles when so
	}
	for i := off; i < len(cands) && len(out.Items) < page.Limit; i += batch {
		if i > off && q.Date != nil && batch < 400 {
			batch *= 2
		}
		chunk := cands[i:min(i+batch, len(cands))]
		ids := make([]kernel.ID, len(chunk))
		for k, c := range chunk {
			ids[k] = pros[c.i].ID
		}
		avs, err := s.store.Availabilities(ctx, ids)
		if err != nil {
			return out, kernel.Wrap(err, "availabilities")
		}
		from, to := now, now.AddDate(0, 0, s.opts.SearchDays)
		if q.Date != nil {
			// the widest span covering that date in any zone
			from = time.Date(q.Date.Year, q.Date.Month, q.Date.Day, 0, 0, 0, 0, time.UTC).Add(-14 * time.Hour)
			to = from.Add(52 * time.Hour)
		}
		booked, err := s.store.Booked(ctx, ids, from, to)
		if err != nil {
			return out, kernel.Wrap(err, "booked")
		}
		for k, c := range chunk {
			r := SearchResult{Professional: pros[c.i], DistanceKm: c.dist, NextSlots: []Slot{}}
			if av, ok := avs[r.Professional.ID]; ok {
				f, t := from, to
				if q.Date != nil {
					loc := av.Location()
					f = time.Date(q.Date.Year, q.Date.Month, q.Date.Day, 0, 0, 0, 0, loc)
					t = f.AddDate(0, 0, 1)
				}
				r.NextSlots = nextFree(av, f, t, now, booked[r.Professional.ID], q.Mode, s.opts.NextSlots)
			}
			if q.Date != nil && len(r.NextSlots) == 0 {
				continue
			}
			out.Items = append(out.Items, r)
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

// smallestFirst moves the n smallest elements of s (by cmpf, a total order) to its
// front, in order; the rest follow in no order. O(len(s) log n): a max-heap of the
// n smallest seen so far.
func smallestFirst[T any](s []T, n int, cmpf func(a, b T) int) {
	if n <= 0 {
		return
	}
	if n >= len(s) {
		slices.SortFunc(s, cmpf)
		return
	}
	h := s[:n]
	down := func(i int) {
		for {
			l, big := 2*i+1, i
			if l < n && cmpf(h[l], h[big]) > 0 {
				big = l
			}
			if r := l + 1; r < n && cmpf(h[r], h[big]) > 0 {
				big = r
			}
			if big == i {
				return
			}
			h[i], h[big] = h[big], h[i]
			i = big
		}
	}
	for i := n/2 - 1; i >= 0; i-- {
		down(i)
	}
	for j := n; j < len(s); j++ {
		if cmpf(s[j], h[0]) < 0 {
			h[0], s[j] = s[j], h[0]
			down(0)
		}
	}
	slices.SortFunc(h, cmpf)
}
