// Package schedulingapi is scheduling's HTTP routes: availability, slots,
// search, appointments (booking with Idempotency-Key), exams at partner
// hospitals, waitlist, in-app notifications and the dashboard.
package schedulingapi

import (
	"context"
	"fmt"

	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
)

// Module registers scheduling's routes.
type Module struct {
	svc  *scheduling.Service
	idem httpapi.IdempotencyStore
	loc  *time.Location
}

var _ httpapi.Module = (*Module)(nil)

// New builds the module; idem stores first answers of POSTs that book.
func New(svc *scheduling.Service, idem httpapi.IdempotencyStore) *Module {
	loc, err := time.LoadLocation(scheduling.DefaultTimeZone)
	if err != nil {
		loc = time.UTC
	}
	return &Module{svc: svc, idem: idem, loc: loc}
}

const tag = "scheduling"

var problems, ok = httpapi.ProblemResponses, httpapi.Answers

var (
	listQuery     = httpapi.PageParams
	idemHeader    = httpapi.Param{Name: "Idempotency-Key", Description: "repeat-safe key; the first answer is replayed"}
	ifMatchHeader = httpapi.Param{Name: "If-Match", Description: "the ETag read before; 412 if it changed"}
)

// rangeQuery documents ?from=&to=, at most maxDays apart.
func rangeQuery(maxDays int) []httpapi.Param {
	return []httpapi.Param{httpapi.DateOrTime("from", "a date (2026-12-01, from its midnight in America/Sao_Paulo) or an RFC 3339 time", true),
		httpapi.DateOrTime("to", fmt.Sprintf("a date (that whole day included) or an RFC 3339 time (excluded), at most %d days after from", maxDays), true)}
}

