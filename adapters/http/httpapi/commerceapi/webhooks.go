package commerceapi

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
)

// Partner webhooks ("Integração API"): a company's admins register endpoints;
// its staff and the platform's admins may read them.

// WebhookRequest registers an endpoint.
type WebhookRequest struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
}

// Limits bounds the request (see httpapi.Bounded).
func (WebhookRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"url": {Length: commerce.MaxWebhookURLLen, Format: "uri"},
		"events": {Items: len(commerce.PartnerEventTypes()), Length: 40, Enum: commerce.PartnerEventTypes()}}
}

// WebhookResponse is an endpoint. Secret ("whsec_" and base64, as Standard
// Webhooks) is present only in the answers of creation and rotation.
type WebhookResponse struct {
	ID                    string     `json:"id"`
	CompanyID             string     `json:"company_id"`
	URL                   string     `json:"url"`
	Events                []string   `json:"events"`
	PreviousSecretExpires *time.Time `json:"previous_secret_expires_at"`
	CreatedAt             time.Time  `json:"created_at"`
	UpdatedAt             time.Time  `json:"updated_at"`
	Secret                string     `json:"secret,omitempty"`
}

// Limits documents the response's formats.
func (WebhookResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"id": {Format: "uuid"}, "company_id": {Format: "uuid"}, "url": {Length: commerce.MaxWebhookURLLen},
		"events": {Enum: commerce.PartnerEventTypes()}, "secret": {Pattern: "^whsec_[A-Za-z0-9+/]+={0,2}$"}}
}

// WebhookListResponse lists a company's endpoints (at most MaxWebhookEndpoints; no paging).
type WebhookListResponse struct {
	Items []WebhookResponse `json:"items"`
}

// Limits documents the list's bound.
func (WebhookListResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"items": {Items: commerce.MaxWebhookEndpoints}}
}

// WebhookAttemptResponse is one try of a delivery.
type WebhookAttemptResponse struct {
	Attempt    int       `json:"attempt"`
	At         time.Time `json:"at"`
	StatusCode int       `json:"status_code"` // 0 when no answer arrived
	DurationMS int64     `json:"duration_ms"`
	Error      string    `json:"error,omitempty"`
}

// WebhookDeliveryResponse is one event sent to one endpoint.
type WebhookDeliveryResponse struct {
	ID            string                   `json:"id"`
	EndpointID    string                   `json:"endpoint_id"`
	EventID       string                   `json:"event_id"`
	EventType     string                   `json:"event_type"`
	MessageID     string                   `json:"message_id"` // webhook-id, the same for every attempt
	Status        string                   `json:"status"`
	AttemptCount  int                      `json:"attempt_count"`
	NextAttemptAt *time.Time               `json:"next_attempt_at"`
	Attempts      []WebhookAttemptResponse `json:"attempts"` // the latest, oldest first
	CreatedAt     time.Time                `json:"created_at"`
	UpdatedAt     time.Time                `json:"updated_at"`
}

// Limits documents the response's formats and bounds.
func (WebhookDeliveryResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"id": {Format: "uuid"}, "endpoint_id": {Format: "uuid"}, "event_id": {Format: "uuid"},
		"status": {Enum: commerce.WebhookStatuses()}, "attempts": {Items: commerce.MaxShownAttempts},
		"message_id": {Pattern: "^msg_[0-9a-f]{24}$"}}
}

func webhookOf(e commerce.WebhookEndpoint, secret string) WebhookResponse {
	events := e.Events
	if events == nil {
		events = []string{}
	}
	out := WebhookResponse{ID: e.ID, CompanyID: e.CompanyID, URL: e.URL, Events: events, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt, Secret: secret}
	if e.PrevUntil != nil && len(e.PrevSecret) > 0 {
		t := *e.PrevUntil
		out.PreviousSecretExpires = &t
	}
	return out
}

func webhookDeliveryOf(d commerce.WebhookDelivery) WebhookDeliveryResponse {
	out := WebhookDeliveryResponse{ID: d.ID, EndpointID: d.EndpointID, EventID: d.EventID, EventType: d.EventType, MessageID: d.MessageID,
		Status: string(d.Status), AttemptCount: d.AttemptCount, NextAttemptAt: d.NextAttemptAt, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
		Attempts: make([]WebhookAttemptResponse, 0, len(d.Attempts))}
	for _, a := range d.Attempts {
		out.Attempts = append(out.Attempts, WebhookAttemptResponse{Attempt: a.N, At: a.At, StatusCode: a.StatusCode,
			DurationMS: a.Duration.Milliseconds(), Error: a.Error})
	}
	return out
}

