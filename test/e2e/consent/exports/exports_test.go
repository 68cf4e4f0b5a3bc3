// Package exports_test drives access and portability (LGPD art. 18, II and V)
// over HTTP: a patient with a history asks for an export, the worker builds
// it, the patient downloads the ZIP and checks it against its manifest; nobody
// else sees it; after expiry the download is gone and so is the stored object.
package exports_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
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

var sp, _ = time.LoadLocation("America/Sao_Paulo")

var examPDF = append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("Hemoglobina glicada: 5,4 por cento\n"), 400)...)

type export struct {
	ID        string `json:"id"`
	OwnerID   string `json:"owner_id"`
	Status    string `json:"status"`
	Progress  int    `json:"progress"`
	Files     int    `json:"files"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
	Reason    string `json:"reason"`
	ExpiresAt string `json:"expires_at"`
}

type manifest struct {
	ExportID    string `json:"export_id"`
	OwnerID     string `json:"owner_id"`
	GeneratedAt string `json:"generated_at"`
	Files       []struct {
		Path   string `json:"path"`
		Size   int64  `json:"size"`
		SHA256 string `json:"sha256"`
	} `json:"files"`
}

func allDay() map[string]any {
	var weekly []map[string]any
	for _, d := range []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
		weekly = append(weekly, map[string]any{"weekday": d, "start": "00:00", "end": "24:00", "mode": "in_person"})
	}
	return map[string]any{"time_zone": "America/Sao_Paulo", "slot_minutes": 30, "buffer_minutes": 0, "min_notice_hours": 2,
		"horizon_days": 30, "cancel_until_hours": 0, "weekly": weekly, "exceptions": []any{}}
}

func upload(t *testing.T, h *harness.H, token, patientID string, content []byte) map[string]any {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("kind", "exam_result")
	_ = w.WriteField("title", "Hemoglobina glicada")
	fw, _ := w.CreateFormFile("file", "hba1c.pdf")
	_, _ = fw.Write(content)
	_ = w.Close()
	return h.Do(t, harness.Req{Method: http.MethodPost, Path: "/v1/patients/" + patientID + "/documents", Token: token, Body: &buf,
		Headers: map[string]string{"Content-Type": w.FormDataContentType()}}).Want(t, http.StatusCreated).Map(t)
}

// history gives the patient an appointment, an evaluation, a plan, a
// prescription and an uploaded document; it returns the document's ID.
func history(t *testing.T, h *harness.H, pt, doctor harness.Account) string {
	h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/professionals/" + doctor.ID + "/availability", Token: doctor.Token, Body: allDay()}).Want(t, http.StatusOK)
	d := time.Now().In(sp).AddDate(0, 0, 3).Format("2006-01-02")
	var slots struct {
		Items []struct {
			Start time.Time `json:"start"`
		} `json:"items"`
	}
	h.Get(t, "/v1/professionals/"+doctor.ID+"/slots?from="+d+"&to="+d, "").Want(t, http.StatusOK).JSON(t, &slots)
	if len(slots.Items) == 0 {
		t.Fatal("no slots")
	}
	h.Post(t, "/v1/appointments", pt.Token, map[string]any{"professional_id": doctor.ID, "start": slots.Items[0].Start.Format(time.RFC3339),
		"mode": "in_person", "reason": "rotina"}).Want(t, http.StatusCreated)
	until := time.Now().Add(30 * 24 * time.Hour).Format(time.RFC3339)
	h.Post(t, "/v1/me/record-shares", pt.Token, map[string]any{"professional_id": doctor.ID, "until": until}).Want(t, http.StatusCreated)
	a := pt.ID
	h.Post(t, "/v1/patients/"+a+"/evaluations", doctor.Token, map[string]any{"kind": "simplified", "reason": "check-up anual",
		"notes": "Paciente assintomática"}).Want(t, http.StatusCreated)
	h.Post(t, "/v1/patients/"+a+"/treatment-plans", doctor.Token, map[string]any{"title": "Caminhada diária", "start": time.Now().Format("2006-01-02"),
		"status": "active", "goals": []string{"condicionamento"}, "items": []any{
			map[string]any{"kind": "exercise", "name": "caminhada", "frequency": "5x/semana", "intensity": "low"}}}).Want(t, http.StatusCreated)
	h.Post(t, "/v1/patients/"+a+"/prescriptions", doctor.Token, map[string]any{"type": "simple", "items": []any{map[string]any{
		"drug": "Losartana potássica", "concentration": "50 mg", "form": "tablet", "dosage": "1 comprimido a cada 24 horas",
		"quantity": "30 comprimidos", "route": "oral"}}}).Want(t, http.StatusCreated)
	doc := upload(t, h, pt.Token, a, examPDF)
	return doc["id"].(string)
}

func waitReady(t *testing.T, h *harness.H, token, id string) export {
	var e export
	harness.Eventually(t, 60*time.Second, func() error {
		h.Get(t, "/v1/me/exports/"+id, token).Want(t, http.StatusOK).JSON(t, &e)
		if e.Status == "failed" {
			t.Fatalf("export failed: %s", e.Reason)
		}
		if e.Status != "ready" {
			return fmt.Errorf("status %s (%d%%)", e.Status, e.Progress)
		}
		return nil
	})
	return e
}

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// storedExports lists the export objects on disk (the local profile's file
// store keeps key segments as directories named "<segment>.d", data as ".b").
func storedExports(t *testing.T, h *harness.H) map[string][]byte {
	out := map[string][]byte{}
	_ = filepath.Walk(filepath.Join(h.DataDir, "files"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() && strings.Contains(filepath.ToSlash(p), "consent.d/exports.d/") && strings.HasSuffix(p, ".b") {
			b, _ := os.ReadFile(p)
			out[p] = b
		}
		return nil
	})
	return out
}

func TestExportJourney(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		pt := harness.SignUpPatient(t, h)
		other := harness.SignUpPatient(t, h)
		doctor := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dra. Carla Nunes"})
		docID := history(t, h, pt, doctor)

		// ask: 202 with the job and where to follow it; a second one while it runs is 409
		r := h.Post(t, "/v1/me/exports", pt.Token, nil).Want(t, http.StatusAccepted)
		var e export
		r.JSON(t, &e)
		if loc := r.Header.Get("Location"); loc != "/v1/me/exports/"+e.ID || e.OwnerID != pt.ID {
			t.Fatalf("location %q, export %+v", loc, e)
		}
		if e.Status != "pending" && e.Status != "building" {
			t.Fatalf("new export status %s", e.Status)
		}
		h.Post(t, "/v1/me/exports", pt.Token, nil).Want(t, http.StatusConflict)

		// nobody else sees it; malformed IDs are 404 too
		h.Get(t, "/v1/me/exports/"+e.ID, other.Token).Want(t, http.StatusNotFound)
		h.Get(t, "/v1/me/exports/"+e.ID+"/download", other.Token).Want(t, http.StatusNotFound)
		h.Get(t, "/v1/me/exports/"+e.ID, doctor.Token).Want(t, http.StatusNotFound)
		h.Get(t, "/v1/me/exports/not-an-id", pt.Token).Want(t, http.StatusNotFound)
		h.Get(t, "/v1/me/exports/"+e.ID, "").Want(t, http.StatusUnauthorized)

		e = waitReady(t, h, pt.Token, e.ID)
		var l struct {
			Items []export `json:"items"`
		}
		h.Get(t, "/v1/me/exports?limit=5", pt.Token).Want(t, http.StatusOK).JSON(t, &l)
		if len(l.Items) != 1 || l.Items[0].ID != e.ID {
			t.Fatalf("list = %+v", l.Items)
		}
		h.Get(t, "/v1/me/exports", other.Token).Want(t, http.StatusOK).JSON(t, &l)
		if len(l.Items) != 0 {
			t.Fatalf("another patient lists %+v", l.Items)
		}

		// the stored object is sealed, not the ZIP
		stored := storedExports(t, h)
		if len(stored) != 1 {
			t.Fatalf("stored export objects: %d", len(stored))
		}
		for p, b := range stored {
			if bytes.HasPrefix(b, []byte("PK")) || !bytes.HasPrefix(b, []byte("MSEXP")) || bytes.Contains(b, []byte("Hemoglobina")) || bytes.Contains(b, []byte(pt.CPF)) {
				t.Fatalf("the stored export %s is not sealed", p)
			}
		}

		// download, open, check every file against the manifest
		dl := h.Do(t, harness.Req{Method: http.MethodGet, Path: "/v1/me/exports/" + e.ID + "/download", Token: pt.Token}).Want(t, http.StatusOK)
		if ct := dl.Header.Get("Content-Type"); ct != "application/zip" || !strings.Contains(dl.Header.Get("Content-Disposition"), ".zip") {
			t.Fatalf("content type %q, disposition %q", ct, dl.Header.Get("Content-Disposition"))
		}
		if int64(len(dl.Body)) != e.Size || sum(dl.Body) != e.SHA256 {
			t.Fatalf("archive %d bytes sha %s, job says %d %s", len(dl.Body), sum(dl.Body), e.Size, e.SHA256)
		}
		zr, err := zip.NewReader(bytes.NewReader(dl.Body), int64(len(dl.Body)))
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			files[f.Name] = b
		}
		if d := os.Getenv("EXPORT_DUMP"); d != "" {
			_ = os.WriteFile(d, dl.Body, 0o600)
		}
		var m manifest
		if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
			t.Fatalf("manifest: %v", err)
		}
		if m.ExportID != e.ID || m.OwnerID != pt.ID || m.GeneratedAt == "" {
			t.Fatalf("manifest header %+v", m)
		}
		if len(m.Files) != len(files)-1 || e.Files != len(files) {
			t.Fatalf("manifest lists %d files, archive has %d, job says %d", len(m.Files), len(files), e.Files)
		}
		listed := map[string]bool{}
		for _, f := range m.Files {
			b, ok := files[f.Path]
			if !ok || int64(len(b)) != f.Size || sum(b) != f.SHA256 {
				t.Fatalf("%s: present %v, %d bytes sha %s; manifest %d %s", f.Path, ok, len(b), sum(b), f.Size, f.SHA256)
			}
			listed[f.Path] = true
		}
		for _, name := range []string{"identity.json", "scheduling.json", "clinical.json", "commerce.json", "consent.json", "access_log.json", "fhir_bundle.json"} {
			if !listed[name] || !json.Valid(files[name]) {
				t.Fatalf("%s missing or not JSON: %s", name, files[name])
			}
		}
		docPath := "documents/" + docID + "_hba1c.pdf"
		if !bytes.Equal(files[docPath], examPDF) {
			t.Fatalf("the document %s does not come back byte-identical (%d bytes)", docPath, len(files[docPath]))
		}

		// the sections hold what the patient has
		var ident, sched, clin, cons struct {
			Account     map[string]any   `json:"account"`
			Patient     map[string]any   `json:"patient_profile"`
			Appts       []map[string]any `json:"appointments"`
			Evaluations []map[string]any `json:"evaluations"`
			Plans       []map[string]any `json:"treatment_plans"`
			Rx          []map[string]any `json:"prescriptions"`
			Documents   []map[string]any `json:"documents"`
			Consents    []any            `json:"consents"`
			Disclosures []any            `json:"disclosures"`
		}
		for name, v := range map[string]any{"identity.json": &ident, "scheduling.json": &sched, "clinical.json": &clin, "consent.json": &cons} {
			if err := json.Unmarshal(files[name], v); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		if ident.Account["id"] != pt.ID || ident.Patient["cpf"] != pt.CPF {
			t.Fatalf("identity.json = %s", files["identity.json"])
		}
		if _, leaked := ident.Account["password_hash"]; leaked || bytes.Contains(files["identity.json"], []byte("argon2")) {
			t.Fatal("identity.json holds the password hash")
		}
		if len(sched.Appts) != 1 || len(clin.Evaluations) != 1 || len(clin.Plans) != 1 || len(clin.Rx) != 1 || len(clin.Documents) != 1 {
			t.Fatalf("scheduling %d appointments; clinical %d evaluations, %d plans, %d prescriptions, %d documents",
				len(sched.Appts), len(clin.Evaluations), len(clin.Plans), len(clin.Rx), len(clin.Documents))
		}
		if _, leaked := clin.Documents[0]["blob_key"]; leaked {
			t.Fatal("clinical.json shows the storage key")
		}
		if cons.Consents == nil || cons.Disclosures == nil { // the ledger part fills them; here only the shape
			t.Fatalf("consent.json = %s", files["consent.json"])
		}

		// the professional exports their own data, never their patients'
		r = h.Post(t, "/v1/me/exports", doctor.Token, nil).Want(t, http.StatusAccepted)
		var pe export
		r.JSON(t, &pe)
		pe = waitReady(t, h, doctor.Token, pe.ID)
		pdl := h.Do(t, harness.Req{Method: http.MethodGet, Path: "/v1/me/exports/" + pe.ID + "/download", Token: doctor.Token}).Want(t, http.StatusOK)
		pz, err := zip.NewReader(bytes.NewReader(pdl.Body), int64(len(pdl.Body)))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range pz.File {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			if strings.HasPrefix(f.Name, "documents/") || bytes.Contains(b, []byte(pt.ID)) || bytes.Contains(b, []byte("Losartana")) {
				t.Fatalf("the professional's export holds patient data in %s", f.Name)
			}
		}
		h.Get(t, "/v1/me/exports/"+pe.ID+"/download", pt.Token).Want(t, http.StatusNotFound)

		// a company member exports their account, not the company's business
		co := harness.SignUpVerifiedCompany(t, h, "pharmacy")
		r = h.Post(t, "/v1/me/exports", co.Token, nil).Want(t, http.StatusAccepted)
		var ce export
		r.JSON(t, &ce)
		ce = waitReady(t, h, co.Token, ce.ID)
		cdl := h.Do(t, harness.Req{Method: http.MethodGet, Path: "/v1/me/exports/" + ce.ID + "/download", Token: co.Token}).Want(t, http.StatusOK)
		cz, err := zip.NewReader(bytes.NewReader(cdl.Body), int64(len(cdl.Body)))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range cz.File {
			if f.Name != "identity.json" {
				continue
			}
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			var id struct {
				Account map[string]any `json:"account"`
				Company map[string]any `json:"company"`
			}
			if err := json.Unmarshal(b, &id); err != nil || id.Account["id"] != co.ID || id.Company["id"] != co.CompanyID {
				t.Fatalf("the member's identity.json: %v %s", err, b)
			}
		}
		// admins have no export of their own here
		h.Post(t, "/v1/me/exports", harness.AdminLogin(t, h).Token, nil).Want(t, http.StatusForbidden)

		// expiry: move the job's clock past its TTL and fire its expiry job now
		ctx := context.Background()
		past := time.Now().Add(-time.Minute).UTC()
		if _, err := h.App.DB.NewRaw("UPDATE consent_exports SET expires_at = ? WHERE id = ?", past, e.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		h.Get(t, "/v1/me/exports/"+e.ID+"/download", pt.Token).Want(t, http.StatusGone)
		if _, err := h.App.DB.NewRaw("UPDATE scheduled_jobs SET due_at = ? WHERE id = ?", time.Now().UnixMilli(), "export-expire:"+e.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		harness.Eventually(t, 30*time.Second, func() error {
			var x export
			h.Get(t, "/v1/me/exports/"+e.ID, pt.Token).Want(t, http.StatusOK).JSON(t, &x)
			if x.Status != "expired" {
				return fmt.Errorf("status %s", x.Status)
			}
			return nil
		})
		for p := range storedExports(t, h) {
			if strings.Contains(filepath.ToSlash(p), "/"+e.ID+".d/") {
				t.Fatalf("the expired export's object %s is still stored", p)
			}
		}
		h.Get(t, "/v1/me/exports/"+e.ID+"/download", pt.Token).Want(t, http.StatusGone)

		// a new export may be asked for now; the daily cap stops the fourth of the day
		for i := 0; i < 2; i++ {
			r := h.Post(t, "/v1/me/exports", pt.Token, nil).Want(t, http.StatusAccepted)
			var x export
			r.JSON(t, &x)
			waitReady(t, h, pt.Token, x.ID)
		}
		h.Post(t, "/v1/me/exports", pt.Token, nil).Want(t, http.StatusTooManyRequests)
	})
}
