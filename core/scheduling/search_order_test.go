package scheduling

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// smallestFirst puts in front exactly what a full sort puts there, ties included.
func TestSmallestFirstIsTheSortedPrefix(t *testing.T) {
	type cand struct {
		i    int
		dist float64
	}
	byDist := func(a, b cand) int {
		if c := cmp.Compare(a.dist, b.dist); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	}
	r := rand.New(rand.NewPCG(7, 11))
	for range 2000 {
		s := make([]cand, r.IntN(200))
		for i := range s {
			s[i] = cand{i, float64(r.IntN(30))} // many ties
		}
		r.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
		n := r.IntN(len(s) + 3)
		got, want := slices.Clone(s), slices.Clone(s)
		smallestFirst(got, n, byDist)
		slices.SortFunc(want, byDist)
		k := min(n, len(s))
		if !slices.Equal(got[:k], want[:k]) {
			t.Fatalf("n=%d of %d: front %v, sorted %v", n, len(s), got[:k], want[:k])
		}
		slices.SortFunc(got, byDist) // nothing lost or duplicated
		if !slices.Equal(got, want) {
			t.Fatalf("n=%d of %d: elements changed", n, len(s))
		}
	}
}

// The latitude test Search applies before DistanceKm never drops a point inside the radius.
func TestLatitudeBoundNeverExceedsTheDistance(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 9))
	for range 100000 {
		a := Point{Lat: -90 + r.Float64()*180, Lng: -180 + r.Float64()*360}
		b := Point{Lat: a.Lat + (r.Float64()-0.5)*10, Lng: a.Lng + (r.Float64()-0.5)*360}
		b.Lat = max(-90, min(90, b.Lat))
		bound := math.Abs(b.Lat-a.Lat) * math.Pi / 180 * earthRadiusKm
		if d := DistanceKm(a, b); bound > d+1e-9 {
			t.Fatalf("%v %v: bound %.6f km > distance %.6f km", a, b, bound, d)
		}
	}
}
