// Command load drives a running multisaude server with many patients booking
// different slots at once and prints throughput and latency percentiles; with
// -pgbench-url it also runs pgbench against the same PostgreSQL in the same run
// (right after the bookings), for comparison: by default a booking's durable work
// in one round trip on the server's own schema (pgbench.go), or a one-row insert.
//
//	go run ./test/load booking -duration 30s -concurrency 200 -url http://127.0.0.1:8080 \
//	    -admin-email admin@example.com -admin-password ... -pgbench-url postgres://postgres@127.0.0.1:5432/bench
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/test/e2e/harness"
)

type config struct {
	url, adminEmail, adminPassword, pgbenchURL string
	duration                                   time.Duration
	concurrency, patients, professionals       int
	pgbenchClients                             int
	pgbenchWork                                string // same | insert (pgbench.go)
	// beforeBooking and afterBooking, when set, run right before and after the
	// bookings (not the setup): prof_test.go reads pg_stat_statements with them.
	beforeBooking func()
	afterBooking  func(created int64)
}

func main() {
	if len(os.Args) < 2 || os.Args[1] != "booking" {
		fmt.Fprintln(os.Stderr, "usage: load booking [-duration 30s] [-concurrency 200] [-url http://127.0.0.1:8080] ...")
		os.Exit(2)
	}
	var c config
	fs := flag.NewFlagSet("booking", flag.ExitOnError)
	fs.StringVar(&c.url, "url", "http://127.0.0.1:8080", "server base URL")
	fs.DurationVar(&c.duration, "duration", 30*time.Second, "how long to book")
	fs.IntVar(&c.concurrency, "concurrency", 200, "concurrent clients")
	fs.IntVar(&c.patients, "patients", 200, "patients to sign up (clients share them round-robin)")
	fs.IntVar(&c.professionals, "professionals", 50, "professionals to sign up and publish")
	fs.StringVar(&c.adminEmail, "admin-email", os.Getenv("MULTISAUDE_ADMIN_EMAIL"), "platform admin e-mail (verifies professionals)")
	fs.StringVar(&c.adminPassword, "admin-password", os.Getenv("MULTISAUDE_ADMIN_PASSWORD"), "platform admin password")
	fs.StringVar(&c.pgbenchURL, "pgbench-url", "", "when set, run pgbench (one-row insert) against this PostgreSQL database in the same run")
	fs.IntVar(&c.pgbenchClients, "pgbench-clients", 50, "pgbench clients (PostgreSQL max_connections bounds it; the server's pool is 50)")
	fs.StringVar(&c.pgbenchWork, "pgbench-work", "same", "pgbench's transaction: same (a booking's durable work in one round trip, on the server's schema) or insert (a one-row insert)")
	_ = fs.Parse(os.Args[2:])
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

var client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1024, MaxConnsPerHost: 0}}

func call(method, url, token string, body any, hdr map[string]string) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

func must(status int, body []byte, err error, want int, what string) ([]byte, error) {
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if status != want {
		return nil, fmt.Errorf("%s: status %d, want %d: %s", what, status, want, body)
	}
	return body, nil
}

func login(base, email, password, kind string) (string, error) {
	st, b, err := call("POST", base+"/v1/auth/token", "", map[string]any{"grant_type": "password", "email": email, "password": password, "account_kind": kind}, nil)
	if b, err = must(st, b, err, 200, "login"); err != nil {
		return "", err
	}
	var out struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.Unmarshal(b, &out)
	return out.AccessToken, nil
}

// currentTerm is the current version of purpose's consent term.
func currentTerm(base, purpose string) (string, error) {
	st, b, err := call("GET", base+"/v1/consent-terms/"+purpose, "", nil, nil)
	if b, err = must(st, b, err, 200, "read the "+purpose+" term"); err != nil {
		return "", err
	}
	var out struct {
		Version string `json:"version"`
	}
	_ = json.Unmarshal(b, &out)
	return out.Version, nil
}

func signUp(base, path, kind string, body map[string]any) (id, token string, err error) {
	st, b, err := call("POST", base+path, "", body, nil)
	if b, err = must(st, b, err, 201, "sign up "+kind); err != nil {
		return "", "", err
	}
	var out struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(b, &out)
	return out.ID, "", nil
}

func availability() map[string]any {
	var weekly []map[string]any
	for _, d := range []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
		weekly = append(weekly, map[string]any{"weekday": d, "start": "00:00", "end": "24:00", "mode": "telemedicine"})
	}
	return map[string]any{"time_zone": "America/Sao_Paulo", "slot_minutes": 15, "min_notice_hours": 2, "horizon_days": 90, "weekly": weekly, "exceptions": []any{}}
}

