// Package cluster runs several instances of the real binary on one PostgreSQL
// and one RabbitMQ, as a scaled-out deployment does: two API processes
// (`serve --no-worker`) and two workers (`worker`) sharing the database, the
// exchange and queue prefix, the token-signing key file, the master keys, the
// secret and the signer seed. A mixed load goes through both APIs, and the
// test reads what the answers, the e-mail relay and a partner's webhook
// receiver say: no double booking, every outbox event delivered (once per
// webhook-id where the contract says once), every reminder fired once,
// idempotency keys, lockout, rate limits and logout honoured across
// instances. Then one API and one worker are killed with SIGKILL in the middle
// of the load: nothing confirmed is lost, nothing that must be sent once is
// sent twice, and the survivors carry on.
package cluster

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/test/e2e/harness"
	"github.com/multisaude/multisaude/test/fakes/smtpfake"
	"github.com/multisaude/multisaude/test/procs"
)

const (
	adminEmail    = "admin@cluster.multisaude.test"
	adminPassword = "Cluster-Admin-Pass-2026!"
	// lockoutThreshold and loginPerAccount are set low so that the test
	// reaches them; loginPerAccount > lockoutThreshold+2 so the lockout
	// subtest never meets the rate limit.
	lockoutThreshold = 4
	loginPerAccount  = 8
)

type cluster struct {
	st       *procs.Stack
	secret   string
	a, b     *api
	procA    *procs.Proc
	procB    *procs.Proc
	w1, w2   *procs.Proc
	db       *sqlstore.DB
	partner  *partner
	admin    account
	pharmacy account
	endpoint string // the pharmacy's webhook endpoint
}

