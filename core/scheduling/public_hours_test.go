package scheduling

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// hoursStore answers the reads the public hours need; any other call panics.
type hoursStore struct {
	Store
	avail map[kernel.ID]Availability
	exams map[kernel.ID]ExamService
}

func (s hoursStore) GetAvailability(_ context.Context, id kernel.ID) (Availability, error) {
	a, ok := s.avail[id]
	if !ok {
		return Availability{}, kernel.NotFound("none")
	}
	return a, nil
}

func (s hoursStore) GetExamService(_ context.Context, id kernel.ID) (ExamService, error) {
	e, ok := s.exams[id]
	if !ok {
		return ExamService{}, kernel.NotFound("none")
	}
	return e, nil
}

func (s hoursStore) ListExamServices(_ context.Context, q ExamQuery, _ kernel.Page) (kernel.List[ExamService], error) {
	out := kernel.List[ExamService]{}
	for _, e := range s.exams {
		if e.Active && e.CompanyID == q.CompanyID {
			out.Items = append(out.Items, e)
		}
	}
	return out, nil
}

type hoursDir struct {
	Directory
	pros      map[kernel.ID]Professional
	companies map[kernel.ID]Company
}

func (d hoursDir) Professional(_ context.Context, id kernel.ID) (Professional, error) {
	p, ok := d.pros[id]
	if !ok {
		return Professional{}, kernel.NotFound("none")
	}
	return p, nil
}

func (d hoursDir) Company(_ context.Context, id kernel.ID) (Company, error) {
	c, ok := d.companies[id]
	if !ok {
		return Company{}, kernel.NotFound("none")
	}
	return c, nil
}

func TestPublicHours(t *testing.T) {
	ctx := context.Background()
	verified, pending, silent := kernel.NewID(), kernel.NewID(), kernel.NewID()
	hosp, unverifiedHosp := kernel.NewID(), kernel.NewID()
	exam, hiddenExam, inactive := kernel.NewID(), kernel.NewID(), kernel.NewID()
	rules := []Rule{{Weekday: time.Monday, Start: 8 * 60, End: 12 * 60, Mode: InPerson, Place: "Sala 3"}}
	st := hoursStore{
		avail: map[kernel.ID]Availability{
			verified:   {OwnerID: verified, TimeZone: DefaultTimeZone, SlotMinutes: 30, HorizonDays: 45, Weekly: rules},
			pending:    {OwnerID: pending, TimeZone: DefaultTimeZone, SlotMinutes: 30, HorizonDays: 45, Weekly: rules},
			exam:       {OwnerID: exam, TimeZone: DefaultTimeZone, SlotMinutes: 20, HorizonDays: 10, Weekly: rules},
			hiddenExam: {OwnerID: hiddenExam, TimeZone: DefaultTimeZone, SlotMinutes: 20, HorizonDays: 10, Weekly: rules},
		},
		exams: map[kernel.ID]ExamService{
			exam:       {ID: exam, CompanyID: hosp, Name: "Raio X", Active: true},
			hiddenExam: {ID: hiddenExam, CompanyID: unverifiedHosp, Name: "Tomografia", Active: true},
			inactive:   {ID: inactive, CompanyID: hosp, Name: "Antigo", Active: false},
		},
	}
	dir := hoursDir{
		pros: map[kernel.ID]Professional{verified: {ID: verified, Verified: true}, pending: {ID: pending}, silent: {ID: silent, Verified: true}},
		companies: map[kernel.ID]Company{hosp: {ID: hosp, Verified: true, Type: CompanyHospital},
			unverifiedHosp: {ID: unverifiedHosp, Type: CompanyHospital}},
	}
	s := NewService(st, dir, kernel.SystemClock{}, Options{}, slog.New(slog.DiscardHandler))
	anon := kernel.Principal{}

	h, err := s.ProfessionalHours(ctx, anon, verified)
	if err != nil || h.HorizonDays != 45 || h.SlotMinutes != 30 || len(h.Weekly) != 1 || h.Weekly[0].Place != "" || h.Weekly[0].Start != 8*60 {
		t.Fatalf("verified professional's hours = %+v, %v", h, err)
	}
	for name, id := range map[string]kernel.ID{"pending": pending, "no availability": silent, "unknown": kernel.NewID(), "not an id": "x"} {
		if _, err := s.ProfessionalHours(ctx, anon, id); kernel.KindOf(err) != kernel.KindNotFound {
			t.Errorf("%s professional: err = %v, want not found", name, err)
		}
	}

	h, err = s.ExamHours(ctx, anon, exam)
	if err != nil || h.HorizonDays != 10 || h.Weekly[0].Place != "" {
		t.Fatalf("exam hours = %+v, %v", h, err)
	}
	for name, id := range map[string]kernel.ID{"unverified hospital": hiddenExam, "inactive": inactive, "unknown": kernel.NewID()} {
		if _, err := s.ExamHours(ctx, anon, id); kernel.KindOf(err) != kernel.KindNotFound {
			t.Errorf("%s exam: err = %v, want not found", name, err)
		}
	}

	l, err := s.CompanyExams(ctx, anon, hosp, kernel.Page{})
	if err != nil || len(l.Items) != 1 || l.Items[0].ID != exam {
		t.Fatalf("company exams = %+v, %v", l, err)
	}
	for name, id := range map[string]kernel.ID{"unverified": unverifiedHosp, "unknown": kernel.NewID(), "not an id": "x"} {
		if _, err := s.CompanyExams(ctx, anon, id, kernel.Page{}); kernel.KindOf(err) != kernel.KindNotFound {
			t.Errorf("%s company: err = %v, want not found", name, err)
		}
	}
	if _, err := s.CompanyExams(ctx, anon, hosp, kernel.Page{Limit: 1000}); kernel.KindOf(err) != kernel.KindInvalid {
		t.Errorf("page of 1000: err = %v, want invalid", err)
	}
}
