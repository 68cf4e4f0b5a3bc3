package consent

import (
	"context"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Gate is the port other contexts call: it answers from the ledger and
// records disclosures. It needs only the stores and a clock, so scheduling and
// commerce can use it without depending on the rest of consent.
type Gate struct {
	Ledger      LedgerStore
	Disclosures DisclosureStore
	Clock       kernel.Clock
}

var _ ports.Consents = (*Gate)(nil)

// Require: see ports.Consents.
func (g *Gate) Require(ctx context.Context, subjectID kernel.ID, purpose string) error {
	return nil // TODO(ledger part)
}

// Disclosed: see ports.Consents.
func (g *Gate) Disclosed(ctx context.Context, d ports.Disclosure) error {
	return nil // TODO(ledger part)
}
