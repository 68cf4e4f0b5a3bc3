package scheduling

import (
	"context"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging"
)

// JoinWaitlist puts the calling patient in a professional's waitlist for dates [from, to].
func (s *Service) JoinWaitlist(ctx context.Context, p kernel.Principal, professionalID kernel.ID, from, to Date) (WaitlistEntry, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return WaitlistEntry{}, err
	}
	if p.Kind != kernel.KindPatient {
		return WaitlistEntry{}, kernel.Forbidden("somente pacientes podem entrar em listas de espera")
	}
	if _, err := s.verifiedProfessional(ctx, professionalID); err != nil {
		return WaitlistEntry{}, err
	}
	var pr kernel.Problems
	if from.Year == 0 {
		pr.Add("from", "é obrigatório")
	}
	if to.Year == 0 {
		pr.Add("to", "é obrigatório")
	}
	if from.Year != 0 && to.Year != 0 && to.Before(from) {
		pr.Add("to", "não pode ser anterior a from")
	} else if from.Year != 0 && to.Year != 0 && daysBetween(from, to) > MaxWaitlistDays {
		pr.Add("to", "deve ser no máximo %d dias após from", MaxWaitlistDays)
	}
	if err := pr.Err(); err != nil {
		return WaitlistEntry{}, err
	}
	now := s.now()
	w := WaitlistEntry{ID: kernel.NewID(), ProfessionalID: professionalID, PatientID: p.AccountID, From: from, To: to,
		Status: WaitWaiting, CreatedAt: now, UpdatedAt: now}
	if err := s.store.AddWaitlist(ctx, w); err != nil {
		if kernel.KindOf(err) == kernel.KindConflict {
			return WaitlistEntry{}, kernel.ConflictField("professional_id", "você já está na lista de espera deste profissional")
		}
		return WaitlistEntry{}, kernel.Wrap(err, "join waitlist")
	}
	return w, nil
}

// MyWaitlist lists the calling patient's open entries.
func (s *Service) MyWaitlist(ctx context.Context, p kernel.Principal) ([]WaitlistEntry, error) {
	if p.Kind != kernel.KindPatient {
		return []WaitlistEntry{}, nil
	}
	l, err := s.store.ListWaitlist(ctx, p.AccountID)
	if l == nil {
		l = []WaitlistEntry{}
	}
	return l, kernel.Wrap(err, "list waitlist")
}

// LeaveWaitlist removes the caller's entry; NotFound for anyone else's.
func (s *Service) LeaveWaitlist(ctx context.Context, p kernel.Principal, id kernel.ID) error {
	w, err := s.store.GetWaitlist(ctx, id)
	if err != nil || w.PatientID != p.AccountID || p.Kind != kernel.KindPatient {
		if err == nil || kernel.KindOf(err) == kernel.KindNotFound {
			return kernel.NotFound("inscrição na lista de espera não encontrada")
		}
		return kernel.Wrap(err, "get waitlist")
	}
	w.Status, w.UpdatedAt = WaitLeft, s.now()
	return kernel.Wrap(s.store.UpdateWaitlist(ctx, w), "leave waitlist")
}

// offerFreed offers a freed slot to the first waiting patient whose dates cover it.
// Failures are logged: the cancellation itself already succeeded.
func (s *Service) offerFreed(ctx context.Context, professionalID kernel.ID, start, end time.Time) {
	if err := s.OfferSlot(ctx, professionalID, start, end, ""); err != nil {
		s.log.Warn("waitlist offer failed", "professional_id", professionalID, "err", err)
	}
}

// OfferSlot offers [start, end) to the first waiting patient who covers it (skipping
// skipPatient, who just let a hold expire) and holds it for them.
func (s *Service) OfferSlot(ctx context.Context, professionalID kernel.ID, start, end time.Time, skipPatient kernel.ID) error {
	now := s.now()
	if !start.After(now) {
		return nil
	}
	waiting, err := s.store.Waiting(ctx, professionalID)
	if err != nil || len(waiting) == 0 {
		return err
	}
	loc := time.UTC
	av, avErr := s.store.GetAvailability(ctx, professionalID)
	if avErr == nil {
		loc = av.Location()
	}
	for _, w := range waiting {
		if w.PatientID == skipPatient || (w.OfferedStart.Equal(start) && !w.OfferedStart.IsZero()) || !w.Covers(start, loc) {
			continue
		}
		w.Status, w.OfferedStart, w.OfferedEnd, w.HoldUntil, w.UpdatedAt = WaitOffered, start.UTC(), end.UTC(), now.Add(s.opts.WaitlistHold), now
		if err := s.store.UpdateWaitlist(ctx, w); err != nil {
			return err
		}
		shown := messaging.Zone(DefaultTimeZone)
		if avErr == nil {
			shown = messaging.Zone(av.TimeZone)
		}
		m := messaging.WaitlistOffer(start, w.HoldUntil, shown)
		return s.store.AddNotification(ctx, Notification{
			ID: kernel.NewID(), RecipientID: w.PatientID, Kind: m.Template, Title: m.Subject, Body: m.Body,
			Data: map[string]string{"professional_id": professionalID, "start": start.In(loc).Format(time.RFC3339),
				"waitlist_id": w.ID, "hold_until": w.HoldUntil.Format(time.RFC3339)},
			CreatedAt: now,
		})
	}
	return nil
}

