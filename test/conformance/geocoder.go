package conformance

import (
	"context"
	"errors"
	"math"
	"sync"
	"testing"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// GeocodeCase is an address an adapter can place and where it must land.
type GeocodeCase struct {
	Address     ports.Address
	Want        ports.Point
	ToleranceKm float64 // 0 means 25 km
}

// GeocoderFixture is what RunGeocoder needs from an adapter's test: the
// geocoder and, since what a geocoder knows depends on its data (an offline
// table, a test server's answers), the addresses it can and cannot place.
type GeocoderFixture struct {
	Geocoder ports.Geocoder
	Known    []GeocodeCase   // at least one
	Unknown  []ports.Address // well-formed addresses it cannot place: kernel.KindNotFound
}

// RunGeocoder checks the Geocoder contract: known addresses land where they
// should (inside Brazil), unknown ones are kernel.KindNotFound, a malformed CEP
// is kernel.KindInvalid naming the field "cep", and concurrent use is safe.
func RunGeocoder(t *testing.T, newFixture func(t *testing.T) GeocoderFixture) {
	report(t, "Geocoder")
	ctx := context.Background()

	t.Run("Known", func(t *testing.T) {
		f := newFixture(t)
		if len(f.Known) == 0 {
			t.Fatal("the fixture gives no known address")
		}
		for _, c := range f.Known {
			p, err := f.Geocoder.Geocode(ctx, c.Address)
			if err != nil {
				t.Errorf("Geocode(%+v): %v", c.Address, err)
				continue
			}
			if !InBrazil(p) {
				t.Errorf("Geocode(%+v) = %+v, outside Brazil", c.Address, p)
			}
			tol := c.ToleranceKm
			if tol == 0 {
				tol = 25
			}
			if d := DistanceKm(p, c.Want); d > tol {
				t.Errorf("Geocode(%+v) = %+v, %.1f km from %+v (tolerance %.0f km)", c.Address, p, d, c.Want, tol)
			}
		}
	})

	t.Run("UnknownIsNotFound", func(t *testing.T) {
		f := newFixture(t)
		for _, a := range f.Unknown {
			_, err := f.Geocoder.Geocode(ctx, a)
			mustKind(t, "Geocode of an unknown address", err, kernel.KindNotFound)
		}
	})

	t.Run("BadCEPIsInvalid", func(t *testing.T) {
		f := newFixture(t)
		base := f.Known[0].Address
		for _, cep := range []string{"1234", "123456789", "0131O-100", "abcdefgh", "01310_100", "01310-1000"} {
			a := base
			a.CEP = cep
			_, err := f.Geocoder.Geocode(ctx, a)
			mustKind(t, "Geocode with CEP "+cep, err, kernel.KindInvalid)
			var ke *kernel.Error
			if errors.As(err, &ke) && (len(ke.Fields) == 0 || ke.Fields[0].Field != "cep") {
				t.Errorf("Geocode with CEP %s: fields %+v, want one naming cep", cep, ke.Fields)
			}
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		f := newFixture(t)
		var wg sync.WaitGroup
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func(c GeocodeCase) {
				defer wg.Done()
				if _, err := f.Geocoder.Geocode(ctx, c.Address); err != nil {
					t.Error(err)
				}
			}(f.Known[i%len(f.Known)])
		}
		wg.Wait()
	})
}

// InBrazil reports whether p lies in Brazil's bounding box.
func InBrazil(p ports.Point) bool {
	return p.Lat > -34.0 && p.Lat < 5.5 && p.Lng > -74.1 && p.Lng < -28.6
}

// DistanceKm is the great-circle distance between two points.
func DistanceKm(a, b ports.Point) float64 {
	const r = 6371.0
	rad := math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLng := (b.Lng - a.Lng) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

// CEPCase is a CEP an adapter knows and what it must answer.
type CEPCase struct {
	CEP         string
	Want        ports.Address // UF always checked; City, District, Street when not empty
	At          ports.Point
	ToleranceKm float64 // 0 means 25 km
}

// CEPLookupFixture is what RunCEPLookup needs from an adapter's test.
type CEPLookupFixture struct {
	Lookup  ports.CEPLookup
	Known   []CEPCase // at least one
	Unknown []string  // well-formed CEPs it does not know: kernel.KindNotFound
}

// RunCEPLookup checks the CEPLookup contract: known CEPs answer their state
// (and city, district, street where the fixture expects them), the CEP as
// eight digits and a point near the truth; unknown ones are
// kernel.KindNotFound; a malformed CEP is kernel.KindInvalid naming "cep";
// concurrent use is safe.
func RunCEPLookup(t *testing.T, newFixture func(t *testing.T) CEPLookupFixture) {
	report(t, "CEPLookup")
	ctx := context.Background()

	t.Run("Known", func(t *testing.T) {
		f := newFixture(t)
		if len(f.Known) == 0 {
			t.Fatal("the fixture gives no known CEP")
		}
		for _, c := range f.Known {
			a, p, err := f.Lookup.LookupCEP(ctx, c.CEP)
			if err != nil {
				t.Errorf("LookupCEP(%s): %v", c.CEP, err)
				continue
			}
			if len(a.CEP) != 8 || a.UF != c.Want.UF {
				t.Errorf("LookupCEP(%s) = %+v, want CEP as 8 digits and UF %s", c.CEP, a, c.Want.UF)
			}
			for _, w := range [][2]string{{c.Want.City, a.City}, {c.Want.District, a.District}, {c.Want.Street, a.Street}} {
				if w[0] != "" && w[0] != w[1] {
					t.Errorf("LookupCEP(%s) = %+v, want %+v", c.CEP, a, c.Want)
				}
			}
			tol := c.ToleranceKm
			if tol == 0 {
				tol = 25
			}
			if !InBrazil(p) || DistanceKm(p, c.At) > tol {
				t.Errorf("LookupCEP(%s) at %+v, want within %.0f km of %+v", c.CEP, p, tol, c.At)
			}
		}
	})

	t.Run("UnknownIsNotFound", func(t *testing.T) {
		f := newFixture(t)
		for _, cep := range f.Unknown {
			_, _, err := f.Lookup.LookupCEP(ctx, cep)
			mustKind(t, "LookupCEP of an unknown CEP", err, kernel.KindNotFound)
		}
	})

	t.Run("BadCEPIsInvalid", func(t *testing.T) {
		f := newFixture(t)
		for _, cep := range []string{"", "1234", "123456789", "0131O-100", "abcdefgh", "01310_100", "01310-1000"} {
			_, _, err := f.Lookup.LookupCEP(ctx, cep)
			mustKind(t, "LookupCEP("+cep+")", err, kernel.KindInvalid)
			var ke *kernel.Error
			if errors.As(err, &ke) && (len(ke.Fields) == 0 || ke.Fields[0].Field != "cep") {
				t.Errorf("LookupCEP(%s): fields %+v, want one naming cep", cep, ke.Fields)
			}
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		f := newFixture(t)
		var wg sync.WaitGroup
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func(c CEPCase) {
				defer wg.Done()
				if _, _, err := f.Lookup.LookupCEP(ctx, c.CEP); err != nil {
					t.Error(err)
				}
			}(f.Known[i%len(f.Known)])
		}
		wg.Wait()
	})
}
