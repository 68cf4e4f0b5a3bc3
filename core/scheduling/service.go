package scheduling

import (
	"context"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Options tune the service.
type Options struct {
	WaitlistHold time.Duration // how long a freed slot is held for a waitlisted patient; default 30 min
	SearchDays   int           // how far ahead search looks for next free slots; default 14
	NextSlots    int           // next free slots shown per search result; default 3
	// Consents answers whether a patient holds a current consent (telemedicine);
	// nil allows everything (unit tests of other rules).
	Consents ports.Consents
	// Video is the video provider of telemedicine rooms (video.go); nil:
	// joining a room answers that video calls are unavailable.
	Video ports.VideoRooms
	// VideoEarly is how long before the start a room opens (default 15 min);
	// VideoGrace how long after the end it stays open (default 30 min).
	VideoEarly, VideoGrace time.Duration
}

// PlanSummary is an active treatment plan as the dashboard shows it.
type PlanSummary struct {
	ID        kernel.ID
	Title     string
	Status    string
	UpdatedAt time.Time
}

// TreatmentPlans is the dashboard's extension point for the clinical context:
// it lists a patient's active plans. Without one, the dashboard shows none.
type TreatmentPlans interface {
	ActivePlans(ctx context.Context, p kernel.Principal, patientID kernel.ID) ([]PlanSummary, error)
}

// Service holds scheduling's use cases. Every method takes the caller first.
type Service struct {
	store Store
	dir   Directory
	clock kernel.Clock
	opts  Options
	plans TreatmentPlans
	log   *slog.Logger

	avCache    availabilityCache // availabilities read by Book, for its fast path
	videoLocks videoLocks        // first joins of one appointment's room, in this process
}

// NewService builds the service.
func NewService(store Store, dir Directory, clock kernel.Clock, opts Options, log *slog.Logger) *Service {
	if opts.WaitlistHold <= 0 {
		opts.WaitlistHold = 30 * time.Minute
	}
	if opts.SearchDays <= 0 {
		opts.SearchDays = 14
	}
	if opts.NextSlots <= 0 {
		opts.NextSlots = 3
	}
	if opts.VideoEarly <= 0 {
		opts.VideoEarly = DefaultVideoEarly
	}
	if opts.VideoGrace <= 0 {
		opts.VideoGrace = DefaultVideoGrace
	}
	if log == nil {
		log = slog.Default()
	}
	if clock == nil {
		clock = kernel.SystemClock{}
	}
	return &Service{store: store, dir: dir, clock: clock, opts: opts, log: log}
}

// UsePlans plugs the clinical context's treatment plans into the dashboard.
func (s *Service) UsePlans(src TreatmentPlans) { s.plans = src }

func (s *Service) now() time.Time { return s.clock.Now().UTC() }

func isProfessional(p kernel.Principal, id kernel.ID) bool {
	return p.Kind == kernel.KindProfessional && p.AccountID == id
}

func isCompanyMember(p kernel.Principal, companyID kernel.ID) bool {
	return p.Kind == kernel.KindCompanyMember && companyID != "" && p.CompanyID == companyID
}

// canSee reports whether p may know that a exists.
func canSee(p kernel.Principal, a Appointment) bool {
	switch p.Kind {
	case kernel.KindAdmin:
		return true
	case kernel.KindPatient:
		return a.PatientID == p.AccountID
	case kernel.KindProfessional:
		return a.Kind == KindConsultation && a.ProfessionalID == p.AccountID
	case kernel.KindCompanyMember:
		return a.Kind == KindExam && a.CompanyID == p.CompanyID
	case kernel.KindAPIKey: // a partner's system reading through the FHIR facade
		return p.HasScope(kernel.ScopeFHIRRead) && a.Kind == KindExam && a.CompanyID == p.CompanyID
	}
	return false
}

// forViewer is a as p may read it: a platform admin sees metadata only.
func forViewer(p kernel.Principal, a Appointment) Appointment {
	if p.Kind == kernel.KindAdmin {
		return a.Meta()
	}
	return a
}

// verifiedProfessional returns a bookable professional or NotFound.
func (s *Service) verifiedProfessional(ctx context.Context, id kernel.ID) (Professional, error) {
	if !kernel.ValidID(id) {
		return Professional{}, kernel.NotFound("profissional não encontrado")
	}
	pr, err := s.dir.Professional(ctx, id)
	if err != nil {
		if kernel.KindOf(err) == kernel.KindNotFound {
			return Professional{}, kernel.NotFound("profissional não encontrado")
		}
		return Professional{}, kernel.Wrap(err, "look up professional")
	}
	if !pr.Verified {
		return Professional{}, kernel.NotFound("profissional não encontrado")
	}
	return pr, nil
}

// GetAvailability returns a professional's own availability (with its Version for ETags).
func (s *Service) GetAvailability(ctx context.Context, p kernel.Principal, professionalID kernel.ID) (Availability, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return Availability{}, err
	}
	if !isProfessional(p, professionalID) && p.Kind != kernel.KindAdmin {
		return Availability{}, kernel.Forbidden("somente o profissional pode consultar esta disponibilidade")
	}
	a, err := s.store.GetAvailability(ctx, professionalID)
	if err != nil {
		return Availability{}, kernel.Wrap(err, "get availability")
	}
	return a, nil
}

