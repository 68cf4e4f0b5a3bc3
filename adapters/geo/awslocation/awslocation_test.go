package awslocation_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/multisaude/multisaude/adapters/geo/awslocation"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
)

const index = "multisaude-index"

// fakeLocation answers SearchPlaceIndexForText
// (POST /places/v0/indexes/{IndexName}/search/text on the places. host) with
// points as [longitude, latitude], as documented.
type fakeLocation struct {
	mu     sync.Mutex
	bodies []map[string]any
	hosts  []string
	fail   string // error code to answer with
}

func awsErr(w http.ResponseWriter, status int, code string) {
	w.Header().Set("X-Amzn-ErrorType", code)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`{"message":"` + code + `"}`))
}

func (f *fakeLocation) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") || !strings.Contains(r.Header.Get("Authorization"), "/geo/aws4_request") {
		awsErr(w, http.StatusForbidden, "AccessDeniedException")
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/places/v0/indexes/"+index+"/search/text" {
		awsErr(w, http.StatusNotFound, "ResourceNotFoundException")
		return
	}
	var in map[string]any
	_ = json.NewDecoder(r.Body).Decode(&in)
	f.mu.Lock()
	f.bodies = append(f.bodies, in)
	f.hosts = append(f.hosts, r.Host)
	fail := f.fail
	f.mu.Unlock()
	switch fail {
	case "ThrottlingException":
		awsErr(w, http.StatusTooManyRequests, fail)
		return
	case "ValidationException":
		awsErr(w, http.StatusBadRequest, fail)
		return
	}
	text, _ := in["Text"].(string)
	results := []map[string]any{}
	switch {
	case text == "01310-100, Brasil":
		results = append(results, map[string]any{"Place": map[string]any{"Geometry": map[string]any{"Point": []float64{-46.6565, -23.5613}},
			"Label": "Avenida Paulista, Bela Vista, São Paulo, SP, 01310-100, BRA", "Street": "Avenida Paulista", "Neighborhood": "Bela Vista",
			"Municipality": "São Paulo", "Region": "São Paulo", "PostalCode": "01310-100", "Country": "BRA"}, "Relevance": 1})
	case text == "20040-020, Brasil": // a place of another CEP: not an answer
		results = append(results, map[string]any{"Place": map[string]any{"Geometry": map[string]any{"Point": []float64{-43.17, -22.90}},
			"Municipality": "Rio de Janeiro", "PostalCode": "20090-000"}, "Relevance": 0.9})
	case strings.Contains(text, "Avenida Paulista"):
		results = append(results, map[string]any{"Place": map[string]any{"Geometry": map[string]any{"Point": []float64{-46.6544, -23.5631}},
			"Label": "Avenida Paulista, 1000, São Paulo, SP, BRA", "Country": "BRA"}, "Relevance": 0.98})
	case strings.Contains(text, "Recife"):
		results = append(results, map[string]any{"Place": map[string]any{"Geometry": map[string]any{"Point": []float64{-34.877, -8.0476}},
			"Label": "Recife, PE, BRA"}, "Relevance": 0.4})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"Results": results,
		"Summary": map[string]any{"Text": text, "DataSource": "Esri", "FilterCountries": []string{"BRA"}, "MaxResults": 1}})
}

