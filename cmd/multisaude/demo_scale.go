//go:build !lambda

package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/identity/argon2hash"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	appwire "github.com/multisaude/multisaude/wire"
)

// `multisaude demo --scale N`: the national-size fixture. At N = 1 it writes
// 20,000 professionals in 500 cities, 2,000 companies, 1,000,000 patients,
// 5,000,000 appointments over three years, about 2,000,000 evaluations and
// 500,000 orders straight into PostgreSQL with COPY, as the stores' own rows.

const (
	scaleDomain          = "@escala.multisaude.dev"
	scalePatientEmail    = "paciente%07d" + scaleDomain
	scaleProEmail        = "profissional%05d" + scaleDomain
	scaleCompanyEmail    = "empresa%04d" + scaleDomain
	scaleDefaultPassword = "Escala#2026!"
	scaleSeed            = 20261203
	scaleBatch           = 20000
	scaleFutureShare     = 0.15 // of a professional's appointments, booked ahead
	scaleHorizonDays     = 90
	scaleHistoryYears    = 3
	scaleSlotMinutes     = 30
)

// scaleCounts is how many of each the fixture writes.
type scaleCounts struct {
	Cities, Professionals, Companies, Patients, Appointments, Evaluations, Orders int
}

func countsFor(scale float64, cities int) scaleCounts {
	n := func(base float64) int { return max(1, int(math.Round(base*scale))) }
	return scaleCounts{Cities: min(cities, n(500)), Professionals: n(20_000), Companies: n(2_000), Patients: n(1_000_000),
		Appointments: n(5_000_000), Evaluations: n(2_000_000), Orders: n(500_000)}
}

// scaleTables are the tables the fixture writes, loaded with their plain
// indexes dropped and rebuilt after (constraints stay: the exclusion
// constraint on appointments checks every confirmed row as it is copied).
var scaleTables = []string{"identity_companies", "identity_accounts", "identity_patients", "identity_professionals",
	"scheduling_availability", "scheduling_appointments", "clinical_evaluations", "commerce_items", "commerce_item_tags",
	"commerce_orders", "commerce_payments"}

func demoScale(ctx context.Context, cfg appwire.Config, scale float64, password string, stdout, stderr io.Writer) error {
	if !strings.HasPrefix(cfg.DatabaseURL, "postgres://") && !strings.HasPrefix(cfg.DatabaseURL, "postgresql://") {
		return fmt.Errorf("recusado: a carga de escala é para PostgreSQL (MULTISAUDE_DATABASE_URL=postgres://...); o SQLite não foi feito para esse volume")
	}
	if scale <= 0 || scale > 10 {
		return fmt.Errorf("--scale deve estar entre 0 (exclusive) e 10")
	}
	if len(password) < 10 {
		return fmt.Errorf("--password deve ter ao menos 10 caracteres")
	}
	cities, err := scaleCities()
	if err != nil {
		return err
	}
	// index builds and ANALYZE at scale 1 take minutes, and a busy server may
	// not read a COPY stream for seconds: pgdriver's default read (10 s) and
	// write (5 s) timeouts would cut them off
	db, err := sqlstore.OpenPool(ctx, withLongTimeouts(cfg.DatabaseURL, "1h"), 8)
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	if _, err := db.MigrateUp(ctx); err != nil {
		return err
	}
	var accounts int // the app's start hook may have made the administrator: any other account is data
	if err := db.NewSelect().Table("identity_accounts").ColumnExpr("count(*)").Where("kind <> ?", "admin").Scan(ctx, &accounts); err != nil {
		return err
	}
	if accounts > 0 {
		return fmt.Errorf("recusado: o banco já tem %d contas; a carga de escala só é feita num banco vazio (crie outro banco e rode de novo). Nada foi gravado", accounts)
	}
	hash, err := argon2hash.New(argon2hash.Params{MemoryKiB: uint32(max(cfg.AuthArgon2MemoryKiB, 0)), Time: uint32(max(cfg.AuthArgon2Time, 0))}).Hash(password)
	if err != nil {
		return err
	}
	f := newScaleFixture(db, countsFor(scale, len(cities)), cities[:countsFor(scale, len(cities)).Cities], hash, stderr)
	start := time.Now()
	fmt.Fprintf(stderr, "Carga de escala %g: %d profissionais, %d empresas, %d pacientes, %d consultas, ~%d avaliações, %d pedidos em %d cidades\n",
		scale, f.n.Professionals, f.n.Companies, f.n.Patients, f.n.Appointments, f.n.Evaluations, f.n.Orders, f.n.Cities)
	if err := f.load(ctx); err != nil {
		if cerr := f.truncate(context.WithoutCancel(ctx)); cerr != nil {
			return fmt.Errorf("a carga falhou (%w) e o banco não pôde ser esvaziado (%v): apague o banco antes de tentar de novo", err, cerr)
		}
		return fmt.Errorf("a carga falhou e as tabelas foram esvaziadas: %w", err)
	}
	f.report(stdout, time.Since(start), password)
	return nil
}

