package fhirapi

import (
	"context"
	"log/slog"
	"time"

	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
)

// Deps are the use cases the facade reads through.
type Deps struct {
	Identity   *identity.Service
	Scheduling *scheduling.Service
	Clinical   *clinical.Service
	Consent    *consent.Service
	// BaseURL is the API's public base URL ("https://api.example"); the
	// facade's base is BaseURL + "/fhir/R4". Empty: the request's own.
	BaseURL string
	Version string
	Clock   kernel.Clock
	Log     *slog.Logger
}

// Facade holds the resource types and reads through Deps.
type Facade struct {
	d     Deps
	types map[string]*resourceType
	order []string
}

// Found is a search's page: the matches, the includes, the next page's cursor.
type Found struct {
	Matches  []Resource
	Included []Resource
	Next     string
}

// resourceType is one entry of the registry.
type resourceType struct {
	Name    string
	Profile string // canonical URL of the profile the resources claim, if any
	// Public types are readable without credentials (the directory: who
	// attends, where, when); the others need an authenticated caller, and
	// an API key needs the fhir:read scope.
	Public   bool
	Params   []Param
	Includes []string // accepted _include values ("Appointment:practitioner")
	Doc      string   // pt-BR, for the CapabilityStatement
	// Read returns the resource with id the caller may see; kernel.NotFound
	// when it does not exist or the caller may not know it does.
	Read func(ctx context.Context, p kernel.Principal, id string) (Resource, error)
	// Search returns one page of the resources matching q the caller may see.
	// _id is handled by the facade (through Read) and never reaches it.
	Search func(ctx context.Context, p kernel.Principal, q Query) (Found, error)
	// IncludeRefs returns the references ("Practitioner/123") of r that the
	// _include value inc follows.
	IncludeRefs func(inc string, r Resource) []string
}

func (rt *resourceType) param(name string) Param {
	for _, p := range rt.Params {
		if p.Name == name {
			return p
		}
	}
	return Param{}
}

// New builds the facade with every resource type.
func New(d Deps) *Facade {
	if d.Clock == nil {
		d.Clock = kernel.SystemClock{}
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	f := &Facade{d: d, types: map[string]*resourceType{}}
	for _, rt := range []*resourceType{
		f.patientType(), f.practitionerType(), f.practitionerRoleType(), f.organizationType(), f.locationType(),
		f.scheduleType(), f.slotType(), f.appointmentType(), f.encounterType(), f.observationType(),
		f.conditionType(), f.carePlanType(), f.medicationRequestType(), f.documentReferenceType(),
		f.consentType(), f.auditEventType(), f.provenanceType(),
	} {
		f.types[rt.Name] = rt
		f.order = append(f.order, rt.Name)
	}
	return f
}

func (f *Facade) now() time.Time { return f.d.Clock.Now() }

// read reads one resource of typ for p (no authentication check here: the
// caller of read has done it).
func (f *Facade) read(ctx context.Context, p kernel.Principal, typ, id string) (Resource, error) {
	rt := f.types[typ]
	if rt == nil || !validID(id) {
		return nil, kernel.NotFound("recurso não encontrado")
	}
	return rt.Read(ctx, p, id)
}
