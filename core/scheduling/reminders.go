package scheduling

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging"
	"github.com/multisaude/multisaude/ports"
)

// ReminderOffsets are how long before the start reminders go out.
var ReminderOffsets = []struct {
	Name   string
	Before time.Duration
}{{"24h", 24 * time.Hour}, {"1h", time.Hour}}

// ReminderDue is the payload of a reminder job.
type ReminderDue struct {
	AppointmentID string    `json:"appointment_id"`
	Offset        string    `json:"offset"`
	Start         time.Time `json:"start"`
}

// Reminders turns appointment events into scheduled reminders and delivers them
// by e-mail (ports.Notifier) and as in-app notifications.
type Reminders struct {
	store    Store
	dir      Directory
	sched    ports.Scheduler
	notifier ports.Notifier
	svc      *Service
	clock    kernel.Clock
	log      *slog.Logger
	// ExpireEvery is how often waitlist holds are checked; default 30 s.
	ExpireEvery time.Duration
}

// NewReminders builds the reminder worker.
func NewReminders(svc *Service, sched ports.Scheduler, notifier ports.Notifier) *Reminders {
	return &Reminders{store: svc.store, dir: svc.dir, sched: sched, notifier: notifier, svc: svc, clock: svc.clock, log: svc.log, ExpireEvery: 30 * time.Second}
}

func reminderJobID(appointmentID, offset string) string {
	return "scheduling-reminder-" + appointmentID + "-" + offset
}

// HandleAppointment schedules or cancels reminders for one appointment event.
func (r *Reminders) HandleAppointment(ctx context.Context, d ports.Delivery) error {
	var ev AppointmentEvent
	if err := json.Unmarshal(d.Body, &ev); err != nil || ev.AppointmentID == "" {
		r.log.Warn("malformed appointment event dropped", "topic", d.Topic, "message_id", d.ID)
		return nil
	}
	switch d.Topic {
	case TopicBooked, TopicRescheduled:
		// Each topic has its own consumer, so the events of one appointment may be
		// handled out of order (a "booked" after its "rescheduled" or "cancelled"):
		// the reminders follow the stored appointment, never the event's start.
		a, err := r.store.GetAppointment(ctx, ev.AppointmentID)
		if kernel.KindOf(err) == kernel.KindNotFound {
			return nil
		}
		if err != nil {
			return err
		}
		now := r.clock.Now()
		for _, o := range ReminderOffsets {
			at := a.Start.Add(-o.Before)
			id := reminderJobID(ev.AppointmentID, o.Name)
			if !a.Status.Active() || !at.After(now) {
				if err := r.sched.Cancel(ctx, id); err != nil && kernel.KindOf(err) != kernel.KindNotFound {
					return err
				}
				continue
			}
			body, _ := json.Marshal(ReminderDue{AppointmentID: ev.AppointmentID, Offset: o.Name, Start: a.Start})
			if err := r.sched.Schedule(ctx, ports.Job{ID: id, At: at, Msg: ports.Message{
				ID: kernel.NewID(), Topic: TopicReminderDue, Key: ev.AppointmentID, Body: body}}); err != nil {
				return err
			}
		}
		if d.Topic == TopicRescheduled {
			if err := r.endRoomIfInPerson(ctx, ev.AppointmentID); err != nil {
				return err
			}
		}
	case TopicCancelled, TopicCompleted, TopicNoShow:
		for _, o := range ReminderOffsets {
			if err := r.sched.Cancel(ctx, reminderJobID(ev.AppointmentID, o.Name)); err != nil && kernel.KindOf(err) != kernel.KindNotFound {
				return err
			}
		}
		if d.Topic == TopicCancelled {
			r.notifyCancelled(ctx, ev)
		}
		if err := r.svc.EndVideoRoom(ctx, ev.AppointmentID); err != nil {
			return err // unavailable provider or store: the queue delivers again
		}
	case TopicModeChanged:
		if err := r.svc.EndVideoRoom(ctx, ev.AppointmentID); err != nil {
			return err
		}
	}
	return nil
}

// endRoomIfInPerson ends the video room of an appointment rescheduled to an
// in-person slot.
func (r *Reminders) endRoomIfInPerson(ctx context.Context, id kernel.ID) error {
	a, err := r.store.GetAppointment(ctx, id)
	if kernel.KindOf(err) == kernel.KindNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if a.Mode == Telemedicine && a.Status.Active() {
		return nil
	}
	return r.svc.EndVideoRoom(ctx, id)
}

func (r *Reminders) notifyCancelled(ctx context.Context, ev AppointmentEvent) {
	resource, visit := ev.ProfessionalID, messaging.Consultation
	if ev.Kind == string(KindExam) {
		resource, visit = ev.ExamServiceID, messaging.Exam
	}
	loc := r.svc.zoneOf(ctx, resource)
	m := messaging.AppointmentCancelled(visit, ev.Start, loc)
	err := r.store.AddNotification(ctx, Notification{
		ID: kernel.NewID(), RecipientID: ev.PatientID, Kind: m.Template, Title: m.Subject, Body: m.Body,
		Data:      map[string]string{"appointment_id": ev.AppointmentID, "start": ev.Start.In(loc).Format(time.RFC3339)},
		CreatedAt: r.clock.Now().UTC(), DedupeKey: "cancelled:" + ev.AppointmentID,
	})
	if err != nil {
		r.log.Warn("cancel notification not stored", "appointment_id", ev.AppointmentID, "err", err)
	}
}

