package wire

import (
	"github.com/gofiber/fiber/v2"

	"context"
	"io"
	"log/slog"
	"os"

	gw "github.com/google/wire"

	"github.com/multisaude/multisaude/adapters/bridge/clinicaldir"
	"github.com/multisaude/multisaude/adapters/http/fhirapi"
	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/adapters/http/httpapi/addressapi"
	"github.com/multisaude/multisaude/adapters/http/httpapi/chatapi"
	"github.com/multisaude/multisaude/adapters/http/httpapi/clinicalapi"
	"github.com/multisaude/multisaude/adapters/http/httpapi/commerceapi"
	"github.com/multisaude/multisaude/adapters/http/httpapi/consentapi"
	"github.com/multisaude/multisaude/adapters/http/httpapi/identityapi"
	"github.com/multisaude/multisaude/adapters/http/httpapi/liveapi"
	"github.com/multisaude/multisaude/adapters/http/httpapi/schedulingapi"
	"github.com/multisaude/multisaude/adapters/http/webportal"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/telemetry/oteltrace"
	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Providers are plain constructors; each adapter's set is one provider plus its
// wire.Bind, so the graph stays readable and could be wired by hand.

// LogOutput is where logs go (stdout in the binary; tests may pass io.Discard).
type LogOutput io.Writer

// ProvideLogOutput returns cfg.LogOutput when set, else standard output.
func ProvideLogOutput(cfg Config) LogOutput {
	if cfg.LogOutput != nil {
		return cfg.LogOutput
	}
	return os.Stdout
}

// ProvideLogger builds the JSON logger. A record logged with a context inside
// a traced operation carries its trace_id and span_id.
func ProvideLogger(cfg Config, out LogOutput) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(cfg.LogLevel))
	return slog.New(oteltrace.LogHandler(slog.NewJSONHandler(out, &slog.HandlerOptions{Level: lvl})))
}

// ProvideClock returns cfg.Clock when set, else the system clock.
func ProvideClock(cfg Config) kernel.Clock {
	if cfg.Clock != nil {
		return cfg.Clock
	}
	return kernel.SystemClock{}
}

