package conformance

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
)

// RunCommerceWebhooksStore runs the contract of commerce.WebhookStore: each
// call of newStore returns an empty store.
func RunCommerceWebhooksStore(t *testing.T, newStore func(t *testing.T) commerce.WebhookStore) {
	report(t, "CommerceWebhooksStore")
	t.Run("EndpointLifecycle", func(t *testing.T) { hookLifecycle(t, newStore(t)) })
	t.Run("EndpointLimitHoldsUnderRace", func(t *testing.T) { hookLimitRace(t, newStore(t)) })
	t.Run("DeliveryInsertIfAbsent", func(t *testing.T) { hookInsertIfAbsent(t, newStore(t)) })
	t.Run("AttemptsRecordedOnceUnderRace", func(t *testing.T) { hookAttemptRace(t, newStore(t)) })
	t.Run("DeliveriesPagedNewestFirst", func(t *testing.T) { hookPaging(t, newStore(t)) })
	t.Run("DeleteRemovesDeliveries", func(t *testing.T) { hookDelete(t, newStore(t)) })
}

var hookT0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func newEndpoint(company kernel.ID) commerce.WebhookEndpoint {
	_, key, _ := commerce.NewWebhookSecret()
	return commerce.WebhookEndpoint{ID: kernel.NewID(), CompanyID: company, URL: "https://parceiro.example.com/hooks",
		Events: []string{commerce.EventOrderCreated, commerce.EventOrderPaid}, Secret: key, CreatedAt: hookT0, UpdatedAt: hookT0}
}

func newHookDelivery(e commerce.WebhookEndpoint, eventID kernel.ID) commerce.WebhookDelivery {
	return commerce.WebhookDelivery{ID: kernel.NewID(), EndpointID: e.ID, CompanyID: e.CompanyID, EventID: eventID,
		EventType: commerce.EventOrderCreated, MessageID: commerce.WebhookMessageID(eventID, e.ID),
		Body:   []byte(`{"type":"order.created","timestamp":"2026-11-30T12:00:00Z","data":{"order_id":"x"}}`),
		Status: commerce.WebhookPending, CreatedAt: hookT0, UpdatedAt: hookT0}
}

func hookLifecycle(t *testing.T, s commerce.WebhookStore) {
	ctx := context.Background()
	co, other := kernel.NewID(), kernel.NewID()
	e := newEndpoint(co)
	noErr(t, "create", s.CreateWebhook(ctx, e, commerce.MaxWebhookEndpoints))
	got, err := s.Webhook(ctx, co, e.ID)
	noErr(t, "get", err)
	if got.URL != e.URL || !bytes.Equal(got.Secret, e.Secret) || len(got.Events) != 2 || got.Events[0] != commerce.EventOrderCreated ||
		!got.CreatedAt.Equal(hookT0) || got.PrevSecret != nil || got.PrevUntil != nil {
		t.Errorf("stored endpoint %+v, want %+v", got, e)
	}
	_, err = s.Webhook(ctx, other, e.ID)
	wantKind(t, "another company's endpoint", err, kernel.KindNotFound)
	_, err = s.Webhook(ctx, co, kernel.NewID())
	wantKind(t, "unknown endpoint", err, kernel.KindNotFound)

	list, err := s.Webhooks(ctx, co)
	noErr(t, "list", err)
	if len(list) != 1 || list[0].ID != e.ID {
		t.Errorf("list %+v", list)
	}
	if l, _ := s.Webhooks(ctx, other); len(l) != 0 {
		t.Errorf("another company lists %d endpoints", len(l))
	}

	_, fresh, _ := commerce.NewWebhookSecret()
	at := hookT0.Add(time.Hour)
	rot, err := s.UpdateWebhook(ctx, co, e.ID, func(x *commerce.WebhookEndpoint) error {
		x.Rotate(fresh, at, 24*time.Hour)
		return nil
	})
	noErr(t, "rotate", err)
	got, _ = s.Webhook(ctx, co, e.ID)
	for _, x := range []commerce.WebhookEndpoint{rot, got} {
		if !bytes.Equal(x.Secret, fresh) || !bytes.Equal(x.PrevSecret, e.Secret) || x.PrevUntil == nil || !x.PrevUntil.Equal(at.Add(24*time.Hour)) {
			t.Errorf("after rotation: %+v", x)
		}
	}
	_, err = s.UpdateWebhook(ctx, other, e.ID, func(*commerce.WebhookEndpoint) error { return nil })
	wantKind(t, "update another company's endpoint", err, kernel.KindNotFound)
	_, err = s.UpdateWebhook(ctx, co, e.ID, func(*commerce.WebhookEndpoint) error { return kernel.Conflict("no") })
	wantKind(t, "fn's error", err, kernel.KindConflict)

	wantKind(t, "delete by another company", s.DeleteWebhook(ctx, other, e.ID), kernel.KindNotFound)
	noErr(t, "delete", s.DeleteWebhook(ctx, co, e.ID))
	_, err = s.Webhook(ctx, co, e.ID)
	wantKind(t, "deleted endpoint", err, kernel.KindNotFound)
	wantKind(t, "delete twice", s.DeleteWebhook(ctx, co, e.ID), kernel.KindNotFound)
}