// start migrates a fresh database and starts API A, API B and worker 1 at
// once (they race for the admin bootstrap and for creating the shared signing
// key), then worker 2, which finds every queue consumed and stands by.
func start(t *testing.T) *cluster {
	amqpURL := procs.RequireServices(t, "the cluster test")
	st := procs.NewStack(t, amqpURL)
	c := &cluster{st: st, secret: procs.RandomKey() + procs.RandomKey()}
	for k, v := range map[string]string{
		"MULTISAUDE_SECRET":                 c.secret,
		"MULTISAUDE_AUTH_KEY_FILE":          filepath.Join(t.TempDir(), "auth", "jwt-ed25519.pem"), // missing: the first to start creates it
		"MULTISAUDE_PUBLIC_URL":             "https://saude.cluster.test",                          // one name for the load balancer in front
		"MULTISAUDE_ADMIN_EMAIL":            adminEmail,
		"MULTISAUDE_ADMIN_PASSWORD":         adminPassword,
		"MULTISAUDE_WEBHOOK_ALLOW_PRIVATE":  "true", // the partner's receiver is on loopback
		"MULTISAUDE_AUTH_LOCKOUT_THRESHOLD": fmt.Sprint(lockoutThreshold),
		"MULTISAUDE_AUTH_LOGIN_PER_ACCOUNT": fmt.Sprint(loginPerAccount),
		"MULTISAUDE_AUTH_LOGIN_PER_IP":      "100000", // every client of the test is 127.0.0.1
		"MULTISAUDE_AUTH_RATE_WINDOW":       "10m",
		"MULTISAUDE_DB_MAX_CONNS":           "8",
		"MULTISAUDE_QUEUE_RETRY_DELAY":      "500ms",
		"MULTISAUDE_GEOCODER":               "offline",
	} {
		st.Env[k] = v
	}
	if out := st.Run(t, "migrate", "--profile", "onprem", "up"); !strings.Contains(out, "applied") {
		t.Fatalf("migrate up applied nothing:\n%s", out)
	}
	own := func() map[string]string { return map[string]string{"MULTISAUDE_DATA_DIR": t.TempDir()} }
	c.procA = st.StartServe(t, "api-a", own(), "--no-worker")
	c.procB = st.StartServe(t, "api-b", own(), "--no-worker")
	c.w1 = st.StartWorker(t, "worker-1", own())
	st.WaitHealthy(t, c.procA)
	st.WaitHealthy(t, c.procB)
	st.WaitWorker(t, c.w1)
	time.Sleep(2 * time.Second) // worker 1's consumers subscribe: it is the active consumer of every queue
	c.w2 = st.StartWorker(t, "worker-2", own())
	st.WaitWorker(t, c.w2)
	c.a, c.b = newAPI("A", c.procA.Base), newAPI("B", c.procB.Base)

	db, err := sqlstore.OpenPool(context.Background(), st.Env["MULTISAUDE_DATABASE_URL"], 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	c.db = db
	return c
}

func (c *cluster) apis() []*api { return []*api{c.a, c.b} }

// other is the API that is not a.
func (c *cluster) other(a *api) *api {
	if a == c.a {
		return c.b
	}
	return c.a
}

func (c *cluster) count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := c.db.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestCluster(t *testing.T) {
	c := start(t)
	began := time.Now()
	defer func() {
		t.Logf("the cluster test ran %s after the processes started", time.Since(began).Round(time.Second))
	}()

	// Started at once, the three processes bootstrapped one admin and one
	// signing key: a token of A is good on B (checked below by every
	// cross-instance read).
	if n := c.count(t, "SELECT count(*) FROM identity_accounts WHERE kind = 'admin'"); n != 1 {
		t.Fatalf("%d platform admins after starting three processes at once, want 1", n)
	}
	c.admin.Token, _ = login(t, c.a, adminEmail, adminPassword)
	c.b.get("/v1/me", c.admin.Token).want(t, "A's token on B", http.StatusOK)

	// Reminders first: their appointments start 1 h and some seconds from
	// now, so their 1 h reminders fall due while the rest runs.
	rem := c.bookReminders(t, 3)

	// The partner with a webhook endpoint, and a catalogue to order from.
	c.partner = newPartner(t)
	c.pharmacy = signUpCompany(t, c.b, c.admin, "pharmacy")
	var ep struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	}
	c.a.post("/v1/companies/"+c.pharmacy.CompanyID+"/webhooks", c.pharmacy.Token, map[string]any{"url": c.partner.URL + "/multisaude",
		"events": []string{"order.created", "order.paid"}}).want(t, "register webhook", http.StatusCreated).decode(t, &ep)
	c.partner.trust(ep.Secret)
	c.endpoint = ep.ID
	c.b.put("/v1/companies/"+c.pharmacy.CompanyID+"/catalog/GEL-01", c.pharmacy.Token, map[string]any{"name": "Gel redutor", "kind": "product",
		"price": map[string]any{"amount": 1590, "currency": "BRL"}, "stock": nil, "fulfilment": map[string]any{"pickup": true}, "tags": []string{"product:gel"}}).
		want(t, "catalogue item", http.StatusCreated)

	patients := c.signUpPatients(t, 40)

	t.Run("no double booking", func(t *testing.T) { c.raceForSlots(t, patients) })
	t.Run("idempotency key across instances", func(t *testing.T) { c.idempotency(t) })
	t.Run("availability changed on A holds on B at once", func(t *testing.T) { c.availabilityChange(t) })
	t.Run("logout on A ends the session on B", func(t *testing.T) { c.logout(t) })
	t.Run("lockout counts failures on both instances", func(t *testing.T) { c.lockout(t) })
	// KNOWN TO FAIL until the sign-in limiter lives in the database (the lead
	// is moving core/identity/limiter.go there): today each process counts
	// its own attempts, so two instances allow twice the configured number.
	t.Run("sign-in rate limit per e-mail counts both instances", func(t *testing.T) { c.loginRateLimit(t) })
	t.Run("unknown e-mail locks like a known one across instances", func(t *testing.T) { c.unknownEmailLockout(t) })
	t.Run("CEP lookup limit", func(t *testing.T) { c.cepLimit(t) })
	var orders []placed
	t.Run("orders and partner webhooks through both instances", func(t *testing.T) { orders = c.ordersAndWebhooks(t, patients[:6]) })
	t.Run("kill -9 one API and one worker mid-load", func(t *testing.T) { c.killMidLoad(t, orders) })
	t.Run("every partner event in the outbox arrives under its webhook-id", func(t *testing.T) { c.everyPartnerEvent(t) })
	t.Run("reminders fire once", func(t *testing.T) { c.checkReminders(t, rem) })
	t.Run("every e-mail sent once", func(t *testing.T) {
		// Every notification e-mail carries its notification ID (a dedupe key:
		// reminder, payment, password reset...) in its Message-ID; none may
		// arrive twice, not even across the kill.
		seen := map[string]int{}
		for _, m := range c.st.SMTP.Messages() {
			d, err := m.Decode()
			if err != nil {
				t.Fatalf("an e-mail does not parse: %v", err)
			}
			seen[d.Header.Get("Message-ID")+" ("+d.Header.Get("X-Multisaude-Template")+")"]++
		}
		for id, n := range seen {
			if n > 1 {
				t.Errorf("e-mail %s arrived %d times", id, n)
			}
		}
		t.Logf("%d distinct e-mails", len(seen))
	})
	t.Run("the outbox drains", func(t *testing.T) {
		eventually(t, 30*time.Second, "unpublished outbox rows", func() error {
			if n := c.count(t, "SELECT count(*) FROM outbox WHERE published_at IS NULL"); n != 0 {
				return fmt.Errorf("%d outbox rows not published", n)
			}
			if n := c.count(t, "SELECT count(*) FROM scheduled_jobs WHERE due_at <= ?", time.Now().Add(-2*time.Second).UnixMilli()); n != 0 {
				return fmt.Errorf("%d scheduled jobs overdue", n)
			}
			return nil
		})
	})
}

