//go:build !lambda

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestOpenAPICommand prints the document as `multisaude openapi` does and checks
// what makes it a contract a client can be generated from: it loads and is
// valid, every operation names the schemes it accepts and documents a 4xx, and
// every example matches its own schema.
func TestOpenAPICommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"openapi", "--public-url", "https://app.multisaude.com.br"}, &out, &errOut); code != 0 {
		t.Fatalf("multisaude openapi exited %d: %s", code, errOut.String())
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(out.Bytes())
	if err != nil {
		t.Fatalf("the document does not load: %v", err)
	}
	if err := doc.Validate(loader.Context, openapi3.EnableSchemaFormatValidation(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("the document is invalid: %v", err)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "https://app.multisaude.com.br" {
		t.Errorf("servers = %v, want the public URL", doc.Servers)
	}
	ops := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops++
			if op.Security == nil || len(*op.Security) == 0 {
				t.Errorf("%s %s declares no security requirement", method, path)
			}
			has4xx := false
			for code := range op.Responses.Map() {
				has4xx = has4xx || strings.HasPrefix(code, "4")
			}
			if !has4xx {
				t.Errorf("%s %s documents no 4xx", method, path)
			}
			if strings.Contains(path, "prescriptions/verify") {
				t.Errorf("%s %s: the public verification lives under /v1/prescription-verifications", method, path)
			}
		}
	}
	constrained, exampled := 0, 0
	for name, ref := range doc.Components.Schemas {
		if strings.Contains(name, ".") {
			t.Errorf("schema %s is named after a Go package", name)
		}
		s := ref.Value
		if hasConstraint(s) {
			constrained++
		}
		for i, ex := range s.Examples {
			exampled++
			// Round-trip through JSON: numbers as float64, as a client reads them.
			b, _ := json.Marshal(ex)
			var v any
			_ = json.Unmarshal(b, &v)
			if err := s.VisitJSON(v); err != nil {
				t.Errorf("schema %s: example %d does not match it: %v", name, i, err)
			}
		}
	}
	t.Logf("%d operations, %d schemas: %d with constraints, %d with an example", ops, len(doc.Components.Schemas), constrained, exampled)
	if ops < 80 || constrained < 40 || exampled < 30 {
		t.Errorf("%d operations, %d constrained schemas, %d examples: fewer than the API has", ops, constrained, exampled)
	}
}

// hasConstraint reports whether a schema, or one of its own properties (and
// their items), states an enum, pattern, format, bound or length.
func hasConstraint(s *openapi3.Schema) bool {
	if s == nil {
		return false
	}
	if len(s.Enum) > 0 || s.Pattern != "" || (s.Format != "" && s.Format != "date-time") || s.Min != nil || s.Max != nil ||
		s.MaxLength != nil || s.MaxItems != nil {
		return true
	}
	for _, p := range s.Properties {
		if p.Ref == "" && hasConstraint(p.Value) {
			return true
		}
	}
	if s.Items != nil && s.Items.Ref == "" && hasConstraint(s.Items.Value) {
		return true
	}
	return false
}
