package clinicalsql

import (
	"context"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/clinical"
)

// CopyEvaluations writes first versions of evaluations for fixtures (PostgreSQL
// COPY), with the converter CreateEvaluation uses.
func CopyEvaluations(ctx context.Context, db *sqlstore.DB, es []clinical.Evaluation) (int64, error) {
	rows := make([]evaluationRow, len(es))
	for i, e := range es {
		r, err := evaluationToRow(e, e.CreatedAt)
		if err != nil {
			return 0, err
		}
		rows[i] = r
	}
	return sqlstore.CopyRows(ctx, db, rows)
}
