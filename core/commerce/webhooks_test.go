package commerce_test

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// memHooks is an in-memory commerce.WebhookStore for the use cases' tests
// (the SQL store passes test/conformance's suite).
type memHooks struct {
	mu         sync.Mutex
	endpoints  map[string]commerce.WebhookEndpoint
	deliveries map[string]commerce.WebhookDelivery
	failRecord int // RecordWebhookAttempt fails this many times (a crash after sending)
}

func newMemHooks() *memHooks {
	return &memHooks{endpoints: map[string]commerce.WebhookEndpoint{}, deliveries: map[string]commerce.WebhookDelivery{}}
}

func (m *memHooks) CreateWebhook(_ context.Context, e commerce.WebhookEndpoint, max int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, x := range m.endpoints {
		if x.CompanyID == e.CompanyID {
			n++
		}
	}
	if n >= max {
		return kernel.Conflict("full")
	}
	m.endpoints[e.ID] = e
	return nil
}

func (m *memHooks) Webhook(_ context.Context, companyID, id kernel.ID) (commerce.WebhookEndpoint, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.endpoints[id]
	if !ok || e.CompanyID != companyID {
		return e, kernel.NotFound("webhook não encontrado")
	}
	return e, nil
}

func (m *memHooks) Webhooks(_ context.Context, companyID kernel.ID) ([]commerce.WebhookEndpoint, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []commerce.WebhookEndpoint
	for _, e := range m.endpoints {
		if e.CompanyID == companyID {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (m *memHooks) UpdateWebhook(ctx context.Context, companyID, id kernel.ID, fn func(*commerce.WebhookEndpoint) error) (commerce.WebhookEndpoint, error) {
	e, err := m.Webhook(ctx, companyID, id)
	if err != nil {
		return e, err
	}
	if err := fn(&e); err != nil {
		return e, err
	}
	m.mu.Lock()
	m.endpoints[id] = e
	m.mu.Unlock()
	return e, nil
}

func (m *memHooks) DeleteWebhook(ctx context.Context, companyID, id kernel.ID) error {
	if _, err := m.Webhook(ctx, companyID, id); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.endpoints, id)
	for k, d := range m.deliveries {
		if d.EndpointID == id {
			delete(m.deliveries, k)
		}
	}
	return nil
}

func (m *memHooks) AddWebhookDelivery(_ context.Context, d commerce.WebhookDelivery) (commerce.WebhookDelivery, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.endpoints[d.EndpointID]; !ok {
		return d, false, kernel.NotFound("webhook não encontrado")
	}
	for _, x := range m.deliveries {
		if x.MessageID == d.MessageID {
			return x, false, nil
		}
	}
	m.deliveries[d.ID] = d
	return d, true, nil
}

func (m *memHooks) WebhookDelivery(_ context.Context, id kernel.ID) (commerce.WebhookDelivery, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.deliveries[id]
	if !ok {
		return d, kernel.NotFound("entrega não encontrada")
	}
	return d, nil
}

func (m *memHooks) WebhookDeliveries(_ context.Context, endpointID kernel.ID, _ kernel.Page) (kernel.List[commerce.WebhookDelivery], error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out kernel.List[commerce.WebhookDelivery]
	for _, d := range m.deliveries {
		if d.EndpointID == endpointID {
			out.Items = append(out.Items, d)
		}
	}
	sort.Slice(out.Items, func(i, j int) bool { return out.Items[i].ID > out.Items[j].ID })
	return out, nil
}

func (m *memHooks) RecordWebhookAttempt(_ context.Context, id kernel.ID, a commerce.WebhookAttempt, status commerce.WebhookStatus, next *time.Time) (commerce.WebhookDelivery, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failRecord > 0 {
		m.failRecord--
		return commerce.WebhookDelivery{}, kernel.Unavailable(errors.New("crash"), "the database is unavailable")
	}
	d, ok := m.deliveries[id]
	if !ok {
		return d, kernel.NotFound("entrega não encontrada")
	}
	if d.AttemptCount != a.N-1 {
		return d, kernel.Conflict("já registrada")
	}
	d.AttemptCount, d.Status, d.NextAttemptAt = a.N, status, next
	d.Attempts = append(d.Attempts, a)
	m.deliveries[id] = d
	return d, nil
}

// fakeSender records requests and answers with status (0: a network failure).
type fakeSender struct {
	mu       sync.Mutex
	status   int
	requests []ports.WebhookRequest
}

func (f *fakeSender) CheckURL(_ context.Context, url string) error {
	if !strings.HasPrefix(url, "https://") {
		return kernel.Invalid("", "deve usar https")
	}
	return nil
}

func (f *fakeSender) Send(_ context.Context, r ports.WebhookRequest) (ports.WebhookResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r)
	if f.status == 0 {
		return ports.WebhookResult{}, kernel.Unavailable(errors.New("dial tcp 10.0.0.1:443"), "conexão recusada pelo destino")
	}
	return ports.WebhookResult{Status: f.status, Duration: 12 * time.Millisecond}, nil
}

func (f *fakeSender) sent() []ports.WebhookRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]ports.WebhookRequest(nil), f.requests...)
}

