package ports

import (
	"context"
	"time"
)

// WebhookRequest is one delivery attempt of a partner webhook, signed the way
// the Standard Webhooks specification says (webhook-id, webhook-timestamp,
// webhook-signature: "v1,<base64 HMAC-SHA256 of id.timestamp.body>").
type WebhookRequest struct {
	URL       string
	MessageID string // webhook-id: the same for every attempt of one event
	Timestamp time.Time
	Body      []byte // JSON
	// Secrets sign the message, one signature each (two while a rotated secret
	// is still valid). Each is the raw key (the "whsec_" base64 decoded).
	Secrets [][]byte
}

// WebhookResult is what the receiver answered.
type WebhookResult struct {
	Status   int           // HTTP status; 0 when no answer arrived
	Duration time.Duration // from the request's start to the answer's end
	Body     string        // the answer's start (at most 1 KiB), for the delivery log
}

// WebhookSender delivers webhooks to partners' endpoints without letting them
// reach what they must not (server-side request forgery).
type WebhookSender interface {
	// CheckURL tells whether the URL may receive webhooks (scheme, host, and
	// what its name resolves to now); kernel.KindInvalid with a pt-BR reason.
	CheckURL(ctx context.Context, url string) error
	// Send makes one attempt. A refused destination (checked again at
	// connection time, against DNS rebinding) is kernel.KindInvalid; a network
	// failure or timeout returns a result with Status 0 and the error; any HTTP
	// answer returns nil error and its status (the caller decides what is success).
	Send(ctx context.Context, r WebhookRequest) (WebhookResult, error)
}
