package commerce_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

type catItem struct {
	CompanyID string         `json:"company_id"`
	SKU       string         `json:"sku"`
	Name      string         `json:"name"`
	Kind      string         `json:"kind"`
	Tags      []string       `json:"tags"`
	Price     map[string]any `json:"price"`
	Stock     *int64         `json:"stock"`
	Version   int64          `json:"version"`
	Result    string         `json:"result"`
	Fulfil    struct {
		Pickup   bool           `json:"pickup"`
		Delivery map[string]any `json:"delivery"`
	} `json:"fulfilment"`
}

type catImport struct {
	Totals map[string]int `json:"totals"`
	Lines  []struct {
		Line   int    `json:"line"`
		SKU    string `json:"sku"`
		Result string `json:"result"`
		Errors []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"errors"`
	} `json:"lines"`
}

func catMedication(name string, price int64) map[string]any {
	return map[string]any{"name": name, "kind": "medication", "tags": []string{"drug:dipyrone"},
		"active_ingredient": "dipirona sódica", "concentration": "500 mg", "form": "comprimido",
		"price": map[string]any{"amount": price, "currency": "BRL"}, "stock": 40,
		"fulfilment": map[string]any{"pickup": true, "delivery": map[string]any{"radius_km": 5, "fee": map[string]any{"amount": 700, "currency": "BRL"}}}}
}

func catAPIKey(t *testing.T, h *harness.H, admin harness.Account, scopes ...string) string {
	t.Helper()
	var k struct {
		Secret string `json:"secret"`
	}
	h.Post(t, "/v1/companies/"+admin.CompanyID+"/api-keys", admin.Token, map[string]any{"name": "ERP", "scopes": scopes}).
		Want(t, http.StatusCreated).JSON(t, &k)
	return k.Secret
}

func catImportReq(path, token, contentType string, body []byte) harness.Req {
	return harness.Req{Method: http.MethodPost, Path: path, Token: token, Body: bytes.NewReader(body),
		Headers: map[string]string{"Content-Type": contentType}}
}

func TestCatalogue(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		pharm := harness.SignUpVerifiedCompany(t, h, "pharmacy")
		staff := harness.AddCompanyStaff(t, h, pharm, "staff")
		market := harness.SignUpVerifiedCompany(t, h, "market")
		base := "/v1/companies/" + pharm.CompanyID + "/catalog"
		put := func(token, sku string, body any) *harness.Resp {
			return h.Do(t, harness.Req{Method: http.MethodPut, Path: base + "/" + sku, Token: token, Body: body})
		}

		// a pharmacy member puts items: created, then unchanged, then updated
		var it catItem
		r := put(staff.Token, "DIP-500", catMedication("Dipirona Sódica 500 mg", 1290)).Want(t, http.StatusCreated)
		r.JSON(t, &it)
		if it.Result != "created" || it.Version != 1 || it.CompanyID != pharm.CompanyID || it.Stock == nil || *it.Stock != 40 ||
			it.Price["amount"] != float64(1290) || it.Fulfil.Delivery["radius_km"] != float64(5) || r.Header.Get("Location") != base+"/DIP-500" {
			t.Fatalf("created = %+v (Location %q)", it, r.Header.Get("Location"))
		}
		put(pharm.Token, "DIP-500", catMedication("Dipirona Sódica 500 mg", 1290)).Want(t, http.StatusOK).JSON(t, &it)
		if it.Result != "unchanged" || it.Version != 1 {
			t.Errorf("same content again = %s v%d", it.Result, it.Version)
		}
		r = put(staff.Token, "DIP-500", catMedication("Dipirona Sódica 500 mg", 1390)).Want(t, http.StatusOK)
		r.JSON(t, &it)
		if it.Result != "updated" || it.Version != 2 || r.Header.Get("ETag") != `"2"` {
			t.Errorf("changed = %s v%d ETag %s", it.Result, it.Version, r.Header.Get("ETag"))
		}
		unlimited := catMedication("Dipirona gotas", 890)
		unlimited["stock"] = nil
		unlimited["fulfilment"] = map[string]any{"pickup": true, "delivery": nil}
		put(staff.Token, "DIP-GOTAS", unlimited).Want(t, http.StatusCreated).JSON(t, &it)
		if it.Stock != nil || it.Fulfil.Delivery != nil {
			t.Errorf("unlimited item = %+v", it)
		}
		bad := catMedication("", -5)
		bad["tags"] = []string{"Drug X"}
		p := put(staff.Token, "DIP-BAD", bad).Want(t, http.StatusBadRequest).Problem(t)
		for _, f := range []string{"name", "price.amount", "tags[0]"} {
			if !p.HasField(f) {
				t.Errorf("invalid item: problem does not name %s: %v", f, p.Fields())
			}
		}
		put(staff.Token, "bad%20sku", catMedication("x", 1)).Want(t, http.StatusBadRequest)

		// a market cannot list medication
		p = h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/companies/" + market.CompanyID + "/catalog/DIP", Token: market.Token,
			Body: catMedication("Dipirona", 100)}).Want(t, http.StatusBadRequest).Problem(t)
		if !p.HasField("kind") || !strings.Contains(string(r.Body)+p.Errors[0].Message, "um mercado não vende medicamentos") {
			t.Errorf("market listing medication: %+v", p)
		}

		// another company's member, a patient and the platform admin may not write
		put(market.Token, "DIP-500", catMedication("Invasão", 1)).Want(t, http.StatusForbidden).Problem(t)
		patient := harness.SignUpPatient(t, h)
		put(patient.Token, "DIP-500", catMedication("Invasão", 1)).Want(t, http.StatusForbidden)
		put(harness.AdminLogin(t, h).Token, "DIP-500", catMedication("Invasão", 1)).Want(t, http.StatusForbidden)
		put("", "DIP-500", catMedication("Invasão", 1)).Want(t, http.StatusUnauthorized)
		h.Do(t, harness.Req{Method: http.MethodDelete, Path: base + "/DIP-500", Token: market.Token}).Want(t, http.StatusForbidden)

		// an API key with catalog:write imports CSV (Windows-1252, ';')
		key := catAPIKey(t, h, pharm, "catalog:write")
		readOnly := catAPIKey(t, h, pharm, "orders:read")
		csv, err := charmap.Windows1252.NewEncoder().String(
			"sku;name;kind;price;stock;tags;requires_prescription;pickup;delivery_radius_km;delivery_fee;active_ingredient;concentration;form\r\n" +
				"DIP-500;Dipirona Sódica 500 mg;medication;14,90;40;drug:dipyrone;não;sim;5;7,00;dipirona sódica;500 mg;comprimido\r\n" +
				"LOS-50;Losartana Potássica 50 mg;medication;21,90;0;drug:losartan;sim;sim;;;losartana potássica;50 mg;comprimido\r\n" +
				"TERM-1;Termômetro digital;equipment;R$ 29,90;;device:thermometer;;sim;;;;;\r\n" +
				"AVEIA;Aveia em flocos;food;8,49;;food:oats;;sim;;;;;\r\n")
		if err != nil {
			t.Fatal(err)
		}
		imp := base + ":import"
		h.Do(t, catImportReq(imp, readOnly, "text/csv", []byte(csv))).Want(t, http.StatusForbidden)
		h.Do(t, catImportReq("/v1/companies/"+market.CompanyID+"/catalog:import", key, "text/csv", []byte(csv))).Want(t, http.StatusForbidden)
		h.Do(t, catImportReq(imp, key, "application/xml", []byte(csv))).Want(t, http.StatusUnsupportedMediaType)
		var rep catImport
		h.Do(t, catImportReq(imp, key, "text/csv; charset=windows-1252", []byte(csv))).Want(t, http.StatusOK).JSON(t, &rep)
		if rep.Totals["created"] != 2 || rep.Totals["updated"] != 1 || rep.Totals["refused"] != 1 || len(rep.Lines) != 4 {
			t.Fatalf("import = %+v", rep)
		}
		if l := rep.Lines[3]; l.Result != "refused" || l.Line != 5 || l.SKU != "AVEIA" || len(l.Errors) == 0 || l.Errors[0].Field != "kind" {
			t.Errorf("food at a pharmacy = %+v", l)
		}
		h.Get(t, base+"/TERM-1", "").Want(t, http.StatusOK).JSON(t, &it)
		if it.Name != "Termômetro digital" || it.Price["amount"] != float64(2990) {
			t.Errorf("imported item = %+v", it)
		}

		// JSON lines, UTF-8: the same content again is unchanged; a broken line is refused alone
		jsonl := `{"sku":"TERM-1","name":"Termômetro digital","kind":"equipment","tags":["device:thermometer"],"price":{"amount":2990,"currency":"BRL"},"stock":null,"fulfilment":{"pickup":true,"delivery":null}}` + "\n" +
			`{"sku":"GLI-1","name":"Glicosímetro","kind":"equipment","price":{"amount":9990,"currency":"BRL"},"fulfilment":{"pickup":false,"delivery":{"radius_km":10,"fee":{"amount":0,"currency":"BRL"}}}}` + "\n" +
			`{"sku":"X","colour":"azul"}` + "\n" + `not json` + "\n"
		h.Do(t, catImportReq(imp, staff.Token, "application/x-ndjson", []byte(jsonl))).Want(t, http.StatusOK).JSON(t, &rep)
		if rep.Totals["unchanged"] != 1 || rep.Totals["created"] != 1 || rep.Totals["refused"] != 2 {
			t.Errorf("JSON lines import = %+v", rep)
		}
		// UTF-8 CSV with ','
		utf := "sku,name,kind,price,stock\nVIT-C,Vitamina C 1 g,product,\"19,90\",12\n"
		h.Do(t, catImportReq(imp, key, "text/csv", []byte(utf))).Want(t, http.StatusOK).JSON(t, &rep)
		if rep.Totals["created"] != 1 {
			t.Errorf("UTF-8 CSV import = %+v", rep)
		}
		h.Do(t, catImportReq(imp, key, "text/csv", []byte("sku;name;colour\n"))).Want(t, http.StatusBadRequest).Problem(t)

		// bounded: 5000 item lines are taken in one request, 5001 are refused whole
		var big strings.Builder
		big.WriteString("sku;name;kind;price;stock;tags\n")
		for i := 0; i < 5000; i++ {
			fmt.Fprintf(&big, "BULK-%04d;Item %d;product;%d,%02d;%d;product:bulk\n", i, i, i/100, i%100, i%7)
		}
		started := time.Now()
		h.Do(t, catImportReq(imp, key, "text/csv", []byte(big.String()))).Want(t, http.StatusOK).JSON(t, &rep)
		if rep.Totals["created"] != 5000 || len(rep.Lines) != 5000 {
			t.Errorf("5000-line import = %+v", rep.Totals)
		}
		t.Logf("5000-line import on %s: %s", h.Dialect, time.Since(started).Round(time.Millisecond))
		big.WriteString("BULK-X;Item X;product;1;;\n")
		h.Do(t, catImportReq(imp, key, "text/csv", []byte(big.String()))).Want(t, http.StatusBadRequest).Problem(t)
		for i := 0; i < 3; i++ {
			h.Do(t, harness.Req{Method: http.MethodDelete, Path: fmt.Sprintf("%s/BULK-%04d", base, i), Token: key}).Want(t, http.StatusNoContent)
		}
		var first struct {
			Items []catItem `json:"items"`
		}
		h.Get(t, base+"?tag=product:bulk&limit=1", "").Want(t, http.StatusOK).JSON(t, &first)
		if len(first.Items) != 1 || first.Items[0].SKU != "BULK-0003" || first.Items[0].Price["amount"] != float64(3) {
			t.Errorf("after deleting BULK-0000..2, the first bulk item = %+v", first.Items)
		}

		// anyone reads a verified company's catalogue: paged, filtered
		var list struct {
			Items      []catItem `json:"items"`
			NextCursor string    `json:"next_cursor"`
		}
		var skus []string
		next := base + "?limit=2&kind=medication"
		for i := 0; next != ""; i++ {
			if i > 10 {
				t.Fatal("paging does not end")
			}
			list.NextCursor = ""
			h.Get(t, next, "").Want(t, http.StatusOK).JSON(t, &list)
			for _, x := range list.Items {
				skus = append(skus, x.SKU)
			}
			next = ""
			if list.NextCursor != "" {
				next = base + "?limit=2&kind=medication&cursor=" + url.QueryEscape(list.NextCursor)
			}
		}
		if strings.Join(skus, ",") != "DIP-500,DIP-GOTAS,LOS-50" {
			t.Errorf("the catalogue = %v", skus)
		}
		for q, want := range map[string]string{
			"?q=sodica":                      "DIP-500",
			"?kind=medication&in_stock=true": "DIP-500,DIP-GOTAS",
			"?tag=drug:losartan":             "LOS-50",
			"?q=DIPIRONA&kind=medication":    "DIP-500,DIP-GOTAS",
		} {
			h.Get(t, base+q, "").Want(t, http.StatusOK).JSON(t, &list)
			var got []string
			for _, x := range list.Items {
				got = append(got, x.SKU)
			}
			if strings.Join(got, ",") != want {
				t.Errorf("GET catalog%s = %v, want %s", q, got, want)
			}
		}
		for _, q := range []string{"?kind=drug", "?tag=Bad%20Tag", "?in_stock=maybe", "?limit=1000", "?q=" + strings.Repeat("a", 101)} {
			h.Get(t, base+q, "").Want(t, http.StatusBadRequest).Problem(t)
		}

		// delete
		h.Do(t, harness.Req{Method: http.MethodDelete, Path: base + "/DIP-GOTAS", Token: key}).Want(t, http.StatusNoContent)
		h.Get(t, base+"/DIP-GOTAS", "").Want(t, http.StatusNotFound).Problem(t)
		h.Do(t, harness.Req{Method: http.MethodDelete, Path: base + "/DIP-GOTAS", Token: staff.Token}).Want(t, http.StatusNotFound)

		// an unverified company: its own admin may not publish, and others do not see it
		pc := harness.CompanyBody("pharmacy")
		var created struct {
			ID string `json:"id"`
		}
		h.Post(t, "/v1/companies", "", pc).Want(t, http.StatusCreated).JSON(t, &created)
		pendTok, _ := harness.Login(t, h, pc["admin"].(map[string]any)["email"].(string), harness.Password, "company_member")
		pbase := "/v1/companies/" + created.ID + "/catalog"
		p = h.Do(t, harness.Req{Method: http.MethodPut, Path: pbase + "/DIP", Token: pendTok, Body: catMedication("Dipirona", 100)}).
			Want(t, http.StatusForbidden).Problem(t)
		if !strings.Contains(p.Detail, "verificada") {
			t.Errorf("unverified company's put: %+v", p)
		}
		h.Get(t, pbase, "").Want(t, http.StatusNotFound).Problem(t)
		h.Get(t, pbase, market.Token).Want(t, http.StatusNotFound)
		h.Get(t, pbase, pendTok).Want(t, http.StatusOK)
		h.Get(t, pbase, harness.AdminLogin(t, h).Token).Want(t, http.StatusOK)
		h.Get(t, "/v1/companies/01936b2e-8e31-7a62-9b73-5c6d7e8f9012/catalog", "").Want(t, http.StatusNotFound)
	})
}
