package consent

import (
	"context"
	"strings"

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

// Require: see ports.Consents. The state is the latest record (by time, then
// ID): a revocation takes effect at once. A grant counts only for the current
// version of the term. A purpose whose term is not Required (care) never refuses.
func (g *Gate) Require(ctx context.Context, subjectID kernel.ID, purpose string) error {
	t, ok := CurrentTerm(purpose)
	if !ok {
		return kernel.Internal(nil, "consent required for unknown purpose %q", purpose)
	}
	if !t.Required {
		return nil
	}
	st, err := stateOf(ctx, g.Ledger, subjectID, purpose)
	if err != nil {
		return err
	}
	if !st.Effective {
		return consentRequired(purpose)
	}
	return nil
}

// Disclosed: see ports.Consents. At defaults to the gate's clock.
func (g *Gate) Disclosed(ctx context.Context, d ports.Disclosure) error {
	var pr kernel.Problems
	pr.Require("subject_id", d.SubjectID)
	pr.Require("recipient_kind", d.RecipientKind)
	pr.Require("recipient_id", d.RecipientID)
	pr.Require("category", d.Category)
	pr.Require("basis", d.Basis)
	if err := pr.Err(); err != nil {
		return kernel.Internal(err, "incomplete disclosure")
	}
	if d.At.IsZero() {
		if g.Clock != nil {
			d.At = g.Clock.Now()
		} else {
			d.At = kernel.SystemClock{}.Now()
		}
	}
	d.At = d.At.UTC()
	d.Category, d.Basis = strings.TrimSpace(d.Category), strings.TrimSpace(d.Basis)
	return kernel.Wrap(g.Disclosures.AddDisclosure(ctx, d), "record disclosure")
}
