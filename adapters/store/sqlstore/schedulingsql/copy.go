package schedulingsql

import (
	"context"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/scheduling"
)

// Bulk writers for fixtures (PostgreSQL COPY), with the converters PutAvailability and Book use.

// CopyAvailabilities writes published availabilities.
func CopyAvailabilities(ctx context.Context, db *sqlstore.DB, as []scheduling.Availability) (int64, error) {
	return sqlstore.CopyEach(ctx, db, as, availabilityToRow)
}

// CopyAppointments writes appointments; the exclusion constraint still holds
// (a COPY of overlapping confirmed appointments fails whole).
func CopyAppointments(ctx context.Context, db *sqlstore.DB, as []scheduling.Appointment) (int64, error) {
	return sqlstore.CopyEach(ctx, db, as, appointmentToRow)
}