// PutAvailability replaces a professional's availability. ifVersion > 0 must match the stored version.
func (s *Service) PutAvailability(ctx context.Context, p kernel.Principal, professionalID kernel.ID, a Availability, ifVersion int64) (Availability, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return Availability{}, err
	}
	if !isProfessional(p, professionalID) && p.Kind != kernel.KindAdmin {
		return Availability{}, kernel.Forbidden("somente o profissional pode alterar esta disponibilidade")
	}
	a.OwnerID = professionalID
	a.Normalize()
	if err := a.Validate(); err != nil {
		return Availability{}, err
	}
	a.UpdatedAt = s.now()
	out, err := s.store.PutAvailability(ctx, a, ifVersion)
	s.avCache.drop(professionalID)
	return out, kernel.Wrap(err, "put availability")
}

// Slots returns a verified professional's free slots starting in [from, to), optionally of one mode.
func (s *Service) Slots(ctx context.Context, p kernel.Principal, professionalID kernel.ID, from, to time.Time, mode Mode) ([]Slot, error) {
	if _, err := s.verifiedProfessional(ctx, professionalID); err != nil {
		return nil, err
	}
	if err := checkRange(from, to, MaxSlotDays); err != nil {
		return nil, err
	}
	if mode != "" && !mode.Valid() {
		return nil, kernel.Invalid("mode", "deve ser in_person ou telemedicine")
	}
	return s.freeSlots(ctx, professionalID, 1, from, to, mode)
}

func checkRange(from, to time.Time, maxDays int) error {
	var pr kernel.Problems
	if from.IsZero() {
		pr.Add("from", "é obrigatório")
	}
	if to.IsZero() {
		pr.Add("to", "é obrigatório")
	}
	if !from.IsZero() && !to.IsZero() {
		if !to.After(from) {
			pr.Add("to", "deve ser posterior a from")
		} else if to.Sub(from) > time.Duration(maxDays)*24*time.Hour {
			pr.Add("to", "deve ser no máximo %d dias após from", maxDays)
		}
	}
	return pr.Err()
}

func (s *Service) freeSlots(ctx context.Context, ownerID kernel.ID, capacity int, from, to time.Time, mode Mode) ([]Slot, error) {
	out := []Slot{}
	a, err := s.store.GetAvailability(ctx, ownerID)
	if kernel.KindOf(err) == kernel.KindNotFound {
		return out, nil
	}
	if err != nil {
		return nil, kernel.Wrap(err, "get availability")
	}
	slots := GenerateSlots(a, from, to, s.now())
	if len(slots) == 0 {
		return out, nil
	}
	booked, err := s.store.Booked(ctx, []kernel.ID{ownerID}, slots[0].Start, slots[len(slots)-1].End)
	if err != nil {
		return nil, kernel.Wrap(err, "booked")
	}
	for _, sl := range FreeSlots(slots, booked[ownerID], capacity) {
		if mode == "" || sl.Mode == mode {
			out = append(out, sl.in(a.Location()))
		}
	}
	return out, nil
}

