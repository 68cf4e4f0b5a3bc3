// Package faults_test drives the application while a dependency fails, as an
// operator would see it from outside: the database going away and coming back.
package faults_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/test/e2e/harness"
	"github.com/multisaude/multisaude/test/testdb"
)

// proxy is a TCP proxy to the database that can be cut: every connection
// closed and new ones refused (nothing listens), until it is restored on the
// same address.
type proxy struct {
	addr, upstream string
	mu             sync.Mutex
	ln             net.Listener
	conns          map[net.Conn]bool
	wg             sync.WaitGroup
}

func newProxy(t *testing.T, upstream string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{addr: ln.Addr().String(), upstream: upstream, conns: map[net.Conn]bool{}}
	p.serve(ln)
	t.Cleanup(func() { p.cut(); p.wg.Wait() })
	return p
}

func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.upstream)
			if err != nil {
				c.Close()
				continue
			}
			if !p.track(c, up) {
				continue
			}
			p.wg.Add(2)
			go func() { defer p.wg.Done(); _, _ = io.Copy(up, c); up.Close(); c.Close() }()
			go func() { defer p.wg.Done(); _, _ = io.Copy(c, up); up.Close(); c.Close() }()
		}
	}()
}

// track remembers a pair of connections, or closes them if the proxy was cut meanwhile.
func (p *proxy) track(c, up net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		c.Close()
		up.Close()
		return false
	}
	p.conns[c], p.conns[up] = true, true
	return true
}

// cut closes the listener and every connection.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

// restore listens again on the same address.
func (p *proxy) restore(t *testing.T) {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatalf("the proxy cannot listen again on %s: %v", p.addr, err)
	}
	p.serve(ln)
}

// timed is one answer and how long it took.
type timed struct {
	what string
	res  *harness.Resp
	took time.Duration
}

// With PostgreSQL unreachable (connections cut, new ones refused), every request
// that needs it answers 503 with Retry-After at once (well within the driver's
// 5 s dial timeout), counted in the metrics on the route that was asked for (the
// authenticated ones fail in authentication, which runs after routing); once
// the database is back, requests succeed again, and a booking retried with the
// Idempotency-Key it was first sent with during the cut books exactly once.
func TestDatabaseLoss(t *testing.T) {
	if testdb.PostgresURL() == "" {
		t.Skipf("%s not set: skipping PostgreSQL", testdb.PostgresEnv)
	}
	u, err := url.Parse(testdb.URL(t, sqlstore.Postgres))
	if err != nil {
		t.Fatal(err)
	}
	px := newProxy(t, u.Host)
	u.Host = px.addr
	h := harness.Start(t, sqlstore.Postgres, harness.WithEnv("MULTISAUDE_DATABASE_URL", u.String()))

	patient, bookWith := setUp(t, h)
	key := kernel.NewID()
	h.Get(t, "/v1/appointments", patient.Token).Want(t, http.StatusOK)

	px.cut()
	cutAt := time.Now()
	var answers []timed
	for round := 0; round < 3; round++ { // the cut lasts a while: ask again and again
		for _, r := range []struct {
			what string
			do   func() *harness.Resp
		}{
			{"GET /v1/appointments", func() *harness.Resp { return h.Get(t, "/v1/appointments", patient.Token) }},
			{"POST /v1/patients", func() *harness.Resp { return h.Post(t, "/v1/patients", "", harness.PatientBody()) }},
			{"POST /v1/appointments", func() *harness.Resp { return bookWith(key) }},
		} {
			began := time.Now()
			res := r.do()
			answers = append(answers, timed{r.what, res, time.Since(began)})
		}
		time.Sleep(300 * time.Millisecond)
	}
	cutFor := time.Since(cutAt)
	var lat []time.Duration
	for _, a := range answers {
		lat = append(lat, a.took)
		wantUnavailable(t, a, 5*time.Second) // the driver's dial timeout
	}
	slices.Sort(lat)
	t.Logf("database cut for %s: %d requests answered 503 in at most %s (median %s)", cutFor.Round(time.Millisecond),
		len(lat), lat[len(lat)-1].Round(time.Millisecond), lat[len(lat)/2].Round(time.Millisecond))

	counts := requestCounts(t, h)
	for _, route := range []string{"GET /v1/appointments", "POST /v1/patients", "POST /v1/appointments"} {
		if counts[route+" 503"] != 3 {
			t.Errorf("metrics: %s 503 counted %v times, want 3 (all: %v)", route, counts[route+" 503"], counts)
		}
	}
	for k, n := range counts {
		if n > 0 && len(k) > 4 && k[len(k)-4:] == " 503" && !slices.Contains([]string{"GET /v1/appointments 503", "POST /v1/patients 503", "POST /v1/appointments 503", "GET /readyz 503"}, k) {
			t.Errorf("metrics: %s counted %v times", k, n)
		}
	}

	px.restore(t)
	restoredAt := time.Now()
	// The first requests may still meet a pooled connection the cut broke: those answer 503 too.
	harness.Eventually(t, 10*time.Second, func() error {
		if r := h.Get(t, "/v1/appointments", patient.Token); r.Status != http.StatusOK {
			return errors.New(string(r.Body))
		}
		return nil
	})
	t.Logf("answering again %s after the database came back", time.Since(restoredAt).Round(time.Millisecond))
	bookedOnce(t, h, patient, bookWith, key)
	harness.SignUpPatient(t, h)
}

