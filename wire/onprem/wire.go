//go:build wireinject

// Package onprem wires the on-premises profile: PostgreSQL, MinIO, RabbitMQ, Keycloak.
package onprem

import (
	"context"

	"github.com/google/wire"

	appwire "github.com/multisaude/multisaude/wire"
)

// Build assembles the application.
func Build(ctx context.Context, cfg appwire.Config) (*appwire.App, func(), error) {
	wire.Build(appwire.CommonSet, appwire.OnpremSet)
	return nil, nil, nil
}
