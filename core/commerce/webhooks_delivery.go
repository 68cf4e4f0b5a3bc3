package commerce

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// The delivery pipeline.
//
// A partner event is committed to the outbox with the change that raised it
// (commerce.PartnerEvent on TopicPartnerEvent); the relay publishes it at
// least once; HandlePartnerEvent creates one delivery per subscribed endpoint,
// insert-if-absent under a message ID derived from (event ID, endpoint ID), so
// a redelivered event makes no second delivery, and makes its first attempt.
// Every attempt of a delivery sends the same webhook-id and body; a receiver
// that de-duplicates by webhook-id (as Standard Webhooks asks) sees each event
// once, even when a crash between sending and recording makes us send again.
//
// Retry schedule: after failed attempt n (any answer but 2xx, or none within
// the sender's 10 s) the next is scheduled through ports.Scheduler after a
// delay drawn uniformly ("full jitter") from [1 s, min(5 s * 2^(n-1), 1 h)]:
// ceilings 5 s, 10 s, 20 s, 40 s, 80 s, 160 s, 320 s, ... reaching 1 h at the
// 11th retry. After Config().WebhookMaxAttempts attempts (default 8: at most
// about 10.5 minutes of retries) the delivery is dead (dead-lettered): it stays
// listed, and an admin may replay it.

// Topics the webhook consumers read, and the one they schedule.
const (
	// TopicWebhookAttempt: a retry's job; payload {"delivery_id","attempt"}.
	TopicWebhookAttempt = "commerce.webhook.attempt"
	// TopicPrescriptionDispensed is clinical's event (payload
	// {"prescription_id","patient_id","company_id"}), turned into a
	// prescription.dispensed webhook for the pharmacy that dispensed.
	TopicPrescriptionDispensed = "clinical.prescription.dispensed"
)

// WebhookTopics are the topics RunWebhooks consumes.
func WebhookTopics() []string {
	return []string{TopicPartnerEvent, TopicWebhookAttempt, TopicPrescriptionDispensed}
}

// The retry schedule's bounds.
const (
	WebhookBackoffBase = 5 * time.Second
	WebhookBackoffCap  = time.Hour
	webhookBackoffMin  = time.Second
)

// WebhookBackoffCeiling is the longest wait after failed attempt n (n >= 1):
// WebhookBackoffBase * 2^(n-1), at most WebhookBackoffCap.
func WebhookBackoffCeiling(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	d := WebhookBackoffBase
	for i := 1; i < n; i++ {
		d *= 2
		if d >= WebhookBackoffCap {
			return WebhookBackoffCap
		}
	}
	return d
}

// WebhookBackoff is the wait after failed attempt n, with full jitter: uniform
// in [1 s, WebhookBackoffCeiling(n)]. rnd(k) returns an integer in [0, k);
// nil uses math/rand.
func WebhookBackoff(n int, rnd func(int64) int64) time.Duration {
	if rnd == nil {
		rnd = rand.Int64N
	}
	span := int64(WebhookBackoffCeiling(n) - webhookBackoffMin)
	return webhookBackoffMin + time.Duration(rnd(span+1))
}

// partnerEventMsg is TopicPartnerEvent's payload (see PartnerEvent).
type partnerEventMsg struct {
	Type      string          `json:"type"`
	CompanyID string          `json:"company_id"`
	Data      json.RawMessage `json:"data"`
	Timestamp string          `json:"timestamp"`
}

// attemptMsg is TopicWebhookAttempt's payload.
type attemptMsg struct {
	DeliveryID string `json:"delivery_id"`
	Attempt    int    `json:"attempt"`
}

// dispensedMsg is clinical's TopicPrescriptionDispensed payload.
type dispensedMsg struct {
	PrescriptionID string `json:"prescription_id"`
	PatientID      string `json:"patient_id"`
	CompanyID      string `json:"company_id"`
	DispensedAt    string `json:"dispensed_at"` // not sent by clinical today; used when present
}

// webhookBody is what is signed and sent, as Standard Webhooks recommends.
func webhookBody(eventType, timestamp string, data json.RawMessage) ([]byte, error) {
	if len(data) == 0 || string(data) == "null" {
		data = json.RawMessage(`{}`)
	}
	b, err := json.Marshal(struct {
		Type      string          `json:"type"`
		Timestamp string          `json:"timestamp"`
		Data      json.RawMessage `json:"data"`
	}{eventType, timestamp, data})
	if err != nil {
		return nil, kernel.Internal(err, "encode webhook body")
	}
	return b, nil
}

func newDelivery(e WebhookEndpoint, eventID kernel.ID, eventType string, body []byte, now time.Time) WebhookDelivery {
	return WebhookDelivery{ID: kernel.NewID(), EndpointID: e.ID, CompanyID: e.CompanyID, EventID: eventID, EventType: eventType,
		MessageID: WebhookMessageID(eventID, e.ID), Body: body, Status: WebhookPending, CreatedAt: now, UpdatedAt: now}
}

