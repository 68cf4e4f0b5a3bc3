package httpapi

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/multisaude/multisaude/core/kernel"
)

type checkRule struct {
	Mode  string `json:"mode"`
	Start string `json:"start"`
}

type checkBody struct {
	Name   string      `json:"name"`
	CPF    string      `json:"cpf"`
	Weekly []checkRule `json:"weekly"`
	Tags   []string    `json:"tags"`
	Meta   *struct {
		Note string `json:"note"`
	} `json:"meta"`
}

// fieldOf returns the single field a KindInvalid error names, or "" when err is nil.
func fieldOf(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var ke *kernel.Error
	if !errorsAs(err, &ke) || ke.Kind != kernel.KindInvalid || len(ke.Fields) != 1 {
		t.Fatalf("want one KindInvalid field error, got %v", err)
	}
	return ke.Fields[0].Field
}

func errorsAs(err error, ke **kernel.Error) bool {
	e, ok := err.(*kernel.Error)
	if ok {
		*ke = e
	}
	return ok
}

func TestDecodeJSONStrictness(t *testing.T) {
	deep := strings.Repeat(`{"meta":`, 70) + `1` + strings.Repeat(`}`, 70)
	cases := []struct {
		name, body, field string // field "" means accepted
	}{
		{"plain", `{"name":"Ana","cpf":"52998224725"}`, ""},
		{"accents and a pair", `{"name":"João \ud83d\ude00 Açaí"}`, ""},
		{"raw multibyte", "{\"name\":\"Conceição 😀\"}", ""},
		{"escapes", `{"name":"a\"b\\c\/d\n\u00e9"}`, ""},
		{"array of objects", `{"weekly":[{"mode":"in_person"},{"mode":"online","start":"08:00"}]}`, ""},
		{"same key in sibling objects", `{"weekly":[{"mode":"a"},{"mode":"b"}]}`, ""},
		{"lone high surrogate", `{"name":"\ud800"}`, "name"},
		{"lone low surrogate", `{"name":"\udc00"}`, "name"},
		{"high then not low", `{"name":"\ud800\u0041"}`, "name"},
		{"high then high", `{"name":"x\uD83D\uD83D"}`, "name"},
		{"high at end", `{"name":"\ud83d"}`, "name"},
		{"raw 0xff", "{\"name\":\"a\xffb\"}", "name"},
		{"truncated sequence", "{\"name\":\"\xc3\"}", "name"},
		{"encoded surrogate", "{\"name\":\"\xed\xa0\x80\"}", "name"},
		{"overlong", "{\"name\":\"\xc0\xaf\"}", "name"},
		{"nested path", `{"weekly":[{"mode":"a"},{"mode":"b"},{"mode":"c"},{"mode":"\udc00"}]}`, "weekly[3].mode"},
		{"in a string array", `{"tags":["ok","\ud800"]}`, "tags[1]"},
		{"in a key", "{\"na\xffme\":\"x\"}", "body"},
		{"in a nested key", `{"meta":{"\ud800":"x"}}`, "meta"},
		{"duplicate top", `{"cpf":"1","name":"a","cpf":"2"}`, "cpf"},
		{"duplicate differing in case", `{"cpf":"1","CPF":"2"}`, "CPF"},
		{"duplicate by escape", `{"cpf":"1","\u0063pf":"2"}`, "cpf"},
		{"duplicate nested", `{"meta":{"note":"a","note":"b"}}`, "meta.note"},
		{"duplicate in array item", `{"weekly":[{"mode":"a"},{"mode":"a","start":"1","mode":"b"}]}`, "weekly[1].mode"},
		{"too deep", deep, strings.TrimSuffix(strings.Repeat("meta.", 64), ".")},
		{"top-level array too deep", strings.Repeat("[", 65) + strings.Repeat("]", 65), strings.Repeat("[0]", 64)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var v checkBody
			err := DecodeJSON([]byte(tc.body), &v)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if got := fieldOf(t, err); got != tc.field {
				t.Fatalf("field %q, want %q (%v)", got, tc.field, err)
			}
		})
	}
}

// Malformed JSON is still the decoder's to report, at the top as "body".
func TestDecodeJSONSyntaxStillReported(t *testing.T) {
	for _, body := range []string{`{"name":`, `{"name" "x"}`, `{"name":"a",}`, `[1,]`, `{"name":"a"}}`, "{\"name\":\"a\x01\"}", `{"name":"\x"}`, `{"name":"\u12"}`} {
		var v checkBody
		if err := DecodeJSON([]byte(body), &v); err == nil || fieldOf(t, err) != "body" {
			t.Errorf("%q: %v", body, err)
		}
	}
}

