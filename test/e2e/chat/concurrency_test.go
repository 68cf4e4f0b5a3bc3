package chat_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

// TestConcurrentStartAndSend: twenty racing starts make one conversation
// (one 201, the rest 200 with its ID); both parties sending at once lose no
// message, every Seq is distinct, and each side's unread count is the other
// side's messages.
func TestConcurrentStartAndSend(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		a := harness.SignUpPatient(t, h)
		p := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{})
		book(t, h, a, p, 6)
		var wg sync.WaitGroup
		type result struct {
			status int
			id     string
		}
		results := make([]result, 20)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				who, body := a, map[string]any{"professional_id": p.ID}
				if i%2 == 1 {
					who, body = p, map[string]any{"patient_id": a.ID}
				}
				r := h.Post(t, "/v1/conversations", who.Token, body)
				var c conv
				if r.Status < 300 {
					r.JSON(t, &c)
				}
				results[i] = result{r.Status, c.ID}
			}()
		}
		wg.Wait()
		created := 0
		for _, r := range results {
			switch {
			case r.status == http.StatusCreated:
				created++
			case r.status != http.StatusOK:
				t.Fatalf("racing start answered %d", r.status)
			}
			if r.id != results[0].id {
				t.Fatalf("two conversations: %s and %s", results[0].id, r.id)
			}
		}
		if created != 1 {
			t.Fatalf("%d starts created, want 1", created)
		}
		id := results[0].id
		seqs := make(chan int64, 20)
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				who := a
				if i%2 == 1 {
					who = p
				}
				r := h.Post(t, "/v1/conversations/"+id+"/messages", who.Token, map[string]any{"text": fmt.Sprintf("mensagem %d", i)})
				var m message
				if r.Status != http.StatusCreated {
					t.Errorf("racing send answered %d: %s", r.Status, r.Body)
					return
				}
				r.JSON(t, &m)
				seqs <- m.Seq
			}()
		}
		wg.Wait()
		close(seqs)
		seen := map[int64]bool{}
		for s := range seqs {
			if seen[s] {
				t.Fatalf("seq %d twice", s)
			}
			seen[s] = true
		}
		items, _ := messages(t, h, a, id, "?limit=100")
		if len(items) != 20 {
			t.Fatalf("%d messages listed, 20 sent", len(items))
		}
		for i := 1; i < len(items); i++ {
			if items[i].Seq >= items[i-1].Seq {
				t.Fatalf("not newest first at %d", i)
			}
		}
		for _, who := range []harness.Account{a, p} {
			if c, _ := find(conversations(t, h, who), id); c.Unread != 10 {
				t.Fatalf("%s's unread %d, want 10", who.Kind, c.Unread)
			}
		}
	})
}
