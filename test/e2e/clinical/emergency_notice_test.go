package clinical_test

import (
	"errors"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

// emergencyNotice waits for the break-the-glass notice in the patient's in-app
// notifications and returns it.
func emergencyNotice(t *testing.T, h *harness.H, patient harness.Account) map[string]any {
	t.Helper()
	var found map[string]any
	harness.Eventually(t, 10*time.Second, func() error {
		l := h.Get(t, "/v1/me/notifications", patient.Token).Want(t, http.StatusOK).Map(t)
		for _, it := range l["items"].([]any) {
			if n := it.(map[string]any); n["kind"] == "record_emergency_access" {
				found = n
				return nil
			}
		}
		return errors.New("no break-the-glass notice in the patient's notifications")
	})
	return found
}

var rfc3339Time = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}`)

// A break-the-glass access reaches the patient in-app, in Portuguese, whether
// or not the e-mail can be sent; the e-mail follows once the mail works again.
func TestBreakTheGlassNoticeInApp(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		pat := harness.SignUpPatient(t, h)
		er := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dr. Plantão"})
		h.Post(t, "/v1/patients/"+pat.ID+"/break-the-glass", er.Token, map[string]any{"reason": "paciente inconsciente no pronto-socorro"}).Want(t, http.StatusCreated)
		n := emergencyNotice(t, h, pat)
		title, body := n["title"].(string), n["body"].(string)
		if title != "Seu prontuário foi aberto em uma emergência" ||
			!strings.HasPrefix(body, "O(a) profissional Dr. Plantão (CRM ") ||
			!strings.Contains(body, " às ") || !strings.Contains(body, "Motivo informado: paciente inconsciente no pronto-socorro.") ||
			rfc3339Time.MatchString(body) {
			t.Fatalf("in-app notice = %q / %q", title, body)
		}
		Eventually(t, h, pat) // and the e-mail

		// the mail drop fails: the in-app notice still arrives, the e-mail is retried
		pat2 := harness.SignUpPatient(t, h)
		if err := os.RemoveAll(h.MailDir()); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(h.MailDir(), []byte("not a folder"), 0o600); err != nil {
			t.Fatal(err)
		}
		h.Post(t, "/v1/patients/"+pat2.ID+"/break-the-glass", er.Token, map[string]any{"reason": "parada cardiorrespiratória"}).Want(t, http.StatusCreated)
		n2 := emergencyNotice(t, h, pat2)
		if !strings.Contains(n2["body"].(string), "Motivo informado: parada cardiorrespiratória.") {
			t.Fatalf("in-app notice = %v", n2)
		}
		if err := os.Remove(h.MailDir()); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(h.MailDir(), 0o750); err != nil {
			t.Fatal(err)
		}
		Eventually(t, h, pat2) // redelivered by the queue once the mail drop works
		// and redelivery did not duplicate the in-app notice
		l := h.Get(t, "/v1/me/notifications", pat2.Token).Want(t, http.StatusOK).Map(t)
		if c := len(l["items"].([]any)); c != 1 {
			t.Fatalf("patient 2 has %d notifications, want 1", c)
		}
	})
}
