//go:build !lambda

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	appwire "github.com/multisaude/multisaude/wire"
	"github.com/multisaude/multisaude/wire/local"
)

func init() {
	register("openapi", "print the OpenAPI document the API serves at /openapi.json (built in a throwaway local profile; nothing is served)", printOpenAPI)
}

// printOpenAPI builds the local profile (the one that serves every route: the
// JWKS and the signed blob links included) over a temporary folder and SQLite,
// and prints its server's document: the same bytes GET /openapi.json answers.
func printOpenAPI(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("openapi", flag.ContinueOnError)
	fs.SetOutput(stderr)
	publicURL := fs.String("public-url", "", "the server URL the document names (default MULTISAUDE_PUBLIC_URL's)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "multisaude-openapi-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	env := map[string]string{
		"MULTISAUDE_PROFILE":      appwire.ProfileLocal,
		"MULTISAUDE_DATA_DIR":     dir,
		"MULTISAUDE_AUTO_MIGRATE": "true",
		"MULTISAUDE_LOG_LEVEL":    "error",
		"MULTISAUDE_METRICS_ADDR": "off",
		"MULTISAUDE_PUBLIC_URL":   *publicURL,
	}
	if env["MULTISAUDE_PUBLIC_URL"] == "" {
		env["MULTISAUDE_PUBLIC_URL"] = os.Getenv("MULTISAUDE_PUBLIC_URL")
	}
	cfg, err := appwire.Load(func(k string) string { return env[k] })
	if err != nil {
		return err
	}
	cfg.Version = version
	app, cleanup, err := local.Build(ctx, cfg)
	if err != nil {
		return fmt.Errorf("build the local profile: %w", err)
	}
	defer cleanup()
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(app.Server.Spec().Document())
}