// everyPartnerEvent: each order event the outbox holds for the pharmacy
// reaches its receiver under the webhook-id derived from the event's ID
// (commerce.WebhookMessageID), and nothing else arrives.
func (c *cluster) everyPartnerEvent(t *testing.T) {
	var rows []struct {
		ID   string `bun:"id"`
		Body []byte `bun:"body"`
	}
	if err := c.db.NewSelect().Table("outbox").Column("id", "body").Where("topic = ? AND key = ?", commerce.TopicPartnerEvent, c.pharmacy.CompanyID).
		Scan(context.Background(), &rows); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{} // webhook-id -> event type
	for _, r := range rows {
		var ev struct {
			Type string `json:"type"`
		}
		if err := jsonDecode(r.Body, &ev); err != nil {
			t.Fatalf("outbox event %s: %v", r.ID, err)
		}
		if ev.Type == "order.created" || ev.Type == "order.paid" {
			want[commerce.WebhookMessageID(r.ID, c.endpoint)] = ev.Type
		}
	}
	if len(want) < 20 {
		t.Fatalf("only %d partner events in the outbox", len(want))
	}
	eventually(t, 30*time.Second, "every partner event delivered", func() error {
		got, _ := c.partner.received()
		have := map[string]bool{}
		for _, d := range got {
			if _, ok := want[d.ID]; !ok {
				t.Fatalf("the partner received webhook-id %s (%s), which no outbox event of the pharmacy gives", d.ID, d.Type)
			}
			have[d.ID] = true
		}
		for id, typ := range want {
			if !have[id] {
				return fmt.Errorf("%s (%s) not delivered yet (%d of %d)", id, typ, len(have), len(want))
			}
		}
		return nil
	})
	t.Logf("%d partner events in the outbox, each delivered under its webhook-id", len(want))
}

