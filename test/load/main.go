// Command load drives a running multisaude server with the operations of a
// busy day and prints, per operation, throughput, latency percentiles and the
// CPU each request cost (machine, PostgreSQL, the server, this tool), and the
// server's memory at rest and at its peak. Every answer is checked for what it
// says, not only its status; any difference fails the run.
//
//	load booking   patients book distinct free slots (as many clients as -concurrency)
//	load search    search by specialty + city, and near a point within a radius, with next free slots
//	load slots     a professional's free slots for 90 days
//	load history   a patient's appointment history page, and their evaluations
//	load agenda    a professional's agenda for a week
//	load orders    a patient orders from a partner's catalogue; the partner reads its board by status
//	load mix -weights booking=1,search=4,slots=4,history=2,agenda=2,orders=1
//	load search,slots,...   several operations one after another on one setup
//
// search, history and orders each send two kinds of request, measured apart;
// search-city, search-near, history-appointments, history-evals, orders-place
// and orders-board send one kind alone (for its own CPU figure).
//
// Closed loop (default): -concurrency clients, each sending when answered.
// Open loop: -rate R requests per second on a fixed schedule for -duration,
// whatever the answers; latency counts from each request's intended send time.
//
// Accounts: by default signed up over the API (-professionals, -patients,
// -companies; the platform admin verifies them). With -fixture, the accounts
// of a database filled by `multisaude demo --scale N` are used (-fixture-patients,
// -fixture-professionals, -fixture-companies say how many exist;
// -fixture-password), and cities, specialties and catalogues are discovered
// through the API.
//
// With -pgbench-url (the server's database) the booking op also runs pgbench
// right after the bookings, for comparison: by default a booking's durable work
// in one round trip on the server's schema (-pgbench-work same, pgbench.go), or
// a one-row insert (-pgbench-work insert).
//
//	go run ./test/load booking -duration 30s -concurrency 200 -url http://127.0.0.1:8080 \
//	    -admin-email admin@example.com -admin-password ... -pgbench-url postgres://postgres@127.0.0.1:5432/<the server's database>
//	go run ./test/load search -rate 300 -duration 30s -server-pid $(pgrep -n multisaude) ...
//	go run ./test/load mix -fixture -fixture-patients 1000000 -fixture-professionals 20000 -fixture-companies 2000 ...
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

type config struct {
	url, adminEmail, adminPassword, pgbenchURL string
	duration                                   time.Duration
	concurrency, patients, professionals       int
	companies                                  int
	pgbenchClients                             int
	pgbenchWork                                string // same | insert (pgbench.go)
	// beforeBooking and afterBooking, when set, run right before and after the
	// load (not the setup): prof_test.go reads pg_stat_statements with them.
	beforeBooking func()
	afterBooking  func(answered int64)

	ops         map[string]int // operation -> weight
	rate        float64        // > 0: open loop, requests per second
	maxInFlight int

	serverPID            int
	serverName           string
	metricsURL           string
	pgURL                string // the server's database, for its backends' CPU
	fixture              bool
	fixturePatients      int
	fixtureProfessionals int
	fixtureCompanies     int
	fixturePassword      string
	sequence             []string // operations run one after another on one setup
	thenOpen             float64  // > 0: after each closed-loop run, an open loop at this fraction of its rate
	out, errw            io.Writer
}

