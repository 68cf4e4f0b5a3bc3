package sqlstore_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/queue/rabbitqueue"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/sqlqueue"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/testdb"
)

// drainEventsEnv sizes the backlog of TestOutboxDrain (default drainCIEvents,
// sized for CI: seconds, no timing asserted).
// The 100,000-event measurement of issue 17:
//
//	MULTISAUDE_OUTBOX_DRAIN_EVENTS=100000 MULTISAUDE_TEST_POSTGRES_URL=... MULTISAUDE_TEST_AMQP_URL=... \
//	  go test ./adapters/store/sqlstore/ -run TestOutboxDrain -v -timeout 60m
const drainEventsEnv = "MULTISAUDE_OUTBOX_DRAIN_EVENTS"

const drainCIEvents = 1000

// drainTopics are the topics the backlog holds, as the app writes them: an
// appointment's life (booked, rescheduled twice, then cancelled or completed;
// key the appointment) and a payment's final states (paid, then refunded; key
// the payment). One consumer per topic, as one worker process runs them.
var drainTopics = []string{scheduling.TopicBooked, scheduling.TopicRescheduled, scheduling.TopicCancelled,
	scheduling.TopicCompleted, commerce.TopicPaymentChanged}

// drainEvent is what the checker knows of an event: its key and its place
// among the events of that key (over all topics, in the order written).
type drainEvent struct {
	topic string
	key   string
	nth   int
}

// backlog builds n events over many keys, several per key, the keys' events
// interleaved at random while each key keeps its own order.
func backlog(n int) ([]kernel.Event, map[string]drainEvent) {
	rng := rand.New(rand.NewPCG(17, 2026))
	type slot struct{ key, kind string }
	var slots []slot
	appts := n * 8 / 10 / 4
	for i := 0; i < appts; i++ {
		for range 4 {
			slots = append(slots, slot{fmt.Sprintf("appt-%06d", i), "appointment"})
		}
	}
	for i := 0; len(slots) < n; i++ {
		for j := 0; j < 2 && len(slots) < n; j++ {
			slots = append(slots, slot{fmt.Sprintf("pay-%06d", i), "payment"})
		}
	}
	rng.Shuffle(len(slots), func(i, j int) { slots[i], slots[j] = slots[j], slots[i] })
	nth := map[string]int{}
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	events := make([]kernel.Event, 0, n)
	want := make(map[string]drainEvent, n)
	for _, s := range slots {
		k := nth[s.key]
		nth[s.key]++
		var e kernel.Event
		if s.kind == "payment" {
			status := []string{"paid", "refunded"}[k]
			e = kernel.NewEvent(commerce.TopicPaymentChanged, s.key, map[string]any{"payment_id": s.key, "status": status}, at)
		} else {
			topic := []string{scheduling.TopicBooked, scheduling.TopicRescheduled, scheduling.TopicRescheduled, scheduling.TopicCancelled}[k]
			status := "booked"
			if k == 3 {
				status = "cancelled"
				if rng.IntN(2) == 0 {
					topic, status = scheduling.TopicCompleted, "completed"
				}
			}
			start := at.Add(time.Duration(rng.IntN(90*24)) * time.Hour)
			e = kernel.NewEvent(topic, s.key, scheduling.AppointmentEvent{
				AppointmentID: s.key, Kind: "consultation", PatientID: kernel.NewID(), ProfessionalID: kernel.NewID(),
				Start: start, End: start.Add(30 * time.Minute), Status: status,
			}, at)
		}
		events = append(events, e)
		want[e.ID] = drainEvent{topic: e.Topic, key: e.Key, nth: k}
	}
	return events, want
}

// fillOutbox writes the events as pending outbox rows, a thousand per transaction.
func fillOutbox(t *testing.T, db *sqlstore.DB, events []kernel.Event) {
	t.Helper()
	for i := 0; i < len(events); i += 1000 {
		batch := events[i:min(i+1000, len(events))]
		if err := db.InTx(context.Background(), func(ctx context.Context, tx bun.Tx) error {
			return sqlstore.AddEvents(ctx, tx, batch...)
		}); err != nil {
			t.Fatalf("fill outbox: %v", err)
		}
	}
}

// recorder is the consumers' handler: it notes every delivery.
type recorder struct {
	mu   sync.Mutex
	seen []ports.Delivery
	n    atomic.Int64
	all  chan struct{}
	want int
}

func newRecorder(want int) *recorder { return &recorder{want: want, all: make(chan struct{})} }