// Register adds the routes.
func (m *Module) Register(r *httpapi.Router) {
	// Professionals: "My agenda"
	r.Handle(fiber.MethodGet, "/v1/professionals/:id/availability", httpapi.Op{ID: "getAvailability", Summary: "A professional's own availability (ETag for If-Match)", Tag: tag,
		Auth: httpapi.User, ResponseHeaders: []string{"ETag"}, Responses: ok(200, AvailabilityResponse{}, 401, 403, 404)}, m.getAvailability)
	r.Handle(fiber.MethodPut, "/v1/professionals/:id/availability", httpapi.Op{ID: "putAvailability", Summary: "Publish or replace a professional's availability", Tag: tag,
		Auth: httpapi.User, Request: AvailabilityRequest{}, Headers: []httpapi.Param{ifMatchHeader},
		Responses: ok(200, AvailabilityResponse{}, 400, 401, 403, 412, 415)}, m.putAvailability)
	r.Handle(fiber.MethodGet, "/v1/professionals/:id/agenda", httpapi.Op{ID: "getAgenda", Summary: "A professional's appointments with patient names (their own eyes only)", Tag: tag,
		Auth: httpapi.User, Query: append(rangeQuery(scheduling.MaxAgendaDays), listQuery...),
		Responses: ok(200, httpapi.ListResponse[AgendaItemResponse]{}, 400, 401, 403)}, m.agenda)
	r.Handle(fiber.MethodGet, "/v1/professionals/:id/slots", httpapi.Op{ID: "getSlots", Summary: "A professional's free slots", Tag: tag,
		Auth: httpapi.Public, Query: append(rangeQuery(scheduling.MaxSlotDays), httpapi.Param{Name: "mode", Enum: scheduling.Modes()}),
		Responses: ok(200, httpapi.ListResponse[SlotResponse]{}, 400, 404)}, m.slots)
	r.Handle(fiber.MethodGet, "/v1/professionals", httpapi.Op{ID: "searchProfessionals", Summary: "Verified professionals with their next free slots", Tag: tag,
		Auth: httpapi.Public, Query: append([]httpapi.Param{{Name: "specialty"}, {Name: "profession"}, {Name: "mode", Enum: scheduling.Modes()}, {Name: "city"}, {Name: "uf"},
			{Name: "near", Description: "lat,lng"}, {Name: "radius_km", Type: "number"}, {Name: "date", Format: "date", Description: "only those free that day"}}, listQuery...),
		Responses: ok(200, httpapi.ListResponse[SearchResultResponse]{}, 400)}, m.search)

	// Appointments
	r.Handle(fiber.MethodPost, "/v1/appointments", httpapi.Op{ID: "book", Summary: "Book a consultation or an exam", Tag: tag,
		Auth: httpapi.User, Request: BookRequest{}, Headers: []httpapi.Param{idemHeader},
		Responses: ok(201, AppointmentResponse{}, 400, 401, 403, 404, 409, 415, 422)}, httpapi.IdempotentDeferred(m.idem, m.book))
	r.Handle(fiber.MethodGet, "/v1/appointments", httpapi.Op{ID: "listAppointments", Summary: "The caller's appointments (a patient's bookings, a professional's agenda, a hospital's exams)", Tag: tag,
		Auth: httpapi.User, Query: append([]httpapi.Param{{Name: "status", Enum: scheduling.Statuses()}, httpapi.DateOrTime("from", "appointments starting at or after", false),
			httpapi.DateOrTime("to", "appointments starting before (a date: that whole day included)", false)}, listQuery...),
		Responses: ok(200, httpapi.ListResponse[AppointmentResponse]{}, 400, 401, 403)}, m.list)
	r.Handle(fiber.MethodGet, "/v1/appointments/:id", httpapi.Op{ID: "getAppointment", Summary: "One appointment", Tag: tag,
		Auth: httpapi.User, Responses: ok(200, AppointmentResponse{}, 401, 404)}, m.get)
	r.Handle(fiber.MethodPost, "/v1/appointments/:id/reschedule", httpapi.Op{ID: "reschedule", Summary: "Move an appointment to another free slot, atomically", Tag: tag,
		Auth: httpapi.User, Request: RescheduleRequest{}, Headers: []httpapi.Param{idemHeader},
		Responses: ok(200, AppointmentResponse{}, 400, 401, 403, 404, 409, 415, 422)}, httpapi.Idempotent(m.idem, m.reschedule))
	r.Handle(fiber.MethodPost, "/v1/appointments/:id/cancel", httpapi.Op{ID: "cancel", Summary: "Cancel an appointment (either side)", Tag: tag,
		Auth: httpapi.User, Request: CancelRequest{},
		Responses: ok(200, AppointmentResponse{}, 400, 401, 403, 404, 409, 415, 422)}, m.cancel)
	r.Handle(fiber.MethodPost, "/v1/appointments/:id/complete", httpapi.Op{ID: "complete", Summary: "Mark an appointment completed", Tag: tag,
		Auth: httpapi.User, Responses: ok(200, AppointmentResponse{}, 401, 403, 404, 409, 422)}, m.complete)
	r.Handle(fiber.MethodPost, "/v1/appointments/:id/no-show", httpapi.Op{ID: "noShow", Summary: "Mark that the patient did not come", Tag: tag,
		Auth: httpapi.User, Responses: ok(200, AppointmentResponse{}, 401, 403, 404, 409, 422)}, m.noShow)
	m.registerVideo(r) // telemedicine: video room credentials, switch to in person (video.go)

	// Exams at partner hospitals
	r.Handle(fiber.MethodPost, "/v1/companies/:id/exams", httpapi.Op{ID: "createExam", Summary: "Publish an exam service (hospital staff)", Tag: tag,
		Auth: httpapi.User, Request: ExamRequest{}, Responses: ok(201, ExamResponse{}, 400, 401, 403, 404, 415)}, m.createExam)
	r.Handle(fiber.MethodGet, "/v1/exams", httpapi.Op{ID: "searchExams", Summary: "Exams at verified hospitals with their next free slots", Tag: tag,
		Auth: httpapi.Public, Query: append([]httpapi.Param{{Name: "name"}, {Name: "near", Description: "lat,lng"}, {Name: "radius_km", Type: "number"},
			{Name: "date", Format: "date"}}, listQuery...),
		Responses: ok(200, httpapi.ListResponse[ExamResultResponse]{}, 400)}, m.searchExams)
	r.Handle(fiber.MethodGet, "/v1/exams/:id", httpapi.Op{ID: "getExam", Summary: "An exam service", Tag: tag,
		Auth: httpapi.Public, Responses: ok(200, ExamResponse{}, 404)}, m.getExam)
	r.Handle(fiber.MethodPut, "/v1/exams/:id/availability", httpapi.Op{ID: "putExamAvailability", Summary: "Publish an exam service's availability (hospital staff)", Tag: tag,
		Auth: httpapi.User, Request: AvailabilityRequest{}, Headers: []httpapi.Param{ifMatchHeader},
		Responses: ok(200, AvailabilityResponse{}, 400, 401, 403, 404, 412, 415)}, m.putExamAvailability)
	r.Handle(fiber.MethodGet, "/v1/exams/:id/slots", httpapi.Op{ID: "getExamSlots", Summary: "An exam service's slots with a free seat", Tag: tag,
		Auth: httpapi.Public, Query: rangeQuery(scheduling.MaxSlotDays), Responses: ok(200, httpapi.ListResponse[SlotResponse]{}, 400, 404)}, m.examSlots)

	// Waitlist
	r.Handle(fiber.MethodPost, "/v1/waitlist", httpapi.Op{ID: "joinWaitlist", Summary: "Wait for a professional's slot between two dates", Tag: tag,
		Auth: httpapi.User, Request: WaitlistRequest{}, Responses: ok(201, WaitlistResponse{}, 400, 401, 403, 404, 409, 415)}, m.joinWaitlist)
	r.Handle(fiber.MethodGet, "/v1/me/waitlist", httpapi.Op{ID: "myWaitlist", Summary: "The caller's open waitlist entries", Tag: tag,
		Auth: httpapi.User, Responses: ok(200, httpapi.ListResponse[WaitlistResponse]{}, 401)}, m.myWaitlist)
	r.Handle(fiber.MethodDelete, "/v1/waitlist/:id", httpapi.Op{ID: "leaveWaitlist", Summary: "Leave a waitlist", Tag: tag,
		Auth: httpapi.User, Responses: append([]httpapi.Response{{Status: 204}}, problems(401, 404)...)}, m.leaveWaitlist)

	// Notifications and dashboard
	r.Handle(fiber.MethodGet, "/v1/me/notifications", httpapi.Op{ID: "myNotifications", Summary: "The caller's in-app notifications, newest first", Tag: tag,
		Auth: httpapi.User, Query: append([]httpapi.Param{{Name: "unread", Type: "boolean"}}, listQuery...),
		Responses: ok(200, httpapi.ListResponse[NotificationResponse]{}, 400, 401)}, m.notifications)
	r.Handle(fiber.MethodPost, "/v1/me/notifications/:id/read", httpapi.Op{ID: "markNotificationRead", Summary: "Mark a notification read", Tag: tag,
		Auth: httpapi.User, Responses: append([]httpapi.Response{{Status: 204}}, problems(401, 404)...)}, m.markRead)
	r.Handle(fiber.MethodGet, "/v1/me/dashboard", httpapi.Op{ID: "dashboard", Summary: "Upcoming appointments, treatment plans and unread notifications; a professional's day", Tag: tag,
		Auth: httpapi.User, Responses: ok(200, DashboardResponse{}, 401)}, m.dashboard)
}