const usage = "usage: load booking|search|slots|history|agenda|orders[,...]|mix [-duration 30s] [-concurrency 200 | -rate R] [-url http://127.0.0.1:8080] ... (load <op> -h for every flag)"

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	name := os.Args[1]
	for _, n := range strings.Split(name, ",") {
		if opNames[n] == nil && name != "mix" {
			fmt.Fprintln(os.Stderr, usage)
			os.Exit(2)
		}
	}
	var c config
	fs := flag.NewFlagSet(name, flag.ExitOnError)
	fs.StringVar(&c.url, "url", "http://127.0.0.1:8080", "server base URL")
	fs.DurationVar(&c.duration, "duration", 30*time.Second, "how long to send")
	fs.IntVar(&c.concurrency, "concurrency", 200, "closed loop: concurrent clients")
	fs.Float64Var(&c.rate, "rate", 0, "open loop: requests per second on a fixed schedule (0: closed loop)")
	fs.IntVar(&c.maxInFlight, "max-in-flight", 20000, "open loop: requests unanswered at once before the next are not sent (and counted)")
	weights := fs.String("weights", "booking=1,search=4,slots=4,history=2,agenda=2,orders=1", "mix: operation=weight,...")
	fs.IntVar(&c.patients, "patients", 200, "patients to sign up or use (clients share them round-robin)")
	fs.IntVar(&c.professionals, "professionals", 50, "professionals to sign up and publish, or use")
	fs.IntVar(&c.companies, "companies", 10, "partner companies to sign up (with a catalogue) or use")
	fs.StringVar(&c.adminEmail, "admin-email", os.Getenv("MULTISAUDE_ADMIN_EMAIL"), "platform admin e-mail (verifies professionals)")
	fs.StringVar(&c.adminPassword, "admin-password", os.Getenv("MULTISAUDE_ADMIN_PASSWORD"), "platform admin password")
	fs.IntVar(&c.serverPID, "server-pid", 0, "the server's process, for its CPU and memory (default: the one process named -server-name)")
	fs.StringVar(&c.serverName, "server-name", "multisaude", "the server's command name, when -server-pid is not given")
	fs.StringVar(&c.metricsURL, "metrics-url", "http://127.0.0.1:9090/metrics", "the server's Prometheus metrics (Go heap); empty: not read")
	fs.StringVar(&c.pgURL, "pg-url", "", "the server's PostgreSQL database URL: PostgreSQL's CPU is then that of its backends only (psql), not of every database")
	fs.BoolVar(&c.fixture, "fixture", false, "use the accounts of a database filled by `multisaude demo --scale N` instead of signing up")
	fs.IntVar(&c.fixturePatients, "fixture-patients", 1000, "fixture: patients that exist (paciente%07d@escala.multisaude.dev)")
	fs.IntVar(&c.fixtureProfessionals, "fixture-professionals", 100, "fixture: professionals that exist (profissional%05d@...)")
	fs.IntVar(&c.fixtureCompanies, "fixture-companies", 20, "fixture: companies that exist (empresa%04d@...)")
	fs.StringVar(&c.fixturePassword, "fixture-password", "Escala#2026!", "fixture: the accounts' shared password")
	fs.StringVar(&c.pgbenchURL, "pgbench-url", "", "booking: when set, run pgbench (see -pgbench-work) against this PostgreSQL database in the same run")
	fs.IntVar(&c.pgbenchClients, "pgbench-clients", 50, "pgbench clients (PostgreSQL max_connections bounds it; the server's pool is 50)")
	fs.StringVar(&c.pgbenchWork, "pgbench-work", "same", "pgbench's transaction: same (a booking's durable work in one round trip, on the server's schema: -pgbench-url must be the server's database) or insert (a one-row insert)")
	fs.Float64Var(&c.thenOpen, "then-open", 0, "after each closed-loop run, an open-loop run at this fraction of its throughput (0.5: half the maximum)")
	_ = fs.Parse(os.Args[2:])
	c.ops = map[string]int{name: 1}
	if strings.Contains(name, ",") {
		c.ops, c.sequence = nil, strings.Split(name, ",")
	}
	if name == "mix" {
		var err error
		if c.ops, err = parseWeights(*weights); err != nil {
			fmt.Fprintln(os.Stderr, "load:", err)
			os.Exit(2)
		}
	}
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func parseWeights(s string) (map[string]int, error) {
	out := map[string]int{}
	for _, kv := range strings.Split(s, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		n, err := strconv.Atoi(v)
		if opNames[k] == nil || err != nil || n < 0 {
			return nil, fmt.Errorf("-weights: %q is not operation=weight (operations: booking search slots history agenda orders, or one kind: search-city ...)", kv)
		}
		if n > 0 {
			out[k] = n
		}
	}
	if len(out) == 0 {
		return nil, errors.New("-weights: no operation has a weight")
	}
	return out, nil
}

