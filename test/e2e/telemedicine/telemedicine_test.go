// Package telemedicine_test drives telemedicine appointments over HTTP as
// their patients and professionals do: joining the video room inside its
// window, being refused outside it or without consent, the room ending with
// the appointment, and switching to in person. Appointments start within
// minutes (availability with no minimum notice and 5-minute slots), so the
// window is reached on the real clock.
package telemedicine_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

var sp, _ = time.LoadLocation("America/Sao_Paulo")

// availability is open every day, all day, in one mode, with 5-minute slots
// and no minimum notice.
func availability(mode string) map[string]any {
	var weekly []map[string]any
	for _, d := range []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
		weekly = append(weekly, map[string]any{"weekday": d, "start": "00:00", "end": "24:00", "mode": mode, "place": "Consultório 12"})
	}
	return map[string]any{"time_zone": "America/Sao_Paulo", "slot_minutes": 5, "buffer_minutes": 0, "min_notice_hours": 0,
		"horizon_days": 30, "cancel_until_hours": 0, "weekly": weekly, "exceptions": []any{}}
}

func publish(t *testing.T, h *harness.H, pro harness.Account, mode string) {
	t.Helper()
	h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/professionals/" + pro.ID + "/availability", Token: pro.Token, Body: availability(mode)}).
		Want(t, http.StatusOK)
}

type slot struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Mode  string    `json:"mode"`
}

// slotStarting returns a free slot of pro starting in [from, to) from now.
func slotStarting(t *testing.T, h *harness.H, pro harness.Account, from, to time.Duration) slot {
	t.Helper()
	now := time.Now().UTC()
	var l struct {
		Items []slot `json:"items"`
	}
	h.Get(t, "/v1/professionals/"+pro.ID+"/slots?from="+now.Format(time.RFC3339)+"&to="+now.Add(4*time.Hour).Format(time.RFC3339), "").
		Want(t, http.StatusOK).JSON(t, &l)
	for _, s := range l.Items {
		if d := time.Until(s.Start); d >= from && d < to {
			return s
		}
	}
	t.Fatalf("no free slot starting %v..%v from now among %d", from, to, len(l.Items))
	return slot{}
}

