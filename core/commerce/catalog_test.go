package commerce_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
)

func n64(n int64) *int64 { return &n }

func medication() commerce.ItemInput {
	return commerce.ItemInput{SKU: "DIP-500", Name: "Dipirona Sódica 500 mg", Kind: commerce.KindMedication, Tags: []string{"drug:dipyrone"},
		ActiveIngredient: "dipirona sódica", Concentration: "500 mg", Form: "comprimido", Price: kernel.BRL(1290), Stock: n64(10),
		Fulfilment: commerce.Fulfilment{Pickup: true}}
}

func fields(p *kernel.Problems) []string {
	if p == nil {
		return nil
	}
	var out []string
	for _, f := range p.Fields() {
		out = append(out, f.Field)
	}
	return out
}

func TestValidateItem(t *testing.T) {
	long := strings.Repeat("a", 201)
	cases := []struct {
		name    string
		company string
		edit    func(*commerce.ItemInput)
		want    []string // invalid fields, sorted
		message string   // part of the first message, when set
	}{
		{"a valid medication at a pharmacy", "pharmacy", func(*commerce.ItemInput) {}, nil, ""},
		{"a prescription medication at a pharmacy", "pharmacy", func(i *commerce.ItemInput) { i.RequiresPrescription = true; i.Anvisa = "1234567890123" }, nil, ""},
		{"a market does not sell medication", "market", func(*commerce.ItemInput) {}, []string{"kind"}, "um mercado não vende medicamentos"},
		{"a gym does not sell food", "gym", func(i *commerce.ItemInput) { i.Kind = commerce.KindFood }, []string{"kind"}, "uma academia não vende alimentos"},
		{"prescription only for pharmacy medication", "market", func(i *commerce.ItemInput) { i.Kind = commerce.KindFood; i.RequiresPrescription = true },
			[]string{"requires_prescription"}, "só medicamentos"},
		{"prescription not for a pharmacy's product", "pharmacy", func(i *commerce.ItemInput) { i.Kind = commerce.KindProduct; i.RequiresPrescription = true },
			[]string{"requires_prescription"}, ""},
		{"bad sku", "pharmacy", func(i *commerce.ItemInput) { i.SKU = "-x" }, []string{"sku"}, ""},
		{"sku with a space", "pharmacy", func(i *commerce.ItemInput) { i.SKU = "A B" }, []string{"sku"}, ""},
		{"sku too long", "pharmacy", func(i *commerce.ItemInput) { i.SKU = strings.Repeat("A", 65) }, []string{"sku"}, ""},
		{"no name", "pharmacy", func(i *commerce.ItemInput) { i.Name = "  " }, []string{"name"}, "é obrigatório"},
		{"long name", "pharmacy", func(i *commerce.ItemInput) { i.Name = long }, []string{"name"}, ""},
		{"long description", "pharmacy", func(i *commerce.ItemInput) { i.Description = strings.Repeat("d", 2001) }, []string{"description"}, ""},
		{"no kind", "pharmacy", func(i *commerce.ItemInput) { i.Kind = "" }, []string{"active_ingredient", "concentration", "form", "kind"}[3:], ""},
		{"unknown kind", "pharmacy", func(i *commerce.ItemInput) { i.Kind = "drug" }, []string{"kind"}, "medication"},
		{"medication needs its details", "pharmacy", func(i *commerce.ItemInput) { i.ActiveIngredient, i.Concentration, i.Form = "", "", "" },
			[]string{"active_ingredient", "concentration", "form"}, ""},
		{"anvisa of 12 digits", "pharmacy", func(i *commerce.ItemInput) { i.Anvisa = "123456789012" }, []string{"anvisa"}, "13 dígitos"},
		{"bad tags", "pharmacy", func(i *commerce.ItemInput) { i.Tags = []string{"Drug:X", "ok:fine", "a b"} }, []string{"tags[0]", "tags[2]"}, ""},
		{"too many tags", "pharmacy", func(i *commerce.ItemInput) { i.Tags = slices.Repeat([]string{"a"}, clinical.MaxTags+1) }, []string{"tags"}, ""},
		{"negative price", "pharmacy", func(i *commerce.ItemInput) { i.Price = kernel.Money{Amount: -1, Currency: "BRL"} }, []string{"price.amount"}, ""},
		{"dollars", "pharmacy", func(i *commerce.ItemInput) { i.Price = kernel.Money{Amount: 1, Currency: "USD"} }, []string{"price.currency"}, "BRL"},
		{"negative stock", "pharmacy", func(i *commerce.ItemInput) { i.Stock = n64(-1) }, []string{"stock"}, ""},
		{"zero stock is fine", "pharmacy", func(i *commerce.ItemInput) { i.Stock = n64(0) }, nil, ""},
		{"no fulfilment", "pharmacy", func(i *commerce.ItemInput) { i.Fulfilment = commerce.Fulfilment{} }, []string{"fulfilment"}, ""},
		{"delivery only", "pharmacy", func(i *commerce.ItemInput) {
			i.Fulfilment = commerce.Fulfilment{Delivery: &commerce.DeliveryTerms{RadiusKM: 100, Fee: kernel.BRL(0)}}
		}, nil, ""},
		{"delivery radius 0 and fee in USD", "pharmacy", func(i *commerce.ItemInput) {
			i.Fulfilment.Delivery = &commerce.DeliveryTerms{RadiusKM: 0, Fee: kernel.Money{Amount: 5, Currency: "USD"}}
		}, []string{"fulfilment.delivery.fee.currency", "fulfilment.delivery.radius_km"}, ""},
		{"delivery radius 101", "pharmacy", func(i *commerce.ItemInput) {
			i.Fulfilment.Delivery = &commerce.DeliveryTerms{RadiusKM: 101, Fee: kernel.BRL(1)}
		}, []string{"fulfilment.delivery.radius_km"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := medication()
			c.edit(&in)
			it, p := in.Validate(c.company)
			got := fields(p)
			if !slices.Equal(got, c.want) {
				t.Fatalf("invalid fields = %v, want %v", got, c.want)
			}
			if c.message != "" && !strings.Contains(p.Fields()[0].Message, c.message) {
				t.Errorf("message %q does not say %q", p.Fields()[0].Message, c.message)
			}
			if p == nil && (it.SKU != in.SKU || it.Price != in.Price) {
				t.Errorf("item = %+v", it)
			}
		})
	}
}

