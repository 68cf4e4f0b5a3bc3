package schedulingsql

import (
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
)

type availabilityRow struct {
	bun.BaseModel    `bun:"table:scheduling_availability"`
	OwnerID          string    `bun:"owner_id,pk"`
	TimeZone         string    `bun:"time_zone"`
	SlotMinutes      int       `bun:"slot_minutes"`
	BufferMinutes    int       `bun:"buffer_minutes"`
	MinNoticeHours   int       `bun:"min_notice_hours"`
	HorizonDays      int       `bun:"horizon_days"`
	CancelUntilHours int       `bun:"cancel_until_hours"`
	Weekly           string    `bun:"weekly"`
	Exceptions       string    `bun:"exceptions"`
	Version          int64     `bun:"version"`
	UpdatedAt        time.Time `bun:"updated_at"`
}

type ruleJSON struct {
	Weekday int    `json:"w"`
	Start   int    `json:"s"`
	End     int    `json:"e"`
	Mode    string `json:"m"`
	Place   string `json:"p,omitempty"`
}

type exceptionJSON struct {
	Date      string `json:"d"`
	Available bool   `json:"a"`
	Start     int    `json:"s"`
	End       int    `json:"e"`
	Mode      string `json:"m,omitempty"`
	Place     string `json:"p,omitempty"`
}

func availabilityToRow(a scheduling.Availability) availabilityRow {
	rs := make([]ruleJSON, len(a.Weekly))
	for i, r := range a.Weekly {
		rs[i] = ruleJSON{int(r.Weekday), int(r.Start), int(r.End), string(r.Mode), r.Place}
	}
	es := make([]exceptionJSON, len(a.Exceptions))
	for i, e := range a.Exceptions {
		es[i] = exceptionJSON{e.Date.String(), e.Available, int(e.Start), int(e.End), string(e.Mode), e.Place}
	}
	w, _ := json.Marshal(rs)
	x, _ := json.Marshal(es)
	return availabilityRow{OwnerID: a.OwnerID, TimeZone: a.TimeZone, SlotMinutes: a.SlotMinutes, BufferMinutes: a.BufferMinutes,
		MinNoticeHours: a.MinNoticeHours, HorizonDays: a.HorizonDays, CancelUntilHours: a.CancelUntilHours,
		Weekly: string(w), Exceptions: string(x), Version: a.Version, UpdatedAt: a.UpdatedAt.UTC()}
}

func availabilityFromRow(r availabilityRow) (scheduling.Availability, error) {
	a := scheduling.Availability{OwnerID: r.OwnerID, TimeZone: r.TimeZone, SlotMinutes: r.SlotMinutes, BufferMinutes: r.BufferMinutes,
		MinNoticeHours: r.MinNoticeHours, HorizonDays: r.HorizonDays, CancelUntilHours: r.CancelUntilHours,
		Version: r.Version, UpdatedAt: r.UpdatedAt.UTC(), Weekly: []scheduling.Rule{}, Exceptions: []scheduling.Exception{}}
	var rs []ruleJSON
	var es []exceptionJSON
	if err := json.Unmarshal([]byte(r.Weekly), &rs); err != nil {
		return a, kernel.Internal(err, "decode weekly rules")
	}
	if err := json.Unmarshal([]byte(r.Exceptions), &es); err != nil {
		return a, kernel.Internal(err, "decode exceptions")
	}
	for _, x := range rs {
		a.Weekly = append(a.Weekly, scheduling.Rule{Weekday: time.Weekday(x.Weekday), Start: scheduling.ClockTime(x.Start),
			End: scheduling.ClockTime(x.End), Mode: scheduling.Mode(x.Mode), Place: x.Place})
	}
	for _, x := range es {
		d, _ := scheduling.ParseDate(x.Date)
		a.Exceptions = append(a.Exceptions, scheduling.Exception{Date: d, Available: x.Available, Start: scheduling.ClockTime(x.Start),
			End: scheduling.ClockTime(x.End), Mode: scheduling.Mode(x.Mode), Place: x.Place})
	}
	a.Location() // cache the zone
	return a, nil
}