func (sl Slot) in(loc *time.Location) Slot {
	sl.Start, sl.End = sl.Start.In(loc), sl.End.In(loc)
	return sl
}

// BookRequest asks for a consultation (ProfessionalID) or an exam (ExamServiceID).
type BookRequest struct {
	ProfessionalID kernel.ID
	ExamServiceID  kernel.ID
	Start          time.Time
	Mode           Mode
	Reason         string
}

// Book books a slot for the calling patient. It returns kernel.KindConflict when the
// slot is taken or not offered, kernel.KindUnprocessable outside notice or horizon.
func (s *Service) Book(ctx context.Context, p kernel.Principal, r BookRequest) (Appointment, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return Appointment{}, err
	}
	if p.Kind != kernel.KindPatient {
		return Appointment{}, kernel.Forbidden("somente pacientes podem agendar consultas")
	}
	var pr kernel.Problems
	switch {
	case r.ProfessionalID == "" && r.ExamServiceID == "":
		pr.Add("professional_id", "professional_id ou exam_service_id é obrigatório")
	case r.ProfessionalID != "" && r.ExamServiceID != "":
		pr.Add("exam_service_id", "informe professional_id ou exam_service_id, não ambos")
	}
	if r.Start.IsZero() {
		pr.Add("start", "é obrigatório")
	}
	if r.Mode != "" && !r.Mode.Valid() {
		pr.Add("mode", "deve ser in_person ou telemedicine")
	}
	if utf8.RuneCountInString(r.Reason) > MaxReasonLen {
		pr.Add("reason", "deve ter no máximo %d caracteres", MaxReasonLen)
	}
	if err := pr.Err(); err != nil {
		return Appointment{}, err
	}
	now := s.now()
	a := Appointment{ID: kernel.NewID(), PatientID: p.AccountID, Reason: strings.TrimSpace(r.Reason),
		Status: StatusConfirmed, Capacity: 1, CreatedAt: now, UpdatedAt: now, Version: 1}
	var ownerID kernel.ID
	if r.ProfessionalID != "" {
		pro, err := s.verifiedProfessional(ctx, r.ProfessionalID)
		if err != nil {
			return Appointment{}, err
		}
		a.Kind, a.ProfessionalID, a.Price, ownerID = KindConsultation, pro.ID, pro.Price, pro.ID
	} else {
		ex, err := s.bookableExam(ctx, r.ExamServiceID)
		if err != nil {
			return Appointment{}, err
		}
		a.Kind, a.ExamServiceID, a.CompanyID, a.Price, a.Capacity, ownerID = KindExam, ex.ID, ex.CompanyID, ex.Price, ex.Capacity, ex.ID
	}
	if done, err := s.bookCurrent(ctx, &a, ownerID, r, now); done || err != nil {
		return bookAnswer(a, err)
	}
	av, h, err := s.store.AvailabilityAndHold(ctx, ownerID, r.Start, now)
	if err != nil && kernel.KindOf(err) != kernel.KindNotFound {
		return Appointment{}, kernel.Wrap(err, "get availability")
	}
	if err == nil {
		s.avCache.put(av, now)
	}
	slot, err := offeredSlot(av, err == nil, r.Start, r.Mode, now)
	if err != nil {
		return Appointment{}, err
	}
	if err := s.requireModeConsent(ctx, p.AccountID, slot.Mode); err != nil {
		return Appointment{}, err
	}
	a.Start, a.End, a.Mode, a.Place = slot.Start.UTC(), slot.End.UTC(), slot.Mode, slot.Place
	var hold *WaitlistEntry
	if h != nil && a.Kind == KindConsultation {
		if h.PatientID != p.AccountID {
			return Appointment{}, kernel.ConflictField("start", "este horário está reservado para um paciente da lista de espera")
		}
		hold = h
	}
	if err := s.store.Book(ctx, &a, []kernel.Event{a.event(TopicBooked, now)}); err != nil {
		return bookAnswer(a, err)
	}
	if hold != nil {
		hold.Status, hold.UpdatedAt = WaitFulfilled, now
		if err := s.store.UpdateWaitlist(ctx, *hold); err != nil {
			s.log.Warn("waitlist entry not marked fulfilled", "waitlist_id", hold.ID, "err", err)
		}
	}
	return a, nil
}

