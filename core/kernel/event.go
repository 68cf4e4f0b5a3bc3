package kernel

import "time"

// Event is a fact a use case raises. The store commits it in the same
// transaction as the change (the outbox); a relay publishes it later.
type Event struct {
	ID         ID
	Topic      string // "<context>.<entity>.<fact>", e.g. "scheduling.appointment.booked"
	Key        string // the aggregate's ID: events of one key are published in order
	Payload    any    // JSON-encodable
	OccurredAt time.Time
}

// NewEvent builds an event with a fresh ID.
func NewEvent(topic, key string, payload any, at time.Time) Event {
	return Event{ID: NewID(), Topic: topic, Key: key, Payload: payload, OccurredAt: at.UTC()}
}
