package scheduling

import (
	"cmp"
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
