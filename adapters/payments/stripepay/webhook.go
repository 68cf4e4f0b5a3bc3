package stripepay

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// SignatureHeader carries Stripe's webhook signature.
const SignatureHeader = "Stripe-Signature"

// VerifyEvent checks the Stripe-Signature header with stripe-go's webhook
// package (default tolerance, 5 minutes) and maps the event. Stripe events
// this adapter does not use come back with an empty Type, to be ignored.
//
// The event's API version is not required to match stripe-go's: the fields
// read here (IDs, status, amounts, metadata) are the same in every version,
// and a refused event would be retried by Stripe for days.
func (s *Stripe) VerifyEvent(_ context.Context, headers map[string]string, body []byte) (ports.PaymentEvent, error) {
	sig := ""
	for k, v := range headers {
		if strings.EqualFold(k, SignatureHeader) {
			sig = v
		}
	}
	ev, err := webhook.ConstructEventWithOptions(body, sig, s.secret, webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true})
	switch {
	case errors.Is(err, webhook.ErrNotSigned):
		return ports.PaymentEvent{}, kernel.Unauthenticated("o webhook não tem a assinatura %s", SignatureHeader)
	case errors.Is(err, webhook.ErrInvalidHeader):
		return ports.PaymentEvent{}, kernel.Unauthenticated("a assinatura do webhook está malformada")
	case errors.Is(err, webhook.ErrNoValidSignature):
		return ports.PaymentEvent{}, kernel.Unauthenticated("a assinatura do webhook não confere")
	case errors.Is(err, webhook.ErrTooOld):
		return ports.PaymentEvent{}, kernel.Unauthenticated("a assinatura do webhook expirou (mais de 5 minutos)")
	case err != nil:
		return ports.PaymentEvent{}, &kernel.Error{Kind: kernel.KindInvalid, Message: "o corpo não é um evento do Stripe",
			Fields: []kernel.FieldError{{Field: "body", Message: "não é um evento do Stripe"}}, Err: err}
	}
	if ev.ID == "" || ev.Data == nil {
		return ports.PaymentEvent{}, kernel.Invalid("body", "não é um evento do Stripe")
	}
	out := ports.PaymentEvent{ID: ev.ID, At: time.Unix(ev.Created, 0).UTC()}
	bad := func(err error) (ports.PaymentEvent, error) {
		return ports.PaymentEvent{}, &kernel.Error{Kind: kernel.KindInvalid, Message: "o objeto do evento do Stripe é ilegível",
			Fields: []kernel.FieldError{{Field: "data.object", Message: "ilegível"}}, Err: err}
	}
	typ := string(ev.Type)
	switch {
	case strings.HasPrefix(typ, "payment_intent."):
		var pi stripe.PaymentIntent
		if err := json.Unmarshal(ev.Data.Raw, &pi); err != nil {
			return bad(err)
		}
		out.ChargeID, out.Reference, out.Amount = pi.ID, pi.Metadata["reference"], pi.Amount
		switch typ {
		case "payment_intent.succeeded":
			out.Type = ports.EventChargeSucceeded
			if pi.AmountReceived > 0 {
				out.Amount = pi.AmountReceived
			}
		case "payment_intent.payment_failed":
			out.Type = ports.EventChargeFailed
		case "payment_intent.canceled":
			out.Type = ports.EventChargeExpired
		case "payment_intent.amount_capturable_updated":
			out.Type = ports.EventChargeAuthorized
			if pi.AmountCapturable > 0 {
				out.Amount = pi.AmountCapturable
			}
		}
	case typ == "charge.refunded":
		var ch stripe.Charge
		if err := json.Unmarshal(ev.Data.Raw, &ch); err != nil {
			return bad(err)
		}
		out.Type, out.Reference, out.Amount = ports.EventRefundSucceeded, ch.Metadata["reference"], ch.AmountRefunded
		if ch.PaymentIntent != nil {
			out.ChargeID = ch.PaymentIntent.ID
		}
		if ch.Refunds != nil && len(ch.Refunds.Data) > 0 && ch.Refunds.Data[0] != nil { // newest first
			out.RefundID, out.Amount = ch.Refunds.Data[0].ID, ch.Refunds.Data[0].Amount
		}
	case strings.HasPrefix(typ, "refund."):
		var rf stripe.Refund
		if err := json.Unmarshal(ev.Data.Raw, &rf); err != nil {
			return bad(err)
		}
		out.RefundID, out.Amount, out.Reference = rf.ID, rf.Amount, rf.Metadata["reference"]
		if rf.PaymentIntent != nil {
			out.ChargeID = rf.PaymentIntent.ID
		}
		switch {
		case typ == "refund.failed" || rf.Status == stripe.RefundStatusFailed || rf.Status == stripe.RefundStatusCanceled:
			out.Type = ports.EventRefundFailed
		case rf.Status == stripe.RefundStatusSucceeded:
			out.Type = ports.EventRefundSucceeded
		}
	}
	return out, nil
}
