package clinicalapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/blob/memblob"
	"github.com/multisaude/multisaude/adapters/bridge/clinicaldir"
	"github.com/multisaude/multisaude/adapters/bridge/clinicaldir/clinicalfake"
	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/adapters/http/httpapi/clinicalapi"
	"github.com/multisaude/multisaude/adapters/keys/localkeys"
	"github.com/multisaude/multisaude/adapters/keys/localsigner"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/clinicalsql"
	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/test/testdb"
)

type tokens map[string]kernel.Principal

func (t tokens) Authenticate(_ context.Context, cred string) (kernel.Principal, error) {
	if p, ok := t[cred]; ok {
		return p, nil
	}
	return kernel.Principal{}, kernel.Unauthenticated("bad token")
}

type env struct {
	t     *testing.T
	srv   *httpapi.Server
	world *clinicalfake.World
	note  *clinicalfake.Notifier
	patA  kernel.ID
	db    *sqlstore.DB
}

func (e *env) do(method, path, token string, body any, hdr ...string) (int, []byte, http.Header) {
	e.t.Helper()
	var r io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case *multipartBody:
		r, ct = bytes.NewReader(b.buf.Bytes()), b.ct
	case string:
		r, ct = strings.NewReader(b), "application/json"
	default:
		j, _ := json.Marshal(b)
		r, ct = bytes.NewReader(j), "application/json"
	}
	req := httptest.NewRequest(method, path, r)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := e.srv.App().Test(req, 10000)
	if err != nil {
		e.t.Fatal(err)
	}
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out, res.Header
}

func (e *env) want(status int, method, path, token string, body any, hdr ...string) map[string]any {
	e.t.Helper()
	got, out, _ := e.do(method, path, token, body, hdr...)
	if got != status {
		e.t.Fatalf("%s %s as %s: status %d, want %d: %s", method, path, token, got, status, out)
	}
	m := map[string]any{}
	_ = json.Unmarshal(out, &m)
	return m
}

// wantField checks a problem names field.
func (e *env) wantField(status int, field, method, path, token string, body any, hdr ...string) {
	e.t.Helper()
	m := e.want(status, method, path, token, body, hdr...)
	errs, _ := m["errors"].([]any)
	for _, x := range errs {
		if x.(map[string]any)["field"] == field {
			return
		}
	}
	e.t.Fatalf("%s %s: problem does not name %q: %v", method, path, field, m)
}

type multipartBody struct {
	buf bytes.Buffer
	ct  string
}

func upload(kind, title, name string, content []byte) *multipartBody {
	b := &multipartBody{}
	w := multipart.NewWriter(&b.buf)
	_ = w.WriteField("kind", kind)
	_ = w.WriteField("title", title)
	fw, _ := w.CreateFormFile("file", name)
	_, _ = fw.Write(content)
	_ = w.Close()
	b.ct = w.FormDataContentType()
	return b
}

