package localpay

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// maxKept bounds the events Events returns (the newest are kept).
const maxKept = 1000

// raiseLocked records an event about c and queues its delivery.
func (p *Sim) raiseLocked(typ string, c *charge, refundID string, amount int64) {
	now := p.clock.Now().UTC()
	ev := wireEvent{ID: "evt_" + randomAlnum(24), Type: typ, Created: now.Unix(), Data: wireData{
		ChargeID: c.ID, RefundID: refundID, Reference: c.Reference, Amount: amount, Status: c.Status, Reason: c.FailureReason}}
	body, _ := json.Marshal(ev)
	if len(p.all) >= maxKept {
		p.all = append(p.all[:0], p.all[len(p.all)-maxKept/2:]...)
	}
	p.all = append(p.all, ports.PaymentEvent{ID: ev.ID, Type: typ, ChargeID: c.ID, RefundID: refundID,
		Reference: c.Reference, Amount: amount, At: time.Unix(ev.Created, 0).UTC()})
	if p.set.WebhookURL == "" { // kept for Events only
		return
	}
	out := &outEvent{ID: ev.ID, Body: body}
	p.st.Outbox = append(p.st.Outbox, out)
	if p.ctx != nil {
		p.deliverLater(out, 0)
	}
}

// deliverLater posts e after delay, again with backoff until a 2xx or MaxAttempts.
func (p *Sim) deliverLater(e *outEvent, delay time.Duration) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			if delay > 0 {
				t := time.NewTimer(delay)
				select {
				case <-p.ctx.Done():
					t.Stop()
					return
				case <-t.C:
				}
			}
			if p.ctx.Err() != nil {
				return
			}
			p.mu.Lock()
			url := p.set.WebhookURL
			p.mu.Unlock()
			if url == "" { // SetWebhookURL("") pauses deliveries
				select {
				case <-p.ctx.Done():
					return
				case <-time.After(p.set.RetryBase):
				}
				continue
			}
			err := p.post(url, e.Body)
			p.mu.Lock()
			e.Attempts++
			done := err == nil || e.Attempts >= p.set.MaxAttempts
			if done {
				for i, o := range p.st.Outbox {
					if o == e {
						p.st.Outbox = append(p.st.Outbox[:i], p.st.Outbox[i+1:]...)
						break
					}
				}
			}
			attempts := e.Attempts
			if serr := p.saveLocked(); serr != nil {
				p.log.Error("localpay: saving state", "err", serr)
			}
			p.mu.Unlock()
			if err == nil {
				return
			}
			if done {
				p.log.Error("localpay: webhook given up", "event", e.ID, "attempts", attempts, "err", err)
				return
			}
			delay = p.set.RetryBase << min(attempts-1, 20)
			if delay > p.set.RetryMax || delay <= 0 {
				delay = p.set.RetryMax
			}
			p.log.Warn("localpay: webhook failed, retrying", "event", e.ID, "attempt", attempts, "in", delay, "err", err)
		}
	}()
}

// post makes one delivery attempt, signed now.
func (p *Sim) post(url string, body []byte) error {
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "localpay/1")
	req.Header.Set(SignatureHeader, Sign(body, p.set.WebhookSecret, p.clock.Now()))
	res, err := p.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("webhook answered %d", res.StatusCode)
	}
	return nil
}

// Sign is the Localpay-Signature value of body at time at:
// "t=<unix>,v1=<hex HMAC-SHA256 of "<unix>.<body>">".
func Sign(body []byte, secret string, at time.Time) string {
	t := strconv.FormatInt(at.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(t))
	m.Write([]byte("."))
	m.Write(body)
	return "t=" + t + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

// VerifyEvent checks the Localpay-Signature of a webhook (any of its v1
// signatures, at most Tolerance old) and parses the event.
func (p *Sim) VerifyEvent(_ context.Context, headers map[string]string, body []byte) (ports.PaymentEvent, error) {
	sig := ""
	for k, v := range headers {
		if strings.EqualFold(k, SignatureHeader) {
			sig = v
		}
	}
	if sig == "" {
		return ports.PaymentEvent{}, kernel.Unauthenticated("o webhook não tem a assinatura %s", SignatureHeader)
	}
	var ts string
	var sigs [][]byte
	for part := range strings.SplitSeq(sig, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			if b, err := hex.DecodeString(v); err == nil {
				sigs = append(sigs, b)
			}
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ports.PaymentEvent{}, kernel.Unauthenticated("a assinatura do webhook está malformada")
	}
	m := hmac.New(sha256.New, []byte(p.set.WebhookSecret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	want := m.Sum(nil)
	ok := false
	for _, s := range sigs {
		ok = ok || hmac.Equal(s, want)
	}
	if !ok {
		return ports.PaymentEvent{}, kernel.Unauthenticated("a assinatura do webhook não confere")
	}
	if age := p.clock.Now().Sub(time.Unix(unix, 0)); age > Tolerance || age < -Tolerance {
		return ports.PaymentEvent{}, kernel.Unauthenticated("a assinatura do webhook expirou (mais de %d minutos de diferença)", int(Tolerance.Minutes()))
	}
	var ev wireEvent
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID == "" || ev.Data.ChargeID == "" {
		return ports.PaymentEvent{}, kernel.Invalid("body", "não é um evento do localpay")
	}
	return ports.PaymentEvent{ID: ev.ID, Type: ev.Type, ChargeID: ev.Data.ChargeID, RefundID: ev.Data.RefundID,
		Reference: ev.Data.Reference, Amount: ev.Data.Amount, At: time.Unix(ev.Created, 0).UTC()}, nil
}