// requireModeConsent asks the consent gate for the patient's telemedicine
// consent when the slot is remote (CFM 2.314/2022); in-person needs none.
func (s *Service) requireModeConsent(ctx context.Context, patientID kernel.ID, mode Mode) error {
	if mode != Telemedicine || s.opts.Consents == nil {
		return nil
	}
	return s.opts.Consents.Require(ctx, patientID, ports.PurposeTelemedicine)
}

// bookAnswer maps a store's booking error: a conflict is the slot being taken.
func bookAnswer(a Appointment, err error) (Appointment, error) {
	switch {
	case err == nil:
		return a, nil
	case kernel.KindOf(err) == kernel.KindConflict:
		return Appointment{}, kernel.ConflictField("start", "este horário já foi reservado")
	}
	return Appointment{}, kernel.Wrap(err, "book")
}

// offeredSlot checks notice and horizon, then that start is a generated slot of the owner (of mode, if given).
func (s *Service) offeredSlot(ctx context.Context, ownerID kernel.ID, start time.Time, mode Mode, now time.Time) (Slot, Availability, error) {
	av, err := s.store.GetAvailability(ctx, ownerID)
	if err != nil && kernel.KindOf(err) != kernel.KindNotFound {
		return Slot{}, av, kernel.Wrap(err, "get availability")
	}
	slot, err2 := offeredSlot(av, err == nil, start, mode, now)
	return slot, av, err2
}

func offeredSlot(av Availability, published bool, start time.Time, mode Mode, now time.Time) (Slot, error) {
	if !published {
		return Slot{}, kernel.ConflictField("start", "este horário não está disponível")
	}
	if start.Before(now.Add(time.Duration(av.MinNoticeHours) * time.Hour)) {
		return Slot{}, kernel.Unprocessable("o início não respeita a antecedência mínima",
			kernel.FieldError{Field: "start", Message: "deve ser daqui a pelo menos " + itoa(av.MinNoticeHours) + " horas"})
	}
	if !start.Before(now.AddDate(0, 0, av.HorizonDays)) {
		return Slot{}, kernel.Unprocessable("o início está além do prazo máximo para agendamento",
			kernel.FieldError{Field: "start", Message: "deve estar dentro dos próximos " + itoa(av.HorizonDays) + " dias"})
	}
	slot, ok := FindSlot(GenerateSlots(av, start, start.Add(time.Minute), now), start)
	if !ok {
		return Slot{}, kernel.ConflictField("start", "este horário não está disponível")
	}
	if mode != "" && slot.Mode != mode {
		return Slot{}, kernel.ConflictField("mode", "este horário é oferecido somente como "+string(slot.Mode))
	}
	return slot, nil
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// GetAppointment returns an appointment the caller may see; NotFound otherwise.
func (s *Service) GetAppointment(ctx context.Context, p kernel.Principal, id kernel.ID) (Appointment, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return Appointment{}, err
	}
	a, err := s.store.GetAppointment(ctx, id)
	if err != nil || !canSee(p, a) {
		if err == nil || kernel.KindOf(err) == kernel.KindNotFound {
			return Appointment{}, kernel.NotFound("consulta não encontrada")
		}
		return Appointment{}, kernel.Wrap(err, "get appointment")
	}
	return forViewer(p, a), nil
}