func newEnv(t *testing.T, db *sqlstore.DB) *env {
	signer, _ := localsigner.New(localsigner.Config{Seed: localsigner.NewSeed()})
	keys, _ := localkeys.New(localkeys.Config{MasterKeys: localkeys.GenerateKey("k1")})
	blobs, closeBlobs, _ := memblob.New()
	t.Cleanup(closeBlobs)
	w := clinicalfake.New()
	note := &clinicalfake.Notifier{}
	svc := clinical.NewService(clinical.Deps{Store: clinicalsql.New(db), Dir: w, Care: w, Signer: signer, Blobs: blobs,
		Sealer: clinicaldir.NewSealer(keys), Notifier: note}, clinical.Config{MaxDocumentBytes: 1 << 20})
	patA := w.AddPatient("Maria Aparecida da Silva", "maria@example.com")
	patB := w.AddPatient("João Souza", "joao@example.com")
	doctor := w.AddProfessional("Dra. Ana", "physician")
	other := w.AddProfessional("Dr. Outro", "physician")
	er := w.AddProfessional("Dr. Plantão", "physician")
	pharmacy := w.AddCompany("pharmacy", true)
	hospital := w.AddCompany("hospital", true)
	now := time.Now()
	w.Book(doctor, patA, now.Add(-24*time.Hour), "completed", now.Add(-72*time.Hour))
	toks := tokens{
		"patA":     {AccountID: patA, Kind: kernel.KindPatient},
		"patB":     {AccountID: patB, Kind: kernel.KindPatient},
		"doctor":   {AccountID: doctor, Kind: kernel.KindProfessional},
		"other":    {AccountID: other, Kind: kernel.KindProfessional},
		"er":       {AccountID: er, Kind: kernel.KindProfessional},
		"staff":    {AccountID: kernel.NewID(), Kind: kernel.KindCompanyMember, CompanyID: hospital, Roles: []string{"staff"}},
		"pharmacy": {AccountID: kernel.NewID(), Kind: kernel.KindCompanyMember, CompanyID: pharmacy, Roles: []string{"staff"}},
		"apikey":   {AccountID: kernel.NewID(), Kind: kernel.KindAPIKey, CompanyID: pharmacy, Scopes: []string{"orders:read"}},
		"rxkey":    {AccountID: kernel.NewID(), Kind: kernel.KindAPIKey, CompanyID: pharmacy, Scopes: []string{"prescriptions:dispense"}},
		"admin":    {AccountID: kernel.NewID(), Kind: kernel.KindAdmin, Roles: []string{"admin"}},
	}
	srv := httpapi.New(httpapi.Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)), toks, nil, clinicalapi.New(svc))
	return &env{t: t, srv: srv, world: w, note: note, patA: patA, db: db}
}

var pdfBytes = append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("Hemograma completo: normal\n"), 200)...)

