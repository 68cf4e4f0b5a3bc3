package schedulingsql

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/testdb"
)

// fakeVideo is a provider that counts its calls and can be told to fail.
type fakeVideo struct {
	mu                     sync.Mutex
	created, ended, joins  int
	gone                   map[string]bool // rooms the provider forgot
	endErr                 error
	lastWho                ports.VideoParticipant
	lastNotBefore, lastExp time.Time
}

func (v *fakeVideo) Provider() string { return ports.VideoJitsi }
func (v *fakeVideo) CreateRoom(_ context.Context, s ports.VideoRoomSpec) (ports.VideoRoom, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.created++
	return ports.VideoRoom{Provider: ports.VideoJitsi, RoomID: s.AppointmentID + "-" + string(rune('a'+v.created))}, nil
}
func (v *fakeVideo) Join(_ context.Context, r ports.VideoRoom, who ports.VideoParticipant, nb, exp time.Time) (ports.VideoCredential, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.gone[r.RoomID] {
		return ports.VideoCredential{}, kernel.NotFound("sala não encontrada")
	}
	v.joins++
	v.lastWho, v.lastNotBefore, v.lastExp = who, nb, exp
	return ports.VideoCredential{Provider: ports.VideoJitsi, RoomID: r.RoomID, Token: "t", NotBefore: nb, ExpiresAt: exp}, nil
}
func (v *fakeVideo) EndRoom(_ context.Context, r ports.VideoRoom) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.endErr != nil {
		return v.endErr
	}
	v.ended++
	return nil
}

type fakeConsents struct{ missing map[string]bool }

func (c fakeConsents) Require(_ context.Context, subjectID, purpose string) error {
	if c.missing[subjectID] {
		return kernel.Conflict("consentimento necessário: %s", purpose)
	}
	return nil
}
func (fakeConsents) Disclosed(context.Context, ports.Disclosure) error { return nil }

// tuesday14 is Tuesday 2026-12-01 14:00 in São Paulo, a telemedicine slot of weekdays().
var tuesday14 = time.Date(2026, 12, 1, 17, 0, 0, 0, time.UTC)

func TestJoinVideo(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		e := setup(t, db)
		v := &fakeVideo{gone: map[string]bool{}}
		consents := fakeConsents{missing: map[string]bool{}}
		e.svc = scheduling.NewService(e.st, e.dir, e.clock, scheduling.Options{Consents: consents, Video: v}, nil)
		pt := e.patient("Maria")
		a, err := e.svc.Book(ctx, pt, scheduling.BookRequest{ProfessionalID: e.pro.AccountID, Start: tuesday14})
		if err != nil || a.Mode != scheduling.Telemedicine {
			t.Fatalf("book: %+v %v", a, err)
		}

		// The window: 13:45 to 15:00 (the 30-minute slot ends 14:30, plus 30).
		e.clock.Set(tuesday14.Add(-15*time.Minute - time.Second))
		_, err = e.svc.JoinVideo(ctx, pt, a.ID)
		if kernel.KindOf(err) != kernel.KindConflict || !strings.Contains(err.Error(), "A sala abre às 13:45 (horário de Brasília)") {
			t.Fatalf("before the window: %v", err)
		}
		e.clock.Set(tuesday14.Add(-24 * time.Hour))
		if _, err = e.svc.JoinVideo(ctx, pt, a.ID); err == nil || !strings.Contains(err.Error(), "A sala abre em 01/12/2026 às 13:45") {
			t.Fatalf("a day before: %v", err)
		}
		e.clock.Set(tuesday14.Add(-15 * time.Minute))
		j, err := e.svc.JoinVideo(ctx, pt, a.ID)
		if err != nil || j.Moderator || v.lastWho.DisplayName != "Maria" || v.lastWho.Moderator || !v.lastExp.Equal(a.End.Add(30*time.Minute)) ||
			!v.lastNotBefore.Equal(e.clock.Now()) {
			t.Fatalf("patient joins at the opening: %+v %+v %v", j, v.lastWho, err)
		}
		j, err = e.svc.JoinVideo(ctx, e.pro, a.ID)
		if err != nil || !j.Moderator || v.lastWho.DisplayName != "Dra. Ana" || v.created != 1 {
			t.Fatalf("professional joins: %+v %v (created %d)", j, err, v.created)
		}

		// The provider forgot the room: it is created again, once.
		v.gone[j.Credential.RoomID] = true
		j2, err := e.svc.JoinVideo(ctx, pt, a.ID)
		if err != nil || j2.Credential.RoomID == j.Credential.RoomID || v.created != 2 {
			t.Fatalf("recreated: %+v %v (created %d)", j2, err, v.created)
		}
		if r, _ := e.st.VideoRoom(ctx, a.ID); r.Room.RoomID != j2.Credential.RoomID {
			t.Fatalf("stored room %s, want %s", r.Room.RoomID, j2.Credential.RoomID)
		}

		// Consent: the patient's, for both.
		consents.missing[pt.AccountID] = true
		for _, p := range []kernel.Principal{pt, e.pro} {
			if _, err := e.svc.JoinVideo(ctx, p, a.ID); kernel.KindOf(err) != kernel.KindConflict || !strings.Contains(err.Error(), "telemedicine") {
				t.Fatalf("without consent: %v", err)
			}
		}
		delete(consents.missing, pt.AccountID)

		// Closed after the end plus the grace.
		e.clock.Set(a.End.Add(30 * time.Minute))
		if _, err := e.svc.JoinVideo(ctx, pt, a.ID); kernel.KindOf(err) != kernel.KindGone {
			t.Fatalf("after the window: %v", err)
		}

		// Completion ends the room: retried while the provider is unavailable, then once.
		if _, err := e.svc.Complete(ctx, e.pro, a.ID); err != nil {
			t.Fatal(err)
		}
		rem := scheduling.NewReminders(e.svc, &fakeScheduler{jobs: map[string]ports.Job{}}, &fakeNotifier{})
		d := outbox(t, db, scheduling.TopicCompleted)[0]
		v.endErr = kernel.Unavailable(nil, "fora do ar")
		if err := rem.HandleAppointment(ctx, d); kernel.KindOf(err) != kernel.KindUnavailable {
			t.Fatalf("unavailable provider: %v", err)
		}
		v.endErr = nil
		for range 2 {
			if err := rem.HandleAppointment(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		if r, _ := e.st.VideoRoom(ctx, a.ID); !r.Ended() || v.ended != 1 {
			t.Fatalf("room %+v, ended %d times", r, v.ended)
		}
		e.clock.Set(tuesday14)
		if _, err := e.svc.JoinVideo(ctx, pt, a.ID); kernel.KindOf(err) != kernel.KindGone {
			t.Fatalf("completed: %v", err)
		}
	})
}

