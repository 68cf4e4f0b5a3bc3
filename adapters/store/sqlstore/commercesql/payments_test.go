package commercesql_test

import (
	"testing"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/commercesql"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/test/conformance"
	"github.com/multisaude/multisaude/test/testdb"
)

func TestPaymentStoreConformance(t *testing.T) {
	for _, d := range []sqlstore.Dialect{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			if d == sqlstore.Postgres && testdb.PostgresURL() == "" {
				t.Skipf("%s not set: skipping PostgreSQL", testdb.PostgresEnv)
			}
			conformance.RunCommercePaymentsStore(t, func(t *testing.T) commerce.PaymentStore {
				return commercesql.New(testdb.Open(t, d))
			})
		})
	}
}