// signUpPatients signs n patients up, alternately on A and B, four at a time.
func (c *cluster) signUpPatients(t *testing.T, n int) []account {
	t.Helper()
	out := make([]account, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i := range out {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i] = signUpPatient(t, c.apis()[i%2])
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return out
}

// raceForSlots: 40 patients race for 5 slots of one professional, through
// A and B alternately, each with its own Idempotency-Key.
func (c *cluster) raceForSlots(t *testing.T, patients []account) {
	const slots = 5
	pro := signUpProfessional(t, c.a, c.admin, "Dra. Concorrida")
	c.b.put("/v1/professionals/"+pro.ID+"/availability", pro.Token, allDay(30, 2)).want(t, "availability on B", http.StatusOK)
	ss := slotsOn(t, c.a, pro.ID, time.Now().AddDate(0, 0, 3)) // published on B, offered by A
	if len(ss) < slots {
		t.Fatalf("%d slots offered, want %d", len(ss), slots)
	}
	type result struct {
		slot, patient int
		via           *api
		ans           answer
	}
	results := make([]result, len(patients))
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i := range patients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			via := c.apis()[i%2]
			results[i] = result{slot: i % slots, patient: i, via: via, ans: book(via, patients[i].Token, pro.ID, ss[i%slots].Start, kernel.NewID())}
		}()
	}
	close(gate)
	wg.Wait()

	won := make([][]appointment, slots)
	wonVia := map[string]*api{}
	codes := map[string]int{}
	for _, r := range results {
		if r.ans.err != nil {
			t.Fatalf("booking on %s: %v", r.via.name, r.ans.err)
		}
		codes[fmt.Sprintf("%s:%d", r.via.name, r.ans.status)]++
		switch r.ans.status {
		case http.StatusCreated:
			var a appointment
			r.ans.decode(t, &a)
			if a.ProfessionalID != pro.ID || !a.Start.Equal(ss[r.slot].Start) || a.PatientID != patients[r.patient].ID || a.Status != "confirmed" || a.ID == "" {
				t.Errorf("a 201 on %s does not name what was asked (professional %s, start %s, patient %s): %s",
					r.via.name, pro.ID, ss[r.slot].Start, patients[r.patient].ID, r.ans.body)
			}
			won[r.slot] = append(won[r.slot], a)
			wonVia[a.ID] = r.via
		case http.StatusConflict:
			if _, err := r.ans.problem(); err != nil {
				t.Errorf("the loser's 409 on %s: %v", r.via.name, err)
			}
		default:
			t.Errorf("booking on %s answered %d, want 201 or 409: %s", r.via.name, r.ans.status, r.ans.body)
		}
	}
	t.Logf("answers by instance:status %v", codes)
	for s, w := range won {
		if len(w) != 1 {
			t.Errorf("slot %d (%s) was won %d times, want exactly once", s, ss[s].Start, len(w))
		}
	}
	// The agenda read through each instance lists exactly the winners, each
	// also through the instance that did not book it.
	for _, a := range c.apis() {
		got := map[string]appointment{}
		for _, x := range agenda(t, a, pro) {
			got[x.ID] = x
		}
		if len(got) != slots {
			t.Errorf("the agenda through %s lists %d appointments, want the %d winners", a.name, len(got), slots)
		}
		for s, w := range won {
			for _, x := range w {
				if g, ok := got[x.ID]; !ok || !g.Start.Equal(ss[s].Start) || g.PatientID != x.PatientID || g.Status != "confirmed" {
					t.Errorf("winner %s (booked on %s) listed through %s as %+v (listed: %v)", x.ID, wonVia[x.ID].name, a.name, g, ok)
				}
			}
		}
	}
}

// idempotency: one booking POST with one Idempotency-Key sent at once to A
// and B books once and both answer the same; another body with the key is
// refused as documented (422 naming Idempotency-Key).
func (c *cluster) idempotency(t *testing.T) {
	pro := signUpProfessional(t, c.b, c.admin, "Dr. Idempotente")
	c.a.put("/v1/professionals/"+pro.ID+"/availability", pro.Token, allDay(30, 2)).want(t, "availability", http.StatusOK)
	ss := slotsOn(t, c.b, pro.ID, time.Now().AddDate(0, 0, 4))
	x := signUpPatient(t, c.a)
	key := kernel.NewID()
	res := make([]answer, 6)
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			res[i] = book(c.apis()[i%2], x.Token, pro.ID, ss[10].Start, key)
		}()
	}
	close(gate)
	wg.Wait()
	var first appointment
	res[0].want(t, "first", http.StatusCreated).decode(t, &first)
	for i, r := range res {
		var a appointment
		r.want(t, fmt.Sprintf("request %d on %s", i, c.apis()[i%2].name), http.StatusCreated).decode(t, &a)
		if a.ID != first.ID || string(r.body) != string(res[0].body) {
			t.Errorf("request %d on %s answered %s, want the same answer as %s", i, c.apis()[i%2].name, r.body, res[0].body)
		}
	}
	if first.ProfessionalID != pro.ID || !first.Start.Equal(ss[10].Start) {
		t.Errorf("the booking names %s at %s, want %s at %s", first.ProfessionalID, first.Start, pro.ID, ss[10].Start)
	}
	for _, a := range c.apis() {
		var l struct {
			Items []appointment `json:"items"`
		}
		a.get("/v1/appointments", x.Token).want(t, "the patient's list", http.StatusOK).decode(t, &l)
		if len(l.Items) != 1 || l.Items[0].ID != first.ID {
			t.Errorf("through %s the patient has %+v, want the one appointment %s", a.name, l.Items, first.ID)
		}
		other := book(a, x.Token, pro.ID, ss[11].Start, key).want(t, "another body with the key on "+a.name, http.StatusUnprocessableEntity)
		if p, err := other.problem(); err != nil || !p.hasField("Idempotency-Key") {
			t.Errorf("another body with a used key on %s: %v %s", a.name, err, other.body)
		}
	}
}

