package authz_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"testing"
	"time"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

var sp, _ = time.LoadLocation("America/Sao_Paulo")

// Markers written into patient A's record: any of them in an answer to a caller
// who may not read A's clinical content is a leak.
const (
	nameA       = "Aurora Quintela Brandão"
	markEval    = "NOTA-SIGILOSA-AURORA"
	markPlan    = "PLANO-SIGILOSO-AURORA"
	markDrug    = "FARMACO-SIGILOSO-AURORA"
	markDoc     = "DOC-SIGILOSO-AURORA"
	markReason  = "MOTIVO-SIGILOSO-AURORA"
	markDocText = "CONTEUDO-SIGILOSO-AURORA"
)

// Caller names, as the table uses them.
const (
	anon     = "anonymous"
	patB     = "patient B"
	proQ     = "professional Q"
	coAdmin  = "other company admin"
	coStaff  = "other company staff"
	coKey    = "other company API key"
	admin    = "platform admin"
	patA     = "patient A"
	proP     = "professional P"
	phAdmin  = "pharmacy admin"
	phStaff  = "pharmacy staff"
	phKey    = "pharmacy API key"
	hoAdmin  = "hospital admin"
	hoStaff  = "hospital staff"
	proR     = "professional R (pending)"
	pendCoAd = "pending company admin"
)

// world is everything the sweep attacks.
type world struct {
	tokens map[string]string // caller name -> bearer token ("" for anonymous)

	A, B, P, Q, R                      harness.Account
	pharm, pharmStaff, hosp, hospStaff harness.Account
	other, otherStaff, admin           harness.Account
	pendingCompanyID                   string
	pharmKeyID, otherKeyID             string
	hookID, hookDeliveryID             string // the pharmacy's webhook endpoint and its (failed) ping

	apptA, apptExamA, evalA, planA, planItemA, rxA, rxCodeA, docA, docBlobKey, shareA, waitA, notifA string
	examID                                                                                           string
}

func allDay() map[string]any {
	var weekly []map[string]any
	for _, d := range []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
		weekly = append(weekly, map[string]any{"weekday": d, "start": "00:00", "end": "12:00", "mode": "in_person"},
			map[string]any{"weekday": d, "start": "12:00", "end": "24:00", "mode": "telemedicine"})
	}
	return map[string]any{"time_zone": "America/Sao_Paulo", "slot_minutes": 30, "buffer_minutes": 0, "min_notice_hours": 2,
		"horizon_days": 30, "cancel_until_hours": 0, "weekly": weekly, "exceptions": []any{}}
}

type slot struct {
	Start time.Time `json:"start"`
}

func slotsOn(t *testing.T, h *harness.H, path string, day time.Time) []slot {
	t.Helper()
	d := day.In(sp).Format("2006-01-02")
	var l struct {
		Items []slot `json:"items"`
	}
	h.Get(t, path+"?from="+d+"&to="+d, "").Want(t, http.StatusOK).JSON(t, &l)
	if len(l.Items) < 10 {
		t.Fatalf("%s on %s: %d slots", path, d, len(l.Items))
	}
	return l.Items
}

func id(t *testing.T, r *harness.Resp) string {
	t.Helper()
	m := r.Map(t)
	s, _ := m["id"].(string)
	if s == "" {
		t.Fatalf("no id in %s", r.Body)
	}
	return s
}

var examPDF = append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte(markDocText+"\n"), 50)...)

func multipartDoc(title string) (io.Reader, map[string]string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("kind", "exam_result")
	_ = w.WriteField("title", title)
	fw, _ := w.CreateFormFile("file", "exame.pdf")
	_, _ = fw.Write(examPDF)
	_ = w.Close()
	return &buf, map[string]string{"Content-Type": w.FormDataContentType()}
}

func apiKey(t *testing.T, h *harness.H, companyAdmin harness.Account, scopes ...string) (id, secret string) {
	t.Helper()
	var k struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	}
	h.Post(t, "/v1/companies/"+companyAdmin.CompanyID+"/api-keys", companyAdmin.Token, map[string]any{"name": "integração", "scopes": scopes}).
		Want(t, http.StatusCreated).JSON(t, &k)
	if k.ID == "" || k.Secret == "" {
		t.Fatalf("API key without id or secret")
	}
	return k.ID, k.Secret
}

