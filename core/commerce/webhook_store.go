package commerce

import (
	"context"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// WebhookStore keeps partners' webhook endpoints and their deliveries.
type WebhookStore interface {
	// CreateWebhook stores a new endpoint; kernel.KindConflict when its company
	// already has max endpoints (checked in the same transaction).
	CreateWebhook(ctx context.Context, e WebhookEndpoint, max int) error
	// Webhook returns the company's endpoint id; kernel.KindNotFound when the
	// company has no such endpoint.
	Webhook(ctx context.Context, companyID, id kernel.ID) (WebhookEndpoint, error)
	// Webhooks returns the company's endpoints, oldest first (at most
	// MaxWebhookEndpoints, the limit CreateWebhook enforces).
	Webhooks(ctx context.Context, companyID kernel.ID) ([]WebhookEndpoint, error)
	// UpdateWebhook runs fn on the locked endpoint inside a transaction and
	// stores what fn left in it (URL, events, secrets); kernel.KindNotFound.
	UpdateWebhook(ctx context.Context, companyID, id kernel.ID, fn func(*WebhookEndpoint) error) (WebhookEndpoint, error)
	// DeleteWebhook removes the endpoint and its deliveries; kernel.KindNotFound.
	DeleteWebhook(ctx context.Context, companyID, id kernel.ID) error

	// AddWebhookDelivery inserts d unless a delivery with d.MessageID exists
	// (insert-if-absent: a redelivered event creates nothing), and returns the
	// stored delivery and whether this call created it; kernel.KindNotFound
	// when the endpoint no longer exists.
	AddWebhookDelivery(ctx context.Context, d WebhookDelivery) (WebhookDelivery, bool, error)
	// WebhookDelivery returns one delivery with its latest attempts
	// (at most MaxShownAttempts); kernel.KindNotFound.
	WebhookDelivery(ctx context.Context, id kernel.ID) (WebhookDelivery, error)
	// WebhookDeliveries lists an endpoint's deliveries, newest first, each with
	// its latest attempts (at most MaxShownAttempts).
	WebhookDeliveries(ctx context.Context, endpointID kernel.ID, page kernel.Page) (kernel.List[WebhookDelivery], error)
	// RecordWebhookAttempt appends attempt a to the delivery, which must have
	// made exactly a.N-1 attempts, and sets its status and next attempt time.
	// kernel.KindConflict when attempt a.N is already recorded (another worker
	// made it); kernel.KindNotFound when the delivery is gone.
	RecordWebhookAttempt(ctx context.Context, deliveryID kernel.ID, a WebhookAttempt, status WebhookStatus, next *time.Time) (WebhookDelivery, error)
}