func (m *Module) timeRange(q *httpapi.Query) (time.Time, time.Time) {
	from := q.Time("from", m.loc)
	to := q.Time("to", m.loc)
	// a date given as "to" means the whole of that day
	if v := q.String("to"); len(v) == 10 && !to.IsZero() {
		to = to.AddDate(0, 0, 1)
	}
	return from, to
}

func (m *Module) getAvailability(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	a, err := m.svc.GetAvailability(c.UserContext(), httpapi.PrincipalOf(c), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, httpapi.ETag(a.Version))
	return httpapi.OK(c, availabilityOf(a))
}

func (m *Module) putAvailability(c *fiber.Ctx) error {
	return putAvailabilityWith(c, m.svc.PutAvailability)
}

// putAvailabilityWith binds an availability body with its If-Match version and
// hands it to put (a professional's or an exam service's), answering with the new ETag.
func putAvailabilityWith(c *fiber.Ctx, put func(context.Context, kernel.Principal, kernel.ID, scheduling.Availability, int64) (scheduling.Availability, error)) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	var req AvailabilityRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	ver, _, err := httpapi.IfMatch(c)
	if err != nil {
		return err
	}
	a, err := req.toDomain()
	if err != nil {
		return err
	}
	out, err := put(c.UserContext(), httpapi.PrincipalOf(c), id, a, ver)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, httpapi.ETag(out.Version))
	return httpapi.OK(c, availabilityOf(out))
}