// build signs everyone up and creates A's objects.
func build(t *testing.T, h *harness.H) *world {
	w := &world{}
	w.admin = harness.AdminLogin(t, h)

	body := harness.PatientBody()
	body["name"] = nameA
	w.A = harness.Account{ID: id(t, h.Post(t, "/v1/patients", "", body).Want(t, http.StatusCreated)), Kind: "patient",
		Email: body["email"].(string), Password: harness.Password, Name: nameA, CPF: body["cpf"].(string)}
	w.A.Token, w.A.RefreshToken = harness.Login(t, h, w.A.Email, w.A.Password, "patient")
	harness.GrantConsents(t, h, w.A, harness.SignUpConsents...) // as the portal's sign-up does: A books and orders
	w.B = harness.SignUpPatient(t, h)
	w.P = harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dra. Paula Atendente"})
	w.Q = harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dr. Quirino Alheio"})
	w.R = harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dr. Rui Pendente", Pending: true})

	w.pharm = harness.SignUpVerifiedCompany(t, h, "pharmacy")
	w.pharmStaff = harness.AddCompanyStaff(t, h, w.pharm, "staff")
	var pharmKey string
	w.pharmKeyID, pharmKey = apiKey(t, h, w.pharm, "prescriptions:dispense", "orders:read")
	w.hosp = harness.SignUpVerifiedCompany(t, h, "hospital")
	w.hospStaff = harness.AddCompanyStaff(t, h, w.hosp, "staff")
	w.other = harness.SignUpVerifiedCompany(t, h, "market")
	w.otherStaff = harness.AddCompanyStaff(t, h, w.other, "staff")
	var otherKey string
	w.otherKeyID, otherKey = apiKey(t, h, w.other, "orders:read", "orders:write", "catalog:write")
	// The pharmacy's webhook endpoint points at a closed port: its ping fails
	// and stays replayable.
	w.hookID = id(t, h.Post(t, "/v1/companies/"+w.pharm.CompanyID+"/webhooks", w.pharm.Token,
		map[string]any{"url": "http://127.0.0.1:1/hooks", "events": []string{"order.created"}}).Want(t, http.StatusCreated))
	w.hookDeliveryID = id(t, h.Post(t, "/v1/companies/"+w.pharm.CompanyID+"/webhooks/"+w.hookID+"/ping", w.pharm.Token, nil).Want(t, http.StatusOK))
	pc := harness.CompanyBody("pharmacy")
	w.pendingCompanyID = id(t, h.Post(t, "/v1/companies", "", pc).Want(t, http.StatusCreated))
	pendAdm, _ := harness.Login(t, h, pc["admin"].(map[string]any)["email"].(string), harness.Password, "company_member")

	w.tokens = map[string]string{
		anon: "", patB: w.B.Token, proQ: w.Q.Token, coAdmin: w.other.Token, coStaff: w.otherStaff.Token, coKey: otherKey,
		admin: w.admin.Token, patA: w.A.Token, proP: w.P.Token, phAdmin: w.pharm.Token, phStaff: w.pharmStaff.Token,
		phKey: pharmKey, hoAdmin: w.hosp.Token, hoStaff: w.hospStaff.Token, proR: w.R.Token, pendCoAd: pendAdm,
	}

	// P's agenda; A books a consultation (P now attends A) and a second one that P cancels (a notification for A).
	h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/professionals/" + w.P.ID + "/availability", Token: w.P.Token, Body: allDay()}).Want(t, http.StatusOK)
	day := time.Now().In(sp).AddDate(0, 0, 3)
	ss := slotsOn(t, h, "/v1/professionals/"+w.P.ID+"/slots", day)
	w.apptA = id(t, h.Post(t, "/v1/appointments", w.A.Token, map[string]any{"professional_id": w.P.ID, "start": ss[4].Start.Format(time.RFC3339),
		"reason": markReason}).Want(t, http.StatusCreated))
	second := id(t, h.Post(t, "/v1/appointments", w.A.Token, map[string]any{"professional_id": w.P.ID, "start": ss[8].Start.Format(time.RFC3339),
		"reason": markReason}).Want(t, http.StatusCreated))
	h.Post(t, "/v1/appointments/"+second+"/cancel", w.P.Token, map[string]any{"reason": "agenda"}).Want(t, http.StatusOK)

	// The hospital publishes an exam; A books it.
	w.examID = id(t, h.Post(t, "/v1/companies/"+w.hosp.CompanyID+"/exams", w.hospStaff.Token, map[string]any{"name": "Ultrassonografia",
		"code": "40901122", "duration_minutes": 30, "preparation": "Jejum", "price": map[string]any{"amount": 18000, "currency": "BRL"}, "capacity": 2}).
		Want(t, http.StatusCreated))
	h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/exams/" + w.examID + "/availability", Token: w.hosp.Token, Body: allDay()}).Want(t, http.StatusOK)
	es := slotsOn(t, h, "/v1/exams/"+w.examID+"/slots", day)
	w.apptExamA = id(t, h.Post(t, "/v1/appointments", w.A.Token, map[string]any{"exam_service_id": w.examID, "start": es[6].Start.Format(time.RFC3339),
		"reason": markReason}).Want(t, http.StatusCreated))

	// A's record, written by P.
	a := "/v1/patients/" + w.A.ID
	w.evalA = id(t, h.Post(t, a+"/evaluations", w.P.Token, map[string]any{"kind": "simplified", "reason": "check-up", "notes": markEval}).
		Want(t, http.StatusCreated))
	plan := h.Post(t, a+"/treatment-plans", w.P.Token, map[string]any{"title": markPlan, "start": time.Now().Format("2006-01-02"), "status": "active",
		"items": []any{map[string]any{"kind": "medication", "name": markDrug, "dosage": "1 cp", "frequency": "8/8h", "tags": []string{"drug:x"}}}}).
		Want(t, http.StatusCreated).Map(t)
	w.planA = plan["id"].(string)
	w.planItemA = plan["items"].([]any)[0].(map[string]any)["id"].(string)
	rx := h.Post(t, a+"/prescriptions", w.P.Token, map[string]any{"type": "simple", "items": []any{map[string]any{"drug": markDrug,
		"concentration": "50 mg", "form": "tablet", "dosage": "1 cp", "quantity": "30", "route": "oral"}}}).Want(t, http.StatusCreated).Map(t)
	w.rxA, w.rxCodeA = rx["id"].(string), rx["verification_code"].(string)
	docBody, docHeaders := multipartDoc(markDoc)
	w.docA = id(t, h.Do(t, harness.Req{Method: http.MethodPost, Path: a + "/documents", Token: w.A.Token, Body: docBody, Headers: docHeaders}).
		Want(t, http.StatusCreated))
	w.docBlobKey = "clinical/documents/" + w.A.ID + "/" + w.docA
	w.shareA = id(t, h.Post(t, "/v1/me/record-shares", w.A.Token, map[string]any{"professional_id": w.P.ID,
		"until": time.Now().Add(72 * time.Hour).Format(time.RFC3339)}).Want(t, http.StatusCreated))
	w.waitA = id(t, h.Post(t, "/v1/waitlist", w.A.Token, map[string]any{"professional_id": w.P.ID,
		"from": day.Format("2006-01-02"), "to": day.AddDate(0, 0, 2).Format("2006-01-02")}).Want(t, http.StatusCreated))

	harness.Eventually(t, 15*time.Second, func() error {
		var l struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		h.Get(t, "/v1/me/notifications", w.A.Token).Want(t, http.StatusOK).JSON(t, &l)
		if len(l.Items) == 0 {
			return fmt.Errorf("patient A has no notification yet")
		}
		w.notifA = l.Items[0].ID
		return nil
	})
	seedOrders(t, h, w)
	seedIncident(t, h, w)
	seedExports(t, h, w)
	seedErasure(t, h, w)
	seedChat(t, h, w)
	return w
}
