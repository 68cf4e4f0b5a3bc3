// Package scheduling_test drives scheduling over HTTP as its users do.
package scheduling_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/test/e2e/harness"
)

type slot struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Mode  string    `json:"mode"`
}

type appointment struct {
	ID          string    `json:"id"`
	Status      string    `json:"status"`
	Start       time.Time `json:"start"`
	PatientID   string    `json:"patient_id"`
	PatientName string    `json:"patient_name"`
}

var sp, _ = time.LoadLocation("America/Sao_Paulo")

// allDay is open every day, all day, so the test does not depend on the hour it runs.
func allDay(cancelHours int) map[string]any {
	var weekly []map[string]any
	for _, d := range []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
		weekly = append(weekly, map[string]any{"weekday": d, "start": "00:00", "end": "12:00", "mode": "in_person"},
			map[string]any{"weekday": d, "start": "12:00", "end": "24:00", "mode": "telemedicine"})
	}
	return map[string]any{"time_zone": "America/Sao_Paulo", "slot_minutes": 30, "buffer_minutes": 0, "min_notice_hours": 2,
		"horizon_days": 30, "cancel_until_hours": cancelHours, "weekly": weekly, "exceptions": []any{}}
}

func slotsOn(t *testing.T, h *harness.H, path string, day time.Time) []slot {
	t.Helper()
	d := day.In(sp).Format("2006-01-02")
	var l struct {
		Items []slot `json:"items"`
	}
	h.Get(t, path+"?from="+d+"&to="+d, "").Want(t, http.StatusOK).JSON(t, &l)
	return l.Items
}

func has(ss []slot, start time.Time) bool {
	for _, s := range ss {
		if s.Start.Equal(start) {
			return true
		}
	}
	return false
}

func book(t *testing.T, h *harness.H, token string, body map[string]any, key string) *harness.Resp {
	t.Helper()
	hd := map[string]string{}
	if key != "" {
		hd["Idempotency-Key"] = key
	}
	return h.Do(t, harness.Req{Method: http.MethodPost, Path: "/v1/appointments", Token: token, Body: body, Headers: hd})
}