// ExpireOffers ends holds that ran out and offers each slot to the next patient in line.
// The worker calls it periodically.
func (s *Service) ExpireOffers(ctx context.Context) error {
	now := s.now()
	exp, err := s.store.ExpiredOffers(ctx, now)
	if err != nil {
		return err
	}
	for _, w := range exp {
		start, end := w.OfferedStart, w.OfferedEnd
		w.Status, w.UpdatedAt = WaitWaiting, now // back in line, keeping OfferedStart so it is not offered again
		if err := s.store.UpdateWaitlist(ctx, w); err != nil {
			return err
		}
		if err := s.OfferSlot(ctx, w.ProfessionalID, start, end, w.PatientID); err != nil {
			return err
		}
	}
	return nil
}

// Notifications lists the caller's in-app notifications, newest first.
func (s *Service) Notifications(ctx context.Context, p kernel.Principal, unreadOnly bool, page kernel.Page) (kernel.List[Notification], error) {
	if err := p.RequireAuthenticated(); err != nil {
		return kernel.List[Notification]{}, err
	}
	page, err := page.Normalize()
	if err != nil {
		return kernel.List[Notification]{}, err
	}
	l, err := s.store.ListNotifications(ctx, p.AccountID, unreadOnly, page)
	return l, kernel.Wrap(err, "list notifications")
}

// MarkNotificationRead marks one of the caller's notifications read; NotFound for others'.
func (s *Service) MarkNotificationRead(ctx context.Context, p kernel.Principal, id kernel.ID) error {
	if err := p.RequireAuthenticated(); err != nil {
		return err
	}
	return kernel.Wrap(s.store.MarkNotificationRead(ctx, p.AccountID, id, s.now()), "mark read")
}

// Dashboard is the caller's home screen.
type Dashboard struct {
	Upcoming       []Appointment  // a patient's next appointments
	Today          []AgendaItem   // a professional's day
	TreatmentPlans []PlanSummary  // from the clinical context, when plugged in
	Unread         int            // unread notifications
	Notifications  []Notification // the latest unread
}

// Dashboard returns a patient's upcoming appointments, plans and unread notifications,
// or a professional's day.
func (s *Service) Dashboard(ctx context.Context, p kernel.Principal) (Dashboard, error) {
	d := Dashboard{Upcoming: []Appointment{}, Today: []AgendaItem{}, TreatmentPlans: []PlanSummary{}, Notifications: []Notification{}}
	if err := p.RequireAuthenticated(); err != nil {
		return d, err
	}
	now := s.now()
	switch p.Kind {
	case kernel.KindPatient:
		l, err := s.store.ListAppointments(ctx, AppointmentFilter{PatientID: p.AccountID, Status: StatusConfirmed, From: now}, kernel.Page{Limit: 10})
		if err != nil {
			return d, kernel.Wrap(err, "upcoming")
		}
		d.Upcoming = append(d.Upcoming, l.Items...)
		if s.plans != nil {
			plans, err := s.plans.ActivePlans(ctx, p, p.AccountID)
			if err != nil {
				s.log.Warn("treatment plans unavailable for dashboard", "err", err)
			} else {
				d.TreatmentPlans = append(d.TreatmentPlans, plans...)
			}
		}
	case kernel.KindProfessional:
		loc := time.UTC
		if av, err := s.store.GetAvailability(ctx, p.AccountID); err == nil {
			loc = av.Location()
		} else if l, err := time.LoadLocation(DefaultTimeZone); err == nil {
			loc = l
		}
		ln := now.In(loc)
		from := time.Date(ln.Year(), ln.Month(), ln.Day(), 0, 0, 0, 0, loc)
		l, err := s.store.ListAppointments(ctx, AppointmentFilter{ProfessionalID: p.AccountID, From: from, To: from.AddDate(0, 0, 1)}, kernel.Page{Limit: 100})
		if err != nil {
			return d, kernel.Wrap(err, "today")
		}
		d.Today = s.withNames(ctx, l).Items
	}
	n, err := s.store.UnreadCount(ctx, p.AccountID)
	if err != nil {
		return d, kernel.Wrap(err, "unread")
	}
	d.Unread = n
	nl, err := s.store.ListNotifications(ctx, p.AccountID, true, kernel.Page{Limit: 5})
	if err != nil {
		return d, kernel.Wrap(err, "notifications")
	}
	d.Notifications = append(d.Notifications, nl.Items...)
	return d, nil
}

// daysBetween is the number of days from a to b.
func daysBetween(a, b Date) int {
	ta := time.Date(a.Year, a.Month, a.Day, 12, 0, 0, 0, time.UTC)
	tb := time.Date(b.Year, b.Month, b.Day, 12, 0, 0, 0, time.UTC)
	return int(tb.Sub(ta).Hours() / 24)
}
