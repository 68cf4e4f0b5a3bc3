//go:build wireinject

// Package awslambda wires the aws profile for AWS Lambda: the same adapters as
// wire/aws, with the capturing queue (adapters/queue/lambdaqueue) as every
// consumer's ports.Queue, so the Lambda worker learns each topic's handler.
package awslambda

import (
	"context"

	"github.com/google/wire"

	appwire "github.com/multisaude/multisaude/wire"
)

// Build assembles the application.
func Build(ctx context.Context, cfg appwire.Config) (*appwire.LambdaApp, func(), error) {
	wire.Build(appwire.CommonSet, appwire.LambdaSet)
	return nil, nil, nil
}
