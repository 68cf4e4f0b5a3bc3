package schedulingdir_test

// Measurements of the directory at national size (issue 17). The in-memory benchmarks
// run anywhere, over 20,000 synthetic professionals in 500 cities:
//
//	go test ./adapters/bridge/schedulingdir/ -run '^$' -bench . -benchmem
//
// The database ones need a PostgreSQL database migrated and filled with
// testdata/seed_postgres.sql, named by MULTISAUDE_BENCH_DIRECTORY_URL:
//
//	createdb directory_bench && MULTISAUDE_DATABASE_URL=postgres://.../directory_bench go run ./cmd/multisaude migrate
//	psql -v n=20000 -f adapters/bridge/schedulingdir/testdata/seed_postgres.sql directory_bench
//	MULTISAUDE_BENCH_DIRECTORY_URL=postgres://... go test ./adapters/bridge/schedulingdir/ -run AtScale -bench DB -benchmem -v

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/bridge/schedulingdir"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/identitysql"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/schedulingsql"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
	"github.com/multisaude/multisaude/ports"
)

const benchEnv = "MULTISAUDE_BENCH_DIRECTORY_URL"

var benchSpecialties = []string{"cardiology", "dermatology", "pediatrics", "psychiatry", "orthopedics", "gynecology",
	"neurology", "ophthalmology", "endocrinology", "gastroenterology", "urology", "otorhinolaryngology", "pulmonology",
	"rheumatology", "nephrology", "oncology", "geriatrics", "infectology", "family_medicine", "clinical_nutrition",
	"sports_nutrition", "cognitive_behavioral", "psychoanalysis", "child_psychology", "orthodontics", "endodontics",
	"periodontics", "implantology", "physiotherapy_sports", "physiotherapy_respiratory", "neuro_rehabilitation",
	"speech_language", "audiology", "personal_training", "pilates", "clinical_pharmacy", "wound_care",
	"obstetric_nursing", "sleep_medicine", "allergy"}

// synthetic returns n verified professionals in 500 cities, city k weighing about 1/k,
// each with one or two of 40 specialties, like testdata/seed_postgres.sql.
func synthetic(n int) []identity.Professional {
	r := rand.New(rand.NewPCG(17, 3))
	type city struct {
		name, uf string
		lat, lng float64
	}
	cities := make([]city, 500)
	ufs := []string{"SP", "RJ", "DF", "BA", "CE", "MG", "AM", "PR", "PE", "GO", "PA", "RS", "MA"}
	for k := range cities {
		cities[k] = city{fmt.Sprintf("Cidade %d", k+1), ufs[k%len(ufs)], -33 + r.Float64()*35, -73 + r.Float64()*38}
	}
	cities[0].name = "São Paulo"
	profs := []string{"physician", "physician", "physician", "physician", "physician", "psychologist", "nutritionist", "physiotherapist", "dentist", "nurse"}
	modes := [][]string{{identity.ModeInPerson}, {identity.ModeTelemedicine}, {identity.ModeInPerson, identity.ModeTelemedicine}}
	out := make([]identity.Professional, n)
	for i := range out {
		c := cities[min(499, int(pow500(r.Float64()))-1)]
		specs := []string{benchSpecialties[r.IntN(40)]}
		if s := benchSpecialties[r.IntN(40)]; r.IntN(2) == 0 && s != specs[0] {
			specs = append(specs, s)
		}
		out[i] = identity.Professional{ID: fmt.Sprintf("01900000-0000-7000-8000-%012x", i+1), Name: fmt.Sprintf("Profissional %d da Silva", i+1),
			Email: fmt.Sprintf("pro%d@bench.example", i+1), Profession: profs[r.IntN(10)], Specialties: specs,
			Price: kernel.Money{Amount: 15000, Currency: "BRL"}, Modes: modes[r.IntN(3)],
			Address: identity.Address{City: c.name, UF: c.uf}, Point: &ports.Point{Lat: c.lat + (r.Float64()-0.5)*0.2, Lng: c.lng + (r.Float64()-0.5)*0.2},
			Status: identity.StatusVerified}
	}
	return out
}

