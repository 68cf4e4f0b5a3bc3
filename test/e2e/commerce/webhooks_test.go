// Package commerce_test drives commerce's routes end to end.
package commerce_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

// partnerServer is a partner's webhook receiver. It verifies every request
// with the Standard Webhooks library (not our code) against the secrets it was
// given and keeps what verified.
type partnerServer struct {
	*httptest.Server
	mu       sync.Mutex
	secrets  []string
	got      []received
	bad      int
	fail     atomic.Bool  // answer 500 while set
	failNext atomic.Int32 // answer 500 to this many more requests
}

type received struct {
	ID       string
	Header   http.Header
	Body     []byte
	Verified []string // the secrets that verify it
}

func newPartner(t *testing.T) *partnerServer {
	p := &partnerServer{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		defer p.mu.Unlock()
		rec := received{ID: r.Header.Get("webhook-id"), Header: r.Header.Clone(), Body: body}
		for _, s := range p.secrets {
			wh, err := standardwebhooks.NewWebhook(s)
			if err == nil && wh.Verify(body, r.Header) == nil {
				rec.Verified = append(rec.Verified, s)
			}
		}
		if len(rec.Verified) == 0 {
			p.bad++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		p.got = append(p.got, rec)
		if p.fail.Load() || p.failNext.Add(-1) >= 0 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *partnerServer) trust(secret string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.secrets = append(p.secrets, secret)
}

func (p *partnerServer) received() []received {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]received(nil), p.got...)
}

type webhookBody struct {
	Type      string         `json:"type"`
	Timestamp string         `json:"timestamp"`
	Data      map[string]any `json:"data"`
}

