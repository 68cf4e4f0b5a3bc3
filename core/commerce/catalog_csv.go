package commerce

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/multisaude/multisaude/core/kernel"
)

// ImportLine is one item of an import, as parsed: its line number in the file
// (1 is the first line; a CSV's header is line 1), what it asks for, and what
// could not be parsed (the line is refused then).
type ImportLine struct {
	Line   int
	Item   ItemInput
	Errors []kernel.FieldError
}

// CSVColumns are the columns a catalogue CSV may have, in the documented order.
// The header row names them (any order, any case); sku, name, kind and price are
// required, the others optional:
//
//	sku                    the item's SKU
//	name                   its name
//	kind                   medication, food, equipment, gym_plan, exam, service or product
//	price                  in reais: "12,90", "12.90", "1.234,56", "R$ 12,90" (parsed to centavos exactly)
//	currency               BRL (the default)
//	stock                  units in stock; empty: unlimited
//	tags                   tags separated by "|": "drug:dipyrone|form:tablet"
//	requires_prescription  sim/não, s/n, true/false, 1/0, yes/no (empty: não)
//	pickup                 the same booleans (empty: sim)
//	delivery_radius_km     "5" or "7,5"; empty: no delivery
//	delivery_fee           in reais like price (empty with a radius: free delivery)
//	description, active_ingredient, concentration, form, anvisa
//
// Fields are separated by ';' or ',', whichever the header uses more; the file
// is UTF-8 (a byte order mark is skipped) or, when it is not valid UTF-8,
// Windows-1252.
var CSVColumns = []string{"sku", "name", "kind", "price", "currency", "stock", "tags", "requires_prescription", "pickup",
	"delivery_radius_km", "delivery_fee", "description", "active_ingredient", "concentration", "form", "anvisa"}

var requiredColumns = []string{"sku", "name", "kind", "price"}

// ParseCatalogCSV reads a catalogue CSV (see CSVColumns). A file that cannot be
// read as a whole (no header, an unknown or repeated column, more than
// MaxImportLines item lines) is kernel.KindInvalid; a line that cannot be
// parsed is returned with its errors, and the others are still read.
func ParseCatalogCSV(data []byte) ([]ImportLine, error) {
	if bytes.Count(data, []byte{'\n'}) > MaxImportLines+1 { // counted before any work
		return nil, tooManyLines()
	}
	text := data
	if !utf8.Valid(text) {
		text = DecodeWindows1252(text)
	}
	text = bytes.TrimPrefix(text, []byte("\ufeff"))
	if len(bytes.TrimSpace(text)) == 0 {
		return nil, kernel.Invalid("body", "o arquivo está vazio; a primeira linha deve ser o cabeçalho (%s)", strings.Join(requiredColumns, ";"))
	}
	r := csv.NewReader(bytes.NewReader(text))
	r.Comma = separator(text)
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	r.ReuseRecord = false
	header, err := r.Read()
	if err != nil {
		return nil, kernel.Invalid("body", "o cabeçalho não pôde ser lido: %s", csvErr(err))
	}
	cols, err := columns(header)
	if err != nil {
		return nil, err
	}
	var out []ImportLine
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var line int
		var pe *csv.ParseError
		switch {
		case err != nil && errors.As(err, &pe):
			line = pe.StartLine
		case err == nil && len(rec) > 0: // FieldPos panics on a record without fields
			line, _ = r.FieldPos(0)
		}
		if len(out) >= MaxImportLines {
			return nil, tooManyLines()
		}
		if err != nil {
			if pe == nil { // not a line's fault: stop
				return nil, kernel.Invalid("body", "o arquivo não pôde ser lido: %s", csvErr(err))
			}
			out = append(out, ImportLine{Line: line, Errors: []kernel.FieldError{{Field: "line", Message: "linha malformada: " + csvErr(err)}}})
			continue
		}
		if blank(rec) {
			continue
		}
		out = append(out, parseRecord(line, cols, rec))
	}
	return out, nil
}

