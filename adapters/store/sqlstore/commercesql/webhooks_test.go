package commercesql_test

import (
	"testing"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/commercesql"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/test/conformance"
	"github.com/multisaude/multisaude/test/testdb"
)

func TestWebhookStoreConformance(t *testing.T) {
	for _, d := range []sqlstore.Dialect{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			conformance.RunCommerceWebhooksStore(t, func(t *testing.T) commerce.WebhookStore { return commercesql.New(testdb.Open(t, d)) })
		})
	}
}