// availabilityChange: B has just booked against a professional's
// availability (and keeps it in its in-process cache); the professional
// closes that day on A; B at once neither offers nor books the day's slots.
func (c *cluster) availabilityChange(t *testing.T) {
	pro := signUpProfessional(t, c.a, c.admin, "Dra. Agenda Nova")
	c.a.put("/v1/professionals/"+pro.ID+"/availability", pro.Token, allDay(30, 2)).want(t, "availability", http.StatusOK)
	day := time.Now().AddDate(0, 0, 3)
	ss := slotsOn(t, c.b, pro.ID, day)
	x, y := signUpPatient(t, c.b), signUpPatient(t, c.a)
	book(c.b, x.Token, pro.ID, ss[0].Start, kernel.NewID()).want(t, "a booking on B", http.StatusCreated)
	closed := allDay(30, 2)
	var weekly []map[string]any
	for _, w := range closed["weekly"].([]map[string]any) {
		if w["weekday"] != weekdays[day.In(saoPaulo).Weekday()] {
			weekly = append(weekly, w)
		}
	}
	closed["weekly"] = weekly
	c.a.put("/v1/professionals/"+pro.ID+"/availability", pro.Token, closed).want(t, "the day closed on A", http.StatusOK)
	if got := slotsOn(t, c.b, pro.ID, day); len(got) != 0 {
		t.Errorf("B still offers %d slots of the closed day", len(got))
	}
	r := book(c.b, y.Token, pro.ID, ss[1].Start, kernel.NewID())
	if r.err != nil || r.status == http.StatusCreated || r.status >= 500 {
		t.Fatalf("B booked a slot of the day closed on A: %d %v %s", r.status, r.err, r.body)
	}
	if _, err := r.problem(); err != nil {
		t.Error(err)
	}
}

// logout: a session logged out on A is refused on B at once, its access
// token and its refresh token; logging out everywhere on B ends A's sessions.
func (c *cluster) logout(t *testing.T) {
	p := signUpPatient(t, c.b)
	access, refresh := login(t, c.a, p.Email, harness.Password)
	c.b.get("/v1/me", access).want(t, "A's token on B before the logout", http.StatusOK)
	c.a.post("/v1/auth/logout", access, map[string]any{"refresh_token": refresh}).want(t, "logout on A", http.StatusNoContent)
	r := c.b.get("/v1/me", access).want(t, "the logged-out token on B", http.StatusUnauthorized)
	if _, err := r.problem(); err != nil {
		t.Error(err)
	}
	c.b.post("/v1/auth/token", "", map[string]any{"grant_type": "refresh_token", "refresh_token": refresh}).
		want(t, "refresh on B after the logout on A", http.StatusUnauthorized)
	c.b.get("/v1/me", p.Token).want(t, "the patient's other session on B", http.StatusOK)

	t1, _ := login(t, c.a, p.Email, harness.Password)
	c.b.post("/v1/auth/logout", p.Token, map[string]any{"all": true}).want(t, "logout everywhere on B", http.StatusNoContent)
	for _, tok := range []string{t1, p.Token} {
		c.a.get("/v1/me", tok).want(t, "a token on A after logout everywhere on B", http.StatusUnauthorized)
	}
}

// lockout: wrong passwords for one account, alternately on A and B, lock it
// after lockoutThreshold failures in total; then even the right password is
// refused on both (429, pt-BR).
func (c *cluster) lockout(t *testing.T) {
	v := signUpPatient(t, c.a)
	for i := range lockoutThreshold {
		a := c.apis()[i%2]
		a.post("/v1/auth/token", "", map[string]any{"grant_type": "password", "email": v.Email, "password": "Senha-Errada-2026!"}).
			want(t, fmt.Sprintf("failure %d on %s", i+1, a.name), http.StatusUnauthorized)
	}
	for _, a := range c.apis() {
		r := a.post("/v1/auth/token", "", map[string]any{"grant_type": "password", "email": v.Email, "password": harness.Password})
		if r.status != http.StatusTooManyRequests {
			t.Errorf("after %d failures split over A and B, the right password on %s answers %d, want 429 (locked): %s", lockoutThreshold, a.name, r.status, r.body)
			continue
		}
		if p, err := r.problem(); err != nil || !strings.Contains(p.Detail, "tentativas") {
			t.Errorf("the lockout answer on %s: %v %s", a.name, err, r.body)
		}
	}
}

