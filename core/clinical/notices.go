package clinical

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging"
	"github.com/multisaude/multisaude/ports"
)

// TopicEmergencyAccess is raised when a professional breaks the glass on a
// patient's record; its payload is an EmergencyAccessEvent.
const TopicEmergencyAccess = "clinical.record.emergency_access"

// EmergencyAccessEvent is the payload of TopicEmergencyAccess.
type EmergencyAccessEvent struct {
	ShareID        kernel.ID `json:"share_id"`
	PatientID      kernel.ID `json:"patient_id"`
	ProfessionalID kernel.ID `json:"professional_id"`
	At             time.Time `json:"at"`
	Until          time.Time `json:"until"`
	Reason         string    `json:"reason"`
}

// InboxNotice is one in-app notification for one account.
type InboxNotice struct {
	RecipientID kernel.ID
	Kind        string
	Title       string
	Body        string
	Data        map[string]string // IDs and times only
	DedupeKey   string            // a second notice with the same key is ignored
	At          time.Time
}

// Inbox is where in-app notifications are kept (the scheduling context's, read
// by GET /v1/notifications) and the time zone a person's times are shown in.
type Inbox interface {
	// Deliver stores n; a notice whose DedupeKey was already delivered is ignored.
	Deliver(ctx context.Context, n InboxNotice) error
	// TimeZone is the IANA zone of professionalID's availability; "" when none is published.
	TimeZone(ctx context.Context, professionalID kernel.ID) string
}

// HandleEmergencyAccess tells the patient of a break-the-glass access, both
// in-app (Inbox) and by e-mail (Notifier), each independently of the other:
// a failing e-mail never keeps the in-app notice from being stored. Either
// failure returns an error so the queue delivers the event again; the in-app
// notice is de-duplicated by the share's ID and the e-mail carries the share's
// ID as its notification ID.
func (s *Service) HandleEmergencyAccess(ctx context.Context, d ports.Delivery) error {
	var ev EmergencyAccessEvent
	if err := json.Unmarshal(d.Body, &ev); err != nil || ev.ShareID == "" || ev.PatientID == "" {
		s.Log.Error("bad clinical.record.emergency_access message; dropped", "message_id", d.ID)
		return nil
	}
	if ev.At.IsZero() {
		ev.At = ev.Until.Add(-s.cfg.EmergencyTTL)
	}
	var pro ProfessionalInfo
	if ev.ProfessionalID != "" {
		var err error
		pro, err = s.Dir.Professional(ctx, ev.ProfessionalID)
		if err != nil && kernel.KindOf(err) != kernel.KindNotFound {
			return err
		}
	}
	zone := ""
	if s.Inbox != nil && ev.ProfessionalID != "" {
		zone = s.Inbox.TimeZone(ctx, ev.ProfessionalID)
	}
	m := messaging.EmergencyAccess(messaging.Professional{Name: pro.Name, CouncilType: pro.CouncilType,
		CouncilNumber: pro.CouncilNumber, CouncilUF: pro.CouncilUF}, ev.At, ev.Until, ev.Reason, messaging.Zone(zone))

	var inApp, mail error
	if s.Inbox != nil {
		inApp = s.Inbox.Deliver(ctx, InboxNotice{RecipientID: ev.PatientID, Kind: m.Template, Title: m.Subject, Body: m.Body,
			Data: map[string]string{"share_id": ev.ShareID, "professional_id": ev.ProfessionalID,
				"at": ev.At.UTC().Format(time.RFC3339), "until": ev.Until.UTC().Format(time.RFC3339)},
			DedupeKey: "emergency_access:" + ev.ShareID, At: s.now()})
		if inApp != nil {
			s.Log.Warn("break-the-glass in-app notice not stored; retried", "share_id", ev.ShareID, "kind", kernel.KindOf(inApp))
		}
	}
	if s.Notifier != nil {
		mail = s.mailEmergency(ctx, ev, m)
	}
	return errors.Join(inApp, mail)
}

func (s *Service) mailEmergency(ctx context.Context, ev EmergencyAccessEvent, m messaging.Message) error {
	pat, err := s.Dir.Patient(ctx, ev.PatientID)
	if kernel.KindOf(err) == kernel.KindNotFound || err == nil && pat.Email == "" {
		return nil
	}
	if err != nil {
		return err
	}
	err = s.Notifier.Notify(ctx, ports.Notification{ID: ev.ShareID, To: pat.Email, Channel: "email", Template: m.Template,
		Subject: m.Subject, Body: m.Body,
		Data: map[string]string{"share_id": ev.ShareID, "at": ev.At.UTC().Format(time.RFC3339), "until": ev.Until.UTC().Format(time.RFC3339)}})
	switch {
	case err == nil:
		return nil
	case kernel.KindOf(err) == kernel.KindInvalid:
		s.Log.Warn("break-the-glass e-mail address rejected", "share_id", ev.ShareID)
		return nil
	default:
		s.Log.Warn("break-the-glass e-mail not sent; retried", "share_id", ev.ShareID, "kind", kernel.KindOf(err))
		return err
	}
}
