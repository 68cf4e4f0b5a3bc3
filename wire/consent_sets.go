package wire

import (
	"context"
	"log/slog"

	gw "github.com/google/wire"

	"github.com/multisaude/multisaude/adapters/bridge/consentdir"
	"github.com/multisaude/multisaude/adapters/http/httpapi/consentapi"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/auditsql"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/consentsql"
	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging/chat"
	"github.com/multisaude/multisaude/core/scheduling"
	"github.com/multisaude/multisaude/ports"
)

// ProvideConsentStore is consent's SQL store.
func ProvideConsentStore(db *sqlstore.DB) *consentsql.Store { return consentsql.New(db) }

// ProvideAuditTrail is the hash-chained audit trail in the application's database.
func ProvideAuditTrail(db *sqlstore.DB) *auditsql.Trail { return auditsql.New(db) }

// ProvideConsentGate is the port scheduling and commerce call for consents and disclosures.
func ProvideConsentGate(store *consentsql.Store, clock kernel.Clock) *consent.Gate {
	return &consent.Gate{Ledger: store, Disclosures: store, Clock: clock}
}

// ProvideConsentDirectory reads and acts on the other contexts for exports,
// erasure and the sharing report; clinical learns from consent's store which
// records are blocked at their patient's erasure request.
func ProvideConsentDirectory(ids *identity.Service, cli *clinical.Service, sched *scheduling.Service, com *commerce.Service, chats *chat.Service,
	store *consentsql.Store) *consentdir.Directory {
	cli.UseBlocks(store)
	return consentdir.New(ids, cli, sched, com, chats)
}

// ProvideConsentService builds consent's use cases.
func ProvideConsentService(store *consentsql.Store, trail *auditsql.Trail, dir *consentdir.Directory, blobs ports.BlobStore, keys ports.KeyManager,
	sched ports.Scheduler, notifier ports.Notifier, qo ports.QueueOptions, clock kernel.Clock, log *slog.Logger) *consent.Service {
	return consent.NewService(consent.Deps{Ledger: store, Disclosures: store, Exports: store, Erasures: store, Incidents: store,
		Audit: trail, Source: dir, Eraser: dir, Sharing: dir, Trail: trail, Blobs: blobs, Keys: keys, Scheduler: sched,
		Notifier: notifier, Clock: clock, Log: log}, consent.Config{ExportAttempts: qo.WithDefaults().MaxAttempts})
}

// ConsentWorkers are consent's consumers: export building and expiry, erasure,
// the retention purge and the audit digest.
type ConsentWorkers Workers

// ProvideConsentWorkers consumes consent's topics on the profile's queue.
func ProvideConsentWorkers(svc *consent.Service, q ports.Queue, log *slog.Logger) ConsentWorkers {
	consume := func(name, topic string, h ports.Handler) Worker {
		return Worker{Name: name, Run: func(ctx context.Context) {
			if err := q.Consume(ctx, topic, h); err != nil && ctx.Err() == nil {
				log.Warn("consent consumer stopped", "worker", name, "err", err)
			}
		}}
	}
	var ws ConsentWorkers
	for _, c := range svc.Consumers() {
		ws = append(ws, consume(c.Name, c.Topic, c.Handle))
	}
	return ws
}

// ConsentSet is consent in every profile: store, audit trail, gate, bridge,
// service, routes and consumers.
var ConsentSet = gw.NewSet(
	ProvideConsentStore, ProvideAuditTrail, ProvideConsentGate, ProvideConsentDirectory, ProvideConsentService, consentapi.New, ProvideConsentWorkers,
	gw.Bind(new(ports.Consents), new(*consent.Gate)),
	gw.Bind(new(ports.AuditTrail), new(*auditsql.Trail)),
)