// loginRateLimit: sign-ins for one e-mail, alternately on A and B, are
// refused past MULTISAUDE_AUTH_LOGIN_PER_ACCOUNT in the window, counted over
// both instances.
func (c *cluster) loginRateLimit(t *testing.T) {
	r := signUpPatient(t, c.a) // one sign-in on A
	for i := 1; i < loginPerAccount; i++ {
		a := c.apis()[(i+1)%2]
		a.post("/v1/auth/token", "", map[string]any{"grant_type": "password", "email": r.Email, "password": harness.Password}).
			want(t, fmt.Sprintf("sign-in %d of %d on %s", i+1, loginPerAccount, a.name), http.StatusOK)
	}
	for _, a := range c.apis() {
		ans := a.post("/v1/auth/token", "", map[string]any{"grant_type": "password", "email": r.Email, "password": harness.Password})
		if ans.status != http.StatusTooManyRequests {
			t.Errorf("KNOWN (per-process limiter, lead moving it to the database): sign-in %d for one e-mail on %s answered %d, want 429: the instances count apart",
				loginPerAccount+1, a.name, ans.status)
			continue
		}
		if _, err := ans.problem(); err != nil {
			t.Error(err)
		}
	}
}

// unknownEmailLockout: an e-mail with no account must answer as a known one
// does (else the answers tell which e-mails have accounts): after
// lockoutThreshold failures over A and B, it answers 429 on both.
func (c *cluster) unknownEmailLockout(t *testing.T) {
	ghost := harness.NewEmail("ghost")
	for i := range lockoutThreshold {
		a := c.apis()[i%2]
		a.post("/v1/auth/token", "", map[string]any{"grant_type": "password", "email": ghost, "password": "Senha-Errada-2026!"}).
			want(t, fmt.Sprintf("failure %d on %s", i+1, a.name), http.StatusUnauthorized)
	}
	for _, a := range c.apis() {
		if ans := a.post("/v1/auth/token", "", map[string]any{"grant_type": "password", "email": ghost, "password": "Senha-Errada-2026!"}); ans.status != http.StatusTooManyRequests {
			t.Errorf("KNOWN (per-process limiter, lead moving it to the database): after %d failures for an unknown e-mail over A and B, %s answers %d where a known account answers 429: the difference tells which e-mails have accounts",
				lockoutThreshold, a.name, ans.status)
		}
	}
}

// cepLimit: the public CEP lookup's per-client limit answers a pt-BR 429
// problem past its burst. It is per process (adapters/http/httpapi/addressapi):
// what B answers after A's budget is spent is logged, not asserted; a person
// typing CEPs never meets the limit, a crawler gets one budget per instance.
func (c *cluster) cepLimit(t *testing.T) {
	var last answer
	for i := 0; i < 40; i++ {
		if last = c.a.get("/v1/addresses/01310-100", ""); last.status == http.StatusTooManyRequests {
			t.Logf("A refused CEP lookup %d", i+1)
			break
		}
		last.want(t, "CEP lookup", http.StatusOK)
	}
	if last.status != http.StatusTooManyRequests {
		t.Fatalf("40 CEP lookups in a burst on A were all answered")
	}
	if p, err := last.problem(); err != nil || !strings.Contains(p.Detail, "CEP") {
		t.Errorf("the CEP limit's answer: %v %s", err, last.body)
	}
	t.Logf("right after, B answers a CEP lookup from the same client with %d (the limit is per instance)", c.b.get("/v1/addresses/01310-100", "").status)
}

// placed is an order as its client knows it.
type placed struct {
	id, chargeID, paymentID string
	total                   int64
	paid                    bool // the provider's confirmation was delivered to an instance
	patient                 account
}

// placeOrder places an order on a (201 or an error).
func (c *cluster) placeOrder(a *api, p account) (placed, answer) {
	r := a.post("/v1/orders", p.Token, map[string]any{"company_id": c.pharmacy.CompanyID, "items": []any{map[string]any{"sku": "GEL-01", "quantity": 1}},
		"fulfilment": map[string]any{"method": "pickup"}}, "Idempotency-Key", "pedido-"+kernel.NewID())
	o := placed{patient: p}
	if r.err == nil && r.status == http.StatusCreated {
		var out struct {
			ID    string `json:"id"`
			Total struct {
				Amount int64 `json:"amount"`
			} `json:"total"`
		}
		if err := jsonDecode(r.body, &out); err == nil {
			o.id, o.total = out.ID, out.Total.Amount
		}
	}
	return o, r
}

