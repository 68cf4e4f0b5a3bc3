package identity_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/multisaude/multisaude/test/e2e/harness"
	"github.com/multisaude/multisaude/test/testdb"
)

// The public directory pages through every verified professional, past the
// 5,000 it once stopped at (the oldest), and shows a change at the next call.
func TestDirectoryPagesPast5000(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		const n = 5003 // one is pending
		testdb.InsertProfessionals(t, h.App.DB, n)
		last := fmt.Sprintf("01900000-0000-7000-8000-%012x", n)
		type page struct {
			Items []struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		seen, cursor := map[string]bool{}, ""
		for pages := 0; ; pages++ {
			if pages > n/100+2 {
				t.Fatal("the cursor does not end")
			}
			var p page
			h.Get(t, "/v1/directory/professionals?limit=100&cursor="+url.QueryEscape(cursor), "").Want(t, http.StatusOK).JSON(t, &p)
			for _, it := range p.Items {
				if seen[it.ID] {
					t.Fatalf("%s listed twice", it.ID)
				}
				seen[it.ID] = true
			}
			if cursor = p.NextCursor; cursor == "" {
				break
			}
		}
		if len(seen) != n-1 || !seen[last] {
			t.Fatalf("%d professionals listed (newest listed: %v), want %d", len(seen), seen[last], n-1)
		}
		if _, err := h.App.DB.NewRaw("UPDATE identity_accounts SET name = 'Zé' WHERE id = ?", last).Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
		var p page
		h.Get(t, "/v1/directory/professionals?city=Campinas", "").Want(t, http.StatusOK).JSON(t, &p)
		if len(p.Items) != 1 || p.Items[0].ID != last || p.Items[0].Name != "Zé" {
			t.Fatalf("after a rename: %+v", p.Items)
		}
	})
}
