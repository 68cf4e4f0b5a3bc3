package commerce

// WebhookStore keeps partners' webhook endpoints and their deliveries.
type WebhookStore interface{}
