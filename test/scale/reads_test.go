// Package scale measures the app's reads on a database filled by
// `multisaude demo --scale N` (PostgreSQL). It runs only when
// MULTISAUDE_SCALE_URL names such a database:
//
//	MULTISAUDE_SCALE_URL='postgres://postgres@127.0.0.1:5432/scale_full?sslmode=disable' \
//	  go test ./test/scale/ -run TestReads -v -count=1 [-scale.runs=1000] [-scale.explain]
//
// Each read calls the store methods the HTTP handlers' use cases call, with
// random realistic IDs (sampled so that busy professionals, patients with long
// histories and big companies come up as often as they would), and prints
// p50/p95/p99; with -scale.explain, EXPLAIN (ANALYZE, BUFFERS) of the exact SQL
// of one call of each, with the parameters of a heavy case.
package scale

import (
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/clinicalsql"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/commercesql"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/identitysql"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/schedulingsql"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
)

var (
	runs    = flag.Int("scale.runs", 1000, "calls per read")
	explain = flag.Bool("scale.explain", false, "print EXPLAIN (ANALYZE, BUFFERS) of each read's SQL")
)

// recorder keeps the SQL of the queries run while it is on.
type recorder struct {
	mu  sync.Mutex
	on  bool
	sql []string
}

func (r *recorder) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }
func (r *recorder) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.on {
		r.sql = append(r.sql, e.Query)
	}
}

func (r *recorder) capture(fn func()) []string {
	r.mu.Lock()
	r.on, r.sql = true, nil
	r.mu.Unlock()
	fn()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on = false
	return r.sql
}

type pro struct {
	ID, City, UF string
	Specialties  []string
	Lat, Lng     float64
}

type env struct {
	db       *sqlstore.DB
	rec      *recorder
	sched    *schedulingsql.Store
	clin     *clinicalsql.Store
	comm     *commercesql.Store
	ident    *identitysql.Store
	pros     []pro // the directory: every verified professional
	busyPros []string
	patients []string
	comps    []string
	now      time.Time
}

func setup(t *testing.T) *env {
	url := os.Getenv("MULTISAUDE_SCALE_URL")
	if url == "" {
		t.Skip("MULTISAUDE_SCALE_URL not set: run `multisaude demo --scale 1` into a PostgreSQL database and name it")
	}
	ctx := context.Background()
	// the heavy-case searches (GROUP BY over millions of rows) outlast pgdriver's 10 s default
	db, err := sqlstore.OpenPool(ctx, url+"&read_timeout=10m", 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	rec := &recorder{}
	db.DB = db.WithQueryHook(rec)
	e := &env{db: db, rec: rec, sched: schedulingsql.New(db), clin: clinicalsql.New(db), comm: commercesql.New(db),
		ident: identitysql.New(db), now: time.Now().UTC()}
	var rows []struct {
		ID          string  `bun:"id"`
		City        string  `bun:"city"`
		UF          string  `bun:"uf"`
		Specialties string  `bun:"specialties"`
		Lat         float64 `bun:"lat"`
		Lng         float64 `bun:"lng"`
	}
	if err := db.NewSelect().Table("identity_professionals").Column("id", "city", "uf", "specialties", "lat", "lng").
		Where("status = 'verified'").Order("id").Scan(ctx, &rows); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		specs := strings.Split(strings.Trim(r.Specialties, `[]`), ",")
		for i := range specs {
			specs[i] = strings.Trim(specs[i], `"`)
		}
		e.pros = append(e.pros, pro{ID: r.ID, City: r.City, UF: r.UF, Specialties: specs, Lat: r.Lat, Lng: r.Lng})
	}
	// IDs weighted by activity: sampled from appointment and order rows
	if err := db.NewRaw("SELECT patient_id FROM scheduling_appointments TABLESAMPLE SYSTEM (0.1) LIMIT 5000").Scan(ctx, &e.patients); err != nil {
		t.Fatal(err)
	}
	if err := db.NewRaw("SELECT professional_id FROM scheduling_appointments TABLESAMPLE SYSTEM (0.1) WHERE start_at > now() LIMIT 5000").Scan(ctx, &e.busyPros); err != nil {
		t.Fatal(err)
	}
	if err := db.NewRaw("SELECT company_id FROM commerce_orders TABLESAMPLE SYSTEM (1) LIMIT 5000").Scan(ctx, &e.comps); err != nil {
		t.Fatal(err)
	}
	if len(e.busyPros) == 0 { // a small fixture: the block sample may miss every future row
		for _, p := range e.pros {
			e.busyPros = append(e.busyPros, p.ID)
		}
	}
	if len(e.pros) == 0 || len(e.patients) == 0 || len(e.comps) == 0 {
		t.Fatal("the database holds no fixture: run `multisaude demo --scale N` first")
	}
	return e
}