// ProvideDB opens the database (its password read from Secrets Manager when
// configured) and, when configured, migrates it.
func ProvideDB(ctx context.Context, cfg Config, log *slog.Logger, tracing *oteltrace.Tracing) (*sqlstore.DB, func(), error) {
	dc := databaseConfig(cfg)
	url, err := DatabaseURL(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	db, err := sqlstore.OpenPool(ctx, url, dc.MaxConns)
	if err != nil {
		return nil, nil, err
	}
	traceDB(db, tracing)
	if dc.Migrate {
		names, err := db.MigrateUp(ctx)
		if err != nil {
			_ = db.Close()
			return nil, nil, err
		}
		if len(names) > 0 {
			log.Info("migrations applied", "count", len(names))
		}
	}
	return db, func() { _ = db.Close() }, nil
}

// ProvideHTTPConfig maps the configuration to the server's.
func ProvideHTTPConfig(cfg Config) httpapi.Config {
	var portal fiber.Handler
	if cfg.Portal {
		portal = webportal.New().Handler()
	}
	return httpapi.Config{
		Portal: portal,
		Addr:   cfg.HTTPAddr, BodyLimit: cfg.BodyLimit, UploadLimit: cfg.UploadLimit,
		ReadTimeout: cfg.ReadTimeout, WriteTimeout: cfg.WriteTimeout, ShutdownTimeout: cfg.ShutdownTimeout,
		CORSOrigins: cfg.CORSOrigins, TrustedProxies: cfg.TrustedProxies, Version: cfg.Version,
		PublicURL: cfg.PublicURL,
	}
}

// ProvideChecks lists what /readyz probes.
func ProvideChecks(db *sqlstore.DB, blobs ports.BlobStore, q ports.Queue) []httpapi.Check {
	return []httpapi.Check{
		{Name: "database", Fn: db.Ping},
		{Name: "schema", Fn: db.SchemaCheck(), Explain: true}, // not Ready before the migration Job has run
		{Name: "blob_store", Fn: blobs.Ping},
		{Name: "queue", Fn: q.Ping},
	}
}

// ProvideServer builds the HTTP server with every module.
func ProvideServer(cfg httpapi.Config, log *slog.Logger, auth httpapi.Authenticator, checks []httpapi.Check, modules Modules, tracing *oteltrace.Tracing) *httpapi.Server {
	if tracing.Enabled() {
		cfg.Tracer, cfg.Propagator = tracing.Provider(), tracing.Propagator()
	}
	return httpapi.New(cfg, log, auth, checks, modules...)
}

// ProvideRelay builds the outbox relay.
func ProvideRelay(db *sqlstore.DB, q ports.Queue, log *slog.Logger) *sqlstore.Relay {
	return sqlstore.NewRelay(db, q, log)
}

// CommonSet is what every profile shares.
var CommonSet = gw.NewSet(
	ProvideLogger, ProvideTracing, ProvideClock, ProvideDB, ProvideHTTPConfig, ProvideChecks, ProvideServer, ProvideRelay,
	ProvideModules, ProvideWorkers, ProvideStartHooks, NewApp, IdentitySet, ClinicalSet, SchedulingSet, CommerceSet, ConsentSet,
	MessagingSet, VideoSet, addressapi.New, FHIRSet,
)

// ProvideModules lists the HTTP modules. Each context adds its module here.
func ProvideModules(blob BlobRoutes, identityRoutes *identityapi.Module, clinicalRoutes *clinicalapi.Module, schedulingRoutes *schedulingapi.Module,
	commerceRoutes *commerceapi.Module, consentRoutes *consentapi.Module, chatRoutes *chatapi.Module, liveRoutes *liveapi.Module,
	callRoutes CallRoutes, dev DevRoutes, addressRoutes *addressapi.Module, fhirRoutes *fhirapi.Module) Modules {
	return Modules{blob, identityRoutes, addressRoutes, clinicalRoutes, schedulingRoutes, commerceRoutes, consentRoutes, chatRoutes, liveRoutes, callRoutes, dev, fhirRoutes}
}

// ProvideWorkers lists the background loops. Each context adds its workers here.
func ProvideWorkers(relay *sqlstore.Relay, completion *clinicaldir.Completion, emergency *clinicaldir.EmergencyNotices, poller SchedulerWorker,
	reminders SchedulingWorker, commerceWorkers CommerceWorkers, consentWorkers ConsentWorkers) Workers {
	ws := Workers{
		{Name: "outbox-relay", Run: relay.Run},
		{Name: "clinical-appointment-completion", Run: completion.Run},
		{Name: "clinical-emergency-notices", Run: emergency.Run},
		Worker(reminders),
	}
	ws = append(ws, commerceWorkers...)
	ws = append(ws, consentWorkers...)
	if poller.Run != nil {
		ws = append(ws, Worker(poller))
	}
	return ws
}

// SchedulerWorker is the scheduler's own loop, if it needs one (the database
// scheduler's poller); a scheduler run by the cloud provides ProvideNoSchedulerWorker.
type SchedulerWorker Worker

// ProvideNoSchedulerWorker is for schedulers that need no loop of ours (EventBridge Scheduler).
func ProvideNoSchedulerWorker() SchedulerWorker { return SchedulerWorker{} }

// ProvideStartHooks lists what runs once at start.
func ProvideStartHooks(cfg Config, ids *identity.Service, cs *consent.Service) StartHooks {
	return StartHooks{
		{Name: "bootstrap-admin", Run: func(ctx context.Context) error { return ids.BootstrapAdmin(ctx, cfg.AdminEmail, cfg.AdminPassword) }},
		{Name: "audit-digest-schedule", Run: cs.ScheduleAuditDigest}, // the first daily digest; each run schedules the next
		{Name: "consent-retention-purge", Run: cs.SchedulePurge},     // the first daily purge; each run schedules the next
	}
}

// DevRoutes are development-only routes (the local payment simulator's payer
// routes); the cloud profiles provide ProvideNoDevRoutes.
type DevRoutes httpapi.Module

// ProvideNoDevRoutes is for profiles without development routes.
func ProvideNoDevRoutes() DevRoutes { return noRoutes{} }

// BlobRoutes serves the blob store's signed download links where the store
// itself cannot (the on-disk store); other profiles register nothing.
type BlobRoutes httpapi.Module

// noRoutes is a module that registers nothing.
type noRoutes struct{}

func (noRoutes) Register(*httpapi.Router) {}

// ProvideNoBlobRoutes is for blob stores whose signed URLs point at the store itself (S3, MinIO, GCS).
func ProvideNoBlobRoutes() BlobRoutes { return noRoutes{} }

// rejectAll authenticates nobody.
type rejectAll struct{}

func (rejectAll) Authenticate(context.Context, string) (kernel.Principal, error) {
	return kernel.Principal{}, kernel.Unauthenticated("no identity provider is configured")
}

// ProvideNoAuthenticator refuses every credential; replaced by the identity context's authenticator.
func ProvideNoAuthenticator() httpapi.Authenticator { return rejectAll{} }
