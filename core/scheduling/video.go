package scheduling

import (
	"context"
	"hash/fnv"
	"strings"
	"sync"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Default video window around a telemedicine appointment.
const (
	DefaultVideoEarly = 15 * time.Minute // the room opens this long before the start
	DefaultVideoGrace = 30 * time.Minute // and closes this long after the end
)

// VideoRoom is the provider's room of one telemedicine appointment, as
// scheduling keeps it with the appointment.
type VideoRoom struct {
	AppointmentID kernel.ID
	Room          ports.VideoRoom
	CreatedAt     time.Time
	EndedAt       time.Time // zero while the room lives
}

// Ended reports whether the room was ended (the appointment finished, was
// cancelled or moved to in person).
func (r VideoRoom) Ended() bool { return !r.EndedAt.IsZero() }

// VideoStore keeps appointments' video rooms (part of Store).
type VideoStore interface {
	// VideoRoom returns an appointment's room; kernel.KindNotFound when none was created.
	VideoRoom(ctx context.Context, appointmentID kernel.ID) (VideoRoom, error)
	// AddVideoRoom stores r unless the appointment already has a room, and
	// returns the stored one (r, or the room another caller stored first).
	AddVideoRoom(ctx context.Context, r VideoRoom) (VideoRoom, error)
	// ReplaceVideoRoom swaps the provider's room of r.AppointmentID for r.Room
	// when the stored room is still oldRoomID and not ended, and returns the
	// stored room either way; kernel.KindNotFound when there is none.
	ReplaceVideoRoom(ctx context.Context, r VideoRoom, oldRoomID string) (VideoRoom, error)
	// EndVideoRoom marks the appointment's room ended at at (an ended room keeps
	// its first time); kernel.KindNotFound when there is none.
	EndVideoRoom(ctx context.Context, appointmentID kernel.ID, at time.Time) error
}

// VideoJoin is what a participant needs to join the call of an appointment.
type VideoJoin struct {
	Credential  ports.VideoCredential
	Appointment Appointment
	Moderator   bool
}

// videoLocks serialises the first joins of one appointment inside this
// process (the store's insert-if-absent settles races between processes).
type videoLocks [64]sync.Mutex

func (l *videoLocks) of(id kernel.ID) *sync.Mutex {
	h := fnv.New32a()
	h.Write([]byte(id))
	return &l[h.Sum32()%uint32(len(l))]
}

// videoWindow is when the room of a may be joined: [opens, closes).
func (s *Service) videoWindow(a Appointment) (opens, closes time.Time) {
	return a.Start.Add(-s.opts.VideoEarly), a.End.Add(s.opts.VideoGrace)
}

// JoinVideo issues the caller's credential for the video room of a confirmed
// telemedicine consultation: only its patient and its professional (anyone
// else gets what reading the appointment gives: 404, or 403 for an admin),
// only inside the window (kernel.KindConflict saying when the room opens;
// kernel.KindGone once it closed, the appointment ended or the room was
// ended), and only while the patient holds a current telemedicine consent
// (its kernel.KindConflict names the term). The room is created on the first
// join, and again when the provider says it is gone.
func (s *Service) JoinVideo(ctx context.Context, p kernel.Principal, appointmentID kernel.ID) (VideoJoin, error) {
	a, err := s.GetAppointment(ctx, p, appointmentID)
	if err != nil {
		return VideoJoin{}, err
	}
	isPatient := p.Kind == kernel.KindPatient && a.PatientID == p.AccountID
	isPro := a.Kind == KindConsultation && isProfessional(p, a.ProfessionalID)
	if !isPatient && !isPro {
		return VideoJoin{}, kernel.Forbidden("somente o paciente e o profissional da consulta podem entrar na sala de vídeo")
	}
	if err := videoMode(a); err != nil {
		return VideoJoin{}, err
	}
	if err := videoStatus(a); err != nil {
		return VideoJoin{}, err
	}
	now := s.now()
	opens, closes := s.videoWindow(a)
	loc := s.zoneOf(ctx, a.ResourceID())
	if now.Before(opens) {
		msg := "A sala abre " + whenPT(opens, now, loc)
		return VideoJoin{}, kernel.ConflictField("start", msg)
	}
	if !now.Before(closes) {
		return VideoJoin{}, kernel.Gone("a sala de vídeo desta consulta fechou %s", whenPT(closes, now, loc))
	}
	if s.opts.Consents != nil {
		if err := s.opts.Consents.Require(ctx, a.PatientID, ports.PurposeTelemedicine); err != nil {
			return VideoJoin{}, err
		}
	}
	if s.opts.Video == nil {
		return VideoJoin{}, kernel.Unavailable(nil, "as videochamadas não estão disponíveis no momento")
	}
	room, err := s.videoRoom(ctx, a, now)
	if err != nil {
		return VideoJoin{}, err
	}
	who := ports.VideoParticipant{AccountID: p.AccountID, Moderator: isPro, DisplayName: s.displayName(ctx, a, isPro)}
	cred, err := s.opts.Video.Join(ctx, room.Room, who, now, closes)
	if kernel.KindOf(err) == kernel.KindNotFound { // the provider dropped it: create it again, once
		if room, err = s.recreateVideoRoom(ctx, a, room, now); err != nil {
			return VideoJoin{}, err
		}
		cred, err = s.opts.Video.Join(ctx, room.Room, who, now, closes)
	}
	if err != nil {
		return VideoJoin{}, videoProviderError(err, "join video room")
	}
	role := "patient"
	if isPro {
		role = "professional"
	}
	s.log.Info("video room joined", "appointment_id", a.ID, "account_id", p.AccountID, "role", role,
		"provider", cred.Provider, "room_id", room.Room.RoomID)
	return VideoJoin{Credential: cred, Appointment: forViewer(p, a), Moderator: isPro}, nil
}

// videoMode refuses appointments that have no video room.
func videoMode(a Appointment) error {
	if a.Kind != KindConsultation || a.Mode != Telemedicine {
		return kernel.ConflictField("mode", "esta consulta é presencial: não há sala de vídeo")
	}
	return nil
}

// videoStatus refuses appointments no longer confirmed, saying why.
func videoStatus(a Appointment) error {
	switch a.Status {
	case StatusConfirmed:
		return nil
	case StatusCancelled:
		return kernel.Gone("a consulta foi cancelada: a sala de vídeo foi encerrada")
	case StatusCompleted:
		return kernel.Gone("a consulta foi concluída: a sala de vídeo foi encerrada")
	case StatusNoShow:
		return kernel.Gone("a consulta foi marcada como falta: a sala de vídeo foi encerrada")
	}
	return kernel.Gone("a sala de vídeo desta consulta foi encerrada")
}

// whenPT says when t is, in loc, in pt-BR: "às 14:45 (horário de Brasília)",
// with the date when t is not on now's day.
func whenPT(t, now time.Time, loc *time.Location) string {
	lt, ln := t.In(loc), now.In(loc)
	zone := "horário de Brasília"
	if name := loc.String(); name != DefaultTimeZone && name != "America/Brasilia" {
		zone = "fuso " + name
	}
	day := ""
	if y, m, d := lt.Date(); y != ln.Year() || m != ln.Month() || d != ln.Day() {
		day = "em " + lt.Format("02/01/2006") + " "
	}
	return day + "às " + lt.Format("15:04") + " (" + zone + ")"
}

// displayName is the name the other participant sees: the professional's or
// the patient's, from the directory (never logged).
func (s *Service) displayName(ctx context.Context, a Appointment, professional bool) string {
	if professional {
		if pr, err := s.dir.Professional(ctx, a.ProfessionalID); err == nil && strings.TrimSpace(pr.Name) != "" {
			return pr.Name
		}
		return "Profissional"
	}
	if pt, err := s.dir.Patient(ctx, a.PatientID); err == nil && strings.TrimSpace(pt.Name) != "" {
		return pt.Name
	}
	return "Paciente"
}

func roomSpec(a Appointment) ports.VideoRoomSpec {
	return ports.VideoRoomSpec{AppointmentID: a.ID, Start: a.Start, End: a.End}
}

// videoRoom returns the appointment's live room, creating it on first use.
func (s *Service) videoRoom(ctx context.Context, a Appointment, now time.Time) (VideoRoom, error) {
	mu := s.videoLocks.of(a.ID)
	mu.Lock()
	defer mu.Unlock()
	r, err := s.store.VideoRoom(ctx, a.ID)
	switch {
	case err == nil:
		if r.Ended() {
			return VideoRoom{}, kernel.Gone("a sala de vídeo desta consulta foi encerrada")
		}
		return r, nil
	case kernel.KindOf(err) != kernel.KindNotFound:
		return VideoRoom{}, kernel.Wrap(err, "get video room")
	}
	room, err := s.opts.Video.CreateRoom(ctx, roomSpec(a))
	if err != nil {
		return VideoRoom{}, videoProviderError(err, "create video room")
	}
	stored, err := s.store.AddVideoRoom(ctx, VideoRoom{AppointmentID: a.ID, Room: room, CreatedAt: now})
	if err != nil {
		s.endQuietly(ctx, a.ID, room)
		return VideoRoom{}, kernel.Wrap(err, "store video room")
	}
	if stored.Room.RoomID != room.RoomID { // another instance stored its room first
		s.endQuietly(ctx, a.ID, room)
	}
	if stored.Ended() {
		return VideoRoom{}, kernel.Gone("a sala de vídeo desta consulta foi encerrada")
	}
	if err := s.recheckActive(ctx, a.ID, now); err != nil {
		return VideoRoom{}, err
	}
	s.log.Info("video room created", "appointment_id", a.ID, "provider", stored.Room.Provider, "room_id", stored.Room.RoomID)
	return stored, nil
}

// recheckActive closes the gap between a first join and a cancellation that
// committed meanwhile (whose consumer may have found no room to end).
func (s *Service) recheckActive(ctx context.Context, id kernel.ID, now time.Time) error {
	cur, err := s.store.GetAppointment(ctx, id)
	if err != nil {
		return kernel.Wrap(err, "get appointment")
	}
	if cur.Status.Active() && cur.Mode == Telemedicine {
		return nil
	}
	if err := s.EndVideoRoom(ctx, id); err != nil {
		s.log.Warn("video room not ended", "appointment_id", id, "err", err)
	}
	if err := videoMode(cur); err != nil {
		return err
	}
	return videoStatus(cur)
}

// recreateVideoRoom replaces a room the provider no longer knows.
func (s *Service) recreateVideoRoom(ctx context.Context, a Appointment, old VideoRoom, now time.Time) (VideoRoom, error) {
	mu := s.videoLocks.of(a.ID)
	mu.Lock()
	defer mu.Unlock()
	cur, err := s.store.VideoRoom(ctx, a.ID)
	if err != nil {
		return VideoRoom{}, kernel.Wrap(err, "get video room")
	}
	if cur.Ended() {
		return VideoRoom{}, kernel.Gone("a sala de vídeo desta consulta foi encerrada")
	}
	if cur.Room.RoomID != old.Room.RoomID { // someone replaced it already
		return cur, nil
	}
	room, err := s.opts.Video.CreateRoom(ctx, roomSpec(a))
	if err != nil {
		return VideoRoom{}, videoProviderError(err, "create video room again")
	}
	stored, err := s.store.ReplaceVideoRoom(ctx, VideoRoom{AppointmentID: a.ID, Room: room, CreatedAt: now}, old.Room.RoomID)
	if err != nil {
		return VideoRoom{}, kernel.Wrap(err, "replace video room")
	}
	if stored.Room.RoomID != room.RoomID {
		s.endQuietly(ctx, a.ID, room)
	}
	if stored.Ended() {
		return VideoRoom{}, kernel.Gone("a sala de vídeo desta consulta foi encerrada")
	}
	s.log.Info("video room created again", "appointment_id", a.ID, "provider", stored.Room.Provider, "room_id", stored.Room.RoomID)
	return stored, nil
}

func (s *Service) endQuietly(ctx context.Context, appointmentID kernel.ID, room ports.VideoRoom) {
	if err := s.opts.Video.EndRoom(ctx, room); err != nil {
		s.log.Warn("spare video room not ended", "appointment_id", appointmentID, "room_id", room.RoomID, "err", err)
	}
}

// videoProviderError keeps the provider's error kind (an unavailable provider
// is a 503) and hides anything else behind an internal error.
func videoProviderError(err error, what string) error {
	switch kernel.KindOf(err) {
	case kernel.KindUnavailable, kernel.KindGone, kernel.KindConflict:
		return err
	}
	return kernel.Wrap(err, "%s", what)
}

// EndVideoRoom ends the appointment's room at its provider and marks it ended;
// nothing to do when it has none or it already ended. A provider that cannot
// be reached returns kernel.KindUnavailable (the caller retries); any other
// provider failure is logged and the room is marked ended anyway (no credential
// is issued for it again).
func (s *Service) EndVideoRoom(ctx context.Context, appointmentID kernel.ID) error {
	r, err := s.store.VideoRoom(ctx, appointmentID)
	if kernel.KindOf(err) == kernel.KindNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if r.Ended() {
		return nil
	}
	if s.opts.Video != nil && r.Room.Provider == s.opts.Video.Provider() {
		if err := s.opts.Video.EndRoom(ctx, r.Room); err != nil {
			if kernel.KindOf(err) == kernel.KindUnavailable {
				return err
			}
			s.log.Warn("video provider did not end the room", "appointment_id", appointmentID, "room_id", r.Room.RoomID, "err", err)
		}
	}
	if err := s.store.EndVideoRoom(ctx, appointmentID, s.now()); err != nil && kernel.KindOf(err) != kernel.KindNotFound {
		return err
	}
	s.log.Info("video room ended", "appointment_id", appointmentID, "provider", r.Room.Provider, "room_id", r.Room.RoomID)
	return nil
}