func (r *recorder) handle(_ context.Context, d ports.Delivery) error {
	d.Body = nil // the checker needs the ID; keeping 100,000 bodies would weigh on the memory figures
	r.mu.Lock()
	r.seen = append(r.seen, d)
	r.mu.Unlock()
	if r.n.Add(1) == int64(r.want) {
		close(r.all)
	}
	return nil
}

// check verifies what the consumers saw: every event at least once, no
// duplicate (nothing failed, so at-least-once gives no reason for one), the
// events of each key on one topic in the order written. It returns how many
// keys saw events of different topics in another order than written, which
// the queue does not promise (one consumer per topic).
func (r *recorder) check(t *testing.T, want map[string]drainEvent) (crossTopic int) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	got := map[string]int{}
	last := map[string]int{}     // topic+key -> last nth seen
	lastAny := map[string]int{}  // key -> last nth seen
	crossed := map[string]bool{} // keys seen out of written order across topics
	bad := 0
	for _, d := range r.seen {
		w, ok := want[d.ID]
		if !ok {
			t.Errorf("delivered an event never written: %s on %s", d.ID, d.Topic)
			continue
		}
		if w.topic != d.Topic || w.key != d.Key {
			t.Errorf("event %s delivered on %s key %s, written on %s key %s", d.ID, d.Topic, d.Key, w.topic, w.key)
		}
		got[d.ID]++
		tk := d.Topic + " " + d.Key
		if prev, ok := last[tk]; ok && w.nth <= prev {
			if bad++; bad <= 5 {
				t.Errorf("key %s on %s: event #%d delivered after #%d", d.Key, d.Topic, w.nth, prev)
			}
		}
		last[tk] = w.nth
		if prev, ok := lastAny[d.Key]; ok && w.nth < prev {
			crossed[d.Key] = true
		}
		lastAny[d.Key] = max(lastAny[d.Key], w.nth)
	}
	if bad > 0 {
		t.Errorf("%d deliveries out of order within a topic and key", bad)
	}
	missing, dup := 0, 0
	for id := range want {
		switch n := got[id]; {
		case n == 0:
			missing++
		case n > 1:
			dup += n - 1
		}
	}
	if missing > 0 || dup > 0 {
		t.Errorf("%d events never delivered, %d delivered more than once (of %d)", missing, dup, len(want))
	}
	return len(crossed)
}

// usage is CPU and memory spent during one phase of a drain.
type usage struct {
	wall                time.Duration
	goCPU, pgCPU, mqCPU time.Duration
	peakRSS, peakHeap   uint64
	baseRSS, baseHeap   uint64
}

// meter samples this process's memory while a phase runs and reads the CPU of
// this process, of the database's backends and of the broker around it.
type meter struct {
	db     *sqlstore.DB
	start  time.Time
	ru     syscall.Rusage
	pg     map[int]time.Duration
	mq     time.Duration
	stop   chan struct{}
	done   chan struct{}
	u      usage
	withMQ bool
}

func startMeter(t *testing.T, db *sqlstore.DB, withMQ bool) *meter {
	m := &meter{db: db, withMQ: withMQ, stop: make(chan struct{}), done: make(chan struct{})}
	runtime.GC()
	m.u.baseRSS, m.u.baseHeap = memNow()
	m.pg = backendsCPU(t, db)
	if withMQ {
		m.mq = brokerCPU()
	}
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &m.ru)
	m.start = time.Now()
	go func() {
		defer close(m.done)
		tk := time.NewTicker(100 * time.Millisecond)
		defer tk.Stop()
		for {
			rss, heap := memNow()
			m.u.peakRSS, m.u.peakHeap = max(m.u.peakRSS, rss), max(m.u.peakHeap, heap)
			select {
			case <-m.stop:
				return
			case <-tk.C:
			}
		}
	}()
	return m
}

func (m *meter) end(t *testing.T) usage {
	m.u.wall = time.Since(m.start)
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	close(m.stop)
	<-m.done
	m.u.goCPU = tv(ru.Utime) + tv(ru.Stime) - tv(m.ru.Utime) - tv(m.ru.Stime)
	for pid, c := range backendsCPU(t, m.db) {
		m.u.pgCPU += c - m.pg[pid]
	}
	if m.withMQ {
		m.u.mqCPU = brokerCPU() - m.mq
	}
	return m.u
}

func tv(v syscall.Timeval) time.Duration { return time.Duration(v.Nano()) }

// memNow is this process's resident set (VmRSS) and Go heap in use.
func memNow() (rss, heap uint64) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == "VmRSS:" {
				kb, _ := strconv.ParseUint(f[1], 10, 64)
				rss = kb * 1024
			}
		}
	}
	return rss, ms.HeapInuse
}

