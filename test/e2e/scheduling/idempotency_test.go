package scheduling_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/test/e2e/harness"
)

// The booking route inserts its idempotency claim with the booking itself. Twenty
// concurrent requests with one key book once and all answer the first's 201; a
// 409 (slot taken) is stored and replayed too; another body with the key is a 422.
func TestBookingIdempotencyUnderConcurrency(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		pro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{})
		h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/professionals/" + pro.ID + "/availability", Token: pro.Token, Body: allDay(24)}).Want(t, http.StatusOK)
		alice, bob := harness.SignUpPatient(t, h), harness.SignUpPatient(t, h)
		ss := slotsOn(t, h, "/v1/professionals/"+pro.ID+"/slots", time.Now().In(sp).AddDate(0, 0, 4))
		body := map[string]any{"professional_id": pro.ID, "start": ss[30].Start.Format(time.RFC3339)}
		key := kernel.NewID()
		var wg sync.WaitGroup
		res := make([]*harness.Resp, 20)
		for i := range res {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res[i] = book(t, h, alice.Token, body, key)
			}()
		}
		wg.Wait()
		for i, r := range res {
			if r.Status != http.StatusCreated || string(r.Body) != string(res[0].Body) {
				t.Fatalf("duplicate %d: %d %s, want the first's 201 %s", i, r.Status, r.Body, res[0].Body)
			}
		}
		if res[0].Header.Get("Location") == "" || res[0].Header.Get("Content-Type") != "application/json" {
			t.Fatalf("the first answer's headers: %v", res[0].Header)
		}
		var l struct {
			Items []appointment `json:"items"`
		}
		h.Get(t, "/v1/appointments", alice.Token).Want(t, http.StatusOK).JSON(t, &l)
		if len(l.Items) != 1 {
			t.Fatalf("alice has %d appointments, want 1", len(l.Items))
		}
		key2 := kernel.NewID()
		r1 := book(t, h, bob.Token, body, key2).Want(t, http.StatusConflict)
		r2 := book(t, h, bob.Token, body, key2).Want(t, http.StatusConflict)
		if string(r2.Body) != string(r1.Body) || r2.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("the 409 was not replayed: %s / %s", r1.Body, r2.Body)
		}
		other := map[string]any{"professional_id": pro.ID, "start": ss[31].Start.Format(time.RFC3339)}
		if p := book(t, h, bob.Token, other, key2).Want(t, http.StatusUnprocessableEntity).Problem(t); !p.HasField("Idempotency-Key") {
			t.Fatalf("another body with a used key: %v", p.Fields())
		}
		// bob's key is his: alice's key in his hands books for him.
		book(t, h, bob.Token, other, key).Want(t, http.StatusCreated)
	})
}
