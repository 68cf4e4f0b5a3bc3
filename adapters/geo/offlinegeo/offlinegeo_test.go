package offlinegeo_test

import (
	"context"
	"testing"

	"github.com/multisaude/multisaude/adapters/geo/offlinegeo"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
)

func TestConformance(t *testing.T) {
	conformance.RunGeocoder(t, func(t *testing.T) conformance.GeocoderFixture {
		return conformance.GeocoderFixture{
			Geocoder: offlinegeo.New(),
			Known: []conformance.GeocodeCase{
				{Address: ports.Address{CEP: "01310-100", City: "São Paulo", UF: "SP"}, Want: ports.Point{Lat: -23.56, Lng: -46.65}},
				{Address: ports.Address{CEP: "20040-020", UF: "RJ"}, Want: ports.Point{Lat: -22.90, Lng: -43.18}},
				{Address: ports.Address{CEP: "69900000"}, Want: ports.Point{Lat: -9.97, Lng: -67.81}},
				{Address: ports.Address{City: "sao luis", UF: "MA"}, Want: ports.Point{Lat: -2.53, Lng: -44.30}},
				{Address: ports.Address{City: "  Florianópolis "}, Want: ports.Point{Lat: -27.59, Lng: -48.55}},
			},
			Unknown: []ports.Address{
				{CEP: "00000-000"},
				{City: "Campinas", UF: "SP"},
				{City: "Recife", UF: "SP"},
				{},
			},
		}
	})
}

func TestEveryStateHasACapitalAndARange(t *testing.T) {
	ufs := []string{"AC", "AL", "AP", "AM", "BA", "CE", "DF", "ES", "GO", "MA", "MT", "MS", "MG", "PA", "PB",
		"PR", "PE", "PI", "RJ", "RN", "RS", "RO", "RR", "SC", "SP", "SE", "TO"}
	seen := map[string]bool{}
	for p := 1000; p <= 99999; p++ {
		cep := pad5(p) + "000"
		uf, ok := offlinegeo.StateOfCEP(cep)
		if !ok {
			if p < 78900 || p > 78999 { // the only range Correios leave unassigned
				t.Fatalf("CEP prefix %05d has no state", p)
			}
			_, err := offlinegeo.Locate(ports.Address{CEP: cep})
			if kernel.KindOf(err) != kernel.KindNotFound {
				t.Fatalf("unassigned CEP %s: %v, want not found", cep, err)
			}
			continue
		}
		seen[uf] = true
	}
	for _, uf := range ufs {
		if !seen[uf] {
			t.Errorf("no CEP maps to %s", uf)
		}
		p, err := offlinegeo.New().Geocode(context.Background(), ports.Address{City: "", UF: uf, CEP: ""})
		if kernel.KindOf(err) != kernel.KindNotFound {
			t.Errorf("UF %s alone: %v %v, want not found", uf, p, err)
		}
	}
}

func TestStatesOfCEP(t *testing.T) {
	for cep, want := range map[string]string{
		"01310100": "SP", "13083970": "SP", "22250040": "RJ", "29010000": "ES", "30130000": "MG",
		"40020000": "BA", "49010000": "SE", "50030000": "PE", "57020000": "AL", "58010000": "PB",
		"59010000": "RN", "60060000": "CE", "64000000": "PI", "65010000": "MA", "66010000": "PA",
		"68900000": "AP", "69005000": "AM", "69301000": "RR", "69900000": "AC", "70040000": "DF",
		"72800000": "GO", "74000000": "GO", "76801000": "RO", "77001000": "TO", "78005000": "MT",
		"79002000": "MS", "80010000": "PR", "88010000": "SC", "90010000": "RS",
	} {
		if got, _ := offlinegeo.StateOfCEP(cep); got != want {
			t.Errorf("StateOfCEP(%s) = %s, want %s", cep, got, want)
		}
	}
	if !offlinegeo.IsCapitalCEP("01310100") || offlinegeo.IsCapitalCEP("13083970") {
		t.Error("IsCapitalCEP")
	}
}

func TestNormalizeCEP(t *testing.T) {
	for in, want := range map[string]string{"01310-100": "01310100", "01310100": "01310100", "01.310-100": "01310100", " 01310-100 ": "01310100"} {
		got, err := offlinegeo.NormalizeCEP(in)
		if err != nil || got != want {
			t.Errorf("NormalizeCEP(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "0131-0100", "-01310100", "013101000", "0131010", "01310 100", "０１３１０１００"} {
		if _, err := offlinegeo.NormalizeCEP(in); kernel.KindOf(err) != kernel.KindInvalid {
			t.Errorf("NormalizeCEP(%q): %v, want invalid", in, err)
		}
	}
	_, err := offlinegeo.Locate(ports.Address{UF: "XX", City: "São Paulo"})
	if kernel.KindOf(err) != kernel.KindInvalid {
		t.Errorf("bad UF: %v", err)
	}
}

func FuzzNormalizeCEP(f *testing.F) {
	for _, s := range []string{"01310-100", "01.310-100", "abc", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cep, err := offlinegeo.NormalizeCEP(s)
		if err != nil {
			if kernel.KindOf(err) != kernel.KindInvalid {
				t.Fatalf("error of kind %s", kernel.KindOf(err))
			}
			return
		}
		if len(cep) != 8 {
			t.Fatalf("normalized %q to %q", s, cep)
		}
		_, _ = offlinegeo.Locate(ports.Address{CEP: s})
	})
}

func pad5(p int) string {
	s := "00000" + itoa(p)
	return s[len(s)-5:]
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func TestCEPLookupConformance(t *testing.T) {
	conformance.RunCEPLookup(t, func(t *testing.T) conformance.CEPLookupFixture {
		return conformance.CEPLookupFixture{
			Lookup: offlinegeo.New(),
			Known: []conformance.CEPCase{
				{CEP: "01310-100", Want: ports.Address{UF: "SP", City: "São Paulo"}, At: ports.Point{Lat: -23.56, Lng: -46.65}},
				{CEP: "20040020", Want: ports.Address{UF: "RJ", City: "Rio de Janeiro"}, At: ports.Point{Lat: -22.90, Lng: -43.18}},
				{CEP: "13083-970", Want: ports.Address{UF: "SP"}, At: ports.Point{Lat: -23.55, Lng: -46.63}, ToleranceKm: 150},
			},
			Unknown: []string{"00000-000", "00999999"},
		}
	})
}

func TestLookupCEPOutsideTheCapitalHasNoCity(t *testing.T) {
	a, _, err := offlinegeo.New().LookupCEP(context.Background(), "13083-970")
	if err != nil || a.UF != "SP" || a.City != "" || a.CEP != "13083970" {
		t.Errorf("Campinas: %+v %v (the offline table knows only capitals)", a, err)
	}
}