// pay asks for a Pix charge on a, then the provider confirms it to every
// instance in apis at once (as a provider retrying through a load balancer
// may): paid is set when one of them took it.
func (c *cluster) pay(a *api, o *placed, apis ...*api) answer {
	r := a.post("/v1/orders/"+o.id+"/payments", o.patient.Token, map[string]any{"method": "pix"}, "Idempotency-Key", "pay-"+o.id)
	if r.err != nil || r.status != http.StatusCreated {
		return r
	}
	var pay struct {
		ID       string `json:"id"`
		ChargeID string `json:"charge_id"`
		Amount   struct {
			Amount int64 `json:"amount"`
		} `json:"amount"`
	}
	if err := jsonDecode(r.body, &pay); err != nil {
		return answer{err: err}
	}
	o.chargeID, o.paymentID = pay.ChargeID, pay.ID
	body, sig := localpayEvent(c.secret, pay.ChargeID, pay.ID, pay.Amount.Amount)
	var wg sync.WaitGroup
	var took atomic.Bool
	for _, x := range apis {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ans := x.send(req{method: http.MethodPost, path: "/v1/payments/webhooks/localpay", body: body, headers: map[string]string{"Localpay-Signature": sig}})
			if ans.err == nil && ans.status/100 == 2 {
				took.Store(true)
			}
		}()
	}
	wg.Wait()
	o.paid = took.Load()
	return r
}

// ordersAndWebhooks: orders placed on one instance and paid on the other;
// the provider's confirmation reaches both at once. Every order is paid once
// (one order.paid), and the partner receives order.created and order.paid of
// every order, each under one webhook-id.
func (c *cluster) ordersAndWebhooks(t *testing.T, patients []account) []placed {
	var orders []placed
	for i, p := range patients {
		a := c.apis()[i%2]
		o, r := c.placeOrder(a, p)
		r.want(t, "order on "+a.name, http.StatusCreated)
		if o.id == "" || o.total != 1590 {
			t.Fatalf("order on %s: %s", a.name, r.body)
		}
		c.pay(c.other(a), &o, c.a, c.b).want(t, "payment on "+c.other(a).name, http.StatusCreated)
		if !o.paid {
			t.Fatalf("no instance took the provider's confirmation of order %s", o.id)
		}
		orders = append(orders, o)
	}
	for _, o := range orders {
		eventually(t, 30*time.Second, "order "+o.id+" paid", func() error {
			var cur struct {
				Status string `json:"status"`
			}
			for _, a := range c.apis() {
				a.get("/v1/orders/"+o.id, o.patient.Token).want(t, "order", http.StatusOK).decode(t, &cur)
				if cur.Status != "paid" {
					return fmt.Errorf("through %s the order is %s", a.name, cur.Status)
				}
			}
			return nil
		})
	}
	c.waitForEvents(t, orders)
	return orders
}

// waitForEvents waits until the partner has order.created of every order and
// order.paid of every paid one, and checks the once-per-id contract.
func (c *cluster) waitForEvents(t *testing.T, orders []placed) {
	t.Helper()
	eventually(t, 60*time.Second, "partner webhooks", func() error {
		got, bad := c.partner.received()
		if bad > 0 {
			t.Fatalf("%d webhook requests did not verify", bad)
		}
		ids, _, err := checkOnce(got)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range orders {
			if ids[eventKey{"order.created", o.id}] == "" {
				return fmt.Errorf("no order.created for %s yet", o.id)
			}
			if o.paid && ids[eventKey{"order.paid", o.id}] == "" {
				return fmt.Errorf("no order.paid for %s yet", o.id)
			}
		}
		return nil
	})
	got, _ := c.partner.received()
	_, repeats, _ := checkOnce(got)
	t.Logf("the partner received %d webhook requests (%d repeats of a webhook-id)", len(got), repeats)
}

// reminderTarget is an appointment whose 1 h reminder falls due during the test.
type reminderTarget struct {
	appt    appointment
	patient account
	due     time.Time
}

