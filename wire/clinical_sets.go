package wire

import (
	"log/slog"

	gw "github.com/google/wire"

	"github.com/multisaude/multisaude/adapters/bridge/clinicaldir"
	"github.com/multisaude/multisaude/adapters/http/httpapi/clinicalapi"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/clinicalsql"
	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
	"github.com/multisaude/multisaude/ports"
)

// ProvideClinicalStore is clinical's SQL store.
func ProvideClinicalStore(db *sqlstore.DB) *clinicalsql.Store { return clinicalsql.New(db) }

// ProvideClinicalDirectory looks patients, professionals and companies up in identity.
func ProvideClinicalDirectory(ids *identity.Service) *clinicaldir.Directory {
	return clinicaldir.NewDirectory(ids)
}

// ProvideClinicalCare reads care relationships from scheduling's store (read only).
func ProvideClinicalCare(st scheduling.Store) *clinicaldir.Care { return clinicaldir.NewCare(st) }

// ProvideClinicalInbox keeps clinical's in-app notices in scheduling's notifications.
func ProvideClinicalInbox(st scheduling.Store) *clinicaldir.Inbox { return clinicaldir.NewInbox(st) }

// ProvideClinicalSealer is envelope encryption over the profile's key manager.
func ProvideClinicalSealer(km ports.KeyManager) *clinicaldir.Sealer { return clinicaldir.NewSealer(km) }

// ProvideClinicalService builds clinical's use cases; documents are limited to the upload limit.
func ProvideClinicalService(store clinical.Store, dir clinical.Directory, care clinical.CareRelations, signer ports.DocumentSigner,
	blobs ports.BlobStore, sealer clinical.Sealer, notifier ports.Notifier, inbox clinical.Inbox, trail ports.AuditTrail, clock kernel.Clock, log *slog.Logger, cfg Config) *clinical.Service {
	return clinical.NewService(clinical.Deps{Store: store, Dir: dir, Care: care, Signer: signer, Blobs: blobs, Sealer: sealer,
		Notifier: notifier, Inbox: inbox, Trail: trail, Clock: clock, Log: log}, clinicalConfig(cfg))
}

// ProvideClinicalModule builds clinical's routes and plugs active treatment
// plans into scheduling's dashboard.
func ProvideClinicalModule(svc *clinical.Service, sched *scheduling.Service) *clinicalapi.Module {
	sched.UsePlans(clinicaldir.NewDashboardPlans(svc))
	return clinicalapi.New(svc)
}

// ProvideClinicalCompletion completes the appointment a signed evaluation is tied to
// (consumes clinical.evaluation.signed).
func ProvideClinicalCompletion(q ports.Queue, sched *scheduling.Service, log *slog.Logger) *clinicaldir.Completion {
	return clinicaldir.NewCompletion(q, sched, log)
}

// ProvideClinicalEmergencyNotices tells patients of break-the-glass accesses
// (consumes clinical.record.emergency_access).
func ProvideClinicalEmergencyNotices(q ports.Queue, svc *clinical.Service, log *slog.Logger) *clinicaldir.EmergencyNotices {
	return clinicaldir.NewEmergencyNotices(q, svc, log)
}

// ClinicalSet is clinical in every profile: store, bridges, service, routes and
// the consumers (appointment completion, emergency-access notices).
var ClinicalSet = gw.NewSet(
	ProvideClinicalStore, ProvideClinicalDirectory, ProvideClinicalCare, ProvideClinicalSealer, ProvideClinicalService,
	ProvideClinicalModule, ProvideClinicalCompletion, ProvideClinicalInbox, ProvideClinicalEmergencyNotices,
	gw.Bind(new(clinical.Inbox), new(*clinicaldir.Inbox)),
	gw.Bind(new(clinical.CareRelations), new(*clinicaldir.Care)),
	gw.Bind(new(clinical.Store), new(*clinicalsql.Store)),
	gw.Bind(new(clinical.Directory), new(*clinicaldir.Directory)),
	gw.Bind(new(clinical.Sealer), new(*clinicaldir.Sealer)),
)
