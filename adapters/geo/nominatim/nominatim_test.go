package nominatim_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/geo/nominatim"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
)

// fakeNominatim answers /search like Nominatim (jsonv2: an array of places
// with string coordinates) from a small table keyed by structured fields.
type fakeNominatim struct {
	mu       sync.Mutex
	requests []*http.Request
	times    []time.Time
	status   int
}

func (f *fakeNominatim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r)
	f.times = append(f.times, time.Now())
	status := f.status
	f.mu.Unlock()
	if status != 0 {
		w.WriteHeader(status)
		return
	}
	q := r.URL.Query()
	if r.URL.Path != "/search" || q.Get("format") != "jsonv2" || q.Get("countrycodes") != "br" || r.UserAgent() == "" || r.UserAgent() == "Go-http-client/1.1" {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	out := []map[string]any{}
	switch {
	case q.Get("street") == "1000 Avenida Paulista" && q.Get("city") == "São Paulo":
		out = append(out, map[string]any{"place_id": 1, "lat": "-23.5631", "lon": "-46.6544", "display_name": "Avenida Paulista, 1000"})
	case q.Get("postalcode") == "01310-100" && q.Get("addressdetails") == "1":
		out = append(out, map[string]any{"place_id": 3, "lat": "-23.5613", "lon": "-46.6565", "display_name": "Avenida Paulista, Bela Vista, São Paulo",
			"address": map[string]any{"road": "Avenida Paulista", "suburb": "Bela Vista", "city": "São Paulo", "state": "São Paulo",
				"ISO3166-2-lvl4": "BR-SP", "postcode": "01310-100", "country_code": "br"}})
	case q.Get("postalcode") == "13083-970" && q.Get("addressdetails") == "1":
		out = append(out, map[string]any{"place_id": 4, "lat": "-22.8170", "lon": "-47.0700", "display_name": "Barão Geraldo, Campinas",
			"address": map[string]any{"neighbourhood": "Barão Geraldo", "town": "Campinas", "postcode": "13083-970"}})
	case q.Get("postalcode") == "20040-020" && q.Get("street") == "":
		out = append(out, map[string]any{"place_id": 2, "lat": "-22.9035", "lon": "-43.1775", "display_name": "Centro, Rio de Janeiro"})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

func start(t *testing.T, mutate func(*nominatim.Config)) (*fakeNominatim, *nominatim.Geocoder) {
	f := &fakeNominatim{}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	cfg := nominatim.Config{URL: srv.URL, MinInterval: time.Millisecond}
	if mutate != nil {
		mutate(&cfg)
	}
	g, err := nominatim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return f, g
}

func TestConformance(t *testing.T) {
	conformance.RunGeocoder(t, func(t *testing.T) conformance.GeocoderFixture {
		_, g := start(t, nil)
		return conformance.GeocoderFixture{
			Geocoder: g,
			Known: []conformance.GeocodeCase{
				{Address: ports.Address{CEP: "01310-100", Street: "Avenida Paulista", Number: "1000", City: "São Paulo", UF: "SP"},
					Want: ports.Point{Lat: -23.5631, Lng: -46.6544}, ToleranceKm: 0.1},
				{Address: ports.Address{CEP: "20040020", Street: "Rua Desconhecida", City: "Rio de Janeiro", UF: "RJ"},
					Want: ports.Point{Lat: -22.9035, Lng: -43.1775}, ToleranceKm: 0.1},
			},
			Unknown: []ports.Address{{Street: "Rua Inexistente", Number: "1", City: "Lugar Nenhum", UF: "SP"}, {CEP: "69900-000"}, {}},
		}
	})
}

func TestRequestShapeAndCache(t *testing.T) {
	f, g := start(t, func(c *nominatim.Config) {
		c.UserAgent = "multisaude-test/1.0 (ops@example.com)"
		c.Email = "ops@example.com"
	})
	a := ports.Address{CEP: "01310-100", Street: "Avenida Paulista", Number: "1000", City: "São Paulo", UF: "sp"}
	for i := 0; i < 3; i++ {
		if _, err := g.Geocode(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.requests) != 1 {
		t.Fatalf("%d requests for one address asked three times; want 1 (cache)", len(f.requests))
	}
	r := f.requests[0]
	q := r.URL.Query()
	if r.UserAgent() != "multisaude-test/1.0 (ops@example.com)" || q.Get("email") != "ops@example.com" || q.Get("state") != "SP" ||
		q.Get("postalcode") != "01310-100" || q.Get("limit") != "1" || r.Header.Get("Accept-Language") != "pt-BR" {
		t.Errorf("request %s headers %v", r.URL, r.Header)
	}
}

func TestRateLimit(t *testing.T) {
	f, g := start(t, func(c *nominatim.Config) { c.MinInterval = 150 * time.Millisecond })
	for _, city := range []string{"A", "B", "C", "D"} {
		_, _ = g.Geocode(context.Background(), ports.Address{City: city})
	}
	f.mu.Lock()
	times := append([]time.Time(nil), f.times...)
	f.mu.Unlock()
	if len(times) != 4 {
		t.Fatalf("%d requests, want 4", len(times))
	}
	// Arrival times jitter with scheduling: check the span and a loose per-gap floor.
	if span := times[3].Sub(times[0]); span < 420*time.Millisecond {
		t.Errorf("4 requests arrived within %s, want >= 450ms at one per 150ms", span)
	}
	for i := 1; i < len(times); i++ {
		if d := times[i].Sub(times[i-1]); d < 75*time.Millisecond {
			t.Errorf("requests %d and %d were %s apart, want about 150ms", i-1, i, d)
		}
	}
	// A context that ends while waiting for the limiter is unavailable, not a hang.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, _ = g.Geocode(context.Background(), ports.Address{City: "E"})
	if _, err := g.Geocode(ctx, ports.Address{City: "F"}); kernel.KindOf(err) != kernel.KindUnavailable {
		t.Errorf("waiting past the deadline: %v", err)
	}
}

func TestFailuresAndFallback(t *testing.T) {
	f, g := start(t, nil)
	f.status = http.StatusTooManyRequests
	if _, err := g.Geocode(context.Background(), ports.Address{City: "X"}); kernel.KindOf(err) != kernel.KindUnavailable {
		t.Errorf("429: %v", err)
	}
	_, fb := start(t, func(c *nominatim.Config) { c.FallbackOffline = true })
	p, err := fb.Geocode(context.Background(), ports.Address{CEP: "69900-000"})
	if err != nil || conformance.DistanceKm(p, ports.Point{Lat: -9.97, Lng: -67.81}) > 5 {
		t.Errorf("offline fallback: %v %v", p, err)
	}
	if _, err := nominatim.New(nominatim.Config{URL: "ftp://x"}); err == nil {
		t.Error("a non-http URL was accepted")
	}
}

func TestCEPLookupConformance(t *testing.T) {
	conformance.RunCEPLookup(t, func(t *testing.T) conformance.CEPLookupFixture {
		_, g := start(t, nil)
		return conformance.CEPLookupFixture{
			Lookup: g,
			Known: []conformance.CEPCase{
				{CEP: "01310-100", Want: ports.Address{UF: "SP", City: "São Paulo", District: "Bela Vista", Street: "Avenida Paulista"},
					At: ports.Point{Lat: -23.5613, Lng: -46.6565}, ToleranceKm: 0.1},
				// no ISO code in the answer: the UF comes from the CEP's range
				{CEP: "13083970", Want: ports.Address{UF: "SP", City: "Campinas", District: "Barão Geraldo"},
					At: ports.Point{Lat: -22.8170, Lng: -47.0700}, ToleranceKm: 0.1},
			},
			Unknown: []string{"69900-000"},
		}
	})
}

func TestLookupCEPRequestAndFallback(t *testing.T) {
	f, g := start(t, nil)
	if _, _, err := g.LookupCEP(context.Background(), "01310100"); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	q := f.requests[len(f.requests)-1].URL.Query()
	f.mu.Unlock()
	if q.Get("postalcode") != "01310-100" || q.Get("addressdetails") != "1" || q.Get("street") != "" {
		t.Errorf("query %v", q)
	}
	_, fb := start(t, func(c *nominatim.Config) { c.FallbackOffline = true })
	a, _, err := fb.LookupCEP(context.Background(), "69900-000")
	if err != nil || a.UF != "AC" {
		t.Errorf("offline fallback: %+v %v", a, err)
	}
}