// pow500 maps u in [0,1) to 500^u: a log-uniform city rank (weight about 1/k).
func pow500(u float64) float64 {
	x := 1.0
	for range int(u * 1000) {
		x *= 1.00623334 // 500^(1/1000)
	}
	return x
}

// listIdentity serves a list, counting the full reloads; LookupProfessional finds
// anyone set, verified or not.
type listIdentity struct {
	schedulingdir.Identity
	mu      sync.Mutex
	list    []identity.Professional
	other   []identity.Professional
	version int64
	calls   atomic.Int64
}

func (l *listIdentity) DirectoryVersion(ctx context.Context) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.version, nil
}

func (l *listIdentity) VerifiedDirectory(ctx context.Context) ([]identity.Professional, error) {
	l.calls.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.list, nil
}

func (l *listIdentity) LookupProfessional(ctx context.Context, id kernel.ID) (identity.Professional, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range append(slices.Clone(l.list), l.other...) {
		if p.ID == id {
			return p, nil
		}
	}
	return identity.Professional{}, kernel.NotFound("profissional não encontrado")
}

// set replaces the verified list; others are found only by LookupProfessional.
func (l *listIdentity) set(list []identity.Professional, others ...identity.Professional) {
	l.mu.Lock()
	l.list, l.other = list, others
	l.version++
	l.mu.Unlock()
}

// stepClock moves on by step at every reading: each reading sees an expired cache when step > TTL.
type stepClock struct {
	t    atomic.Int64
	step time.Duration
}

func (c *stepClock) Now() time.Time {
	return time.Unix(0, c.t.Add(int64(c.step))).UTC()
}

// emptySchedule has no availability: Search then measures only the directory and the ordering.
type emptySchedule struct{ scheduling.Store }

func (emptySchedule) Availabilities(context.Context, []kernel.ID) (map[kernel.ID]scheduling.Availability, error) {
	return map[kernel.ID]scheduling.Availability{}, nil
}

func (emptySchedule) Booked(context.Context, []kernel.ID, time.Time, time.Time) (map[kernel.ID][]scheduling.Interval, error) {
	return map[kernel.ID][]scheduling.Interval{}, nil
}

var benchSink int

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e3, "cpu-µs/op")
}

// The in-memory filter: one search's call to the directory with a warm cache.
func BenchmarkVerifiedProfessionals(b *testing.B) {
	ctx := context.Background()
	d := schedulingdir.NewWith(&listIdentity{list: synthetic(20000)}, kernel.NewFixedClock(time.Unix(1e9, 0)))
	for _, c := range []struct {
		name string
		q    scheduling.ProfessionalQuery
	}{
		{"specialty+city", scheduling.ProfessionalQuery{Specialty: "cardiology", City: "são paulo"}},
		{"specialty", scheduling.ProfessionalQuery{Specialty: "cardiology"}},
		{"city", scheduling.ProfessionalQuery{City: "Cidade 7"}},
		{"all", scheduling.ProfessionalQuery{}},
	} {
		if _, err := d.VerifiedProfessionals(ctx, c.q); err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				list, _ := d.VerifiedProfessionals(ctx, c.q)
				benchSink += len(list)
			}
			reportCPU(b, cpu)
		})
	}
}