// measure runs fn *runs times and prints the percentiles; it then prints the
// EXPLAIN of the SQL of heavy() when asked.
func (e *env) measure(t *testing.T, name string, fn func(r *rand.Rand) error, heavy func() error) {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20; i++ { // warm the caches and the connections
		if err := fn(r); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	ds := make([]time.Duration, 0, *runs)
	cpu0 := cpuTime()
	start := time.Now()
	for i := 0; i < *runs; i++ {
		t0 := time.Now()
		if err := fn(r); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ds = append(ds, time.Since(t0))
	}
	total := time.Since(start)
	cpu := cpuTime() - cpu0
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	pct := func(p float64) float64 {
		return float64(ds[min(len(ds)-1, int(math.Ceil(p*float64(len(ds))))-1)].Microseconds()) / 1000
	}
	fmt.Printf("%-44s n=%d  p50 %6.2f ms  p95 %6.2f ms  p99 %6.2f ms  max %6.2f ms  (%.0f/s, Go CPU %.3f ms/call)\n", name, len(ds), pct(0.50), pct(0.95), pct(0.99),
		float64(ds[len(ds)-1].Microseconds())/1000, float64(len(ds))/total.Seconds(), float64(cpu.Microseconds())/1000/float64(len(ds)))
	if !*explain {
		return
	}
	var herr error
	queries := e.rec.capture(func() { herr = heavy() })
	if herr != nil {
		t.Fatalf("%s: %v", name, herr)
	}
	for _, q := range queries {
		var plan []string
		if err := e.db.NewRaw("EXPLAIN (ANALYZE, BUFFERS) "+q).Scan(context.Background(), &plan); err != nil {
			t.Fatalf("explain %s: %v", q, err)
		}
		fmt.Printf("\n-- %s\n%s;\n%s\n", name, q, strings.Join(plan, "\n"))
	}
	fmt.Println()
}

// cpuTime is the CPU this process has used (user + system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// page is the directory's answer for a query: the first page of candidates,
// by ID, or by distance from near.
func (e *env) page(spec, city, uf string, near *[2]float64) []kernel.ID {
	type cand struct {
		id string
		d  float64
	}
	var cs []cand
	for _, p := range e.pros {
		if (spec == "" || slices.Contains(p.Specialties, spec)) && (city == "" || strings.EqualFold(p.City, city)) && (uf == "" || p.UF == uf) {
			c := cand{id: p.ID}
			if near != nil {
				c.d = scheduling.DistanceKm(scheduling.Point{Lat: near[0], Lng: near[1]}, scheduling.Point{Lat: p.Lat, Lng: p.Lng})
				if c.d > 50 {
					continue
				}
			}
			cs = append(cs, c)
		}
	}
	if near != nil {
		sort.SliceStable(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	}
	out := []kernel.ID{}
	for _, c := range cs[:min(len(cs), kernel.DefaultLimit)] {
		out = append(out, c.id)
	}
	return out
}

// searchSQL is the SQL of searchPage alone.
func (e *env) searchSQL(ids []kernel.ID) error {
	ctx := context.Background()
	if _, err := e.sched.Availabilities(ctx, ids); err != nil {
		return err
	}
	_, err := e.sched.Booked(ctx, ids, e.now, e.now.AddDate(0, 0, 14))
	return err
}

// searchPage is what Service.Search does for one page of candidates: their
// availabilities and bookings over the search window, then the next free slots.
func (e *env) searchPage(ids []kernel.ID) error {
	ctx := context.Background()
	avs, err := e.sched.Availabilities(ctx, ids)
	if err != nil {
		return err
	}
	from, to := e.now, e.now.AddDate(0, 0, 14)
	booked, err := e.sched.Booked(ctx, ids, from, to)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if av, ok := avs[id]; ok {
			_ = scheduling.FreeSlots(scheduling.GenerateSlots(av, from, from.Add(72*time.Hour), e.now), booked[id], 1)
		}
	}
	return nil
}

func TestReads(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	fmt.Printf("database: %d verified professionals in the directory; now %s\n\n", len(e.pros), e.now.Format(time.RFC3339))

	// search by specialty + city (a random professional's) and near a point (by
	// a random professional): the directory's candidate pages are computed
	// first, as the directory cache answers them; what is timed is the SQL of a
	// page and the slot generation
	pr := rand.New(rand.NewPCG(3, 4))
	var bySpec, byNear [][]kernel.ID
	for i := 0; i < 200; i++ {
		p := e.pros[pr.IntN(len(e.pros))]
		bySpec = append(bySpec, e.page(p.Specialties[0], p.City, p.UF, nil))
		p = e.pros[pr.IntN(len(e.pros))]
		byNear = append(byNear, e.page("", "", "", &[2]float64{p.Lat + pr.Float64()*0.05, p.Lng + pr.Float64()*0.05}))
	}
	// the heavy cases: the commonest specialty in the biggest city; the centre of São Paulo
	heavySpec := e.page("clinical_medicine", "São Paulo", "SP", nil)
	heavyNear := e.page("", "", "", &[2]float64{-23.5505, -46.6333})
	e.measure(t, "search: specialty + city (SQL only)", func(r *rand.Rand) error { return e.searchSQL(bySpec[r.IntN(len(bySpec))]) },
		func() error { return e.searchSQL(heavySpec) })
	e.measure(t, "search: specialty + city (SQL + slots)", func(r *rand.Rand) error { return e.searchPage(bySpec[r.IntN(len(bySpec))]) },
		func() error { return nil })
	e.measure(t, "search: near a point (SQL only)", func(r *rand.Rand) error { return e.searchSQL(byNear[r.IntN(len(byNear))]) },
		func() error { return e.searchSQL(heavyNear) })
	e.measure(t, "search: near a point (SQL + slots)", func(r *rand.Rand) error { return e.searchPage(byNear[r.IntN(len(byNear))]) },
		func() error { return nil })

	// a professional's slots for 90 days: their availability and bookings, then the free slots
	slots := func(id string) error {
		av, err := e.sched.GetAvailability(ctx, id)
		if err != nil {
			return err
		}
		from, to := e.now, e.now.AddDate(0, 0, 90)
		booked, err := e.sched.Booked(ctx, []kernel.ID{id}, from, to)
		if err != nil {
			return err
		}
		_ = scheduling.FreeSlots(scheduling.GenerateSlots(av, from, to, e.now), booked[id], 1)
		return nil
	}
	busiest := e.busiest(t, "professional_id", "scheduling_appointments", "start_at > now()")
	e.measure(t, "slots: one professional, 90 days", func(r *rand.Rand) error { return slots(e.busyPros[r.IntN(len(e.busyPros))]) },
		func() error { return slots(busiest) })

	// a patient's history page: appointments (oldest first, as the API lists them) and evaluations
	history := func(id string) error {
		if _, err := e.sched.ListAppointments(ctx, scheduling.AppointmentFilter{PatientID: id}, kernel.Page{Limit: kernel.DefaultLimit}); err != nil {
			return err
		}
		_, err := e.clin.Evaluations(ctx, id, kernel.Page{Limit: kernel.DefaultLimit})
		return err
	}
	longest := e.busiest(t, "patient_id", "scheduling_appointments", "true")
	e.measure(t, "history: appointments + evaluations page", func(r *rand.Rand) error { return history(e.patients[r.IntN(len(e.patients))]) },
		func() error { return history(longest) })

	// a professional's agenda for this week, with the patients' names (as
	// Service.Agenda: one batched lookup of the page's patients); "one by one"
	// is how names were looked up before (a lookup, two queries, per patient)
	week := e.now.Truncate(24 * time.Hour)
	agenda := func(id string, batched bool) error {
		l, err := e.sched.ListAppointments(ctx, scheduling.AppointmentFilter{ProfessionalID: id, From: week, To: week.AddDate(0, 0, 7)}, kernel.Page{Limit: kernel.DefaultLimit})
		if err != nil {
			return err
		}
		ids := []kernel.ID{}
		seen := map[string]bool{}
		for _, a := range l.Items {
			if !seen[a.PatientID] {
				seen[a.PatientID] = true
				ids = append(ids, a.PatientID)
			}
		}
		if batched {
			_, err := e.ident.Patients(ctx, ids)
			return err
		}
		for _, id := range ids {
			if _, err := e.ident.Patient(ctx, id); err != nil {
				return err
			}
		}
		return nil
	}
	e.measure(t, "agenda: one week + names one by one (before)", func(r *rand.Rand) error { return agenda(e.busyPros[r.IntN(len(e.busyPros))], false) },
		func() error { return nil })
	e.measure(t, "agenda: one week + names batched", func(r *rand.Rand) error { return agenda(e.busyPros[r.IntN(len(e.busyPros))], true) },
		func() error { return agenda(busiest, true) })

	// a partner's order board: all, and by status
	board := func(id string, st commerce.OrderStatus) error {
		_, err := e.comm.ListOrders(ctx, commerce.OrderFilter{CompanyID: id, Status: st}, kernel.Page{Limit: kernel.DefaultLimit})
		return err
	}
	biggest := e.busiest(t, "company_id", "commerce_orders", "true")
	statuses := []commerce.OrderStatus{"", commerce.OrderPaid, commerce.OrderAccepted, commerce.OrderPreparing, commerce.OrderDelivered}
	e.measure(t, "order board: one company (all or by status)", func(r *rand.Rand) error {
		return board(e.comps[r.IntN(len(e.comps))], statuses[r.IntN(len(statuses))])
	}, func() error {
		if err := board(biggest, ""); err != nil {
			return err
		}
		return board(biggest, commerce.OrderPaid)
	})
}

// busiest is the ID in col with the most rows of table matching where.
func (e *env) busiest(t *testing.T, col, table, where string) string {
	var id string
	q := fmt.Sprintf("SELECT %s FROM %s WHERE %s GROUP BY 1 ORDER BY count(*) DESC LIMIT 1", col, table, where)
	if err := e.db.NewRaw(q).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	return id
}