func (m *Module) registerWebhooks(r *httpapi.Router) {
	const base = "/v1/companies/:id/webhooks"
	r.Handle(fiber.MethodPost, base, httpapi.Op{ID: "createWebhook", Tag: tag,
		Summary: "Register a webhook endpoint (company admins); its secret is shown once", Auth: httpapi.User, Request: WebhookRequest{},
		Responses: ok(201, WebhookResponse{}, 400, 401, 403, 409, 415)}, m.createWebhook)
	r.Handle(fiber.MethodGet, base, httpapi.Op{ID: "listWebhooks", Tag: tag,
		Summary: "A company's webhook endpoints (never their secrets)", Auth: httpapi.User,
		Responses: ok(200, WebhookListResponse{}, 401, 403)}, m.listWebhooks)
	r.Handle(fiber.MethodGet, base+"/:wid", httpapi.Op{ID: "getWebhook", Tag: tag,
		Summary: "A webhook endpoint (never its secret)", Auth: httpapi.User,
		Responses: ok(200, WebhookResponse{}, 401, 403, 404)}, m.getWebhook)
	r.Handle(fiber.MethodDelete, base+"/:wid", httpapi.Op{ID: "deleteWebhook", Tag: tag,
		Summary: "Remove a webhook endpoint and its deliveries", Auth: httpapi.User,
		Responses: ok(204, nil, 401, 403, 404)}, m.deleteWebhook)
	r.Handle(fiber.MethodPost, base+"/:wid/rotate-secret", httpapi.Op{ID: "rotateWebhookSecret", Tag: tag,
		Summary: "New signing secret, shown once; the old one keeps signing (a second signature) for 24 h", Auth: httpapi.User,
		Responses: ok(200, WebhookResponse{}, 401, 403, 404)}, m.rotateWebhookSecret)
	r.Handle(fiber.MethodPost, base+"/:wid/ping", httpapi.Op{ID: "pingWebhook", Tag: tag,
		Summary: "Deliver a webhook.ping event now (tried once) and answer with its delivery", Auth: httpapi.User,
		Responses: ok(200, WebhookDeliveryResponse{}, 401, 403, 404)}, m.pingWebhook)
	r.Handle(fiber.MethodGet, base+"/:wid/deliveries", httpapi.Op{ID: "listWebhookDeliveries", Tag: tag,
		Summary: "An endpoint's deliveries, newest first, with their attempts (status codes, timings)", Auth: httpapi.User,
		Query:     httpapi.PageParams,
		Responses: ok(200, httpapi.ListResponse[WebhookDeliveryResponse]{}, 400, 401, 403, 404)}, m.listWebhookDeliveries)
	r.Handle(fiber.MethodPost, base+"/:wid/deliveries/:did/replay", httpapi.Op{ID: "replayWebhookDelivery", Tag: tag,
		Summary: "Attempt a failed or dead delivery again now, under the same webhook-id", Auth: httpapi.User,
		Responses: ok(200, WebhookDeliveryResponse{}, 401, 403, 404, 409)}, m.replayWebhookDelivery)
}

func webhookPath(c *fiber.Ctx) (companyID, id kernel.ID, err error) {
	if companyID, err = httpapi.PathID(c, "id"); err != nil {
		return "", "", err
	}
	if id, err = httpapi.PathID(c, "wid"); err != nil {
		return "", "", kernel.NotFound("webhook não encontrado")
	}
	return companyID, id, nil
}

func (m *Module) createWebhook(c *fiber.Ctx) error {
	companyID, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	var req WebhookRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	e, secret, err := m.svc.CreateWebhook(c.UserContext(), httpapi.PrincipalOf(c), companyID, commerce.WebhookInput{URL: req.URL, Events: req.Events})
	if err != nil {
		return err
	}
	return httpapi.Created(c, "/v1/companies/"+companyID+"/webhooks/"+e.ID, webhookOf(e, secret))
}

func (m *Module) listWebhooks(c *fiber.Ctx) error {
	companyID, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	list, err := m.svc.Webhooks(c.UserContext(), httpapi.PrincipalOf(c), companyID)
	if err != nil {
		return err
	}
	out := WebhookListResponse{Items: make([]WebhookResponse, 0, len(list))}
	for _, e := range list {
		out.Items = append(out.Items, webhookOf(e, ""))
	}
	return httpapi.OK(c, out)
}

func (m *Module) getWebhook(c *fiber.Ctx) error {
	companyID, id, err := webhookPath(c)
	if err != nil {
		return err
	}
	e, err := m.svc.Webhook(c.UserContext(), httpapi.PrincipalOf(c), companyID, id)
	if err != nil {
		return err
	}
	return httpapi.OK(c, webhookOf(e, ""))
}

func (m *Module) deleteWebhook(c *fiber.Ctx) error {
	companyID, id, err := webhookPath(c)
	if err != nil {
		return err
	}
	if err := m.svc.DeleteWebhook(c.UserContext(), httpapi.PrincipalOf(c), companyID, id); err != nil {
		return err
	}
	return httpapi.NoContent(c)
}

func (m *Module) rotateWebhookSecret(c *fiber.Ctx) error {
	companyID, id, err := webhookPath(c)
	if err != nil {
		return err
	}
	e, secret, err := m.svc.RotateWebhookSecret(c.UserContext(), httpapi.PrincipalOf(c), companyID, id)
	if err != nil {
		return err
	}
	return httpapi.OK(c, webhookOf(e, secret))
}

func (m *Module) pingWebhook(c *fiber.Ctx) error {
	companyID, id, err := webhookPath(c)
	if err != nil {
		return err
	}
	d, err := m.svc.PingWebhook(c.UserContext(), httpapi.PrincipalOf(c), companyID, id)
	if err != nil {
		return err
	}
	return httpapi.OK(c, webhookDeliveryOf(d))
}

func (m *Module) listWebhookDeliveries(c *fiber.Ctx) error {
	companyID, id, err := webhookPath(c)
	if err != nil {
		return err
	}
	q := httpapi.NewQuery(c)
	page := q.Page()
	if err := q.Err(); err != nil {
		return err
	}
	list, err := m.svc.WebhookDeliveries(c.UserContext(), httpapi.PrincipalOf(c), companyID, id, page)
	if err != nil {
		return err
	}
	return httpapi.OK(c, httpapi.NewList(list, webhookDeliveryOf))
}

func (m *Module) replayWebhookDelivery(c *fiber.Ctx) error {
	companyID, id, err := webhookPath(c)
	if err != nil {
		return err
	}
	did, err := httpapi.PathID(c, "did")
	if err != nil {
		return kernel.NotFound("entrega não encontrada")
	}
	d, err := m.svc.ReplayWebhookDelivery(c.UserContext(), httpapi.PrincipalOf(c), companyID, id, did)
	if err != nil {
		return err
	}
	return httpapi.OK(c, webhookDeliveryOf(d))
}
