package liveapi

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
)

const tag = "live"

// TicketResponse is a WebSocket ticket: put it in GET /v1/ws?ticket=.
type TicketResponse struct {
	Ticket    string    `json:"ticket"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Limits documents the response.
func (TicketResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"ticket": {Length: 64}}
}

func (m *Module) registerTickets(r *httpapi.Router) {
	r.Handle(fiber.MethodPost, "/v1/ws/tickets", httpapi.Op{ID: "createWebSocketTicket", Tag: tag, Auth: httpapi.User,
		Summary: "A short, single-use ticket that opens one WebSocket (GET /v1/ws) for the caller",
		Description: "So that no long-lived token travels in a URL, the WebSocket is opened with a ticket: random, valid for " +
			"30 seconds by default, spent by its first use. Only patients, professionals and members of partner companies " +
			"(the accounts that take part in conversations) get one.",
		Responses: httpapi.Answers(fiber.StatusCreated, TicketResponse{}, 401, 403)}, m.createTicket)
}

func (m *Module) createTicket(c *fiber.Ctx) error {
	value, t, err := m.svc.IssueTicket(c.UserContext(), httpapi.PrincipalOf(c))
	if err != nil {
		return err
	}
	return httpapi.Created(c, "", TicketResponse{Ticket: value, ExpiresAt: t.ExpiresAt})
}