// Search's in-memory part (directory, filter, distance order), no availability to read.
func BenchmarkSearchInMemory(b *testing.B) {
	ctx := context.Background()
	clock := kernel.NewFixedClock(time.Unix(1e9, 0))
	d := schedulingdir.NewWith(&listIdentity{list: synthetic(20000)}, clock)
	svc := scheduling.NewService(emptySchedule{}, d, clock, scheduling.Options{}, nil)
	sp := scheduling.Point{Lat: -23.55, Lng: -46.63}
	for _, c := range []struct {
		name string
		q    scheduling.SearchQuery
	}{
		{"specialty+city", scheduling.SearchQuery{ProfessionalQuery: scheduling.ProfessionalQuery{Specialty: "cardiology", City: "São Paulo"}}},
		{"near", scheduling.SearchQuery{Near: &sp}},
		{"near+specialty", scheduling.SearchQuery{Near: &sp, ProfessionalQuery: scheduling.ProfessionalQuery{Specialty: "cardiology"}}},
		{"near+radius50", scheduling.SearchQuery{Near: &sp, RadiusKm: 50}},
	} {
		if _, err := svc.Search(ctx, kernel.Principal{}, c.q); err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				res, _ := svc.Search(ctx, kernel.Principal{}, c.q)
				benchSink += len(res.Items)
			}
			reportCPU(b, cpu)
		})
	}
}

// The memory one directory holds for 20,000 synthetic professionals.
func TestDirectoryMemoryAtScale(t *testing.T) {
	if os.Getenv(benchEnv) == "" {
		t.Skipf("%s not set: measurements skipped", benchEnv)
	}
	ctx := context.Background()
	src := &listIdentity{list: synthetic(20000)}
	before := heapAlloc()
	d := schedulingdir.NewWith(src, kernel.NewFixedClock(time.Unix(1e9, 0)))
	if _, err := d.VerifiedProfessionals(ctx, scheduling.ProfessionalQuery{}); err != nil {
		t.Fatal(err)
	}
	after := heapAlloc()
	runtime.KeepAlive(d)
	runtime.KeepAlive(src)
	t.Logf("directory over synthetic source: heap %d -> %d bytes: %d bytes held (%.0f per professional; the source list itself is not counted twice: it was allocated before)",
		before, after, after-before, float64(after-before)/20000)
}

// openBench opens the seeded benchmark database, or skips.
func openBench(tb testing.TB) (*sqlstore.DB, *identity.Service) {
	dsn := os.Getenv(benchEnv)
	if dsn == "" {
		tb.Skipf("%s not set: database measurements skipped", benchEnv)
	}
	db, err := sqlstore.OpenPool(context.Background(), dsn, 4)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	svc, err := identity.NewService(identitysql.New(db), plainHasher{}, nil, nil, nil, nil, nil, nil, identity.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	return db, svc
}

type plainHasher struct{}

func (plainHasher) Hash(p string) (string, error)    { return "plain:" + p, nil }
func (plainHasher) Verify(e, p string) (bool, error) { return e == "plain:"+p, nil }

// The rebuild: every reading of the clock finds the cache expired and the version is
// moved before each call, so each call reloads (DirectoryVersion, VerifiedDirectory and
// the conversion). cpu-µs/op is this process only; the database's share is in
// pg_stat_statements.
func BenchmarkDBRebuild(b *testing.B) {
	db, svc := openBench(b)
	ctx := context.Background()
	d := schedulingdir.New(svc, &stepClock{step: time.Hour})
	list, err := d.VerifiedProfessionals(ctx, scheduling.ProfessionalQuery{})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d verified professionals", len(list))
	searchEach(b, d, func() {
		if _, err := db.ExecContext(ctx, "UPDATE identity_directory_version SET version = version + 1"); err != nil {
			b.Fatal(err)
		}
	})
}

// The refresh at rest: the TTL has passed at every call, nothing changed, so the
// directory reads the version and keeps its list.
func BenchmarkDBRefreshUnchanged(b *testing.B) {
	_, svc := openBench(b)
	ctx := context.Background()
	d := schedulingdir.New(svc, &stepClock{step: time.Hour})
	if _, err := d.VerifiedProfessionals(ctx, scheduling.ProfessionalQuery{}); err != nil {
		b.Fatal(err)
	}
	searchEach(b, d, func() {})
}

// searchEach runs before, then one specialty search, b.N times.
func searchEach(b *testing.B, d *schedulingdir.Directory, before func()) {
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		before()
		list, err := d.VerifiedProfessionals(context.Background(), scheduling.ProfessionalQuery{Specialty: "cardiology"})
		if err != nil {
			b.Fatal(err)
		}
		benchSink += len(list)
	}
	reportCPU(b, cpu)
}

