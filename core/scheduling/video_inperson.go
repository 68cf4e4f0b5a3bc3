package scheduling

import (
	"context"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// TopicModeChanged is raised when a telemedicine appointment becomes in
// person (its video room ends).
const TopicModeChanged = "scheduling.appointment.mode_changed"

// SwitchToInPerson turns a confirmed telemedicine consultation into an
// in-person one at the same time, at the patient's or the professional's
// request, when the professional's availability offers in-person care at that
// time (a weekly rule or an extra-hours exception of mode in_person covering
// the whole appointment); the place becomes that window's. Otherwise it
// answers kernel.KindConflict offering to reschedule in person. The change
// raises TopicModeChanged, whose consumer ends the video room. The patient's
// late-change policy does not apply: a patient may always ask.
func (s *Service) SwitchToInPerson(ctx context.Context, p kernel.Principal, id kernel.ID) (Appointment, error) {
	a, err := s.GetAppointment(ctx, p, id)
	if err != nil {
		return Appointment{}, err
	}
	isPatient := p.Kind == kernel.KindPatient && a.PatientID == p.AccountID
	isPro := a.Kind == KindConsultation && isProfessional(p, a.ProfessionalID)
	if !isPatient && !isPro {
		return Appointment{}, kernel.Forbidden("somente o paciente e o profissional da consulta podem pedir o atendimento presencial")
	}
	if a.Kind != KindConsultation || a.Mode != Telemedicine {
		return Appointment{}, kernel.ConflictField("mode", "esta consulta já é presencial")
	}
	if !a.Status.Active() {
		return Appointment{}, kernel.ConflictField("status", "a consulta está com status "+string(a.Status)+" e não pode passar a presencial")
	}
	av, err := s.store.GetAvailability(ctx, a.ProfessionalID)
	if err != nil && kernel.KindOf(err) != kernel.KindNotFound {
		return Appointment{}, kernel.Wrap(err, "get availability")
	}
	place, ok := "", false
	if err == nil {
		place, ok = inPersonAt(av, a.Start, a.End)
	}
	if !ok {
		return Appointment{}, kernel.ConflictField("mode",
			"o profissional não atende presencialmente neste horário: remarque a consulta para um horário presencial (horários em /v1/professionals/"+a.ProfessionalID+"/slots?mode=in_person)")
	}
	now := s.now()
	out, err := s.store.UpdateAppointment(ctx, id, func(x *Appointment) ([]kernel.Event, error) {
		switch {
		case !x.Status.Active():
			return nil, kernel.ConflictField("status", "a consulta está com status "+string(x.Status)+" e não pode passar a presencial")
		case x.Mode != Telemedicine:
			return nil, kernel.ConflictField("mode", "esta consulta já é presencial")
		case !x.Start.Equal(a.Start) || !x.End.Equal(a.End):
			return nil, kernel.ConflictField("start", "a consulta foi remarcada enquanto isso: tente de novo")
		}
		x.Mode, x.Place, x.UpdatedAt = InPerson, place, now
		return []kernel.Event{x.event(TopicModeChanged, now)}, nil
	})
	if err != nil {
		return Appointment{}, kernel.Wrap(err, "switch to in person")
	}
	s.log.Info("appointment switched to in person", "appointment_id", out.ID, "by", string(p.Kind))
	return forViewer(p, out), nil
}

// inPersonAt reports whether av offers in-person care over all of [start,
// end) (in its own zone, on one date) and where.
func inPersonAt(av Availability, start, end time.Time) (string, bool) {
	loc := av.Location()
	ls, le := start.In(loc), end.In(loc)
	y, m, d := ls.Date()
	if ey, em, ed := le.Add(-time.Nanosecond).Date(); ey != y || em != m || ed != d {
		return "", false
	}
	from := ClockTime(ls.Hour()*60 + ls.Minute())
	to := from + ClockTime(le.Sub(ls)/time.Minute)
	wd := time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Weekday()
	var buf [8]window
	for _, w := range av.windowsOn(Date{y, m, d}, wd, buf[:0]) {
		if w.mode == InPerson && w.start <= from && to <= w.end {
			return w.place, true
		}
	}
	return "", false
}