func TestPartnerWebhooks(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		pharmacy := harness.SignUpVerifiedCompany(t, h, "pharmacy")
		staff := harness.AddCompanyStaff(t, h, pharmacy, "staff")
		market := harness.SignUpVerifiedCompany(t, h, "market")
		admin := harness.AdminLogin(t, h)
		partner := newPartner(t)
		hooks := "/v1/companies/" + pharmacy.CompanyID + "/webhooks"
		body := map[string]any{"url": partner.URL + "/multisaude", "events": []string{"prescription.dispensed", "order.created"}}

		// Who may register: the company's admins only.
		h.Post(t, hooks, staff.Token, body).Want(t, http.StatusForbidden).Problem(t)
		h.Post(t, hooks, market.Token, body).Want(t, http.StatusForbidden).Problem(t)
		h.Post(t, hooks, admin.Token, body).Want(t, http.StatusForbidden).Problem(t)
		h.Post(t, hooks, "", body).Want(t, http.StatusUnauthorized)
		p := h.Post(t, hooks, pharmacy.Token, map[string]any{"url": "ftp://x", "events": []string{"order.exploded"}}).Want(t, http.StatusBadRequest).Problem(t)
		if !p.HasField("url") || !p.HasField("events[0]") {
			t.Errorf("invalid body: fields %v", p.Fields())
		}
		h.Post(t, hooks, pharmacy.Token, map[string]any{"url": "https://x.example/" + strings.Repeat("a", 2100), "events": []string{"order.paid"}}).
			Want(t, http.StatusBadRequest)

		var ep struct {
			ID     string   `json:"id"`
			URL    string   `json:"url"`
			Events []string `json:"events"`
			Secret string   `json:"secret"`
		}
		h.Post(t, hooks, pharmacy.Token, body).Want(t, http.StatusCreated).JSON(t, &ep)
		if !strings.HasPrefix(ep.Secret, "whsec_") || ep.ID == "" || len(ep.Events) != 2 {
			t.Fatalf("created endpoint %+v", ep)
		}
		partner.trust(ep.Secret)
		one := hooks + "/" + ep.ID

		// Who may read: the company's members and the platform's admins; the secret never again.
		for _, tok := range []string{pharmacy.Token, staff.Token, admin.Token} {
			l := h.Get(t, hooks, tok).Want(t, http.StatusOK)
			if strings.Contains(string(l.Body), ep.Secret) || strings.Contains(string(l.Body), `"secret"`) {
				t.Errorf("a list shows the secret: %s", l.Body)
			}
			if g := h.Get(t, one, tok).Want(t, http.StatusOK); strings.Contains(string(g.Body), `"secret"`) {
				t.Errorf("a read shows the secret: %s", g.Body)
			}
		}
		h.Get(t, hooks, market.Token).Want(t, http.StatusForbidden)
		h.Get(t, one, market.Token).Want(t, http.StatusForbidden)
		h.Get(t, "/v1/companies/"+market.CompanyID+"/webhooks/"+ep.ID, market.Token).Want(t, http.StatusNotFound)
		h.Post(t, one+"/ping", staff.Token, nil).Want(t, http.StatusForbidden)
		h.Post(t, one+"/ping", market.Token, nil).Want(t, http.StatusForbidden)

		// Ping: delivered now, signed as Standard Webhooks says.
		var ping struct {
			ID        string `json:"id"`
			MessageID string `json:"message_id"`
			Status    string `json:"status"`
			EventType string `json:"event_type"`
			Attempts  []struct {
				StatusCode int `json:"status_code"`
				DurationMS int `json:"duration_ms"`
			} `json:"attempts"`
		}
		h.Post(t, one+"/ping", pharmacy.Token, nil).Want(t, http.StatusOK).JSON(t, &ping)
		if ping.Status != "delivered" || ping.EventType != "webhook.ping" || len(ping.Attempts) != 1 || ping.Attempts[0].StatusCode != 204 {
			t.Fatalf("ping = %+v", ping)
		}
		got := partner.received()
		if len(got) != 1 || got[0].ID != ping.MessageID || got[0].Header.Get("User-Agent") != "multisaude-webhooks/1" {
			t.Fatalf("the partner received %d requests (%+v)", len(got), got)
		}
		var pb webhookBody
		if err := json.Unmarshal(got[0].Body, &pb); err != nil || pb.Type != "webhook.ping" || pb.Data["endpoint_id"] != ep.ID {
			t.Errorf("ping body %s", got[0].Body)
		}

		// A pharmacy's dispensed prescription reaches it through the outbox,
		// the queue and the webhook worker, without the patient. The partner
		// fails the first attempt: the retry comes through the scheduler
		// (within the first backoff ceiling, 5 s) under the same webhook-id.
		patient := harness.SignUpPatient(t, h)
		doctor := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dra. Ana Lima"})
		h.Post(t, "/v1/me/record-shares", patient.Token, map[string]any{"professional_id": doctor.ID,
			"until": time.Now().Add(30 * 24 * time.Hour).Format(time.RFC3339)}).Want(t, http.StatusCreated)
		rx := h.Post(t, "/v1/patients/"+patient.ID+"/prescriptions", doctor.Token, map[string]any{"type": "simple", "items": []any{map[string]any{
			"drug": "Losartana potássica", "concentration": "50 mg", "form": "tablet", "dosage": "1 tablet every 24 hours", "quantity": "30 tablets",
			"route": "oral"}}}).Want(t, http.StatusCreated).Map(t)
		partner.failNext.Store(1)
		h.Post(t, "/v1/prescription-verifications/"+rx["verification_code"].(string)+"/dispense", pharmacy.Token, nil).Want(t, http.StatusOK)
		var dispensed []received
		harness.Eventually(t, 30*time.Second, func() error {
			dispensed = nil
			for _, r := range partner.received() {
				if strings.Contains(string(r.Body), `"prescription.dispensed"`) {
					dispensed = append(dispensed, r)
				}
			}
			if len(dispensed) < 2 {
				return fmt.Errorf("%d prescription.dispensed requests yet, want the failed one and its retry", len(dispensed))
			}
			return nil
		})
		if len(dispensed) != 2 || dispensed[0].ID != dispensed[1].ID || string(dispensed[0].Body) != string(dispensed[1].Body) {
			t.Fatalf("the retry is not the same message: %d requests", len(dispensed))
		}
		var dl struct {
			Items []struct {
				EventType string `json:"event_type"`
				Status    string `json:"status"`
				MessageID string `json:"message_id"`
				Attempts  []struct {
					StatusCode int `json:"status_code"`
				} `json:"attempts"`
			} `json:"items"`
		}
		harness.Eventually(t, 10*time.Second, func() error {
			h.Get(t, one+"/deliveries", pharmacy.Token).Want(t, http.StatusOK).JSON(t, &dl)
			if len(dl.Items) == 0 || dl.Items[0].Status != "delivered" {
				return fmt.Errorf("deliveries %+v", dl.Items)
			}
			return nil
		})
		if it := dl.Items[0]; it.EventType != "prescription.dispensed" || it.MessageID != dispensed[0].ID || len(it.Attempts) != 2 ||
			it.Attempts[0].StatusCode != 500 || it.Attempts[1].StatusCode != 204 {
			t.Errorf("the dispensed delivery's log: %+v", it)
		}
		var db webhookBody
		if err := json.Unmarshal(dispensed[0].Body, &db); err != nil {
			t.Fatal(err)
		}
		if db.Data["prescription_id"] != rx["id"] || db.Data["dispensed_at"] == nil || len(db.Data) != 2 ||
			strings.Contains(string(dispensed[0].Body), patient.ID) || strings.Contains(string(dispensed[0].Body), "Losartana") {
			t.Errorf("dispensed body carries more than the partner may see: %s", dispensed[0].Body)
		}

		// Rotation: the new secret is shown once; both sign during the overlap.
		var rot struct {
			Secret  string  `json:"secret"`
			PrevExp *string `json:"previous_secret_expires_at"`
		}
		h.Post(t, one+"/rotate-secret", staff.Token, nil).Want(t, http.StatusForbidden)
		h.Post(t, one+"/rotate-secret", pharmacy.Token, nil).Want(t, http.StatusOK).JSON(t, &rot)
		if !strings.HasPrefix(rot.Secret, "whsec_") || rot.Secret == ep.Secret || rot.PrevExp == nil {
			t.Fatalf("rotation = %+v", rot)
		}
		partner.trust(rot.Secret)
		h.Post(t, one+"/ping", pharmacy.Token, nil).Want(t, http.StatusOK)
		all := partner.received()
		if last := all[len(all)-1]; len(last.Verified) != 2 || len(strings.Fields(last.Header.Get("webhook-signature"))) != 2 {
			t.Errorf("after rotation %d of the partner's secrets verify (signature header %q), want both",
				len(last.Verified), last.Header.Get("webhook-signature"))
		}

		// A failed ping is replayed under the same webhook-id.
		partner.fail.Store(true)
		var failed struct {
			ID        string `json:"id"`
			MessageID string `json:"message_id"`
			Status    string `json:"status"`
			Attempts  []struct {
				StatusCode int    `json:"status_code"`
				Error      string `json:"error"`
			} `json:"attempts"`
		}
		h.Post(t, one+"/ping", pharmacy.Token, nil).Want(t, http.StatusOK).JSON(t, &failed)
		if failed.Status != "failed" || len(failed.Attempts) != 1 || failed.Attempts[0].StatusCode != 500 || failed.Attempts[0].Error == "" {
			t.Fatalf("failed ping = %+v", failed)
		}
		partner.fail.Store(false)
		replay := one + "/deliveries/" + failed.ID + "/replay"
		h.Post(t, replay, staff.Token, nil).Want(t, http.StatusForbidden)
		var replayed struct {
			MessageID    string `json:"message_id"`
			Status       string `json:"status"`
			AttemptCount int    `json:"attempt_count"`
		}
		h.Post(t, replay, pharmacy.Token, nil).Want(t, http.StatusOK).JSON(t, &replayed)
		if replayed.Status != "delivered" || replayed.AttemptCount != 2 || replayed.MessageID != failed.MessageID {
			t.Errorf("replay = %+v", replayed)
		}
		h.Post(t, replay, pharmacy.Token, nil).Want(t, http.StatusConflict)
		all = partner.received()
		if a, b := all[len(all)-2], all[len(all)-1]; a.ID != failed.MessageID || b.ID != failed.MessageID {
			t.Errorf("the replay changed the webhook-id: %s then %s", a.ID, b.ID)
		}

		// The delivery log: paged, newest first; staff and platform admins read it.
		var page struct {
			Items []struct {
				EventType string `json:"event_type"`
				Status    string `json:"status"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		h.Get(t, one+"/deliveries?limit=2", staff.Token).Want(t, http.StatusOK).JSON(t, &page)
		if len(page.Items) != 2 || page.NextCursor == "" || page.Items[0].EventType != "webhook.ping" {
			t.Errorf("first page = %+v", page)
		}
		h.Get(t, one+"/deliveries?limit=50", admin.Token).Want(t, http.StatusOK).JSON(t, &page)
		types := map[string]int{}
		for _, it := range page.Items {
			types[it.EventType]++
		}
		if len(page.Items) != 4 || types["webhook.ping"] != 3 || types["prescription.dispensed"] != 1 {
			t.Errorf("deliveries = %+v", page.Items)
		}
		h.Get(t, one+"/deliveries", market.Token).Want(t, http.StatusForbidden)
		h.Get(t, one+"/deliveries?limit=1000", pharmacy.Token).Want(t, http.StatusBadRequest)

		partner.mu.Lock()
		bad := partner.bad
		partner.mu.Unlock()
		if bad != 0 {
			t.Errorf("%d requests failed the library's verification", bad)
		}

		// Delete.
		h.Do(t, harness.Req{Method: http.MethodDelete, Path: one, Token: staff.Token}).Want(t, http.StatusForbidden)
		h.Do(t, harness.Req{Method: http.MethodDelete, Path: one, Token: pharmacy.Token}).Want(t, http.StatusNoContent)
		h.Get(t, one, pharmacy.Token).Want(t, http.StatusNotFound)
		h.Do(t, harness.Req{Method: http.MethodDelete, Path: one, Token: pharmacy.Token}).Want(t, http.StatusNotFound)
	})
}