// start serves the fake; the SDK prefixes the host with "places.", so the
// client dials the test server whatever host it asks for.
func start(t *testing.T, minRelevance float64, fallback bool) (*fakeLocation, *awslocation.Geocoder) {
	f := &fakeLocation{}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
	}
	cfg := aws.Config{Region: "sa-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		HTTPClient: &http.Client{Transport: &http.Transport{DialContext: dial}}, RetryMaxAttempts: 1}
	g, err := awslocation.New(context.Background(), awslocation.Config{IndexName: index, Endpoint: "http://geo.test.local",
		MinRelevance: minRelevance, FallbackOffline: fallback, AWS: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	return f, g
}

func TestConformance(t *testing.T) {
	conformance.RunGeocoder(t, func(t *testing.T) conformance.GeocoderFixture {
		_, g := start(t, 0.5, false)
		return conformance.GeocoderFixture{
			Geocoder: g,
			Known: []conformance.GeocodeCase{{Address: ports.Address{CEP: "01310-100", Street: "Avenida Paulista", Number: "1000",
				District: "Bela Vista", City: "São Paulo", UF: "SP"}, Want: ports.Point{Lat: -23.5631, Lng: -46.6544}, ToleranceKm: 0.1}},
			Unknown: []ports.Address{{Street: "Rua Inexistente", City: "Lugar Nenhum"}, {City: "Recife", UF: "PE"}, {}},
		}
	})
}

func TestRequest(t *testing.T) {
	f, g := start(t, 0, false)
	p, err := g.Geocode(context.Background(), ports.Address{CEP: "01310100", Street: "Avenida Paulista", Number: "1000", District: "Bela Vista", City: "São Paulo", UF: "sp"})
	if err != nil || p.Lat != -23.5631 || p.Lng != -46.6544 {
		t.Fatalf("%v %v (latitude and longitude swapped?)", p, err)
	}
	f.mu.Lock()
	in, host := f.bodies[0], f.hosts[0]
	f.mu.Unlock()
	if in["Text"] != "Avenida Paulista, 1000, Bela Vista, São Paulo - SP, 01310-100, Brasil" || in["MaxResults"] != float64(1) ||
		in["FilterCountries"].([]any)[0] != "BRA" || in["Language"] != "pt-BR" || host != "places.geo.test.local" {
		t.Errorf("request %v to %s", in, host)
	}
	// Below MinRelevance 0 nothing is filtered.
	if _, err := g.Geocode(context.Background(), ports.Address{City: "Recife", UF: "PE"}); err != nil {
		t.Errorf("low relevance with MinRelevance 0: %v", err)
	}
}

func TestErrorsAndFallback(t *testing.T) {
	f, g := start(t, 0, false)
	for code, want := range map[string]kernel.Kind{"ThrottlingException": kernel.KindUnavailable, "ValidationException": kernel.KindInvalid} {
		f.mu.Lock()
		f.fail = code
		f.mu.Unlock()
		if _, err := g.Geocode(context.Background(), ports.Address{City: "X"}); kernel.KindOf(err) != want {
			t.Errorf("%s: %v, want %s", code, err, want)
		}
	}
	_, fb := start(t, 0.9, true)
	p, err := fb.Geocode(context.Background(), ports.Address{City: "Recife", UF: "PE"})
	if err != nil || conformance.DistanceKm(p, ports.Point{Lat: -8.0476, Lng: -34.877}) > 1 {
		t.Errorf("offline fallback: %v %v", p, err)
	}
	cfg := aws.Config{Region: "sa-east-1", Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")}
	wrong, _ := awslocation.New(context.Background(), awslocation.Config{IndexName: "other", Endpoint: "http://127.0.0.1:1", AWS: &cfg})
	if _, err := wrong.Geocode(context.Background(), ports.Address{City: "X"}); kernel.KindOf(err) != kernel.KindUnavailable {
		t.Errorf("unreachable: %v", err)
	}
}

func TestCEPLookupConformance(t *testing.T) {
	conformance.RunCEPLookup(t, func(t *testing.T) conformance.CEPLookupFixture {
		_, g := start(t, 0.5, false)
		return conformance.CEPLookupFixture{
			Lookup: g,
			Known: []conformance.CEPCase{{CEP: "01310100", Want: ports.Address{UF: "SP", City: "São Paulo", District: "Bela Vista", Street: "Avenida Paulista"},
				At: ports.Point{Lat: -23.5613, Lng: -46.6565}, ToleranceKm: 0.1}},
			Unknown: []string{"69900-000", "20040-020"},
		}
	})
}

func TestLookupCEPRequestAndFallback(t *testing.T) {
	f, g := start(t, 0, false)
	if _, _, err := g.LookupCEP(context.Background(), "01310-100"); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	in := f.bodies[len(f.bodies)-1]
	f.mu.Unlock()
	if in["Text"] != "01310-100, Brasil" || in["FilterCountries"].([]any)[0] != "BRA" || in["IndexName"] != nil && in["IndexName"] != index {
		t.Errorf("request %v", in)
	}
	_, fb := start(t, 0, true)
	a, _, err := fb.LookupCEP(context.Background(), "20040-020")
	if err != nil || a.UF != "RJ" || a.City != "Rio de Janeiro" {
		t.Errorf("offline fallback: %+v %v", a, err)
	}
}
