// Package offlinegeo is a ports.Geocoder that needs no network: a table of the
// 27 state capitals and of CEP ranges by state. An address with a valid CEP is
// placed at its state's capital (an approximation good enough to sort by
// distance at state level; CEPs of a capital city land in that city), and an
// address without a CEP whose city is a capital is placed there.
package offlinegeo

import (
	"context"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Geocoder implements ports.Geocoder from the offline table.
type Geocoder struct{}

var (
	_ ports.Geocoder  = (*Geocoder)(nil)
	_ ports.CEPLookup = (*Geocoder)(nil)
)

// New returns the offline geocoder.
func New() *Geocoder { return &Geocoder{} }

// Geocode places a by CEP, else by capital city.
func (g *Geocoder) Geocode(_ context.Context, a ports.Address) (ports.Point, error) {
	return Locate(a)
}

// LookupCEP answers the state of a CEP and, when the CEP lies in its capital's
// range, the capital city; the point is the capital's (see the package comment).
func (g *Geocoder) LookupCEP(_ context.Context, cep string) (ports.Address, ports.Point, error) {
	return LookupCEP(cep)
}

// LookupCEP is the offline lookup without a receiver, for other geocoders' fallbacks.
func LookupCEP(cep string) (ports.Address, ports.Point, error) {
	n, err := NormalizeCEP(cep)
	if err != nil {
		return ports.Address{}, ports.Point{}, err
	}
	uf, ok := StateOfCEP(n)
	if !ok {
		return ports.Address{}, ports.Point{}, kernel.NotFound("nenhum estado tem este CEP")
	}
	a := ports.Address{CEP: n, UF: uf}
	if IsCapitalCEP(n) {
		a.City = capitals[uf].City
	}
	return a, capitals[uf].Point, nil
}

// Locate is Geocode without a receiver, for other geocoders' fallbacks.
func Locate(a ports.Address) (ports.Point, error) {
	uf := strings.ToUpper(strings.TrimSpace(a.UF))
	if uf != "" {
		if _, ok := capitals[uf]; !ok {
			return ports.Point{}, kernel.Invalid("uf", "is not a Brazilian state")
		}
	}
	if strings.TrimSpace(a.CEP) != "" {
		cep, err := NormalizeCEP(a.CEP)
		if err != nil {
			return ports.Point{}, err
		}
		state, ok := StateOfCEP(cep)
		if !ok {
			return ports.Point{}, kernel.NotFound("nenhum estado tem este CEP")
		}
		return capitals[state].Point, nil
	}
	city := fold(a.City)
	if city == "" {
		return ports.Point{}, kernel.NotFound("o endereço não tem CEP nem uma cidade conhecida")
	}
	for st, c := range capitals {
		if fold(c.City) == city && (uf == "" || uf == st) {
			return c.Point, nil
		}
	}
	return ports.Point{}, kernel.NotFound("a cidade não está na tabela offline de localização")
}

// NormalizeCEP returns the eight digits of a CEP written "01310-100",
// "01310100" or "01.310-100"; anything else is kernel.KindInvalid naming "cep".
func NormalizeCEP(s string) (string, error) {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '-' && i == len(s)-4, r == '.' && i == 2:
		default:
			return "", kernel.Invalid("cep", "deve ter 8 dígitos, como 01310-100")
		}
	}
	if b.Len() != 8 {
		return "", kernel.Invalid("cep", "deve ter 8 dígitos, como 01310-100")
	}
	return b.String(), nil
}

// StateOfCEP returns the UF whose range holds a normalized CEP.
func StateOfCEP(cep string) (string, bool) {
	if len(cep) != 8 {
		return "", false
	}
	p := 0
	for _, c := range cep[:5] {
		if c < '0' || c > '9' {
			return "", false
		}
		p = p*10 + int(c-'0')
	}
	for _, r := range cepRanges {
		if p >= r.From && p <= r.To {
			return r.UF, true
		}
	}
	return "", false
}

// IsCapitalCEP reports whether a normalized CEP belongs to a capital city in the table.
func IsCapitalCEP(cep string) bool {
	if len(cep) != 8 {
		return false
	}
	p := 0
	for _, c := range cep[:5] {
		p = p*10 + int(c-'0')
	}
	for _, r := range capitalCEPs {
		if p >= r.From && p <= r.To {
			return true
		}
	}
	return false
}

// fold lower-cases and strips accents: "São Luís" -> "sao luis".
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, strings.ToLower(strings.TrimSpace(s)))
	if err != nil {
		return strings.ToLower(strings.TrimSpace(s))
	}
	return strings.Join(strings.Fields(out), " ")
}
