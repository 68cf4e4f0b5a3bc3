package schedulingapi

import (
	"fmt"
	"strings"
	"time"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
)

// RuleBody is one weekly window.
type RuleBody struct {
	Weekday string `json:"weekday"`
	Start   string `json:"start"`
	End     string `json:"end"`
	Mode    string `json:"mode"`
	Place   string `json:"place,omitempty"`
}

// SchemaName is the schema's product name.
func (RuleBody) SchemaName() string { return "WeeklyRule" }

// ExceptionBody changes one date: a day off, blocked hours or extra hours.
type ExceptionBody struct {
	Date      string `json:"date"`
	Available bool   `json:"available"`
	Start     string `json:"start,omitempty"`
	End       string `json:"end,omitempty"`
	Mode      string `json:"mode,omitempty"`
	Place     string `json:"place,omitempty"`
}

// SchemaName is the schema's product name.
func (ExceptionBody) SchemaName() string { return "AvailabilityException" }

// AvailabilityRequest is the body of PUT .../availability.
type AvailabilityRequest struct {
	TimeZone         string          `json:"time_zone"`
	SlotMinutes      int             `json:"slot_minutes"`
	BufferMinutes    int             `json:"buffer_minutes"`
	MinNoticeHours   int             `json:"min_notice_hours"`
	HorizonDays      int             `json:"horizon_days"`
	CancelUntilHours int             `json:"cancel_until_hours"`
	Weekly           []RuleBody      `json:"weekly"`
	Exceptions       []ExceptionBody `json:"exceptions"`
}

