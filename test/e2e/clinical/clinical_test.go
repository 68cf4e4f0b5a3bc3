// Package clinical_test drives the clinical record over HTTP as its users do:
// the permission table (patient A, patient B, the treating professional,
// another professional, break-the-glass, company staff, admin), evaluations
// with versions, plans with If-Match and progress, prescriptions signed,
// verified, dispensed once and rendered as PDF, encrypted documents, the
// history and the access log.
package clinical_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

type cast struct {
	patA, patB, doctor, nutri, other, er, hospitalStaff, pharmacy, admin harness.Account
}

func setup(t *testing.T, h *harness.H) cast {
	c := cast{
		patA:     harness.SignUpPatient(t, h),
		patB:     harness.SignUpPatient(t, h),
		doctor:   harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dra. Ana Lima"}),
		nutri:    harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Bia Nutri", Profession: "nutritionist", Specialties: []string{"clinical_nutrition"}}),
		other:    harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dr. Outro"}),
		er:       harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dr. Plantão"}),
		pharmacy: harness.SignUpVerifiedCompany(t, h, "pharmacy"),
		admin:    harness.AdminLogin(t, h),
	}
	hosp := harness.SignUpVerifiedCompany(t, h, "hospital")
	c.hospitalStaff = harness.AddCompanyStaff(t, h, hosp, "staff")
	// patient A opens the record to the doctor and the nutritionist (the care
	// relationship through appointments is covered by the service tests)
	until := time.Now().Add(30 * 24 * time.Hour).Format(time.RFC3339)
	for _, p := range []harness.Account{c.doctor, c.nutri} {
		h.Post(t, "/v1/me/record-shares", c.patA.Token, map[string]any{"professional_id": p.ID, "until": until}).Want(t, http.StatusCreated)
	}
	return c
}

func multipartUpload(kind, title, name string, content []byte) (io.Reader, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("kind", kind)
	_ = w.WriteField("title", title)
	fw, _ := w.CreateFormFile("file", name)
	_, _ = fw.Write(content)
	_ = w.Close()
	return &buf, w.FormDataContentType()
}

func upload(t *testing.T, h *harness.H, token, patientID, kind, name string, content []byte) *harness.Resp {
	body, ct := multipartUpload(kind, "exame", name, content)
	return h.Do(t, harness.Req{Method: http.MethodPost, Path: "/v1/patients/" + patientID + "/documents", Token: token, Body: body,
		Headers: map[string]string{"Content-Type": ct}})
}

var examPDF = append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("Glicemia de jejum: 92 mg/dL\n"), 300)...)

