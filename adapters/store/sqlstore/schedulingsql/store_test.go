package schedulingsql_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/schedulingsql"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
	"github.com/multisaude/multisaude/test/testdb"
)

var t0 = time.Date(2026, 12, 7, 11, 0, 0, 0, time.UTC) // a Monday, 08:00 in São Paulo

func appt(resource string, capacity int, start time.Time) scheduling.Appointment {
	a := scheduling.Appointment{ID: kernel.NewID(), Kind: scheduling.KindConsultation, ProfessionalID: resource, PatientID: kernel.NewID(),
		Start: start, End: start.Add(30 * time.Minute), Mode: scheduling.InPerson, Status: scheduling.StatusConfirmed,
		Price: kernel.BRL(15000), Capacity: capacity, Version: 1, CreatedAt: t0, UpdatedAt: t0}
	if capacity > 1 {
		a.Kind, a.ProfessionalID, a.ExamServiceID, a.CompanyID = scheduling.KindExam, "", resource, kernel.NewID()
	}
	return a
}

// race books one slot from n goroutines and returns how many won and how many got a conflict.
func race(t *testing.T, st *schedulingsql.Store, n, capacity int, resource string, start time.Time) (won, conflicts int) {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := appt(resource, capacity, start)
			<-gate
			err := st.Book(context.Background(), &a, []kernel.Event{kernel.NewEvent(scheduling.TopicBooked, a.ID, map[string]string{"id": a.ID}, t0)})
			mu.Lock()
			defer mu.Unlock()
			switch kernel.KindOf(err) {
			case "":
			default:
			}
			if err == nil {
				won++
			} else if kernel.KindOf(err) == kernel.KindConflict {
				conflicts++
			} else {
				t.Errorf("unexpected error kind %s: %v", kernel.KindOf(err), err)
			}
		}()
	}
	close(gate)
	wg.Wait()
	return won, conflicts
}

func TestBookingRace(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		st := schedulingsql.New(db)
		pro := kernel.NewID()
		won, conflicts := race(t, st, 50, 1, pro, t0)
		if won != 1 || conflicts != 49 {
			t.Fatalf("single slot: %d won, %d conflicts; want 1 and 49", won, conflicts)
		}
		exam := kernel.NewID()
		won, conflicts = race(t, st, 50, 2, exam, t0)
		if won != 2 || conflicts != 48 {
			t.Fatalf("capacity 2: %d won, %d conflicts; want 2 and 48", won, conflicts)
		}
		// exactly one outbox row per winner
		n, err := db.NewSelect().Table("outbox").Count(context.Background())
		if err != nil || n != 3 {
			t.Fatalf("outbox has %d rows (%v), want 3", n, err)
		}
		booked, err := st.Booked(context.Background(), []string{pro, exam}, t0.Add(-time.Hour), t0.Add(time.Hour))
		if err != nil || len(booked[pro]) != 1 || len(booked[exam]) != 2 {
			t.Fatalf("booked = %v, %v", booked, err)
		}
	})
}

func TestOverlapRefusedByDatabase(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		st := schedulingsql.New(db)
		pro := kernel.NewID()
		a := appt(pro, 1, t0)
		if err := st.Book(ctx, &a, nil); err != nil {
			t.Fatal(err)
		}
		// a different start that overlaps (slot length changed): still refused
		b := appt(pro, 1, t0.Add(15*time.Minute))
		if err := st.Book(ctx, &b, nil); kernel.KindOf(err) != kernel.KindConflict {
			t.Fatalf("overlapping booking: %v, want conflict", err)
		}
		// adjacent is fine
		c := appt(pro, 1, t0.Add(30*time.Minute))
		if err := st.Book(ctx, &c, nil); err != nil {
			t.Fatalf("adjacent booking: %v", err)
		}
		// a raw insert bypassing the store is refused by the database itself
		_, err := db.ExecContext(ctx, `INSERT INTO scheduling_appointments (id, kind, resource_id, professional_id, patient_id, start_at, end_at, mode, status, version, created_at, updated_at)
			SELECT ?, kind, resource_id, professional_id, patient_id, start_at, end_at, mode, status, 1, created_at, updated_at FROM scheduling_appointments WHERE id = ?`, kernel.NewID(), a.ID)
		if err == nil || !sqlstore.IsUniqueViolation(err) {
			t.Fatalf("raw duplicate insert: %v, want a unique/exclusion violation", err)
		}
		// moving c onto a is refused and changes nothing
		_, err = st.UpdateAppointment(ctx, c.ID, func(x *scheduling.Appointment) ([]kernel.Event, error) {
			x.Start, x.End = a.Start, a.End
			return nil, nil
		})
		if kernel.KindOf(err) != kernel.KindConflict {
			t.Fatalf("reschedule onto a taken slot: %v, want conflict", err)
		}
		got, _ := st.GetAppointment(ctx, c.ID)
		if !got.Start.Equal(c.Start) || got.Version != 1 {
			t.Fatalf("failed reschedule changed the row: %+v", got)
		}
		// cancelling a frees its time
		if _, err := st.UpdateAppointment(ctx, a.ID, func(x *scheduling.Appointment) ([]kernel.Event, error) {
			x.Status = scheduling.StatusCancelled
			return nil, nil
		}); err != nil {
			t.Fatal(err)
		}
		d := appt(pro, 1, t0)
		if err := st.Book(ctx, &d, nil); err != nil {
			t.Fatalf("booking a freed slot: %v", err)
		}
		if _, err := st.GetAppointment(ctx, kernel.NewID()); kernel.KindOf(err) != kernel.KindNotFound {
			t.Fatalf("missing appointment: %v", err)
		}
	})
}

