package wire

// The aws and onprem profiles choose one adapter per port from configuration
// (MULTISAUDE_BLOB, _QUEUE, _IDENTITY, _KEYS, _NOTIFIER, _GEOCODER, _SCHEDULER,
// each defaulted by the profile in validateAdapters). Doing that with wire
// alone would need one injector per combination (3x3x3x2x3x3x2), so instead
// each profile has one fixed set, and each port has one plain provider that
// switches on the setting and returns the port's interface. Everything around
// the ports (contexts, routes, workers) stays ordinary wire. Three small
// providers derive what only some adapters have: the token issuer and the JWKS
// (only the local identity provider issues tokens), the blob routes (only the
// on-disk store needs our server for signed links) and the scheduler's poller
// (only the database scheduler needs a loop of ours).

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	gw "github.com/google/wire"

	"github.com/multisaude/multisaude/adapters/blob/fileblob"
	"github.com/multisaude/multisaude/adapters/blob/gcsblob"
	"github.com/multisaude/multisaude/adapters/blob/minioblob"
	"github.com/multisaude/multisaude/adapters/blob/s3blob"
	"github.com/multisaude/multisaude/adapters/geo/awslocation"
	"github.com/multisaude/multisaude/adapters/geo/nominatim"
	"github.com/multisaude/multisaude/adapters/geo/offlinegeo"
	"github.com/multisaude/multisaude/adapters/http/httpapi/blobapi"
	"github.com/multisaude/multisaude/adapters/http/httpapi/identityapi"
	"github.com/multisaude/multisaude/adapters/identity/cognitoauth"
	"github.com/multisaude/multisaude/adapters/identity/keycloakauth"
	"github.com/multisaude/multisaude/adapters/keys/kmskeys"
	"github.com/multisaude/multisaude/adapters/keys/localkeys"
	"github.com/multisaude/multisaude/adapters/notify/sesnotifier"
	"github.com/multisaude/multisaude/adapters/notify/smtpnotifier"
	"github.com/multisaude/multisaude/adapters/queue/rabbitqueue"
	"github.com/multisaude/multisaude/adapters/queue/sqsqueue"
	"github.com/multisaude/multisaude/adapters/schedule/ebscheduler"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/sqlqueue"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/sqlscheduler"
	"github.com/multisaude/multisaude/adapters/telemetry/oteltrace"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

func noCleanup() {}

// ProvideBlobStore is the blob store named by MULTISAUDE_BLOB.
func ProvideBlobStore(ctx context.Context, cfg Config, tracing *oteltrace.Tracing) (ports.BlobStore, func(), error) {
	switch cfg.Blob {
	case BlobS3:
		c := s3Config(cfg)
		c.APIOptions = tracing.AWSAPIOptions()
		return s3blob.New(ctx, c)
	case BlobMinio:
		return minioblob.New(ctx, minioConfig(cfg))
	case BlobGCS:
		return gcsblob.New(ctx, gcsConfig(cfg))
	case BlobFile:
		s, err := ProvideFileBlob(cfg)
		return s, noCleanup, err
	}
	return nil, nil, fmt.Errorf("MULTISAUDE_BLOB=%q: unknown blob store", cfg.Blob)
}

// ProvideBlobRoutes serves signed links for the on-disk store; the others sign their own.
func ProvideBlobRoutes(blobs ports.BlobStore) BlobRoutes {
	if fs, ok := blobs.(*fileblob.Store); ok {
		return blobapi.New(fs)
	}
	return noRoutes{}
}

// ProvideQueueOptions maps the configuration to every queue's options.
func ProvideQueueOptions(cfg Config) ports.QueueOptions {
	return ports.QueueOptions{MaxAttempts: cfg.QueueMaxAttempts, VisibilityTimeout: cfg.QueueVisibilityTimeout, RetryDelay: cfg.QueueRetryDelay}
}

