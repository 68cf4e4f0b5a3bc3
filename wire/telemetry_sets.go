package wire

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/telemetry/oteltrace"
	"github.com/multisaude/multisaude/ports"
)

// tracingConfig maps the configuration to the tracing's.
func tracingConfig(cfg Config) oteltrace.Config {
	return oteltrace.Config{Exporter: cfg.Traces, Endpoint: cfg.TracesEndpoint, SampleRatio: cfg.TracesSampleRatio,
		Version: cfg.Version, Profile: cfg.Profile}
}

// ProvideTracing builds the OpenTelemetry tracing (MULTISAUDE_TRACES); its
// cleanup flushes the spans not yet exported, for at most five seconds.
func ProvideTracing(ctx context.Context, cfg Config, log *slog.Logger) (*oteltrace.Tracing, func(), error) {
	t, err := oteltrace.New(ctx, tracingConfig(cfg))
	if err != nil {
		return nil, nil, err
	}
	if t.Enabled() {
		log.Info("traces exported over OTLP/HTTP", "endpoint", cfg.TracesEndpoint, "sample_ratio", cfg.TracesSampleRatio)
	}
	return t, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := t.Shutdown(ctx); err != nil {
			log.Warn("traces: flush at shutdown failed", "err", err.Error())
		}
	}, nil
}

// tracedAWSConfig is the default AWS configuration (the adapter sets its own
// region) with the tracing's SDK middleware, for adapters that take one.
func tracedAWSConfig(ctx context.Context, t *oteltrace.Tracing) (*aws.Config, error) {
	c, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithAPIOptions(t.AWSAPIOptions()))
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	return &c, nil
}

// traceDB adds the query hook to db when tracing is on.
func traceDB(db *sqlstore.DB, t *oteltrace.Tracing) {
	system := "sqlite"
	if db.Engine == sqlstore.Postgres {
		system = "postgresql"
	}
	if h := oteltrace.NewQueryHook(t, system); h != nil {
		db.DB = db.DB.WithQueryHook(h)
	}
}

// traceQueue decorates q when tracing is on; system is messaging.system.
func traceQueue(q ports.Queue, t *oteltrace.Tracing, system string) ports.Queue {
	return oteltrace.WrapQueue(q, t, system)
}

// unwrapQueue is the adapter under the tracing decorator.
func unwrapQueue(q ports.Queue) ports.Queue {
	for {
		u, ok := q.(interface{ Unwrap() ports.Queue })
		if !ok {
			return q
		}
		q = u.Unwrap()
	}
}
