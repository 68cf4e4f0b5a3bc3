// Package stripepay is ports.Payments over Stripe's API through stripe-go:
// PaymentIntents for Pix (confirmed with a pix payment method; the "copia e
// cola" code and its expiry come from next_action.pix_display_qr_code) and for
// cards (confirmed with the client's payment method; capture_method manual
// when the charge is only authorised), refunds, and webhooks verified the way
// Stripe documents (Stripe-Signature, HMAC-SHA256 of "t.payload", 5 minutes
// tolerance). Our charge ID is the PaymentIntent's ID.
package stripepay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Provider is the adapter's name, the {provider} of the webhook route.
const Provider = "stripe"

// Settings configure the adapter.
type Settings struct {
	SecretKey     string // sk_live_... or sk_test_...
	WebhookSecret string // whsec_... of the webhook endpoint
	// APIURL replaces https://api.stripe.com (stripe-mock, a test server).
	APIURL string
	// MaxNetworkRetries is how often stripe-go retries a request that failed
	// in transit (with the same idempotency key); nil keeps its default (2).
	MaxNetworkRetries *int64
	HTTPClient        *http.Client
	Log               *slog.Logger
}

// Stripe is the adapter.
type Stripe struct {
	sc     *stripe.Client
	secret string
	log    *slog.Logger
	now    func() time.Time
}

var _ ports.Payments = (*Stripe)(nil)

// New builds the adapter.
func New(s Settings) (*Stripe, error) {
	if s.SecretKey == "" {
		return nil, errors.New("stripepay: a secret key is required")
	}
	if s.WebhookSecret == "" {
		return nil, errors.New("stripepay: a webhook secret is required")
	}
	log := s.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	hc := s.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	cfg := &stripe.BackendConfig{HTTPClient: hc, MaxNetworkRetries: s.MaxNetworkRetries,
		LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull}}
	if s.APIURL != "" {
		cfg.URL = stripe.String(strings.TrimRight(s.APIURL, "/"))
	}
	backends := &stripe.Backends{
		API:         stripe.GetBackendWithConfig(stripe.APIBackend, cfg),
		Connect:     stripe.GetBackendWithConfig(stripe.ConnectBackend, cfg),
		Uploads:     stripe.GetBackendWithConfig(stripe.UploadsBackend, cfg),
		MeterEvents: stripe.GetBackendWithConfig(stripe.MeterEventsBackend, cfg),
	}
	return &Stripe{sc: stripe.NewClient(s.SecretKey, stripe.WithBackends(backends)), secret: s.WebhookSecret,
		log: log, now: time.Now}, nil
}

// Provider names the adapter.
func (s *Stripe) Provider() string { return Provider }

// maxAmount is Stripe's largest amount (eight digits).
const maxAmount = 99_999_999