func TestValidateNormalisesTags(t *testing.T) {
	in := medication()
	in.Tags = []string{"form:tablet", "drug:dipyrone", "form:tablet"}
	it, p := in.Validate("pharmacy")
	if p != nil {
		t.Fatal(p.Err())
	}
	if !slices.Equal(it.Tags, []string{"drug:dipyrone", "form:tablet"}) {
		t.Errorf("tags = %v", it.Tags)
	}
	other := it
	other.Tags = []string{"form:tablet", "drug:dipyrone"}
	other.Version, other.UpdatedAt = 9, time.Now()
	if !it.SameContent(other) {
		t.Error("same content in another tag order is not SameContent")
	}
	other.Stock = nil
	if it.SameContent(other) {
		t.Error("unlimited stock is SameContent as 10")
	}
}

func TestTagPatternIsClinicals(t *testing.T) {
	// commerceapi documents the same pattern; this is what it must equal
	if clinical.TagPattern() != `^[a-z0-9]+(:[a-z0-9]+(-[a-z0-9]+)*)?$` {
		t.Errorf("clinical's tag pattern changed to %s: update commerceapi's tagPattern", clinical.TagPattern())
	}
}

func TestParseReais(t *testing.T) {
	good := map[string]int64{"12,90": 1290, "12.90": 1290, "12": 1200, "0,5": 50, "0.05": 5, "1.234,56": 123456, "1.234": 123400,
		"R$ 12,90": 1290, "R$12": 1200, " 7,00 ": 700, "1.234.567,89": 123456789, "0": 0, "999999999999,99": 99999999999999}
	for in, want := range good {
		got, err := commerce.ParseReais(in)
		if err != nil || got != want {
			t.Errorf("ParseReais(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "-1", "12,999", "1,234.56", "12,", ",5", "1.23.4", "12.9.0", "1e3", "NaN", "12 90", "1.2345,00",
		"0x10", "+5", "１２", "9999999999999", "12,5,0"} {
		if got, err := commerce.ParseReais(in); err == nil {
			t.Errorf("ParseReais(%q) = %d, want an error", in, got)
		}
	}
}

func TestWindows1252MatchesXText(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	want, err := charmap.Windows1252.NewDecoder().Bytes(all)
	if err != nil {
		t.Fatal(err)
	}
	if got := commerce.DecodeWindows1252(all); !bytes.Equal(got, want) {
		for i := range all {
			g := string(commerce.DecodeWindows1252([]byte{byte(i)}))
			w, _ := charmap.Windows1252.NewDecoder().String(string([]byte{byte(i)}))
			if g != w {
				t.Errorf("byte %#x: %q, x/text %q", i, g, w)
			}
		}
	}
}

func TestParseCatalogCSV(t *testing.T) {
	win, err := charmap.Windows1252.NewEncoder().String(
		"sku;name;kind;price;stock;tags;requires_prescription;pickup;delivery_radius_km;delivery_fee;active_ingredient;concentration;form\r\n" +
			"DIP-500;Dipirona Sódica 500 mg;medication;12,90;40;drug:dipyrone|form:tablet;não;sim;7,5;5,00;dipirona sódica;500 mg;comprimido\r\n" +
			"\r\n" +
			"LOS-50;\"Losartana; 50 mg\";medication;1.234,56;;drug:losartan;sim;;;;losartana potássica;50 mg;comprimido\r\n")
	if err != nil {
		t.Fatal(err)
	}
	if utf8.ValidString(win) {
		t.Fatal("the Windows-1252 fixture is valid UTF-8: it tests nothing")
	}
	lines, err := commerce.ParseCatalogCSV([]byte(win))
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2: %+v", len(lines), lines)
	}
	a, b := lines[0], lines[1]
	if len(a.Errors) != 0 || len(b.Errors) != 0 {
		t.Fatalf("errors: %+v / %+v", a.Errors, b.Errors)
	}
	if a.Line != 2 || a.Item.Name != "Dipirona Sódica 500 mg" || a.Item.ActiveIngredient != "dipirona sódica" || a.Item.Price != kernel.BRL(1290) ||
		*a.Item.Stock != 40 || !slices.Equal(a.Item.Tags, []string{"drug:dipyrone", "form:tablet"}) || a.Item.RequiresPrescription ||
		!a.Item.Fulfilment.Pickup || a.Item.Fulfilment.Delivery == nil || a.Item.Fulfilment.Delivery.RadiusKM != 7.5 ||
		a.Item.Fulfilment.Delivery.Fee != kernel.BRL(500) {
		t.Errorf("line a = %+v", a)
	}
	if b.Line != 4 || b.Item.Name != "Losartana; 50 mg" || b.Item.Price.Amount != 123456 || b.Item.Stock != nil || !b.Item.RequiresPrescription ||
		!b.Item.Fulfilment.Pickup || b.Item.Fulfilment.Delivery != nil {
		t.Errorf("line b = %+v", b)
	}
	if _, p := a.Item.Validate("pharmacy"); p != nil {
		t.Errorf("line a does not validate: %v", p.Err())
	}

	utf := "\ufeffSKU,Name,Kind,Price,Tags,Pickup\n" +
		"AV-1,Aveia em flocos 500 g,food,\"8,49\",food:oats,sim\n" +
		"AV-2,Aveia fina,food,8.5,food:oats|food:cereal,n\n" +
		"BAD,Sem preço,food,,,\n" +
		"BAD2,Preço ruim,food,\"12,999\",,talvez\n" +
		"BAD3,\"aspas\" soltas,food,1,,\n" +
		"AV-3,Granola,food,10,,1,extra\n"
	lines, err = commerce.ParseCatalogCSV([]byte(utf))
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 6 {
		t.Fatalf("%d lines, want 6: %+v", len(lines), lines)
	}
	if l := lines[0]; l.Item.Price.Amount != 849 || l.Item.Name != "Aveia em flocos 500 g" || len(l.Errors) != 0 || !l.Item.Fulfilment.Pickup {
		t.Errorf("AV-1 = %+v", l)
	}
	if l := lines[1]; l.Item.Price.Amount != 850 || l.Item.Fulfilment.Pickup || len(l.Item.Tags) != 2 {
		t.Errorf("AV-2 = %+v", l)
	}
	errFields := func(l commerce.ImportLine) []string {
		var out []string
		for _, e := range l.Errors {
			out = append(out, e.Field)
		}
		return out
	}
	if got := errFields(lines[2]); !slices.Equal(got, []string{"price"}) {
		t.Errorf("no price: errors %v", got)
	}
	if got := errFields(lines[3]); !slices.Equal(got, []string{"pickup", "price"}) {
		t.Errorf("bad price and pickup: errors %v", got)
	}
	if got := errFields(lines[4]); !slices.Equal(got, []string{"line"}) || lines[4].Line != 6 {
		t.Errorf("bare quote: line %d errors %v", lines[4].Line, got)
	}
	if got := errFields(lines[5]); !slices.Equal(got, []string{"line"}) || lines[5].Line != 7 {
		t.Errorf("extra field: line %d errors %v", lines[5].Line, got)
	}
}

func TestParseCatalogCSVRefusesTheFile(t *testing.T) {
	cases := map[string]string{
		"empty":            "",
		"blank":            " \n\n",
		"unknown column":   "sku;name;kind;price;colour\n",
		"missing price":    "sku;name;kind\nA;b;food\n",
		"repeated column":  "sku;name;kind;price;sku\n",
		"unnamed column":   "sku;name;kind;price;;\n",
		"too many lines":   "sku;name;kind;price\n" + strings.Repeat("A;b;food;1\n", commerce.MaxImportLines+1),
		"unclosed header":  "\"sku;name;kind;price\n",
		"many blank lines": "sku;name;kind;price\n" + strings.Repeat("\n", commerce.MaxImportLines+2),
	}
	for name, in := range cases {
		if lines, err := commerce.ParseCatalogCSV([]byte(in)); kernel.KindOf(err) != kernel.KindInvalid {
			t.Errorf("%s: %d lines, %v; want KindInvalid", name, len(lines), err)
		}
	}
	lines, err := commerce.ParseCatalogCSV([]byte("sku;name;kind;price\n" + strings.Repeat("A;b;food;1\n", commerce.MaxImportLines)))
	if err != nil || len(lines) != commerce.MaxImportLines {
		t.Errorf("exactly %d lines: %d, %v", commerce.MaxImportLines, len(lines), err)
	}
}

func FuzzParseCatalogCSV(f *testing.F) {
	f.Add([]byte("sku;name;kind;price;stock;tags\nA;Aveia;food;12,90;3;food:oats\n"))
	f.Add([]byte("sku,name,kind,price,delivery_radius_km,delivery_fee\nB,\"x,y\",food,1.234,5,\"1,00\"\n"))
	f.Add([]byte("sku;name;kind;price\n\"A;\"\"b\";c;d\n\xe9\xff;\x80;food;R$ 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines, err := commerce.ParseCatalogCSV(data)
		if err != nil {
			if kernel.KindOf(err) != kernel.KindInvalid {
				t.Fatalf("error of kind %s: %v", kernel.KindOf(err), err)
			}
			return
		}
		if len(lines) > commerce.MaxImportLines {
			t.Fatalf("%d lines", len(lines))
		}
		last := 0
		for _, l := range lines {
			if l.Line <= last {
				t.Fatalf("line numbers not increasing: %d after %d", l.Line, last)
			}
			last = l.Line
			if !utf8.ValidString(l.Item.Name) || !utf8.ValidString(l.Item.SKU) {
				t.Fatalf("invalid UTF-8 out of the parser: %+v", l.Item)
			}
			if l.Item.Price.Amount < 0 {
				t.Fatalf("negative price %d", l.Item.Price.Amount)
			}
			l.Item.Validate("pharmacy") // must not panic
		}
	})
}

// --- use cases, over an in-memory store ---

type memCatalog struct {
	items  map[string]commerce.Item // company/sku
	events []kernel.Event
}

func (m *memCatalog) key(co, sku string) string { return co + "/" + sku }

func (m *memCatalog) Items(_ context.Context, co kernel.ID, skus []string) (map[string]commerce.Item, error) {
	out := map[string]commerce.Item{}
	for _, s := range skus {
		if it, ok := m.items[m.key(co, s)]; ok {
			out[s] = it
		}
	}
	return out, nil
}

func (m *memCatalog) Offers(context.Context, commerce.OfferQuery) ([]commerce.Item, error) {
	return nil, nil
}

func (m *memCatalog) PutItems(_ context.Context, co kernel.ID, items []commerce.Item, events func([]commerce.PutOutcome) []kernel.Event) ([]commerce.PutOutcome, error) {
	var outs []commerce.PutOutcome
	for _, it := range items {
		it.CompanyID = co
		old, ok := m.items[m.key(co, it.SKU)]
		switch {
		case ok && old.SameContent(it):
			outs = append(outs, commerce.PutOutcome{Item: old, Result: commerce.PutUnchanged})
			continue
		case ok:
			it.Version, it.CreatedAt = old.Version+1, old.CreatedAt
			outs = append(outs, commerce.PutOutcome{Item: it, Result: commerce.PutUpdated})
		default:
			it.Version = 1
			outs = append(outs, commerce.PutOutcome{Item: it, Result: commerce.PutCreated})
		}
		m.items[m.key(co, it.SKU)] = it
	}
	if events != nil {
		m.events = append(m.events, events(outs)...)
	}
	return outs, nil
}

func (m *memCatalog) Item(_ context.Context, co kernel.ID, sku string) (commerce.Item, error) {
	it, ok := m.items[m.key(co, sku)]
	if !ok {
		return commerce.Item{}, kernel.NotFound("não")
	}
	return it, nil
}

func (m *memCatalog) ListItems(_ context.Context, f commerce.ItemFilter, _ kernel.Page) (kernel.List[commerce.Item], error) {
	var out []commerce.Item
	for _, it := range m.items {
		if it.CompanyID == f.CompanyID {
			out = append(out, it)
		}
	}
	return kernel.List[commerce.Item]{Items: out}, nil
}

func (m *memCatalog) DeleteItem(_ context.Context, co kernel.ID, sku string) error {
	if _, ok := m.items[m.key(co, sku)]; !ok {
		return kernel.NotFound("não")
	}
	delete(m.items, m.key(co, sku))
	return nil
}

type companies map[kernel.ID]commerce.Company

func (c companies) Company(_ context.Context, id kernel.ID) (commerce.Company, error) {
	co, ok := c[id]
	if !ok {
		return commerce.Company{}, kernel.NotFound("empresa não encontrada")
	}
	return co, nil
}
func (c companies) Partners(context.Context, []string) ([]commerce.Company, error) { return nil, nil }
func (c companies) Plan(context.Context, kernel.Principal, kernel.ID) (commerce.Plan, error) {
	return commerce.Plan{}, kernel.NotFound("não")
}
func (c companies) Prescription(context.Context, kernel.Principal, kernel.ID) (commerce.Prescription, error) {
	return commerce.Prescription{}, kernel.NotFound("não")
}
func (c companies) Dispense(context.Context, kernel.Principal, string, string, string) error {
	return nil
}
func (c companies) Appointment(context.Context, kernel.Principal, kernel.ID) (commerce.Appointment, error) {
	return commerce.Appointment{}, kernel.NotFound("consulta não encontrada")
}
func (c companies) Patient(context.Context, kernel.ID) (commerce.Patient, error) {
	return commerce.Patient{}, kernel.NotFound("não")
}

func TestCatalogUseCases(t *testing.T) {
	ctx := context.Background()
	pharmacy, market, pending := kernel.NewID(), kernel.NewID(), kernel.NewID()
	store := &memCatalog{items: map[string]commerce.Item{}}
	svc := commerce.NewService(commerce.Deps{Catalog: store, Dir: companies{
		pharmacy: {ID: pharmacy, Type: "pharmacy", Verified: true},
		market:   {ID: market, Type: "market", Verified: true},
		pending:  {ID: pending, Type: "pharmacy"},
	}, Clock: kernel.NewFixedClock(time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC))}, commerce.Config{})
	member := func(co kernel.ID, role string) kernel.Principal {
		return kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindCompanyMember, CompanyID: co, Roles: []string{role}}
	}
	key := func(co kernel.ID, scopes ...string) kernel.Principal {
		return kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindAPIKey, CompanyID: co, Scopes: scopes}
	}
	patient := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindPatient}
	admin := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindAdmin}

	staff := member(pharmacy, "staff")
	it, res, err := svc.PutItem(ctx, staff, pharmacy, medication())
	if err != nil || res != commerce.PutCreated || it.Version != 1 || it.CompanyID != pharmacy {
		t.Fatalf("put = %+v %s %v", it, res, err)
	}
	if _, res, _ = svc.PutItem(ctx, key(pharmacy, "catalog:write"), pharmacy, medication()); res != commerce.PutUnchanged {
		t.Errorf("same content by the key = %s", res)
	}
	in := medication()
	in.Price = kernel.BRL(1390)
	if it, res, _ = svc.PutItem(ctx, member(pharmacy, "admin"), pharmacy, in); res != commerce.PutUpdated || it.Version != 2 {
		t.Errorf("changed = %s v%d", res, it.Version)
	}

	refusals := []struct {
		name string
		p    kernel.Principal
		co   kernel.ID
		want kernel.Kind
	}{
		{"anonymous", kernel.Anonymous, pharmacy, kernel.KindUnauthenticated},
		{"a patient", patient, pharmacy, kernel.KindForbidden},
		{"the platform admin", admin, pharmacy, kernel.KindForbidden},
		{"another company's member", member(market, "admin"), pharmacy, kernel.KindForbidden},
		{"another company's key", key(market, "catalog:write"), pharmacy, kernel.KindForbidden},
		{"a key without catalog:write", key(pharmacy, "orders:read"), pharmacy, kernel.KindForbidden},
		{"a member without a role", member(pharmacy, "viewer"), pharmacy, kernel.KindForbidden},
		{"an unverified company's own member", member(pending, "admin"), pending, kernel.KindForbidden},
		{"a stranger to an unverified company", member(market, "admin"), pending, kernel.KindNotFound},
		{"no such company", staff, kernel.NewID(), kernel.KindNotFound},
		{"a malformed company ID", staff, "x", kernel.KindNotFound},
	}
	for _, r := range refusals {
		if _, _, err := svc.PutItem(ctx, r.p, r.co, medication()); kernel.KindOf(err) != r.want {
			t.Errorf("put by %s: %v, want %s", r.name, err, r.want)
		}
		if err := svc.DeleteItem(ctx, r.p, r.co, "DIP-500"); kernel.KindOf(err) != r.want {
			t.Errorf("delete by %s: %v, want %s", r.name, err, r.want)
		}
	}
	if _, _, err := svc.PutItem(ctx, member(market, "admin"), market, medication()); kernel.KindOf(err) != kernel.KindInvalid ||
		!strings.Contains(err.Error(), "um mercado não vende medicamentos") {
		t.Errorf("a market listing medication: %v", err)
	}

	// reading: public for a verified company, else insiders and admins only
	for _, p := range []kernel.Principal{kernel.Anonymous, patient, member(market, "staff")} {
		if _, err := svc.Item(ctx, p, pharmacy, "DIP-500"); err != nil {
			t.Errorf("%s reads a verified company's item: %v", p.Kind, err)
		}
		if _, err := svc.ListItems(ctx, p, pending, commerce.ItemFilter{}, kernel.Page{}); kernel.KindOf(err) != kernel.KindNotFound {
			t.Errorf("%s lists an unverified company's catalogue: %v", p.Kind, err)
		}
	}
	for _, p := range []kernel.Principal{admin, member(pending, "staff"), key(pending, "orders:read")} {
		if _, err := svc.ListItems(ctx, p, pending, commerce.ItemFilter{}, kernel.Page{}); err != nil {
			t.Errorf("%s lists its unverified company's catalogue: %v", p.Kind, err)
		}
	}
	if _, err := svc.Item(ctx, patient, pharmacy, "../etc"); kernel.KindOf(err) != kernel.KindNotFound {
		t.Errorf("a malformed SKU: %v", err)
	}
	if _, err := svc.ListItems(ctx, patient, pharmacy, commerce.ItemFilter{Kind: "drug", Tag: "Bad Tag", Q: strings.Repeat("q", 101)}, kernel.Page{}); kernel.KindOf(err) != kernel.KindInvalid {
		t.Errorf("bad filters: %v", err)
	} else if e := err.(*kernel.Error); len(e.Fields) != 3 {
		t.Errorf("bad filters name %d fields, want 3: %v", len(e.Fields), e.Fields)
	}
	if err := svc.DeleteItem(ctx, staff, pharmacy, "DIP-500"); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteItem(ctx, staff, pharmacy, "DIP-500"); kernel.KindOf(err) != kernel.KindNotFound {
		t.Errorf("delete twice: %v", err)
	}
}