type fakeScheduler struct {
	mu   sync.Mutex
	jobs map[string]ports.Job
}

func (f *fakeScheduler) Schedule(_ context.Context, j ports.Job) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.jobs == nil {
		f.jobs = map[string]ports.Job{}
	}
	f.jobs[j.ID] = j
	return nil
}

func (f *fakeScheduler) Cancel(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.jobs[id]; !ok {
		return kernel.NotFound("no job")
	}
	delete(f.jobs, id)
	return nil
}

type hookFixture struct {
	svc    *commerce.Service
	store  *memHooks
	sender *fakeSender
	sched  *fakeScheduler
	clock  *kernel.FixedClock
	co     kernel.ID
	admin  kernel.Principal
}

func newHookFixture(t *testing.T) *hookFixture {
	f := &hookFixture{store: newMemHooks(), sender: &fakeSender{status: 200}, sched: &fakeScheduler{},
		clock: kernel.NewFixedClock(time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)), co: kernel.NewID()}
	f.admin = kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindCompanyMember, CompanyID: f.co, Roles: []string{"admin"}}
	f.svc = commerce.NewService(commerce.Deps{Hooks: f.store, Sender: f.sender, Scheduler: f.sched, Clock: f.clock}, commerce.Config{})
	return f
}

func (f *hookFixture) endpoint(t *testing.T, events ...string) commerce.WebhookEndpoint {
	t.Helper()
	e, _, err := f.svc.CreateWebhook(context.Background(), f.admin, f.co, commerce.WebhookInput{URL: "https://parceiro.example.com/hooks", Events: events})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func partnerDelivery(t *testing.T, co kernel.ID, typ string) ports.Delivery {
	ev := commerce.PartnerEvent(typ, co, map[string]any{"order_id": "o-1"}, time.Date(2026, 11, 30, 11, 59, 0, 0, time.UTC))
	b, err := json.Marshal(ev.Payload)
	if err != nil {
		t.Fatal(err)
	}
	return ports.Delivery{Message: ports.Message{ID: ev.ID, Topic: ev.Topic, Key: ev.Key, Body: b}, Attempt: 1}
}

func TestWebhookBackoffBounds(t *testing.T) {
	wantCeil := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second,
		160 * time.Second, 320 * time.Second, 640 * time.Second, 1280 * time.Second, 2560 * time.Second, time.Hour, time.Hour}
	for i, want := range wantCeil {
		n := i + 1
		if got := commerce.WebhookBackoffCeiling(n); got != want {
			t.Errorf("ceiling after attempt %d = %s, want %s", n, got, want)
		}
		lo := commerce.WebhookBackoff(n, func(int64) int64 { return 0 })
		hi := commerce.WebhookBackoff(n, func(k int64) int64 { return k - 1 })
		if lo != time.Second || hi != want {
			t.Errorf("attempt %d: jitter spans [%s, %s], want [1s, %s]", n, lo, hi, want)
		}
		for j := 0; j < 200; j++ {
			if d := commerce.WebhookBackoff(n, nil); d < time.Second || d > want {
				t.Fatalf("attempt %d: %s outside [1s, %s]", n, d, want)
			}
		}
	}
	if commerce.WebhookBackoffCeiling(1000) != time.Hour {
		t.Errorf("the cap does not hold for large n")
	}
}