func (m *Module) agenda(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	q := httpapi.NewQuery(c)
	from, to := m.timeRange(q)
	page := q.Page()
	if err := q.Err(); err != nil {
		return err
	}
	l, err := m.svc.Agenda(c.UserContext(), httpapi.PrincipalOf(c), id, from, to, page)
	if err != nil {
		return err
	}
	return httpapi.OK(c, httpapi.NewList(l, agendaItemOf))
}

func (m *Module) slots(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	q := httpapi.NewQuery(c)
	from, to := m.timeRange(q)
	mode := q.String("mode")
	if err := q.Err(); err != nil {
		return err
	}
	ss, err := m.svc.Slots(c.UserContext(), httpapi.PrincipalOf(c), id, from, to, scheduling.Mode(mode))
	if err != nil {
		return err
	}
	return httpapi.OK(c, httpapi.ListResponse[SlotResponse]{Items: slotsOf(ss)})
}

func parseNear(q *httpapi.Query) *scheduling.Point {
	v := q.String("near")
	if v == "" {
		return nil
	}
	a, b, found := strings.Cut(v, ",")
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	lng, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	if !found || err1 != nil || err2 != nil || lat < -90 || lat > 90 || lng < -180 || lng > 180 {
		q.Fail("near", "must be lat,lng such as -23.55,-46.63")
		return nil
	}
	return &scheduling.Point{Lat: lat, Lng: lng}
}

func parseDate(q *httpapi.Query, name string) *scheduling.Date {
	v := q.String(name)
	if v == "" {
		return nil
	}
	d, ok := scheduling.ParseDate(v)
	if !ok {
		q.Fail(name, "deve ser uma data como 2026-12-01")
		return nil
	}
	return &d
}

func (m *Module) search(c *fiber.Ctx) error {
	q := httpapi.NewQuery(c)
	sq := scheduling.SearchQuery{ProfessionalQuery: scheduling.ProfessionalQuery{Specialty: q.String("specialty"), Profession: q.String("profession"),
		Mode: scheduling.Mode(q.String("mode")), City: q.String("city"), UF: q.String("uf")},
		Near: parseNear(q), RadiusKm: q.Float("radius_km", 0), Date: parseDate(q, "date"), Page: q.Page()}
	if err := q.Err(); err != nil {
		return err
	}
	l, err := m.svc.Search(c.UserContext(), httpapi.PrincipalOf(c), sq)
	if err != nil {
		return err
	}
	return httpapi.OK(c, httpapi.NewList(l, searchResultOf(sq.Near != nil)))
}

