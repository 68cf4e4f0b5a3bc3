package foundation

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

// TestReadyzWhileSchemaBehind: with the newest migration not applied (the
// Deployment rolled out before the migration Job), /readyz is 503 naming the
// schema check with a message for the operator; once applied, 200.
func TestReadyzWhileSchemaBehind(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		ctx := context.Background()
		if _, err := h.App.DB.NewRaw("UPDATE bun_migrations SET name = 'x' || name WHERE name = (SELECT MAX(name) FROM bun_migrations)").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		var ready struct {
			Status string            `json:"status"`
			Checks map[string]string `json:"checks"`
		}
		h.Get(t, "/readyz", "").Want(t, http.StatusServiceUnavailable).JSON(t, &ready)
		if ready.Status != "unavailable" || !strings.Contains(ready.Checks["schema"], "behind this binary: 1 of ") ||
			!strings.Contains(ready.Checks["schema"], "multisaude migrate up") || ready.Checks["database"] != "ok" {
			t.Fatalf("readyz while behind: %+v", ready)
		}
		if _, err := h.App.DB.NewRaw("UPDATE bun_migrations SET name = SUBSTR(name, 2) WHERE name LIKE 'x%'").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		h.Get(t, "/readyz", "").Want(t, http.StatusOK).JSON(t, &ready)
		if ready.Status != "ok" || ready.Checks["schema"] != "ok" {
			t.Fatalf("readyz once migrated: %+v", ready)
		}
	})
}
