// Package localpay is a payment provider simulator for the local profile and
// tests: Pix charges carry a valid BR Code and expire, card charges authorise,
// capture, decline and refund, and every change is announced asynchronously
// through the same kind of signed webhook a real provider sends
// ("Localpay-Signature: t=<unix>,v1=<hex HMAC-SHA256 of t.body>", as Stripe
// does), retried with backoff until the receiver answers 2xx. A person or a
// test acts as the payer with Pay and Fail. State lives in memory and, when
// Settings.File is set, in a JSON file, so a restart keeps pending charges and
// undelivered events.
package localpay

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Provider is the adapter's name, the {provider} of the webhook route.
const Provider = "localpay"

// SignatureHeader carries a webhook's signature.
const SignatureHeader = "Localpay-Signature"

// Tolerance is how old a signed webhook may be.
const Tolerance = 5 * time.Minute

// Card tokens the simulator knows (Stripe's test payment methods work too).
const (
	TokenVisa              = "tok_visa"
	TokenDeclined          = "tok_declined"
	TokenInsufficientFunds = "tok_insufficient_funds"
)

// Failure reasons.
const (
	ReasonDeclined          = "card_declined"
	ReasonInsufficientFunds = "insufficient_funds"
	ReasonSimulated         = "simulated_failure"
)

var cardTokens = map[string]string{ // token -> failure reason ("" succeeds)
	"":                       "",
	TokenVisa:                "",
	"tok_mastercard":         "",
	"pm_card_visa":           "",
	"pm_card_mastercard":     "",
	TokenDeclined:            ReasonDeclined,
	"pm_card_chargeDeclined": ReasonDeclined,
	TokenInsufficientFunds:   ReasonInsufficientFunds,
	"pm_card_chargeDeclinedInsufficientFunds": ReasonInsufficientFunds,
}

// Settings configure the simulator.
type Settings struct {
	// WebhookURL receives the events, e.g. http://127.0.0.1:8080/v1/payments/webhooks/localpay;
	// empty sends none (events are still kept for Events).
	WebhookURL string
	// WebhookSecret signs the events and verifies them in VerifyEvent; empty
	// draws a random one, enough when this process also receives the webhooks.
	WebhookSecret string
	// PixKey is the receiver's Pix key in the BR Code; default a random EVP
	// key (kept in File). PixURL, when set, is put instead (a payload location, no scheme).
	PixKey string
	PixURL string
	// MerchantName (<= 25 ASCII characters) and MerchantCity (<= 15) of the BR Code.
	MerchantName string
	MerchantCity string
	// File keeps the state across restarts (written atomically); empty keeps it in memory only.
	File string
	// FailNext makes the next N charges fail.
	FailNext int
	// PixTTL is a Pix charge's life when the request has no ExpiresAt (default 1 h).
	PixTTL time.Duration
	// RetryBase is the first retry's delay, doubled at each attempt up to RetryMax
	// (defaults 1 s and 5 min); MaxAttempts bounds the deliveries of one event (default 10).
	RetryBase   time.Duration
	RetryMax    time.Duration
	MaxAttempts int
	// SweepEvery is how often due Pix charges are expired (default 1 s).
	SweepEvery time.Duration
	HTTPClient *http.Client
	Clock      kernel.Clock
	Log        *slog.Logger
}

