package wire

import (
	"context"

	gw "github.com/google/wire"

	"github.com/multisaude/multisaude/adapters/queue/lambdaqueue"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/telemetry/oteltrace"
	"github.com/multisaude/multisaude/ports"
)

// LambdaApp is the aws profile assembled for AWS Lambda: the App, whose every
// user of ports.Queue got the capturing queue (publishing goes to the real one),
// and the outbox relay, which the tick role runs itself to count what it relays.
type LambdaApp struct {
	*App
	Relay   *sqlstore.Relay
	Queue   *lambdaqueue.Queue
	Tracing *oteltrace.Tracing // flushed after each invocation: Lambda freezes the process between them
}

// NewLambdaApp gathers the parts.
func NewLambdaApp(app *App, relay *sqlstore.Relay, q *lambdaqueue.Queue, t *oteltrace.Tracing) *LambdaApp {
	return &LambdaApp{App: app, Relay: relay, Queue: q, Tracing: t}
}

// ProvideLambdaQueue wraps the queue MULTISAUDE_QUEUE names in the capturing queue.
func ProvideLambdaQueue(ctx context.Context, cfg Config, db *sqlstore.DB, opts ports.QueueOptions, t *oteltrace.Tracing) (*lambdaqueue.Queue, func(), error) {
	real, cleanup, err := ProvideQueue(ctx, cfg, db, opts, t)
	if err != nil {
		return nil, nil, err
	}
	return lambdaqueue.New(real), cleanup, nil
}

// ProvideLambdaScheduler is ProvideScheduler over the real queue (EventBridge
// Scheduler needs the SQS queue itself to name its targets).
func ProvideLambdaScheduler(ctx context.Context, cfg Config, db *sqlstore.DB, q *lambdaqueue.Queue, t *oteltrace.Tracing) (ports.Scheduler, func(), error) {
	return ProvideScheduler(ctx, cfg, db, q.Real, t)
}

// LambdaSet is AWSSet with the capturing queue in place of the queue (and the
// scheduler given the real one). Keep it in step with cloudPorts: a provider
// missing here fails `go tool wire gen`.
var LambdaSet = gw.NewSet(ProvideLogOutput, ProvideBlobStore, ProvideBlobRoutes, ProvideQueueOptions,
	ProvideLambdaQueue, gw.Bind(new(ports.Queue), new(*lambdaqueue.Queue)), ProvideLambdaScheduler,
	ProvideSchedulerWorker, ProvideIdentityProvider, ProvideTokenIssuer, ProvideKeySet,
	ProvideKeyManager, ProvideNotifier, ProvideGeocoder, ProvideCEPLookup, LocalSignerSet, ProvidePayments, ProvideNoDevRoutes,
	NewLambdaApp)
