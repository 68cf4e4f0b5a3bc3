package httpapi

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/multisaude/multisaude/core/kernel"
)

// Limit is the declared maximum of one field of a request body: Items for a
// list, Length (in characters) for a string or for each string of a list.
// Bind enforces those two. The others are documentation of what the use case
// checks, taken from the use case's own declarations (its list of professions,
// its ranges) so the document cannot drift from the check: Enum, Pattern and
// Format constrain a string or each string of a list, Range a number.
type Limit struct {
	Items, Length int
	Enum          []string
	Pattern       string // a regular expression (ECMA 262), anchored
	Format        string // date, date-time, email, uuid, ...
	Range         *Range
}

// Range is the inclusive interval of a number.
type Range struct{ Min, Max float64 }

// Between is a Range from integer bounds.
func Between(min, max int) *Range { return &Range{Min: float64(min), Max: float64(max)} }

// Limits maps a type's JSON field names to their maxima. The key AnyString
// gives the Length of every string field (and string list item) not named.
type Limits map[string]Limit

// AnyString is the Limits key that applies to every string field not named.
const AnyString = "*"

// Bounded is implemented by request body types, and by the types nested in
// them, to declare their maxima. One declaration serves twice: Bind refuses a
// body past them before the handler does any work on it (a list is counted
// before its items are looked at), and the OpenAPI document shows them as
// maxItems and maxLength. Declare the use case's own constants, so that the
// document, this check and the use case's validation agree.
type Bounded interface{ Limits() Limits }

var (
	boundedType = reflect.TypeOf((*Bounded)(nil)).Elem()
	limitsCache sync.Map // reflect.Type -> Limits
)

// limitsOf returns t's declared limits, nil when it declares none.
func limitsOf(t reflect.Type) Limits {
	if l, ok := limitsCache.Load(t); ok {
		return l.(Limits)
	}
	var l Limits
	if t.Kind() == reflect.Struct && t.Implements(boundedType) {
		l = reflect.Zero(t).Interface().(Bounded).Limits()
	}
	limitsCache.Store(t, l)
	return l
}

// limit is the limit of field name, falling back to AnyString for strings.
func (l Limits) limit(name string, t reflect.Type) (Limit, bool) {
	if lim, ok := l[name]; ok {
		if lim.Length == 0 && lim.Items == 0 { // a constraint without a length: the default length still holds
			lim.Length = l.anyLength(t)
		}
		return lim, true
	}
	if n := l.anyLength(t); n > 0 {
		return Limit{Length: n}, true
	}
	_, ok := l[AnyString]
	return Limit{}, ok && isStringish(t)
}

// anyLength is the AnyString length, for a string or list-of-strings type.
func (l Limits) anyLength(t reflect.Type) int {
	if !isStringish(t) {
		return 0
	}
	return l[AnyString].Length
}

func isStringish(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	return t.Kind() == reflect.String
}

// CheckLimits reports, as field errors, every value of v past its type's
// declared Limits. A list past its maximum is named and not looked into.
func CheckLimits(v any) error {
	var p kernel.Problems
	checkValue(reflect.ValueOf(v), "", &p)
	return p.Err()
}

func checkValue(v reflect.Value, path string, p *kernel.Problems) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		checkStruct(v, path, p)
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		for i := 0; i < v.Len() && !p.Full(); i++ {
			checkValue(v.Index(i), fmt.Sprintf("%s[%d]", path, i), p)
		}
	}
}

func checkStruct(v reflect.Value, path string, p *kernel.Problems) {
	t := v.Type()
	lims := limitsOf(t)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, skip := jsonFieldName(f)
		if skip {
			continue
		}
		fv := v.Field(i)
		if f.Anonymous && name == "" {
			checkValue(fv, path, p)
			continue
		}
		if name == "" {
			name = f.Name
		}
		field := name
		if path != "" {
			field = path + "." + name
		}
		for fv.Kind() == reflect.Pointer {
			if fv.IsNil() {
				break
			}
			fv = fv.Elem()
		}
		lim, _ := lims.limit(name, f.Type)
		switch fv.Kind() {
		case reflect.String:
			if lim.Length > 0 && tooLong(fv.String(), lim.Length) {
				p.Add(field, "deve ter no máximo %d caracteres", lim.Length)
			}
		case reflect.Slice:
			if fv.Type().Elem().Kind() == reflect.Uint8 {
				continue
			}
			if lim.Items > 0 && fv.Len() > lim.Items {
				p.Add(field, "deve ter no máximo %d itens", lim.Items)
				continue
			}
			if fv.Type().Elem().Kind() == reflect.String {
				for j := 0; j < fv.Len(); j++ {
					if lim.Length > 0 && tooLong(fv.Index(j).String(), lim.Length) {
						p.Add(fmt.Sprintf("%s[%d]", field, j), "deve ter no máximo %d caracteres", lim.Length)
					}
				}
				continue
			}
			checkValue(fv, field, p)
		case reflect.Struct:
			checkValue(fv, field, p)
		}
	}
}

// tooLong reports whether s has more than n characters, without counting past n.
func tooLong(s string, n int) bool {
	if len(s) <= n {
		return false
	}
	if len(s) > 4*n {
		return true
	}
	return utf8.RuneCountInString(s) > n
}

// jsonFieldName is f's JSON name ("" when untagged) and whether JSON skips it.
func jsonFieldName(f reflect.StructField) (string, bool) {
	if !f.IsExported() && !f.Anonymous {
		return "", true
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", true
	}
	name, _, _ := strings.Cut(tag, ",")
	return name, false
}

// documentLimit adds lim to a property's schema: maxItems to an array (and
// the string constraints to its string items), maxLength, enum, pattern and
// format to a string, minimum and maximum to a number.
func documentLimit(sch map[string]any, lim Limit) {
	switch {
	case hasType(sch, "array"):
		if lim.Items > 0 {
			sch["maxItems"] = lim.Items
		}
		if items, ok := sch["items"].(map[string]any); ok && hasType(items, "string") {
			documentString(items, lim)
		}
	case hasType(sch, "string"):
		documentString(sch, lim)
	case hasType(sch, "number"), hasType(sch, "integer"):
		if lim.Range != nil {
			sch["minimum"], sch["maximum"] = lim.Range.Min, lim.Range.Max
		}
	}
}

func documentString(sch map[string]any, lim Limit) {
	if lim.Length > 0 {
		sch["maxLength"] = lim.Length
	}
	if len(lim.Enum) > 0 {
		if hasType(sch, "null") { // a nullable enum lists null too
			sch["enum"] = append(toAny(lim.Enum), nil)
		} else {
			sch["enum"] = lim.Enum
		}
	}
	if lim.Pattern != "" {
		sch["pattern"] = lim.Pattern
	}
	if lim.Format != "" {
		sch["format"] = lim.Format
	}
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func hasType(sch map[string]any, want string) bool {
	switch t := sch["type"].(type) {
	case string:
		return t == want
	case []string:
		for _, x := range t {
			if x == want {
				return true
			}
		}
	}
	return false
}
