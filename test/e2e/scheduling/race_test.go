package scheduling_test

import (
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/test/e2e/harness"
	"github.com/multisaude/multisaude/test/testdb"
)

// Sixteen patients race for each of five slots of one professional (80
// bookings at once, each with its own Idempotency-Key): every slot is won
// exactly once and every loser hears a 409, never a 5xx (on PostgreSQL competing
// inserts used to deadlock through the exclusion constraint and chain into 503s
// and 500s that took seconds). The store's own test races 50 for each of 10
// slots, and 16 for each of 100; over HTTP with the race detector on a shared
// two-core machine, 500 at once exceed the client's timeout on SQLite.
func TestManyRacersForManySlots(t *testing.T) {
	const slots, racers = 5, 16
	forEachDialect(t, []harness.Option{harness.WithEnv("MULTISAUDE_DB_MAX_CONNS", "20")}, func(t *testing.T, h *harness.H) {
		pro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{})
		h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/professionals/" + pro.ID + "/availability", Token: pro.Token, Body: allDay(0)}).Want(t, http.StatusOK)
		ss := slotsOn(t, h, "/v1/professionals/"+pro.ID+"/slots", time.Now().In(sp).AddDate(0, 0, 3))
		if len(ss) < slots {
			t.Fatalf("%d slots offered, want at least %d", len(ss), slots)
		}
		pts := make([]harness.Account, racers)
		var wg sync.WaitGroup
		sem := make(chan struct{}, 4)
		for i := range pts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				pts[i] = harness.SignUpPatient(t, h)
			}()
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}

		type answer struct {
			slot, status int
			took         time.Duration
		}
		answers := make(chan answer, slots*racers)
		gate := make(chan struct{})
		for s := 0; s < slots; s++ {
			body := map[string]any{"professional_id": pro.ID, "start": ss[s].Start.Format(time.RFC3339)}
			for i := range pts {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-gate
					start := time.Now()
					r := book(t, h, pts[i].Token, body, kernel.NewID())
					answers <- answer{slot: s, status: r.Status, took: time.Since(start)}
				}()
			}
		}
		began := time.Now()
		close(gate)
		wg.Wait()
		wall := time.Since(began)
		close(answers)

		won := make([]int, slots)
		codes := map[int]int{}
		var lat []time.Duration
		for a := range answers {
			codes[a.status]++
			lat = append(lat, a.took)
			switch a.status {
			case http.StatusCreated:
				won[a.slot]++
			case http.StatusConflict:
			default:
				t.Errorf("slot %d: answer %d, want 201 or 409", a.slot, a.status)
			}
		}
		for s, n := range won {
			if n != 1 {
				t.Errorf("slot %d was won %d times, want exactly once", s, n)
			}
		}
		slices.Sort(lat)
		q := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
		t.Logf("%s: %d bookings in %s: answers %v; latency p50 %s, p90 %s, p99 %s, max %s",
			h.Dialect, len(lat), wall.Round(time.Millisecond), codes, q(.5).Round(time.Millisecond), q(.9).Round(time.Millisecond),
			q(.99).Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))

		// The professional's agenda holds exactly the ten winners.
		var l struct {
			Items []appointment `json:"items"`
		}
		h.Get(t, "/v1/appointments?limit=100", pro.Token).Want(t, http.StatusOK).JSON(t, &l)
		if len(l.Items) != slots {
			t.Fatalf("the professional has %d appointments, want %d", len(l.Items), slots)
		}
	})
}

// forEachDialect is harness.ForEachDialect with options.
func forEachDialect(t *testing.T, opts []harness.Option, fn func(t *testing.T, h *harness.H)) {
	for _, d := range testdb.Dialects() {
		t.Run(string(d), func(t *testing.T) { fn(t, harness.Start(t, d, opts...)) })
	}
	if testdb.PostgresURL() == "" {
		t.Run("postgres", func(t *testing.T) { t.Skipf("%s not set: skipping PostgreSQL", testdb.PostgresEnv) })
	}
}