// ProvideQueue is the queue named by MULTISAUDE_QUEUE.
// When tracing is on, the queue is decorated: publishing and consuming are spans.
func ProvideQueue(ctx context.Context, cfg Config, db *sqlstore.DB, opts ports.QueueOptions, tracing *oteltrace.Tracing) (ports.Queue, func(), error) {
	var (
		q       ports.Queue
		cleanup = noCleanup
		err     error
		system  = cfg.Queue
	)
	switch cfg.Queue {
	case QueueSQS:
		c := sqsConfig(cfg, opts)
		c.APIOptions = tracing.AWSAPIOptions()
		q, cleanup, err = sqsqueue.New(ctx, c)
		system = "aws_sqs"
	case QueueRabbitMQ:
		q, cleanup, err = rabbitqueue.New(ctx, rabbitConfig(cfg, opts))
	case QueueSQL:
		q = sqlqueue.New(db, opts)
	default:
		return nil, nil, fmt.Errorf("MULTISAUDE_QUEUE=%q: unknown queue", cfg.Queue)
	}
	if err != nil {
		return nil, nil, err
	}
	return traceQueue(q, tracing, system), cleanup, nil
}

// ProvideScheduler is the scheduler named by MULTISAUDE_SCHEDULER. EventBridge
// Scheduler sends due jobs to the SQS queue itself, so it needs MULTISAUDE_QUEUE=sqs.
func ProvideScheduler(ctx context.Context, cfg Config, db *sqlstore.DB, q ports.Queue, tracing *oteltrace.Tracing) (ports.Scheduler, func(), error) {
	switch cfg.Scheduler {
	case SchedulerEventBridge:
		sq, ok := unwrapQueue(q).(*sqsqueue.Queue)
		if !ok {
			return nil, nil, fmt.Errorf("MULTISAUDE_SCHEDULER=eventbridge needs MULTISAUDE_QUEUE=sqs")
		}
		c := eventBridgeConfig(cfg)
		c.APIOptions = tracing.AWSAPIOptions()
		return ebscheduler.New(ctx, c, sq)
	case SchedulerSQL:
		return sqlscheduler.New(db), noCleanup, nil
	}
	return nil, nil, fmt.Errorf("MULTISAUDE_SCHEDULER=%q: unknown scheduler", cfg.Scheduler)
}

// ProvideSchedulerWorker runs the database scheduler's poller; EventBridge needs none.
func ProvideSchedulerWorker(sched ports.Scheduler, db *sqlstore.DB, q ports.Queue, log *slog.Logger) SchedulerWorker {
	if _, ok := sched.(*sqlscheduler.Scheduler); ok {
		return ProvideSQLSchedulerPoller(db, q, log)
	}
	return ProvideNoSchedulerWorker()
}

// ProvideIdentityProvider is the identity provider named by MULTISAUDE_IDENTITY.
func ProvideIdentityProvider(ctx context.Context, cfg Config, clock kernel.Clock, tracing *oteltrace.Tracing) (ports.IdentityProvider, func(), error) {
	switch cfg.Identity {
	case IdentityCognito:
		c := cognitoConfig(cfg)
		if tracing.Enabled() {
			ac, err := tracedAWSConfig(ctx, tracing)
			if err != nil {
				return nil, nil, err
			}
			c.AWS = ac
		}
		return cognitoauth.New(ctx, c)
	case IdentityKeycloak:
		c := keycloakConfig(cfg)
		if tracing.Enabled() {
			c.HTTPClient = tracing.Client(&http.Client{Timeout: 10 * time.Second})
		}
		return keycloakauth.New(ctx, c)
	case IdentityLocal:
		p, err := ProvideLocalAuth(cfg, clock)
		return p, noCleanup, err
	}
	return nil, nil, fmt.Errorf("MULTISAUDE_IDENTITY=%q: unknown identity provider", cfg.Identity)
}

// ProvideTokenIssuer is the provider itself when it issues tokens (local); nil
// when tokens come from Cognito or Keycloak (password sign-in then answers 422).
func ProvideTokenIssuer(idp ports.IdentityProvider) identity.TokenIssuer {
	if ti, ok := idp.(identity.TokenIssuer); ok {
		return ti
	}
	return nil
}

// ProvideKeySet publishes the local provider's JWKS; nil for outside providers.
func ProvideKeySet(idp ports.IdentityProvider) identityapi.KeySet {
	if ks, ok := idp.(identityapi.KeySet); ok {
		return ks
	}
	return nil
}

