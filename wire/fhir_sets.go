package wire

import (
	"log/slog"

	gw "github.com/google/wire"

	"github.com/multisaude/multisaude/adapters/bridge/consentdir"
	"github.com/multisaude/multisaude/adapters/http/fhirapi"
	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
)

// ProvideFHIRFacade builds the FHIR R4 facade over the contexts' use cases
// and hands it to consent's directory as the writer of the export's FHIR
// Bundle (set here: the facade reads through consent's service, which reads
// through the directory).
func ProvideFHIRFacade(cfg Config, ids *identity.Service, sched *scheduling.Service, clin *clinical.Service, cons *consent.Service,
	dir *consentdir.Directory, clock kernel.Clock, log *slog.Logger) *fhirapi.Facade {
	f := fhirapi.New(fhirapi.Deps{Identity: ids, Scheduling: sched, Clinical: clin, Consent: cons,
		BaseURL: cfg.PublicURL, Version: cfg.Version, Clock: clock, Log: log})
	dir.UseFHIR(f)
	return f
}

// FHIRSet is the FHIR facade and its routes.
var FHIRSet = gw.NewSet(ProvideFHIRFacade, fhirapi.NewModule)
