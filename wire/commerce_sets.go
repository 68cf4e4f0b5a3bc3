package wire

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	gw "github.com/google/wire"

	"github.com/multisaude/multisaude/adapters/bridge/commercedir"
	"github.com/multisaude/multisaude/adapters/http/httpapi/commerceapi"
	"github.com/multisaude/multisaude/adapters/http/httpapi/localpayapi"
	"github.com/multisaude/multisaude/adapters/payments/localpay"
	"github.com/multisaude/multisaude/adapters/payments/stripepay"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/commercesql"
	"github.com/multisaude/multisaude/adapters/telemetry/oteltrace"
	"github.com/multisaude/multisaude/adapters/webhook/httpwebhook"
	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
	"github.com/multisaude/multisaude/ports"
)

// ProvideCommerceStore is commerce's SQL store.
func ProvideCommerceStore(db *sqlstore.DB) *commercesql.Store { return commercesql.New(db) }

// ProvideCommerceDirectory reads companies and patients from identity, plans and
// prescriptions from clinical, appointments from scheduling.
func ProvideCommerceDirectory(ids *identity.Service, cli *clinical.Service, sched *scheduling.Service) *commercedir.Directory {
	return commercedir.New(ids, cli, sched)
}

// ProvideWebhookSender delivers partners' webhooks, refusing http:// and
// private destinations unless MULTISAUDE_WEBHOOK_ALLOW_PRIVATE (default only in local).
func ProvideWebhookSender(cfg Config, tracing *oteltrace.Tracing) *httpwebhook.Sender {
	s := webhookSenderConfig(cfg)
	if tracing.Enabled() {
		s.WrapTransport = tracing.Transport
	}
	return httpwebhook.New(s)
}

// ProvideCommerceService builds commerce's use cases.
func ProvideCommerceService(store *commercesql.Store, dir commerce.Directory, pay ports.Payments, sched ports.Scheduler,
	notifier ports.Notifier, sender ports.WebhookSender, geo ports.Geocoder, consents ports.Consents, clock kernel.Clock, log *slog.Logger, cfg Config) *commerce.Service {
	return commerce.NewService(commerce.Deps{Catalog: store, Orders: store, Payments: store, Hooks: store, Dir: dir,
		Pay: pay, Scheduler: sched, Notifier: notifier, Sender: sender, Geocoder: geo, Consents: consents, Clock: clock, Log: log}, commerceConfig(cfg))
}

func commerceConfig(cfg Config) commerce.Config {
	return commerce.Config{PayWindow: cfg.OrderPayWindow, PlatformFeeBP: int64(cfg.PlatformFeeBP),
		WebhookMaxAttempts: cfg.WebhookMaxAttempts, SecretOverlap: cfg.WebhookSecretOverlap}
}

// CommerceWorkers are commerce's consumers: order expiry, payment changes,
// refunds of cancelled orders and of cancelled appointments, and partners' webhooks (fan-out, retries,
// dispensed prescriptions).
type CommerceWorkers Workers

// ProvideCommerceWorkers consumes commerce's topics on the profile's queue.
func ProvideCommerceWorkers(svc *commerce.Service, q ports.Queue, log *slog.Logger) CommerceWorkers {
	consume := func(name, topic string, h ports.Handler) Worker {
		return Worker{Name: name, Run: func(ctx context.Context) {
			if err := q.Consume(ctx, topic, h); err != nil && ctx.Err() == nil {
				log.Warn("commerce consumer stopped", "worker", name, "err", err)
			}
		}}
	}
	return CommerceWorkers{
		consume("commerce-order-expiry", commerce.TopicOrderExpire, svc.HandleExpire),
		consume("commerce-payment-changed", commerce.TopicPaymentChanged, svc.HandlePaymentChanged),
		consume("commerce-order-refunds", commerce.TopicOrderCancelled, svc.HandleOrderCancelled),
		consume("commerce-appointment-refunds", commerce.TopicAppointmentCancelled, svc.HandleAppointmentCancelled),
		{Name: "commerce-webhooks", Run: func(ctx context.Context) {
			if err := svc.RunWebhooks(ctx, q); err != nil && ctx.Err() == nil {
				log.Warn("commerce webhooks stopped", "err", err)
			}
		}},
	}
}

// CommerceSet is commerce in every profile: store, bridge, webhook sender,
// service, routes and consumers (the payment provider comes with the profile).
var CommerceSet = gw.NewSet(
	ProvideCommerceStore, ProvideCommerceDirectory, ProvideWebhookSender, ProvideCommerceService, commerceapi.New, ProvideCommerceWorkers,
	gw.Bind(new(commerce.Directory), new(*commercedir.Directory)),
	gw.Bind(new(ports.WebhookSender), new(*httpwebhook.Sender)),
)

// ProvideLocalPay is the payment simulator: its webhooks go to this server's
// own provider route, signed with a secret derived from MULTISAUDE_SECRET (or
// kept in $DATA_DIR), and its charges survive restarts in $DATA_DIR/localpay.json.
func ProvideLocalPay(cfg Config, log *slog.Logger) (*localpay.Sim, func(), error) {
	set, err := localPayConfig(cfg)
	if err != nil {
		return nil, nil, err
	}
	set.Log = log
	sim, err := localpay.New(set)
	if err != nil {
		return nil, nil, err
	}
	return sim, sim.Close, nil
}

// ProvideLocalPayRoutes serves the simulator's payer routes (/dev/localpay, local profile only).
func ProvideLocalPayRoutes(sim *localpay.Sim) DevRoutes { return localpayapi.New(sim) }

// LocalPaySet is the local profile's payments: the simulator and its payer routes.
var LocalPaySet = gw.NewSet(ProvideLocalPay, ProvideLocalPayRoutes, gw.Bind(new(ports.Payments), new(*localpay.Sim)))

// ProvidePayments is the aws/onprem payment provider chosen by MULTISAUDE_PAYMENTS.
func ProvidePayments(cfg Config, log *slog.Logger, tracing *oteltrace.Tracing) (ports.Payments, func(), error) {
	if cfg.Payments == PaymentsLocal {
		log.Warn("payments: the localpay simulator is in use; no real money moves (MULTISAUDE_PAYMENTS=localpay)")
		return ProvideLocalPay(cfg, log)
	}
	set := stripeConfig(cfg)
	set.Log = log
	if tracing.Enabled() {
		set.HTTPClient = tracing.Client(&http.Client{Timeout: 30 * time.Second}) // stripepay's default
	}
	st, err := stripepay.New(set)
	if err != nil {
		return nil, nil, err
	}
	return st, func() {}, nil
}