// TestPermissionTable creates one object of each kind for patient A, then asks
// for each as every kind of caller.
func TestPermissionTable(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		a := e.patA
		ev := e.want(201, "POST", "/v1/patients/"+a+"/evaluations", "doctor", map[string]any{"kind": "simplified", "reason": "check-up",
			"notes": "pressão ok", "vital_signs": map[string]any{"weight_kg": 70.5, "height_cm": 175, "temperature_c": 36.5}})
		if ev["bmi"].(float64) != 23 {
			t.Fatalf("bmi = %v", ev["bmi"])
		}
		pl := e.want(201, "POST", "/v1/patients/"+a+"/treatment-plans", "doctor", map[string]any{"title": "Pressão", "start": "2026-01-01",
			"status": "active", "items": []any{map[string]any{"kind": "product", "name": "Medidor de glicose", "tags": []string{"device:glucose-meter"}}}})
		if sup := pl["items"].([]any)[0].(map[string]any)["suppliers"].([]any); len(sup) == 0 {
			t.Fatal("items carry no supplier types")
		}
		rx := e.want(201, "POST", "/v1/patients/"+a+"/prescriptions", "doctor", map[string]any{"type": "simple", "items": []any{map[string]any{
			"drug": "Losartana potássica", "concentration": "50 mg", "form": "tablet", "dosage": "1 tablet every 24 hours", "quantity": "30 tablets", "route": "oral"}}})
		if rx["status"] != "issued" || rx["verification_code"] == "" {
			t.Fatalf("rx = %v", rx)
		}
		doc := e.want(201, "POST", "/v1/patients/"+a+"/documents", "patA", upload("exam_result", "hemograma", "h.pdf", pdfBytes))
		e.want(201, "POST", "/v1/patients/"+a+"/break-the-glass", "er", map[string]any{"reason": "paciente inconsciente no pronto-socorro"})
		// the patient is told by the event's consumer (clinical.HandleEmergencyAccess)
		var raised int
		if err := e.db.NewSelect().TableExpr("outbox").ColumnExpr("COUNT(*)").Where("topic = ?", clinical.TopicEmergencyAccess).
			Scan(context.Background(), &raised); err != nil || raised != 1 {
			t.Fatalf("emergency access events = %d, %v", raised, err)
		}

		paths := map[string]string{
			"evaluation":   "/v1/evaluations/" + ev["id"].(string),
			"versions":     "/v1/evaluations/" + ev["id"].(string) + "/versions",
			"evaluations":  "/v1/patients/" + a + "/evaluations",
			"plan":         "/v1/treatment-plans/" + pl["id"].(string),
			"plans":        "/v1/patients/" + a + "/treatment-plans",
			"prescription": "/v1/prescriptions/" + rx["id"].(string),
			"rx_pdf":       "/v1/prescriptions/" + rx["id"].(string) + "/pdf",
			"document":     "/v1/documents/" + doc["id"].(string),
			"content":      "/v1/documents/" + doc["id"].(string) + "/content",
			"documents":    "/v1/patients/" + a + "/documents",
			"history":      "/v1/patients/" + a + "/history",
		}
		all := func(s int) map[string]int {
			m := map[string]int{}
			for k := range paths {
				m[k] = s
			}
			return m
		}
		adminWant := all(200)
		adminWant["rx_pdf"], adminWant["content"] = 403, 403
		table := map[string]map[string]int{
			"patA": all(200), "doctor": all(200), "er": all(200),
			"patB": all(404), "other": all(404), "staff": all(404), "pharmacy": all(404),
			"admin":  adminWant,
			"":       all(401),
			"apikey": all(401),
		}
		for who, wants := range table {
			for what, path := range paths {
				got, body, _ := e.do("GET", path, who, nil)
				if got != wants[what] {
					t.Errorf("%s GET %s (%s): %d, want %d: %.200s", who, what, path, got, wants[what], body)
				}
				if who == "admin" && got == 200 && (bytes.Contains(body, []byte("check-up")) || bytes.Contains(body, []byte("Losartana")) ||
					bytes.Contains(body, []byte("hemograma")) || bytes.Contains(body, []byte("Medidor"))) {
					t.Errorf("admin sees content at %s: %.300s", what, body)
				}
			}
		}
		_, got, h := e.do("GET", paths["content"], "patA", nil)
		if !bytes.Equal(got, pdfBytes) || h.Get("Content-Type") != "application/pdf" {
			t.Fatalf("download: %q %s", got[:20], h.Get("Content-Type"))
		}
		_, pdf, h := e.do("GET", paths["rx_pdf"], "patA", nil)
		if !bytes.HasPrefix(pdf, []byte("%PDF-1.4")) || !bytes.Contains(pdf, []byte(rx["verification_code"].(string))) || h.Get("Content-Type") != "application/pdf" {
			t.Fatalf("pdf: %.100s", pdf)
		}
		// the access log shows the treating doctor and the emergency access, written in the same requests
		log := e.want(200, "GET", "/v1/me/access-log?limit=100", "patA", nil)
		var emergency, byDoctor int
		for _, x := range log["items"].([]any) {
			it := x.(map[string]any)
			if it["emergency"] == true {
				emergency++
			}
			if it["actor_kind"] == "professional" && it["basis"] == "care" {
				byDoctor++
			}
		}
		if emergency < len(paths)-1 || byDoctor < len(paths) {
			t.Fatalf("access log: emergency=%d doctor=%d: %v", emergency, byDoctor, log)
		}
		e.want(403, "GET", "/v1/me/access-log", "doctor", nil)

		// the public verification shows the minimum; the pharmacy dispenses once; an API key without scope may not
		code := rx["verification_code"].(string)
		v := e.want(200, "GET", "/v1/prescription-verifications/"+strings.ToLower(code), "", nil)
		if v["valid"] != true || v["dispensed"] != false || v["patient_initials"] != "M.A.S." || v["patient_id"] != nil {
			t.Fatalf("verify = %v", v)
		}
		e.want(404, "GET", "/v1/prescription-verifications/AAAA-BBBB-CCCC", "", nil)
		e.want(403, "POST", "/v1/prescription-verifications/"+code+"/dispense", "apikey", nil)
		e.want(403, "POST", "/v1/prescription-verifications/"+code+"/dispense", "staff", nil)
		e.want(403, "POST", "/v1/prescription-verifications/"+code+"/dispense", "doctor", nil)
		d := e.want(200, "POST", "/v1/prescription-verifications/"+code+"/dispense", "pharmacy", nil)
		if d["dispensed"] != true {
			t.Fatalf("dispense = %v", d)
		}
		e.want(409, "POST", "/v1/prescription-verifications/"+code+"/dispense", "pharmacy", nil)
		rx2 := e.want(201, "POST", "/v1/patients/"+a+"/prescriptions", "doctor", map[string]any{"type": "simple", "items": []any{map[string]any{"drug": "Dipirona", "dosage": "1 cp se dor"}}})
		e.want(200, "POST", "/v1/prescription-verifications/"+rx2["verification_code"].(string)+"/dispense", "rxkey", nil)
	})
}

