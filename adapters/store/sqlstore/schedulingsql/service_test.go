package schedulingsql

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/testdb"
)

type fakeDir struct {
	pros     map[string]scheduling.Professional
	patients map[string]scheduling.Patient
	list     []scheduling.Professional
}

func newDir() *fakeDir {
	return &fakeDir{pros: map[string]scheduling.Professional{}, patients: map[string]scheduling.Patient{}}
}

func (d *fakeDir) addPro(p scheduling.Professional) {
	d.pros[p.ID] = p
	d.list = append(d.list, p)
}

func (d *fakeDir) Professional(_ context.Context, id string) (scheduling.Professional, error) {
	if p, ok := d.pros[id]; ok {
		return p, nil
	}
	return scheduling.Professional{}, kernel.NotFound("profissional não encontrado")
}
func (d *fakeDir) Company(context.Context, string) (scheduling.Company, error) {
	return scheduling.Company{}, kernel.NotFound("no such company")
}
func (d *fakeDir) Patient(_ context.Context, id string) (scheduling.Patient, error) {
	if p, ok := d.patients[id]; ok {
		return p, nil
	}
	return scheduling.Patient{}, kernel.NotFound("no such patient")
}
func (d *fakeDir) Patients(_ context.Context, ids []string) (map[string]scheduling.Patient, error) {
	out := map[string]scheduling.Patient{}
	for _, id := range ids {
		if p, ok := d.patients[id]; ok {
			out[id] = p
		}
	}
	return out, nil
}
func (d *fakeDir) VerifiedProfessionals(_ context.Context, q scheduling.ProfessionalQuery) ([]scheduling.Professional, error) {
	out := make([]scheduling.Professional, 0, len(d.list))
	for _, p := range d.list {
		if q.UF == "" || p.UF == q.UF {
			out = append(out, p)
		}
	}
	return out, nil
}

type fakeScheduler struct {
	mu   sync.Mutex
	jobs map[string]ports.Job
}

func (s *fakeScheduler) Schedule(_ context.Context, j ports.Job) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobs[j.ID] = j
	return nil
}
func (s *fakeScheduler) Cancel(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.jobs[id]; !ok {
		return kernel.NotFound("no such job")
	}
	delete(s.jobs, id)
	return nil
}

type fakeNotifier struct {
	mu    sync.Mutex
	sent  []ports.Notification
	fails int // the next fails calls fail as a relay that is down
}

func (n *fakeNotifier) Notify(_ context.Context, x ports.Notification) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fails > 0 {
		n.fails--
		return kernel.Unavailable(nil, "relay down")
	}
	n.sent = append(n.sent, x)
	return nil
}

// now is Monday 2026-11-30 09:00 in São Paulo.
var now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func weekdays() scheduling.Availability {
	a := scheduling.Availability{TimeZone: "America/Sao_Paulo", SlotMinutes: 30, MinNoticeHours: 2, HorizonDays: 60, CancelUntilHours: 24}
	for d := time.Monday; d <= time.Friday; d++ {
		a.Weekly = append(a.Weekly, scheduling.Rule{Weekday: d, Start: 8 * 60, End: 12 * 60, Mode: scheduling.InPerson},
			scheduling.Rule{Weekday: d, Start: 14 * 60, End: 18 * 60, Mode: scheduling.Telemedicine})
	}
	return a
}

type env struct {
	svc   *scheduling.Service
	st    *Store
	dir   *fakeDir
	clock *kernel.FixedClock
	pro   kernel.Principal
}

func setup(t testing.TB, db *sqlstore.DB) env {
	t.Helper()
	dir := newDir()
	clock := kernel.NewFixedClock(now)
	st := New(db)
	svc := scheduling.NewService(st, dir, clock, scheduling.Options{WaitlistHold: 15 * time.Minute}, nil)
	pro := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindProfessional}
	dir.addPro(scheduling.Professional{ID: pro.AccountID, Verified: true, Name: "Dra. Ana", Price: kernel.BRL(20000), UF: "SP"})
	if _, err := svc.PutAvailability(context.Background(), pro, pro.AccountID, weekdays(), 0); err != nil {
		t.Fatal(err)
	}
	return env{svc: svc, st: st, dir: dir, clock: clock, pro: pro}
}