// The check costs one pass: a body of many small objects and deep-but-allowed
// nesting allocates in proportion to its size, never more.
func TestCheckJSONBounded(t *testing.T) {
	item := `{"mode":"in_person","start":"08:00"},`
	body := []byte(`{"weekly":[` + strings.Repeat(item, 20000) + `{"mode":"x"}]}`)
	allocs := testing.AllocsPerRun(3, func() {
		if err := checkJSON(body); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 100 { // the stacks grow a few times; nothing per object
		t.Fatalf("%.0f allocations for %d bytes", allocs, len(body))
	}
	t.Logf("%d bytes, %.0f allocations", len(body), allocs)
	flat := []byte(strings.Repeat("[", 100000))
	if err := checkJSON(flat); fieldOf(t, err) == "" {
		t.Fatal("100000 open brackets accepted")
	}
}

// FuzzCheckJSON: the check never panics; whatever it accepts and the decoder
// decodes holds only valid UTF-8 (no U+FFFD the client did not send) and no
// object with a repeated key.
func FuzzCheckJSON(f *testing.F) {
	for _, s := range []string{`{"name":"a"}`, `{"name":"\ud800"}`, "{\"name\":\"\xff\"}", `{"a":1,"a":2}`,
		`{"weekly":[{"mode":"a","mode":"b"}]}`, `[[[[]]]]`, `"\ud83d\ude00"`, `{"a":{"b":[1,2,{"c":"\uDC00"}]}}`, `{"x":"\ufffd"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		err := checkJSON(b)
		if err != nil {
			var ke *kernel.Error
			if !errorsAs(err, &ke) || ke.Kind != kernel.KindInvalid || len(ke.Fields) != 1 || ke.Fields[0].Field == "" {
				t.Fatalf("not a named KindInvalid: %v", err)
			}
			return
		}
		if !json.Valid(b) {
			return
		}
		var v any
		if json.Unmarshal(b, &v) != nil {
			return
		}
		walkJSON(t, v, b)
		// duplicates: json.Unmarshal into a map keeps one of each key; a token walk sees all
		dec := json.NewDecoder(strings.NewReader(string(b)))
		type frame struct {
			obj  bool
			keys map[string]bool
			key  bool
		}
		var st []frame
		for {
			tok, err := dec.Token()
			if err != nil {
				break
			}
			switch x := tok.(type) {
			case json.Delim:
				if len(st) > 0 && st[len(st)-1].obj {
					st[len(st)-1].key = true
				}
				if x == '{' || x == '[' {
					st = append(st, frame{obj: x == '{', keys: map[string]bool{}, key: true})
				} else {
					st = st[:len(st)-1]
				}
			case string:
				if len(st) > 0 && st[len(st)-1].obj && st[len(st)-1].key {
					k := strings.ToLower(x)
					if st[len(st)-1].keys[k] {
						t.Fatalf("repeated key %q accepted in %q", x, b)
					}
					st[len(st)-1].keys[k] = true
					st[len(st)-1].key = false
					continue
				}
				if len(st) > 0 && st[len(st)-1].obj {
					st[len(st)-1].key = true
				}
			default:
				if len(st) > 0 && st[len(st)-1].obj {
					st[len(st)-1].key = true
				}
			}
		}
	})
}

// walkJSON fails when a decoded string holds U+FFFD that the raw body did not spell.
func walkJSON(t *testing.T, v any, raw []byte) {
	switch x := v.(type) {
	case string:
		if strings.ContainsRune(x, utf8.RuneError) && !strings.Contains(string(raw), "\uFFFD") && !strings.Contains(strings.ToLower(string(raw)), `\ufffd`) {
			t.Fatalf("accepted %q decodes to U+FFFD", raw)
		}
	case []any:
		for _, e := range x {
			walkJSON(t, e, raw)
		}
	case map[string]any:
		for k, e := range x {
			walkJSON(t, k, raw)
			walkJSON(t, e, raw)
		}
	}
}

func BenchmarkCheckJSON(b *testing.B) {
	body := []byte(`{"weekly":[` + strings.Repeat(`{"mode":"in_person","start":"08:00"},`, 20000) + `{"mode":"x"}]}`)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := checkJSON(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeJSONSmall(b *testing.B) {
	body := []byte(`{"name":"Maria Souza","cpf":"52998224725","weekly":[{"mode":"in_person","start":"08:00"}],"tags":["a","b"]}`)
	b.ReportAllocs()
	for b.Loop() {
		var v checkBody
		if err := DecodeJSON(body, &v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckJSONSmall(b *testing.B) {
	body := []byte(`{"name":"Maria Souza","cpf":"52998224725","weekly":[{"mode":"in_person","start":"08:00"}],"tags":["a","b"]}`)
	b.ReportAllocs()
	for b.Loop() {
		if err := checkJSON(body); err != nil {
			b.Fatal(err)
		}
	}
}
