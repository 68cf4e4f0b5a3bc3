package wire

import (
	"context"
	"log/slog"

	gw "github.com/google/wire"

	"github.com/multisaude/multisaude/adapters/bridge/commercedir"
	"github.com/multisaude/multisaude/adapters/http/httpapi/commerceapi"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/commercesql"
	"github.com/multisaude/multisaude/adapters/webhook/httpwebhook"
	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// ProvideCommerceStore is commerce's SQL store.
func ProvideCommerceStore(db *sqlstore.DB) *commercesql.Store { return commercesql.New(db) }

// ProvideCommerceDirectory reads companies and patients from identity, plans and
// prescriptions from clinical.
func ProvideCommerceDirectory(ids *identity.Service, cli *clinical.Service) *commercedir.Directory {
	return commercedir.New(ids, cli)
}

// ProvidePayments is the profile's payment provider.
// SKELETON: replaced when the payment adapters land.
func ProvidePayments(cfg Config) ports.Payments { return nil }

// ProvideWebhookSender delivers partners' webhooks; the local profile may reach
// private and loopback addresses (until the configuration has its own switch).
func ProvideWebhookSender(cfg Config) ports.WebhookSender {
	return httpwebhook.New(httpwebhook.Settings{AllowPrivate: cfg.Profile == ProfileLocal})
}

// WebhookWorker consumes partner events, clinical's dispensed prescriptions and
// scheduled retries, and delivers partners' webhooks.
type WebhookWorker Worker

// ProvideWebhookWorker runs the webhook consumers on the profile's queue.
func ProvideWebhookWorker(svc *commerce.Service, q ports.Queue, log *slog.Logger) WebhookWorker {
	return WebhookWorker{Name: "commerce-webhooks", Run: func(ctx context.Context) {
		if err := svc.RunWebhooks(ctx, q); err != nil && ctx.Err() == nil {
			log.Warn("commerce webhooks stopped", "err", err)
		}
	}}
}

// ProvideCommerceService builds commerce's use cases.
func ProvideCommerceService(store *commercesql.Store, dir commerce.Directory, pay ports.Payments, sched ports.Scheduler,
	notifier ports.Notifier, sender ports.WebhookSender, geo ports.Geocoder, clock kernel.Clock, log *slog.Logger, cfg Config) *commerce.Service {
	return commerce.NewService(commerce.Deps{Catalog: store, Orders: store, Payments: store, Hooks: store, Dir: dir,
		Pay: pay, Scheduler: sched, Notifier: notifier, Sender: sender, Geocoder: geo, Clock: clock, Log: log}, commerceConfig(cfg))
}

func commerceConfig(cfg Config) commerce.Config { return commerce.Config{} }

// CommerceSet is commerce in every profile: store, bridge, payments, webhook
// sender, service and routes.
var CommerceSet = gw.NewSet(
	ProvideCommerceStore, ProvideCommerceDirectory, ProvidePayments, ProvideWebhookSender, ProvideCommerceService, commerceapi.New,
	ProvideWebhookWorker,
	gw.Bind(new(commerce.Directory), new(*commercedir.Directory)),
)
