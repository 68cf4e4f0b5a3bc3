//go:build lambda

package main

import (
	"context"
	"fmt"

	appwire "github.com/multisaude/multisaude/wire"
	"github.com/multisaude/multisaude/wire/aws"
)

// build assembles the application of the configured profile. The Lambda build
// (-tags lambda) holds only the aws profile: the local and onprem profiles,
// the demo, the development servers and the OpenAPI printer are left out.
func build(ctx context.Context, cfg appwire.Config) (*appwire.App, func(), error) {
	if cfg.Profile != appwire.ProfileAWS {
		return nil, nil, fmt.Errorf("MULTISAUDE_PROFILE=%q: this binary was built for AWS Lambda (-tags lambda) and holds only the aws profile", cfg.Profile)
	}
	return aws.Build(ctx, cfg)
}
