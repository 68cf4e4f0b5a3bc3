// Package addressapi is the public CEP lookup the sign-up forms use:
// GET /v1/addresses/{cep} answers the address and point the geocoder's
// ports.CEPLookup knows, rate-limited per client address.
package addressapi

import (
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/time/rate"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Per client address: a burst of PerClientBurst lookups, then one every
// PerClientEvery (a person typing a CEP asks a few times; a crawler of the
// CEP space is slowed down, and the geocoder behind it is not flooded).
const (
	PerClientBurst = 30
	PerClientEvery = 2 * time.Second
	maxClients     = 10000
)

// Module registers the CEP lookup.
type Module struct {
	lookup ports.CEPLookup

	mu      sync.Mutex
	clients map[string]*rate.Limiter
}

var _ httpapi.Module = (*Module)(nil)

// New builds the module.
func New(lookup ports.CEPLookup) *Module {
	return &Module{lookup: lookup, clients: map[string]*rate.Limiter{}}
}

const tag = "addresses"

// Register adds the route.
func (m *Module) Register(r *httpapi.Router) {
	r.Handle(fiber.MethodGet, "/v1/addresses/:cep", httpapi.Op{ID: "lookupCEP", Summary: "Look up a CEP: its address (state always; city, district and street when known) and point", Tag: tag,
		Auth:        httpapi.Public,
		Description: "Público (o cadastro o usa antes de haver conta), limitado por endereço de origem. O que se sabe do CEP depende do geocodificador configurado: a tabela offline conhece o estado e, nas faixas das capitais, a cidade.",
		Responses:   httpapi.Answers(200, AddressResponse{}, 400, 404, 429, 503)}, m.lookupCEP)
}

func (m *Module) allow(ip string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.clients[ip]
	if !ok {
		if len(m.clients) >= maxClients {
			clear(m.clients)
		}
		l = rate.NewLimiter(rate.Every(PerClientEvery), PerClientBurst)
		m.clients[ip] = l
	}
	return l.Allow()
}

func (m *Module) lookupCEP(c *fiber.Ctx) error {
	if !m.allow(httpapi.ClientIP(c)) {
		return kernel.TooMany("muitas consultas de CEP; aguarde alguns segundos e tente de novo")
	}
	a, p, err := m.lookup.LookupCEP(c.UserContext(), strings.TrimSpace(c.Params("cep")))
	if err != nil {
		return err
	}
	return httpapi.OK(c, addressOf(a, p))
}
