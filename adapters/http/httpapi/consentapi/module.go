// Package consentapi is consent's HTTP routes: consent terms and the ledger,
// exports, the sharing report, erasure requests, the incident register and the
// record of processing activities.
package consentapi

import (
	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/consent"
)

// Module registers consent's routes.
type Module struct {
	svc  *consent.Service
	idem httpapi.IdempotencyStore
}

var _ httpapi.Module = (*Module)(nil)

// New builds the module.
func New(svc *consent.Service, idem httpapi.IdempotencyStore) *Module {
	return &Module{svc: svc, idem: idem}
}

const tag = "consent"

var problems, ok = httpapi.ProblemResponses, httpapi.Answers

// Register adds the routes; each part registers its own.
func (m *Module) Register(r *httpapi.Router) {
	m.registerLedger(r)
	m.registerExports(r)
	m.registerSharing(r)
	m.registerErasure(r)
	m.registerIncidents(r)
	m.registerActivities(r)
}