// HandlePartnerEvent consumes TopicPartnerEvent: one delivery per endpoint of
// the company subscribed to the event's type, each attempted once now. It is
// idempotent per (event, endpoint): a redelivered message finds its deliveries
// and only resumes what was not recorded. A malformed message is dropped.
func (s *Service) HandlePartnerEvent(ctx context.Context, d ports.Delivery) error {
	var ev partnerEventMsg
	if err := json.Unmarshal(d.Body, &ev); err != nil || ev.Type == "" || ev.CompanyID == "" || d.ID == "" {
		s.Log.Warn("malformed partner event dropped", "topic", d.Topic, "message_id", d.ID)
		return nil
	}
	if ev.Timestamp == "" {
		ev.Timestamp = s.now().Format(time.RFC3339)
	}
	return s.fanOut(ctx, d.ID, ev.CompanyID, ev.Type, ev.Timestamp, ev.Data)
}

// HandlePrescriptionDispensed consumes clinical's TopicPrescriptionDispensed:
// a prescription.dispensed event for the dispensing pharmacy with data
// {prescription_id, dispensed_at} only (never the patient). dispensed_at is
// the payload's when clinical sends it, else the time in the event's UUIDv7 ID
// (the outbox event is made in the dispensing transaction).
func (s *Service) HandlePrescriptionDispensed(ctx context.Context, d ports.Delivery) error {
	var m dispensedMsg
	if err := json.Unmarshal(d.Body, &m); err != nil || m.PrescriptionID == "" || m.CompanyID == "" || d.ID == "" {
		s.Log.Warn("malformed dispensed event dropped", "topic", d.Topic, "message_id", d.ID)
		return nil
	}
	at, err := time.Parse(time.RFC3339Nano, m.DispensedAt)
	if err != nil {
		var ok bool
		if at, ok = idTime(d.ID); !ok {
			at = s.now()
		}
	}
	ts := at.UTC().Format(time.RFC3339)
	data, _ := json.Marshal(map[string]string{"prescription_id": m.PrescriptionID, "dispensed_at": ts})
	return s.fanOut(ctx, d.ID, m.CompanyID, EventPrescriptionDispensed, ts, data)
}

// idTime reads the milliseconds of a UUIDv7.
func idTime(id string) (time.Time, bool) {
	if !kernel.ValidID(id) || len(id) < 15 || id[14] != '7' {
		return time.Time{}, false
	}
	b, err := hex.DecodeString(strings.ReplaceAll(id[:13], "-", ""))
	if err != nil || len(b) != 6 {
		return time.Time{}, false
	}
	var ms int64
	for _, x := range b {
		ms = ms<<8 | int64(x)
	}
	return time.UnixMilli(ms).UTC(), true
}

func (s *Service) fanOut(ctx context.Context, eventID kernel.ID, companyID kernel.ID, eventType, timestamp string, data json.RawMessage) error {
	if s.Hooks == nil || s.Sender == nil {
		return kernel.Unavailable(nil, "os webhooks não estão configurados")
	}
	endpoints, err := s.Hooks.Webhooks(ctx, companyID)
	if err != nil {
		return err
	}
	var body []byte
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	for _, e := range endpoints {
		if !e.Subscribed(eventType) {
			continue
		}
		if body == nil {
			if body, err = webhookBody(eventType, timestamp, data); err != nil {
				return err
			}
		}
		d, _, err := s.Hooks.AddWebhookDelivery(ctx, newDelivery(e, eventID, eventType, body, s.now()))
		if kernel.KindOf(err) == kernel.KindNotFound {
			continue // the endpoint was deleted meanwhile
		}
		if err != nil {
			fail(err)
			continue
		}
		switch d.Status {
		case WebhookPending:
			// Endpoints are tried side by side, so that ten slow receivers take
			// one sender timeout, not ten, well within the queue's visibility timeout.
			wg.Add(1)
			go func(e WebhookEndpoint, d WebhookDelivery) {
				defer wg.Done()
				if _, err := s.attempt(ctx, e, d, false); err != nil {
					fail(err)
				}
			}(e, d)
		case WebhookFailed:
			if err := s.scheduleNext(ctx, d); err != nil { // a crash may have left the retry unscheduled
				fail(err)
			}
		}
	}
	wg.Wait()
	return errors.Join(errs...)
}

// HandleWebhookAttempt consumes TopicWebhookAttempt: the scheduled retry of a
// delivery. A retry already made (a redelivered job) only makes sure the next
// one is scheduled; a delivered or dead delivery, or one whose endpoint is
// gone, is left alone.
func (s *Service) HandleWebhookAttempt(ctx context.Context, dl ports.Delivery) error {
	var m attemptMsg
	if err := json.Unmarshal(dl.Body, &m); err != nil || m.DeliveryID == "" {
		s.Log.Warn("malformed webhook attempt dropped", "message_id", dl.ID)
		return nil
	}
	if s.Hooks == nil || s.Sender == nil {
		return kernel.Unavailable(nil, "os webhooks não estão configurados")
	}
	d, err := s.Hooks.WebhookDelivery(ctx, m.DeliveryID)
	if kernel.KindOf(err) == kernel.KindNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if d.Status == WebhookDelivered || d.Status == WebhookDead {
		return nil
	}
	if m.Attempt > 0 && d.AttemptCount >= m.Attempt {
		return s.scheduleNext(ctx, d)
	}
	e, err := s.Hooks.Webhook(ctx, d.CompanyID, d.EndpointID)
	if kernel.KindOf(err) == kernel.KindNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = s.attempt(ctx, e, d, false)
	return err
}