// withLongTimeouts sets pgdriver's read_timeout and write_timeout in a postgres:// URL.
func withLongTimeouts(dsn, d string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	q.Set("read_timeout", d)
	q.Set("write_timeout", d)
	u.RawQuery = q.Encode()
	return u.String()
}

// scaleFixture holds what the generators share: the IDs of what was written.
type scaleFixture struct {
	db     *sqlstore.DB
	n      scaleCounts
	cities []scaleCity
	hash   string
	log    io.Writer
	now    time.Time // the run's present, to the second
	day    time.Time // today at 00:00 UTC: the seeds' anchor

	mu     sync.Mutex
	rows   map[string]int64
	spent  map[string]time.Duration
	phases []string
}

func newScaleFixture(db *sqlstore.DB, n scaleCounts, cities []scaleCity, hash string, log io.Writer) *scaleFixture {
	now := time.Now().UTC().Truncate(time.Second)
	return &scaleFixture{db: db, n: n, cities: cities, hash: hash, log: &lockedWriter{w: log}, now: now, day: now.Truncate(24 * time.Hour),
		rows: map[string]int64{}, spent: map[string]time.Duration{}}
}

// rng is the seeded generator of one stream (a table, a worker).
func (f *scaleFixture) rng(stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(scaleSeed+uint64(f.day.Unix()), stream))
}

// copied runs one COPY and accounts its rows and time to table.
func (f *scaleFixture) copied(table string, fn func() (int64, error)) error {
	t := time.Now()
	n, err := fn()
	if err != nil {
		return fmt.Errorf("%s: %w", table, err)
	}
	f.mu.Lock()
	f.rows[table] += n
	f.spent[table] += time.Since(t)
	f.mu.Unlock()
	return nil
}

func (f *scaleFixture) phase(name string, t time.Time) {
	f.mu.Lock()
	f.phases = append(f.phases, fmt.Sprintf("%-34s %8.1f s", name, time.Since(t).Seconds()))
	f.mu.Unlock()
	fmt.Fprintf(f.log, "  %s: %.1f s\n", name, time.Since(t).Seconds())
}

func (f *scaleFixture) load(ctx context.Context) error {
	t := time.Now()
	idx, err := f.dropIndexes(ctx)
	if err != nil {
		return err
	}
	f.phase("índices removidos", t)

	// the people and companies first (appointments and orders point at them)
	t = time.Now()
	proAccounts, pros := f.professionals()
	if err := parallel(
		func() error { return f.loadCompanies(ctx) },
		func() error { return f.loadProfessionals(ctx, proAccounts, pros) },
		func() error { return f.loadPatients(ctx, 0, 2) },
		func() error { return f.loadPatients(ctx, 1, 2) },
	); err != nil {
		return err
	}
	f.phase("empresas, profissionais e pacientes", t)

	t = time.Now()
	if err := parallel(
		func() error { return f.loadAppointments(ctx, pros, 0, 2) },
		func() error { return f.loadAppointments(ctx, pros, 1, 2) },
		func() error { return f.loadOrders(ctx) },
	); err != nil {
		return err
	}
	f.phase("consultas, avaliações e pedidos", t)

	t = time.Now()
	if err := f.createIndexes(ctx, idx); err != nil {
		return err
	}
	f.phase("índices recriados", t)
	if err := f.checkIndexes(ctx, idx); err != nil {
		return err
	}
	if err := f.db.SchemaCheck()(ctx); err != nil {
		return err
	}
	t = time.Now()
	if _, err := f.db.ExecContext(ctx, "ANALYZE"); err != nil {
		return err
	}
	f.phase("ANALYZE", t)
	return nil
}