func TestBadInputNamesTheField(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		a := e.patA
		evs := "/v1/patients/" + a + "/evaluations"
		e.wantField(422, "vital_signs.temperature_c", "POST", evs, "doctor", map[string]any{"kind": "simplified", "reason": "febre", "vital_signs": map[string]any{"temperature_c": 420}})
		e.wantField(422, "vital_signs.spo2_pct", "POST", evs, "doctor", map[string]any{"kind": "simplified", "reason": "x", "vital_signs": map[string]any{"spo2_pct": 140}})
		e.wantField(400, "vital_signs.weight_kg", "POST", evs, "doctor", `{"kind":"simplified","reason":"x","vital_signs":{"weight_kg":"heavy"}}`)
		e.wantField(400, "temperatura", "POST", evs, "doctor", `{"kind":"simplified","reason":"x","temperatura":37}`)
		e.wantField(400, "reason", "POST", evs, "doctor", map[string]any{"kind": "simplified"})
		e.wantField(400, "kind", "POST", evs, "doctor", map[string]any{"kind": "quick", "reason": "x"})
		e.wantField(400, "icd10[0]", "POST", evs, "doctor", map[string]any{"kind": "detailed", "chief_complaint": "dor", "assessment": "x", "icd10": []string{"not-a-code"}})
		e.want(403, "POST", evs, "patA", map[string]any{"kind": "simplified", "reason": "x"})
		e.want(404, "POST", evs, "other", map[string]any{"kind": "simplified", "reason": "x"})
		e.want(404, "POST", "/v1/patients/not-an-id/evaluations", "doctor", map[string]any{"kind": "simplified", "reason": "x"})

		ev := e.want(201, "POST", evs, "doctor", map[string]any{"kind": "simplified", "reason": "check-up"})
		id := ev["id"].(string)
		amend := map[string]any{"kind": "simplified", "reason": "check-up", "notes": "corrigido", "amend_reason": "nota esquecida"}
		e.wantField(400, "If-Match", "PUT", "/v1/evaluations/"+id, "doctor", amend)
		e.want(200, "PUT", "/v1/evaluations/"+id, "doctor", amend, "If-Match", `"1"`)
		e.want(412, "PUT", "/v1/evaluations/"+id, "doctor", amend, "If-Match", `"1"`)
		old := e.want(200, "GET", "/v1/evaluations/"+id+"?version=1", "patA", nil)
		if old["notes"] != nil || old["version"].(float64) != 1 {
			t.Fatalf("old version = %v", old)
		}
		e.wantField(400, "version", "GET", "/v1/evaluations/"+id+"?version=x", "patA", nil)

		plans := "/v1/patients/" + a + "/treatment-plans"
		e.wantField(400, "start", "POST", plans, "doctor", map[string]any{"title": "x", "start": "01/02/2026", "items": []any{}})
		e.wantField(400, "items[0].frequency", "POST", plans, "doctor", map[string]any{"title": "x", "start": "2026-01-01",
			"items": []any{map[string]any{"kind": "exercise", "name": "natação"}}})
		pl := e.want(201, "POST", plans, "doctor", map[string]any{"title": "x", "start": "2026-01-01", "status": "active",
			"items": []any{map[string]any{"kind": "exercise", "name": "natação", "frequency": "3x/semana", "needs_gym": true}}})
		planPath := "/v1/treatment-plans/" + pl["id"].(string)
		upd := map[string]any{"title": "y", "start": "2026-01-01", "status": "completed", "items": pl["items"]}
		e.wantField(400, "If-Match", "PUT", planPath, "doctor", upd)
		e.want(412, "PUT", planPath, "doctor", upd, "If-Match", `"7"`)
		item := pl["items"].([]any)[0].(map[string]any)["id"].(string)
		e.want(201, "POST", planPath+"/progress", "patA", map[string]any{"item_id": item, "date": time.Now().UTC().Format("2006-01-02"), "done": true})
		e.wantField(400, "date", "POST", planPath+"/progress", "patA", map[string]any{"item_id": item, "date": "yesterday"})
		e.want(200, "PUT", planPath, "doctor", upd, "If-Match", `"1"`)
		e.want(409, "POST", planPath+"/progress", "patA", map[string]any{"item_id": item, "date": time.Now().UTC().Format("2006-01-02")})

		rxs := "/v1/patients/" + a + "/prescriptions"
		e.wantField(400, "items", "POST", rxs, "doctor", map[string]any{"type": "simple", "items": []any{}})
		e.wantField(400, "type", "POST", rxs, "doctor", map[string]any{"type": "c1", "items": []any{map[string]any{"drug": "x", "dosage": "y"}}})
		e.wantField(400, "items[0].dosage", "POST", rxs, "doctor", map[string]any{"type": "simple", "items": []any{map[string]any{"drug": "x"}}})

		docs := "/v1/patients/" + a + "/documents"
		e.wantField(400, "file", "POST", docs, "patA", upload("report", "x", "virus.exe", []byte("MZ\x90\x00\x03\x00\x00\x00 this is a program")))
		e.wantField(400, "file", "POST", docs, "patA", upload("report", "x", "fake.pdf", []byte("<html><script>alert(1)</script>")))
		e.wantField(400, "kind", "POST", docs, "patA", upload("selfie", "x", "a.pdf", pdfBytes))
		e.wantField(400, "file", "POST", docs, "patA", upload("report", "x", "big.pdf", append(pdfBytes, make([]byte, 1<<20)...)))
		e.wantField(400, "body", "POST", docs, "patA", map[string]any{"kind": "report"})

		e.wantField(400, "until", "POST", "/v1/me/record-shares", "patA", map[string]any{"professional_id": kernel.NewID(), "until": "tomorrow"})
		e.wantField(422, "professional_id", "POST", "/v1/me/record-shares", "patA", map[string]any{"professional_id": kernel.NewID(), "until": time.Now().Add(time.Hour)})
		e.wantField(400, "reason", "POST", "/v1/patients/"+a+"/break-the-glass", "other", map[string]any{"reason": "urgente"})
		e.wantField(400, "kind", "GET", "/v1/patients/"+a+"/history?kind=x-ray", "patA", nil)
		e.wantField(400, "from", "GET", "/v1/patients/"+a+"/history?from=ontem", "patA", nil)
		e.wantField(400, "cursor", "GET", "/v1/patients/"+a+"/history?cursor=%25%25", "patA", nil)
		e.wantField(400, "limit", "GET", "/v1/patients/"+a+"/history?limit=1000", "patA", nil)
	})
}