// CreateCharge creates and confirms a PaymentIntent. A declined card is a
// failed charge, not an error.
func (s *Stripe) CreateCharge(ctx context.Context, r ports.ChargeRequest) (ports.Charge, error) {
	var pr kernel.Problems
	if r.Amount <= 0 {
		pr.Add("amount", "deve ser maior que zero")
	} else if r.Amount > maxAmount {
		pr.Add("amount", "é maior que o permitido (%d centavos)", maxAmount)
	}
	currency := strings.ToLower(r.Currency)
	if currency == "" {
		currency = "brl"
	}
	if r.Method == ports.PayPix && currency != "brl" {
		pr.Add("currency", "Pix só aceita BRL")
	}
	switch r.Method {
	case ports.PayPix:
		// Stripe takes an expiry between 10 seconds and 14 days ahead.
		if ttl := r.ExpiresAt.Sub(s.now()); !r.ExpiresAt.IsZero() && (ttl < 10*time.Second || ttl > 14*24*time.Hour) {
			pr.Add("expires_at", "deve estar entre 10 segundos e 14 dias no futuro")
		}
	case ports.PayCard:
		pr.Require("card_token", r.CardToken)
	default:
		pr.Add("method", "deve ser %s ou %s", ports.PayPix, ports.PayCard)
	}
	if err := pr.Err(); err != nil {
		return ports.Charge{}, err
	}
	p := &stripe.PaymentIntentCreateParams{
		Amount:             stripe.Int64(r.Amount),
		Currency:           stripe.String(currency),
		PaymentMethodTypes: []*string{stripe.String(r.Method)},
		Confirm:            stripe.Bool(true),
	}
	if r.Description != "" {
		p.Description = stripe.String(r.Description)
	}
	if r.Reference != "" {
		p.AddMetadata("reference", r.Reference)
	}
	if r.IdempotencyKey != "" {
		p.SetIdempotencyKey(r.IdempotencyKey)
	}
	switch r.Method {
	case ports.PayPix:
		p.PaymentMethodData = &stripe.PaymentIntentCreatePaymentMethodDataParams{Type: stripe.String("pix")}
		if !r.ExpiresAt.IsZero() {
			p.PaymentMethodOptions = &stripe.PaymentIntentCreatePaymentMethodOptionsParams{
				Pix: &stripe.PaymentIntentCreatePaymentMethodOptionsPixParams{ExpiresAt: stripe.Int64(r.ExpiresAt.Unix())}}
		}
	case ports.PayCard:
		p.PaymentMethod = stripe.String(r.CardToken)
		if !r.Capture {
			p.CaptureMethod = stripe.String(string(stripe.PaymentIntentCaptureMethodManual))
		}
	}
	pi, err := s.sc.V1PaymentIntents.Create(ctx, p)
	if err != nil {
		var se *stripe.Error
		if errors.As(err, &se) && se.Type == stripe.ErrorTypeCard {
			return s.declined(r, se), nil
		}
		return ports.Charge{}, s.translate(err, "criar a cobrança")
	}
	c := charge(pi)
	if c.Method == "" {
		c.Method = r.Method
	}
	return c, nil
}

// declined is the failed charge a card error describes.
func (s *Stripe) declined(r ports.ChargeRequest, se *stripe.Error) ports.Charge {
	if se.PaymentIntent != nil && se.PaymentIntent.ID != "" {
		c := charge(se.PaymentIntent)
		c.Status = ports.ChargeFailed
		c.FailureReason = failureReason(se)
		if c.Method == "" {
			c.Method = r.Method
		}
		if c.Amount == 0 {
			c.Amount = r.Amount
		}
		return c
	}
	return ports.Charge{Provider: Provider, Reference: r.Reference, Method: r.Method, Status: ports.ChargeFailed,
		Amount: r.Amount, Currency: "BRL", FailureReason: failureReason(se), CreatedAt: s.now().UTC()}
}

func failureReason(se *stripe.Error) string {
	switch {
	case se.DeclineCode != "" && se.DeclineCode != "generic_decline":
		return string(se.DeclineCode)
	case se.Code != "":
		return string(se.Code)
	}
	return "card_declined"
}

// Capture captures an authorised card PaymentIntent.
func (s *Stripe) Capture(ctx context.Context, chargeID string) (ports.Charge, error) {
	if chargeID == "" {
		return ports.Charge{}, kernel.NotFound("cobrança não encontrada")
	}
	p := &stripe.PaymentIntentCaptureParams{}
	p.AddExpand("latest_charge")
	pi, err := s.sc.V1PaymentIntents.Capture(ctx, chargeID, p)
	if err != nil {
		return ports.Charge{}, s.translate(err, "capturar a cobrança")
	}
	return charge(pi), nil
}

