package clinical_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

// TestUploadFileNames: the name a client sends is kept as a clean base name and
// handed back in Content-Disposition per RFC 6266; a name stored before the rule
// is cleaned when shown.
func TestUploadFileNames(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		pat := harness.SignUpPatient(t, h)
		cases := []struct{ sent, stored, disposition string }{
			{`..\..\windows\evil.pdf`, "evil.pdf", `attachment; filename="evil.pdf"; filename*=UTF-8''evil.pdf`},
			{"../x.pdf", "x.pdf", `attachment; filename="x.pdf"; filename*=UTF-8''x.pdf`},
			{"Exame de sangue - João.pdf", "Exame de sangue - João.pdf",
				`attachment; filename="Exame de sangue - Joao.pdf"; filename*=UTF-8''Exame%20de%20sangue%20-%20Jo%C3%A3o.pdf`},
			{"laudo\u202Efdp.exe", "laudofdp.exe", `attachment; filename="laudofdp.exe"; filename*=UTF-8''laudofdp.exe`},
			{`..\..`, "documento.pdf", `attachment; filename="documento.pdf"; filename*=UTF-8''documento.pdf`},
		}
		var lastID string
		for _, tc := range cases {
			doc := upload(t, h, pat.Token, pat.ID, "exam_result", tc.sent, examPDF).Want(t, http.StatusCreated).Map(t)
			if doc["file_name"] != tc.stored {
				t.Errorf("%q stored as %q, want %q", tc.sent, doc["file_name"], tc.stored)
			}
			id := doc["id"].(string)
			lastID = id
			if got := h.Get(t, "/v1/documents/"+id, pat.Token).Want(t, http.StatusOK).Map(t); got["file_name"] != tc.stored {
				t.Errorf("%q read back as %q", tc.sent, got["file_name"])
			}
			r := h.Get(t, "/v1/documents/"+id+"/content", pat.Token).Want(t, http.StatusOK)
			if d := r.Header.Get("Content-Disposition"); d != tc.disposition {
				t.Errorf("%q: Content-Disposition\n got %s\nwant %s", tc.sent, d, tc.disposition)
			}
		}
		// A name stored as it came before this rule is cleaned on the way out.
		old := "C:\\tmp\\..\\\"old\"\\Resultado\x01 de \"exame\".pdf"
		if _, err := h.App.DB.NewRaw("UPDATE clinical_documents SET file_name = ? WHERE id = ?", old, lastID).Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
		got := h.Get(t, "/v1/documents/"+lastID, pat.Token).Want(t, http.StatusOK).Map(t)
		r := h.Get(t, "/v1/documents/"+lastID+"/content", pat.Token).Want(t, http.StatusOK)
		if got["file_name"] != "Resultado de exame.pdf" ||
			r.Header.Get("Content-Disposition") != `attachment; filename="Resultado de exame.pdf"; filename*=UTF-8''Resultado%20de%20exame.pdf` {
			t.Errorf("old name shown as %q, %s", got["file_name"], r.Header.Get("Content-Disposition"))
		}
	})
}

// TestTamperedDocument: a stored ciphertext altered on disk is refused with the
// integrity problem (500, its own type, pt-BR detail with the request ID), and
// counted in the metrics; the bytes are never served.
func TestTamperedDocument(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		pat := harness.SignUpPatient(t, h)
		doc := upload(t, h, pat.Token, pat.ID, "exam_result", "glicemia.pdf", examPDF).Want(t, http.StatusCreated).Map(t)
		id := doc["id"].(string)
		h.Get(t, "/v1/documents/"+id+"/content", pat.Token).Want(t, http.StatusOK)

		var stored string
		_ = filepath.Walk(filepath.Join(h.DataDir, "files"), func(p string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() && strings.Contains(p, id) && strings.HasSuffix(p, ".b") { // the data file, not its ".m" sidecar
				stored = p
			}
			return nil
		})
		if stored == "" {
			t.Fatal("the stored file was not found")
		}
		b, err := os.ReadFile(stored)
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)-40] ^= 0x01 // a bit of the last chunk's ciphertext
		if err := os.WriteFile(stored, b, 0o600); err != nil {
			t.Fatal(err)
		}
		r := h.Do(t, harness.Req{Method: http.MethodGet, Path: "/v1/documents/" + id + "/content", Token: pat.Token, ServerError: true}).
			Want(t, http.StatusInternalServerError)
		p := r.Problem(t)
		rid := r.Header.Get("X-Request-ID")
		if p.Type != "https://multisaude.com.br/problems/integrity" || !strings.Contains(p.Detail, "integridade") || !strings.Contains(p.Detail, rid) {
			t.Fatalf("problem %+v", p)
		}
		if strings.Contains(string(r.Body), "Glicemia") {
			t.Fatal("plaintext served")
		}
		if body := metricsText(t, h); !strings.Contains(body, "\nmultisaude_document_integrity_failures_total 1\n") {
			t.Fatalf("integrity counter not at 1:\n%s", grepLines(body, "integrity"))
		}
	})
}

func metricsText(t *testing.T, h *harness.H) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.App.Server.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return rec.Body.String()
}

func grepLines(s, word string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
