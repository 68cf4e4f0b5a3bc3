package sqlstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/test/testdb"
)

// TestSchemaCheck: the readiness probe fails on an unmigrated database and on
// one a migration behind, naming how many are missing; it passes once current
// and then stays passing without asking the database again.
func TestSchemaCheck(t *testing.T) {
	ctx := context.Background()
	for _, d := range testdb.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db, err := sqlstore.OpenPool(ctx, testdb.URL(t, d), 4)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			check := db.SchemaCheck()
			if err := check(ctx); kernel.KindOf(err) != kernel.KindUnavailable || !strings.Contains(err.Error(), "migrate up") {
				t.Fatalf("unmigrated: %v", err)
			}
			if _, err := db.MigrateUp(ctx); err != nil {
				t.Fatal(err)
			}
			status, err := db.MigrateStatus(ctx)
			if err != nil || len(status) < 2 {
				t.Fatalf("status %v %v", status, err)
			}
			// one version behind: the newest migration is not recorded as applied
			last := status[len(status)-1].Name
			if _, err := db.NewRaw("UPDATE bun_migrations SET name = 'x' || name WHERE name = (SELECT MAX(name) FROM bun_migrations)").Exec(ctx); err != nil {
				t.Fatal(err)
			}
			err = check(ctx)
			if kernel.KindOf(err) != kernel.KindUnavailable || !strings.Contains(err.Error(), "1 of ") || !strings.Contains(err.Error(), "behind") {
				t.Fatalf("one behind (%s): %v", last, err)
			}
			if _, err := db.NewRaw("UPDATE bun_migrations SET name = SUBSTR(name, 2) WHERE name LIKE 'x%'").Exec(ctx); err != nil {
				t.Fatal(err)
			}
			if err := check(ctx); err != nil {
				t.Fatalf("current: %v", err)
			}
			// once current, the answer is cached: a closed database is not asked
			_ = db.Close()
			if err := check(ctx); err != nil {
				t.Fatalf("cached: %v", err)
			}
			if err := db.SchemaCheck()(ctx); err == nil {
				t.Fatal("a new probe on a closed database passed")
			}
		})
	}
}
