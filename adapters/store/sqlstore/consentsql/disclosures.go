package consentsql

import (
	"context"

	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

var _ consent.DisclosureStore = (*Store)(nil)

// AddDisclosure: see consent.DisclosureStore.
func (s *Store) AddDisclosure(ctx context.Context, d ports.Disclosure) error {
	return nil // TODO(ledger part)
}

// ListDisclosures: see consent.DisclosureStore.
func (s *Store) ListDisclosures(ctx context.Context, subjectID kernel.ID) ([]ports.Disclosure, error) {
	return nil, nil // TODO(ledger part)
}