// ListAppointments lists the caller's own: a patient's bookings, a professional's agenda,
// a company's exam bookings (its members, and its API keys with fhir:read). An admin
// sees all. The filter's PatientID, ProfessionalID and CompanyID narrow that list
// (a professional's bookings with one patient); they never widen it.
func (s *Service) ListAppointments(ctx context.Context, p kernel.Principal, f AppointmentFilter, page kernel.Page) (kernel.List[Appointment], error) {
	if err := p.RequireAuthenticated(); err != nil {
		return kernel.List[Appointment]{}, err
	}
	if f.Status != "" && !f.Status.Valid() {
		return kernel.List[Appointment]{}, kernel.Invalid("status", "deve ser confirmed, cancelled, completed ou no_show")
	}
	page, err := page.Normalize()
	if err != nil {
		return kernel.List[Appointment]{}, err
	}
	var own *kernel.ID // the filter field that holds the caller's own list
	switch p.Kind {
	case kernel.KindPatient:
		own = &f.PatientID
	case kernel.KindProfessional:
		own = &f.ProfessionalID
	case kernel.KindCompanyMember:
		own = &f.CompanyID
	case kernel.KindAPIKey:
		if !p.HasScope(kernel.ScopeFHIRRead) {
			return kernel.List[Appointment]{}, kernel.Forbidden("a chave de API precisa do escopo fhir:read")
		}
		own = &f.CompanyID
	case kernel.KindAdmin:
	default:
		return kernel.List[Appointment]{}, kernel.Forbidden("este usuário não possui consultas")
	}
	if own != nil {
		id := p.AccountID
		if p.Kind == kernel.KindCompanyMember || p.Kind == kernel.KindAPIKey {
			id = p.CompanyID
		}
		if id == "" {
			return kernel.List[Appointment]{}, kernel.Forbidden("este usuário não possui consultas")
		}
		if *own != "" && *own != id {
			// asking for someone else's list answers an empty one, as if it had none
			return kernel.List[Appointment]{Items: []Appointment{}}, nil
		}
		*own = id
	}
	l, err := s.store.ListAppointments(ctx, f, page)
	for i := range l.Items {
		l.Items[i] = forViewer(p, l.Items[i])
	}
	return l, kernel.Wrap(err, "list appointments")
}

// AgendaItem is an appointment with the patient's name, for the professional's eyes.
type AgendaItem struct {
	Appointment
	PatientName string
}

// Agenda returns a professional's appointments in [from, to) with patient names; only the
// professional may read it (not even a platform admin: who sees whom is health data).
func (s *Service) Agenda(ctx context.Context, p kernel.Principal, professionalID kernel.ID, from, to time.Time, page kernel.Page) (kernel.List[AgendaItem], error) {
	if err := p.RequireAuthenticated(); err != nil {
		return kernel.List[AgendaItem]{}, err
	}
	if !isProfessional(p, professionalID) {
		return kernel.List[AgendaItem]{}, kernel.Forbidden("somente o profissional pode consultar esta agenda")
	}
	if err := checkRange(from, to, MaxAgendaDays); err != nil {
		return kernel.List[AgendaItem]{}, err
	}
	page, err := page.Normalize()
	if err != nil {
		return kernel.List[AgendaItem]{}, err
	}
	l, err := s.store.ListAppointments(ctx, AppointmentFilter{ProfessionalID: professionalID, From: from, To: to}, page)
	if err != nil {
		return kernel.List[AgendaItem]{}, kernel.Wrap(err, "agenda")
	}
	return s.withNames(ctx, l), nil
}