func run(c config) error {
	if len(c.ops) == 0 {
		c.ops = map[string]int{"booking": 1}
	}
	if c.companies == 0 {
		c.companies = 4
	}
	var w *world
	var err error
	if c.fixture {
		w, err = fixtureSetup(c)
	} else {
		w, err = selfSetup(c)
	}
	if err != nil {
		return err
	}
	if len(c.sequence) == 0 {
		return load(c, w)
	}
	var errs []error
	for _, name := range c.sequence {
		c.ops = map[string]int{name: 1}
		errs = append(errs, load(c, w))
	}
	return errors.Join(errs...)
}

// load runs c's operations on w's accounts against c.url.
func load(c config, w *world) error {
	if c.out == nil {
		c.out, c.errw = os.Stdout, os.Stderr
	}
	c.errw = &syncWriter{w: c.errw}
	w.base = c.url
	var bc bookingCounts
	var ops []*op
	groups := make([]string, 0, len(c.ops))
	for g := range c.ops {
		groups = append(groups, g)
	}
	slices.Sort(groups)
	for _, g := range groups {
		for _, name := range opNames[g] {
			ops = append(ops, &op{name: name, weight: c.ops[g], do: w.request(name, &bc), stats: &opStats{name: name}})
		}
	}

	pid := findServer(c.serverPID, c.serverName)
	mem := watchMemory(pid, c.metricsURL)
	ctx, cancel := context.WithTimeout(context.Background(), c.duration)
	defer cancel()
	names := strings.Join(groups, "+")
	if c.rate > 0 {
		fmt.Fprintf(c.out, "%s for %s, open loop at %g/s ...\n", names, c.duration, c.rate)
	} else {
		fmt.Fprintf(c.out, "%s for %s with %d clients ...\n", names, c.duration, c.concurrency)
	}
	if c.beforeBooking != nil {
		c.beforeBooking()
	}
	cpu0 := sampleCPU(pid, c.pgURL)
	start := time.Now()
	if c.maxInFlight == 0 {
		c.maxInFlight = 20000
	}
	if c.rate > 0 {
		openLoop(ctx, ops, c.rate, c.duration, c.maxInFlight, c.errw)
	} else {
		closedLoop(ctx, ops, c.concurrency, c.errw)
	}
	elapsed := time.Since(start)
	cpu := sampleCPU(pid, c.pgURL).sub(cpu0)

	var answered, wrong int64
	var rate float64
	for _, o := range ops {
		s := o.stats.summary(elapsed)
		rate += s.rate
		fmt.Fprintln(c.out, s)
		answered += s.ok + s.differs
		wrong += s.differs + s.failed
		if o.name == "booking" {
			fmt.Fprintf(c.out, "bookings: %d created, %d confirmed other than asked, %d free slots refused (409), %d other in %s\n",
				s.ok+bc.wrong.Load(), bc.wrong.Load(), bc.refused.Load(), s.failed, elapsed.Round(time.Millisecond))
			fmt.Fprintf(c.out, "throughput: %.0f bookings/s; latency p50 %s p95 %s p99 %s max %s\n", s.rate, round(s.p50), round(s.p95), round(s.p99), round(s.max))
		}
	}
	if c.afterBooking != nil {
		c.afterBooking(answered)
	}
	what := "request"
	if len(ops) == 1 {
		what = ops[0].name
	}
	printCPU(c.out, what, answered, cpu, elapsed, runtime.NumCPU(), pid)
	mem.report(c.out)
	if wrong > 0 {
		return fmt.Errorf("%d answers differ from what was asked or failed (first ones above)", wrong)
	}
	if c.thenOpen > 0 && c.rate == 0 && rate > 0 {
		o := c
		o.rate, o.thenOpen, o.pgbenchURL = rate*c.thenOpen, 0, ""
		if err := load(o, w); err != nil {
			return err
		}
	}
	if c.pgbenchURL != "" && c.ops["booking"] > 0 {
		// After the load, not during: both would share the same two cores.
		rate := ops[slices.IndexFunc(ops, func(o *op) bool { return o.name == "booking" })].stats.summary(elapsed).rate
		return comparePgbench(c, rate)
	}
	return nil
}

// syncWriter lets many goroutines write whole lines to one writer.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
