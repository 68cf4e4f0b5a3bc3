package sqlstore

import (
	"context"
	"sync/atomic"

	"github.com/multisaude/multisaude/core/kernel"
)

// SchemaCheck returns a readiness probe that fails while the database lacks a
// migration embedded in this binary: a Deployment rolled out before its
// migration Job has run must not receive traffic. It only reads bun_migrations
// (it never creates it). Once the schema is found current the probe answers nil
// at no cost for the life of the process, as migrations only move forward.
func (db *DB) SchemaCheck() func(ctx context.Context) error {
	var current atomic.Bool
	return func(ctx context.Context) error {
		if current.Load() {
			return nil
		}
		m, err := db.migrator()
		if err != nil {
			return kernel.Internal(err, "the embedded migrations cannot be read")
		}
		ms, err := m.MigrationsWithStatus(ctx)
		if err != nil {
			return kernel.Unavailable(err, "the database schema cannot be read (no bun_migrations table?): run `multisaude migrate up`")
		}
		pending := 0
		for _, mig := range ms {
			if !mig.IsApplied() {
				pending++
			}
		}
		if pending > 0 {
			return kernel.Unavailable(nil, "the database schema is behind this binary: %d of %d migrations not applied; run `multisaude migrate up`", pending, len(ms))
		}
		current.Store(true)
		return nil
	}
}