func hookLimitRace(t *testing.T, s commerce.WebhookStore) {
	ctx := context.Background()
	co := kernel.NewID()
	const max, tries = 3, 20
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, conflicts := 0, 0
	for i := 0; i < tries; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.CreateWebhook(ctx, newEndpoint(co), max)
			mu.Lock()
			defer mu.Unlock()
			switch kernel.KindOf(err) {
			case kernel.KindConflict:
				conflicts++
			case kernel.KindUnavailable: // a busy SQLite database; counted as a loss
				conflicts++
			default:
				if err == nil {
					ok++
				} else {
					t.Errorf("create: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	list, err := s.Webhooks(ctx, co)
	noErr(t, "list", err)
	if ok != max || len(list) != max {
		t.Errorf("%d creations succeeded and %d are stored, want exactly %d (conflicts %d)", ok, len(list), max, conflicts)
	}
	wantKind(t, "one past the limit", s.CreateWebhook(ctx, newEndpoint(co), max), kernel.KindConflict)
}

func hookInsertIfAbsent(t *testing.T, s commerce.WebhookStore) {
	ctx := context.Background()
	e := newEndpoint(kernel.NewID())
	noErr(t, "create", s.CreateWebhook(ctx, e, 10))
	event := kernel.NewID()
	first, created, err := s.AddWebhookDelivery(ctx, newHookDelivery(e, event))
	noErr(t, "add", err)
	if !created || first.Status != commerce.WebhookPending || first.AttemptCount != 0 {
		t.Errorf("first add: created %v, %+v", created, first)
	}
	again, created, err := s.AddWebhookDelivery(ctx, newHookDelivery(e, event)) // a new row ID, the same message
	noErr(t, "add again", err)
	if created || again.ID != first.ID || again.MessageID != first.MessageID || !bytes.Equal(again.Body, first.Body) {
		t.Errorf("second add of one message: created %v, got %s, want the first delivery %s", created, again.ID, first.ID)
	}
	// Concurrent adds of one message: one delivery.
	ev2 := kernel.NewID()
	var wg sync.WaitGroup
	ids := make(chan string, 10)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, _, err := s.AddWebhookDelivery(ctx, newHookDelivery(e, ev2))
			if err != nil && kernel.KindOf(err) != kernel.KindUnavailable {
				t.Errorf("concurrent add: %v", err)
				return
			}
			if err == nil {
				ids <- d.ID
			}
		}()
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		seen[id] = true
	}
	if len(seen) != 1 {
		t.Errorf("concurrent adds of one message gave %d deliveries, want 1", len(seen))
	}
	_, _, err = s.AddWebhookDelivery(ctx, newHookDelivery(commerce.WebhookEndpoint{ID: kernel.NewID(), CompanyID: e.CompanyID}, kernel.NewID()))
	wantKind(t, "delivery to an unknown endpoint", err, kernel.KindNotFound)
	got, err := s.WebhookDelivery(ctx, first.ID)
	noErr(t, "get", err)
	if got.EventID != event || got.EventType != commerce.EventOrderCreated || got.EndpointID != e.ID || got.CompanyID != e.CompanyID ||
		!got.CreatedAt.Equal(hookT0) || got.Attempts == nil {
		t.Errorf("stored delivery %+v", got)
	}
	_, err = s.WebhookDelivery(ctx, kernel.NewID())
	wantKind(t, "unknown delivery", err, kernel.KindNotFound)
}

func hookAttemptRace(t *testing.T, s commerce.WebhookStore) {
	ctx := context.Background()
	e := newEndpoint(kernel.NewID())
	noErr(t, "create", s.CreateWebhook(ctx, e, 10))
	d, _, err := s.AddWebhookDelivery(ctx, newHookDelivery(e, kernel.NewID()))
	noErr(t, "add", err)
	next := hookT0.Add(7 * time.Second)
	const racers = 20
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := 0; i < racers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.RecordWebhookAttempt(ctx, d.ID, commerce.WebhookAttempt{N: 1, At: hookT0, StatusCode: 503, Duration: 1500 * time.Millisecond,
				Error: "o destino respondeu com o status 503"}, commerce.WebhookFailed, &next)
			switch kernel.KindOf(err) {
			case kernel.KindConflict, kernel.KindUnavailable:
			default:
				if err != nil {
					t.Errorf("record: %v", err)
					return
				}
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d workers recorded attempt 1, want exactly 1", wins)
	}
	got, err := s.WebhookDelivery(ctx, d.ID)
	noErr(t, "get", err)
	if got.Status != commerce.WebhookFailed || got.AttemptCount != 1 || got.NextAttemptAt == nil || !got.NextAttemptAt.Equal(next) ||
		len(got.Attempts) != 1 || got.Attempts[0].StatusCode != 503 || got.Attempts[0].Duration != 1500*time.Millisecond ||
		got.Attempts[0].N != 1 || !got.Attempts[0].At.Equal(hookT0) || got.Attempts[0].Error == "" {
		t.Errorf("after one failed attempt: %+v", got)
	}
	_, err = s.RecordWebhookAttempt(ctx, d.ID, commerce.WebhookAttempt{N: 3, At: hookT0}, commerce.WebhookFailed, nil)
	wantKind(t, "attempt 3 before 2", err, kernel.KindConflict)
	ok, err := s.RecordWebhookAttempt(ctx, d.ID, commerce.WebhookAttempt{N: 2, At: hookT0.Add(8 * time.Second), StatusCode: 204, Duration: 30 * time.Millisecond},
		commerce.WebhookDelivered, nil)
	noErr(t, "attempt 2", err)
	if ok.Status != commerce.WebhookDelivered || ok.AttemptCount != 2 || ok.NextAttemptAt != nil || len(ok.Attempts) != 2 || ok.Attempts[1].StatusCode != 204 {
		t.Errorf("after a delivered attempt: %+v", ok)
	}
	_, err = s.RecordWebhookAttempt(ctx, kernel.NewID(), commerce.WebhookAttempt{N: 1, At: hookT0}, commerce.WebhookFailed, nil)
	wantKind(t, "attempt of an unknown delivery", err, kernel.KindNotFound)

	// Only the latest MaxShownAttempts are returned.
	d2, _, err := s.AddWebhookDelivery(ctx, newHookDelivery(e, kernel.NewID()))
	noErr(t, "add", err)
	total := commerce.MaxShownAttempts + 3
	for n := 1; n <= total; n++ {
		_, err := s.RecordWebhookAttempt(ctx, d2.ID, commerce.WebhookAttempt{N: n, At: hookT0.Add(time.Duration(n) * time.Second), StatusCode: 500}, commerce.WebhookFailed, nil)
		noErr(t, fmt.Sprint("attempt ", n), err)
	}
	got, _ = s.WebhookDelivery(ctx, d2.ID)
	if got.AttemptCount != total || len(got.Attempts) != commerce.MaxShownAttempts || got.Attempts[0].N != total-commerce.MaxShownAttempts+1 ||
		got.Attempts[len(got.Attempts)-1].N != total {
		t.Errorf("attempt count %d, %d attempts shown from %d, want %d from %d", got.AttemptCount, len(got.Attempts), got.Attempts[0].N,
			commerce.MaxShownAttempts, total-commerce.MaxShownAttempts+1)
	}
}

func hookPaging(t *testing.T, s commerce.WebhookStore) {
	ctx := context.Background()
	e, other := newEndpoint(kernel.NewID()), newEndpoint(kernel.NewID())
	noErr(t, "create", s.CreateWebhook(ctx, e, 10))
	noErr(t, "create other", s.CreateWebhook(ctx, other, 10))
	var want []string
	for i := 0; i < 5; i++ {
		d, _, err := s.AddWebhookDelivery(ctx, newHookDelivery(e, kernel.NewID()))
		noErr(t, "add", err)
		want = append([]string{d.ID}, want...)
		_, _, err = s.AddWebhookDelivery(ctx, newHookDelivery(other, kernel.NewID()))
		noErr(t, "add other", err)
	}
	var got []string
	page := kernel.Page{Limit: 2}
	for i := 0; i < 5; i++ {
		l, err := s.WebhookDeliveries(ctx, e.ID, page)
		noErr(t, "page", err)
		for _, d := range l.Items {
			if d.EndpointID != e.ID {
				t.Errorf("another endpoint's delivery listed")
			}
			got = append(got, d.ID)
		}
		if l.NextCursor == "" {
			break
		}
		page.Cursor = l.NextCursor
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("pages gave %v, want newest first %v", got, want)
	}
}

func hookDelete(t *testing.T, s commerce.WebhookStore) {
	ctx := context.Background()
	e := newEndpoint(kernel.NewID())
	noErr(t, "create", s.CreateWebhook(ctx, e, 10))
	d, _, err := s.AddWebhookDelivery(ctx, newHookDelivery(e, kernel.NewID()))
	noErr(t, "add", err)
	_, err = s.RecordWebhookAttempt(ctx, d.ID, commerce.WebhookAttempt{N: 1, At: hookT0, StatusCode: 500}, commerce.WebhookDead, nil)
	noErr(t, "record", err)
	noErr(t, "delete", s.DeleteWebhook(ctx, e.CompanyID, e.ID))
	_, err = s.WebhookDelivery(ctx, d.ID)
	wantKind(t, "delivery of a deleted endpoint", err, kernel.KindNotFound)
	_, err = s.RecordWebhookAttempt(ctx, d.ID, commerce.WebhookAttempt{N: 2, At: hookT0}, commerce.WebhookFailed, nil)
	wantKind(t, "attempt of a deleted delivery", err, kernel.KindNotFound)
}