func TestAvailabilityVersions(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		st := schedulingsql.New(db)
		a := scheduling.Availability{OwnerID: kernel.NewID(), TimeZone: "America/Sao_Paulo", SlotMinutes: 30, HorizonDays: 60,
			Weekly:     []scheduling.Rule{{Weekday: time.Monday, Start: 480, End: 720, Mode: scheduling.InPerson, Place: "Sala 2"}},
			Exceptions: []scheduling.Exception{{Date: scheduling.Date{Year: 2026, Month: 12, Day: 25}}}, UpdatedAt: t0}
		if _, err := st.GetAvailability(ctx, a.OwnerID); kernel.KindOf(err) != kernel.KindNotFound {
			t.Fatalf("missing availability: %v", err)
		}
		if _, err := st.PutAvailability(ctx, a, 3); kernel.KindOf(err) != kernel.KindPrecondition {
			t.Fatalf("If-Match on a missing availability: %v", err)
		}
		v1, err := st.PutAvailability(ctx, a, 0)
		if err != nil || v1.Version != 1 {
			t.Fatalf("create: %v %d", err, v1.Version)
		}
		v2, err := st.PutAvailability(ctx, a, 1)
		if err != nil || v2.Version != 2 {
			t.Fatalf("update: %v %d", err, v2.Version)
		}
		if _, err := st.PutAvailability(ctx, a, 1); kernel.KindOf(err) != kernel.KindPrecondition {
			t.Fatalf("stale If-Match: %v", err)
		}
		got, err := st.GetAvailability(ctx, a.OwnerID)
		if err != nil || got.Version != 2 || len(got.Weekly) != 1 || got.Weekly[0].Place != "Sala 2" || got.Exceptions[0].Date.Day != 25 {
			t.Fatalf("read back %+v %v", got, err)
		}
	})
}

func TestNotificationsAndPaging(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		st := schedulingsql.New(db)
		me, other := kernel.NewID(), kernel.NewID()
		for i := 0; i < 5; i++ {
			n := scheduling.Notification{ID: kernel.NewID(), RecipientID: me, Kind: "k", Title: "t", Body: "b",
				Data: map[string]string{"i": string(rune('0' + i))}, CreatedAt: t0.Add(time.Duration(i) * time.Minute), DedupeKey: "key" + string(rune('0'+i))}
			if err := st.AddNotification(ctx, n); err != nil {
				t.Fatal(err)
			}
		}
		// same dedupe key: ignored
		if err := st.AddNotification(ctx, scheduling.Notification{ID: kernel.NewID(), RecipientID: me, DedupeKey: "key1", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		p1, err := st.ListNotifications(ctx, me, false, kernel.Page{Limit: 3})
		if err != nil || len(p1.Items) != 3 || p1.NextCursor == "" || p1.Items[0].Data["i"] != "4" {
			t.Fatalf("page 1: %+v %v", p1, err)
		}
		p2, err := st.ListNotifications(ctx, me, false, kernel.Page{Limit: 3, Cursor: p1.NextCursor})
		if err != nil || len(p2.Items) != 2 || p2.NextCursor != "" {
			t.Fatalf("page 2: %+v %v", p2, err)
		}
		if err := st.MarkNotificationRead(ctx, other, p1.Items[0].ID, t0); kernel.KindOf(err) != kernel.KindNotFound {
			t.Fatalf("marking another's notification: %v", err)
		}
		if err := st.MarkNotificationRead(ctx, me, p1.Items[0].ID, t0); err != nil {
			t.Fatal(err)
		}
		if n, err := st.UnreadCount(ctx, me); err != nil || n != 4 {
			t.Fatalf("unread %d %v", n, err)
		}
	})
}
