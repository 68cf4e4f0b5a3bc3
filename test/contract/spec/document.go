// Package spec produces the OpenAPI document a partner's client generator is
// fed: the one the server builds as its routes register, assembled in-process
// the way test/e2e/harness starts the app, then lowered to OpenAPI 3.0 where
// oapi-codegen does not read 3.1 (see Downgrade).
package spec

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	appwire "github.com/multisaude/multisaude/wire"
	"github.com/multisaude/multisaude/wire/local"
)

// Served returns the document the server publishes at /openapi.json, built by
// assembling the local profile on a throw-away SQLite database (nothing is
// served, no worker runs).
func Served(ctx context.Context) (map[string]any, error) {
	dir, err := os.MkdirTemp("", "multisaude-spec-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	env := map[string]string{
		"MULTISAUDE_PROFILE":        appwire.ProfileLocal,
		"MULTISAUDE_DATA_DIR":       dir,
		"MULTISAUDE_DATABASE_URL":   "sqlite:" + filepath.Join(dir, "spec.db"),
		"MULTISAUDE_AUTO_MIGRATE":   "true",
		"MULTISAUDE_LOG_LEVEL":      "error",
		"MULTISAUDE_HTTP_ADDR":      "127.0.0.1:8080",
		"MULTISAUDE_PUBLIC_URL":     "http://localhost:8080",
		"MULTISAUDE_ADMIN_EMAIL":    "admin@multisaude.test",
		"MULTISAUDE_ADMIN_PASSWORD": "Spec-Password-2026!",
		"MULTISAUDE_SECRET":         "spec-secret-spec-secret-spec-32b",
	}
	cfg, err := appwire.Load(func(k string) string { return env[k] })
	if err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	app, cleanup, err := local.Build(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("build app: %w", err)
	}
	defer cleanup()
	app.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	// A JSON round trip turns the builder's Go maps and slices into plain
	// map[string]any / []any that Downgrade walks.
	b, err := json.Marshal(app.Server.Spec().Document())
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	return doc, nil
}
