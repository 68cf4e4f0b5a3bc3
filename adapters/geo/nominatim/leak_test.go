package nominatim_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/geo/nominatim"
	"github.com/multisaude/multisaude/ports"
)

// A geocoder that cannot be reached fails with an error that is logged (a 503):
// it must not quote the address searched.
func TestUnreachableErrorHidesTheAddress(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // nothing listens there any more
	g, err := nominatim.New(nominatim.Config{URL: srv.URL, MinInterval: time.Millisecond, Email: "ops@example.test"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.Geocode(context.Background(), ports.Address{CEP: "01310-100", Street: "Avenida Paulista", Number: "1578", City: "São Paulo", UF: "SP"})
	if err == nil {
		t.Fatal("no error from a closed server")
	}
	for _, s := range []string{"Paulista", "01310", "1578", "ops@"} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("the error quotes %q: %v", s, err)
		}
	}
	if !strings.Contains(err.Error(), "/search") {
		t.Errorf("the error lost its URL path: %v", err)
	}
}