func TestBookingJourney(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		pro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Specialties: []string{"cardiology"}})
		other := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Specialties: []string{"dermatology"}})
		alice := harness.SignUpPatient(t, h)
		bob := harness.SignUpPatient(t, h)
		avPath := "/v1/professionals/" + pro.ID + "/availability"

		// Bad availability names every field; nobody else may publish it.
		bad := allDay(24)
		bad["time_zone"] = "Mars/Olympus"
		bad["weekly"] = []map[string]any{{"weekday": "monday", "start": "10:00", "end": "09:00", "mode": "in_person"},
			{"weekday": "funday", "start": "8h", "end": "09:00", "mode": "x"}}
		pr := h.Do(t, harness.Req{Method: http.MethodPut, Path: avPath, Token: pro.Token, Body: bad}).Want(t, http.StatusBadRequest).Problem(t)
		for _, f := range []string{"time_zone", "weekly[0].end", "weekly[1].weekday", "weekly[1].start", "weekly[1].mode"} {
			if !pr.HasField(f) {
				t.Errorf("bad availability: %v does not name %s", pr.Fields(), f)
			}
		}
		h.Do(t, harness.Req{Method: http.MethodPut, Path: avPath, Token: other.Token, Body: allDay(24)}).Want(t, http.StatusForbidden)
		h.Do(t, harness.Req{Method: http.MethodPut, Path: avPath, Token: alice.Token, Body: allDay(24)}).Want(t, http.StatusForbidden)

		// Publish, then two tabs: the stale one gets 412.
		r := h.Do(t, harness.Req{Method: http.MethodPut, Path: avPath, Token: pro.Token, Body: allDay(24)}).Want(t, http.StatusOK)
		etag := r.Header.Get("ETag")
		if etag != `"1"` {
			t.Fatalf("ETag %q", etag)
		}
		h.Do(t, harness.Req{Method: http.MethodPut, Path: avPath, Token: pro.Token, Body: allDay(24), Headers: map[string]string{"If-Match": etag}}).Want(t, http.StatusOK)
		h.Do(t, harness.Req{Method: http.MethodPut, Path: avPath, Token: pro.Token, Body: allDay(24), Headers: map[string]string{"If-Match": etag}}).Want(t, http.StatusPreconditionFailed)
		h.Get(t, avPath, alice.Token).Want(t, http.StatusForbidden)

		// Search finds the professional with next free slots.
		var found struct {
			Items []struct {
				Professional struct{ ID string } `json:"professional"`
				NextSlots    []slot              `json:"next_slots"`
			} `json:"items"`
		}
		h.Get(t, "/v1/professionals?specialty=cardiology", "").Want(t, http.StatusOK).JSON(t, &found)
		ok := false
		for _, it := range found.Items {
			if it.Professional.ID == pro.ID && len(it.NextSlots) > 0 {
				ok = true
			}
		}
		if !ok {
			t.Fatalf("search did not find the professional with slots: %+v", found)
		}
		for q, field := range map[string]string{"near=abc": "near", "mode=teleport": "mode", "radius_km=x": "radius_km", "date=tomorrow": "date", "limit=500": "limit"} {
			if pr := h.Get(t, "/v1/professionals?"+q, "").Want(t, http.StatusBadRequest).Problem(t); !pr.HasField(field) {
				t.Errorf("search ?%s: problem does not name %s: %v", q, field, pr.Fields())
			}
		}

		// Alice books a slot three days out, with an Idempotency-Key.
		day := time.Now().In(sp).AddDate(0, 0, 3)
		slotsPath := "/v1/professionals/" + pro.ID + "/slots"
		ss := slotsOn(t, h, slotsPath, day)
		if len(ss) != 48 {
			t.Fatalf("%d slots on %s, want 48", len(ss), day.Format("2006-01-02"))
		}
		s1 := ss[20] // 10:00, in person
		body := map[string]any{"professional_id": pro.ID, "start": s1.Start.Format(time.RFC3339), "mode": "in_person", "reason": "check-up"}
		key := kernel.NewID()
		r1 := book(t, h, alice.Token, body, key).Want(t, http.StatusCreated)
		var a1 appointment
		r1.JSON(t, &a1)
		if a1.Status != "confirmed" || !a1.Start.Equal(s1.Start) {
			t.Fatalf("booked %+v", a1)
		}
		r2 := book(t, h, alice.Token, body, key).Want(t, http.StatusCreated)
		if string(r2.Body) != string(r1.Body) || r2.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay differs: %s vs %s", r2.Body, r1.Body)
		}
		body2 := map[string]any{"professional_id": pro.ID, "start": ss[21].Start.Format(time.RFC3339)}
		if p := book(t, h, alice.Token, body2, key).Want(t, http.StatusUnprocessableEntity).Problem(t); !p.HasField("Idempotency-Key") {
			t.Errorf("reused key names %v", p.Fields())
		}

		// Bob sees the slot gone and cannot take it; wrong mode, unoffered time, notice, horizon.
		if has(slotsOn(t, h, slotsPath, day), s1.Start) {
			t.Fatal("a booked slot is still offered")
		}
		if p := book(t, h, bob.Token, body, "").Want(t, http.StatusConflict).Problem(t); !p.HasField("start") {
			t.Errorf("taken slot names %v", p.Fields())
		}
		book(t, h, bob.Token, map[string]any{"professional_id": pro.ID, "start": ss[22].Start.Format(time.RFC3339), "mode": "telemedicine"}, "").Want(t, http.StatusConflict)
		book(t, h, bob.Token, map[string]any{"professional_id": pro.ID, "start": ss[22].Start.Add(7 * time.Minute).Format(time.RFC3339)}, "").Want(t, http.StatusConflict)
		book(t, h, bob.Token, map[string]any{"professional_id": pro.ID, "start": time.Now().Add(30 * time.Minute).Truncate(30 * time.Minute).Add(30 * time.Minute).Format(time.RFC3339)}, "").Want(t, http.StatusUnprocessableEntity)
		book(t, h, bob.Token, map[string]any{"professional_id": pro.ID, "start": time.Now().AddDate(0, 0, 40).Truncate(time.Hour).Format(time.RFC3339)}, "").Want(t, http.StatusUnprocessableEntity)
		if p := book(t, h, bob.Token, map[string]any{"professional_id": pro.ID, "start": "tomorrow"}, "").Want(t, http.StatusBadRequest).Problem(t); !p.HasField("start") {
			t.Errorf("bad start names %v", p.Fields())
		}
		book(t, h, bob.Token, map[string]any{"professional_id": kernel.NewID(), "start": s1.Start.Format(time.RFC3339)}, "").Want(t, http.StatusNotFound)
		book(t, h, pro.Token, body, "").Want(t, http.StatusForbidden)
		book(t, h, "", body, "").Want(t, http.StatusUnauthorized)

		// Who sees what.
		h.Get(t, "/v1/appointments/"+a1.ID, alice.Token).Want(t, http.StatusOK)
		h.Get(t, "/v1/appointments/"+a1.ID, bob.Token).Want(t, http.StatusNotFound)
		h.Get(t, "/v1/appointments/"+a1.ID, other.Token).Want(t, http.StatusNotFound)
		h.Get(t, "/v1/appointments/"+a1.ID, pro.Token).Want(t, http.StatusOK)
		var mine struct{ Items []appointment }
		h.Get(t, "/v1/appointments", bob.Token).Want(t, http.StatusOK).JSON(t, &mine)
		if len(mine.Items) != 0 {
			t.Fatalf("bob sees %d appointments", len(mine.Items))
		}
		d := day.In(sp).Format("2006-01-02")
		var agenda struct{ Items []appointment }
		h.Get(t, "/v1/professionals/"+pro.ID+"/agenda?from="+d+"&to="+d, pro.Token).Want(t, http.StatusOK).JSON(t, &agenda)
		if len(agenda.Items) != 1 || agenda.Items[0].PatientName == "" || agenda.Items[0].ID != a1.ID {
			t.Fatalf("agenda %+v", agenda.Items)
		}
		h.Get(t, "/v1/professionals/"+pro.ID+"/agenda?from="+d+"&to="+d, other.Token).Want(t, http.StatusForbidden)
		h.Get(t, "/v1/professionals/"+pro.ID+"/agenda?from="+d+"&to="+d, alice.Token).Want(t, http.StatusForbidden)

		// Bob waits for that day; Alice reschedules; the freed slot is offered to (and held for) Bob.
		h.Post(t, "/v1/waitlist", bob.Token, map[string]any{"professional_id": pro.ID, "from": d, "to": d}).Want(t, http.StatusCreated)
		h.Post(t, "/v1/waitlist", bob.Token, map[string]any{"professional_id": pro.ID, "from": d, "to": d}).Want(t, http.StatusConflict)
		s2 := ss[30]
		var moved appointment
		h.Post(t, "/v1/appointments/"+a1.ID+"/reschedule", alice.Token, map[string]any{"start": s2.Start.Format(time.RFC3339)}).Want(t, http.StatusOK).JSON(t, &moved)
		if !moved.Start.Equal(s2.Start) || moved.ID != a1.ID {
			t.Fatalf("rescheduled %+v", moved)
		}
		carol := harness.SignUpPatient(t, h)
		book(t, h, carol.Token, body, "").Want(t, http.StatusConflict) // held for Bob
		var notes struct {
			Items []struct {
				ID    string            `json:"id"`
				Kind  string            `json:"kind"`
				Title string            `json:"title"`
				Body  string            `json:"body"`
				Data  map[string]string `json:"data"`
			} `json:"items"`
		}
		h.Get(t, "/v1/me/notifications?unread=true", bob.Token).Want(t, http.StatusOK).JSON(t, &notes)
		if len(notes.Items) != 1 || notes.Items[0].Kind != "waitlist_offer" {
			t.Fatalf("bob's notifications %+v", notes.Items)
		}
		if n := notes.Items[0]; n.Title != "Abriu um horário para você" ||
			!strings.Contains(n.Body, ", "+s1.Start.In(sp).Format("02/01/2006")+" às "+s1.Start.In(sp).Format("15:04")+". Ele fica reservado para você até ") {
			t.Fatalf("waitlist offer %q / %q (freed slot %s)", n.Title, n.Body, s1.Start)
		}
		h.Post(t, "/v1/me/notifications/"+notes.Items[0].ID+"/read", alice.Token, nil).Want(t, http.StatusNotFound)
		h.Post(t, "/v1/me/notifications/"+notes.Items[0].ID+"/read", bob.Token, nil).Want(t, http.StatusNoContent)
		var bobs appointment
		book(t, h, bob.Token, body, "").Want(t, http.StatusCreated).JSON(t, &bobs)
		// Alice cannot move onto a taken slot; nothing changes.
		h.Post(t, "/v1/appointments/"+a1.ID+"/reschedule", alice.Token, map[string]any{"start": s1.Start.Format(time.RFC3339)}).Want(t, http.StatusConflict)

		// Cancel frees the slot; a second cancel is an illegal transition naming the state.
		var cancelled appointment
		h.Post(t, "/v1/appointments/"+a1.ID+"/cancel", alice.Token, map[string]any{"reason": "travel"}).Want(t, http.StatusOK).JSON(t, &cancelled)
		if cancelled.Status != "cancelled" {
			t.Fatalf("status %s", cancelled.Status)
		}
		if !has(slotsOn(t, h, slotsPath, day), s2.Start) {
			t.Fatal("a cancelled slot is not offered again")
		}
		p := h.Post(t, "/v1/appointments/"+a1.ID+"/cancel", alice.Token, map[string]any{}).Want(t, http.StatusConflict).Problem(t)
		if !p.HasField("status") {
			t.Errorf("illegal transition names %v (%s)", p.Fields(), p.Detail)
		}
		h.Post(t, "/v1/appointments/"+bobs.ID+"/complete", bob.Token, nil).Want(t, http.StatusForbidden)
		h.Post(t, "/v1/appointments/"+bobs.ID+"/complete", pro.Token, nil).Want(t, http.StatusUnprocessableEntity) // not started yet
		h.Post(t, "/v1/appointments/"+bobs.ID+"/no-show", other.Token, nil).Want(t, http.StatusNotFound)

		// Policy: a patient may not cancel within cancel_until_hours; the professional may.
		soon := slotsOn(t, h, slotsPath, time.Now().Add(3*time.Hour))
		var near slot
		for _, s := range soon {
			if s.Start.After(time.Now().Add(150*time.Minute)) && s.Start.Before(time.Now().Add(20*time.Hour)) {
				near = s
				break
			}
		}
		if !near.Start.IsZero() {
			var late appointment
			book(t, h, alice.Token, map[string]any{"professional_id": pro.ID, "start": near.Start.Format(time.RFC3339)}, "").Want(t, http.StatusCreated).JSON(t, &late)
			h.Post(t, "/v1/appointments/"+late.ID+"/cancel", alice.Token, map[string]any{}).Want(t, http.StatusUnprocessableEntity)
			h.Post(t, "/v1/appointments/"+late.ID+"/reschedule", alice.Token, map[string]any{"start": s2.Start.Format(time.RFC3339)}).Want(t, http.StatusUnprocessableEntity)
			h.Post(t, "/v1/appointments/"+late.ID+"/cancel", pro.Token, map[string]any{"reason": "emergency"}).Want(t, http.StatusOK)
		}

		// Dashboards.
		var dash struct {
			Upcoming            []appointment `json:"upcoming"`
			TreatmentPlans      []any         `json:"treatment_plans"`
			UnreadNotifications int           `json:"unread_notifications"`
		}
		h.Get(t, "/v1/me/dashboard", bob.Token).Want(t, http.StatusOK).JSON(t, &dash)
		if len(dash.Upcoming) != 1 || dash.Upcoming[0].ID != bobs.ID || dash.TreatmentPlans == nil {
			t.Fatalf("bob's dashboard %+v", dash)
		}
		h.Get(t, "/v1/me/dashboard", pro.Token).Want(t, http.StatusOK)
		h.Get(t, "/v1/me/dashboard", "").Want(t, http.StatusUnauthorized)
	})
}

