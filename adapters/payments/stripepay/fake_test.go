package stripepay_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/test/conformance"
)

// statefulStripe is a small, stateful stand-in for Stripe's PaymentIntents and
// Refunds that answers in the shapes Stripe documents (JSON objects, error
// bodies with type, code, param; 402 for a declined card) and sends signed
// events to a webhook URL the way Stripe does (retrying a refused delivery
// with the same event ID). stripe-mock checks the requests against Stripe's
// OpenAPI document but remembers nothing; this checks what needs memory.
type statefulStripe struct {
	t       *testing.T
	hookURL string
	mu      sync.Mutex
	pis     map[string]*fakePI
	idem    map[string]fakeAnswer
	n       int
	fail    bool
	wg      sync.WaitGroup
	stop    chan struct{}
}

type fakePI struct {
	id, method, status, ref, declineCode string
	amount, capturable, refunded         int64
	expires, created                     int64
	refunds                              []map[string]any
}

type fakeAnswer struct {
	status int
	body   []byte
}

func newStatefulStripe(t *testing.T, hookURL string) (*statefulStripe, string) {
	f := &statefulStripe{t: t, hookURL: hookURL, pis: map[string]*fakePI{}, idem: map[string]fakeAnswer{}, stop: make(chan struct{})}
	srv := httptest.NewServer(f)
	t.Cleanup(func() { close(f.stop); f.wg.Wait(); srv.Close() })
	return f, srv.URL
}

func (f *statefulStripe) id(prefix string) string {
	f.n++
	return fmt.Sprintf("%s_%06dFAKE", prefix, f.n)
}

func (f *statefulStripe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(b))
	for k, v := range r.URL.Query() {
		form[k] = v
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	key := r.Header.Get("Idempotency-Key")
	if a, ok := f.idem[r.URL.Path+"\x00"+key]; ok && key != "" {
		f.write(w, a.status, a.body)
		return
	}
	status, body := f.route(r.Method, r.URL.Path, form)
	out, _ := json.Marshal(body)
	if key != "" && status < 500 {
		f.idem[r.URL.Path+"\x00"+key] = fakeAnswer{status, out}
	}
	f.write(w, status, out)
}

func (f *statefulStripe) write(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", "req_fake")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func stripeErr(typ, code, param, msg string) map[string]any {
	e := map[string]any{"type": typ, "message": msg}
	if code != "" {
		e["code"] = code
	}
	if param != "" {
		e["param"] = param
	}
	return map[string]any{"error": e}
}

func (f *statefulStripe) route(method, path string, form url.Values) (int, any) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	expand := form.Get("expand[0]") == "latest_charge"
	switch {
	case method == "POST" && path == "/v1/payment_intents":
		return f.create(form)
	case method == "POST" && path == "/v1/refunds":
		return f.refund(form)
	case len(parts) >= 3 && parts[1] == "payment_intents":
		p := f.pis[parts[2]]
		if p == nil {
			return 404, stripeErr("invalid_request_error", "resource_missing", "intent", "No such payment_intent: '"+parts[2]+"'")
		}
		if method == "GET" && len(parts) == 3 {
			return 200, f.object(p, expand)
		}
		if method == "POST" && len(parts) == 4 && parts[3] == "capture" {
			if p.status != "requires_capture" {
				return 400, stripeErr("invalid_request_error", "payment_intent_unexpected_state", "",
					"This PaymentIntent could not be captured because it has a status of "+p.status+".")
			}
			p.status, p.capturable = "succeeded", 0
			f.emit("payment_intent.succeeded", f.object(p, false))
			return 200, f.object(p, expand)
		}
	}
	return 404, stripeErr("invalid_request_error", "", "", "Unrecognized request URL ("+method+": "+path+").")
}

func (f *statefulStripe) create(form url.Values) (int, any) {
	amount, _ := strconv.ParseInt(form.Get("amount"), 10, 64)
	p := &fakePI{id: f.id("pi"), method: form.Get("payment_method_types[0]"), ref: form.Get("metadata[reference]"),
		amount: amount, created: time.Now().Unix()}
	f.pis[p.id] = p
	switch p.method {
	case "pix":
		if form.Get("payment_method_data[type]") != "pix" || form.Get("confirm") != "true" {
			return 400, stripeErr("invalid_request_error", "parameter_missing", "payment_method_data", "pix needs payment_method_data[type]=pix")
		}
		p.status, p.expires = "requires_action", time.Now().Add(24*time.Hour).Unix()
		if e := form.Get("payment_method_options[pix][expires_at]"); e != "" {
			p.expires, _ = strconv.ParseInt(e, 10, 64)
		}
		return 200, f.object(p, false)
	case "card":
		pm := form.Get("payment_method")
		if f.fail || pm == "pm_card_chargeDeclined" {
			f.fail = false
			p.status, p.declineCode = "requires_payment_method", "generic_decline"
			obj := f.object(p, false)
			f.emit("payment_intent.payment_failed", obj)
			e := stripeErr("card_error", "card_declined", "", "Your card was declined.")
			e["error"].(map[string]any)["decline_code"] = "generic_decline"
			e["error"].(map[string]any)["payment_intent"] = obj
			return 402, e
		}
		if form.Get("capture_method") == "manual" {
			p.status, p.capturable = "requires_capture", amount
			f.emit("payment_intent.amount_capturable_updated", f.object(p, false))
		} else {
			p.status = "succeeded"
			f.emit("payment_intent.succeeded", f.object(p, false))
		}
		return 200, f.object(p, false)
	}
	return 400, stripeErr("invalid_request_error", "", "payment_method_types", "Invalid payment_method_types")
}