type appointment struct {
	ID     string    `json:"id"`
	Status string    `json:"status"`
	Mode   string    `json:"mode"`
	Place  string    `json:"place"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
}

func book(t *testing.T, h *harness.H, patient, pro harness.Account, s slot) appointment {
	t.Helper()
	var a appointment
	h.Post(t, "/v1/appointments", patient.Token, map[string]any{"professional_id": pro.ID, "start": s.Start.Format(time.RFC3339)}).
		Want(t, http.StatusCreated).JSON(t, &a)
	return a
}

// bookSoon books a slot of pro starting 1 to 14 minutes from now: its room is open.
func bookSoon(t *testing.T, h *harness.H, patient, pro harness.Account) appointment {
	t.Helper()
	return book(t, h, patient, pro, slotStarting(t, h, pro, time.Minute, 14*time.Minute))
}

type credential struct {
	Provider    string            `json:"provider"`
	RoomID      string            `json:"room_id"`
	JoinURL     string            `json:"join_url"`
	Token       string            `json:"token"`
	Data        map[string]string `json:"data"`
	NotBefore   time.Time         `json:"not_before"`
	ExpiresAt   time.Time         `json:"expires_at"`
	Moderator   bool              `json:"moderator"`
	Appointment appointment       `json:"appointment"`
}

func join(h *harness.H, t *testing.T, id, token string) *harness.Resp {
	t.Helper()
	return h.Post(t, "/v1/appointments/"+id+"/video", token, nil)
}

func joined(t *testing.T, h *harness.H, a appointment, who harness.Account) credential {
	t.Helper()
	r := join(h, t, a.ID, who.Token).Want(t, http.StatusOK)
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	var c credential
	r.JSON(t, &c)
	if c.Provider != "webrtc" || c.RoomID == "" || c.Token == "" || c.Appointment.ID != a.ID {
		t.Fatalf("credential = %+v", c)
	}
	if !c.ExpiresAt.Equal(a.End.Add(30 * time.Minute)) {
		t.Errorf("expires_at = %v, want the end plus 30 min (%v)", c.ExpiresAt, a.End.Add(30*time.Minute))
	}
	if d := time.Since(c.NotBefore); d < -time.Minute || d > time.Minute {
		t.Errorf("not_before = %v, want about now", c.NotBefore)
	}
	return c
}

func problem(t *testing.T, r *harness.Resp, status int, field string, words ...string) harness.Problem {
	t.Helper()
	r.Want(t, status)
	p := r.Problem(t)
	if field != "" && !p.HasField(field) {
		t.Errorf("problem %s does not name %q", r.Body, field)
	}
	text := p.Detail
	for _, e := range p.Errors {
		text += " " + e.Message
	}
	for _, w := range words {
		if !strings.Contains(text, w) {
			t.Errorf("problem %s does not say %q", r.Body, w)
		}
	}
	return p
}

// rooms counts the appointment's stored rooms and the ended ones.
func rooms(t *testing.T, h *harness.H, appointmentID string) (n, ended int) {
	t.Helper()
	ctx := context.Background()
	q := h.App.DB.NewSelect().Table("scheduling_video_rooms").Where("appointment_id = ?", appointmentID)
	c, err := q.Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e, err := h.App.DB.NewSelect().Table("scheduling_video_rooms").Where("appointment_id = ? AND ended_at IS NOT NULL", appointmentID).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return int(c), int(e)
}

func TestTelemedicine(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		pro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{})
		publish(t, h, pro, "telemedicine")
		alice := harness.SignUpPatient(t, h)

		t.Run("patient and professional join inside the window", func(t *testing.T) {
			a := bookSoon(t, h, alice, pro)
			pc := joined(t, h, a, alice)
			if pc.Moderator {
				t.Error("the patient is moderator")
			}
			rc := joined(t, h, a, pro)
			if !rc.Moderator || rc.RoomID != pc.RoomID {
				t.Errorf("professional's credential = %+v (patient's room %s)", rc, pc.RoomID)
			}
			if pc.Token == rc.Token {
				t.Error("both participants got the same token")
			}

			// Concurrent joins share the one room.
			var wg sync.WaitGroup
			ids := make([]string, 12)
			for i := range ids {
				wg.Add(1)
				go func() {
					defer wg.Done()
					who := alice
					if i%2 == 1 {
						who = pro
					}
					var c credential
					join(h, t, a.ID, who.Token).Want(t, http.StatusOK).JSON(t, &c)
					ids[i] = c.RoomID
				}()
			}
			wg.Wait()
			for i, id := range ids {
				if id != pc.RoomID {
					t.Errorf("join %d: room %q, want %q", i, id, pc.RoomID)
				}
			}
			if n, _ := rooms(t, h, a.ID); n != 1 {
				t.Errorf("%d rooms stored, want 1", n)
			}

			// Nobody else: strangers learn nothing, an admin is refused.
			bob := harness.SignUpPatient(t, h)
			other := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{})
			hosp := harness.SignUpVerifiedCompany(t, h, "hospital")
			admin := harness.AdminLogin(t, h)
			for _, c := range []struct {
				who    string
				token  string
				status int
			}{{"another patient", bob.Token, 404}, {"another professional", other.Token, 404}, {"a company member", hosp.Token, 404},
				{"the platform admin", admin.Token, 403}, {"nobody", "", 401}} {
				if r := join(h, t, a.ID, c.token); r.Status != c.status {
					t.Errorf("%s: %d, want %d: %s", c.who, r.Status, c.status, r.Body)
				}
			}
			problem(t, join(h, t, "0190a0b0-0000-7000-8000-000000000000", alice.Token), 404, "")
			problem(t, join(h, t, "nao-e-um-id", alice.Token), 404, "")
		})

		t.Run("before the window the room says when it opens", func(t *testing.T) {
			s := slotStarting(t, h, pro, 2*time.Hour, 3*time.Hour)
			a := book(t, h, alice, pro, s)
			opens := a.Start.Add(-15 * time.Minute).In(sp)
			want := "A sala abre "
			if y, m, d := opens.Date(); y != time.Now().In(sp).Year() || m != time.Now().In(sp).Month() || d != time.Now().In(sp).Day() {
				want += "em " + opens.Format("02/01/2006") + " "
			}
			want += "às " + opens.Format("15:04") + " (horário de Brasília)"
			problem(t, join(h, t, a.ID, alice.Token), 409, "start", want)
			problem(t, join(h, t, a.ID, pro.Token), 409, "start", want)
			if n, _ := rooms(t, h, a.ID); n != 0 {
				t.Errorf("a room was created before the window")
			}
		})

		// A professional has two or three slots starting in the next 14
		// minutes: each scenario below books its own professional's.
		newPro := func(t *testing.T, mode string) harness.Account {
			p := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{})
			publish(t, h, p, mode)
			return p
		}

		t.Run("in-person appointments have no room", func(t *testing.T) {
			inPro := newPro(t, "in_person")
			a := bookSoon(t, h, alice, inPro)
			problem(t, join(h, t, a.ID, alice.Token), 409, "mode", "presencial")
			problem(t, join(h, t, a.ID, inPro.Token), 409, "mode")
			problem(t, h.Post(t, "/v1/appointments/"+a.ID+"/in-person", alice.Token, nil), 409, "mode", "já é presencial")
		})

		t.Run("without the telemedicine consent no one joins", func(t *testing.T) {
			pro := newPro(t, "telemedicine")
			carol := harness.SignUpPatient(t, h)
			a := bookSoon(t, h, carol, pro)
			harness.RevokeConsents(t, h, carol, "telemedicine")
			for _, who := range []harness.Account{carol, pro} {
				r := join(h, t, a.ID, who.Token)
				problem(t, r, 409, "")
				var body struct {
					Consent struct {
						Purpose string `json:"purpose"`
					} `json:"consent"`
				}
				r.JSON(t, &body)
				if body.Consent.Purpose != "telemedicine" {
					t.Errorf("the problem names no telemedicine term: %s", r.Body)
				}
			}
			harness.GrantConsents(t, h, carol, "telemedicine")
			joined(t, h, a, carol)
		})

		t.Run("cancelling ends the room", func(t *testing.T) {
			pro := newPro(t, "telemedicine")
			dave := harness.SignUpPatient(t, h)
			a := bookSoon(t, h, dave, pro)
			joined(t, h, a, dave)
			h.Post(t, "/v1/appointments/"+a.ID+"/cancel", pro.Token, map[string]any{"reason": "imprevisto"}).Want(t, http.StatusOK)
			problem(t, join(h, t, a.ID, dave.Token), 410, "", "cancelada")
			problem(t, join(h, t, a.ID, pro.Token), 410, "", "cancelada")
			harness.Eventually(t, 15*time.Second, func() error {
				if n, ended := rooms(t, h, a.ID); n != 1 || ended != 1 {
					return fmt.Errorf("%d rooms, %d ended", n, ended)
				}
				return nil
			})
		})

		t.Run("switching to in person", func(t *testing.T) {
			pro2 := newPro(t, "telemedicine")
			erin := harness.SignUpPatient(t, h)
			a := bookSoon(t, h, erin, pro2)
			joined(t, h, a, erin)
			// Not offered in person at that time: reschedule instead.
			problem(t, h.Post(t, "/v1/appointments/"+a.ID+"/in-person", erin.Token, nil), 409, "mode", "remarque")
			problem(t, h.Post(t, "/v1/appointments/"+a.ID+"/in-person", alice.Token, nil), 404, "")
			// The professional now sees patients in person all day.
			publish(t, h, pro2, "in_person")
			var out appointment
			h.Post(t, "/v1/appointments/"+a.ID+"/in-person", erin.Token, nil).Want(t, http.StatusOK).JSON(t, &out)
			if out.Mode != "in_person" || out.Status != "confirmed" || !out.Start.Equal(a.Start) || out.Place != "Consultório 12" {
				t.Errorf("after the switch: %+v", out)
			}
			problem(t, join(h, t, a.ID, erin.Token), 409, "mode", "presencial")
			problem(t, h.Post(t, "/v1/appointments/"+a.ID+"/in-person", pro2.Token, nil), 409, "mode", "já é presencial")
			harness.Eventually(t, 15*time.Second, func() error {
				if _, ended := rooms(t, h, a.ID); ended != 1 {
					return fmt.Errorf("the room is not ended")
				}
				return nil
			})
		})
	})
}
