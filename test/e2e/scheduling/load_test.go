package scheduling_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/test/e2e/harness"
)

// TestBookingLoadEveryAnswerIsWhatWasAsked books thousands of distinct free
// slots over many professionals and patients, as a load test would, with users
// looking at a professional's slots before booking one. Every 201 must carry
// exactly the professional, patient and start asked for, no free slot may be
// refused, and the stored appointments must be exactly those booked.
//
// It guards against values of one request leaking into another (fiber reuses
// its buffers: a path parameter kept as a cache key once made bookings of
// Dr A come back confirmed with Dr B).
func TestBookingLoadEveryAnswerIsWhatWasAsked(t *testing.T) {
	bookings, clients := 2000, 16
	if testing.Short() {
		bookings = 300
	}
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		const nPros, nPatients = 20, 40
		harness.AdminLogin(t, h) // once, before the parallel sign-ups verify with it
		pros := make([]harness.Account, nPros)
		var wg sync.WaitGroup
		for i := range pros {
			wg.Add(1)
			go func() {
				defer wg.Done()
				pros[i] = harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: fmt.Sprintf("Dra. Carga %02d", i)})
				h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/professionals/" + pros[i].ID + "/availability",
					Token: pros[i].Token, Body: loadAvailability()}).Want(t, http.StatusOK)
			}()
		}
		wg.Wait()
		patients := make([]harness.Account, nPatients)
		for i := range patients {
			wg.Add(1)
			go func() { defer wg.Done(); patients[i] = harness.SignUpPatient(t, h) }()
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}

		// Job k books professional k%nPros at the (k/nPros)-th quarter hour from
		// the day after tomorrow: every job a distinct free slot, and the jobs
		// sharing a start belong to distinct patients.
		n := time.Now().In(sp).AddDate(0, 0, 2)
		first := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, sp)
		var (
			next                           atomic.Int64
			created, wrong, refused, other atomic.Int64
			slotMissing, retried           atomic.Int64
			mu                             sync.Mutex
			examples                       []string
			booked                         = map[string]map[string]bool{} // patient -> "pro|start"
			note                           = func(s string) { mu.Lock(); examples = append(examples, s); mu.Unlock() }
		)
		for c := 0; c < clients; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					k := int(next.Add(1) - 1)
					if k >= bookings {
						return
					}
					pro := pros[k%nPros]
					pat := patients[k%nPatients]
					start := first.Add(time.Duration(k/nPros) * 15 * time.Minute)
					day := start.In(sp).Format("2006-01-02")

					// Look first, as a patient does: this fills the scheduling directory's cache.
					var ss struct {
						Items []slot `json:"items"`
					}
					sr := h.Do(t, harness.Req{Method: http.MethodGet, Path: "/v1/professionals/" + pro.ID + "/slots?from=" + day + "&to=" + day, Raw: true})
					if sr.Status != http.StatusOK {
						other.Add(1)
						note(fmt.Sprintf("slots of %s: %d %s", pro.ID, sr.Status, sr.Body))
						continue
					}
					sr.JSON(t, &ss)
					if !has(ss.Items, start) {
						slotMissing.Add(1)
						note(fmt.Sprintf("slot %s of %s not listed as free", start.Format(time.RFC3339), pro.ID))
					}

					req := harness.Req{Method: http.MethodPost, Path: "/v1/appointments", Token: pat.Token, Raw: k%50 != 0,
						Headers: map[string]string{"Idempotency-Key": kernel.NewID()},
						Body:    map[string]any{"professional_id": pro.ID, "start": start.Format(time.RFC3339), "mode": "telemedicine"}}
					r := h.Do(t, req)
					// A 503 (SQLite busy past its timeout on a loaded machine) says
					// "retry": the client does, with the same Idempotency-Key, as
					// Retry-After asks. Its final answer is what is checked.
					for try := 0; r.Status == http.StatusServiceUnavailable && r.Header.Get("Retry-After") != "" && try < 3; try++ {
						retried.Add(1)
						time.Sleep(200 * time.Millisecond)
						r = h.Do(t, req)
					}
					switch r.Status {
					case http.StatusCreated:
						created.Add(1)
						var a struct {
							ProfessionalID string    `json:"professional_id"`
							PatientID      string    `json:"patient_id"`
							Start          time.Time `json:"start"`
							Status         string    `json:"status"`
						}
						r.JSON(t, &a)
						if a.ProfessionalID != pro.ID || a.PatientID != pat.ID || !a.Start.Equal(start) || a.Status != "confirmed" {
							wrong.Add(1)
							note(fmt.Sprintf("asked %s %s for %s, answered %s %s for %s (%s)", pro.ID, start.Format(time.RFC3339), pat.ID,
								a.ProfessionalID, a.Start.Format(time.RFC3339), a.PatientID, a.Status))
						}
						mu.Lock()
						if booked[pat.ID] == nil {
							booked[pat.ID] = map[string]bool{}
						}
						booked[pat.ID][pro.ID+"|"+start.UTC().Format(time.RFC3339)] = true
						mu.Unlock()
					case http.StatusConflict:
						refused.Add(1)
						note(fmt.Sprintf("free slot %s of %s refused: %s", start.Format(time.RFC3339), pro.ID, r.Body))
					default:
						other.Add(1)
						note(fmt.Sprintf("booking %s of %s: %d %s", start.Format(time.RFC3339), pro.ID, r.Status, r.Body))
					}
				}
			}()
		}
		wg.Wait()
		t.Logf("%s: %d bookings by %d clients: %d created, %d confirmed other than asked, %d free slots refused, %d free slots not listed, %d other answers (%d retries after a 503)",
			h.Dialect, bookings, clients, created.Load(), wrong.Load(), refused.Load(), slotMissing.Load(), other.Load(), retried.Load())
		if wrong.Load()+refused.Load()+slotMissing.Load()+other.Load() > 0 {
			sort.Strings(examples)
			if len(examples) > 10 {
				examples = examples[:10]
			}
			t.Fatalf("bookings differ from what was asked; first cases:\n  %s", strings.Join(examples, "\n  "))
		}

		// What is stored is exactly what was booked: each patient's list.
		stored := 0
		for _, pat := range patients {
			got := map[string]bool{}
			cursor := ""
			for {
				path := "/v1/appointments?limit=100"
				if cursor != "" {
					path += "&cursor=" + cursor
				}
				var l struct {
					Items []struct {
						ProfessionalID string    `json:"professional_id"`
						PatientID      string    `json:"patient_id"`
						Start          time.Time `json:"start"`
					} `json:"items"`
					NextCursor string `json:"next_cursor"`
				}
				h.Do(t, harness.Req{Method: http.MethodGet, Path: path, Token: pat.Token, Raw: true}).Want(t, http.StatusOK).JSON(t, &l)
				for _, a := range l.Items {
					if a.PatientID != pat.ID {
						t.Errorf("patient %s lists an appointment of %s", pat.ID, a.PatientID)
					}
					got[a.ProfessionalID+"|"+a.Start.UTC().Format(time.RFC3339)] = true
				}
				if l.NextCursor == "" {
					break
				}
				cursor = l.NextCursor
			}
			want := booked[pat.ID]
			stored += len(got)
			for k := range want {
				if !got[k] {
					t.Errorf("patient %s booked %s but it is not stored", pat.ID, k)
				}
			}
			for k := range got {
				if !want[k] {
					t.Errorf("patient %s has %s stored, which was never asked", pat.ID, k)
				}
			}
		}
		if stored != bookings {
			t.Errorf("%d appointments stored, want %d", stored, bookings)
		}
	})
}

// loadAvailability opens every day, all day, in quarter hours, for telemedicine.
func loadAvailability() map[string]any {
	var weekly []map[string]any
	for _, d := range []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
		weekly = append(weekly, map[string]any{"weekday": d, "start": "00:00", "end": "24:00", "mode": "telemedicine"})
	}
	return map[string]any{"time_zone": "America/Sao_Paulo", "slot_minutes": 15, "buffer_minutes": 0, "min_notice_hours": 2,
		"horizon_days": 60, "cancel_until_hours": 0, "weekly": weekly, "exceptions": []any{}}
}