func TestSwitchToInPerson(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		e := setup(t, db)
		pt := e.patient("Maria")
		a, err := e.svc.Book(ctx, pt, scheduling.BookRequest{ProfessionalID: e.pro.AccountID, Start: tuesday14})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SwitchToInPerson(ctx, pt, a.ID); kernel.KindOf(err) != kernel.KindConflict || !strings.Contains(err.Error(), "remarque") {
			t.Fatalf("not offered in person: %v", err)
		}
		// An extra-hours exception in person that day covers it.
		av := weekdays()
		av.Exceptions = []scheduling.Exception{{Date: scheduling.Date{Year: 2026, Month: 12, Day: 1}, Available: true, Start: 13 * 60, End: 15 * 60,
			Mode: scheduling.InPerson, Place: "Sala 3"}}
		if _, err := e.svc.PutAvailability(ctx, e.pro, e.pro.AccountID, av, 0); err != nil {
			t.Fatal(err)
		}
		stranger := e.patient("Outra")
		if _, err := e.svc.SwitchToInPerson(ctx, stranger, a.ID); kernel.KindOf(err) != kernel.KindNotFound {
			t.Fatalf("stranger: %v", err)
		}
		out, err := e.svc.SwitchToInPerson(ctx, pt, a.ID)
		if err != nil || out.Mode != scheduling.InPerson || out.Place != "Sala 3" || !out.Start.Equal(a.Start) {
			t.Fatalf("switched: %+v %v", out, err)
		}
		if n := len(outbox(t, db, scheduling.TopicModeChanged)); n != 1 {
			t.Fatalf("%d mode-changed events", n)
		}
		if _, err := e.svc.SwitchToInPerson(ctx, e.pro, a.ID); kernel.KindOf(err) != kernel.KindConflict {
			t.Fatalf("again: %v", err)
		}
	})
}

func TestRescheduledInPersonEndsTheRoom(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		e := setup(t, db)
		v := &fakeVideo{gone: map[string]bool{}}
		e.svc = scheduling.NewService(e.st, e.dir, e.clock, scheduling.Options{Video: v}, nil)
		pt := e.patient("Maria")
		a, err := e.svc.Book(ctx, pt, scheduling.BookRequest{ProfessionalID: e.pro.AccountID, Start: tuesday14})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Set(tuesday14.Add(-10 * time.Minute))
		if _, err := e.svc.JoinVideo(ctx, pt, a.ID); err != nil {
			t.Fatal(err)
		}
		rem := scheduling.NewReminders(e.svc, &fakeScheduler{jobs: map[string]ports.Job{}}, &fakeNotifier{})
		// Moved to another telemedicine slot: the room stays.
		if _, err := e.svc.Reschedule(ctx, e.pro, a.ID, tuesday14.Add(3*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := rem.HandleAppointment(ctx, outbox(t, db, scheduling.TopicRescheduled)[0]); err != nil {
			t.Fatal(err)
		}
		if r, _ := e.st.VideoRoom(ctx, a.ID); r.Ended() {
			t.Fatal("the room ended on a telemedicine reschedule")
		}
		// Moved to an in-person slot (Wednesday 09:00): the room ends.
		if _, err := e.svc.Reschedule(ctx, e.pro, a.ID, tuesday14.Add(19*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := rem.HandleAppointment(ctx, outbox(t, db, scheduling.TopicRescheduled)[1]); err != nil {
			t.Fatal(err)
		}
		if r, _ := e.st.VideoRoom(ctx, a.ID); !r.Ended() || v.ended != 1 {
			t.Fatalf("room %+v ended %d times", r, v.ended)
		}
	})
}