func (e env) patient(name string) kernel.Principal {
	p := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindPatient}
	e.dir.patients[p.AccountID] = scheduling.Patient{ID: p.AccountID, Name: name, Email: name + "@example.com"}
	return p
}

func outbox(t *testing.T, db *sqlstore.DB, topic string) []ports.Delivery {
	t.Helper()
	var rows []struct {
		ID    string `bun:"id"`
		Topic string `bun:"topic"`
		Key   string `bun:"key"`
		Body  []byte `bun:"body"`
	}
	if err := db.NewSelect().Table("outbox").Column("id", "topic", "key", "body").Where("topic = ?", topic).Order("seq").Scan(context.Background(), &rows); err != nil {
		t.Fatal(err)
	}
	out := make([]ports.Delivery, len(rows))
	for i, r := range rows {
		out[i] = ports.Delivery{Message: ports.Message{ID: r.ID, Topic: r.Topic, Key: r.Key, Body: r.Body}, Attempt: 1}
	}
	return out
}

func TestReminders(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		e := setup(t, db)
		sched, note := &fakeScheduler{jobs: map[string]ports.Job{}}, &fakeNotifier{}
		rem := scheduling.NewReminders(e.svc, sched, note)
		pt := e.patient("maria")
		start := time.Date(2026, 12, 3, 11, 0, 0, 0, time.UTC) // Thursday 08:00 -03:00
		a, err := e.svc.Book(ctx, pt, scheduling.BookRequest{ProfessionalID: e.pro.AccountID, Start: start})
		if err != nil {
			t.Fatal(err)
		}
		booked := outbox(t, db, scheduling.TopicBooked)
		if len(booked) != 1 {
			t.Fatalf("%d booked events in the outbox", len(booked))
		}
		if err := rem.HandleAppointment(ctx, booked[0]); err != nil {
			t.Fatal(err)
		}
		if len(sched.jobs) != 2 {
			t.Fatalf("jobs %v", sched.jobs)
		}
		var ats []time.Time
		for _, j := range sched.jobs {
			ats = append(ats, j.At)
			if j.Msg.Topic != scheduling.TopicReminderDue {
				t.Errorf("job topic %s", j.Msg.Topic)
			}
		}
		sort.Slice(ats, func(i, j int) bool { return ats[i].Before(ats[j]) })
		if !ats[0].Equal(start.Add(-24*time.Hour)) || !ats[1].Equal(start.Add(-time.Hour)) {
			t.Fatalf("reminders at %v", ats)
		}
		// The relay is down at the first delivery: the handler fails (the queue retries) and nothing is
		// recorded as sent. Then the 24 h reminder is delivered three more times (at-least-once
		// delivery, a worker killed before acknowledging): one notification, one e-mail.
		job := sched.jobs["scheduling-reminder-"+a.ID+"-24h"]
		note.fails = 1
		if err := rem.HandleReminderDue(ctx, ports.Delivery{Message: job.Msg, Attempt: 1}); err == nil {
			t.Fatal("a failed e-mail was acknowledged")
		}
		for i := 0; i < 3; i++ {
			if err := rem.HandleReminderDue(ctx, ports.Delivery{Message: job.Msg, Attempt: 2 + i}); err != nil {
				t.Fatal(err)
			}
		}
		l, _ := e.svc.Notifications(ctx, pt, true, kernel.Page{})
		if len(l.Items) != 1 || l.Items[0].Kind != "appointment_reminder" || l.Items[0].Data["appointment_id"] != a.ID {
			t.Fatalf("in-app notifications %+v", l.Items)
		}
		if len(note.sent) != 1 || note.sent[0].To != "maria@example.com" || note.sent[0].Template != "appointment_reminder" {
			t.Fatalf("e-mails %+v, want exactly one", note.sent)
		}
		// Reschedule: the old reminder message is stale and ignored; jobs move.
		e.clock.Advance(time.Hour)
		newStart := start.Add(2 * time.Hour)
		if _, err := e.svc.Reschedule(ctx, pt, a.ID, newStart); err != nil {
			t.Fatal(err)
		}
		if err := rem.HandleAppointment(ctx, outbox(t, db, scheduling.TopicRescheduled)[0]); err != nil {
			t.Fatal(err)
		}
		if j := sched.jobs["scheduling-reminder-"+a.ID+"-1h"]; !j.At.Equal(newStart.Add(-time.Hour)) {
			t.Fatalf("1h job at %v", j.At)
		}
		// Each topic has its own consumer: the "booked" event (old start) may be handled
		// after the "rescheduled" one. The reminders stay at the stored start.
		if err := rem.HandleAppointment(ctx, booked[0]); err != nil {
			t.Fatal(err)
		}
		if j := sched.jobs["scheduling-reminder-"+a.ID+"-1h"]; !j.At.Equal(newStart.Add(-time.Hour)) {
			t.Fatalf("a late booked event moved the 1h job back to %v", j.At)
		}
		sent := len(note.sent)
		old := sched.jobs["scheduling-reminder-"+a.ID+"-1h"]
		var stale scheduling.ReminderDue
		_ = json.Unmarshal(old.Msg.Body, &stale)
		stale.Start = start
		body, _ := json.Marshal(stale)
		if err := rem.HandleReminderDue(ctx, ports.Delivery{Message: ports.Message{ID: kernel.NewID(), Topic: scheduling.TopicReminderDue, Body: body}}); err != nil {
			t.Fatal(err)
		}
		if len(note.sent) != sent {
			t.Fatal("a stale reminder was delivered")
		}
		// Cancel removes the jobs and tells the patient.
		if _, err := e.svc.Cancel(ctx, e.pro, a.ID, "sick"); err != nil {
			t.Fatal(err)
		}
		if err := rem.HandleAppointment(ctx, outbox(t, db, scheduling.TopicCancelled)[0]); err != nil {
			t.Fatal(err)
		}
		if len(sched.jobs) != 0 {
			t.Fatalf("jobs left after cancel: %v", sched.jobs)
		}
		// A late "rescheduled" after the cancellation schedules nothing.
		if err := rem.HandleAppointment(ctx, outbox(t, db, scheduling.TopicRescheduled)[0]); err != nil {
			t.Fatal(err)
		}
		if len(sched.jobs) != 0 {
			t.Fatalf("a late rescheduled event after the cancellation left jobs: %v", sched.jobs)
		}
		l, _ = e.svc.Notifications(ctx, pt, true, kernel.Page{})
		if len(l.Items) != 2 || l.Items[0].Kind != "appointment_cancelled" {
			t.Fatalf("after cancel %+v", l.Items)
		}
	})
}

