package identitysql

import (
	"context"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/identity"
)

// Bulk writers for fixtures (PostgreSQL COPY): the rows are this store's own,
// made by the converters CreatePatient, CreateProfessional and CreateCompany use.

// CopyAccounts writes accounts.
func CopyAccounts(ctx context.Context, db *sqlstore.DB, as []identity.Account) (int64, error) {
	return sqlstore.CopyEach(ctx, db, as, accountToRow)
}

// CopyPatients writes patients (their accounts first, with CopyAccounts).
func CopyPatients(ctx context.Context, db *sqlstore.DB, ps []identity.Patient) (int64, error) {
	return sqlstore.CopyEach(ctx, db, ps, patientToRow)
}

// CopyProfessionals writes professionals (their accounts first, with CopyAccounts).
func CopyProfessionals(ctx context.Context, db *sqlstore.DB, ps []identity.Professional) (int64, error) {
	return sqlstore.CopyEach(ctx, db, ps, professionalToRow)
}

// CopyCompanies writes companies (before their members' accounts).
func CopyCompanies(ctx context.Context, db *sqlstore.DB, cs []identity.Company) (int64, error) {
	return sqlstore.CopyEach(ctx, db, cs, companyToRow)
}
