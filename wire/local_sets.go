package wire

import (
	"log/slog"

	gw "github.com/google/wire"

	"github.com/multisaude/multisaude/adapters/blob/fileblob"
	"github.com/multisaude/multisaude/adapters/geo/offlinegeo"
	"github.com/multisaude/multisaude/adapters/http/httpapi/blobapi"
	"github.com/multisaude/multisaude/adapters/keys/localkeys"
	"github.com/multisaude/multisaude/adapters/keys/localsigner"
	"github.com/multisaude/multisaude/adapters/notify/lognotifier"
	"github.com/multisaude/multisaude/adapters/queue/memqueue"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/sqlqueue"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/sqlscheduler"
	"github.com/multisaude/multisaude/adapters/telemetry/oteltrace"
	"github.com/multisaude/multisaude/ports"
)

// ProvideFileBlob stores files under $DATA_DIR/files.
func ProvideFileBlob(cfg Config) (*fileblob.Store, error) { return fileblob.New(fileBlobConfig(cfg)) }

// FileBlobSet is the on-disk blob store.
var FileBlobSet = gw.NewSet(ProvideFileBlob, gw.Bind(new(ports.BlobStore), new(*fileblob.Store)))

// ProvideLogNotifier logs notifications; in the local profile it also drops
// them as .eml files in $DATA_DIR/mail so a developer can read them.
func ProvideLogNotifier(cfg Config, log *slog.Logger) (*lognotifier.Notifier, error) {
	return lognotifier.New(log, logNotifierConfig(cfg))
}

// LogNotifierSet is the log (and mail drop) notifier.
var LogNotifierSet = gw.NewSet(ProvideLogNotifier, gw.Bind(new(ports.Notifier), new(*lognotifier.Notifier)))

// ProvideLocalKeys is the key manager with master keys from configuration.
func ProvideLocalKeys(cfg Config) (*localkeys.Keyring, error) {
	return localkeys.New(localKeysConfig(cfg))
}

// LocalKeysSet is the local key manager.
var LocalKeysSet = gw.NewSet(ProvideLocalKeys, gw.Bind(new(ports.KeyManager), new(*localkeys.Keyring)))

// ProvideLocalSigner signs documents with an Ed25519 key.
func ProvideLocalSigner(cfg Config) (*localsigner.Signer, error) {
	return localsigner.New(localSignerConfig(cfg))
}

// LocalSignerSet is the Ed25519 document signer.
var LocalSignerSet = gw.NewSet(ProvideLocalSigner, gw.Bind(new(ports.DocumentSigner), new(*localsigner.Signer)))

// OfflineGeoSet is the offline geocoder (state capitals and CEP ranges).
var OfflineGeoSet = gw.NewSet(offlinegeo.New, gw.Bind(new(ports.Geocoder), new(*offlinegeo.Geocoder)),
	gw.Bind(new(ports.CEPLookup), new(*offlinegeo.Geocoder)))

// ProvideFileBlobRoutes serves the on-disk store's signed links.
func ProvideFileBlobRoutes(store *fileblob.Store) BlobRoutes { return blobapi.New(store) }

// ProvideMemQueue is an in-memory queue.
func ProvideMemQueue() *memqueue.Queue { return memqueue.New(ports.QueueOptions{}) }

// MemQueueSet is the in-memory queue (interim for the local profile until the database queue lands).
var MemQueueSet = gw.NewSet(ProvideMemQueue, gw.Bind(new(ports.Queue), new(*memqueue.Queue)))

// ProvideSQLQueue is the durable queue kept in the application's database,
// with the configured attempts, visibility timeout and retry delay.
func ProvideSQLQueue(db *sqlstore.DB, opts ports.QueueOptions) *sqlqueue.Queue {
	return sqlqueue.New(db, opts)
}

// ProvideLocalQueue is the database queue as the port, decorated when tracing is on.
func ProvideLocalQueue(q *sqlqueue.Queue, tracing *oteltrace.Tracing) ports.Queue {
	return traceQueue(q, tracing, QueueSQL)
}

// SQLQueueSet is the queue in the database (a restart loses nothing, no broker needed).
var SQLQueueSet = gw.NewSet(ProvideQueueOptions, ProvideSQLQueue, ProvideLocalQueue)

// ProvideSQLScheduler keeps scheduled jobs in the database.
func ProvideSQLScheduler(db *sqlstore.DB) *sqlscheduler.Scheduler { return sqlscheduler.New(db) }

// ProvideSQLSchedulerPoller moves due jobs to the queue (safe in several processes).
func ProvideSQLSchedulerPoller(db *sqlstore.DB, q ports.Queue, log *slog.Logger) SchedulerWorker {
	return SchedulerWorker{Name: "scheduler-poller", Run: sqlscheduler.NewPoller(db, q, log).Run}
}

// SQLSchedulerSet is the scheduler in the database with its poller.
var SQLSchedulerSet = gw.NewSet(ProvideSQLScheduler, ProvideSQLSchedulerPoller,
	gw.Bind(new(ports.Scheduler), new(*sqlscheduler.Scheduler)))

// LocalSet is every local adapter: files on disk, the queue, notifications to the log, local keys.
var LocalSet = gw.NewSet(ProvideLogOutput, FileBlobSet, ProvideFileBlobRoutes, SQLQueueSet, SQLSchedulerSet, LogNotifierSet,
	LocalKeysSet, LocalSignerSet, OfflineGeoSet, LocalAuthSet, LocalPaySet)
