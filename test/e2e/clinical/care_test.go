package clinical_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

var sp, _ = time.LoadLocation("America/Sao_Paulo")

// TestCareRelationFromBooking: a booked (confirmed) appointment opens the
// patient's record to that professional only; an evaluation can be tied to it;
// the history shows it; the dashboard shows the active plan.
func TestCareRelationFromBooking(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		pro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dra. Agenda"})
		other := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dr. Alheio"})
		pat := harness.SignUpPatient(t, h)
		var weekly []map[string]any
		for _, d := range []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
			weekly = append(weekly, map[string]any{"weekday": d, "start": "00:00", "end": "24:00", "mode": "telemedicine"})
		}
		h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/professionals/" + pro.ID + "/availability", Token: pro.Token,
			Body: map[string]any{"time_zone": "America/Sao_Paulo", "slot_minutes": 30, "buffer_minutes": 0, "min_notice_hours": 2,
				"horizon_days": 30, "cancel_until_hours": 0, "weekly": weekly, "exceptions": []any{}}}).Want(t, http.StatusOK)

		hist := "/v1/patients/" + pat.ID + "/history"
		h.Get(t, hist, pro.Token).Want(t, http.StatusNotFound) // no relationship yet

		day := time.Now().In(sp).AddDate(0, 0, 2).Format("2006-01-02")
		var slots struct {
			Items []struct {
				Start time.Time `json:"start"`
			} `json:"items"`
		}
		h.Get(t, "/v1/professionals/"+pro.ID+"/slots?from="+day+"&to="+day, "").Want(t, http.StatusOK).JSON(t, &slots)
		if len(slots.Items) < 5 {
			t.Fatalf("slots = %d", len(slots.Items))
		}
		appt := h.Post(t, "/v1/appointments", pat.Token, map[string]any{"professional_id": pro.ID, "start": slots.Items[4].Start.Format(time.RFC3339)}).
			Want(t, http.StatusCreated).Map(t)

		// the booking opens the record to this professional, not to another
		h.Get(t, hist, pro.Token).Want(t, http.StatusOK)
		h.Get(t, hist, other.Token).Want(t, http.StatusNotFound)
		ev := h.Post(t, "/v1/patients/"+pat.ID+"/evaluations", pro.Token, map[string]any{"kind": "detailed", "appointment_id": appt["id"],
			"chief_complaint": "cefaleia", "assessment": "cefaleia tensional", "icd10": []string{"G44.2"}, "plan": "analgesia",
			"vital_signs": map[string]any{"systolic_mmhg": 130, "diastolic_mmhg": 85}, "sign": true}).Want(t, http.StatusCreated).Map(t)
		if ev["signed_at"] == nil || ev["appointment_id"] != appt["id"] {
			t.Fatalf("evaluation = %v", ev)
		}
		p := h.Post(t, "/v1/patients/"+pat.ID+"/evaluations", other.Token, map[string]any{"kind": "simplified", "reason": "x", "appointment_id": appt["id"]})
		p.Want(t, http.StatusNotFound)
		otherAppt := h.Post(t, "/v1/patients/"+pat.ID+"/evaluations", pro.Token, map[string]any{"kind": "simplified", "reason": "x",
			"appointment_id": "01a22400-0000-7000-8000-000000000000"}).Want(t, http.StatusUnprocessableEntity).Problem(t)
		if !otherAppt.HasField("appointment_id") {
			t.Fatalf("fields = %v", otherAppt.Fields())
		}

		// the plan shows on the patient's dashboard
		pl := h.Post(t, "/v1/patients/"+pat.ID+"/treatment-plans", pro.Token, map[string]any{"title": "Controle da cefaleia", "start": time.Now().Format("2006-01-02"),
			"status": "active", "items": []any{map[string]any{"kind": "medication", "name": "Paracetamol 750 mg", "dosage": "1 cp", "frequency": "se dor, até 6/6h", "tags": []string{"drug:paracetamol"}}}}).
			Want(t, http.StatusCreated).Map(t)
		var dash struct {
			TreatmentPlans []struct {
				ID string `json:"id"`
			} `json:"treatment_plans"`
		}
		h.Get(t, "/v1/me/dashboard", pat.Token).Want(t, http.StatusOK).JSON(t, &dash)
		if len(dash.TreatmentPlans) != 1 || dash.TreatmentPlans[0].ID != pl["id"] {
			t.Fatalf("dashboard plans = %+v", dash.TreatmentPlans)
		}

		// the timeline holds the appointment, the evaluation and the plan
		var tl struct {
			Items []struct {
				Kind string `json:"kind"`
				ID   string `json:"id"`
			} `json:"items"`
		}
		h.Get(t, hist, pat.Token).Want(t, http.StatusOK).JSON(t, &tl)
		kinds := map[string]bool{}
		for _, it := range tl.Items {
			kinds[it.Kind] = true
		}
		if !kinds["appointment"] || !kinds["evaluation"] || !kinds["treatment_plan"] {
			t.Fatalf("history = %+v", tl.Items)
		}
		h.Get(t, hist+"?kind=appointment", pat.Token).Want(t, http.StatusOK).JSON(t, &tl)
		if len(tl.Items) != 1 || tl.Items[0].ID != appt["id"] {
			t.Fatalf("appointments only = %+v", tl.Items)
		}
		// cancelling the only appointment ends the relationship
		h.Post(t, "/v1/appointments/"+appt["id"].(string)+"/cancel", pat.Token, map[string]any{"reason": "viagem"}).Want(t, http.StatusOK)
		h.Get(t, hist, pro.Token).Want(t, http.StatusNotFound)
	})
}