func (s *Service) withNames(ctx context.Context, l kernel.List[Appointment]) kernel.List[AgendaItem] {
	out := kernel.List[AgendaItem]{Items: make([]AgendaItem, 0, len(l.Items)), NextCursor: l.NextCursor}
	// one lookup for the page's patients, not one per appointment
	ids := make([]kernel.ID, 0, len(l.Items))
	seen := make(map[kernel.ID]bool, len(l.Items))
	for _, a := range l.Items {
		if !seen[a.PatientID] {
			seen[a.PatientID] = true
			ids = append(ids, a.PatientID)
		}
	}
	pts, err := s.dir.Patients(ctx, ids)
	if err != nil {
		s.log.WarnContext(ctx, "agenda: patient names unavailable", "err", err)
	}
	for _, a := range l.Items {
		out.Items = append(out.Items, AgendaItem{Appointment: a, PatientName: pts[a.PatientID].Name})
	}
	return out
}

// Reschedule moves an appointment to another offered slot atomically: the new slot
// is taken and the old one freed in one transaction, or nothing changes.
func (s *Service) Reschedule(ctx context.Context, p kernel.Principal, id kernel.ID, start time.Time) (Appointment, error) {
	cur, err := s.GetAppointment(ctx, p, id)
	if err != nil {
		return Appointment{}, err
	}
	if err := s.mayChange(ctx, p, cur, "reschedule"); err != nil {
		return Appointment{}, err
	}
	if start.IsZero() {
		return Appointment{}, kernel.Invalid("start", "é obrigatório")
	}
	now := s.now()
	if !cur.Status.Active() {
		return Appointment{}, kernel.ConflictField("status", "a consulta está com status "+string(cur.Status)+" e não pode ser remarcada")
	}
	slot, _, err := s.offeredSlot(ctx, cur.ResourceID(), start, "", now)
	if err != nil {
		return Appointment{}, err
	}
	if err := s.requireModeConsent(ctx, cur.PatientID, slot.Mode); err != nil {
		return Appointment{}, err
	}
	if cur.Kind == KindConsultation {
		if h, err := s.store.OfferedHold(ctx, cur.ProfessionalID, slot.Start, now); err == nil && h.PatientID != cur.PatientID {
			return Appointment{}, kernel.ConflictField("start", "este horário está reservado para um paciente da lista de espera")
		}
	}
	var oldStart, oldEnd time.Time
	out, err := s.store.UpdateAppointment(ctx, id, func(a *Appointment) ([]kernel.Event, error) {
		if !a.Status.Active() {
			return nil, kernel.ConflictField("status", "a consulta está com status "+string(a.Status)+" e não pode ser remarcada")
		}
		oldStart, oldEnd = a.Start, a.End
		a.Start, a.End, a.Mode, a.Place = slot.Start.UTC(), slot.End.UTC(), slot.Mode, slot.Place
		a.UpdatedAt = now
		ev := a.event(TopicRescheduled, now)
		pl := ev.Payload.(AppointmentEvent)
		pl.PreviousStart = oldStart.UTC()
		ev.Payload = pl
		return []kernel.Event{ev}, nil
	})
	if err != nil {
		if kernel.KindOf(err) == kernel.KindConflict {
			var ke *kernel.Error
			if asKernel(err, &ke) && len(ke.Fields) > 0 {
				return Appointment{}, err
			}
			return Appointment{}, kernel.ConflictField("start", "este horário já foi reservado")
		}
		return Appointment{}, kernel.Wrap(err, "reschedule")
	}
	if out.Kind == KindConsultation && !oldStart.Equal(out.Start) {
		s.offerFreed(ctx, out.ProfessionalID, oldStart, oldEnd)
	}
	return forViewer(p, out), nil
}

