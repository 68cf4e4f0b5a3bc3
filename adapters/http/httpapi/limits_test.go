package httpapi

import (
	"reflect"
	"strings"
	"testing"

	"github.com/multisaude/multisaude/core/kernel"
)

type limItem struct {
	Name string   `json:"name"`
	Tags []string `json:"tags,omitempty"`
}

func (limItem) Limits() Limits {
	return Limits{"name": {Length: 5}, "tags": {Items: 2, Length: 3}}
}

type limReq struct {
	Title string    `json:"title"`
	Code  *string   `json:"code,omitempty"`
	Items []limItem `json:"items"`
	Keys  *[]string `json:"keys,omitempty"`
}

func (limReq) Limits() Limits {
	return Limits{"items": {Items: 3}, "keys": {Items: 1, Length: 4}, AnyString: {Length: 8}}
}

func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	ke, ok := err.(*kernel.Error)
	if !ok || ke.Kind != kernel.KindInvalid {
		t.Fatalf("not an invalid error: %v", err)
	}
	var out []string
	for _, f := range ke.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestCheckLimits(t *testing.T) {
	code, long := "ok", "toolongcode"
	keys := []string{"abcd"}
	ok := limReq{Title: "héllo wö", Code: &code, Items: []limItem{{Name: "ação", Tags: []string{"a", "bcd"}}}, Keys: &keys}
	if err := CheckLimits(&ok); err != nil {
		t.Fatalf("within limits (counted in characters, not bytes): %v", err)
	}
	bad := limReq{Title: "123456789", Code: &long, Items: []limItem{{Name: "123456", Tags: []string{"a", "b", "c"}}, {Tags: []string{"abcd"}}},
		Keys: &[]string{"a", "b"}}
	got := strings.Join(fieldsOf(t, CheckLimits(&bad)), " ")
	want := "code items[0].name items[0].tags items[1].tags[0] keys title"
	if got != want {
		t.Fatalf("fields %q, want %q", got, want)
	}
	// A list past its maximum is refused by its count alone: its items are not looked at.
	many := limReq{Items: make([]limItem, 100_000)}
	for i := range many.Items {
		many.Items[i].Name = "far too long"
	}
	if got := fieldsOf(t, CheckLimits(&many)); len(got) != 1 || got[0] != "items" {
		t.Fatalf("got %v", got)
	}
	if allocs := testing.AllocsPerRun(10, func() { _ = CheckLimits(&many) }); allocs > 20 {
		t.Fatalf("refusing an over-long list allocates %v times", allocs)
	}
}

func TestLimitsDocumented(t *testing.T) {
	s := newSpec("test", "")
	s.schemaOf(reflect.TypeOf(limReq{}))
	req := s.schemas["limReq"].(map[string]any)["properties"].(map[string]any)
	item := s.schemas["limItem"].(map[string]any)["properties"].(map[string]any)
	check := func(name string, sch any, key string, want int) {
		t.Helper()
		if got := sch.(map[string]any)[key]; got != want {
			t.Errorf("%s: %s = %v, want %d", name, key, got, want)
		}
	}
	check("title", req["title"], "maxLength", 8)
	check("code", req["code"], "maxLength", 8)
	check("items", req["items"], "maxItems", 3)
	check("keys", req["keys"], "maxItems", 1)
	check("keys[]", req["keys"].(map[string]any)["items"], "maxLength", 4)
	check("name", item["name"], "maxLength", 5)
	check("tags", item["tags"], "maxItems", 2)
	check("tags[]", item["tags"].(map[string]any)["items"], "maxLength", 3)
}

func TestProblemCapsFieldsBuiltByHand(t *testing.T) {
	fields := make([]kernel.FieldError, 300)
	for i := range fields {
		fields[i] = kernel.FieldError{Field: "f", Message: "bad"}
	}
	p := problemFor(kernel.Unprocessable("rule broken", fields...))
	if len(p.Errors) != kernel.MaxFieldErrors+1 || !strings.Contains(p.Errors[kernel.MaxFieldErrors].Message, "mais 250") {
		t.Fatalf("%d errors, last %+v", len(p.Errors), p.Errors[len(p.Errors)-1])
	}
}

func TestPageParamsDocumentTheirBounds(t *testing.T) {
	limit, cursor := paramDoc(PageParams[0], "query")["schema"].(map[string]any), paramDoc(PageParams[1], "query")["schema"].(map[string]any)
	if limit["minimum"] != 1 || limit["maximum"] != kernel.MaxLimit || cursor["maxLength"] != kernel.MaxCursorLen {
		t.Fatalf("limit %v, cursor %v", limit, cursor)
	}
}
