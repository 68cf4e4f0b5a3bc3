package scheduling_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

// TestRemindersThroughTheWorker follows a booking's events through the outbox, the
// queue and the scheduling worker: two reminder jobs in the durable scheduler,
// removed on cancel, and the patient told in-app.
func TestRemindersThroughTheWorker(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		pro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{})
		pt := harness.SignUpPatient(t, h)
		av := allDay(0)
		av["time_zone"] = "America/Manaus" // notifications show the appointment's local time
		h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/professionals/" + pro.ID + "/availability", Token: pro.Token, Body: av}).Want(t, http.StatusOK)
		ss := slotsOn(t, h, "/v1/professionals/"+pro.ID+"/slots", time.Now().In(sp).AddDate(0, 0, 3))
		var a appointment
		book(t, h, pt.Token, map[string]any{"professional_id": pro.ID, "start": ss[4].Start.Format(time.RFC3339)}, "").Want(t, http.StatusCreated).JSON(t, &a)

		jobs := func() (map[string]int64, error) {
			var rows []struct {
				ID    string `bun:"id"`
				DueAt int64  `bun:"due_at"`
			}
			err := h.App.DB.NewSelect().Table("scheduled_jobs").Column("id", "due_at").Where("id LIKE ?", "scheduling-reminder-"+a.ID+"-%").Scan(context.Background(), &rows)
			out := map[string]int64{}
			for _, r := range rows {
				out[r.ID] = r.DueAt
			}
			return out, err
		}
		harness.Eventually(t, 10*time.Second, func() error {
			js, err := jobs()
			if err != nil || len(js) != 2 {
				return fmt.Errorf("jobs %v %v", js, err)
			}
			if due := js["scheduling-reminder-"+a.ID+"-1h"]; due != a.Start.Add(-time.Hour).UnixMilli() {
				return fmt.Errorf("1h reminder due at %d, want %d", due, a.Start.Add(-time.Hour).UnixMilli())
			}
			return nil
		})
		h.Post(t, "/v1/appointments/"+a.ID+"/cancel", pt.Token, map[string]any{"reason": "travel"}).Want(t, http.StatusOK)
		harness.Eventually(t, 10*time.Second, func() error {
			js, err := jobs()
			if err != nil || len(js) != 0 {
				return fmt.Errorf("jobs left %v %v", js, err)
			}
			var l struct {
				Items []struct {
					Kind  string            `json:"kind"`
					Title string            `json:"title"`
					Body  string            `json:"body"`
					Data  map[string]string `json:"data"`
				} `json:"items"`
			}
			h.Get(t, "/v1/me/notifications", pt.Token).Want(t, http.StatusOK).JSON(t, &l)
			if len(l.Items) != 1 || l.Items[0].Kind != "appointment_cancelled" || l.Items[0].Data["appointment_id"] != a.ID {
				return fmt.Errorf("notifications %+v", l.Items)
			}
			manaus, _ := time.LoadLocation("America/Manaus")
			local := a.Start.In(manaus)
			weekday := [...]string{"domingo", "segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado"}[local.Weekday()]
			want := "Sua consulta marcada para " + weekday + ", " + local.Format("02/01/2006") + " às " + local.Format("15:04") + " foi cancelada."
			if n := l.Items[0]; n.Title != "Consulta cancelada" || !strings.HasPrefix(n.Body, want) {
				t.Fatalf("cancel notice %q / %q, want the body to start with %q", n.Title, n.Body, want)
			}
			return nil
		})
	})
}
