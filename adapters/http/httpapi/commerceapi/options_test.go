package commerceapi

import (
	"fmt"
	"math"
	"regexp"
	"testing"
)

func TestNearOf(t *testing.T) {
	cases := map[string]bool{
		"-23.55,-46.63": true, "0,0": true, "90,180": true, "-90,-180": true, "-23.561400000001,-46.6559": true,
		"": false, "abc": false, "-23.5": false, "91,0": false, "0,180.5": false, "-23.5,-46.6,1": false, "1e3,2": false,
		"-23.5;-46.6": false, " -23.5,-46.6": false, "NaN,0": false, "Inf,0": false, "+1,2": false, "1.,2": false, "0x1,2": false,
	}
	for v, want := range cases {
		if _, ok := nearOf(v); ok != want {
			t.Errorf("nearOf(%q) ok = %v, want %v", v, ok, want)
		}
	}
}

// FuzzNearOf: whatever comes in, a parsed point is on the map and its text
// matches the documented pattern (the document and the check agree).
func FuzzNearOf(f *testing.F) {
	for _, s := range []string{"-23.55,-46.63", "90,180", "91,0", "a,b", "1e3,2", ""} {
		f.Add(s)
	}
	documented := regexp.MustCompile(nearPattern)
	f.Fuzz(func(t *testing.T, v string) {
		p, ok := nearOf(v)
		if !ok {
			return
		}
		if math.IsNaN(p.Lat) || math.IsNaN(p.Lng) || math.Abs(p.Lat) > 90 || math.Abs(p.Lng) > 180 || !documented.MatchString(v) {
			t.Fatalf("nearOf(%q) = %v", v, p)
		}
		if _, ok := nearOf(fmt.Sprintf("%v,%v", p.Lat, p.Lng)); !ok && math.Abs(p.Lat) >= 1e-4 && math.Abs(p.Lng) >= 1e-4 {
			t.Fatalf("%v does not read back", p)
		}
	})
}
