package minioblob_test

import (
	"testing"

	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
)

func TestConformance(t *testing.T) {
	conformance.RunBlobStore(t, func(t *testing.T) ports.BlobStore {
		b, _, _ := newBucket(t)
		return b
	})
}