func (f *statefulStripe) refund(form url.Values) (int, any) {
	p := f.pis[form.Get("payment_intent")]
	if p == nil {
		return 404, stripeErr("invalid_request_error", "resource_missing", "payment_intent", "No such payment_intent")
	}
	if p.status != "succeeded" {
		return 400, stripeErr("invalid_request_error", "", "", "This PaymentIntent ("+p.id+") does not have a successful charge to refund.")
	}
	left := p.amount - p.refunded
	if left == 0 {
		return 400, stripeErr("invalid_request_error", "charge_already_refunded", "", "Charge ch_"+p.id+" has already been refunded.")
	}
	amount := left
	if a := form.Get("amount"); a != "" {
		amount, _ = strconv.ParseInt(a, 10, 64)
	}
	if amount > left {
		return 400, stripeErr("invalid_request_error", "", "amount", fmt.Sprintf("Refund amount (R$%d.%02d) is greater than unrefunded amount on charge (R$%d.%02d)", amount/100, amount%100, left/100, left%100))
	}
	p.refunded += amount
	rf := map[string]any{"id": f.id("re"), "object": "refund", "amount": amount, "currency": "brl", "status": "succeeded",
		"payment_intent": p.id, "charge": "ch_" + p.id, "metadata": map[string]string{}, "created": time.Now().Unix()}
	p.refunds = append([]map[string]any{rf}, p.refunds...)
	f.emit("charge.refunded", f.charge(p))
	f.emit("refund.created", rf)
	return 200, rf
}

func (f *statefulStripe) charge(p *fakePI) map[string]any {
	return map[string]any{"id": "ch_" + p.id, "object": "charge", "amount": p.amount, "amount_refunded": p.refunded,
		"payment_intent": p.id, "metadata": map[string]string{"reference": p.ref}, "refunded": p.refunded == p.amount,
		"refunds": map[string]any{"object": "list", "data": p.refunds, "has_more": false, "url": "/v1/refunds"}}
}

func (f *statefulStripe) object(p *fakePI, expand bool) map[string]any {
	o := map[string]any{"id": p.id, "object": "payment_intent", "amount": p.amount, "amount_capturable": p.capturable,
		"amount_received": 0, "currency": "brl", "status": p.status, "metadata": map[string]string{"reference": p.ref},
		"payment_method_types": []string{p.method}, "created": p.created, "client_secret": p.id + "_secret_fake",
		"livemode": false, "latest_charge": nil, "next_action": nil, "last_payment_error": nil}
	if p.status == "succeeded" {
		o["amount_received"] = p.amount
		o["latest_charge"] = "ch_" + p.id
		if expand {
			o["latest_charge"] = f.charge(p)
		}
	}
	if p.method == "pix" && p.status == "requires_action" {
		o["next_action"] = map[string]any{"type": "pix_display_qr_code", "pix_display_qr_code": map[string]any{
			"data": fakeBRCode(p.amount, strings.ReplaceAll(p.id, "_", "")), "expires_at": p.expires,
			"hosted_instructions_url": "https://payments.stripe.com/pix/instructions/" + p.id,
			"image_url_png":           "https://qr.stripe.com/" + p.id + ".png", "image_url_svg": "https://qr.stripe.com/" + p.id + ".svg"}}
	}
	if p.declineCode != "" {
		o["last_payment_error"] = map[string]any{"type": "card_error", "code": "card_declined", "decline_code": p.declineCode}
	}
	return o
}

// payPix is what Stripe does when the payer's bank pays the code.
func (f *statefulStripe) payPix(id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.pis[id]
	if p == nil || p.status != "requires_action" {
		return fmt.Errorf("no pix awaiting payment: %s", id)
	}
	p.status = "succeeded"
	f.emit("payment_intent.succeeded", f.object(p, false))
	return nil
}

// emit sends a signed event, retrying a refused delivery with the same event ID.
func (f *statefulStripe) emit(typ string, object map[string]any) {
	if f.hookURL == "" {
		return
	}
	obj, _ := json.Marshal(object)
	body := event(f.id("evt"), typ, string(obj))
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for attempt, delay := 0, 20*time.Millisecond; attempt < 6; attempt, delay = attempt+1, delay*2 {
			req, _ := http.NewRequest(http.MethodPost, f.hookURL, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json; charset=utf-8")
			for k, v := range sign(body, whsec, time.Now()) {
				req.Header.Set(k, v)
			}
			if res, err := http.DefaultClient.Do(req); err == nil {
				res.Body.Close()
				if res.StatusCode/100 == 2 {
					return
				}
			}
			select {
			case <-f.stop:
				return
			case <-time.After(delay):
			}
		}
	}()
}

// fakeBRCode is a dynamic Pix BR Code for amount, as a PSP would issue.
func fakeBRCode(amount int64, txid string) string {
	tlv := func(id, v string) string { return fmt.Sprintf("%s%02d%s", id, len(v), v) }
	if len(txid) > 25 {
		txid = txid[:25]
	}
	s := tlv("00", "01") + tlv("01", "12") + tlv("26", tlv("00", "br.gov.bcb.pix")+tlv("25", "pix.stripe.com/qr/v2/"+txid)) +
		tlv("52", "0000") + tlv("53", "986") + tlv("54", fmt.Sprintf("%d.%02d", amount/100, amount%100)) + tlv("58", "BR") +
		tlv("59", "STRIPE PAYMENTS BRASIL") + tlv("60", "SAO PAULO") + tlv("62", tlv("05", txid)) + "6304"
	return s + fmt.Sprintf("%04X", conformance.PixCRC16([]byte(s)))
}