func tooManyLines() error {
	return kernel.Invalid("body", "o arquivo tem mais de %d itens; divida-o em partes", MaxImportLines)
}

func csvErr(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, csv.ErrBareQuote):
			return "aspas (\") fora de um campo entre aspas"
		case errors.Is(pe.Err, csv.ErrQuote):
			return "aspas (\") sem fechamento"
		}
	}
	return "formato CSV inválido"
}

// separator picks ';' or ',' by which the header line (outside quotes) holds more of.
func separator(text []byte) rune {
	semi, comma, quoted := 0, 0, false
	for _, c := range text {
		if c == '\n' && !quoted {
			break
		}
		switch c {
		case '"':
			quoted = !quoted
		case ';':
			if !quoted {
				semi++
			}
		case ',':
			if !quoted {
				comma++
			}
		}
	}
	if semi >= comma && semi > 0 {
		return ';'
	}
	return ','
}

func columns(header []string) (map[string]int, error) {
	var p kernel.Problems
	cols := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		switch {
		case name == "":
			p.Add(fmt.Sprintf("header[%d]", i), "a coluna %d do cabeçalho está sem nome", i+1)
		case !slices.Contains(CSVColumns, name):
			p.Add(fmt.Sprintf("header[%d]", i), "coluna desconhecida %q; as colunas são %s", truncate(name, 40), strings.Join(CSVColumns, ", "))
		case cols[name] != 0:
			p.Add(fmt.Sprintf("header[%d]", i), "a coluna %q aparece mais de uma vez", name)
		default:
			cols[name] = i + 1 // 1-based, so that 0 means absent
		}
	}
	for _, c := range requiredColumns {
		if cols[c] == 0 {
			p.Add("header", "falta a coluna %q (obrigatórias: %s)", c, strings.Join(requiredColumns, ", "))
		}
	}
	return cols, p.Err()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func parseRecord(line int, cols map[string]int, rec []string) ImportLine {
	get := func(name string) string {
		i := cols[name]
		if i == 0 || i > len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i-1])
	}
	var p kernel.Problems
	if len(rec) > len(cols) {
		p.Add("line", "tem %d campos, mais que as %d colunas do cabeçalho", len(rec), len(cols))
	}
	in := ItemInput{SKU: get("sku"), Name: get("name"), Kind: Kind(get("kind")), Description: get("description"),
		ActiveIngredient: get("active_ingredient"), Concentration: get("concentration"), Form: get("form"), Anvisa: get("anvisa")}
	cur := get("currency")
	if cur == "" {
		cur = "BRL"
	}
	if v := get("price"); v == "" {
		p.Add("price", "é obrigatório")
	} else if amt, err := ParseReais(v); err != nil {
		p.Add("price", "%s", err.Error())
	} else {
		in.Price = kernel.Money{Amount: amt, Currency: cur}
	}
	if v := get("stock"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			p.Add("stock", "deve ser um inteiro a partir de 0, ou vazio para estoque ilimitado")
		} else {
			in.Stock = &n
		}
	}
	if v := get("tags"); v != "" {
		for _, t := range strings.Split(v, "|") {
			if t = strings.TrimSpace(t); t != "" {
				in.Tags = append(in.Tags, t)
			}
		}
	}
	in.RequiresPrescription = parseBool("requires_prescription", get("requires_prescription"), false, &p)
	in.Fulfilment.Pickup = parseBool("pickup", get("pickup"), true, &p)
	radius, fee := get("delivery_radius_km"), get("delivery_fee")
	switch {
	case radius != "":
		km, err := strconv.ParseFloat(strings.Replace(radius, ",", ".", 1), 64)
		if err != nil || km != km { // NaN
			p.Add("delivery_radius_km", "deve ser um número de quilômetros, como 5 ou 7,5")
			break
		}
		d := &DeliveryTerms{RadiusKM: km, Fee: kernel.Money{Currency: cur}}
		if fee != "" {
			amt, err := ParseReais(fee)
			if err != nil {
				p.Add("delivery_fee", "%s", err.Error())
			}
			d.Fee.Amount = amt
		}
		in.Fulfilment.Delivery = d
	case fee != "":
		p.Add("delivery_radius_km", "é obrigatório quando delivery_fee é informado")
	}
	return ImportLine{Line: line, Item: in, Errors: p.Fields()}
}