// procCPU is the user+system CPU of a process, from /proc (clock ticks of 10 ms).
func procCPU(pid int) (time.Duration, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return 0, false
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	k, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+k) * 10 * time.Millisecond, true
}

// backendsCPU is the CPU of every backend connected to db's database (PostgreSQL only).
func backendsCPU(t *testing.T, db *sqlstore.DB) map[int]time.Duration {
	out := map[int]time.Duration{}
	if db.Engine != sqlstore.Postgres {
		return out
	}
	var pids []int
	if err := db.NewRaw("SELECT pid FROM pg_stat_activity WHERE datname = current_database()").Scan(context.Background(), &pids); err != nil {
		t.Logf("backends: %v", err)
	}
	for _, pid := range pids {
		if c, ok := procCPU(pid); ok {
			out[pid] = c
		}
	}
	return out
}

// brokerCPU is the CPU of the local RabbitMQ (beam.smp), shared with whoever else uses it.
func brokerCPU() time.Duration {
	var total time.Duration
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		comm, err := os.ReadFile(d + "/comm")
		if err != nil || !strings.HasPrefix(string(comm), "beam") {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(d))
		if c, ok := procCPU(pid); ok {
			total += c
		}
	}
	return total
}

func (u usage) log(t *testing.T, phase string, n int) {
	per := func(d time.Duration) string { return fmt.Sprintf("%.1f µs", float64(d.Microseconds())/float64(n)) }
	t.Logf("%-12s %6d events in %7.2fs = %7.0f events/s | CPU per event: Go %s, PostgreSQL %s, broker %s | RSS %d→%d MiB, heap %d→%d MiB",
		phase, n, u.wall.Seconds(), float64(n)/u.wall.Seconds(), per(u.goCPU), per(u.pgCPU), per(u.mqCPU),
		u.baseRSS>>20, u.peakRSS>>20, u.baseHeap>>20, u.peakHeap>>20)
}

// topStatements logs the statements that took the most database time in db since reset.
func topStatements(t *testing.T, db *sqlstore.DB) {
	var rows []struct {
		Calls int64   `bun:"calls"`
		Total float64 `bun:"total"`
		Plan  float64 `bun:"plan"`
		Query string  `bun:"query"`
	}
	err := db.NewRaw(`SELECT calls, total_exec_time AS total, total_plan_time AS plan, left(regexp_replace(query, '\s+', ' ', 'g'), 140) AS query
FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY total_exec_time + total_plan_time DESC LIMIT 6`).Scan(context.Background(), &rows)
	if err != nil {
		t.Logf("pg_stat_statements: %v", err)
		return
	}
	for _, r := range rows {
		t.Logf("  %8d calls %8.0f ms exec %6.0f ms plan  %s", r.Calls, r.Total, r.Plan, r.Query)
	}
}

func resetStatements(db *sqlstore.DB) {
	ctx := context.Background()
	_, _ = db.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
	_, _ = db.ExecContext(ctx, "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)")
}

// drainSetup is a queue under test on a fresh database.
type drainSetup struct {
	db     *sqlstore.DB
	queue  ports.Queue
	broker bool
}

// TestOutboxDrain writes a backlog of outbox events (drainEventsEnv, default
// 1,000) and drains it through the relay and one consumer per topic, three
// times: the relay alone (outbox to queue, no consumer), the consumers alone
// (the queue filled by the first run), and both at once from a fresh backlog.
// It checks that every event arrives once and in order per key and topic; the
// timings, CPU and memory are logged, never asserted.
func TestOutboxDrain(t *testing.T) {
	n := drainCIEvents
	if s := os.Getenv(drainEventsEnv); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 10 {
			t.Fatalf("%s=%q: want a number of events, at least 10", drainEventsEnv, s)
		}
		n = v
	}
	t.Logf("load at start: %s", loadavg())
	t.Run("sqlqueue", func(t *testing.T) {
		runDrain(t, n, func(t *testing.T, db *sqlstore.DB) drainSetup {
			q := sqlqueue.New(db, ports.QueueOptions{})
			return drainSetup{db: db, queue: q}
		})
	})
	t.Run("rabbitqueue", func(t *testing.T) {
		url := os.Getenv("MULTISAUDE_TEST_AMQP_URL")
		if url == "" {
			t.Skip("MULTISAUDE_TEST_AMQP_URL is not set: skipping the RabbitMQ drain")
		}
		runDrain(t, n, func(t *testing.T, db *sqlstore.DB) drainSetup {
			prefix := "outboxdrain." + strings.ReplaceAll(kernel.NewID(), "-", "")[20:] + "."
			cfg := rabbitqueue.Config{URL: url, QueuePrefix: prefix}
			if p := os.Getenv("MULTISAUDE_OUTBOX_DRAIN_PREFETCH"); p != "" {
				cfg.Prefetch, _ = strconv.Atoi(p)
			}
			q, closeQ, err := rabbitqueue.New(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				deleteRabbitQueues(t, url, prefix)
				closeQ()
			})
			return drainSetup{db: db, queue: q, broker: true}
		})
	})
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	return strings.TrimSpace(string(b))
}