// attempt sends the delivery once more and records the attempt. Automatic
// attempts schedule the next retry or dead-letter the delivery; a manual one
// (a replay) leaves the status and schedule as they were unless it succeeds.
func (s *Service) attempt(ctx context.Context, e WebhookEndpoint, d WebhookDelivery, manual bool) (WebhookDelivery, error) {
	n := d.AttemptCount + 1
	now := s.now()
	res, err := s.Sender.Send(ctx, ports.WebhookRequest{URL: e.URL, MessageID: d.MessageID, Timestamp: now, Body: d.Body,
		Secrets: e.SigningSecrets(now)})
	a := WebhookAttempt{N: n, At: now, StatusCode: res.Status, Duration: res.Duration}
	if a.Duration <= 0 {
		a.Duration = s.Clock.Now().Sub(now)
	}
	ok := err == nil && res.Status >= 200 && res.Status < 300
	var status WebhookStatus
	var next *time.Time
	switch {
	case ok:
		status = WebhookDelivered
	case manual:
		status, next = d.Status, d.NextAttemptAt
	case d.EventType == EventWebhookPing:
		status = WebhookFailed // a ping is tried once
	case n >= s.cfg.WebhookMaxAttempts:
		status = WebhookDead
	default:
		at := now.Add(WebhookBackoff(n, nil))
		status, next = WebhookFailed, &at
	}
	if !ok {
		a.Error = attemptError(res, err)
	}
	stored, rerr := s.Hooks.RecordWebhookAttempt(ctx, d.ID, a, status, next)
	if kernel.KindOf(rerr) == kernel.KindConflict {
		return s.Hooks.WebhookDelivery(ctx, d.ID) // another worker recorded this attempt
	}
	if rerr != nil {
		return WebhookDelivery{}, rerr
	}
	if status == WebhookDead {
		s.Log.Warn("webhook delivery dead-lettered", "delivery_id", d.ID, "endpoint_id", d.EndpointID, "attempts", n)
	}
	if !manual && status == WebhookFailed && next != nil {
		if err := s.scheduleNext(ctx, stored); err != nil {
			return stored, err
		}
	}
	return stored, nil
}

// WebhookJobID names the scheduled job of a delivery's attempt n.
func WebhookJobID(deliveryID kernel.ID, n int) string {
	return "webhook:" + deliveryID + ":" + strconv.Itoa(n)
}

// scheduleNext (re)schedules a failed delivery's next attempt at its
// NextAttemptAt; scheduling the same job again replaces it.
func (s *Service) scheduleNext(ctx context.Context, d WebhookDelivery) error {
	if d.Status != WebhookFailed || d.NextAttemptAt == nil {
		return nil
	}
	if s.Scheduler == nil {
		return kernel.Unavailable(nil, "no scheduler for webhook retries")
	}
	n := d.AttemptCount + 1
	body, _ := json.Marshal(attemptMsg{DeliveryID: d.ID, Attempt: n})
	return s.Scheduler.Schedule(ctx, ports.Job{ID: WebhookJobID(d.ID, n), At: *d.NextAttemptAt,
		Msg: ports.Message{ID: kernel.NewID(), Topic: TopicWebhookAttempt, Key: d.ID, Body: body}})
}

// attemptError says in pt-BR why an attempt failed, without internal detail.
func attemptError(res ports.WebhookResult, err error) string {
	if err == nil {
		return fmt.Sprintf("o destino respondeu com o status %d", res.Status)
	}
	var ke *kernel.Error
	if errors.As(err, &ke) && ke.Kind != kernel.KindInternal && ke.Message != "" {
		if len(ke.Fields) > 0 {
			return ke.Fields[0].Message
		}
		return ke.Message
	}
	return "falha de rede ao entregar"
}

// RunWebhooks consumes WebhookTopics() on q until ctx ends.
func (s *Service) RunWebhooks(ctx context.Context, q ports.Queue) error {
	handlers := map[string]ports.Handler{
		TopicPartnerEvent:          s.HandlePartnerEvent,
		TopicWebhookAttempt:        s.HandleWebhookAttempt,
		TopicPrescriptionDispensed: s.HandlePrescriptionDispensed,
	}
	var wg sync.WaitGroup
	errc := make(chan error, len(handlers))
	for _, topic := range WebhookTopics() {
		wg.Add(1)
		go func(topic string, h ports.Handler) {
			defer wg.Done()
			if err := q.Consume(ctx, topic, h); err != nil {
				errc <- err
			}
		}(topic, handlers[topic])
	}
	wg.Wait()
	select {
	case err := <-errc:
		return err
	default:
		return nil
	}
}