// Refund refunds part (Amount) or, with Amount 0, what is left of a PaymentIntent.
func (s *Stripe) Refund(ctx context.Context, r ports.RefundRequest) (ports.Refund, error) {
	if r.Amount < 0 {
		return ports.Refund{}, kernel.Invalid("amount", "não pode ser negativo")
	}
	if r.ChargeID == "" {
		return ports.Refund{}, kernel.NotFound("cobrança não encontrada")
	}
	p := &stripe.RefundCreateParams{PaymentIntent: stripe.String(r.ChargeID)}
	if r.Amount > 0 {
		p.Amount = stripe.Int64(r.Amount)
	}
	switch r.Reason {
	case "duplicate", "fraudulent", "requested_by_customer":
		p.Reason = stripe.String(r.Reason)
	case "":
	default:
		p.AddMetadata("reason", r.Reason)
	}
	if r.IdempotencyKey != "" {
		p.SetIdempotencyKey(r.IdempotencyKey)
	}
	rf, err := s.sc.V1Refunds.Create(ctx, p)
	if err != nil {
		var se *stripe.Error
		if errors.As(err, &se) && se.Type == stripe.ErrorTypeInvalidRequest && se.HTTPStatusCode != http.StatusNotFound && se.Code == "" {
			// Our request is well-formed (checked above), so a refusal without a code is the
			// charge's state: "Refund amount (R$7.01) is greater than unrefunded amount on
			// charge (R$7.00)" (param amount), "This PaymentIntent (pi_...) does not have a
			// successful charge to refund."
			msg := "a cobrança não tem pagamento confirmado a reembolsar"
			if se.Param == "amount" {
				msg = "o reembolso é maior que o saldo reembolsável da cobrança"
			}
			return ports.Refund{}, &kernel.Error{Kind: kernel.KindConflict, Err: se, Message: msg}
		}
		return ports.Refund{}, s.translate(err, "reembolsar")
	}
	out := ports.Refund{ID: rf.ID, ChargeID: r.ChargeID, Amount: rf.Amount, Status: refundStatus(rf.Status)}
	if rf.PaymentIntent != nil && rf.PaymentIntent.ID != "" {
		out.ChargeID = rf.PaymentIntent.ID
	}
	return out, nil
}

// Charge reads a PaymentIntent (with its latest charge, for the refunded amount).
func (s *Stripe) Charge(ctx context.Context, chargeID string) (ports.Charge, error) {
	if chargeID == "" {
		return ports.Charge{}, kernel.NotFound("cobrança não encontrada")
	}
	p := &stripe.PaymentIntentRetrieveParams{}
	p.AddExpand("latest_charge")
	pi, err := s.sc.V1PaymentIntents.Retrieve(ctx, chargeID, p)
	if err != nil {
		return ports.Charge{}, s.translate(err, "ler a cobrança")
	}
	return charge(pi), nil
}

// charge converts a PaymentIntent.
func charge(pi *stripe.PaymentIntent) ports.Charge {
	c := ports.Charge{ID: pi.ID, Provider: Provider, Reference: pi.Metadata["reference"], Amount: pi.Amount,
		Currency: strings.ToUpper(string(pi.Currency)), ClientSecret: pi.ClientSecret, CreatedAt: time.Unix(pi.Created, 0).UTC()}
	if len(pi.PaymentMethodTypes) == 1 {
		c.Method = pi.PaymentMethodTypes[0]
	}
	if pi.LatestCharge != nil {
		c.Refunded = pi.LatestCharge.AmountRefunded
	}
	if na := pi.NextAction; na != nil && na.PixDisplayQRCode != nil {
		c.PixCopyPaste = na.PixDisplayQRCode.Data
		if na.PixDisplayQRCode.ExpiresAt > 0 {
			c.ExpiresAt = time.Unix(na.PixDisplayQRCode.ExpiresAt, 0).UTC()
		}
	}
	switch pi.Status {
	case stripe.PaymentIntentStatusSucceeded:
		c.Status = ports.ChargeSucceeded
	case stripe.PaymentIntentStatusRequiresCapture:
		c.Status = ports.ChargeAuthorized
	case stripe.PaymentIntentStatusCanceled:
		c.Status = ports.ChargeCancelled
		if c.Method == ports.PayPix || pi.CancellationReason == stripe.PaymentIntentCancellationReasonExpired {
			c.Status = ports.ChargeExpired
		}
	case stripe.PaymentIntentStatusRequiresPaymentMethod:
		// Back to the start after a failed attempt: the attempt failed.
		c.Status = ports.ChargePending
		if e := pi.LastPaymentError; e != nil && e.Type == stripe.ErrorTypeCard {
			c.Status = ports.ChargeFailed
			c.FailureReason = failureReason(e)
		}
	default: // requires_confirmation, requires_action, processing
		c.Status = ports.ChargePending
	}
	return c
}

