package commercesql_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/commercesql"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/sqlqueue"
	"github.com/multisaude/multisaude/adapters/webhook/httpwebhook"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/testdb"
)

// crashingHooks fails RecordWebhookAttempt while crashes > 0: the handler has
// sent the webhook and dies before recording it.
type crashingHooks struct {
	commerce.WebhookStore
	crashes atomic.Int32
}

func (c *crashingHooks) RecordWebhookAttempt(ctx context.Context, id kernel.ID, a commerce.WebhookAttempt, st commerce.WebhookStatus, next *time.Time) (commerce.WebhookDelivery, error) {
	if c.crashes.Add(-1) >= 0 {
		return commerce.WebhookDelivery{}, kernel.Unavailable(errors.New("process killed"), "crash")
	}
	return c.WebhookStore.RecordWebhookAttempt(ctx, id, a, st, next)
}

type noScheduler struct{}

func (noScheduler) Schedule(context.Context, ports.Job) error { return nil }
func (noScheduler) Cancel(context.Context, string) error      { return nil }

// receiver is a partner's server: it verifies each request with the Standard
// Webhooks library and de-duplicates by webhook-id, as the specification asks.
type receiver struct {
	wh       *standardwebhooks.Webhook
	mu       sync.Mutex
	onWire   []string        // webhook-id of every verified request, in order
	seen     map[string]bool // the receiver's de-duplicated view
	bad      int
	accepted int // requests processed (first sight of an ID)
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.wh.Verify(body, req.Header); err != nil {
		r.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	id := req.Header.Get("webhook-id")
	r.onWire = append(r.onWire, id)
	if !r.seen[id] {
		r.seen[id] = true
		r.accepted++
	}
	w.WriteHeader(http.StatusNoContent)
}

// TestWebhookSurvivesCrashBetweenCommitAndDelivery: an order's partner event is
// committed to the outbox in the order's transaction; the relay publishes it to
// the database queue; the consumer sends the webhook and "crashes" before
// recording the attempt, so the queue delivers the event again; the second
// handling sends the same webhook-id and body and records it; a third handling
// of the same queue message (at-least-once) sends nothing. The receiver verifies
// every request with the Standard Webhooks library: it sees the message twice
// on the wire, under one webhook-id, so after de-duplication once per event.
func TestWebhookSurvivesCrashBetweenCommitAndDelivery(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		store := commercesql.New(db)
		hooks := &crashingHooks{WebhookStore: store}
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		svc := commerce.NewService(commerce.Deps{Hooks: hooks, Sender: httpwebhook.New(httpwebhook.Settings{AllowPrivate: true}),
			Scheduler: noScheduler{}, Log: log}, commerce.Config{})
		co := kernel.NewID()
		admin := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindCompanyMember, CompanyID: co, Roles: []string{"admin"}}

		rcv := &receiver{seen: map[string]bool{}}
		srv := httptest.NewServer(rcv)
		defer srv.Close()
		e, secret, err := svc.CreateWebhook(ctx, admin, co, commerce.WebhookInput{URL: srv.URL + "/hooks", Events: []string{commerce.EventOrderCreated}})
		if err != nil {
			t.Fatal(err)
		}
		if rcv.wh, err = standardwebhooks.NewWebhook(secret); err != nil {
			t.Fatal(err)
		}

		// The order's commit carries its partner event (the outbox).
		ev := commerce.PartnerEvent(commerce.EventOrderCreated, co, map[string]any{"order_id": "o-1", "total": map[string]any{"amount": 4990, "currency": "BRL"}}, time.Now())
		if err := db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error { return sqlstore.AddEvents(ctx, tx, ev) }); err != nil {
			t.Fatal(err)
		}
		q := sqlqueue.New(db, ports.QueueOptions{RetryDelay: 50 * time.Millisecond, MaxAttempts: 5})
		q.PollInterval = 50 * time.Millisecond
		if n, err := sqlstore.NewRelay(db, q, log).RelayOnce(ctx); err != nil || n != 1 {
			t.Fatalf("relay published %d events: %v", n, err)
		}

		hooks.crashes.Store(1)
		var handled atomic.Int32
		var last ports.Delivery
		var lastMu sync.Mutex
		consumeCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() {
			done <- q.Consume(consumeCtx, commerce.TopicPartnerEvent, func(ctx context.Context, d ports.Delivery) error {
				handled.Add(1)
				lastMu.Lock()
				last = d
				lastMu.Unlock()
				return svc.HandlePartnerEvent(ctx, d)
			})
		}()
		deadline := time.Now().Add(30 * time.Second)
		for {
			l, err := store.WebhookDeliveries(ctx, e.ID, kernel.Page{})
			if err != nil {
				t.Fatal(err)
			}
			if len(l.Items) == 1 && l.Items[0].Status == commerce.WebhookDelivered {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("not delivered in time: %+v", l.Items)
			}
			time.Sleep(50 * time.Millisecond)
		}
		stop()
		<-done
		if handled.Load() != 2 {
			t.Errorf("the queue handed the event over %d times, want 2 (one crash, one success)", handled.Load())
		}
		// The same queue message handled once more (at-least-once delivery).
		lastMu.Lock()
		again := last
		lastMu.Unlock()
		if err := svc.HandlePartnerEvent(ctx, again); err != nil {
			t.Fatal(err)
		}

		rcv.mu.Lock()
		defer rcv.mu.Unlock()
		if rcv.bad != 0 {
			t.Errorf("%d requests failed the library's verification", rcv.bad)
		}
		want := commerce.WebhookMessageID(ev.ID, e.ID)
		if len(rcv.onWire) != 2 || rcv.onWire[0] != want || rcv.onWire[1] != want {
			t.Errorf("on the wire: %v, want the webhook-id %s twice (the crash resend)", rcv.onWire, want)
		}
		if rcv.accepted != 1 || len(rcv.seen) != 1 {
			t.Errorf("the receiver processed %d distinct events, want 1", rcv.accepted)
		}
		l, _ := store.WebhookDeliveries(ctx, e.ID, kernel.Page{})
		if len(l.Items) != 1 || l.Items[0].AttemptCount != 1 || len(l.Items[0].Attempts) != 1 || l.Items[0].Attempts[0].StatusCode != 204 ||
			l.Items[0].MessageID != want || l.Items[0].EventID != ev.ID {
			t.Errorf("stored deliveries: %+v", l.Items)
		}
	})
}
