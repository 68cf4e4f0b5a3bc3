// Package registers_test drives the controller's registers of issue 12 through
// HTTP: the patient's sharing report, the record of processing activities and
// the incident register.
package registers_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/test/e2e/harness"
)

var sp, _ = time.LoadLocation("America/Sao_Paulo")

type line struct {
	Recipient struct {
		Kind string `json:"kind"`
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"recipient"`
	Category     string    `json:"category"`
	CategoryName string    `json:"category_name"`
	Basis        string    `json:"basis"`
	BasisName    string    `json:"basis_name"`
	FirstAt      time.Time `json:"first_at"`
	LastAt       time.Time `json:"last_at"`
	Count        int       `json:"count"`
}

func TestSharingReport(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		doctor := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dra. Agenda", Modes: []string{"in_person"}})
		shared := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dr. Convidado"})
		er := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dr. Plantão"})
		pat := harness.SignUpPatient(t, h)
		other := harness.SignUpPatient(t, h)

		// a care relationship: an in-person booking, then the doctor writes and reads
		var weekly []map[string]any
		for _, d := range []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
			weekly = append(weekly, map[string]any{"weekday": d, "start": "00:00", "end": "24:00", "mode": "in_person"})
		}
		h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/professionals/" + doctor.ID + "/availability", Token: doctor.Token,
			Body: map[string]any{"time_zone": "America/Sao_Paulo", "slot_minutes": 30, "buffer_minutes": 0, "min_notice_hours": 2,
				"horizon_days": 30, "cancel_until_hours": 0, "weekly": weekly, "exceptions": []any{}}}).Want(t, http.StatusOK)
		day := time.Now().In(sp).AddDate(0, 0, 2).Format("2006-01-02")
		var slots struct {
			Items []struct {
				Start time.Time `json:"start"`
			} `json:"items"`
		}
		h.Get(t, "/v1/professionals/"+doctor.ID+"/slots?from="+day+"&to="+day, "").Want(t, http.StatusOK).JSON(t, &slots)
		if len(slots.Items) < 5 {
			t.Fatalf("slots = %d", len(slots.Items))
		}
		h.Post(t, "/v1/appointments", pat.Token, map[string]any{"professional_id": doctor.ID, "start": slots.Items[4].Start.Format(time.RFC3339)}).
			Want(t, http.StatusCreated)
		ev := h.Post(t, "/v1/patients/"+pat.ID+"/evaluations", doctor.Token, map[string]any{"kind": "simplified", "reason": "check-up"}).
			Want(t, http.StatusCreated).Map(t)
		h.Get(t, "/v1/evaluations/"+ev["id"].(string), doctor.Token).Want(t, http.StatusOK)
		h.Get(t, "/v1/evaluations/"+ev["id"].(string), doctor.Token).Want(t, http.StatusOK)

		// a share the patient grants, and the guest reads the history
		until := time.Now().Add(7 * 24 * time.Hour).Format(time.RFC3339)
		h.Post(t, "/v1/me/record-shares", pat.Token, map[string]any{"professional_id": shared.ID, "until": until}).Want(t, http.StatusCreated)
		h.Get(t, "/v1/patients/"+pat.ID+"/history", shared.Token).Want(t, http.StatusOK)

		// break-the-glass
		h.Post(t, "/v1/patients/"+pat.ID+"/break-the-glass", er.Token, map[string]any{"reason": "paciente inconsciente no pronto-socorro"}).
			Want(t, http.StatusCreated)
		// the patient's own reads are not sharing
		h.Get(t, "/v1/patients/"+pat.ID+"/history", pat.Token).Want(t, http.StatusOK)

		var rep struct {
			Items       []line    `json:"items"`
			Truncated   bool      `json:"truncated"`
			GeneratedAt time.Time `json:"generated_at"`
		}
		h.Get(t, "/v1/me/sharing", pat.Token).Want(t, http.StatusOK).JSON(t, &rep)
		byWho := map[string][]line{}
		for _, l := range rep.Items {
			if l.Recipient.ID == pat.ID {
				t.Errorf("the patient's own read is in the report: %+v", l)
			}
			byWho[l.Recipient.ID] = append(byWho[l.Recipient.ID], l)
		}
		want := map[string]struct{ name, basis string }{doctor.ID: {"Dra. Agenda", "care"}, shared.ID: {"Dr. Convidado", "share"}, er.ID: {"Dr. Plantão", "emergency"}}
		for id, w := range want {
			ls := byWho[id]
			if len(ls) == 0 {
				t.Errorf("%s is not in the report: %+v", w.name, rep.Items)
				continue
			}
			found := false
			for _, l := range ls {
				if l.Basis == w.basis && l.Recipient.Name == w.name && l.Recipient.Kind == "professional" && l.Category == consent.ClassClinical &&
					l.CategoryName == "Prontuário" && l.BasisName != "" && l.Count >= 1 && !l.FirstAt.After(l.LastAt) {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: no %s line: %+v", w.name, w.basis, ls)
			}
		}
		for _, l := range byWho[doctor.ID] {
			if l.Basis == "care" && l.Count < 2 {
				t.Errorf("the doctor's reads were not counted: %+v", l)
			}
		}
		if rep.Truncated || rep.GeneratedAt.IsZero() {
			t.Errorf("truncated %v, generated at %v", rep.Truncated, rep.GeneratedAt)
		}

		// another patient's report is theirs alone: nothing of this patient
		var empty struct {
			Items []line `json:"items"`
		}
		h.Get(t, "/v1/me/sharing", other.Token).Want(t, http.StatusOK).JSON(t, &empty)
		if len(empty.Items) != 0 {
			t.Errorf("another patient's report lists %+v", empty.Items)
		}
		h.Get(t, "/v1/me/sharing", doctor.Token).Want(t, http.StatusForbidden)
		h.Get(t, "/v1/me/sharing", "").Want(t, http.StatusUnauthorized)
	})
}

func TestProcessingActivities(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		admin := harness.AdminLogin(t, h)
		var out struct {
			Items []struct {
				DataClass       string   `json:"data_class"`
				LegalBasis      string   `json:"legal_basis"`
				Retention       string   `json:"retention"`
				RetentionYears  int      `json:"retention_years"`
				OnErasure       string   `json:"on_erasure"`
				ConsentRequired []string `json:"consent_required"`
				Measures        []string `json:"security_measures"`
			} `json:"items"`
		}
		h.Get(t, "/v1/admin/processing-activities", admin.Token).Want(t, http.StatusOK).JSON(t, &out)
		classes := consent.DataClasses()
		if len(out.Items) != len(classes) {
			t.Fatalf("%d activities for %d data classes", len(out.Items), len(classes))
		}
		for i, c := range classes {
			a := out.Items[i]
			if a.DataClass != c.Code || a.LegalBasis != c.LegalBasis || a.RetentionYears != c.RetentionYears || a.OnErasure != string(c.OnErasure) || len(a.Measures) == 0 {
				t.Errorf("activity %s does not follow the data map: %+v", c.Code, a)
			}
		}
		clin := out.Items[1]
		if clin.DataClass != consent.ClassClinical || !strings.Contains(clin.Retention, "20 anos") || !strings.Contains(clin.Retention, "13.787") {
			t.Errorf("clinical retention: %+v", clin)
		}
		pat := harness.SignUpPatient(t, h)
		h.Get(t, "/v1/admin/processing-activities", pat.Token).Want(t, http.StatusForbidden)
	})
}

func TestIncidentRegister(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		admin := harness.AdminLogin(t, h)
		pat := harness.SignUpPatient(t, h)

		bad := h.Post(t, "/v1/admin/incidents", admin.Token, map[string]any{"categories": []string{"nada"}, "risk": "enorme",
			"detected_at": time.Now().Add(48 * time.Hour).Format(time.RFC3339), "subjects_affected": -1}).Want(t, http.StatusBadRequest).Problem(t)
		for _, f := range []string{"title", "description", "risk_reasoning", "risk", "detected_at", "subjects_affected"} {
			if !bad.HasField(f) {
				t.Errorf("no field error for %s: %v", f, bad.Fields())
			}
		}
		// detected on Thursday 2026-04-02 at 15:00 in Brasília: Good Friday and the weekend do not count
		detected := time.Date(2026, 4, 2, 15, 0, 0, 0, sp)
		body := map[string]any{"title": "Acesso indevido a prontuários", "description": "Um token vazado permitiu ler avaliações.",
			"occurred_at": detected.Add(-6 * time.Hour).Format(time.RFC3339), "detected_at": detected.Format(time.RFC3339),
			"categories": []string{"clinical_records", "account"}, "subjects_affected": 42, "subjects_estimated": true,
			"risk": "high", "risk_reasoning": "Dados de saúde identificáveis foram lidos."}
		h.Post(t, "/v1/admin/incidents", pat.Token, body).Want(t, http.StatusForbidden)
		r := h.Post(t, "/v1/admin/incidents", admin.Token, body).Want(t, http.StatusCreated)
		var inc struct {
			ID                   string     `json:"id"`
			NotifyDeadline       time.Time  `json:"notify_deadline"`
			NotificationRequired bool       `json:"notification_required"`
			ANPDNoticeDraft      string     `json:"anpd_notice_draft"`
			SubjectNoticeDraft   string     `json:"subject_notice_draft"`
			RetainUntil          time.Time  `json:"retain_until"`
			Version              int        `json:"version"`
			Measures             string     `json:"measures"`
			ANPDNotifiedAt       *time.Time `json:"anpd_notified_at"`
		}
		r.JSON(t, &inc)
		if r.Header.Get("ETag") != `"1"` || !strings.HasSuffix(r.Header.Get("Location"), "/v1/admin/incidents/"+inc.ID) {
			t.Errorf("ETag %q, Location %q", r.Header.Get("ETag"), r.Header.Get("Location"))
		}
		if got := inc.NotifyDeadline.In(sp).Format("2006-01-02 15:04"); got != "2026-04-08 23:59" || !inc.NotificationRequired {
			t.Errorf("deadline %s (required %v), want 2026-04-08 23:59 in Brasília", got, inc.NotificationRequired)
		}
		for _, want := range []string{"aproximadamente 42 titulares", "08/04/2026", "dados pessoais sensíveis", "02/04/2026 às 15h00"} {
			if !strings.Contains(inc.ANPDNoticeDraft, want) {
				t.Errorf("the ANPD draft lacks %q:\n%s", want, inc.ANPDNoticeDraft)
			}
		}
		if !strings.Contains(inc.SubjectNoticeDraft, "dados de saúde") || inc.RetainUntil.Year() < time.Now().Year()+5 {
			t.Errorf("subject draft or retention: %s / %v", inc.SubjectNoticeDraft, inc.RetainUntil)
		}

		path := "/v1/admin/incidents/" + inc.ID
		patch := map[string]any{"measures": "Token revogado e sessões encerradas.", "anpd_notified_at": time.Now().Format(time.RFC3339)}
		h.Do(t, harness.Req{Method: http.MethodPatch, Path: path, Token: admin.Token, Body: patch}).Want(t, http.StatusBadRequest)
		h.Do(t, harness.Req{Method: http.MethodPatch, Path: path, Token: admin.Token, Body: patch, Headers: map[string]string{"If-Match": `"7"`}}).
			Want(t, http.StatusPreconditionFailed)
		up := h.Do(t, harness.Req{Method: http.MethodPatch, Path: path, Token: admin.Token, Body: patch, Headers: map[string]string{"If-Match": `"1"`}}).
			Want(t, http.StatusOK)
		up.JSON(t, &inc)
		if inc.Version != 2 || inc.ANPDNotifiedAt == nil || !strings.Contains(inc.ANPDNoticeDraft, "Token revogado") || up.Header.Get("ETag") != `"2"` {
			t.Errorf("after the update: %+v", inc)
		}
		h.Get(t, path, admin.Token).Want(t, http.StatusOK)
		h.Get(t, path, pat.Token).Want(t, http.StatusForbidden)
		h.Get(t, "/v1/admin/incidents/00000000-0000-7000-8000-000000000000", admin.Token).Want(t, http.StatusNotFound)
		h.Do(t, harness.Req{Method: http.MethodDelete, Path: path, Token: admin.Token}).Want(t, http.StatusNotFound) // no route deletes an incident

		var list struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		h.Post(t, "/v1/admin/incidents", admin.Token, body).Want(t, http.StatusCreated)
		h.Get(t, "/v1/admin/incidents?limit=1", admin.Token).Want(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID == inc.ID {
			t.Errorf("list: %+v (newest first)", list.Items)
		}
	})
}