func TestImportCatalog(t *testing.T) {
	ctx := context.Background()
	pharmacy := kernel.NewID()
	store := &memCatalog{items: map[string]commerce.Item{}}
	svc := commerce.NewService(commerce.Deps{Catalog: store, Dir: companies{pharmacy: {ID: pharmacy, Type: "pharmacy", Verified: true}}}, commerce.Config{})
	key := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindAPIKey, CompanyID: pharmacy, Scopes: []string{"catalog:write"}}
	csv := "sku;name;kind;price;stock;tags;requires_prescription;active_ingredient;concentration;form\n" +
		"DIP-500;Dipirona Sódica 500 mg;medication;12,90;40;drug:dipyrone;não;dipirona sódica;500 mg;comprimido\n" +
		"AVEIA;Aveia;food;8,49;;food:oats;;;;\n" + // a pharmacy sells no food
		"LOS-50;Losartana 50 mg;medication;21,90;;drug:losartan;sim;losartana;50 mg;comprimido\n" +
		"DIP-500;Dipirona de novo;medication;1;1;;;dipirona;1 mg;gotas\n" + // repeated SKU
		"TERM;Termômetro;equipment;abc;-1;Bad;;;;\n"
	parse := func() ([]commerce.ImportLine, error) { return commerce.ParseCatalogCSV([]byte(csv)) }
	rep, err := svc.ImportCatalog(ctx, key, pharmacy, parse)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != 2 || rep.Updated != 0 || rep.Refused != 3 || len(rep.Lines) != 5 {
		t.Fatalf("report = %+v", rep)
	}
	want := []commerce.ImportResult{commerce.PutCreated, commerce.ImportRefused, commerce.PutCreated, commerce.ImportRefused, commerce.ImportRefused}
	for i, l := range rep.Lines {
		if l.Result != want[i] || l.Line != i+2 {
			t.Errorf("line %d = %+v, want %s", i+2, l, want[i])
		}
	}
	if e := rep.Lines[1].Errors; len(e) != 1 || e[0].Field != "kind" || !strings.Contains(e[0].Message, "uma farmácia não vende alimentos") {
		t.Errorf("food at a pharmacy: %+v", e)
	}
	if e := rep.Lines[3].Errors; len(e) != 1 || e[0].Field != "sku" || !strings.Contains(e[0].Message, "linha 2") {
		t.Errorf("repeated SKU: %+v", e)
	}
	var fs []string
	for _, e := range rep.Lines[4].Errors {
		fs = append(fs, e.Field)
	}
	if !slices.Equal(fs, []string{"price", "stock", "tags[0]"}) {
		t.Errorf("bad line's errors: %v", fs)
	}
	if len(store.events) != 1 || store.events[0].Topic != commerce.TopicPartnerEvent {
		t.Fatalf("events = %+v", store.events)
	}
	body := store.events[0].Payload.(map[string]any)
	data := body["data"].(map[string]any)
	if body["type"] != commerce.EventCatalogImported || data["created"] != 2 || data["updated"] != 0 || data["refused"] != 3 {
		t.Errorf("event = %+v", body)
	}
	// again: unchanged
	rep, err = svc.ImportCatalog(ctx, key, pharmacy, parse)
	if err != nil || rep.Unchanged != 2 || rep.Created != 0 {
		t.Errorf("second import = %+v, %v", rep, err)
	}
	// a stranger's parse is never called
	called := false
	_, err = svc.ImportCatalog(ctx, kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindPatient}, pharmacy, func() ([]commerce.ImportLine, error) {
		called = true
		return nil, nil
	})
	if kernel.KindOf(err) != kernel.KindForbidden || called {
		t.Errorf("a patient's import: %v (parsed: %v)", err, called)
	}
	if _, err := svc.ImportCatalog(ctx, key, pharmacy, func() ([]commerce.ImportLine, error) { return nil, nil }); kernel.KindOf(err) != kernel.KindInvalid {
		t.Errorf("an empty import: %v", err)
	}
	// errors per line are capped
	many := commerce.ImportLine{Line: 2, Item: commerce.ItemInput{SKU: "X", Kind: commerce.KindMedication}}
	for i := 0; i < 30; i++ {
		many.Errors = append(many.Errors, kernel.FieldError{Field: "f" + strings.Repeat("x", i), Message: "ruim"})
	}
	rep, err = svc.ImportCatalog(ctx, key, pharmacy, func() ([]commerce.ImportLine, error) { return []commerce.ImportLine{many}, nil })
	if err != nil || len(rep.Lines[0].Errors) != commerce.MaxLineErrors || rep.Lines[0].Errors[commerce.MaxLineErrors-1].Field != kernel.MoreField {
		t.Errorf("capped errors: %+v, %v", rep.Lines, err)
	}
}
