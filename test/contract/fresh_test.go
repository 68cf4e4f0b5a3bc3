// Package contract_test checks the published OpenAPI document as a partner
// uses it: a Go client generated from it by oapi-codegen (test/contract/client)
// must be what the current code produces, and must carry a whole journey.
package contract_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/multisaude/multisaude/test/contract/spec"
)

// TestClientIsFresh regenerates the client from the document the server builds
// now and fails when it differs from the committed one: the API changed shape
// and nobody ran `go generate ./test/contract/...`.
func TestClientIsFresh(t *testing.T) {
	dir := t.TempDir()
	committed := filepath.Join("client")
	if err := spec.Generate(context.Background(), dir, filepath.Join(committed, spec.ConfigFile)); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{spec.DocumentFile, spec.ClientFile} {
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(committed, name))
		if err != nil {
			t.Fatal(err)
		}
		if line, diff := firstDifference(got, want); diff != "" {
			t.Errorf("test/contract/client/%s is stale (line %d: %s); run: go generate ./test/contract/...", name, line, diff)
		}
	}
}

// firstDifference returns the first line where got and want differ, shown as
// "committed ... / generated ...", or "" when they are equal.
func firstDifference(got, want []byte) (int, string) {
	if bytes.Equal(got, want) {
		return 0, ""
	}
	g, w := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl []byte
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if !bytes.Equal(gl, wl) {
			return i + 1, "committed " + quote(gl) + " / generated " + quote(wl)
		}
	}
	return 0, "" // unreachable: equal line by line means equal
}

func quote(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > 120 {
		b = append(b[:120:120], "..."...)
	}
	return "«" + string(b) + "»"
}
