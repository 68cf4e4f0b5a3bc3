package commerce_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

// TestPaymentRoutesWithoutAProvider drives the payment routes that need no
// order and no payment adapter: a patient's empty financial history, a
// company's empty statement (JSON and CSV) and who may read it, its bounds,
// and the webhook route of a provider that is not configured. The full
// journey (order -> Pix through localpay -> webhook -> paid -> refund) runs
// once orders and the adapters are merged.
func TestPaymentRoutesWithoutAProvider(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		pat := harness.SignUpPatient(t, h)
		shop := harness.SignUpVerifiedCompany(t, h, "pharmacy")
		staff := harness.AddCompanyStaff(t, h, shop, "staff")
		other := harness.SignUpVerifiedCompany(t, h, "market")

		var mine struct {
			Items []any `json:"items"`
		}
		h.Get(t, "/v1/me/payments", pat.Token).Want(t, http.StatusOK).JSON(t, &mine)
		if len(mine.Items) != 0 {
			t.Errorf("a new patient has %d payments", len(mine.Items))
		}
		h.Get(t, "/v1/me/payments", shop.Token).Want(t, http.StatusForbidden)
		h.Get(t, "/v1/me/payments", "").Want(t, http.StatusUnauthorized)
		h.Get(t, "/v1/me/payments?limit=1000", pat.Token).Want(t, http.StatusBadRequest)

		path := "/v1/companies/" + shop.CompanyID + "/statement"
		st := h.Get(t, path+"?from=2026-12-01&to=2026-12-31", shop.Token).Want(t, http.StatusOK).Map(t)
		for _, k := range []string{"gross", "platform_fee", "refunds", "net"} {
			if m, _ := st[k].(map[string]any); m == nil || m["amount"] != float64(0) || m["currency"] != "BRL" {
				t.Errorf("%s = %v", k, st[k])
			}
		}
		if l, _ := st["lines"].([]any); l == nil || len(l) != 0 || st["from"] != "2026-12-01" || st["to"] != "2026-12-31" {
			t.Errorf("statement %v", st)
		}
		csv := h.Do(t, harness.Req{Method: http.MethodGet, Path: path + "?from=2026-12-01&to=2026-12-31", Token: shop.Token,
			Headers: map[string]string{"Accept": "text/csv"}}).Want(t, http.StatusOK)
		if ct := csv.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("content type %q", ct)
		}
		if got := string(csv.Body); got != "data;tipo;pedido;pagamento;reembolso;metodo;valor;tarifa;liquido\n" {
			t.Errorf("CSV %q", got)
		}
		if cd := csv.Header.Get("Content-Disposition"); !strings.Contains(cd, "extrato-2026-12-01-a-2026-12-31.csv") {
			t.Errorf("Content-Disposition %q", cd)
		}
		byQuery := h.Get(t, path+"?from=2026-12-01&to=2026-12-01&format=csv", shop.Token).Want(t, http.StatusOK)
		if !strings.HasPrefix(byQuery.Header.Get("Content-Type"), "text/csv") {
			t.Errorf("format=csv gave %q", byQuery.Header.Get("Content-Type"))
		}

		h.Get(t, path+"?from=2026-12-01&to=2026-12-31", staff.Token).Want(t, http.StatusForbidden)
		h.Get(t, path+"?from=2026-12-01&to=2026-12-31", other.Token).Want(t, http.StatusForbidden)
		h.Get(t, path+"?from=2026-12-01&to=2026-12-31", pat.Token).Want(t, http.StatusForbidden)
		if p := h.Get(t, path+"?from=2026-01-01&to=2027-01-02", shop.Token).Want(t, http.StatusBadRequest).Problem(t); !p.HasField("to") {
			t.Errorf("367 days: %+v", p)
		}
		if p := h.Get(t, path+"?from=01/12/2026", shop.Token).Want(t, http.StatusBadRequest).Problem(t); !p.HasField("from") || !p.HasField("to") {
			t.Errorf("bad dates: %+v", p)
		}

		h.Post(t, "/v1/payments/webhooks/nopay", "", map[string]any{"id": "evt_1"}).Want(t, http.StatusNotFound)
	})
}
