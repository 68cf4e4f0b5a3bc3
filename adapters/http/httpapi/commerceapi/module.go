// Package commerceapi is commerce's HTTP routes: catalogues, purchase options,
// orders, payments and refunds, and partners' webhooks.
package commerceapi

import (
	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/commerce"
)

// Module registers commerce's routes.
type Module struct {
	svc  *commerce.Service
	idem httpapi.IdempotencyStore
}

var _ httpapi.Module = (*Module)(nil)

// New builds the module; idem stores first answers of POSTs that order or charge.
func New(svc *commerce.Service, idem httpapi.IdempotencyStore) *Module {
	return &Module{svc: svc, idem: idem}
}

const tag = "commerce"

func problems(statuses ...int) []httpapi.Response {
	out := make([]httpapi.Response, 0, len(statuses))
	for _, s := range statuses {
		out = append(out, httpapi.Response{Status: s, Body: httpapi.Problem{}, ContentType: "application/problem+json"})
	}
	return out
}

func ok(status int, body any, errs ...int) []httpapi.Response {
	return append([]httpapi.Response{{Status: status, Body: body}}, problems(errs...)...)
}

// Register adds the routes; each part of commerce registers its own.
func (m *Module) Register(r *httpapi.Router) {
	m.registerCatalog(r)
	m.registerOptions(r)
	m.registerOrders(r)
	m.registerPayments(r)
	m.registerWebhooks(r)
}
