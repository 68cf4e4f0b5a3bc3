package fhirapi

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// Param is a search parameter a resource type declares (besides the common
// ones every type takes: _id, _count, _cursor, _format, _include where declared).
type Param struct {
	Name string
	Type string // token, reference, date, string, quantity
	Doc  string // pt-BR, shown in the CapabilityStatement
}

// Common parameters, accepted by every search.
const (
	pID      = "_id"
	pCount   = "_count"
	pCursor  = "_cursor"
	pFormat  = "_format"
	pInclude = "_include"
)

// Limits on a search's input: a request's cost is bounded by its size.
const (
	maxValuesPerParam = 20 // comma-separated alternatives of one parameter
	maxRepeats        = 4  // repetitions of one parameter (AND)
	maxParams         = 16 // distinct parameters
	maxValueLen       = 256
	maxIssues         = 20 // issues of one OperationOutcome
)

// Query is a parsed search. Values of declared parameters other than the
// common ones stay in Params (each repetition one element, each a list of
// comma-separated alternatives); helpers read them typed.
type Query struct {
	IDs     []string
	Count   int
	Cursor  string
	Include []string
	Params  map[string][][]string
	probs   kernel.Problems
}

// DateBound is one date parameter value: a prefix and the implicit range of
// the value ([Start, End): a day, a month, a year or one instant).
type DateBound struct {
	Prefix     string // eq, ne, lt, gt, le, ge, sa, eb
	Start, End time.Time
}

// Match reports whether t satisfies the bound.
func (d DateBound) Match(t time.Time) bool {
	switch d.Prefix {
	case "eq":
		return !t.Before(d.Start) && t.Before(d.End)
	case "ne":
		return t.Before(d.Start) || !t.Before(d.End)
	case "lt", "eb":
		return t.Before(d.Start)
	case "le":
		return t.Before(d.End)
	case "gt", "sa":
		return !t.Before(d.End)
	case "ge":
		return !t.Before(d.Start)
	}
	return false
}

// Token is a token parameter value: system|code, |code, system| or code.
type Token struct {
	System    string
	Code      string
	HasSystem bool // a "|" was given: System is exact, even when empty
}

// Match reports whether an identifier or coding (system, code) satisfies t.
func (t Token) Match(system, code string) bool {
	if t.HasSystem && t.System != system {
		return false
	}
	return t.Code == "" || t.Code == code
}

// parseQuery reads a search's parameters against the type's declaration;
// every unknown or malformed parameter is a field error naming it.
func parseQuery(rt *resourceType, values url.Values) (Query, error) {
	q := Query{Params: map[string][][]string{}}
	if len(values) > maxParams {
		return q, kernel.Invalid("_", "a busca tem mais de %d parâmetros", maxParams)
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		vs := values[k]
		if len(vs) > maxRepeats {
			q.probs.Add(k, "pode aparecer no máximo %d vezes", maxRepeats)
			continue
		}
		name, modifier, _ := strings.Cut(k, ":")
		if modifier != "" && !(modifier == "exact" && rt.param(name).Type == "string") {
			q.probs.Add(k, "o modificador :%s não é aceito neste servidor", modifier)
			continue
		}
		for _, v := range vs {
			if len(v) > maxValueLen {
				q.probs.Add(k, "deve ter no máximo %d caracteres", maxValueLen)
				continue
			}
			q.read(rt, name, v)
		}
	}
	return q, q.probs.Err()
}

