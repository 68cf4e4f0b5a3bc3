package consentsql

import (
	"context"
	"errors"

	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/kernel"
)

var _ consent.LedgerStore = (*Store)(nil)

// AppendConsent: see consent.LedgerStore.
func (s *Store) AppendConsent(ctx context.Context, r consent.ConsentRecord) error {
	return kernel.Internal(errors.New("not implemented"), "append consent") // TODO(ledger part)
}

// ConsentHistory: see consent.LedgerStore.
func (s *Store) ConsentHistory(ctx context.Context, subjectID kernel.ID) ([]consent.ConsentRecord, error) {
	return nil, nil // TODO(ledger part)
}
