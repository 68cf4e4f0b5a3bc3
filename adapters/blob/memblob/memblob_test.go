package memblob_test

import (
	"testing"

	"github.com/multisaude/multisaude/adapters/blob/memblob"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
)

func TestConformance(t *testing.T) {
	conformance.RunBlobStore(t, func(t *testing.T) ports.BlobStore {
		b, cleanup, err := memblob.New()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cleanup)
		return b
	})
}