func parseBool(field, v string, def bool, p *kernel.Problems) bool {
	switch strings.ToLower(v) {
	case "":
		return def
	case "sim", "s", "true", "t", "1", "yes", "y", "x":
		return true
	case "não", "nao", "n", "false", "f", "0", "no":
		return false
	}
	p.Add(field, "deve ser sim ou não")
	return def
}

// ParseReais reads an amount in reais written as people write it ("12,90",
// "12.90", "1.234,56", "1,234.56" is refused, "R$ 12", "0,5") into centavos,
// exactly (never through a float). With a comma, it is the decimal separator
// and dots group thousands; with dots only, a single dot followed by one or two
// digits is the decimal separator and otherwise dots group thousands.
func ParseReais(s string) (int64, error) {
	bad := errors.New("deve ser um valor em reais, como 12,90 ou 12.90")
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimPrefix(s, "R$"))
	if s == "" || len(s) > 24 {
		return 0, bad
	}
	if s[0] == '-' {
		return 0, errors.New("não pode ser negativo")
	}
	intPart, frac := s, ""
	if i := strings.IndexByte(s, ','); i >= 0 {
		intPart, frac = s[:i], s[i+1:]
		if strings.ContainsAny(frac, ",.") {
			return 0, bad
		}
	} else if i := strings.LastIndexByte(s, '.'); i >= 0 && strings.Count(s, ".") == 1 && len(s)-i-1 <= 2 {
		intPart, frac = s[:i], s[i+1:]
	}
	if strings.Contains(intPart, ".") { // thousands groups: 1.234.567
		groups := strings.Split(intPart, ".")
		if len(groups[0]) == 0 || len(groups[0]) > 3 {
			return 0, bad
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, bad
			}
		}
		intPart = strings.Join(groups, "")
	}
	if intPart == "" || len(frac) > 2 || (len(frac) == 0 && strings.ContainsAny(s, ",")) {
		if len(frac) > 2 {
			return 0, errors.New("deve ter no máximo dois dígitos de centavos")
		}
		return 0, bad
	}
	if !digits(intPart) || !digits(frac) || len(intPart) > 12 {
		return 0, bad
	}
	reais, _ := strconv.ParseInt(intPart, 10, 64)
	var cents int64
	if frac != "" {
		cents, _ = strconv.ParseInt(frac, 10, 64)
		if len(frac) == 1 {
			cents *= 10
		}
	}
	return reais*100 + cents, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// cp1252 maps the bytes 0x80 to 0x9F of Windows-1252 to their runes (the
// others are Latin-1: the byte is the code point); the five undefined bytes map
// to U+FFFD, as golang.org/x/text's charmap.Windows1252 decodes them.
var cp1252 = [32]rune{
	'€', '\ufffd', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\ufffd', 'Ž', '\ufffd',
	'\ufffd', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\ufffd', 'ž', 'Ÿ',
}

// DecodeWindows1252 turns Windows-1252 text into UTF-8 (the core keeps to the
// standard library; a test checks it byte for byte against x/text's decoder).
func DecodeWindows1252(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/4)
	for _, c := range b {
		switch {
		case c < 0x80:
			out = append(out, c)
		case c < 0xa0:
			out = utf8.AppendRune(out, cp1252[c-0x80])
		default:
			out = utf8.AppendRune(out, rune(c))
		}
	}
	return out
}