// bookReminders gives n professionals one bookable slot, starting at the
// first whole minute at least 1 h 20 s from now (availability has minute
// resolution), and books each for a new patient, alternately on A and B.
func (c *cluster) bookReminders(t *testing.T, n int) []reminderTarget {
	t.Helper()
	var pros, pts []account
	for i := range n {
		pros = append(pros, signUpProfessional(t, c.apis()[i%2], c.admin, fmt.Sprintf("Dr. Lembrete %d", i+1)))
		pts = append(pts, signUpPatient(t, c.apis()[(i+1)%2]))
	}
	start := time.Now().In(saoPaulo).Add(time.Hour + 20*time.Second).Truncate(time.Minute).Add(time.Minute)
	if start.Hour() == 23 && start.Minute() > 50 { // no room for a slot before midnight: the first of the next day
		start = time.Date(start.Year(), start.Month(), start.Day()+1, 0, 0, 0, 0, saoPaulo)
	}
	end := start.Add(30 * time.Minute)
	endText := end.Format("15:04")
	if end.Day() != start.Day() {
		endText = "24:00"
	}
	av := map[string]any{"time_zone": "America/Sao_Paulo", "slot_minutes": 5, "buffer_minutes": 0, "min_notice_hours": 0,
		"horizon_days": 30, "cancel_until_hours": 0, "exceptions": []any{},
		"weekly": []map[string]any{{"weekday": weekdays[start.Weekday()], "start": start.Format("15:04"), "end": endText, "mode": "in_person"}}}
	var out []reminderTarget
	for i := range n {
		a := c.apis()[i%2]
		a.put("/v1/professionals/"+pros[i].ID+"/availability", pros[i].Token, av).want(t, "reminder availability", http.StatusOK)
		var appt appointment
		book(a, pts[i].Token, pros[i].ID, start, kernel.NewID()).want(t, "reminder booking", http.StatusCreated).decode(t, &appt)
		out = append(out, reminderTarget{appt: appt, patient: pts[i], due: start.Add(-time.Hour)})
	}
	t.Logf("%d reminders due at %s (in %s)", n, start.Add(-time.Hour).Format(time.RFC3339), time.Until(start.Add(-time.Hour)).Round(time.Second))
	return out
}

// checkReminders: each appointment's 1 h reminder arrives once by e-mail (one
// message per Message-ID, to the patient) and once in-app.
func (c *cluster) checkReminders(t *testing.T, rem []reminderTarget) {
	last := rem[len(rem)-1].due
	for _, r := range rem {
		if r.due.After(last) {
			last = r.due
		}
	}
	mails := func() map[string][]smtpfake.Message {
		by := map[string][]smtpfake.Message{}
		for _, m := range c.st.SMTP.Messages() {
			d, err := m.Decode()
			if err != nil || d.Header.Get("X-Multisaude-Template") != "appointment_reminder" {
				continue
			}
			for _, r := range rem {
				if strings.Contains(d.Header.Get("Message-ID"), r.appt.ID) {
					by[r.appt.ID] = append(by[r.appt.ID], m)
				}
			}
		}
		return by
	}
	eventually(t, time.Until(last)+60*time.Second, "reminder e-mails", func() error {
		by := mails()
		for _, r := range rem {
			if len(by[r.appt.ID]) == 0 {
				return fmt.Errorf("no reminder e-mail for %s (due %s) yet", r.appt.ID, r.due.Format(time.RFC3339))
			}
		}
		return nil
	})
	time.Sleep(3 * time.Second) // a duplicate would come right behind
	by := mails()
	for _, r := range rem {
		ms := by[r.appt.ID]
		if len(ms) != 1 {
			t.Errorf("appointment %s: %d reminder e-mails, want 1", r.appt.ID, len(ms))
			continue
		}
		d, _ := ms[0].Decode()
		if len(ms[0].To) != 1 || ms[0].To[0] != r.patient.Email || !strings.Contains(d.Header.Get("Message-ID"), ":1h:") || d.Subject == "" {
			t.Errorf("reminder e-mail of %s: to %v, Message-ID %q, subject %q", r.appt.ID, ms[0].To, d.Header.Get("Message-ID"), d.Subject)
		}
		var l struct {
			Items []struct {
				Kind string            `json:"kind"`
				Data map[string]string `json:"data"`
			} `json:"items"`
		}
		c.b.get("/v1/me/notifications", r.patient.Token).want(t, "notifications", http.StatusOK).decode(t, &l)
		n := 0
		for _, it := range l.Items {
			if it.Kind == "appointment_reminder" && it.Data["appointment_id"] == r.appt.ID {
				n++
				if it.Data["offset"] != "1h" {
					t.Errorf("in-app reminder of %s has offset %q", r.appt.ID, it.Data["offset"])
				}
			}
		}
		if n != 1 {
			t.Errorf("appointment %s: %d in-app reminders, want 1 (%+v)", r.appt.ID, n, l.Items)
		}
	}
}