// parallel runs fn(i) for i in [0, n) on w workers and returns the first error.
func parallel(n, w int, fn func(i int) error) error {
	var next atomic.Int64
	var first error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for k := 0; k < w; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

func run(c config) error {
	if c.adminEmail == "" || c.adminPassword == "" {
		return errors.New("-admin-email and -admin-password (or MULTISAUDE_ADMIN_EMAIL/PASSWORD) are required to verify professionals")
	}
	base := c.url
	admin, err := login(base, c.adminEmail, c.adminPassword, "admin")
	if err != nil {
		return err
	}
	fmt.Printf("setup: %d professionals, %d patients ...\n", c.professionals, c.patients)
	t0 := time.Now()
	pros := make([]string, c.professionals)
	err = parallel(c.professionals, 8, func(i int) error {
		body := harness.ProfessionalBody(harness.ProfessionalOptions{})
		id, _, err := signUp(base, "/v1/professionals", "professional", body)
		if err != nil {
			return err
		}
		st, b, err := call("POST", base+"/v1/admin/professionals/"+id+"/verify", admin, nil, nil)
		if _, err = must(st, b, err, 200, "verify"); err != nil {
			return err
		}
		tok, err := login(base, body["email"].(string), harness.Password, "professional")
		if err != nil {
			return err
		}
		st, b, err = call("PUT", base+"/v1/professionals/"+id+"/availability", tok, availability(), nil)
		if _, err = must(st, b, err, 200, "availability"); err != nil {
			return err
		}
		pros[i] = id
		return nil
	})
	if err != nil {
		return err
	}
	teleVersion, err := currentTerm(base, "telemedicine")
	if err != nil {
		return err
	}
	tokens, patientIDs := make([]string, c.patients), make([]string, c.patients)
	err = parallel(c.patients, 8, func(i int) error {
		body := harness.PatientBody()
		id, _, err := signUp(base, "/v1/patients", "patient", body)
		if err != nil {
			return err
		}
		tok, err := login(base, body["email"].(string), harness.Password, "patient")
		if err != nil {
			return err
		}
		tokens[i], patientIDs[i] = tok, id
		// Telemedicine bookings need the consent the portal's sign-up records.
		st, b, err := call("POST", base+"/v1/me/consents", tok, map[string]any{"purpose": "telemedicine", "decision": "granted", "term_version": teleVersion},
			map[string]string{"X-Consent-Channel": "portal"})
		_, err = must(st, b, err, 201, "grant telemedicine consent")
		return err
	})
	if err != nil {
		return err
	}
	fmt.Printf("setup done in %s\n", time.Since(t0).Round(time.Millisecond))

	sp, _ := time.LoadLocation("America/Sao_Paulo")
	n := time.Now().In(sp).AddDate(0, 0, 1)
	first := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, sp)
	maxSlot := int64(96 * 80)
	var slot atomic.Int64
	var created, conflicts, others, wrong atomic.Int64
	lat := make([][]time.Duration, c.concurrency)
	ctx, cancel := context.WithTimeout(context.Background(), c.duration)
	defer cancel()

	fmt.Printf("booking for %s with %d clients ...\n", c.duration, c.concurrency)
	if c.beforeBooking != nil {
		c.beforeBooking()
	}
	cpu0, pg0, self0 := machineCPU(), processCPU("postgres"), processCPU("")
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < c.concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, patient := tokens[w%len(tokens)], patientIDs[w%len(tokens)]
			for ctx.Err() == nil {
				k := slot.Add(1) - 1
				idx := k / int64(len(pros))
				if idx >= maxSlot {
					return
				}
				pro := pros[k%int64(len(pros))]
				st := first.Add(time.Duration(idx) * 15 * time.Minute)
				body := map[string]any{"professional_id": pro, "start": st.Format(time.RFC3339), "mode": "telemedicine"}
				t := time.Now()
				status, b, err := call("POST", base+"/v1/appointments", tok, body, map[string]string{"Idempotency-Key": kernel.NewID()})
				d := time.Since(t)
				switch {
				case err == nil && status == 201:
					created.Add(1)
					lat[w] = append(lat[w], d)
					// What the answer says, not only its status: the professional,
					// patient and start asked for.
					var a struct {
						ProfessionalID string    `json:"professional_id"`
						PatientID      string    `json:"patient_id"`
						Start          time.Time `json:"start"`
					}
					if json.Unmarshal(b, &a) != nil || a.ProfessionalID != pro || a.PatientID != patient || !a.Start.Equal(st) {
						if wrong.Add(1) <= 5 {
							fmt.Fprintf(os.Stderr, "booking differs from the request: asked %s %s for %s, answered %s\n", pro, st.Format(time.RFC3339), patient, b)
						}
					}
				case err == nil && status == 409:
					// Every request asks for a distinct free slot: a 409 refuses a free slot.
					if conflicts.Add(1) <= 5 {
						fmt.Fprintf(os.Stderr, "free slot refused: %s %s: %s\n", pro, st.Format(time.RFC3339), b)
					}
				default:
					if others.Add(1) <= 5 {
						fmt.Fprintf(os.Stderr, "unexpected answer %d %v %s\n", status, err, b)
					}
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu, pg, self := machineCPU()-cpu0, processCPU("postgres")-pg0, processCPU("")-self0
	if c.afterBooking != nil {
		c.afterBooking(created.Load())
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, int(float64(len(all))*p))]
	}
	rate := float64(created.Load()) / elapsed.Seconds()
	fmt.Printf("bookings: %d created, %d confirmed other than asked, %d free slots refused (409), %d other in %s\n",
		created.Load(), wrong.Load(), conflicts.Load(), others.Load(), elapsed.Round(time.Millisecond))
	fmt.Printf("throughput: %.0f bookings/s; latency p50 %s p95 %s p99 %s max %s\n", rate,
		pct(0.50).Round(time.Microsecond*100), pct(0.95).Round(time.Microsecond*100), pct(0.99).Round(time.Microsecond*100), pct(1).Round(time.Microsecond*100))
	if cpu > 0 && created.Load() > 0 {
		// Busy CPU of the whole machine (server, PostgreSQL and this tool): steadier
		// than throughput on a shared machine, and what a change must lower.
		per := func(d time.Duration) float64 { return d.Seconds() * 1e6 / float64(created.Load()) }
		fmt.Printf("machine CPU per booking: %.0f µs (busy %.1f of %.1f core-seconds): PostgreSQL %.0f µs, this tool %.0f µs, the rest (server, kernel, others) %.0f µs\n",
			per(cpu), cpu.Seconds(), elapsed.Seconds()*float64(runtime.NumCPU()), per(pg), per(self), per(cpu-pg-self))
	}
	if n := wrong.Load() + conflicts.Load() + others.Load(); n > 0 {
		return fmt.Errorf("%d answers differ from what was asked (%d wrong bookings, %d free slots refused, %d other)", n, wrong.Load(), conflicts.Load(), others.Load())
	}
	if c.pgbenchURL != "" {
		// After the bookings, not during: both would share the same two cores.
		return comparePgbench(c, rate)
	}
	return nil
}

