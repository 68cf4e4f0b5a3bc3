//go:build wireinject

// Package local wires the local profile: SQLite, files on disk, a queue in the
// database, notifications to the log. What `go run ./cmd/multisaude serve` starts.
package local

import (
	"context"

	"github.com/google/wire"

	appwire "github.com/multisaude/multisaude/wire"
)

// Build assembles the application.
func Build(ctx context.Context, cfg appwire.Config) (*appwire.App, func(), error) {
	wire.Build(appwire.CommonSet, appwire.LocalSet)
	return nil, nil, nil
}