func TestWaitlistHoldExpires(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		e := setup(t, db)
		first, second, third := e.patient("a"), e.patient("b"), e.patient("c")
		start := time.Date(2026, 12, 4, 11, 0, 0, 0, time.UTC)
		a, err := e.svc.Book(ctx, third, scheduling.BookRequest{ProfessionalID: e.pro.AccountID, Start: start})
		if err != nil {
			t.Fatal(err)
		}
		day := scheduling.Date{Year: 2026, Month: 12, Day: 4}
		for _, p := range []kernel.Principal{first, second} {
			if _, err := e.svc.JoinWaitlist(ctx, p, e.pro.AccountID, day, day); err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(time.Second)
		}
		if _, err := e.svc.Cancel(ctx, third, a.ID, ""); err != nil {
			t.Fatal(err)
		}
		// held for first: second cannot book it
		if _, err := e.svc.Book(ctx, second, scheduling.BookRequest{ProfessionalID: e.pro.AccountID, Start: start}); kernel.KindOf(err) != kernel.KindConflict {
			t.Fatalf("second booking a slot held for first: %v", err)
		}
		e.clock.Advance(16 * time.Minute)
		if err := e.svc.ExpireOffers(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Book(ctx, first, scheduling.BookRequest{ProfessionalID: e.pro.AccountID, Start: start}); kernel.KindOf(err) != kernel.KindConflict {
			t.Fatalf("first booking after the hold passed to second: %v", err)
		}
		if _, err := e.svc.Book(ctx, second, scheduling.BookRequest{ProfessionalID: e.pro.AccountID, Start: start}); err != nil {
			t.Fatalf("second booking the slot now held for them: %v", err)
		}
		ws, _ := e.svc.MyWaitlist(ctx, second)
		if len(ws) != 0 {
			t.Fatalf("second's entry should be fulfilled: %+v", ws)
		}
		ws, _ = e.svc.MyWaitlist(ctx, first)
		if len(ws) != 1 || ws[0].Status != scheduling.WaitWaiting {
			t.Fatalf("first is back in line: %+v", ws)
		}
	})
}