func deleteRabbitQueues(t *testing.T, url, prefix string) {
	conn, err := amqp.Dial(url)
	if err != nil {
		t.Logf("delete queues: %v", err)
		return
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return
	}
	defer ch.Close()
	for _, topic := range drainTopics {
		for _, name := range []string{topic, topic + ".retry", ports.DeadLetter(topic), ports.DeadLetter(topic) + ".retry"} {
			_, _ = ch.QueueDelete(prefix+name, false, false, false)
		}
	}
}

func openDrainDB(t *testing.T) *sqlstore.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.OpenPool(ctx, testdb.URL(t, sqlstore.Postgres), 20) // the app's default MULTISAUDE_DB_MAX_CONNS
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.MigrateUp(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

func runDrain(t *testing.T, n int, setup func(t *testing.T, db *sqlstore.DB) drainSetup) {
	log := slog.New(slog.DiscardHandler)
	// Phase 1 and 2: the relay alone, then the consumers alone, on one database.
	s := setup(t, openDrainDB(t))
	events, want := backlog(n)
	fillOutbox(t, s.db, events)
	events = nil
	_, _ = s.db.ExecContext(context.Background(), "VACUUM ANALYZE outbox")
	resetStatements(s.db)

	relay := sqlstore.NewRelay(s.db, s.queue, log)
	m := startMeter(t, s.db, s.broker)
	for {
		got, err := relay.RelayOnce(context.Background())
		if err != nil {
			t.Fatalf("relay: %v", err)
		}
		if got == 0 {
			break
		}
	}
	m.end(t).log(t, "relay alone", n)
	topStatements(t, s.db)
	resetStatements(s.db)

	rec := newRecorder(n)
	m = startMeter(t, s.db, s.broker)
	stop := consumeAll(s.queue, rec)
	waitAll(t, rec, n)
	u := m.end(t)
	stop()
	u.log(t, "consumers", n)
	topStatements(t, s.db)
	if c := rec.check(t, want); c > 0 {
		t.Logf("  %d keys saw events of different topics in another order than written (one consumer per topic: not promised)", c)
	}

	// Phase 3: relay and consumers together on a fresh backlog.
	s = setup(t, openDrainDB(t))
	events, want = backlog(n)
	fillOutbox(t, s.db, events)
	events = nil
	_, _ = s.db.ExecContext(context.Background(), "VACUUM ANALYZE outbox")
	resetStatements(s.db)
	rec = newRecorder(n)
	ctx, cancel := context.WithCancel(context.Background())
	relayDone := make(chan struct{})
	m = startMeter(t, s.db, s.broker)
	go func() { defer close(relayDone); sqlstore.NewRelay(s.db, s.queue, log).Run(ctx) }()
	stop = consumeAll(s.queue, rec)
	waitAll(t, rec, n)
	u = m.end(t)
	stop()
	cancel()
	<-relayDone
	u.log(t, "end to end", n)
	topStatements(t, s.db)
	if c := rec.check(t, want); c > 0 {
		t.Logf("  %d keys saw events of different topics in another order than written (one consumer per topic: not promised)", c)
	}
	t.Logf("load at end: %s", loadavg())
}

// consumeAll starts consumers on every topic, one each as one worker process
// runs them, or MULTISAUDE_OUTBOX_DRAIN_CONSUMERS each (as that many workers
// would), and returns a function that stops them.
func consumeAll(q ports.Queue, rec *recorder) func() {
	per := 1
	if s := os.Getenv("MULTISAUDE_OUTBOX_DRAIN_CONSUMERS"); s != "" {
		per, _ = strconv.Atoi(s)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, topic := range drainTopics {
		for range max(per, 1) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_ = q.Consume(ctx, topic, rec.handle)
			}()
		}
	}
	return func() { cancel(); wg.Wait() }
}

// waitAll waits until rec has n deliveries, or fails after a generous bound
// that only a stuck drain reaches (a minute per 1,000 events).
func waitAll(t *testing.T, rec *recorder, n int) {
	t.Helper()
	select {
	case <-rec.all:
	case <-time.After(time.Duration(n/1000+1) * time.Minute):
		t.Fatalf("%d of %d events delivered", rec.n.Load(), n)
	}
}
