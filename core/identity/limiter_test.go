package identity_test

import (
	"testing"

	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/test/conformance"
)

func TestMemoryCounters(t *testing.T) {
	conformance.RunRateCounters(t, func(*testing.T) (identity.RateCounters, identity.RateCounters) {
		c := identity.NewMemoryCounters()
		return c, c
	})
}
