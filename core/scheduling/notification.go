package scheduling

import (
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// Notification is an in-app message to one account.
type Notification struct {
	ID          kernel.ID
	RecipientID kernel.ID
	Kind        string // appointment_reminder, appointment_cancelled, waitlist_offer, ...
	Title       string
	Body        string
	Data        map[string]string // IDs and times only
	CreatedAt   time.Time
	ReadAt      time.Time // zero when unread
	DedupeKey   string    // when set, a second notification with the same key is ignored
}
