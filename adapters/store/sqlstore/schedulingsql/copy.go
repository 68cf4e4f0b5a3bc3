package schedulingsql

import (
	"context"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/scheduling"
)

// Bulk writers for fixtures (PostgreSQL COPY), with the converters PutAvailability and Book use.

// CopyAvailabilities writes published availabilities.
func CopyAvailabilities(ctx context.Context, db *sqlstore.DB, as []scheduling.Availability) (int64, error) {
	rows := make([]availabilityRow, len(as))
	for i, a := range as {
		rows[i] = availabilityToRow(a)
	}
	return sqlstore.CopyRows(ctx, db, rows)
}

// CopyAppointments writes appointments; the exclusion constraint still holds
// (a COPY of overlapping confirmed appointments fails whole).
func CopyAppointments(ctx context.Context, db *sqlstore.DB, as []scheduling.Appointment) (int64, error) {
	rows := make([]appointmentRow, len(as))
	for i, a := range as {
		rows[i] = appointmentToRow(a)
	}
	return sqlstore.CopyRows(ctx, db, rows)
}
