package wire

import (
	"context"
	"log/slog"

	gw "github.com/google/wire"

	"github.com/multisaude/multisaude/adapters/bridge/schedulingdir"
	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/adapters/http/httpapi/schedulingapi"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/idempotencysql"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/schedulingsql"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
	"github.com/multisaude/multisaude/ports"
)

// ProvideSchedulingStore is scheduling's SQL store.
func ProvideSchedulingStore(db *sqlstore.DB) *schedulingsql.Store { return schedulingsql.New(db) }

// ProvideSchedulingDirectory looks professionals, companies and patients up in identity.
func ProvideSchedulingDirectory(ids *identity.Service, clock kernel.Clock) *schedulingdir.Directory {
	return schedulingdir.New(ids, clock)
}

// ProvideSchedulingService builds scheduling's use cases, with the profile's
// video provider for telemedicine rooms. The clinical context plugs
// treatment plans into the dashboard with svc.UsePlans(src) (scheduling.TreatmentPlans).
func ProvideSchedulingService(store scheduling.Store, dir scheduling.Directory, consents ports.Consents, video ports.VideoRooms,
	cfg Config, clock kernel.Clock, log *slog.Logger) *scheduling.Service {
	vt := videoTimingConfig(cfg)
	return scheduling.NewService(store, dir, clock, scheduling.Options{Consents: consents, Video: video, VideoEarly: vt.Early, VideoGrace: vt.Grace}, log)
}

// ProvideIdempotencyStore keeps first answers of POSTs sent with an Idempotency-Key.
func ProvideIdempotencyStore(db *sqlstore.DB) *idempotencysql.Store { return idempotencysql.New(db) }

// ProvideSchedulingReminders is the reminder worker over the profile's
// ports.Scheduler and ports.Notifier.
func ProvideSchedulingReminders(svc *scheduling.Service, sched ports.Scheduler, notifier ports.Notifier) *scheduling.Reminders {
	return scheduling.NewReminders(svc, sched, notifier)
}

// SchedulingWorker consumes appointment events (reminders 24 h and 1 h before),
// delivers due reminders and expires waitlist holds.
type SchedulingWorker Worker

// ProvideSchedulingWorker runs the reminder worker on the profile's queue.
func ProvideSchedulingWorker(r *scheduling.Reminders, q ports.Queue, log *slog.Logger) SchedulingWorker {
	return SchedulingWorker{Name: "scheduling-reminders", Run: func(ctx context.Context) {
		if err := r.Run(ctx, q); err != nil && ctx.Err() == nil {
			log.Warn("scheduling reminders stopped", "err", err)
		}
	}}
}

// SchedulingSet is scheduling in every profile: store, identity bridge, service,
// idempotency store, routes and the reminder worker.
var SchedulingSet = gw.NewSet(
	ProvideSchedulingStore, ProvideSchedulingDirectory, ProvideSchedulingService, ProvideIdempotencyStore, schedulingapi.New,
	ProvideSchedulingReminders, ProvideSchedulingWorker,
	gw.Bind(new(scheduling.Store), new(*schedulingsql.Store)),
	gw.Bind(new(scheduling.Directory), new(*schedulingdir.Directory)),
	gw.Bind(new(httpapi.IdempotencyStore), new(*idempotencysql.Store)),
)