// AvailabilityResponse is an availability with its version (also the ETag).
type AvailabilityResponse struct {
	AvailabilityRequest
	OwnerID   string    `json:"owner_id"`
	Version   int64     `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (r AvailabilityRequest) toDomain() (scheduling.Availability, error) {
	var p kernel.Problems
	a := scheduling.Availability{TimeZone: r.TimeZone, SlotMinutes: r.SlotMinutes, BufferMinutes: r.BufferMinutes,
		MinNoticeHours: r.MinNoticeHours, HorizonDays: r.HorizonDays, CancelUntilHours: r.CancelUntilHours,
		Weekly: []scheduling.Rule{}, Exceptions: []scheduling.Exception{}}
	// Count first: an over-long list is refused before any per-item work.
	if len(r.Weekly) > scheduling.MaxWeeklyRules {
		p.Add("weekly", "deve ter no máximo %d regras", scheduling.MaxWeeklyRules)
	}
	if len(r.Exceptions) > scheduling.MaxExceptions {
		p.Add("exceptions", "deve ter no máximo %d itens", scheduling.MaxExceptions)
	}
	if !p.Empty() {
		return a, p.Err()
	}
	for i, w := range r.Weekly {
		f := fmt.Sprintf("weekly[%d].", i)
		wd, ok := scheduling.ParseWeekday(w.Weekday)
		if !ok {
			p.Add(f+"weekday", "deve ser um dia da semana, como monday")
			wd = -1
		}
		s, ok1 := scheduling.ParseClock(w.Start)
		if !ok1 {
			p.Add(f+"start", "deve ser um horário como 08:00")
		}
		e, ok2 := scheduling.ParseClock(w.End)
		if !ok2 {
			p.Add(f+"end", "deve ser um horário como 12:00")
		}
		a.Weekly = append(a.Weekly, scheduling.Rule{Weekday: wd, Start: s, End: e, Mode: scheduling.Mode(w.Mode), Place: strings.TrimSpace(w.Place)})
	}
	for i, x := range r.Exceptions {
		f := fmt.Sprintf("exceptions[%d].", i)
		d, ok := scheduling.ParseDate(x.Date)
		if !ok {
			p.Add(f+"date", "deve ser uma data como 2026-12-25")
		}
		e := scheduling.Exception{Date: d, Available: x.Available, Mode: scheduling.Mode(x.Mode), Place: strings.TrimSpace(x.Place)}
		if x.Start != "" || x.End != "" || x.Available {
			var ok1, ok2 bool
			e.Start, ok1 = scheduling.ParseClock(x.Start)
			e.End, ok2 = scheduling.ParseClock(x.End)
			if !ok1 {
				p.Add(f+"start", "deve ser um horário como 09:00")
			}
			if !ok2 {
				p.Add(f+"end", "deve ser um horário como 12:00")
			}
		}
		a.Exceptions = append(a.Exceptions, e)
	}
	if err := p.Err(); err != nil {
		// report shape errors together with the domain's own checks
		a.Normalize()
		if derr := a.Validate(); derr != nil {
			return a, mergeInvalid(err, derr)
		}
		return a, err
	}
	return a, nil
}

func mergeInvalid(a, b error) error {
	var p kernel.Problems
	seen := map[string]bool{}
	for _, e := range []error{a, b} {
		if ke, ok := e.(*kernel.Error); ok {
			for _, f := range ke.Fields {
				if !seen[f.Field] {
					seen[f.Field] = true
					p.Add(f.Field, "%s", f.Message)
				}
			}
		}
	}
	return p.Err()
}

func availabilityOf(a scheduling.Availability) AvailabilityResponse {
	out := AvailabilityResponse{OwnerID: a.OwnerID, Version: a.Version, UpdatedAt: a.UpdatedAt}
	out.TimeZone, out.SlotMinutes, out.BufferMinutes = a.TimeZone, a.SlotMinutes, a.BufferMinutes
	out.MinNoticeHours, out.HorizonDays, out.CancelUntilHours = a.MinNoticeHours, a.HorizonDays, a.CancelUntilHours
	out.Weekly, out.Exceptions = []RuleBody{}, []ExceptionBody{}
	for _, r := range a.Weekly {
		out.Weekly = append(out.Weekly, RuleBody{Weekday: scheduling.WeekdayName(r.Weekday), Start: r.Start.String(), End: r.End.String(), Mode: string(r.Mode), Place: r.Place})
	}
	for _, e := range a.Exceptions {
		b := ExceptionBody{Date: e.Date.String(), Available: e.Available, Mode: string(e.Mode), Place: e.Place}
		if !e.WholeDay() {
			b.Start, b.End = e.Start.String(), e.End.String()
		}
		out.Exceptions = append(out.Exceptions, b)
	}
	return out
}

// SlotResponse is a free slot, in the owner's time zone.
type SlotResponse struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Mode  string    `json:"mode"`
	Place string    `json:"place,omitempty"`
}

func slotOf(s scheduling.Slot) SlotResponse {
	return SlotResponse{Start: s.Start, End: s.End, Mode: string(s.Mode), Place: s.Place}
}

func slotsOf(ss []scheduling.Slot) []SlotResponse {
	out := make([]SlotResponse, 0, len(ss))
	for _, s := range ss {
		out = append(out, slotOf(s))
	}
	return out
}

// MoneyBody is an amount in centavos.
type MoneyBody struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// SchemaName is the one schema of an amount (identity's Money has the same shape).
func (MoneyBody) SchemaName() string { return "Money" }

// BookRequest is the body of POST /v1/appointments: professional_id or exam_service_id.
type BookRequest struct {
	ProfessionalID string `json:"professional_id,omitempty"`
	ExamServiceID  string `json:"exam_service_id,omitempty"`
	Start          string `json:"start"`
	Mode           string `json:"mode,omitempty"`
	Reason         string `json:"reason,omitempty"`
}

// RescheduleRequest moves an appointment.
type RescheduleRequest struct {
	Start string `json:"start"`
}

// CancelRequest cancels an appointment.
type CancelRequest struct {
	Reason string `json:"reason,omitempty"`
}

// SchemaName shares the schema of every body that is only a reason (cancel, reject).
func (CancelRequest) SchemaName() string { return "ReasonRequest" }

func parseStart(s string) (time.Time, error) {
	if strings.TrimSpace(s) == "" {
		return time.Time{}, kernel.Invalid("start", "é obrigatório")
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, kernel.Invalid("start", "deve ser um horário RFC 3339 com fuso horário, por exemplo 2026-12-01T08:00:00-03:00")
	}
	return t, nil
}

// AppointmentResponse is an appointment.
type AppointmentResponse struct {
	ID             string    `json:"id"`
	Kind           string    `json:"kind"`
	ProfessionalID string    `json:"professional_id,omitempty"`
	ExamServiceID  string    `json:"exam_service_id,omitempty"`
	CompanyID      string    `json:"company_id,omitempty"`
	PatientID      string    `json:"patient_id"`
	Start          time.Time `json:"start"`
	End            time.Time `json:"end"`
	Mode           string    `json:"mode"`
	Place          string    `json:"place,omitempty"`
	Reason         string    `json:"reason,omitempty"`
	Status         string    `json:"status"`
	CancelReason   string    `json:"cancel_reason,omitempty"`
	CancelledBy    string    `json:"cancelled_by,omitempty"`
	Price          MoneyBody `json:"price"`
	Version        int64     `json:"version"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

func appointmentOf(a scheduling.Appointment) AppointmentResponse {
	return AppointmentResponse{ID: a.ID, Kind: string(a.Kind), ProfessionalID: a.ProfessionalID, ExamServiceID: a.ExamServiceID,
		CompanyID: a.CompanyID, PatientID: a.PatientID, Start: a.Start, End: a.End, Mode: string(a.Mode), Place: a.Place,
		Reason: a.Reason, Status: string(a.Status), CancelReason: a.CancelReason, CancelledBy: string(a.CancelledBy),
		Price: MoneyBody{a.Price.Amount, a.Price.Currency}, Version: a.Version, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

// AgendaItemResponse is an appointment with the patient's name (the professional's eyes only).
type AgendaItemResponse struct {
	AppointmentResponse
	PatientName string `json:"patient_name"`
}

func agendaItemOf(a scheduling.AgendaItem) AgendaItemResponse {
	return AgendaItemResponse{AppointmentResponse: appointmentOf(a.Appointment), PatientName: a.PatientName}
}

// ProfessionalSummary is a professional as search shows them.
type ProfessionalSummary struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Profession  string    `json:"profession"`
	Specialties []string  `json:"specialties"`
	Modes       []string  `json:"modes"`
	Price       MoneyBody `json:"price"`
	City        string    `json:"city,omitempty"`
	UF          string    `json:"uf,omitempty"`
}

// SearchResultResponse is a professional with their next free slots.
type SearchResultResponse struct {
	Professional ProfessionalSummary `json:"professional"`
	DistanceKm   *float64            `json:"distance_km,omitempty"`
	NextSlots    []SlotResponse      `json:"next_slots"`
}

func searchResultOf(near bool) func(scheduling.SearchResult) SearchResultResponse {
	return func(r scheduling.SearchResult) SearchResultResponse {
		p := r.Professional
		out := SearchResultResponse{Professional: ProfessionalSummary{ID: p.ID, Name: p.Name, Profession: p.Profession,
			Specialties: append([]string{}, p.Specialties...), Modes: []string{}, Price: MoneyBody{p.Price.Amount, p.Price.Currency},
			City: p.City, UF: p.UF}, NextSlots: slotsOf(r.NextSlots)}
		for _, m := range p.Modes {
			out.Professional.Modes = append(out.Professional.Modes, string(m))
		}
		if near {
			d := float64(int(r.DistanceKm*10+0.5)) / 10
			out.DistanceKm = &d
		}
		return out
	}
}

// ExamRequest publishes an exam service.
type ExamRequest struct {
	Name            string    `json:"name"`
	Code            string    `json:"code,omitempty"`
	DurationMinutes int       `json:"duration_minutes"`
	Preparation     string    `json:"preparation,omitempty"`
	Price           MoneyBody `json:"price"`
	Capacity        int       `json:"capacity"`
}

// ExamResponse is an exam service.
type ExamResponse struct {
	ID              string    `json:"id"`
	CompanyID       string    `json:"company_id"`
	Name            string    `json:"name"`
	Code            string    `json:"code,omitempty"`
	DurationMinutes int       `json:"duration_minutes"`
	Preparation     string    `json:"preparation,omitempty"`
	Price           MoneyBody `json:"price"`
	Capacity        int       `json:"capacity"`
	CreatedAt       time.Time `json:"created_at"`
}

func examOf(e scheduling.ExamService) ExamResponse {
	return ExamResponse{ID: e.ID, CompanyID: e.CompanyID, Name: e.Name, Code: e.Code, DurationMinutes: e.DurationMinutes,
		Preparation: e.Preparation, Price: MoneyBody{e.Price.Amount, e.Price.Currency}, Capacity: e.Capacity, CreatedAt: e.CreatedAt}
}

// CompanySummary is a hospital as exam search shows it.
type CompanySummary struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type,omitempty"`
	City string `json:"city,omitempty"`
	UF   string `json:"uf,omitempty"`
}

// ExamResultResponse is an exam with its hospital and next free slots.
type ExamResultResponse struct {
	Exam       ExamResponse   `json:"exam"`
	Company    CompanySummary `json:"company"`
	DistanceKm *float64       `json:"distance_km,omitempty"`
	NextSlots  []SlotResponse `json:"next_slots"`
}

func examResultOf(near bool) func(scheduling.ExamResult) ExamResultResponse {
	return func(r scheduling.ExamResult) ExamResultResponse {
		out := ExamResultResponse{Exam: examOf(r.Exam), Company: CompanySummary{ID: r.Company.ID, Name: r.Company.Name, Type: r.Company.Type,
			City: r.Company.City, UF: r.Company.UF}, NextSlots: slotsOf(r.NextSlots)}
		if near {
			d := float64(int(r.DistanceK*10+0.5)) / 10
			out.DistanceKm = &d
		}
		return out
	}
}

// WaitlistRequest joins a professional's waitlist for dates [from, to].
type WaitlistRequest struct {
	ProfessionalID string `json:"professional_id"`
	From           string `json:"from"`
	To             string `json:"to"`
}

// WaitlistResponse is a waitlist entry.
type WaitlistResponse struct {
	ID             string     `json:"id"`
	ProfessionalID string     `json:"professional_id"`
	From           string     `json:"from"`
	To             string     `json:"to"`
	Status         string     `json:"status"`
	OfferedStart   *time.Time `json:"offered_start,omitempty"`
	HoldUntil      *time.Time `json:"hold_until,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
}

// SchemaName is the schema's product name.
func (WaitlistResponse) SchemaName() string { return "WaitlistEntryResponse" }

func waitlistOf(w scheduling.WaitlistEntry) WaitlistResponse {
	out := WaitlistResponse{ID: w.ID, ProfessionalID: w.ProfessionalID, From: w.From.String(), To: w.To.String(), Status: string(w.Status), CreatedAt: w.CreatedAt}
	if w.Status == scheduling.WaitOffered {
		s, h := w.OfferedStart, w.HoldUntil
		out.OfferedStart, out.HoldUntil = &s, &h
	}
	return out
}

// NotificationResponse is an in-app notification.
type NotificationResponse struct {
	ID        string            `json:"id"`
	Kind      string            `json:"kind"`
	Title     string            `json:"title"`
	Body      string            `json:"body"`
	Data      map[string]string `json:"data"`
	CreatedAt time.Time         `json:"created_at"`
	ReadAt    *time.Time        `json:"read_at,omitempty"`
}

func notificationOf(n scheduling.Notification) NotificationResponse {
	out := NotificationResponse{ID: n.ID, Kind: n.Kind, Title: n.Title, Body: n.Body, Data: n.Data, CreatedAt: n.CreatedAt}
	if out.Data == nil {
		out.Data = map[string]string{}
	}
	if !n.ReadAt.IsZero() {
		r := n.ReadAt
		out.ReadAt = &r
	}
	return out
}

// PlanSummaryResponse is an active treatment plan on the dashboard.
type PlanSummaryResponse struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Status    string    `json:"status"`
	UpdatedAt time.Time `json:"updated_at"`
}

// DashboardResponse is the caller's home screen.
type DashboardResponse struct {
	Upcoming            []AppointmentResponse  `json:"upcoming"`
	Today               []AgendaItemResponse   `json:"today"`
	TreatmentPlans      []PlanSummaryResponse  `json:"treatment_plans"`
	UnreadNotifications int                    `json:"unread_notifications"`
	Notifications       []NotificationResponse `json:"notifications"`
}

func dashboardOf(d scheduling.Dashboard) DashboardResponse {
	out := DashboardResponse{Upcoming: []AppointmentResponse{}, Today: []AgendaItemResponse{}, TreatmentPlans: []PlanSummaryResponse{},
		UnreadNotifications: d.Unread, Notifications: []NotificationResponse{}}
	for _, a := range d.Upcoming {
		out.Upcoming = append(out.Upcoming, appointmentOf(a))
	}
	for _, a := range d.Today {
		out.Today = append(out.Today, agendaItemOf(a))
	}
	for _, p := range d.TreatmentPlans {
		out.TreatmentPlans = append(out.TreatmentPlans, PlanSummaryResponse{ID: p.ID, Title: p.Title, Status: p.Status, UpdatedAt: p.UpdatedAt})
	}
	for _, n := range d.Notifications {
		out.Notifications = append(out.Notifications, notificationOf(n))
	}
	return out
}

// Maxima of the request bodies (see httpapi.Bounded): the use cases' own
// constants; and the closed sets, ranges and formats the use cases check,
// from the use cases' own declarations (documented on responses too).

const maxShort = 40 // any other string: weekdays, times, dates, modes, IDs, RFC 3339 times

// clockPattern is what scheduling.ParseClock reads: HH:MM, 24:00 ending a day.
const clockPattern = `^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$`

var (
	modes    = httpapi.Limit{Enum: scheduling.Modes()}
	uuid     = httpapi.Limit{Format: "uuid"}
	date     = httpapi.Limit{Format: "date"}
	dateTime = httpapi.Limit{Format: "date-time"}
	clock    = httpapi.Limit{Pattern: clockPattern}
)

func between(b scheduling.Bounds) httpapi.Limit {
	return httpapi.Limit{Range: httpapi.Between(b.Min, b.Max)}
}

func (RuleBody) Limits() httpapi.Limits {
	return httpapi.Limits{"place": {Length: scheduling.MaxPlaceLen}, "weekday": {Enum: scheduling.WeekdayNames()},
		"start": clock, "end": clock, "mode": modes, httpapi.AnyString: {Length: maxShort}}
}

func (ExceptionBody) Limits() httpapi.Limits {
	return httpapi.Limits{"place": {Length: scheduling.MaxPlaceLen}, "date": date, "start": clock, "end": clock,
		"mode": modes, httpapi.AnyString: {Length: maxShort}}
}

func (AvailabilityRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"weekly": {Items: scheduling.MaxWeeklyRules}, "exceptions": {Items: scheduling.MaxExceptions},
		"slot_minutes": between(scheduling.SlotMinutesBounds), "buffer_minutes": between(scheduling.BufferMinutesBounds),
		"min_notice_hours": between(scheduling.NoticeHoursBounds), "horizon_days": between(scheduling.HorizonDaysBounds),
		"cancel_until_hours": between(scheduling.NoticeHoursBounds), httpapi.AnyString: {Length: maxShort}}
}

func (AvailabilityResponse) Limits() httpapi.Limits {
	l := AvailabilityRequest{}.Limits()
	l["owner_id"] = uuid
	return l
}

func (MoneyBody) Limits() httpapi.Limits {
	return httpapi.Limits{"currency": {Length: 3, Pattern: kernel.CurrencyPattern}}
}

func (BookRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"reason": {Length: scheduling.MaxReasonLen}, "professional_id": uuid, "exam_service_id": uuid,
		"start": dateTime, "mode": modes, httpapi.AnyString: {Length: maxShort}}
}

func (RescheduleRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"start": dateTime, httpapi.AnyString: {Length: maxShort}}
}

func (CancelRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"reason": {Length: scheduling.MaxReasonLen}}
}

func (ExamRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"name": {Length: scheduling.MaxExamNameLen}, "code": {Length: scheduling.MaxExamCodeLen},
		"preparation":      {Length: scheduling.MaxPreparationLen},
		"duration_minutes": between(scheduling.DurationMinutesBounds), "capacity": between(scheduling.CapacityBounds)}
}

func (ExamResponse) Limits() httpapi.Limits {
	l := ExamRequest{}.Limits()
	l["id"], l["company_id"] = uuid, uuid
	return l
}

func (WaitlistRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"professional_id": uuid, "from": date, "to": date, httpapi.AnyString: {Length: maxShort}}
}

func (WaitlistResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"id": uuid, "professional_id": uuid, "from": date, "to": date, "status": {Enum: scheduling.WaitStatuses()}}
}

func (SlotResponse) Limits() httpapi.Limits { return httpapi.Limits{"mode": modes} }

func (AppointmentResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"id": uuid, "kind": {Enum: scheduling.Kinds()}, "professional_id": uuid, "exam_service_id": uuid,
		"company_id": uuid, "patient_id": uuid, "mode": modes, "status": {Enum: scheduling.Statuses()}}
}

func (AgendaItemResponse) Limits() httpapi.Limits { return AppointmentResponse{}.Limits() }

func (ProfessionalSummary) Limits() httpapi.Limits {
	return httpapi.Limits{"id": uuid, "modes": modes}
}