// Bookings keep coming while the database goes away and comes back; each
// client resends a booking that answered 503 with the same Idempotency-Key until
// it is answered. Some requests are in flight when the connections are cut (the
// booking may or may not have committed): still every booking ends 201 exactly
// once, nothing is lost and nothing is duplicated.
func TestBookingsAcrossDatabaseLoss(t *testing.T) {
	if testdb.PostgresURL() == "" {
		t.Skipf("%s not set: skipping PostgreSQL", testdb.PostgresEnv)
	}
	u, err := url.Parse(testdb.URL(t, sqlstore.Postgres))
	if err != nil {
		t.Fatal(err)
	}
	px := newProxy(t, u.Host)
	u.Host = px.addr
	h := harness.Start(t, sqlstore.Postgres, harness.WithEnv("MULTISAUDE_DATABASE_URL", u.String()))
	pro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{})
	h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/professionals/" + pro.ID + "/availability", Token: pro.Token, Body: allDay()}).Want(t, http.StatusOK)
	var sl struct {
		Items []struct {
			Start time.Time `json:"start"`
		} `json:"items"`
	}
	day := time.Now().In(saoPaulo).AddDate(0, 0, 3).Format("2006-01-02")
	h.Get(t, "/v1/professionals/"+pro.ID+"/slots?from="+day+"&to="+day, "").Want(t, http.StatusOK).JSON(t, &sl)
	const clients, each = 4, 10
	if len(sl.Items) < clients*each {
		t.Fatalf("%d slots", len(sl.Items))
	}
	pts := make([]harness.Account, clients)
	for i := range pts {
		pts[i] = harness.SignUpPatient(t, h)
	}
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				body := map[string]any{"professional_id": pro.ID, "start": sl.Items[c*each+i].Start.Format(time.RFC3339)}
				key := kernel.NewID()
				for try := 0; ; try++ {
					r := h.Do(t, harness.Req{Method: http.MethodPost, Path: "/v1/appointments", Token: pts[c].Token, Body: body,
						Headers: map[string]string{"Idempotency-Key": key}})
					mu.Lock()
					codes[r.Status]++
					mu.Unlock()
					if r.Status != http.StatusServiceUnavailable {
						if r.Status != http.StatusCreated {
							t.Errorf("client %d, booking %d, try %d: %d %s", c, i, try, r.Status, r.Body)
						}
						break
					}
					if try > 200 {
						t.Errorf("client %d, booking %d: still 503 after %d tries", c, i, try)
						return
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
		}()
	}
	time.Sleep(150 * time.Millisecond)
	px.cut()
	time.Sleep(time.Second)
	px.restore(t)
	wg.Wait()
	t.Logf("answers across the cut: %v", codes)
	if codes[http.StatusServiceUnavailable] == 0 {
		t.Errorf("no booking met the cut: the test proves nothing")
	}
	for c, p := range pts {
		var l struct {
			Items []struct {
				Start time.Time `json:"start"`
			} `json:"items"`
		}
		h.Get(t, "/v1/appointments?limit=100", p.Token).Want(t, http.StatusOK).JSON(t, &l)
		if len(l.Items) != each {
			t.Errorf("client %d has %d appointments, want %d", c, len(l.Items), each)
		}
	}
}

// setUp makes a professional open every day and a patient, and returns the
// patient and a booking of one of the professional's slots by the patient, sent
// with the Idempotency-Key given.
func setUp(t *testing.T, h *harness.H) (harness.Account, func(key string) *harness.Resp) {
	pro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{})
	h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/professionals/" + pro.ID + "/availability", Token: pro.Token, Body: allDay()}).Want(t, http.StatusOK)
	patient := harness.SignUpPatient(t, h)
	var sl struct {
		Items []struct {
			Start time.Time `json:"start"`
		} `json:"items"`
	}
	day := time.Now().In(saoPaulo).AddDate(0, 0, 2).Format("2006-01-02")
	h.Get(t, "/v1/professionals/"+pro.ID+"/slots?from="+day+"&to="+day, "").Want(t, http.StatusOK).JSON(t, &sl)
	if len(sl.Items) < 20 {
		t.Fatalf("%d slots", len(sl.Items))
	}
	booking := map[string]any{"professional_id": pro.ID, "start": sl.Items[10].Start.Format(time.RFC3339)}
	return patient, func(key string) *harness.Resp {
		return h.Do(t, harness.Req{Method: http.MethodPost, Path: "/v1/appointments", Token: patient.Token, Body: booking,
			Headers: map[string]string{"Idempotency-Key": key}})
	}
}

