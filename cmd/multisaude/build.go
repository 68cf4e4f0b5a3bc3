//go:build !lambda

package main

import (
	"context"

	appwire "github.com/multisaude/multisaude/wire"
	"github.com/multisaude/multisaude/wire/aws"
	"github.com/multisaude/multisaude/wire/local"
	"github.com/multisaude/multisaude/wire/onprem"
)

// build assembles the application of the configured profile.
func build(ctx context.Context, cfg appwire.Config) (*appwire.App, func(), error) {
	switch cfg.Profile {
	case appwire.ProfileAWS:
		return aws.Build(ctx, cfg)
	case appwire.ProfileOnprem:
		return onprem.Build(ctx, cfg)
	default:
		return local.Build(ctx, cfg)
	}
}