func TestConcurrentBookingOverHTTP(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		pro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{})
		h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/professionals/" + pro.ID + "/availability", Token: pro.Token, Body: allDay(0)}).Want(t, http.StatusOK)
		ss := slotsOn(t, h, "/v1/professionals/"+pro.ID+"/slots", time.Now().In(sp).AddDate(0, 0, 2))
		const n = 8
		pts := make([]harness.Account, n)
		for i := range pts {
			pts[i] = harness.SignUpPatient(t, h)
		}
		body := map[string]any{"professional_id": pro.ID, "start": ss[10].Start.Format(time.RFC3339)}
		var mu sync.Mutex
		codes := map[int]int{}
		var wg sync.WaitGroup
		for i := range pts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := book(t, h, pts[i].Token, body, kernel.NewID())
				mu.Lock()
				codes[r.Status]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if codes[http.StatusCreated] != 1 || codes[http.StatusConflict] != n-1 {
			t.Fatalf("answers %v, want one 201 and %d 409", codes, n-1)
		}
	})
}

func TestExamCapacity(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		hosp := harness.SignUpVerifiedCompany(t, h, "hospital")
		patient := harness.SignUpPatient(t, h)
		exam := map[string]any{"name": "Ultrassonografia abdominal", "code": "40901122", "duration_minutes": 30,
			"preparation": "Jejum de 8 horas.", "price": map[string]any{"amount": 18000, "currency": "BRL"}, "capacity": 2}
		h.Post(t, "/v1/companies/"+hosp.CompanyID+"/exams", patient.Token, exam).Want(t, http.StatusForbidden)
		bad := map[string]any{"name": "", "duration_minutes": 1, "price": map[string]any{"amount": -1, "currency": "BRL"}, "capacity": 0}
		p := h.Post(t, "/v1/companies/"+hosp.CompanyID+"/exams", hosp.Token, bad).Want(t, http.StatusBadRequest).Problem(t)
		for _, f := range []string{"name", "duration_minutes", "price.amount", "capacity"} {
			if !p.HasField(f) {
				t.Errorf("bad exam: %v does not name %s", p.Fields(), f)
			}
		}
		var ex struct{ ID string }
		h.Post(t, "/v1/companies/"+hosp.CompanyID+"/exams", hosp.Token, exam).Want(t, http.StatusCreated).JSON(t, &ex)
		h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/exams/" + ex.ID + "/availability", Token: patient.Token, Body: allDay(0)}).Want(t, http.StatusForbidden)
		h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/exams/" + ex.ID + "/availability", Token: hosp.Token, Body: allDay(0)}).Want(t, http.StatusOK)
		var found struct {
			Items []struct {
				Exam struct{ ID string } `json:"exam"`
			} `json:"items"`
		}
		h.Get(t, "/v1/exams?name="+url.QueryEscape("ultrasson"), "").Want(t, http.StatusOK).JSON(t, &found)
		if len(found.Items) != 1 || found.Items[0].Exam.ID != ex.ID {
			t.Fatalf("exam search %+v", found)
		}
		ss := slotsOn(t, h, "/v1/exams/"+ex.ID+"/slots", time.Now().In(sp).AddDate(0, 0, 2))
		start := ss[5].Start
		body := map[string]any{"exam_service_id": ex.ID, "start": start.Format(time.RFC3339)}
		var ids []string
		for i := 0; i < 3; i++ {
			pt := harness.SignUpPatient(t, h)
			r := book(t, h, pt.Token, body, "")
			if i < 2 {
				var a appointment
				r.Want(t, http.StatusCreated).JSON(t, &a)
				ids = append(ids, a.ID)
				if i == 0 && !has(slotsOn(t, h, "/v1/exams/"+ex.ID+"/slots", start), start) {
					t.Fatal("a slot with one free seat is not offered")
				}
			} else {
				r.Want(t, http.StatusConflict)
			}
		}
		if has(slotsOn(t, h, "/v1/exams/"+ex.ID+"/slots", start), start) {
			t.Fatal("a full exam slot is still offered")
		}
		// Hospital staff see their exam bookings; a patient does not see others'.
		var l struct{ Items []appointment }
		h.Get(t, "/v1/appointments", hosp.Token).Want(t, http.StatusOK).JSON(t, &l)
		if len(l.Items) != 2 {
			t.Fatalf("hospital sees %d bookings", len(l.Items))
		}
		h.Get(t, "/v1/appointments/"+ids[0], patient.Token).Want(t, http.StatusNotFound)
		h.Post(t, "/v1/appointments/"+ids[0]+"/cancel", hosp.Token, map[string]any{"reason": "machine down"}).Want(t, http.StatusOK)
		if !has(slotsOn(t, h, "/v1/exams/"+ex.ID+"/slots", start), start) {
			t.Fatal("a cancelled seat is not offered again")
		}
	})
}
