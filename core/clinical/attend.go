package clinical

import (
	"context"

	"github.com/multisaude/multisaude/core/kernel"
)

// CanAttend reports whether professionalID may attend patientID now under the
// record's access rule: a verified professional with a care relationship (in
// its window) or an active share the patient granted, on a record that is not
// blocked. Break-the-glass grants do not count (they open the record, not a
// relationship). For other contexts (chat); it logs no access.
func (s *Service) CanAttend(ctx context.Context, professionalID, patientID kernel.ID) (bool, error) {
	if !kernel.ValidID(professionalID) || !kernel.ValidID(patientID) {
		return false, nil
	}
	acc, err := s.access(ctx, kernel.Principal{AccountID: professionalID, Kind: kernel.KindProfessional}, patientID)
	if err != nil {
		if kernel.KindOf(err) == kernel.KindNotFound {
			return false, nil
		}
		return false, err
	}
	return acc.Basis == BasisCare || acc.Basis == BasisShare, nil
}