// bookedOnce checks that the booking first tried with key during the fault books
// now, is replayed to a repeat, and that the patient has exactly one appointment.
func bookedOnce(t *testing.T, h *harness.H, patient harness.Account, bookWith func(string) *harness.Resp, key string) {
	t.Helper()
	first := bookWith(key).Want(t, http.StatusCreated)
	again := bookWith(key).Want(t, http.StatusCreated)
	if again.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(first.Body) {
		t.Fatalf("the retried booking was not replayed: %s / %s", first.Body, again.Body)
	}
	var l struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	h.Get(t, "/v1/appointments", patient.Token).Want(t, http.StatusOK).JSON(t, &l)
	if len(l.Items) != 1 {
		t.Fatalf("the patient has %d appointments, want exactly 1", len(l.Items))
	}
}

// wantUnavailable checks a 503 problem with Retry-After.
func wantUnavailable(t *testing.T, a timed, within time.Duration) {
	t.Helper()
	if a.res == nil {
		t.Errorf("%s: no answer", a.what)
		return
	}
	if a.res.Status != http.StatusServiceUnavailable {
		t.Errorf("%s: %d %s, want 503", a.what, a.res.Status, a.res.Body)
		return
	}
	p := a.res.Problem(t)
	if ra := a.res.Header.Get("Retry-After"); ra == "" || p.Detail == "" || p.Type != "https://multisaude.com.br/problems/unavailable" {
		t.Errorf("%s: Retry-After %q, problem %+v", a.what, ra, p)
	}
	if a.took > within {
		t.Errorf("%s took %s, want at most %s", a.what, a.took, within)
	}
}

// With the SQLite database locked by another writer (a backup, a migration, a
// second process) for longer than its busy timeout (10 s), reads still answer
// (WAL) and every write answers 503 with Retry-After once the timeout has passed
// (a busy database is not retried after its busy timeout); once the
// lock is gone the booking retried with its Idempotency-Key books exactly once.
func TestDatabaseLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "locked.db")
	h := harness.Start(t, sqlstore.SQLite, harness.WithEnv("MULTISAUDE_DATABASE_URL", "sqlite:"+path))
	patient, bookWith := setUp(t, h)
	key := kernel.NewID()

	// The lock taker waits its turn: the server's own workers may be writing
	// at this moment, and BEGIN IMMEDIATE must not fail on their short lock.
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx := context.Background()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	lockedAt := time.Now()
	h.Get(t, "/v1/appointments", patient.Token).Want(t, http.StatusOK)
	answers := make([]timed, 2)
	var wg sync.WaitGroup
	for i, r := range []struct {
		what string
		do   func() *harness.Resp
	}{
		{"POST /v1/patients", func() *harness.Resp { return h.Post(t, "/v1/patients", "", harness.PatientBody()) }},
		{"POST /v1/appointments", func() *harness.Resp { return bookWith(key) }},
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			began := time.Now()
			res := r.do()
			answers[i] = timed{r.what, res, time.Since(began)}
		}()
	}
	wg.Wait()
	for _, a := range answers {
		// At most twice the busy timeout: a request may first wait for a pooled
		// connection held by a background worker that is itself waiting for the lock.
		wantUnavailable(t, a, 25*time.Second)
		t.Logf("%s with the database locked for %s: %d after %s", a.what, time.Since(lockedAt).Round(time.Millisecond), a.res.Status, a.took.Round(time.Millisecond))
	}
	counts := requestCounts(t, h)
	for _, route := range []string{"POST /v1/patients", "POST /v1/appointments"} {
		if counts[route+" 503"] != 1 {
			t.Errorf("metrics: %s 503 counted %v times, want 1 (all: %v)", route, counts[route+" 503"], counts)
		}
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	bookedOnce(t, h, patient, bookWith, key)
}

// requestCounts reads multisaude_http_requests_total as "METHOD route status" -> count.
func requestCounts(t *testing.T, h *harness.H) map[string]float64 {
	t.Helper()
	mfs, err := h.App.Server.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "multisaude_http_requests_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			l := map[string]string{}
			for _, lp := range m.GetLabel() {
				l[lp.GetName()] = lp.GetValue()
			}
			out[l["method"]+" "+l["route"]+" "+l["status"]] += m.GetCounter().GetValue()
		}
	}
	return out
}

var saoPaulo, _ = time.LoadLocation("America/Sao_Paulo")

// allDay is open every day, all day, so the test does not depend on the hour it runs.
func allDay() map[string]any {
	var weekly []map[string]any
	for _, d := range []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
		weekly = append(weekly, map[string]any{"weekday": d, "start": "00:00", "end": "24:00", "mode": "in_person"})
	}
	return map[string]any{"time_zone": "America/Sao_Paulo", "slot_minutes": 30, "buffer_minutes": 0, "min_notice_hours": 2,
		"horizon_days": 30, "cancel_until_hours": 0, "weekly": weekly, "exceptions": []any{}}
}
