//go:build wireinject

// Package aws wires the AWS profile: PostgreSQL (RDS), S3, SQS, Cognito, KMS.
package aws

import (
	"context"

	"github.com/google/wire"

	appwire "github.com/multisaude/multisaude/wire"
)

// Build assembles the application.
func Build(ctx context.Context, cfg appwire.Config) (*appwire.App, func(), error) {
	wire.Build(appwire.CommonSet, appwire.AWSSet)
	return nil, nil, nil
}
