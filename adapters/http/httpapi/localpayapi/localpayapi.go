// Package localpayapi is the local profile's development routes of the
// payment simulator (adapters/payments/localpay): a person, a script or the
// `multisaude dev pay` command acts as the payer of a charge. The simulator
// then announces the change through the signed webhook route, as a real
// provider would. Only the local profile mounts this module: the routes are
// anonymous, the simulator's charges are not real money.
package localpayapi

import (
	"context"
	"regexp"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Payer acts as the payer of a simulated charge; *localpay.Sim is one.
type Payer interface {
	Pay(ctx context.Context, chargeID string) (ports.Charge, error)
	Fail(ctx context.Context, chargeID, reason string) (ports.Charge, error)
}

// Module is the httpapi.Module of the simulator's development routes.
type Module struct{ payer Payer }

var _ httpapi.Module = (*Module)(nil)

// New builds the module over the simulator.
func New(payer Payer) *Module { return &Module{payer: payer} }

// Charge is a simulated charge after the payer acted.
type Charge struct {
	ID            string     `json:"id"`
	Provider      string     `json:"provider"`
	Reference     string     `json:"reference"`
	Method        string     `json:"method"`
	Status        string     `json:"status"`
	Amount        int64      `json:"amount"`
	Currency      string     `json:"currency"`
	Refunded      int64      `json:"refunded"`
	FailureReason string     `json:"failure_reason,omitempty"`
	ExpiresAt     *time.Time `json:"expires_at,omitempty"`
}

// Limits documents the closed sets of values.
func (Charge) Limits() httpapi.Limits {
	return httpapi.Limits{
		"method": {Enum: []string{ports.PayPix, ports.PayCard}},
		"status": {Enum: []string{ports.ChargePending, ports.ChargeAuthorized, ports.ChargeSucceeded, ports.ChargeFailed,
			ports.ChargeExpired, ports.ChargeCancelled}},
		"currency": {Length: 3},
		"amount":   {Range: httpapi.Between(0, 1<<53-1)},
		"refunded": {Range: httpapi.Between(0, 1<<53-1)},
	}
}

const (
	maxChargeID  = 64
	maxReason    = 64
	chargeIDExpr = `^[A-Za-z0-9_]{1,64}$`
	reasonExpr   = `^[a-z0-9_]{1,64}$`
)

var (
	chargeID = regexp.MustCompile(chargeIDExpr)
	reason   = regexp.MustCompile(reasonExpr)
)

func problems(statuses ...int) []httpapi.Response {
	return append([]httpapi.Response{{Status: 200, Description: "the charge after the payer acted", Body: Charge{}}},
		httpapi.ProblemResponses(statuses...)...)
}

// Register adds POST /dev/localpay/charges/:id/pay and /fail.
func (m *Module) Register(r *httpapi.Router) {
	r.Handle(fiber.MethodPost, "/dev/localpay/charges/:id/pay", httpapi.Op{
		ID:        "devLocalpayPay",
		Summary:   "Pay a simulated charge as the payer (local profile only)",
		Tag:       "dev",
		Auth:      httpapi.Public,
		Responses: problems(400, 404, 409),
	}, m.pay)
	r.Handle(fiber.MethodPost, "/dev/localpay/charges/:id/fail", httpapi.Op{
		ID:      "devLocalpayFail",
		Summary: "Make a simulated charge fail as the payer's bank would (local profile only)",
		Tag:     "dev",
		Auth:    httpapi.Public,
		Query: []httpapi.Param{{Name: "reason", MaxLength: maxReason, Pattern: reasonExpr,
			Description: "the failure reason the charge and its charge.failed event carry (simulated_failure)"}},
		Responses: problems(400, 404, 409),
	}, m.fail)
}

func id(c *fiber.Ctx) (string, error) {
	v := c.Params("id")
	if !chargeID.MatchString(v) {
		return "", kernel.NotFound("cobrança não encontrada")
	}
	return v, nil
}

func (m *Module) pay(c *fiber.Ctx) error {
	cid, err := id(c)
	if err != nil {
		return err
	}
	ch, err := m.payer.Pay(c.UserContext(), cid)
	if err != nil {
		return err
	}
	return httpapi.OK(c, toCharge(ch))
}

func (m *Module) fail(c *fiber.Ctx) error {
	cid, err := id(c)
	if err != nil {
		return err
	}
	why := c.Query("reason")
	if why != "" && !reason.MatchString(why) {
		return kernel.Invalid("reason", "use letras minúsculas, dígitos e _ (até %d)", maxReason)
	}
	ch, err := m.payer.Fail(c.UserContext(), cid, why)
	if err != nil {
		return err
	}
	return httpapi.OK(c, toCharge(ch))
}

func toCharge(c ports.Charge) Charge {
	out := Charge{ID: c.ID, Provider: c.Provider, Reference: c.Reference, Method: c.Method, Status: c.Status,
		Amount: c.Amount, Currency: c.Currency, Refunded: c.Refunded, FailureReason: c.FailureReason}
	if !c.ExpiresAt.IsZero() {
		t := c.ExpiresAt.UTC()
		out.ExpiresAt = &t
	}
	return out
}