func TestWebhookSecretRotationOverlap(t *testing.T) {
	f := newHookFixture(t)
	ctx := context.Background()
	e, shown, err := f.svc.CreateWebhook(ctx, f.admin, f.co, commerce.WebhookInput{URL: "https://parceiro.example.com/h", Events: []string{commerce.EventOrderPaid}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(shown, "whsec_") || commerce.FormatWebhookSecret(e.Secret) != shown || len(e.Secret) != 32 {
		t.Fatalf("secret %q does not match the stored key", shown)
	}
	if n := len(e.SigningSecrets(f.clock.Now())); n != 1 {
		t.Errorf("a fresh endpoint signs with %d secrets", n)
	}
	f.clock.Advance(time.Hour)
	rotatedAt := f.clock.Now()
	r, shown2, err := f.svc.RotateWebhookSecret(ctx, f.admin, f.co, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if shown2 == shown || commerce.FormatWebhookSecret(r.Secret) != shown2 {
		t.Fatalf("rotation gave %q", shown2)
	}
	overlap := f.svc.Config().SecretOverlap
	if overlap != 24*time.Hour {
		t.Errorf("default overlap %s, want 24h", overlap)
	}
	for _, c := range []struct {
		at   time.Duration
		want int
	}{{0, 2}, {overlap - time.Second, 2}, {overlap, 1}, {overlap + time.Hour, 1}} {
		secrets := r.SigningSecrets(rotatedAt.Add(c.at))
		if len(secrets) != c.want || string(secrets[0]) != string(r.Secret) {
			t.Errorf("%s after rotation: %d secrets, want %d with the new one first", c.at, len(secrets), c.want)
		}
		if c.want == 2 && string(secrets[1]) != string(e.Secret) {
			t.Errorf("the second signature is not the old secret's")
		}
	}
	// A rotation inside the overlap drops the oldest key.
	r2, _, err := f.svc.RotateWebhookSecret(ctx, f.admin, f.co, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s := r2.SigningSecrets(f.clock.Now()); len(s) != 2 || string(s[1]) != string(r.Secret) {
		t.Errorf("after two rotations the signing keys are not (newest, previous)")
	}
}

func TestWebhookFanOutIsIdempotent(t *testing.T) {
	f := newHookFixture(t)
	ctx := context.Background()
	a := f.endpoint(t, commerce.EventOrderCreated)
	b := f.endpoint(t, commerce.EventOrderCreated, commerce.EventOrderPaid)
	f.endpoint(t, commerce.EventOrderPaid) // not subscribed
	other := kernel.NewID()
	f.store.endpoints["x"] = commerce.WebhookEndpoint{ID: "x", CompanyID: other, URL: "https://other.example/h", Events: commerce.PartnerEventTypes(), Secret: []byte("k")}

	d := partnerDelivery(t, f.co, commerce.EventOrderCreated)
	for i := 0; i < 3; i++ { // the queue delivers at least once
		if err := f.svc.HandlePartnerEvent(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	sent := f.sender.sent()
	if len(sent) != 2 {
		t.Fatalf("%d requests, want one per subscribed endpoint (2)", len(sent))
	}
	ids := map[string]bool{}
	for _, r := range sent {
		ids[r.MessageID] = true
		if !strings.Contains(string(r.Body), `"type":"order.created"`) || !strings.Contains(string(r.Body), `"data":{"order_id":"o-1"}`) ||
			strings.Contains(string(r.Body), "company_id") {
			t.Errorf("body %s", r.Body)
		}
	}
	for _, e := range []commerce.WebhookEndpoint{a, b} {
		if !ids[commerce.WebhookMessageID(d.ID, e.ID)] {
			t.Errorf("no request with the derived message ID of endpoint %s", e.ID)
		}
	}
	if len(f.store.deliveries) != 2 {
		t.Errorf("%d deliveries stored, want 2", len(f.store.deliveries))
	}
	if commerce.WebhookMessageID(d.ID, a.ID) == commerce.WebhookMessageID(d.ID, b.ID) || !strings.HasPrefix(commerce.WebhookMessageID(d.ID, a.ID), "msg_") ||
		len(commerce.WebhookMessageID(d.ID, a.ID)) != 28 {
		t.Errorf("message IDs are not distinct per endpoint or not msg_ + 24 hex")
	}
}

func TestWebhookRetriesThenDeadLetter(t *testing.T) {
	f := newHookFixture(t)
	ctx := context.Background()
	f.sender.status = 503
	e := f.endpoint(t, commerce.EventOrderPaid)
	ev := partnerDelivery(t, f.co, commerce.EventOrderPaid)
	if err := f.svc.HandlePartnerEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	max := f.svc.Config().WebhookMaxAttempts
	var did string
	for n := 2; n <= max; n++ {
		if len(f.sched.jobs) != 1 {
			t.Fatalf("before attempt %d: %d jobs scheduled, want 1", n, len(f.sched.jobs))
		}
		var job ports.Job
		for _, j := range f.sched.jobs {
			job = j
		}
		var m struct {
			DeliveryID string `json:"delivery_id"`
			Attempt    int    `json:"attempt"`
		}
		_ = json.Unmarshal(job.Msg.Body, &m)
		did = m.DeliveryID
		if job.ID != commerce.WebhookJobID(did, n) || job.Msg.Topic != commerce.TopicWebhookAttempt || m.Attempt != n {
			t.Fatalf("job %+v", job)
		}
		wait := job.At.Sub(f.clock.Now())
		if wait < time.Second || wait > commerce.WebhookBackoffCeiling(n-1) {
			t.Errorf("attempt %d due in %s, outside [1s, %s]", n, wait, commerce.WebhookBackoffCeiling(n-1))
		}
		delete(f.sched.jobs, job.ID)
		f.clock.Set(job.At)
		dl := ports.Delivery{Message: job.Msg, Attempt: 1}
		if err := f.svc.HandleWebhookAttempt(ctx, dl); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.HandleWebhookAttempt(ctx, dl); err != nil { // the job's message redelivered: no second attempt
			t.Fatal(err)
		}
		if got := len(f.sender.sent()); got != n {
			t.Fatalf("after attempt %d: %d requests", n, got)
		}
	}
	d, _ := f.store.WebhookDelivery(ctx, did)
	if d.Status != commerce.WebhookDead || d.AttemptCount != max || len(f.sched.jobs) != 0 {
		t.Fatalf("after %d failures: status %s, %d attempts, %d jobs", max, d.Status, d.AttemptCount, len(f.sched.jobs))
	}
	for _, r := range f.sender.sent() {
		if r.MessageID != d.MessageID || string(r.Body) != string(d.Body) {
			t.Errorf("an attempt changed the message ID or body")
		}
	}
	// Replay: one more attempt of the same message.
	f.sender.status = 200
	staff := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindCompanyMember, CompanyID: f.co, Roles: []string{"staff"}}
	if _, err := f.svc.ReplayWebhookDelivery(ctx, staff, f.co, e.ID, did); kernel.KindOf(err) != kernel.KindForbidden {
		t.Errorf("staff replay: %v", err)
	}
	r, err := f.svc.ReplayWebhookDelivery(ctx, f.admin, f.co, e.ID, did)
	if err != nil || r.Status != commerce.WebhookDelivered || r.AttemptCount != max+1 {
		t.Fatalf("replay: %+v %v", r, err)
	}
	if last := f.sender.sent()[max]; last.MessageID != d.MessageID {
		t.Errorf("the replay used another message ID")
	}
	if _, err := f.svc.ReplayWebhookDelivery(ctx, f.admin, f.co, e.ID, did); kernel.KindOf(err) != kernel.KindConflict {
		t.Errorf("replay of a delivered delivery: %v", err)
	}
}

// TestWebhookCrashAfterSendResends: the first handler sends and then fails
// before recording (a crash); the queue redelivers the event; the same
// webhook-id is sent again, and the delivery ends delivered with one attempt.
func TestWebhookCrashAfterSendResends(t *testing.T) {
	f := newHookFixture(t)
	ctx := context.Background()
	f.endpoint(t, commerce.EventOrderCreated)
	f.store.failRecord = 1
	ev := partnerDelivery(t, f.co, commerce.EventOrderCreated)
	if err := f.svc.HandlePartnerEvent(ctx, ev); err == nil {
		t.Fatal("the handler hid a failure to record; the queue would not redeliver")
	}
	if err := f.svc.HandlePartnerEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	sent := f.sender.sent()
	if len(sent) != 2 || sent[0].MessageID != sent[1].MessageID || string(sent[0].Body) != string(sent[1].Body) {
		t.Fatalf("%d requests; the resend must repeat the webhook-id and body", len(sent))
	}
	if len(f.store.deliveries) != 1 {
		t.Fatalf("%d deliveries, want 1", len(f.store.deliveries))
	}
	for _, d := range f.store.deliveries {
		if d.Status != commerce.WebhookDelivered || d.AttemptCount != 1 {
			t.Errorf("delivery %s after %d attempts", d.Status, d.AttemptCount)
		}
	}
}

func TestWebhookDispensedCarriesNoPatient(t *testing.T) {
	f := newHookFixture(t)
	f.endpoint(t, commerce.EventPrescriptionDispensed)
	id := kernel.NewID()
	body, _ := json.Marshal(map[string]string{"prescription_id": "rx-1", "patient_id": "patient-secret-id", "company_id": f.co})
	d := ports.Delivery{Message: ports.Message{ID: id, Topic: commerce.TopicPrescriptionDispensed, Body: body}, Attempt: 1}
	if err := f.svc.HandlePrescriptionDispensed(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	sent := f.sender.sent()
	if len(sent) != 1 {
		t.Fatalf("%d requests", len(sent))
	}
	var got struct {
		Type string            `json:"type"`
		Data map[string]string `json:"data"`
	}
	if err := json.Unmarshal(sent[0].Body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Type != commerce.EventPrescriptionDispensed || got.Data["prescription_id"] != "rx-1" || len(got.Data) != 2 || got.Data["dispensed_at"] == "" ||
		strings.Contains(string(sent[0].Body), "patient") {
		t.Errorf("body %s", sent[0].Body)
	}
	if at, err := time.Parse(time.RFC3339, got.Data["dispensed_at"]); err != nil || time.Since(at) > time.Minute {
		t.Errorf("dispensed_at %q is not the event's time", got.Data["dispensed_at"])
	}
}

func TestWebhookPermissions(t *testing.T) {
	f := newHookFixture(t)
	ctx := context.Background()
	e := f.endpoint(t, commerce.EventOrderPaid)
	staff := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindCompanyMember, CompanyID: f.co, Roles: []string{"staff"}}
	otherAdmin := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindCompanyMember, CompanyID: kernel.NewID(), Roles: []string{"admin"}}
	platform := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindAdmin}
	key := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindAPIKey, CompanyID: f.co, Scopes: []string{"orders:write"}}
	patient := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindPatient}
	in := commerce.WebhookInput{URL: "https://x.example/h", Events: []string{commerce.EventOrderPaid}}
	for _, c := range []struct {
		name       string
		p          kernel.Principal
		read, mngd kernel.Kind
	}{
		{"admin", f.admin, "", ""},
		{"staff", staff, "", kernel.KindForbidden},
		{"platform admin", platform, "", kernel.KindForbidden},
		{"another company's admin", otherAdmin, kernel.KindForbidden, kernel.KindForbidden},
		{"API key", key, kernel.KindForbidden, kernel.KindForbidden},
		{"patient", patient, kernel.KindForbidden, kernel.KindForbidden},
		{"anonymous", kernel.Anonymous, kernel.KindUnauthenticated, kernel.KindUnauthenticated},
	} {
		kind := func(err error) kernel.Kind {
			if err == nil {
				return ""
			}
			return kernel.KindOf(err)
		}
		_, err := f.svc.Webhooks(ctx, c.p, f.co)
		_, err2 := f.svc.WebhookDeliveries(ctx, c.p, f.co, e.ID, kernel.Page{})
		if kind(err) != c.read || kind(err2) != c.read {
			t.Errorf("%s reads: %v / %v, want %q", c.name, err, err2, c.read)
		}
		_, _, err = f.svc.CreateWebhook(ctx, c.p, f.co, in)
		_, _, err2 = f.svc.RotateWebhookSecret(ctx, c.p, f.co, e.ID)
		if kind(err) != c.mngd || kind(err2) != c.mngd {
			t.Errorf("%s manages: %v / %v, want %q", c.name, err, err2, c.mngd)
		}
	}
}

func TestWebhookInputValidation(t *testing.T) {
	f := newHookFixture(t)
	ctx := context.Background()
	for _, c := range []struct {
		in    commerce.WebhookInput
		field string
	}{
		{commerce.WebhookInput{URL: "", Events: []string{commerce.EventOrderPaid}}, "url"},
		{commerce.WebhookInput{URL: "https://x.example/" + strings.Repeat("a", 2048), Events: []string{commerce.EventOrderPaid}}, "url"},
		{commerce.WebhookInput{URL: "http://x.example/h", Events: []string{commerce.EventOrderPaid}}, "url"},
		{commerce.WebhookInput{URL: "https://x.example/h"}, "events"},
		{commerce.WebhookInput{URL: "https://x.example/h", Events: []string{"order.exploded"}}, "events[0]"},
		{commerce.WebhookInput{URL: "https://x.example/h", Events: make([]string, 7)}, "events"},
	} {
		_, _, err := f.svc.CreateWebhook(ctx, f.admin, f.co, c.in)
		var ke *kernel.Error
		if !errors.As(err, &ke) || ke.Kind != kernel.KindInvalid || len(ke.Fields) == 0 || ke.Fields[0].Field != c.field {
			t.Errorf("%+v: %v, want invalid %s", c.in, err, c.field)
		}
	}
	e, _, err := f.svc.CreateWebhook(ctx, f.admin, f.co, commerce.WebhookInput{URL: " https://x.example/h ",
		Events: []string{commerce.EventOrderPaid, commerce.EventOrderPaid}})
	if err != nil || len(e.Events) != 1 || e.URL != "https://x.example/h" {
		t.Errorf("duplicates and spaces: %+v %v", e, err)
	}
	for i := 1; i < commerce.MaxWebhookEndpoints; i++ {
		f.endpoint(t, commerce.EventOrderPaid)
	}
	_, _, err = f.svc.CreateWebhook(ctx, f.admin, f.co, commerce.WebhookInput{URL: "https://x.example/h", Events: []string{commerce.EventOrderPaid}})
	if kernel.KindOf(err) != kernel.KindConflict {
		t.Errorf("an 11th endpoint: %v", err)
	}
}
