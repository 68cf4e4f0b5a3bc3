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
	rows := make([]accountRow, len(as))
	for i, a := range as {
		rows[i] = accountToRow(a)
	}
	return sqlstore.CopyRows(ctx, db, rows)
}

// CopyPatients writes patients (their accounts first, with CopyAccounts).
func CopyPatients(ctx context.Context, db *sqlstore.DB, ps []identity.Patient) (int64, error) {
	rows := make([]patientRow, len(ps))
	for i, p := range ps {
		rows[i] = patientToRow(p)
	}
	return sqlstore.CopyRows(ctx, db, rows)
}

// CopyProfessionals writes professionals (their accounts first, with CopyAccounts).
func CopyProfessionals(ctx context.Context, db *sqlstore.DB, ps []identity.Professional) (int64, error) {
	rows := make([]professionalRow, len(ps))
	for i, p := range ps {
		rows[i] = professionalToRow(p)
	}
	return sqlstore.CopyRows(ctx, db, rows)
}

// CopyCompanies writes companies (before their members' accounts).
func CopyCompanies(ctx context.Context, db *sqlstore.DB, cs []identity.Company) (int64, error) {
	rows := make([]companyRow, len(cs))
	for i, c := range cs {
		rows[i] = companyToRow(c)
	}
	return sqlstore.CopyRows(ctx, db, rows)
}