// HandleReminderDue delivers one reminder if the appointment is still confirmed at that time.
func (r *Reminders) HandleReminderDue(ctx context.Context, d ports.Delivery) error {
	var rd ReminderDue
	if err := json.Unmarshal(d.Body, &rd); err != nil || rd.AppointmentID == "" {
		r.log.Warn("malformed reminder dropped", "message_id", d.ID)
		return nil
	}
	a, err := r.store.GetAppointment(ctx, rd.AppointmentID)
	if kernel.KindOf(err) == kernel.KindNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if !a.Status.Active() || !a.Start.Equal(rd.Start) {
		return nil // cancelled or moved: a newer job exists or none is due
	}
	loc := r.svc.zoneOf(ctx, a.ResourceID())
	visit := messaging.Consultation
	if a.Kind == KindExam {
		visit = messaging.Exam
	}
	m := messaging.AppointmentReminder(visit, a.Start, loc)
	key := "reminder:" + a.ID + ":" + rd.Offset + ":" + a.Start.UTC().Format(time.RFC3339)
	n := Notification{ID: kernel.NewID(), RecipientID: a.PatientID, Kind: m.Template,
		Title: m.Subject, Body: m.Body,
		Data:      map[string]string{"appointment_id": a.ID, "start": a.Start.In(loc).Format(time.RFC3339), "offset": rd.Offset},
		CreatedAt: r.clock.Now().UTC(), DedupeKey: key}
	if err := r.store.AddNotification(ctx, n); err != nil {
		return err
	}
	pt, err := r.dir.Patient(ctx, a.PatientID)
	if err != nil || pt.Email == "" || r.notifier == nil {
		return nil // in-app only
	}
	emails, _ := r.store.(NotificationEmails)
	if emails != nil {
		sent, err := emails.NotificationEmailed(ctx, key)
		if err != nil {
			return err
		}
		if sent {
			return nil // a copy of this message (redelivered, or scheduled twice) already sent it
		}
	}
	err = r.notifier.Notify(ctx, ports.Notification{ID: key, To: pt.Email, Channel: "email", Template: m.Template,
		Subject: n.Title, Body: n.Body, Data: map[string]string{"appointment_id": a.ID, "start": n.Data["start"]}})
	if kernel.KindOf(err) == kernel.KindInvalid {
		r.log.Warn("reminder e-mail address rejected", "appointment_id", a.ID)
		err = nil // not worth retrying: record it as settled
	}
	if err != nil {
		return err
	}
	if emails != nil {
		if err := emails.MarkNotificationEmailed(ctx, key, r.clock.Now()); err != nil {
			// The e-mail went out: a retry would send it again, so only log.
			r.log.Warn("reminder e-mail sent but not recorded as sent", "appointment_id", a.ID, "kind", string(kernel.KindOf(err)))
		}
	}
	return nil
}

// NotificationEmails is an optional Store capability that records which
// notifications were also e-mailed, so that a reminder delivered twice (queues
// deliver at least once; a worker killed before acknowledging hands its message
// to another) sends one e-mail. Only a crash between sending and recording can
// still send a second copy, with the same Message-ID.
type NotificationEmails interface {
	// NotificationEmailed reports whether the notification with dedupeKey was e-mailed.
	NotificationEmailed(ctx context.Context, dedupeKey string) (bool, error)
	// MarkNotificationEmailed records that it was, at at; kernel.KindNotFound when there is no such notification.
	MarkNotificationEmailed(ctx context.Context, dedupeKey string, at time.Time) error
}

// zoneOf is the time zone of a resource's availability (a professional's or an
// exam service's), in which its appointments are shown; default America/Sao_Paulo.
func (s *Service) zoneOf(ctx context.Context, resourceID kernel.ID) *time.Location {
	if resourceID != "" {
		if av, err := s.store.GetAvailability(ctx, resourceID); err == nil {
			return messaging.Zone(av.TimeZone)
		}
	}
	return messaging.Zone(DefaultTimeZone)
}

// Run consumes appointment events and due reminders and expires waitlist holds until ctx ends.
func (r *Reminders) Run(ctx context.Context, q ports.Queue) error {
	var wg sync.WaitGroup
	errc := make(chan error, 8)
	consume := func(topic string, h ports.Handler) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := q.Consume(ctx, topic, h); err != nil {
				errc <- err
			}
		}()
	}
	for _, t := range []string{TopicBooked, TopicRescheduled, TopicCancelled, TopicCompleted, TopicNoShow, TopicModeChanged} {
		consume(t, r.HandleAppointment)
	}
	consume(TopicReminderDue, r.HandleReminderDue)
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(r.ExpireEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := r.svc.ExpireOffers(ctx); err != nil && ctx.Err() == nil {
					r.log.Warn("waitlist expiry failed", "err", err)
				}
			}
		}
	}()
	wg.Wait()
	select {
	case err := <-errc:
		return err
	default:
		return nil
	}
}
