package ports

import "context"

// Notification is one message to one person.
type Notification struct {
	ID       string // unique, for de-duplication
	To       string // an e-mail address or phone number, by Channel
	Channel  string // "email" or "sms"
	Template string // e.g. "password_reset", "appointment_reminder"
	Subject  string
	Body     string            // plain text
	Data     map[string]string // template values
}

// Notifier sends notifications. It returns kernel.KindInvalid for a bad address
// and kernel.KindUnavailable when the provider cannot be reached.
type Notifier interface {
	Notify(ctx context.Context, n Notification) error
}
