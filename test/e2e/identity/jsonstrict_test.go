package identity_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

// TestSignUpRefusesAmbiguousJSON: a body with two cpf keys, a lone surrogate
// escape or a raw byte that is not UTF-8 is refused with 400 naming the field,
// and nothing is stored: the same e-mail and CPF sign up afterwards.
func TestSignUpRefusesAmbiguousJSON(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		pb := harness.PatientBody()
		raw, err := json.Marshal(pb)
		if err != nil {
			t.Fatal(err)
		}
		body := string(raw)
		if !strings.Contains(body, `"name":"Maria Souza"`) {
			t.Fatalf("unexpected body %s", body)
		}
		cases := []struct {
			name, body, field string
		}{
			{"two cpf keys", `{"cpf":"` + harness.NewCPF() + `",` + body[1:], "cpf"},
			{"two cpf keys differing in case", strings.Replace(body, `{`, `{"CPF":"`+harness.NewCPF()+`",`, 1), "cpf"},
			{"lone high surrogate", strings.Replace(body, `"Maria Souza"`, `"Maria \ud800 Souza"`, 1), "name"},
			{"lone low surrogate", strings.Replace(body, `"Maria Souza"`, `"Maria \udc00"`, 1), "name"},
			{"raw 0xff", strings.Replace(body, `"Maria Souza"`, "\"Maria \xff Souza\"", 1), "name"},
			{"address field", strings.Replace(body, `"address":{`, `"address":{"city":"S\ud800o Paulo",`, 1), "address.city"},
		}
		for _, tc := range cases {
			r := h.Do(t, harness.Req{Method: http.MethodPost, Path: "/v1/patients", Body: []byte(tc.body)})
			r.Want(t, http.StatusBadRequest)
			if pr := r.Problem(t); !pr.HasField(tc.field) {
				t.Errorf("%s: names %v, want %q: %s", tc.name, pr.Fields(), tc.field, r.Body)
			}
		}
		// Nothing of the above was stored: the same e-mail and CPF are still free.
		h.Do(t, harness.Req{Method: http.MethodPost, Path: "/v1/patients", Body: raw}).Want(t, http.StatusCreated)
	})
}