func (q *Query) read(rt *resourceType, name, v string) {
	switch name {
	case pID:
		ids := splitValues(v)
		if len(ids) > maxValuesPerParam {
			q.probs.Add(name, "aceita no máximo %d valores", maxValuesPerParam)
			return
		}
		for _, id := range ids {
			if !validID(id) {
				q.probs.Add(name, "%q não é um id de recurso deste servidor", id)
				return
			}
		}
		q.IDs = append(q.IDs, ids...)
	case pCount:
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > kernel.MaxLimit {
			q.probs.Add(name, "deve ser um inteiro entre 1 e %d", kernel.MaxLimit)
			return
		}
		q.Count = n
	case pCursor:
		q.Cursor = v
	case pFormat:
		switch v {
		case "json", "application/json", "application/fhir+json":
		default:
			q.probs.Add(name, "este servidor responde somente em JSON (application/fhir+json)")
		}
	case pInclude:
		if !slices.Contains(rt.Includes, v) {
			if len(rt.Includes) == 0 {
				q.probs.Add(name, "%s não aceita _include", rt.Name)
			} else {
				q.probs.Add(name, "aceita somente %s", strings.Join(rt.Includes, ", "))
			}
			return
		}
		q.Include = append(q.Include, v)
	default:
		p := rt.param(name)
		if p.Name == "" {
			q.probs.Add(name, "%s não é um parâmetro de busca de %s; os aceitos estão em /fhir/R4/metadata", name, rt.Name)
			return
		}
		vals := splitValues(v)
		if len(vals) == 0 {
			q.probs.Add(name, "não pode ser vazio")
			return
		}
		if len(vals) > maxValuesPerParam {
			q.probs.Add(name, "aceita no máximo %d valores", maxValuesPerParam)
			return
		}
		for _, x := range vals {
			if err := checkValue(p, x); err != "" {
				q.probs.Add(name, "%s", err)
				return
			}
		}
		q.Params[name] = append(q.Params[name], vals)
	}
}

// splitValues splits on commas not escaped with a backslash.
func splitValues(v string) []string {
	var out []string
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		switch {
		case v[i] == '\\' && i+1 < len(v):
			i++
			b.WriteByte(v[i])
		case v[i] == ',':
			out = append(out, b.String())
			b.Reset()
		default:
			b.WriteByte(v[i])
		}
	}
	out = append(out, b.String())
	kept := out[:0]
	for _, s := range out {
		if s != "" {
			kept = append(kept, s)
		}
	}
	return kept
}

func checkValue(p Param, v string) string {
	switch p.Type {
	case "date":
		if _, err := parseDate(v); err != nil {
			return err.Error()
		}
	case "reference":
		if _, err := refID(v, ""); err != nil {
			return err.Error()
		}
	case "token":
		if strings.Count(v, "|") > 1 {
			return "um token é sistema|código"
		}
	}
	return ""
}

var datePrefixes = []string{"eq", "ne", "lt", "gt", "le", "ge", "sa", "eb"}

// parseDate reads a date parameter value: an optional prefix, then a year,
// year-month, date or a dateTime with offset.
func parseDate(v string) (DateBound, error) {
	d := DateBound{Prefix: "eq"}
	if len(v) > 2 && slices.Contains(datePrefixes, v[:2]) {
		d.Prefix, v = v[:2], v[2:]
	}
	layouts := []struct {
		layout string
		next   func(time.Time) time.Time
	}{
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{time.DateOnly, func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
	}
	for _, l := range layouts {
		if len(v) != len(l.layout) {
			continue
		}
		t, err := time.ParseInLocation(l.layout, v, saoPaulo)
		if err == nil {
			d.Start, d.End = t, l.next(t)
			return d, nil
		}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return d, fmt.Errorf("%q não é uma data FHIR (AAAA, AAAA-MM, AAAA-MM-DD ou data e hora com fuso), com prefixo opcional eq, ne, lt, gt, le, ge, sa ou eb", v)
	}
	d.Start, d.End = t, t.Add(time.Nanosecond)
	return d, nil
}

// saoPaulo is where a date without a time zone is read: the platform's users
// live in Brazilian time zones and the national network's default is Brasília's.
var saoPaulo = func() *time.Location {
	l, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		return time.FixedZone("BRT", -3*3600)
	}
	return l
}()

// refID reads a reference parameter value ("Patient/123", "123", or an
// absolute URL ending in "Patient/123") as an id; typ, when set, must match.
func refID(v, typ string) (string, error) {
	trimmed := strings.TrimSuffix(v, "/")
	parts := strings.Split(trimmed, "/")
	if trimmed != v && len(parts) == 1 { // "Patient/": a type without an id
		return "", fmt.Errorf("%q não é uma referência a um recurso deste servidor", v)
	}
	id := parts[len(parts)-1]
	if len(parts) >= 2 && typ != "" && parts[len(parts)-2] != typ {
		return "", fmt.Errorf("deve referir-se a %s", typ)
	}
	if !validID(id) {
		return "", fmt.Errorf("%q não é uma referência a um recurso deste servidor", v)
	}
	return id, nil
}