// ProvideKeyManager is the key manager named by MULTISAUDE_KEYS.
func ProvideKeyManager(ctx context.Context, cfg Config, tracing *oteltrace.Tracing) (ports.KeyManager, error) {
	switch cfg.Keys {
	case KeysKMS:
		c := kmsConfig(cfg)
		if tracing.Enabled() {
			ac, err := tracedAWSConfig(ctx, tracing)
			if err != nil {
				return nil, err
			}
			c.AWS = ac
		}
		return kmskeys.New(ctx, c)
	case KeysLocal:
		return localkeys.New(localKeysConfig(cfg))
	}
	return nil, fmt.Errorf("MULTISAUDE_KEYS=%q: unknown key manager", cfg.Keys)
}

// ProvideNotifier is the notifier named by MULTISAUDE_NOTIFIER.
func ProvideNotifier(ctx context.Context, cfg Config, log *slog.Logger, tracing *oteltrace.Tracing) (ports.Notifier, error) {
	switch cfg.Notifier {
	case NotifierSES:
		c := sesConfig(cfg)
		c.Logger = log
		if tracing.Enabled() {
			ac, err := tracedAWSConfig(ctx, tracing)
			if err != nil {
				return nil, err
			}
			c.AWS = ac
		}
		return sesnotifier.New(ctx, c)
	case NotifierSMTP:
		c := smtpConfig(cfg)
		c.Logger = log
		return smtpnotifier.New(c)
	case NotifierLog:
		return ProvideLogNotifier(cfg, log)
	}
	return nil, fmt.Errorf("MULTISAUDE_NOTIFIER=%q: unknown notifier", cfg.Notifier)
}

// ProvideGeocoder is the geocoder named by MULTISAUDE_GEOCODER.
func ProvideGeocoder(ctx context.Context, cfg Config, tracing *oteltrace.Tracing) (ports.Geocoder, error) {
	switch cfg.Geocoder {
	case GeocoderAWSLocation:
		c := awsLocationConfig(cfg)
		if tracing.Enabled() {
			ac, err := tracedAWSConfig(ctx, tracing)
			if err != nil {
				return nil, err
			}
			c.AWS = ac
		}
		return awslocation.New(ctx, c)
	case GeocoderNominatim:
		c := nominatimConfig(cfg)
		if tracing.Enabled() {
			c.HTTPClient = tracing.Client(&http.Client{Timeout: 10 * time.Second}) // nominatim's default per request
		}
		return nominatim.New(c)
	case GeocoderOffline:
		return offlinegeo.New(), nil
	}
	return nil, fmt.Errorf("MULTISAUDE_GEOCODER=%q: unknown geocoder", cfg.Geocoder)
}

// ProvideCEPLookup is the CEP lookup of the geocoder MULTISAUDE_GEOCODER names
// (the same client, so Nominatim's one request a second holds for both).
func ProvideCEPLookup(g ports.Geocoder) (ports.CEPLookup, error) {
	if l, ok := g.(ports.CEPLookup); ok {
		return l, nil
	}
	return nil, fmt.Errorf("the geocoder %T cannot look up a CEP", g)
}

// cloudPorts is one provider per port, each switching on its setting.
var cloudPorts = gw.NewSet(ProvideLogOutput, ProvideBlobStore, ProvideBlobRoutes, ProvideQueueOptions, ProvideQueue,
	ProvideScheduler, ProvideSchedulerWorker, ProvideIdentityProvider, ProvideTokenIssuer, ProvideKeySet,
	ProvideKeyManager, ProvideNotifier, ProvideGeocoder, ProvideCEPLookup, LocalSignerSet, ProvidePayments, ProvideNoDevRoutes)

// AWSSet is the AWS profile: by default S3, SQS, Cognito, KMS, SES, Amazon
// Location and EventBridge Scheduler (the defaults live in validateAdapters).
var AWSSet = gw.NewSet(cloudPorts)

// OnpremSet is the on-premises profile: by default MinIO, RabbitMQ, Keycloak,
// local keys, SMTP, Nominatim (or the offline table) and the database scheduler.
var OnpremSet = gw.NewSet(cloudPorts)