func (m *Module) book(c *fiber.Ctx) error {
	var req BookRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	start, err := parseStart(req.Start)
	if err != nil {
		return err
	}
	// With a deferred Idempotency-Key claim, the store inserts it holding this answer.
	ctx := httpapi.WithAnswerer(c.UserContext(), func(written any) (httpapi.IdempotencyRecord, bool) {
		a, ok := written.(*scheduling.Appointment)
		if !ok {
			return httpapi.IdempotencyRecord{}, false
		}
		body, err := c.App().Config().JSONEncoder(appointmentOf(*a))
		if err != nil {
			return httpapi.IdempotencyRecord{}, false
		}
		return httpapi.IdempotencyRecord{Status: fiber.StatusCreated, ContentType: fiber.MIMEApplicationJSON,
			Location: "/v1/appointments/" + a.ID, Body: body}, true
	})
	a, err := m.svc.Book(ctx, httpapi.PrincipalOf(c), scheduling.BookRequest{ProfessionalID: req.ProfessionalID,
		ExamServiceID: req.ExamServiceID, Start: start, Mode: scheduling.Mode(req.Mode), Reason: req.Reason})
	if err != nil {
		return err
	}
	return httpapi.Created(c, "/v1/appointments/"+a.ID, appointmentOf(a))
}

func (m *Module) list(c *fiber.Ctx) error {
	q := httpapi.NewQuery(c)
	f := scheduling.AppointmentFilter{Status: scheduling.Status(q.String("status"))}
	f.From, f.To = m.timeRange(q)
	page := q.Page()
	if err := q.Err(); err != nil {
		return err
	}
	l, err := m.svc.ListAppointments(c.UserContext(), httpapi.PrincipalOf(c), f, page)
	if err != nil {
		return err
	}
	return httpapi.OK(c, httpapi.NewList(l, appointmentOf))
}

func (m *Module) get(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	a, err := m.svc.GetAppointment(c.UserContext(), httpapi.PrincipalOf(c), id)
	if err != nil {
		return err
	}
	return httpapi.OK(c, appointmentOf(a))
}

func (m *Module) reschedule(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	var req RescheduleRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	start, err := parseStart(req.Start)
	if err != nil {
		return err
	}
	a, err := m.svc.Reschedule(c.UserContext(), httpapi.PrincipalOf(c), id, start)
	if err != nil {
		return err
	}
	return httpapi.OK(c, appointmentOf(a))
}

func (m *Module) cancel(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	var req CancelRequest
	if len(c.Body()) > 0 {
		if err := httpapi.Bind(c, &req); err != nil {
			return err
		}
	}
	a, err := m.svc.Cancel(c.UserContext(), httpapi.PrincipalOf(c), id, req.Reason)
	if err != nil {
		return err
	}
	return httpapi.OK(c, appointmentOf(a))
}

func (m *Module) complete(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	a, err := m.svc.Complete(c.UserContext(), httpapi.PrincipalOf(c), id)
	if err != nil {
		return err
	}
	return httpapi.OK(c, appointmentOf(a))
}

func (m *Module) noShow(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	a, err := m.svc.NoShow(c.UserContext(), httpapi.PrincipalOf(c), id)
	if err != nil {
		return err
	}
	return httpapi.OK(c, appointmentOf(a))
}

func (m *Module) createExam(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	var req ExamRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	e, err := m.svc.CreateExamService(c.UserContext(), httpapi.PrincipalOf(c), id, scheduling.ExamService{Name: req.Name, Code: req.Code,
		DurationMinutes: req.DurationMinutes, Preparation: req.Preparation, Price: kernel.Money{Amount: req.Price.Amount, Currency: req.Price.Currency},
		Capacity: req.Capacity})
	if err != nil {
		return err
	}
	return httpapi.Created(c, "/v1/exams/"+e.ID, examOf(e))
}

