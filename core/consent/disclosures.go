package consent

import (
	"context"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// MaxDisclosures caps what one subject's disclosure list returns (newest kept).
const MaxDisclosures = 10000

// DisclosureStore keeps the disclosures other contexts record through the Gate.
type DisclosureStore interface {
	// AddDisclosure appends d.
	AddDisclosure(ctx context.Context, d ports.Disclosure) error
	// ListDisclosures returns the subject's disclosures, newest first, at most MaxDisclosures.
	ListDisclosures(ctx context.Context, subjectID kernel.ID) ([]ports.Disclosure, error)
}