type appointmentRow struct {
	bun.BaseModel  `bun:"table:scheduling_appointments"`
	ID             string    `bun:"id,pk"`
	Kind           string    `bun:"kind"`
	ResourceID     string    `bun:"resource_id"`
	ProfessionalID *string   `bun:"professional_id"`
	ExamServiceID  *string   `bun:"exam_service_id"`
	CompanyID      *string   `bun:"company_id"`
	PatientID      string    `bun:"patient_id"`
	StartAt        time.Time `bun:"start_at"`
	EndAt          time.Time `bun:"end_at"`
	Mode           string    `bun:"mode"`
	Place          string    `bun:"place"`
	Reason         string    `bun:"reason"`
	Status         string    `bun:"status"`
	CancelReason   string    `bun:"cancel_reason"`
	CancelledBy    string    `bun:"cancelled_by"`
	PriceAmount    int64     `bun:"price_amount"`
	PriceCurrency  string    `bun:"price_currency"`
	Capacity       int       `bun:"capacity"`
	Seat           int       `bun:"seat"`
	Version        int64     `bun:"version"`
	CreatedAt      time.Time `bun:"created_at"`
	UpdatedAt      time.Time `bun:"updated_at"`
}

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func val(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func appointmentToRow(a scheduling.Appointment) appointmentRow {
	cur := a.Price.Currency
	if cur == "" {
		cur = "BRL"
	}
	return appointmentRow{ID: a.ID, Kind: string(a.Kind), ResourceID: a.ResourceID(), ProfessionalID: opt(a.ProfessionalID),
		ExamServiceID: opt(a.ExamServiceID), CompanyID: opt(a.CompanyID), PatientID: a.PatientID,
		StartAt: a.Start.UTC(), EndAt: a.End.UTC(), Mode: string(a.Mode), Place: a.Place, Reason: a.Reason, Status: string(a.Status),
		CancelReason: a.CancelReason, CancelledBy: string(a.CancelledBy), PriceAmount: a.Price.Amount, PriceCurrency: cur,
		Capacity: max(a.Capacity, 1), Seat: max(a.Seat, 1), Version: a.Version, CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC()}
}

// appointmentColumns are the columns appointmentValues gives values for, in
// order (all but seat), and appointmentTypes their types (PostgreSQL: the values
// are parameters of an INSERT ... SELECT, so each is cast).
const appointmentColumns = "id, kind, resource_id, professional_id, exam_service_id, company_id, patient_id, start_at, end_at, mode, place, " +
	"reason, status, cancel_reason, cancelled_by, price_amount, price_currency, capacity, version, created_at, updated_at"

var appointmentTypes = []string{"text", "text", "text", "text", "text", "text", "text", "timestamptz", "timestamptz", "text", "text",
	"text", "text", "text", "text", "bigint", "text", "integer", "bigint", "timestamptz", "timestamptz"}

func appointmentValues(r appointmentRow) []any {
	return []any{r.ID, r.Kind, r.ResourceID, r.ProfessionalID, r.ExamServiceID, r.CompanyID, r.PatientID, r.StartAt, r.EndAt, r.Mode, r.Place,
		r.Reason, r.Status, r.CancelReason, r.CancelledBy, r.PriceAmount, r.PriceCurrency, int64(r.Capacity), r.Version, r.CreatedAt, r.UpdatedAt}
}

func appointmentFromRow(r appointmentRow) scheduling.Appointment {
	return scheduling.Appointment{ID: r.ID, Kind: scheduling.Kind(r.Kind), ProfessionalID: val(r.ProfessionalID),
		ExamServiceID: val(r.ExamServiceID), CompanyID: val(r.CompanyID), PatientID: r.PatientID,
		Start: r.StartAt.UTC(), End: r.EndAt.UTC(), Mode: scheduling.Mode(r.Mode), Place: r.Place, Reason: r.Reason,
		Status: scheduling.Status(r.Status), CancelReason: r.CancelReason, CancelledBy: kernel.AccountKind(r.CancelledBy),
		Price: kernel.Money{Amount: r.PriceAmount, Currency: r.PriceCurrency}, Capacity: r.Capacity, Seat: r.Seat,
		Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

type examRow struct {
	bun.BaseModel   `bun:"table:scheduling_exam_services"`
	ID              string    `bun:"id,pk"`
	CompanyID       string    `bun:"company_id"`
	Name            string    `bun:"name"`
	Code            string    `bun:"code"`
	DurationMinutes int       `bun:"duration_minutes"`
	Preparation     string    `bun:"preparation"`
	PriceAmount     int64     `bun:"price_amount"`
	PriceCurrency   string    `bun:"price_currency"`
	Capacity        int       `bun:"capacity"`
	Active          bool      `bun:"active"`
	CreatedAt       time.Time `bun:"created_at"`
	UpdatedAt       time.Time `bun:"updated_at"`
}

func examToRow(e scheduling.ExamService) examRow {
	return examRow{ID: e.ID, CompanyID: e.CompanyID, Name: e.Name, Code: e.Code, DurationMinutes: e.DurationMinutes,
		Preparation: e.Preparation, PriceAmount: e.Price.Amount, PriceCurrency: e.Price.Currency, Capacity: e.Capacity,
		Active: e.Active, CreatedAt: e.CreatedAt.UTC(), UpdatedAt: e.UpdatedAt.UTC()}
}

func examFromRow(r examRow) scheduling.ExamService {
	return scheduling.ExamService{ID: r.ID, CompanyID: r.CompanyID, Name: r.Name, Code: r.Code, DurationMinutes: r.DurationMinutes,
		Preparation: r.Preparation, Price: kernel.Money{Amount: r.PriceAmount, Currency: r.PriceCurrency}, Capacity: r.Capacity,
		Active: r.Active, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

type waitlistRow struct {
	bun.BaseModel  `bun:"table:scheduling_waitlist"`
	ID             string     `bun:"id,pk"`
	ProfessionalID string     `bun:"professional_id"`
	PatientID      string     `bun:"patient_id"`
	FromDate       string     `bun:"from_date"`
	ToDate         string     `bun:"to_date"`
	Status         string     `bun:"status"`
	OfferedStart   *time.Time `bun:"offered_start"`
	OfferedEnd     *time.Time `bun:"offered_end"`
	HoldUntil      *time.Time `bun:"hold_until"`
	QueuedAt       time.Time  `bun:"queued_at"`
	CreatedAt      time.Time  `bun:"created_at"`
	UpdatedAt      time.Time  `bun:"updated_at"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func valTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func waitlistToRow(w scheduling.WaitlistEntry) waitlistRow {
	q := w.UpdatedAt // the line position; the store writes it only when the entry (re)joins the line
	return waitlistRow{ID: w.ID, ProfessionalID: w.ProfessionalID, PatientID: w.PatientID, FromDate: w.From.String(), ToDate: w.To.String(),
		Status: string(w.Status), OfferedStart: optTime(w.OfferedStart), OfferedEnd: optTime(w.OfferedEnd), HoldUntil: optTime(w.HoldUntil),
		QueuedAt: q.UTC(), CreatedAt: w.CreatedAt.UTC(), UpdatedAt: w.UpdatedAt.UTC()}
}

func waitlistFromRow(r waitlistRow) scheduling.WaitlistEntry {
	f, _ := scheduling.ParseDate(r.FromDate)
	t, _ := scheduling.ParseDate(r.ToDate)
	return scheduling.WaitlistEntry{ID: r.ID, ProfessionalID: r.ProfessionalID, PatientID: r.PatientID, From: f, To: t,
		Status: scheduling.WaitStatus(r.Status), OfferedStart: valTime(r.OfferedStart), OfferedEnd: valTime(r.OfferedEnd),
		HoldUntil: valTime(r.HoldUntil), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

type notificationRow struct {
	bun.BaseModel `bun:"table:scheduling_notifications"`
	ID            string     `bun:"id,pk"`
	RecipientID   string     `bun:"recipient_id"`
	Kind          string     `bun:"kind"`
	Title         string     `bun:"title"`
	Body          string     `bun:"body"`
	Data          string     `bun:"data"`
	DedupeKey     *string    `bun:"dedupe_key"`
	CreatedAt     time.Time  `bun:"created_at"`
	ReadAt        *time.Time `bun:"read_at"`
}

func notificationToRow(n scheduling.Notification) notificationRow {
	d, _ := json.Marshal(n.Data)
	if n.Data == nil {
		d = []byte("{}")
	}
	return notificationRow{ID: n.ID, RecipientID: n.RecipientID, Kind: n.Kind, Title: n.Title, Body: n.Body, Data: string(d),
		DedupeKey: opt(n.DedupeKey), CreatedAt: n.CreatedAt.UTC(), ReadAt: optTime(n.ReadAt)}
}

func notificationFromRow(r notificationRow) scheduling.Notification {
	n := scheduling.Notification{ID: r.ID, RecipientID: r.RecipientID, Kind: r.Kind, Title: r.Title, Body: r.Body,
		Data: map[string]string{}, DedupeKey: val(r.DedupeKey), CreatedAt: r.CreatedAt.UTC(), ReadAt: valTime(r.ReadAt)}
	_ = json.Unmarshal([]byte(r.Data), &n.Data)
	return n
}