// validID is a FHIR id: 1 to 64 of [A-Za-z0-9-.].
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// Has reports whether the query gave name.
func (q Query) Has(name string) bool { return len(q.Params[name]) > 0 }

// Ref returns the single id a reference parameter names (typ checked); ""
// when absent; an error when repeated or a list (a search by one patient).
func (q Query) Ref(name, typ string) (string, error) {
	vs := q.Params[name]
	if len(vs) == 0 {
		return "", nil
	}
	if len(vs) > 1 || len(vs[0]) > 1 {
		return "", kernel.Invalid(name, "aceita um único valor")
	}
	id, err := refID(vs[0][0], typ)
	if err != nil {
		return "", kernel.Invalid(name, "%s", err.Error())
	}
	return id, nil
}

// Dates returns the bounds of a date parameter (all must hold).
func (q Query) Dates(name string) []DateBound {
	var out []DateBound
	for _, alt := range q.Params[name] {
		for _, v := range alt {
			d, _ := parseDate(v) // checked by parseQuery
			out = append(out, d)
		}
	}
	return out
}

// DateMatch reports whether t satisfies every bound of name.
func (q Query) DateMatch(name string, t time.Time) bool {
	for _, d := range q.Dates(name) {
		if !d.Match(t) {
			return false
		}
	}
	return true
}

// DateRange narrows the bounds of name to one range [from, to) for a use case
// that takes one (zero: unbounded); DateMatch still filters what it returns.
func (q Query) DateRange(name string) (from, to time.Time) {
	for _, d := range q.Dates(name) {
		var lo, hi time.Time
		switch d.Prefix {
		case "eq":
			lo, hi = d.Start, d.End
		case "lt", "eb":
			hi = d.Start
		case "le":
			hi = d.End
		case "gt", "sa":
			lo = d.End
		case "ge":
			lo = d.Start
		}
		if !lo.IsZero() && (from.IsZero() || lo.After(from)) {
			from = lo
		}
		if !hi.IsZero() && (to.IsZero() || hi.Before(to)) {
			to = hi
		}
	}
	return from, to
}

// Tokens returns the alternatives of a token parameter, AND of ORs.
func (q Query) Tokens(name string) [][]Token {
	var out [][]Token
	for _, alt := range q.Params[name] {
		var ts []Token
		for _, v := range alt {
			sys, code, has := strings.Cut(v, "|")
			if !has {
				sys, code = "", v
			}
			ts = append(ts, Token{System: sys, Code: code, HasSystem: has})
		}
		out = append(out, ts)
	}
	return out
}

// TokenMatch reports whether one of codes (system, code pairs) satisfies every
// repetition of the token parameter name.
func (q Query) TokenMatch(name string, codes ...Coding) bool {
	for _, alt := range q.Tokens(name) {
		ok := false
		for _, t := range alt {
			for _, c := range codes {
				if t.Match(c.System, c.Code) {
					ok = true
				}
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// Strings returns the values of a string parameter (AND of ORs).
func (q Query) Strings(name string) [][]string { return q.Params[name] }

// StringMatch is FHIR's default string match: case- and accent-insensitive
// prefix of any word-start... here: of the whole value or of any of its words.
func (q Query) StringMatch(name string, values ...string) bool {
	for _, alt := range q.Params[name] {
		ok := false
		for _, want := range alt {
			w := fold(want)
			for _, v := range values {
				fv := fold(v)
				if strings.HasPrefix(fv, w) || strings.Contains(fv, " "+w) {
					ok = true
				}
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

var foldReplacer = strings.NewReplacer(
	"á", "a", "à", "a", "â", "a", "ã", "a", "ä", "a", "é", "e", "ê", "e", "è", "e", "í", "i", "ì", "i", "î", "i",
	"ó", "o", "ô", "o", "õ", "o", "ò", "o", "ö", "o", "ú", "u", "ù", "u", "û", "u", "ü", "u", "ç", "c", "ñ", "n")

func fold(s string) string { return foldReplacer.Replace(strings.ToLower(strings.TrimSpace(s))) }

// page is the page a search asks a use case for.
func (q Query) page() kernel.Page {
	n := q.Count
	if n == 0 {
		n = kernel.DefaultLimit
	}
	return kernel.Page{Limit: n, Cursor: q.Cursor}
}
