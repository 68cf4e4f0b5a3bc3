package commerce

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// Partner webhooks ("Integração API"): a company's admins register endpoints
// that receive the partner events they subscribe to, signed the way the
// Standard Webhooks specification says. See webhooks_delivery.go for the
// delivery pipeline and its retry schedule.

// Limits of webhook endpoints.
const (
	MaxWebhookEndpoints = 10   // per company
	MaxWebhookURLLen    = 2048 // characters
	MaxShownAttempts    = 25   // latest attempts shown with a delivery
	// WebhookSecretPrefix starts every secret, as Standard Webhooks does;
	// the rest is the base64 of 32 random bytes.
	WebhookSecretPrefix = "whsec_"
	webhookSecretBytes  = 32
)

// EventWebhookPing is what POST .../ping delivers; no endpoint subscribes to it.
const EventWebhookPing = "webhook.ping"

// WebhookEndpoint is where a company receives its partner events.
type WebhookEndpoint struct {
	ID        kernel.ID
	CompanyID kernel.ID
	URL       string
	Events    []string // the subscribed event types, a subset of PartnerEventTypes()
	// Secret is the raw signing key (the "whsec_" base64 decoded). It must be
	// recoverable to sign, so it is stored as is: commerce has no key manager
	// (ports.KeyManager) among its Deps to seal it. Never logged.
	Secret []byte
	// PrevSecret is the key replaced by the last rotation; it keeps signing
	// (a second signature) until PrevUntil.
	PrevSecret []byte
	PrevUntil  *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Subscribed reports whether the endpoint receives events of type eventType.
func (e WebhookEndpoint) Subscribed(eventType string) bool {
	for _, x := range e.Events {
		if x == eventType {
			return true
		}
	}
	return false
}

// SigningSecrets are the keys that sign a message sent at t: the current one,
// and the previous one while its overlap lasts.
func (e WebhookEndpoint) SigningSecrets(t time.Time) [][]byte {
	out := [][]byte{e.Secret}
	if len(e.PrevSecret) > 0 && e.PrevUntil != nil && t.Before(*e.PrevUntil) {
		out = append(out, e.PrevSecret)
	}
	return out
}

// Rotate makes fresh the current key and keeps the old one signing until
// at+overlap. A previous key still in its overlap is dropped: only the last
// two keys ever sign.
func (e *WebhookEndpoint) Rotate(fresh []byte, at time.Time, overlap time.Duration) {
	until := at.Add(overlap)
	e.PrevSecret, e.PrevUntil = e.Secret, &until
	e.Secret = fresh
	e.UpdatedAt = at
}

// WebhookStatus is where a delivery stands.
type WebhookStatus string

const (
	// WebhookPending: created, no attempt recorded yet.
	WebhookPending WebhookStatus = "pending"
	// WebhookDelivered: an attempt got a 2xx answer.
	WebhookDelivered WebhookStatus = "delivered"
	// WebhookFailed: the last attempt failed; NextAttemptAt says when the next
	// is due (none for a ping or a replay of a dead delivery, tried once).
	WebhookFailed WebhookStatus = "failed"
	// WebhookDead: every automatic attempt failed (dead-lettered); replayable.
	WebhookDead WebhookStatus = "dead"
)

// WebhookStatuses lists the statuses, for the API's description.
func WebhookStatuses() []string {
	return []string{string(WebhookPending), string(WebhookDelivered), string(WebhookFailed), string(WebhookDead)}
}

// WebhookAttempt is one try of a delivery.
type WebhookAttempt struct {
	N          int // 1 for the first
	At         time.Time
	StatusCode int // 0 when no answer arrived
	Duration   time.Duration
	Error      string // pt-BR, empty on success
}

// WebhookDelivery is one event sent to one endpoint: every attempt carries the
// same MessageID (webhook-id) and Body, so a receiver can de-duplicate.
type WebhookDelivery struct {
	ID            kernel.ID
	EndpointID    kernel.ID
	CompanyID     kernel.ID
	EventID       kernel.ID
	EventType     string
	MessageID     string
	Body          []byte // {"type","timestamp","data"}
	Status        WebhookStatus
	AttemptCount  int
	NextAttemptAt *time.Time
	Attempts      []WebhookAttempt // the latest, oldest first
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// WebhookMessageID derives the webhook-id of an event's delivery to an
// endpoint: the same pair always gives the same ID, so a redelivered event
// finds the delivery it already made.
func WebhookMessageID(eventID, endpointID kernel.ID) string {
	sum := sha256.Sum256([]byte(eventID + "\x00" + endpointID))
	return "msg_" + hex.EncodeToString(sum[:])[:24]
}

// NewWebhookSecret returns a fresh secret as shown to the partner ("whsec_"
// and base64) and its raw key.
func NewWebhookSecret() (string, []byte, error) {
	key := make([]byte, webhookSecretBytes)
	if _, err := rand.Read(key); err != nil {
		return "", nil, kernel.Internal(err, "random secret")
	}
	return FormatWebhookSecret(key), key, nil
}

// FormatWebhookSecret is the form a raw key is shown in.
func FormatWebhookSecret(key []byte) string {
	return WebhookSecretPrefix + base64.StdEncoding.EncodeToString(key)
}

// WebhookInput registers an endpoint.
type WebhookInput struct {
	URL    string
	Events []string
}

// validate checks the input, and the URL's destination with check (the
// sender's CheckURL) when its form is fine, reporting every field at once.
func (in WebhookInput) validate(check func(string) error) (WebhookInput, error) {
	var p kernel.Problems
	in.URL = strings.TrimSpace(in.URL)
	if p.Require("url", in.URL) {
		if len(in.URL) > MaxWebhookURLLen {
			p.Add("url", "deve ter no máximo %d caracteres", MaxWebhookURLLen)
		} else if err := check(in.URL); err != nil {
			if msg, ok := invalidMessage(err); ok {
				p.Add("url", "%s", msg)
			} else {
				return in, err
			}
		}
	}
	known := PartnerEventTypes()
	if len(in.Events) == 0 {
		p.Add("events", "escolha ao menos um evento")
	}
	if len(in.Events) > len(known) {
		p.Add("events", "deve ter no máximo %d eventos", len(known))
		return in, p.Err()
	}
	seen := map[string]bool{}
	events := make([]string, 0, len(in.Events))
	for i, ev := range in.Events {
		if !slices.Contains(known, ev) {
			p.Add("events["+strconv.Itoa(i)+"]", "evento desconhecido; use um de: %s", strings.Join(known, ", "))
			continue
		}
		if !seen[ev] {
			seen[ev] = true
			events = append(events, ev)
		}
	}
	in.Events = events
	return in, p.Err()
}

// invalidMessage is the pt-BR reason of a KindInvalid error.
func invalidMessage(err error) (string, bool) {
	var ke *kernel.Error
	if !errors.As(err, &ke) || ke.Kind != kernel.KindInvalid {
		return "", false
	}
	if len(ke.Fields) > 0 {
		return ke.Fields[0].Message, true
	}
	return ke.Message, true
}

// Who may do what with a company's webhooks: its admins manage them; its staff
// and the platform's admins may read them; nobody else, API keys included.
func authorizeWebhooks(p kernel.Principal, companyID kernel.ID, manage bool) error {
	if err := p.RequireAuthenticated(); err != nil {
		return err
	}
	own := p.Kind == kernel.KindCompanyMember && p.CompanyID != "" && p.CompanyID == companyID
	switch {
	case manage && own && p.HasRole("admin"):
		return nil
	case manage && own:
		return kernel.Forbidden("só um administrador da empresa pode gerenciar webhooks")
	case !manage && (own || p.Kind == kernel.KindAdmin):
		return nil
	}
	return kernel.Forbidden("você não pode acessar os webhooks desta empresa")
}

func (s *Service) webhookDeps() error {
	if s.Hooks == nil || s.Sender == nil {
		return kernel.Unavailable(nil, "os webhooks não estão configurados")
	}
	return nil
}

// CreateWebhook registers an endpoint for the company; the answer's secret
// ("whsec_...") is shown this once.
func (s *Service) CreateWebhook(ctx context.Context, p kernel.Principal, companyID kernel.ID, in WebhookInput) (WebhookEndpoint, string, error) {
	if err := authorizeWebhooks(p, companyID, true); err != nil {
		return WebhookEndpoint{}, "", err
	}
	if err := s.webhookDeps(); err != nil {
		return WebhookEndpoint{}, "", err
	}
	in, err := in.validate(func(u string) error { return s.Sender.CheckURL(ctx, u) })
	if err != nil {
		return WebhookEndpoint{}, "", err
	}
	shown, key, err := NewWebhookSecret()
	if err != nil {
		return WebhookEndpoint{}, "", err
	}
	now := s.now()
	e := WebhookEndpoint{ID: kernel.NewID(), CompanyID: companyID, URL: in.URL, Events: in.Events, Secret: key, CreatedAt: now, UpdatedAt: now}
	if err := s.Hooks.CreateWebhook(ctx, e, MaxWebhookEndpoints); err != nil {
		return WebhookEndpoint{}, "", err
	}
	return e, shown, nil
}

// Webhooks lists the company's endpoints (never their secrets: the API does not show them).
func (s *Service) Webhooks(ctx context.Context, p kernel.Principal, companyID kernel.ID) ([]WebhookEndpoint, error) {
	if err := authorizeWebhooks(p, companyID, false); err != nil {
		return nil, err
	}
	if s.Hooks == nil {
		return nil, kernel.Unavailable(nil, "os webhooks não estão configurados")
	}
	return s.Hooks.Webhooks(ctx, companyID)
}

// Webhook returns one endpoint.
func (s *Service) Webhook(ctx context.Context, p kernel.Principal, companyID, id kernel.ID) (WebhookEndpoint, error) {
	if err := authorizeWebhooks(p, companyID, false); err != nil {
		return WebhookEndpoint{}, err
	}
	if s.Hooks == nil {
		return WebhookEndpoint{}, kernel.Unavailable(nil, "os webhooks não estão configurados")
	}
	return s.Hooks.Webhook(ctx, companyID, id)
}

// DeleteWebhook removes an endpoint and its deliveries; retries still
// scheduled find nothing and stop.
func (s *Service) DeleteWebhook(ctx context.Context, p kernel.Principal, companyID, id kernel.ID) error {
	if err := authorizeWebhooks(p, companyID, true); err != nil {
		return err
	}
	if s.Hooks == nil {
		return kernel.Unavailable(nil, "os webhooks não estão configurados")
	}
	return s.Hooks.DeleteWebhook(ctx, companyID, id)
}

// RotateWebhookSecret gives the endpoint a new secret, shown this once; the
// old one keeps signing (a second signature) for Config().SecretOverlap.
func (s *Service) RotateWebhookSecret(ctx context.Context, p kernel.Principal, companyID, id kernel.ID) (WebhookEndpoint, string, error) {
	if err := authorizeWebhooks(p, companyID, true); err != nil {
		return WebhookEndpoint{}, "", err
	}
	if s.Hooks == nil {
		return WebhookEndpoint{}, "", kernel.Unavailable(nil, "os webhooks não estão configurados")
	}
	shown, key, err := NewWebhookSecret()
	if err != nil {
		return WebhookEndpoint{}, "", err
	}
	now := s.now()
	e, err := s.Hooks.UpdateWebhook(ctx, companyID, id, func(e *WebhookEndpoint) error {
		e.Rotate(key, now, s.cfg.SecretOverlap)
		return nil
	})
	if err != nil {
		return WebhookEndpoint{}, "", err
	}
	return e, shown, nil
}

// PingWebhook delivers one "webhook.ping" event to the endpoint now and
// answers with the delivery. A failed ping is not retried; it may be replayed.
func (s *Service) PingWebhook(ctx context.Context, p kernel.Principal, companyID, id kernel.ID) (WebhookDelivery, error) {
	if err := authorizeWebhooks(p, companyID, true); err != nil {
		return WebhookDelivery{}, err
	}
	if err := s.webhookDeps(); err != nil {
		return WebhookDelivery{}, err
	}
	e, err := s.Hooks.Webhook(ctx, companyID, id)
	if err != nil {
		return WebhookDelivery{}, err
	}
	now := s.now()
	eventID := kernel.NewID()
	data, _ := json.Marshal(map[string]string{"endpoint_id": e.ID})
	body, err := webhookBody(EventWebhookPing, now.Format(time.RFC3339), data)
	if err != nil {
		return WebhookDelivery{}, err
	}
	d, _, err := s.Hooks.AddWebhookDelivery(ctx, newDelivery(e, eventID, EventWebhookPing, body, now))
	if err != nil {
		return WebhookDelivery{}, err
	}
	return s.attempt(ctx, e, d, false)
}

// WebhookDeliveries lists an endpoint's deliveries, newest first.
func (s *Service) WebhookDeliveries(ctx context.Context, p kernel.Principal, companyID, id kernel.ID, page kernel.Page) (kernel.List[WebhookDelivery], error) {
	if err := authorizeWebhooks(p, companyID, false); err != nil {
		return kernel.List[WebhookDelivery]{}, err
	}
	if s.Hooks == nil {
		return kernel.List[WebhookDelivery]{}, kernel.Unavailable(nil, "os webhooks não estão configurados")
	}
	page, err := page.Normalize()
	if err != nil {
		return kernel.List[WebhookDelivery]{}, err
	}
	if _, err := s.Hooks.Webhook(ctx, companyID, id); err != nil {
		return kernel.List[WebhookDelivery]{}, err
	}
	return s.Hooks.WebhookDeliveries(ctx, id, page)
}

// ReplayWebhookDelivery attempts a failed or dead delivery again now, as a new
// attempt of the same message (same webhook-id and body), and answers with it.
// A replay that fails leaves a dead delivery dead and a failed one on its
// retry schedule.
func (s *Service) ReplayWebhookDelivery(ctx context.Context, p kernel.Principal, companyID, id, deliveryID kernel.ID) (WebhookDelivery, error) {
	if err := authorizeWebhooks(p, companyID, true); err != nil {
		return WebhookDelivery{}, err
	}
	if err := s.webhookDeps(); err != nil {
		return WebhookDelivery{}, err
	}
	e, err := s.Hooks.Webhook(ctx, companyID, id)
	if err != nil {
		return WebhookDelivery{}, err
	}
	d, err := s.Hooks.WebhookDelivery(ctx, deliveryID)
	if err != nil {
		return WebhookDelivery{}, err
	}
	if d.EndpointID != e.ID {
		return WebhookDelivery{}, kernel.NotFound("entrega não encontrada")
	}
	if d.Status != WebhookFailed && d.Status != WebhookDead {
		return WebhookDelivery{}, kernel.Conflict("só uma entrega com falha ou morta pode ser reenviada (situação atual: %s)", d.Status)
	}
	return s.attempt(ctx, e, d, true)
}