func refundStatus(s stripe.RefundStatus) string {
	switch s {
	case stripe.RefundStatusSucceeded:
		return "succeeded"
	case stripe.RefundStatusFailed, stripe.RefundStatusCanceled:
		return "failed"
	}
	return "pending"
}

// translate maps a stripe-go error to a kernel kind; what Stripe said is kept
// as the cause (logged), the message is ours, in Portuguese.
func (s *Stripe) translate(err error, what string) error {
	var se *stripe.Error
	if !errors.As(err, &se) {
		return kernel.Unavailable(err, "o provedor de pagamentos não respondeu ao %s; tente de novo", what)
	}
	cause := fmt.Errorf("stripe %s %s (HTTP %d, request %s): %s", se.Type, se.Code, se.HTTPStatusCode, se.RequestID, se.Msg)
	switch {
	case se.HTTPStatusCode == http.StatusNotFound || se.Code == stripe.ErrorCodeResourceMissing:
		return &kernel.Error{Kind: kernel.KindNotFound, Message: "cobrança não encontrada no provedor de pagamentos", Err: cause}
	case se.Type == stripe.ErrorTypeIdempotency:
		return &kernel.Error{Kind: kernel.KindConflict, Message: "a chave de idempotência já foi usada com outra requisição", Err: cause}
	case conflictCodes[se.Code]:
		return &kernel.Error{Kind: kernel.KindConflict, Message: conflictMessage(se.Code, what), Err: cause}
	case se.Type == stripe.ErrorTypeCard:
		return &kernel.Error{Kind: kernel.KindConflict, Message: "o cartão foi recusado", Err: cause}
	case se.HTTPStatusCode == http.StatusUnauthorized || se.HTTPStatusCode == http.StatusForbidden:
		return kernel.Internal(cause, "stripepay: the secret key was refused")
	case se.HTTPStatusCode == http.StatusTooManyRequests || se.HTTPStatusCode >= 500 || se.Type == stripe.ErrorTypeAPI:
		return &kernel.Error{Kind: kernel.KindUnavailable, Message: "o provedor de pagamentos está indisponível; tente de novo", Err: cause}
	case se.Type == stripe.ErrorTypeInvalidRequest:
		field := se.Param
		if field == "" {
			field = "payment"
		}
		return &kernel.Error{Kind: kernel.KindInvalid, Message: "a requisição tem campos inválidos",
			Fields: []kernel.FieldError{{Field: field, Message: "recusado pelo provedor de pagamentos"}}, Err: cause}
	}
	return kernel.Internal(cause, "stripepay: %s", what)
}

// conflictCodes are invalid requests that the object's state forbids.
var conflictCodes = map[stripe.ErrorCode]bool{
	stripe.ErrorCodeChargeAlreadyRefunded:             true,
	stripe.ErrorCodeChargeAlreadyCaptured:             true,
	stripe.ErrorCodeChargeNotRefundable:               true,
	stripe.ErrorCodeChargeExpiredForCapture:           true,
	stripe.ErrorCodeCaptureChargeAuthorizationExpired: true,
	stripe.ErrorCodeCaptureUnauthorizedPayment:        true,
	stripe.ErrorCodeChargeDisputed:                    true,
	stripe.ErrorCodeAmountTooLarge:                    true,
	stripe.ErrorCodePaymentIntentUnexpectedState:      true,
}

func conflictMessage(code stripe.ErrorCode, what string) string {
	switch code {
	case stripe.ErrorCodeChargeAlreadyRefunded:
		return "a cobrança já foi reembolsada por inteiro"
	case stripe.ErrorCodeAmountTooLarge:
		return "o valor é maior que o saldo da cobrança"
	case stripe.ErrorCodeChargeAlreadyCaptured:
		return "a cobrança já foi capturada"
	}
	return fmt.Sprintf("o estado da cobrança não permite %s", what)
}
