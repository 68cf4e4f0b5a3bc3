// Package commerceapi is commerce's HTTP routes: catalogues, purchase options,
// orders, payments and refunds, and partners' webhooks.
package commerceapi

import (
	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
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

var problems, ok = httpapi.ProblemResponses, httpapi.Answers

// Register adds the routes; each part of commerce registers its own.
func (m *Module) Register(r *httpapi.Router) {
	m.registerCatalog(r)
	m.registerOptions(r)
	m.registerOrders(r)
	m.registerPayments(r)
	m.registerWebhooks(r)
}

// Money is an amount in centavos with its ISO 4217 currency: the API's one
// Money schema (identity's and scheduling's prices have the same).
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// SchemaName is the one schema of an amount.
func (Money) SchemaName() string { return "Money" }

// Limits are the Money schema's.
func (Money) Limits() httpapi.Limits {
	return httpapi.Limits{"currency": {Length: 3, Pattern: kernel.CurrencyPattern}}
}

// Example is the Money schema's example (the same as identity's).
func (Money) Example() any { return Money{Amount: 25000, Currency: "BRL"} }

func money(m kernel.Money) Money { return Money{Amount: m.Amount, Currency: m.Currency} }
