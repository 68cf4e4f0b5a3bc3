package commerce

import (
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// Topics of commerce's internal events (published through the outbox).
const (
	// TopicOrderCancelled: payload {"order_id"}; the payments consumer refunds a paid order in full.
	TopicOrderCancelled = "commerce.order.cancelled"
	// TopicOrderExpire: scheduled at creation for PayBy; payload {"order_id"}.
	TopicOrderExpire = "commerce.order.expire"
	// TopicPartnerEvent carries every event addressed to a company's webhooks.
	TopicPartnerEvent = "commerce.partner_event"
)

// Partner event types (what a webhook endpoint subscribes to).
const (
	EventOrderCreated          = "order.created"
	EventOrderPaid             = "order.paid"
	EventOrderCancelled        = "order.cancelled"
	EventOrderRefunded         = "order.refunded"
	EventCatalogImported       = "catalog.imported"
	EventPrescriptionDispensed = "prescription.dispensed"
)

// PartnerEventTypes lists the event types a webhook endpoint may subscribe to.
func PartnerEventTypes() []string {
	return []string{EventCatalogImported, EventOrderCancelled, EventOrderCreated, EventOrderPaid, EventOrderRefunded, EventPrescriptionDispensed}
}

// PartnerEvent builds an outbox event for the webhooks of company companyID.
// data is exactly what the partner may see (LGPD Art. 11 §4: the minimum):
// snake_case keys, JSON-encodable values, never a diagnosis, a plan's text or,
// outside a pharmacy's own prescription order, a drug.
func PartnerEvent(eventType string, companyID kernel.ID, data map[string]any, at time.Time) kernel.Event {
	return kernel.NewEvent(TopicPartnerEvent, companyID, map[string]any{
		"type": eventType, "company_id": companyID, "data": data, "timestamp": at.UTC().Format(time.RFC3339),
	}, at)
}