func TestClinicalRecord(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		c := setup(t, h)
		a := c.patA.ID

		// evaluations: ranges name the field; amendments keep the old version
		h.Post(t, "/v1/patients/"+a+"/evaluations", c.doctor.Token, map[string]any{"kind": "simplified", "reason": "febre",
			"vital_signs": map[string]any{"temperature_c": 420}}).Want(t, http.StatusUnprocessableEntity)
		ev := h.Post(t, "/v1/patients/"+a+"/evaluations", c.doctor.Token, map[string]any{"kind": "simplified", "reason": "check-up", "notes": "sem queixas",
			"vital_signs": map[string]any{"weight_kg": 70.5, "height_cm": 175, "temperature_c": 36.5, "heart_rate_bpm": 70,
				"systolic_mmhg": 120, "diastolic_mmhg": 80, "respiratory_rate_bpm": 16, "spo2_pct": 98}}).Want(t, http.StatusCreated).Map(t)
		evID := ev["id"].(string)
		h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/evaluations/" + evID, Token: c.doctor.Token, Headers: map[string]string{"If-Match": `"1"`},
			Body: map[string]any{"kind": "simplified", "reason": "check-up", "notes": "PA limítrofe", "amend_reason": "nota incompleta"}}).Want(t, http.StatusOK)
		h.Post(t, "/v1/evaluations/"+evID+"/sign", c.doctor.Token, nil).Want(t, http.StatusOK)
		vs := h.Get(t, "/v1/evaluations/"+evID+"/versions", c.patA.Token).Want(t, http.StatusOK).Map(t)
		if n := len(vs["items"].([]any)); n != 2 {
			t.Fatalf("versions = %d, want 2", n)
		}

		// a treatment plan with items for commerce matching; If-Match; patient progress
		pl := h.Post(t, "/v1/patients/"+a+"/treatment-plans", c.nutri.Token, map[string]any{"title": "Reeducação alimentar", "start": time.Now().Format("2006-01-02"),
			"status": "active", "goals": []string{"perder 5 kg"}, "items": []any{
				map[string]any{"kind": "diet", "name": "aveia", "quantity": "40 g no café", "tags": []string{"food:oats"}},
				map[string]any{"kind": "exercise", "name": "musculação", "frequency": "3x/semana", "intensity": "moderate", "needs_gym": true, "tags": []string{"activity:weight-training"}},
				map[string]any{"kind": "product", "name": "balança digital", "tags": []string{"device:scale"}}}}).Want(t, http.StatusCreated).Map(t)
		plID := pl["id"].(string)
		item := pl["items"].([]any)[1].(map[string]any)
		if sup := item["suppliers"].([]any); len(sup) != 2 || sup[0] != "gym" {
			t.Fatalf("exercise suppliers = %v", sup)
		}
		h.Post(t, "/v1/treatment-plans/"+plID+"/progress", c.patA.Token, map[string]any{"item_id": item["id"], "date": time.Now().Format("2006-01-02"), "done": true, "note": "fui à academia"}).Want(t, http.StatusCreated)
		h.Post(t, "/v1/treatment-plans/"+plID+"/progress", c.nutri.Token, map[string]any{"item_id": item["id"], "date": time.Now().Format("2006-01-02"), "done": true}).Want(t, http.StatusForbidden)
		upd := map[string]any{"title": "Reeducação alimentar", "start": time.Now().Format("2006-01-02"), "status": "active", "items": pl["items"]}
		h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/treatment-plans/" + plID, Token: c.nutri.Token, Body: upd}).Want(t, http.StatusBadRequest)
		h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/treatment-plans/" + plID, Token: c.nutri.Token, Body: upd, Headers: map[string]string{"If-Match": `"1"`}}).Want(t, http.StatusOK)
		h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/treatment-plans/" + plID, Token: c.nutri.Token, Body: upd, Headers: map[string]string{"If-Match": `"1"`}}).Want(t, http.StatusPreconditionFailed)

		// prescriptions: a nutritionist may not prescribe drugs; the doctor may; the pharmacy verifies and dispenses once
		rxBody := map[string]any{"type": "simple", "items": []any{map[string]any{"drug": "Losartana potássica", "concentration": "50 mg", "form": "tablet",
			"dosage": "1 tablet every 24 hours", "quantity": "30 tablets", "route": "oral", "instructions": "tomar pela manhã"}}}
		h.Post(t, "/v1/patients/"+a+"/prescriptions", c.nutri.Token, rxBody).Want(t, http.StatusForbidden)
		rx := h.Post(t, "/v1/patients/"+a+"/prescriptions", c.doctor.Token, rxBody).Want(t, http.StatusCreated).Map(t)
		code := rx["verification_code"].(string)
		v := h.Get(t, "/v1/prescription-verifications/"+code, "").Want(t, http.StatusOK).Map(t)
		if v["valid"] != true || v["dispensed"] != false || v["prescriber"].(map[string]any)["name"] != "Dra. Ana Lima" {
			t.Fatalf("verify = %v", v)
		}
		if _, leaked := v["patient_id"]; leaked {
			t.Fatal("the public verification shows the patient")
		}
		h.Post(t, "/v1/prescription-verifications/"+code+"/dispense", c.hospitalStaff.Token, nil).Want(t, http.StatusForbidden)
		h.Post(t, "/v1/prescription-verifications/"+code+"/dispense", c.pharmacy.Token, nil).Want(t, http.StatusOK)
		h.Post(t, "/v1/prescription-verifications/"+code+"/dispense", c.pharmacy.Token, nil).Want(t, http.StatusConflict)
		if v := h.Get(t, "/v1/prescription-verifications/"+code, "").Map(t); v["dispensed"] != true {
			t.Fatalf("after dispensing: %v", v)
		}
		pdf := h.Do(t, harness.Req{Method: http.MethodGet, Path: "/v1/prescriptions/" + rx["id"].(string) + "/pdf", Token: c.patA.Token}).Want(t, http.StatusOK)
		if !bytes.HasPrefix(pdf.Body, []byte("%PDF-1.4")) || !bytes.Contains(pdf.Body, []byte(code)) {
			t.Fatal("the PDF lacks its header or the verification code")
		}
		c1 := h.Post(t, "/v1/patients/"+a+"/prescriptions", c.doctor.Token, map[string]any{"type": "special_control", "items": []any{map[string]any{"drug": "Sertralina", "dosage": "1 cp/dia"}}}).Want(t, http.StatusBadRequest).Problem(t)
		if !c1.HasField("patient_address") || !c1.HasField("items[0].quantity") {
			t.Fatalf("C1 problem fields = %v", c1.Fields())
		}
		rx2 := h.Post(t, "/v1/patients/"+a+"/prescriptions", c.doctor.Token, map[string]any{"type": "special_control", "patient_address": "Rua A, 1, São Paulo/SP",
			"items": []any{map[string]any{"drug": "Sertralina", "concentration": "50 mg", "dosage": "1 cp/dia", "quantity": "30 (trinta) comprimidos"}}}).Want(t, http.StatusCreated).Map(t)
		h.Post(t, "/v1/prescriptions/"+rx2["id"].(string)+"/cancel", c.other.Token, map[string]any{"reason": "x"}).Want(t, http.StatusNotFound)
		h.Post(t, "/v1/prescriptions/"+rx2["id"].(string)+"/cancel", c.doctor.Token, map[string]any{"reason": "dose errada"}).Want(t, http.StatusOK)
		if v := h.Get(t, "/v1/prescription-verifications/"+rx2["verification_code"].(string), "").Map(t); v["valid"] != false || v["reason"] != "cancelled" {
			t.Fatalf("cancelled verify = %v", v)
		}

		// documents: sniffed type, encrypted at rest
		bad := upload(t, h, c.patA.Token, a, "report", "virus.pdf", []byte("MZ\x90\x00\x03 this is an executable")).Want(t, http.StatusBadRequest).Problem(t)
		if !bad.HasField("file") {
			t.Fatalf("fields = %v", bad.Fields())
		}
		doc := upload(t, h, c.patA.Token, a, "exam_result", "glicemia.pdf", examPDF).Want(t, http.StatusCreated).Map(t)
		if doc["content_type"] != "application/pdf" {
			t.Fatalf("document = %v", doc)
		}
		files := 0
		_ = filepath.Walk(filepath.Join(h.DataDir, "files"), func(p string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() {
				b, _ := os.ReadFile(p)
				if bytes.Contains(b, []byte("Glicemia de jejum")) {
					t.Errorf("plaintext found on disk in %s", p)
				}
				files++
			}
			return nil
		})
		if files == 0 {
			t.Error("no stored file found to check")
		}
		got := h.Do(t, harness.Req{Method: http.MethodGet, Path: "/v1/documents/" + doc["id"].(string) + "/content", Token: c.doctor.Token}).Want(t, http.StatusOK)
		if !bytes.Equal(got.Body, examPDF) {
			t.Fatal("download differs from the upload")
		}

		// break-the-glass by a professional without relationship, logged and notified
		paths := map[string]string{
			"evaluation": "/v1/evaluations/" + evID, "evaluations": "/v1/patients/" + a + "/evaluations",
			"plan": "/v1/treatment-plans/" + plID, "prescription": "/v1/prescriptions/" + rx["id"].(string),
			"document": "/v1/documents/" + doc["id"].(string), "history": "/v1/patients/" + a + "/history",
		}
		for name, p := range paths {
			h.Get(t, p, c.er.Token).Want(t, http.StatusNotFound)
			_ = name
		}
		h.Post(t, "/v1/patients/"+a+"/break-the-glass", c.er.Token, map[string]any{"reason": "paciente inconsciente no pronto-socorro"}).Want(t, http.StatusCreated)

		// the permission table
		type row struct {
			who  harness.Account
			want int
		}
		table := map[string]row{
			"patient A": {c.patA, 200}, "patient B": {c.patB, 404}, "treating professional": {c.doctor, 200},
			"other professional": {c.other, 404}, "break-the-glass": {c.er, 200}, "company staff": {c.hospitalStaff, 404},
			"pharmacy": {c.pharmacy, 404}, "admin (metadata)": {c.admin, 200},
		}
		for name, r := range table {
			for what, p := range paths {
				res := h.Get(t, p, r.who.Token)
				if res.Status != r.want {
					t.Errorf("%s GET %s: %d, want %d: %.200s", name, what, res.Status, r.want, res.Body)
				}
				if r.who.Kind == "admin" && (bytes.Contains(res.Body, []byte("check-up")) || bytes.Contains(res.Body, []byte("Losartana")) || bytes.Contains(res.Body, []byte("aveia"))) {
					t.Errorf("admin sees clinical content at %s", what)
				}
			}
		}
		h.Do(t, harness.Req{Method: http.MethodGet, Path: "/v1/documents/" + doc["id"].(string) + "/content", Token: c.admin.Token}).Want(t, http.StatusForbidden)

		// the access log shows who looked, including the emergency access
		log := h.Get(t, "/v1/me/access-log?limit=100", c.patA.Token).Want(t, http.StatusOK).Map(t)
		actors := map[string]int{}
		emergency := 0
		for _, x := range log["items"].([]any) {
			it := x.(map[string]any)
			actors[it["actor_id"].(string)]++
			if it["actor_id"] == c.er.ID && it["actor_name"] != "Dr. Plantão" {
				t.Errorf("access log entry without the professional's name: %v", it)
			}
			if it["emergency"] == true {
				emergency++
			}
		}
		if actors[c.doctor.ID] == 0 || actors[c.er.ID] == 0 || actors[c.admin.ID] == 0 || emergency == 0 {
			t.Fatalf("access log actors = %v, emergency = %d", actors, emergency)
		}
		Eventually(t, h, c.patA)

		// history: one timeline, newest first, paged
		var kinds []string
		cursor := ""
		for i := 0; i < 20; i++ {
			p := "/v1/patients/" + a + "/history?limit=2"
			if cursor != "" {
				p += "&cursor=" + cursor
			}
			page := h.Get(t, p, c.patA.Token).Want(t, http.StatusOK).Map(t)
			for _, x := range page["items"].([]any) {
				kinds = append(kinds, x.(map[string]any)["kind"].(string))
			}
			next, _ := page["next_cursor"].(string)
			if next == "" {
				break
			}
			cursor = next
		}
		joined := strings.Join(kinds, ",")
		if kinds[0] != "document" || !strings.Contains(joined, "evaluation") || !strings.Contains(joined, "treatment_plan") || strings.Count(joined, "prescription") != 2 {
			t.Fatalf("history kinds = %v", kinds)
		}
		h.Get(t, "/v1/patients/"+a+"/history?kind=x-ray", c.patA.Token).Want(t, http.StatusBadRequest)

		// the professional's patients
		mine := h.Get(t, "/v1/professionals/me/patients", c.doctor.Token).Want(t, http.StatusOK).Map(t)
		if items := mine["items"].([]any); len(items) != 1 || items[0].(map[string]any)["patient_id"] != a {
			t.Fatalf("my patients = %v", mine)
		}
		h.Get(t, "/v1/professionals/me/patients", c.patA.Token).Want(t, http.StatusForbidden)
	})
}

// Eventually checks that the break-the-glass notice reached the patient's mail drop.
func Eventually(t *testing.T, h *harness.H, patient harness.Account) {
	t.Helper()
	harness.Eventually(t, 5*time.Second, func() error {
		for _, m := range h.Mails(t) {
			if strings.Contains(m, patient.Email) && strings.Contains(m, "record_emergency_access") {
				return nil
			}
		}
		return errNoMail
	})
}

type mailErr string

func (e mailErr) Error() string { return string(e) }

const errNoMail = mailErr("no break-the-glass notice in the mail drop")