// machineCPU is the machine's busy CPU time so far (Linux /proc/stat: all but
// idle and iowait), or 0 where that cannot be read.
func machineCPU() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 6 || f[0] != "cpu" {
		return 0
	}
	var busy int64
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return time.Duration(busy) * time.Second / 100 // USER_HZ
}

// processCPU is the CPU time (user+system, with reaped children) of the processes
// whose command is name, of this process when name is "", or of the process
// "pid:N" (Linux /proc).
func processCPU(name string) time.Duration {
	stat := func(pid string) (comm string, ticks int64) {
		b, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil {
			return "", 0
		}
		i, j := strings.IndexByte(string(b), '('), strings.LastIndexByte(string(b), ')')
		if i < 0 || j < i {
			return "", 0
		}
		f := strings.Fields(string(b)[j+1:])
		if len(f) < 15 {
			return "", 0
		}
		for _, k := range []int{11, 12, 13, 14} { // utime stime cutime cstime
			n, _ := strconv.ParseInt(f[k], 10, 64)
			ticks += n
		}
		return string(b)[i+1 : j], ticks
	}
	var total int64
	if pid, ok := strings.CutPrefix(name, "pid:"); ok {
		_, total = stat(pid)
	} else if name == "" {
		_, total = stat("self")
	} else {
		ents, _ := os.ReadDir("/proc")
		for _, e := range ents {
			if e.Name()[0] < '0' || e.Name()[0] > '9' {
				continue
			}
			if comm, t := stat(e.Name()); comm == name {
				total += t
			}
		}
	}
	return time.Duration(total) * time.Second / 100
}