// parallel runs fns at once and returns the first error.
func parallel(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// scaleIndex is a plain index of a fixture table, as pg_get_indexdef prints it.
type scaleIndex struct {
	Name string `bun:"name"`
	Def  string `bun:"def"`
}

const scaleIndexQuery = `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS def
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
WHERE t.relname IN (?) AND t.relnamespace = 'public'::regnamespace
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid)
ORDER BY c.relname`

func (f *scaleFixture) indexes(ctx context.Context) ([]scaleIndex, error) {
	var out []scaleIndex
	err := f.db.NewRaw(scaleIndexQuery, bun.List(scaleTables)).Scan(ctx, &out)
	return out, err
}

// dropIndexes drops the fixture tables' plain indexes (not those of a
// constraint) and returns their definitions.
func (f *scaleFixture) dropIndexes(ctx context.Context) ([]scaleIndex, error) {
	idx, err := f.indexes(ctx)
	if err != nil {
		return nil, err
	}
	for _, i := range idx {
		if _, err := f.db.ExecContext(ctx, "DROP INDEX "+i.Name); err != nil {
			return nil, err
		}
	}
	return idx, nil
}

// createIndexes rebuilds them, two at a time (2 cores here; PostgreSQL also
// builds one B-tree with parallel workers).
func (f *scaleFixture) createIndexes(ctx context.Context, idx []scaleIndex) error {
	sem := make(chan struct{}, 2)
	errs := make([]error, len(idx))
	var wg sync.WaitGroup
	for k, i := range idx {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			t := time.Now()
			_, errs[k] = f.db.ExecContext(ctx, i.Def)
			fmt.Fprintf(f.log, "    %s: %.1f s\n", i.Name, time.Since(t).Seconds())
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkIndexes proves the schema is the migrated one again: the same plain
// indexes with the same definitions.
func (f *scaleFixture) checkIndexes(ctx context.Context, want []scaleIndex) error {
	got, err := f.indexes(ctx)
	if err != nil {
		return err
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		return fmt.Errorf("os índices recriados diferem dos da migração:\n%v\n%v", got, want)
	}
	return nil
}

func (f *scaleFixture) truncate(ctx context.Context) error {
	_, err := f.db.ExecContext(ctx, "TRUNCATE "+strings.Join(scaleTables, ", ")+" CASCADE")
	return err
}

func (f *scaleFixture) report(w io.Writer, total time.Duration, password string) {
	fmt.Fprintf(w, "\nCarga de escala concluída em %.1f s.\n\nTabela                        linhas      tempo de COPY\n", total.Seconds())
	tables := make([]string, 0, len(f.rows))
	for t := range f.rows {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	for _, t := range tables {
		fmt.Fprintf(w, "%-26s %10d %12.1f s\n", t, f.rows[t], f.spent[t].Seconds())
	}
	fmt.Fprintln(w, "\nEtapas:")
	for _, p := range f.phases {
		fmt.Fprintln(w, "  "+p)
	}
	fmt.Fprintf(w, "\nContas (todas com a senha %q):\n", password)
	fmt.Fprintf(w, "  pacientes:      %s  (0 a %d)\n", scalePatientEmail, f.n.Patients-1)
	fmt.Fprintf(w, "  profissionais:  %s  (0 a %d)\n", scaleProEmail, f.n.Professionals-1)
	fmt.Fprintf(w, "  empresas:       %s  (0 a %d; administrador da empresa)\n", scaleCompanyEmail, f.n.Companies-1)
}

// lockedWriter serialises the progress lines the fixture's parallel loaders
// and index builders write to one writer.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
