package wire

import (
	"log/slog"

	gw "github.com/google/wire"

	"github.com/multisaude/multisaude/adapters/clinicaldir"
	"github.com/multisaude/multisaude/adapters/httpapi/clinicalapi"
	"github.com/multisaude/multisaude/adapters/sqlstore"
	"github.com/multisaude/multisaude/adapters/sqlstore/clinicalsql"
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

// ProvideClinicalSealer is envelope encryption over the profile's key manager.
func ProvideClinicalSealer(km ports.KeyManager) *clinicaldir.Sealer { return clinicaldir.NewSealer(km) }

// ProvideClinicalService builds clinical's use cases; documents are limited to the upload limit.
func ProvideClinicalService(store clinical.Store, dir clinical.Directory, care clinical.CareRelations, signer ports.DocumentSigner,
	blobs ports.BlobStore, sealer clinical.Sealer, notifier ports.Notifier, clock kernel.Clock, log *slog.Logger, cfg Config) *clinical.Service {
	return clinical.NewService(clinical.Deps{Store: store, Dir: dir, Care: care, Signer: signer, Blobs: blobs, Sealer: sealer,
		Notifier: notifier, Clock: clock, Log: log}, clinical.Config{MaxDocumentBytes: int64(cfg.UploadLimit),
		CareWindow: cfg.ClinicalCareWindow, EmergencyTTL: cfg.ClinicalEmergencyTTL})
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

// ClinicalSet is clinical in every profile: store, bridges, service, routes and
// the appointment-completion consumer.
var ClinicalSet = gw.NewSet(
	ProvideClinicalStore, ProvideClinicalDirectory, ProvideClinicalCare, ProvideClinicalSealer, ProvideClinicalService,
	ProvideClinicalModule, ProvideClinicalCompletion,
	gw.Bind(new(clinical.CareRelations), new(*clinicaldir.Care)),
	gw.Bind(new(clinical.Store), new(*clinicalsql.Store)),
	gw.Bind(new(clinical.Directory), new(*clinicaldir.Directory)),
	gw.Bind(new(clinical.Sealer), new(*clinicaldir.Sealer)),
)
