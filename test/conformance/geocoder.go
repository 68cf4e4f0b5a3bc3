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