// Sim is the simulator; it implements ports.Payments.
type Sim struct {
	set   Settings
	clock kernel.Clock
	log   *slog.Logger
	http  *http.Client

	mu  sync.Mutex
	st  state
	all []ports.PaymentEvent // every event raised, in order (for tests)

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

var _ ports.Payments = (*Sim)(nil)

type state struct {
	PixKey   string             `json:"pix_key"`
	FailNext int                `json:"fail_next"`
	Charges  map[string]*charge `json:"charges"`
	Refunds  map[string]*refund `json:"refunds"`
	Idem     map[string]string  `json:"idempotency"` // key -> charge or refund ID
	Outbox   []*outEvent        `json:"outbox"`      // events not yet delivered
}

type charge struct {
	ID            string    `json:"id"`
	Reference     string    `json:"reference"`
	Method        string    `json:"method"`
	Status        string    `json:"status"`
	Amount        int64     `json:"amount"`
	Currency      string    `json:"currency"`
	Refunded      int64     `json:"refunded"`
	PixCopyPaste  string    `json:"pix_copy_paste,omitempty"`
	ExpiresAt     time.Time `json:"expires_at,omitzero"`
	FailureReason string    `json:"failure_reason,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
}

type refund struct {
	ID       string `json:"id"`
	ChargeID string `json:"charge_id"`
	Amount   int64  `json:"amount"`
	Status   string `json:"status"`
}

// outEvent is an event waiting for delivery.
type outEvent struct {
	Body     json.RawMessage `json:"body"`
	ID       string          `json:"id"`
	Attempts int             `json:"attempts"`
}

// wireEvent is an event's JSON body.
type wireEvent struct {
	ID      string   `json:"id"`
	Type    string   `json:"type"`
	Created int64    `json:"created"`
	Data    wireData `json:"data"`
}

type wireData struct {
	ChargeID  string `json:"charge_id"`
	RefundID  string `json:"refund_id,omitempty"`
	Reference string `json:"reference,omitempty"`
	Amount    int64  `json:"amount"`
	Status    string `json:"status,omitempty"`
	Reason    string `json:"failure_reason,omitempty"`
}

// New starts the simulator; Close stops its deliveries.
func New(s Settings) (*Sim, error) {
	if s.WebhookSecret == "" { // the process that signs is the one that verifies
		s.WebhookSecret = "whsec_" + randomAlnum(32)
	}
	if s.PixTTL <= 0 {
		s.PixTTL = time.Hour
	}
	if s.RetryBase <= 0 {
		s.RetryBase = time.Second
	}
	if s.RetryMax <= 0 {
		s.RetryMax = 5 * time.Minute
	}
	if s.MaxAttempts <= 0 {
		s.MaxAttempts = 10
	}
	if s.SweepEvery <= 0 {
		s.SweepEvery = time.Second
	}
	p := &Sim{set: s, clock: s.Clock, log: s.Log, http: s.HTTPClient}
	if p.clock == nil {
		p.clock = kernel.SystemClock{}
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.http == nil {
		p.http = &http.Client{Timeout: 10 * time.Second}
	}
	p.st = state{Charges: map[string]*charge{}, Refunds: map[string]*refund{}, Idem: map[string]string{}}
	if s.File != "" {
		if err := os.MkdirAll(filepath.Dir(s.File), 0o700); err != nil {
			return nil, fmt.Errorf("localpay: %w", err)
		}
		b, err := os.ReadFile(s.File)
		switch {
		case err == nil:
			if err := json.Unmarshal(b, &p.st); err != nil {
				return nil, fmt.Errorf("localpay: reading %s: %w", s.File, err)
			}
		case !os.IsNotExist(err):
			return nil, fmt.Errorf("localpay: %w", err)
		}
		if p.st.Idem == nil {
			p.st.Idem = map[string]string{}
		}
		if p.st.Charges == nil {
			p.st.Charges = map[string]*charge{}
		}
		if p.st.Refunds == nil {
			p.st.Refunds = map[string]*refund{}
		}
	}
	if s.PixKey != "" {
		p.st.PixKey = s.PixKey
	} else if p.st.PixKey == "" {
		p.st.PixKey = evpKey()
	}
	if s.FailNext > 0 {
		p.st.FailNext = s.FailNext
	}
	if err := p.saveLocked(); err != nil {
		return nil, err
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	for _, e := range p.st.Outbox { // undelivered before a restart
		p.deliverLater(e, 0)
	}
	p.wg.Add(1)
	go p.sweep()
	return p, nil
}

// Close stops deliveries and the expiry sweep; undelivered events stay in File.
func (p *Sim) Close() {
	p.cancel()
	p.wg.Wait()
}

// Provider names the adapter.
func (p *Sim) Provider() string { return Provider }

// SetWebhookURL changes where events go (a test server whose port is known
// only after wiring): queued events retry to the new URL, and with an empty
// URL new events are kept for Events only, as when Settings.WebhookURL is empty.
func (p *Sim) SetWebhookURL(url string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.set.WebhookURL = url
}

// PixKey is the receiver's Pix key put in BR Codes.
func (p *Sim) PixKey() string { p.mu.Lock(); defer p.mu.Unlock(); return p.st.PixKey }

// FailNext makes the next n charges fail (cards: card_declined; Pix: failed at once).
func (p *Sim) FailNext(n int) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.st.FailNext = max(n, 0)
	return p.saveLocked()
}

// Events returns the events the simulator raised since it started, in order
// (at most the newest 1000).
func (p *Sim) Events() []ports.PaymentEvent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]ports.PaymentEvent(nil), p.all...)
}

// CreateCharge creates a Pix charge (pending, with its BR Code) or a card charge
// (authorised, captured or failed at once, by its token).
func (p *Sim) CreateCharge(_ context.Context, r ports.ChargeRequest) (ports.Charge, error) {
	var pr kernel.Problems
	if r.Amount <= 0 {
		pr.Add("amount", "deve ser maior que zero")
	} else if r.Amount > 99_999_999_99 {
		pr.Add("amount", "é maior que o permitido")
	}
	if r.Currency != "" && !strings.EqualFold(r.Currency, "BRL") {
		pr.Add("currency", "só BRL é aceito")
	}
	switch r.Method {
	case ports.PayPix:
		if !r.ExpiresAt.IsZero() && !r.ExpiresAt.After(p.clock.Now()) {
			pr.Add("expires_at", "deve estar no futuro")
		}
	case ports.PayCard:
		if _, ok := cardTokens[r.CardToken]; !ok {
			pr.Add("card_token", "não é um cartão de teste conhecido (use %s, %s ou %s)", TokenVisa, TokenDeclined, TokenInsufficientFunds)
		}
	default:
		pr.Add("method", "deve ser %s ou %s", ports.PayPix, ports.PayCard)
	}
	if err := pr.Err(); err != nil {
		return ports.Charge{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.IdempotencyKey != "" {
		if id, ok := p.st.Idem["charge:"+r.IdempotencyKey]; ok {
			c := p.st.Charges[id]
			if c == nil || c.Amount != r.Amount || c.Method != r.Method || c.Reference != r.Reference {
				return ports.Charge{}, kernel.Conflict("a chave de idempotência já foi usada com outra cobrança")
			}
			return p.portCharge(c), nil
		}
	}
	now := p.clock.Now().UTC()
	c := &charge{ID: "ch_" + randomAlnum(25), Reference: r.Reference, Method: r.Method, Amount: r.Amount,
		Currency: "BRL", CreatedAt: now, Status: ports.ChargePending}
	fail := ""
	if p.st.FailNext > 0 {
		p.st.FailNext--
		fail = ReasonDeclined
		if r.Method == ports.PayPix {
			fail = ReasonSimulated
		}
	}
	switch r.Method {
	case ports.PayPix:
		c.ExpiresAt = r.ExpiresAt.UTC()
		if r.ExpiresAt.IsZero() {
			c.ExpiresAt = now.Add(p.set.PixTTL)
		}
		c.PixCopyPaste = brCode{Key: p.st.PixKey, URL: p.set.PixURL, Amount: r.Amount, Merchant: p.set.MerchantName,
			City: p.set.MerchantCity, TxID: c.ID[3:]}.String()
	case ports.PayCard:
		if fail == "" {
			fail = cardTokens[r.CardToken]
		}
	}
	p.st.Charges[c.ID] = c
	if r.IdempotencyKey != "" {
		p.st.Idem["charge:"+r.IdempotencyKey] = c.ID
	}
	switch {
	case fail != "":
		c.Status, c.FailureReason = ports.ChargeFailed, fail
		p.raiseLocked(ports.EventChargeFailed, c, "", c.Amount)
	case r.Method == ports.PayCard && r.Capture:
		c.Status = ports.ChargeSucceeded
		p.raiseLocked(ports.EventChargeSucceeded, c, "", c.Amount)
	case r.Method == ports.PayCard:
		c.Status = ports.ChargeAuthorized
		p.raiseLocked(ports.EventChargeAuthorized, c, "", c.Amount)
	}
	if err := p.saveLocked(); err != nil {
		return ports.Charge{}, err
	}
	return p.portCharge(c), nil
}

// Capture captures an authorised card charge.
func (p *Sim) Capture(_ context.Context, chargeID string) (ports.Charge, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.chargeLocked(chargeID)
	if err != nil {
		return ports.Charge{}, err
	}
	if c.Status != ports.ChargeAuthorized {
		return ports.Charge{}, kernel.Conflict("só uma cobrança autorizada pode ser capturada (esta está %s)", statusPT(c.Status))
	}
	c.Status = ports.ChargeSucceeded
	p.raiseLocked(ports.EventChargeSucceeded, c, "", c.Amount)
	if err := p.saveLocked(); err != nil {
		return ports.Charge{}, err
	}
	return p.portCharge(c), nil
}

// Refund returns part or all of a captured charge; Amount 0 refunds what is left.
func (p *Sim) Refund(_ context.Context, r ports.RefundRequest) (ports.Refund, error) {
	if r.Amount < 0 {
		return ports.Refund{}, kernel.Invalid("amount", "não pode ser negativo")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.chargeLocked(r.ChargeID)
	if err != nil {
		return ports.Refund{}, err
	}
	if r.IdempotencyKey != "" {
		if id, ok := p.st.Idem["refund:"+r.IdempotencyKey]; ok {
			rf := p.st.Refunds[id]
			if rf == nil || rf.ChargeID != r.ChargeID || (r.Amount != 0 && rf.Amount != r.Amount) {
				return ports.Refund{}, kernel.Conflict("a chave de idempotência já foi usada com outro reembolso")
			}
			return portRefund(rf), nil
		}
	}
	if c.Status != ports.ChargeSucceeded {
		return ports.Refund{}, kernel.Conflict("só uma cobrança paga pode ser reembolsada (esta está %s)", statusPT(c.Status))
	}
	left := c.Amount - c.Refunded
	amount := r.Amount
	if amount == 0 {
		amount = left
	}
	if left == 0 {
		return ports.Refund{}, kernel.Conflict("a cobrança já foi reembolsada por inteiro")
	}
	if amount > left {
		return ports.Refund{}, kernel.Conflict("o reembolso (%d centavos) é maior que o saldo reembolsável (%d centavos)", amount, left)
	}
	rf := &refund{ID: "re_" + randomAlnum(25), ChargeID: c.ID, Amount: amount, Status: "succeeded"}
	c.Refunded += amount
	p.st.Refunds[rf.ID] = rf
	if r.IdempotencyKey != "" {
		p.st.Idem["refund:"+r.IdempotencyKey] = rf.ID
	}
	p.raiseLocked(ports.EventRefundSucceeded, c, rf.ID, amount)
	if err := p.saveLocked(); err != nil {
		return ports.Refund{}, err
	}
	return portRefund(rf), nil
}

// Charge reads a charge.
func (p *Sim) Charge(_ context.Context, chargeID string) (ports.Charge, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.chargeLocked(chargeID)
	if err != nil {
		return ports.Charge{}, err
	}
	return p.portCharge(c), nil
}

// Pay acts as the payer: a pending charge (a Pix code read by a bank app) is paid.
func (p *Sim) Pay(_ context.Context, chargeID string) (ports.Charge, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.chargeLocked(chargeID)
	if err != nil {
		return ports.Charge{}, err
	}
	if c.Status != ports.ChargePending {
		return ports.Charge{}, kernel.Conflict("a cobrança não está aguardando pagamento (está %s)", statusPT(c.Status))
	}
	c.Status = ports.ChargeSucceeded
	p.raiseLocked(ports.EventChargeSucceeded, c, "", c.Amount)
	if err := p.saveLocked(); err != nil {
		return ports.Charge{}, err
	}
	return p.portCharge(c), nil
}

// Fail acts as a payer whose payment fails: a pending charge fails with reason.
func (p *Sim) Fail(_ context.Context, chargeID, reason string) (ports.Charge, error) {
	if reason == "" {
		reason = ReasonSimulated
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.chargeLocked(chargeID)
	if err != nil {
		return ports.Charge{}, err
	}
	if c.Status != ports.ChargePending && c.Status != ports.ChargeAuthorized {
		return ports.Charge{}, kernel.Conflict("a cobrança não pode mais falhar (está %s)", statusPT(c.Status))
	}
	c.Status, c.FailureReason = ports.ChargeFailed, reason
	p.raiseLocked(ports.EventChargeFailed, c, "", c.Amount)
	if err := p.saveLocked(); err != nil {
		return ports.Charge{}, err
	}
	return p.portCharge(c), nil
}

// chargeLocked finds a charge, expiring it first when its Pix code is due.
func (p *Sim) chargeLocked(id string) (*charge, error) {
	c := p.st.Charges[id]
	if c == nil {
		return nil, kernel.NotFound("cobrança não encontrada")
	}
	p.expireLocked(c, p.clock.Now())
	return c, nil
}

// expireLocked marks a pending Pix charge expired once its time has passed.
func (p *Sim) expireLocked(c *charge, now time.Time) bool {
	if c.Status != ports.ChargePending || c.ExpiresAt.IsZero() || now.Before(c.ExpiresAt) {
		return false
	}
	c.Status = ports.ChargeExpired
	p.raiseLocked(ports.EventChargeExpired, c, "", c.Amount)
	return true
}

func (p *Sim) sweep() {
	defer p.wg.Done()
	t := time.NewTicker(p.set.SweepEvery)
	defer t.Stop()
	for {
		select {
		case <-p.ctx.Done():
			return
		case <-t.C:
			p.mu.Lock()
			now, changed := p.clock.Now(), false
			for _, c := range p.st.Charges {
				changed = p.expireLocked(c, now) || changed
			}
			if changed {
				if err := p.saveLocked(); err != nil {
					p.log.Error("localpay: saving state", "err", err)
				}
			}
			p.mu.Unlock()
		}
	}
}

func (p *Sim) portCharge(c *charge) ports.Charge {
	return ports.Charge{ID: c.ID, Provider: Provider, Reference: c.Reference, Method: c.Method, Status: c.Status,
		Amount: c.Amount, Currency: c.Currency, Refunded: c.Refunded, PixCopyPaste: c.PixCopyPaste,
		ClientSecret: c.ID + "_secret", ExpiresAt: c.ExpiresAt, FailureReason: c.FailureReason, CreatedAt: c.CreatedAt}
}

func portRefund(r *refund) ports.Refund {
	return ports.Refund{ID: r.ID, ChargeID: r.ChargeID, Amount: r.Amount, Status: r.Status}
}

// saveLocked writes the state to File, atomically (a temporary file renamed over it).
func (p *Sim) saveLocked() error {
	if p.set.File == "" {
		return nil
	}
	b, err := json.MarshalIndent(&p.st, "", "  ")
	if err != nil {
		return kernel.Internal(err, "localpay: encoding state")
	}
	dir := filepath.Dir(p.set.File)
	f, err := os.CreateTemp(dir, ".localpay-*.json")
	if err != nil {
		return kernel.Internal(err, "localpay: saving state")
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p.set.File)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return kernel.Internal(err, "localpay: saving state")
	}
	return nil
}

func statusPT(s string) string {
	switch s {
	case ports.ChargePending:
		return "pendente"
	case ports.ChargeAuthorized:
		return "autorizada"
	case ports.ChargeSucceeded:
		return "paga"
	case ports.ChargeFailed:
		return "recusada"
	case ports.ChargeExpired:
		return "expirada"
	case ports.ChargeCancelled:
		return "cancelada"
	}
	return s
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func randomAlnum(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("localpay: no randomness: " + err.Error())
	}
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(b)
}

// evpKey is a random Pix key (a UUID v4, as the central bank issues them).
func evpKey() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("localpay: no randomness: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
