package clinicaldir

import (
	"context"
	"log/slog"

	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
	"github.com/multisaude/multisaude/ports"
)

// Inbox keeps clinical's in-app notices in scheduling's notifications (what
// GET /v1/notifications lists) and reads the time zone of a professional's
// availability from scheduling's store.
type Inbox struct{ st scheduling.Store }

var _ clinical.Inbox = (*Inbox)(nil)

// NewInbox builds the bridge over scheduling's store.
func NewInbox(st scheduling.Store) *Inbox { return &Inbox{st: st} }

// Deliver stores n as a scheduling notification (idempotent by DedupeKey).
func (b *Inbox) Deliver(ctx context.Context, n clinical.InboxNotice) error {
	return b.st.AddNotification(ctx, scheduling.Notification{ID: kernel.NewID(), RecipientID: n.RecipientID, Kind: n.Kind,
		Title: n.Title, Body: n.Body, Data: n.Data, CreatedAt: n.At.UTC(), DedupeKey: n.DedupeKey})
}

// TimeZone is the zone of the professional's availability, "" when none is published.
func (b *Inbox) TimeZone(ctx context.Context, professionalID kernel.ID) string {
	av, err := b.st.GetAvailability(ctx, professionalID)
	if err != nil {
		return ""
	}
	return av.TimeZone
}

// EmergencyNotices consumes clinical.record.emergency_access and tells the
// patient in-app and by e-mail (clinical.Service.HandleEmergencyAccess); a
// failure of either is retried by the queue.
type EmergencyNotices struct {
	q   ports.Queue
	svc *clinical.Service
	log *slog.Logger
}

// NewEmergencyNotices builds the consumer.
func NewEmergencyNotices(q ports.Queue, svc *clinical.Service, log *slog.Logger) *EmergencyNotices {
	return &EmergencyNotices{q: q, svc: svc, log: log}
}

// Run consumes until ctx ends (a wire.Worker's Run).
func (w *EmergencyNotices) Run(ctx context.Context) {
	if err := w.q.Consume(ctx, clinical.TopicEmergencyAccess, w.svc.HandleEmergencyAccess); err != nil && ctx.Err() == nil {
		w.log.Error("emergency-access consumer stopped", "err", err)
	}
}