// seed stores n verified professionals with weekday availability, and a booking each.
func seed(tb testing.TB, db *sqlstore.DB, e env, n int) {
	ctx := context.Background()
	rows := make([]availabilityRow, 0, n)
	for i := 0; i < n; i++ {
		id := kernel.NewID()
		e.dir.addPro(scheduling.Professional{ID: id, Verified: true, Name: fmt.Sprintf("Pro %d", i), UF: "SP",
			Point: scheduling.Point{Lat: -23.5 + float64(i%100)/100, Lng: -46.6 + float64(i/100)/100}})
		a := weekdays()
		a.OwnerID, a.Version, a.UpdatedAt = id, 1, now
		rows = append(rows, availabilityToRow(a))
	}
	for i := 0; i < len(rows); i += 500 {
		batch := rows[i:min(i+500, len(rows))]
		if _, err := db.NewInsert().Model(&batch).Exec(ctx); err != nil {
			tb.Fatal(err)
		}
	}
}

func TestSearchPaging(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		e := setup(t, db)
		seed(t, db, e, 45)
		seen := map[string]bool{}
		page := kernel.Page{Limit: 20}
		for pages := 0; ; pages++ {
			l, err := e.svc.Search(ctx, kernel.Anonymous, scheduling.SearchQuery{Page: page})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range l.Items {
				if seen[r.Professional.ID] || len(r.NextSlots) != 3 {
					t.Fatalf("duplicate or slotless result %+v", r)
				}
				seen[r.Professional.ID] = true
			}
			if l.NextCursor == "" {
				break
			}
			page.Cursor = l.NextCursor
		}
		if len(seen) != 46 {
			t.Fatalf("saw %d professionals, want 46", len(seen))
		}
		sat := scheduling.Date{Year: 2026, Month: 12, Day: 5}
		l, err := e.svc.Search(ctx, kernel.Anonymous, scheduling.SearchQuery{Date: &sat})
		if err != nil || len(l.Items) != 0 {
			t.Fatalf("nobody works on Saturday: %d %v", len(l.Items), err)
		}
		near := scheduling.Point{Lat: -23.5, Lng: -46.6}
		l, err = e.svc.Search(ctx, kernel.Anonymous, scheduling.SearchQuery{Near: &near, RadiusKm: 5})
		if err != nil || len(l.Items) == 0 || l.Items[0].DistanceKm > 0.01 {
			t.Fatalf("near search %v %v", l.Items, err)
		}
		for _, r := range l.Items {
			if r.DistanceKm > 5 {
				t.Fatalf("result %.1f km away", r.DistanceKm)
			}
		}
	})
}

// BenchmarkSearch2000 searches 2,000 verified professionals for the first page with
// next free slots, and for those free on one date, on the SQL store.
func BenchmarkSearch2000(b *testing.B) {
	for _, d := range testdb.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			db := testdb.Open(b, d)
			e := setup(b, db)
			seed(b, db, e, 2000)
			ctx := context.Background()
			date := scheduling.Date{Year: 2026, Month: 12, Day: 2}
			b.Run("next-slots", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if _, err := e.svc.Search(ctx, kernel.Anonymous, scheduling.SearchQuery{}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("date", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if _, err := e.svc.Search(ctx, kernel.Anonymous, scheduling.SearchQuery{Date: &date}); err != nil {
						b.Fatal(err)
					}
				}
			})
			near := scheduling.Point{Lat: -23.0, Lng: -46.0}
			b.Run("near", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if _, err := e.svc.Search(ctx, kernel.Anonymous, scheduling.SearchQuery{Near: &near}); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