func (m *Module) searchExams(c *fiber.Ctx) error {
	q := httpapi.NewQuery(c)
	eq := scheduling.ExamSearch{Name: q.String("name"), Near: parseNear(q), RadiusKm: q.Float("radius_km", 0), Date: parseDate(q, "date"), Page: q.Page()}
	if err := q.Err(); err != nil {
		return err
	}
	l, err := m.svc.SearchExams(c.UserContext(), httpapi.PrincipalOf(c), eq)
	if err != nil {
		return err
	}
	return httpapi.OK(c, httpapi.NewList(l, examResultOf(eq.Near != nil)))
}

func (m *Module) getExam(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	e, err := m.svc.GetExamService(c.UserContext(), httpapi.PrincipalOf(c), id)
	if err != nil {
		return err
	}
	return httpapi.OK(c, examOf(e))
}

func (m *Module) putExamAvailability(c *fiber.Ctx) error {
	return putAvailabilityWith(c, m.svc.PutExamAvailability)
}

func (m *Module) examSlots(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	q := httpapi.NewQuery(c)
	from, to := m.timeRange(q)
	if err := q.Err(); err != nil {
		return err
	}
	ss, err := m.svc.ExamSlots(c.UserContext(), httpapi.PrincipalOf(c), id, from, to)
	if err != nil {
		return err
	}
	return httpapi.OK(c, httpapi.ListResponse[SlotResponse]{Items: slotsOf(ss)})
}

func (m *Module) joinWaitlist(c *fiber.Ctx) error {
	var req WaitlistRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	var p kernel.Problems
	from, ok1 := scheduling.ParseDate(req.From)
	to, ok2 := scheduling.ParseDate(req.To)
	if !ok1 {
		p.Add("from", "deve ser uma data como 2026-12-01")
	}
	if !ok2 {
		p.Add("to", "deve ser uma data como 2026-12-07")
	}
	if req.ProfessionalID == "" {
		p.Add("professional_id", "é obrigatório")
	}
	if err := p.Err(); err != nil {
		return err
	}
	w, err := m.svc.JoinWaitlist(c.UserContext(), httpapi.PrincipalOf(c), req.ProfessionalID, from, to)
	if err != nil {
		return err
	}
	return httpapi.Created(c, "", waitlistOf(w))
}

func (m *Module) myWaitlist(c *fiber.Ctx) error {
	ws, err := m.svc.MyWaitlist(c.UserContext(), httpapi.PrincipalOf(c))
	if err != nil {
		return err
	}
	return httpapi.OK(c, httpapi.NewList(kernel.List[scheduling.WaitlistEntry]{Items: ws}, waitlistOf))
}

func (m *Module) leaveWaitlist(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	if err := m.svc.LeaveWaitlist(c.UserContext(), httpapi.PrincipalOf(c), id); err != nil {
		return err
	}
	return httpapi.NoContent(c)
}

func (m *Module) notifications(c *fiber.Ctx) error {
	q := httpapi.NewQuery(c)
	unread := false
	switch q.String("unread") {
	case "", "false":
	case "true":
		unread = true
	default:
		q.Fail("unread", "must be true or false")
	}
	page := q.Page()
	if err := q.Err(); err != nil {
		return err
	}
	l, err := m.svc.Notifications(c.UserContext(), httpapi.PrincipalOf(c), unread, page)
	if err != nil {
		return err
	}
	return httpapi.OK(c, httpapi.NewList(l, notificationOf))
}

func (m *Module) markRead(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	if err := m.svc.MarkNotificationRead(c.UserContext(), httpapi.PrincipalOf(c), id); err != nil {
		return err
	}
	return httpapi.NoContent(c)
}

func (m *Module) dashboard(c *fiber.Ctx) error {
	d, err := m.svc.Dashboard(c.UserContext(), httpapi.PrincipalOf(c))
	if err != nil {
		return err
	}
	return httpapi.OK(c, dashboardOf(d))
}