// The memory the directory holds, loaded from the database.
func TestDBDirectoryMemoryAtScale(t *testing.T) {
	_, svc := openBench(t)
	ctx := context.Background()
	before := heapAlloc()
	d := schedulingdir.New(svc, kernel.NewFixedClock(time.Unix(1e9, 0)))
	start, cpu := time.Now(), cpuTime()
	all, err := d.VerifiedProfessionals(ctx, scheduling.ProfessionalQuery{})
	if err != nil {
		t.Fatal(err)
	}
	wall, used := time.Since(start), cpuTime()-cpu
	n := len(all)
	all = nil
	after := heapAlloc()
	runtime.KeepAlive(d)
	t.Logf("first load of %d professionals: wall %v, cpu %v; heap %d -> %d: %d bytes held, %.0f per professional",
		n, wall, used, before, after, after-before, float64(after-before)/float64(max(n, 1)))
	_ = all
}

// Search with next free slots on the seeded database: p50 and p99 over 400 searches of each kind.
func TestDBSearchLatencyAtScale(t *testing.T) {
	db, svc := openBench(t)
	ctx := context.Background()
	d := schedulingdir.New(svc, nil)
	sched := scheduling.NewService(schedulingsql.New(db), d, nil, scheduling.Options{}, nil)
	all, err := d.VerifiedProfessionals(ctx, scheduling.ProfessionalQuery{City: "São Paulo"})
	if err != nil || len(all) == 0 {
		t.Fatalf("no professional in São Paulo (%v): is the database seeded?", err)
	}
	sp := all[0].Point
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		name string
		q    func() scheduling.SearchQuery
	}{
		{"specialty+city", func() scheduling.SearchQuery {
			return scheduling.SearchQuery{ProfessionalQuery: scheduling.ProfessionalQuery{Specialty: benchSpecialties[r.IntN(40)], City: "São Paulo"}}
		}},
		{"specialty+small city", func() scheduling.SearchQuery {
			return scheduling.SearchQuery{ProfessionalQuery: scheduling.ProfessionalQuery{Specialty: benchSpecialties[r.IntN(40)], City: fmt.Sprintf("Cidade %d", 28+r.IntN(400))}}
		}},
		{"near", func() scheduling.SearchQuery {
			p := scheduling.Point{Lat: sp.Lat + r.Float64()*0.1, Lng: sp.Lng + r.Float64()*0.1}
			return scheduling.SearchQuery{Near: &p}
		}},
		{"near+specialty+radius", func() scheduling.SearchQuery {
			p := scheduling.Point{Lat: sp.Lat + r.Float64()*0.1, Lng: sp.Lng + r.Float64()*0.1}
			return scheduling.SearchQuery{Near: &p, RadiusKm: 50, ProfessionalQuery: scheduling.ProfessionalQuery{Specialty: benchSpecialties[r.IntN(40)]}}
		}},
	} {
		var walls []time.Duration
		cpu := cpuTime()
		results := 0
		for range 400 {
			start := time.Now()
			res, err := sched.Search(ctx, kernel.Principal{}, c.q())
			if err != nil {
				t.Fatal(err)
			}
			walls = append(walls, time.Since(start))
			results += len(res.Items)
		}
		used := cpuTime() - cpu
		slices.Sort(walls)
		t.Logf("%-22s p50 %v p99 %v max %v; cpu/search %v (this process); %.1f results/search",
			c.name, walls[len(walls)/2], walls[len(walls)*99/100], walls[len(walls)-1], used/400, float64(results)/400)
	}
}
