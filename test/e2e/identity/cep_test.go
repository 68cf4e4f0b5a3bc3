package identity_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/multisaude/multisaude/adapters/http/httpapi/addressapi"
	"github.com/multisaude/multisaude/test/e2e/harness"
)

// TestCEPLookup drives GET /v1/addresses/{cep} as a sign-up form does: no
// account, a CEP as typed; a malformed one names the field, an unknown one is
// 404 in pt-BR, and a client asking too often is slowed down.
func TestCEPLookup(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		var a struct {
			CEP, City, UF string
			Lat, Lng      float64
		}
		h.Get(t, "/v1/addresses/20040020", "").Want(t, http.StatusOK).JSON(t, &a)
		if a.CEP != "20040-020" || a.UF != "RJ" || a.City != "Rio de Janeiro" || a.Lat > -22 || a.Lat < -24 {
			t.Errorf("20040020 = %+v", a)
		}
		var b map[string]any
		h.Get(t, "/v1/addresses/13083-970", "").Want(t, http.StatusOK).JSON(t, &b)
		if _, hasCity := b["city"]; b["uf"] != "SP" || hasCity {
			t.Errorf("13083-970 = %v (the offline table knows the state, not Campinas)", b)
		}

		p := h.Get(t, "/v1/addresses/0131O-100", "").Want(t, http.StatusBadRequest).Problem(t)
		if len(p.Errors) != 1 || p.Errors[0].Field != "cep" || !strings.Contains(p.Errors[0].Message, "dígitos") {
			t.Errorf("malformed CEP: %+v", p)
		}
		p = h.Get(t, "/v1/addresses/00000-000", "").Want(t, http.StatusNotFound).Problem(t)
		if !strings.Contains(p.Detail, "CEP") {
			t.Errorf("unknown CEP: %+v", p)
		}

		limited := false
		for i := 0; i < addressapi.PerClientBurst+5 && !limited; i++ {
			res := h.Get(t, "/v1/addresses/01310-100", "")
			switch res.Status {
			case http.StatusOK:
			case http.StatusTooManyRequests:
				limited = true
				if p := res.Problem(t); !strings.Contains(p.Detail, "CEP") {
					t.Errorf("429: %+v", p)
				}
			default:
				t.Fatalf("lookup %d: %d %s", i, res.Status, res.Body)
			}
		}
		if !limited {
			t.Error("a client asking without pause was never slowed down")
		}
	})
}