// mayChange checks that p may reschedule or cancel a (already visible to p), and the
// late-change policy for patients.
func (s *Service) mayChange(ctx context.Context, p kernel.Principal, a Appointment, what string) error {
	switch p.Kind {
	case kernel.KindPatient, kernel.KindProfessional, kernel.KindCompanyMember, kernel.KindAdmin:
	default:
		return kernel.Forbidden("este usuário não pode %s consultas", verbPT(what))
	}
	if p.Kind != kernel.KindPatient || !a.Status.Active() {
		return nil
	}
	av, err := s.store.GetAvailability(ctx, a.ResourceID())
	if err != nil {
		if kernel.KindOf(err) == kernel.KindNotFound {
			return nil
		}
		return kernel.Wrap(err, "get availability")
	}
	if av.CancelUntilHours > 0 && s.now().Add(time.Duration(av.CancelUntilHours)*time.Hour).After(a.Start) {
		return kernel.Unprocessable("tarde demais para "+verbPT(what)+" esta consulta",
			kernel.FieldError{Field: "start", Message: "pacientes podem " + verbPT(what) + " até " + itoa(av.CancelUntilHours) + " horas antes do início"})
	}
	return nil
}

// Cancel cancels an appointment, by either side; a patient within the professional's policy.
func (s *Service) Cancel(ctx context.Context, p kernel.Principal, id kernel.ID, reason string) (Appointment, error) {
	cur, err := s.GetAppointment(ctx, p, id)
	if err != nil {
		return Appointment{}, err
	}
	if utf8.RuneCountInString(reason) > MaxReasonLen {
		return Appointment{}, kernel.Invalid("reason", "deve ter no máximo %d caracteres", MaxReasonLen)
	}
	if err := s.mayChange(ctx, p, cur, "cancel"); err != nil {
		return Appointment{}, err
	}
	now := s.now()
	out, err := s.store.UpdateAppointment(ctx, id, func(a *Appointment) ([]kernel.Event, error) {
		if err := a.transition(StatusCancelled, now); err != nil {
			return nil, err
		}
		a.CancelReason, a.CancelledBy = strings.TrimSpace(reason), p.Kind
		evs := []kernel.Event{a.event(TopicCancelled, now)}
		if a.Price.Amount > 0 {
			evs = append(evs, a.event(TopicCancelledWithPrice, now))
		}
		return evs, nil
	})
	if err != nil {
		return Appointment{}, kernel.Wrap(err, "cancel")
	}
	if out.Kind == KindConsultation {
		s.offerFreed(ctx, out.ProfessionalID, out.Start, out.End)
	}
	return forViewer(p, out), nil
}

// Complete marks an appointment completed; NoShow marks that the patient did not come.
// Only the professional (or the hospital, for exams) may, once the appointment has started.
func (s *Service) Complete(ctx context.Context, p kernel.Principal, id kernel.ID) (Appointment, error) {
	return s.finish(ctx, p, id, StatusCompleted, TopicCompleted)
}

// NoShow marks that the patient did not come.
func (s *Service) NoShow(ctx context.Context, p kernel.Principal, id kernel.ID) (Appointment, error) {
	return s.finish(ctx, p, id, StatusNoShow, TopicNoShow)
}

func (s *Service) finish(ctx context.Context, p kernel.Principal, id kernel.ID, to Status, topic string) (Appointment, error) {
	cur, err := s.GetAppointment(ctx, p, id)
	if err != nil {
		return Appointment{}, err
	}
	if p.Kind != kernel.KindProfessional && p.Kind != kernel.KindCompanyMember { // canSee limits both to their own
		return Appointment{}, kernel.Forbidden("somente o profissional ou o hospital podem marcar uma consulta como %s", to)
	}
	now := s.now()
	if cur.Status.Active() && now.Before(cur.Start) {
		return Appointment{}, kernel.Unprocessable("a consulta ainda não começou",
			kernel.FieldError{Field: "start", Message: "deve estar no passado"})
	}
	return s.store.UpdateAppointment(ctx, id, func(a *Appointment) ([]kernel.Event, error) {
		if err := a.transition(to, now); err != nil {
			return nil, err
		}
		return []kernel.Event{a.event(topic, now)}, nil
	})
}

// verbPT is the pt-BR verb for what ("cancel" or "reschedule") in user-facing messages.
func verbPT(what string) string {
	switch what {
	case "cancel":
		return "cancelar"
	case "reschedule":
		return "remarcar"
	}
	return what
}
