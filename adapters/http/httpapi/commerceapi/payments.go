package commerceapi

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging"
)

// PayOrderRequest is the body of POST /v1/orders/{id}/payments.
type PayOrderRequest struct {
	Method string `json:"method"`
	// CardToken is a card tokenised with the provider's SDK (card only).
	CardToken string `json:"card_token,omitempty"`
}

func (PayOrderRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"method": {Enum: commerce.PayMethods(), Length: 16}, "card_token": {Length: commerce.MaxCardTokenLen}}
}

// Example is a Pix payment.
func (PayOrderRequest) Example() any { return PayOrderRequest{Method: "pix"} }

// PaymentResponse is a payment as its patient sees it: of an order (order_id)
// or of an appointment (appointment_id). pix_copy_paste is the
// Pix "copia e cola" code, and the text to draw as a QR code; client_secret
// finishes a card payment with the provider's SDK (only in the answer to the
// payment request).
type PaymentResponse struct {
	ID            string     `json:"id"`
	OrderID       string     `json:"order_id,omitempty"`
	AppointmentID string     `json:"appointment_id,omitempty"`
	CompanyID     string     `json:"company_id,omitempty"` // the seller; absent for a consultation
	Provider      string     `json:"provider"`
	ChargeID      string     `json:"charge_id,omitempty"` // the provider's charge (what `multisaude dev pay` takes locally)
	Method        string     `json:"method"`
	Amount        Money      `json:"amount"`
	Status        string     `json:"status"`
	PixCopyPaste  string     `json:"pix_copy_paste,omitempty"`
	PixQRCodeText string     `json:"pix_qr_code_text,omitempty"`
	ClientSecret  string     `json:"client_secret,omitempty"`
	Refunded      Money      `json:"refunded"`
	ExpiresAt     *time.Time `json:"expires_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	PaidAt        *time.Time `json:"paid_at,omitempty"`
}

func (PaymentResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"id": uuidLimit, "order_id": uuidLimit, "appointment_id": uuidLimit, "company_id": uuidLimit, "method": {Enum: commerce.PayMethods()},
		"status": {Enum: commerce.PaymentStatuses()}, "expires_at": dateTimeLimit, "created_at": dateTimeLimit, "paid_at": dateTimeLimit}
}

var (
	uuidLimit     = httpapi.Limit{Format: "uuid"}
	dateTimeLimit = httpapi.Limit{Format: "date-time"}
)

func paymentOf(withSecret bool) func(p commerce.Payment) PaymentResponse {
	return func(p commerce.Payment) PaymentResponse {
		out := PaymentResponse{ID: p.ID, OrderID: p.OrderID, AppointmentID: p.AppointmentID, CompanyID: p.CompanyID, Provider: p.Provider, ChargeID: p.ChargeID, Method: p.Method,
			Amount: money(p.Amount), Status: string(p.Status), Refunded: Money{Amount: p.Refunded, Currency: p.Amount.Currency},
			CreatedAt: p.CreatedAt, PaidAt: p.PaidAt}
		if !p.ExpiresAt.IsZero() {
			t := p.ExpiresAt
			out.ExpiresAt = &t
		}
		if p.Status == commerce.PaymentPending {
			out.PixCopyPaste, out.PixQRCodeText = p.PixCopyPaste, p.PixCopyPaste
			if withSecret {
				out.ClientSecret = p.ClientSecret
			}
		}
		return out
	}
}

// RefundRequest is a partner's refund of part or all of a paid order.
type RefundRequest struct {
	Amount int64  `json:"amount"` // centavos, above zero, at most what is left
	Reason string `json:"reason,omitempty"`
}

func (RefundRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"reason": {Length: commerce.MaxRefundReasonLen}, "amount": {Range: &httpapi.Range{Min: 1, Max: 1e12}}}
}

// Example is a partial refund.
func (RefundRequest) Example() any {
	return RefundRequest{Amount: 1250, Reason: "Item em falta no estoque"}
}

// RefundResponse is one refund.
type RefundResponse struct {
	ID        string `json:"id"`
	OrderID   string `json:"order_id"`
	PaymentID string `json:"payment_id"`
	Amount    Money  `json:"amount"`
	Reason    string `json:"reason,omitempty"`
	Status    string `json:"status"`
	// By is who asked: company_member, api_key, or platform (automatic).
	By        string    `json:"by"`
	CreatedAt time.Time `json:"created_at"`
}

func (RefundResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"id": uuidLimit, "order_id": uuidLimit, "payment_id": uuidLimit, "created_at": dateTimeLimit,
		"status": {Enum: []string{string(commerce.RefundPending), string(commerce.RefundSucceeded), string(commerce.RefundFailed)}},
		"by":     {Enum: []string{string(kernel.KindCompanyMember), string(kernel.KindAPIKey), "platform"}}}
}

func refundOf(r commerce.Refund) RefundResponse {
	by := string(r.ByKind)
	if by == "" {
		by = "platform"
	}
	return RefundResponse{ID: r.ID, OrderID: r.OrderID, PaymentID: r.PaymentID, Amount: money(r.Amount), Reason: r.Reason,
		Status: string(r.Status), By: by, CreatedAt: r.CreatedAt}
}

// StatementLineResponse is one movement: a captured payment or a refund.
type StatementLineResponse struct {
	Kind    string    `json:"kind"`
	At      time.Time `json:"at"`
	OrderID string    `json:"order_id,omitempty"`
	// AppointmentID: a payment of an appointment (an exam at the company) rather than of an order
	AppointmentID string `json:"appointment_id,omitempty"`
	PaymentID     string `json:"payment_id"`
	RefundID      string `json:"refund_id,omitempty"`
	Method        string `json:"method,omitempty"`
	Amount        Money  `json:"amount"`
	Fee           Money  `json:"fee"`
	Net           Money  `json:"net"`
}

func (StatementLineResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"kind": {Enum: []string{commerce.LinePayment, commerce.LineRefund}}, "at": dateTimeLimit,
		"order_id": uuidLimit, "appointment_id": uuidLimit, "payment_id": uuidLimit, "refund_id": uuidLimit, "method": {Enum: commerce.PayMethods()}}
}

// StatementResponse is a company's statement over whole days (America/Sao_Paulo).
type StatementResponse struct {
	CompanyID   string                  `json:"company_id"`
	From        string                  `json:"from"`
	To          string                  `json:"to"`
	FeeBP       int64                   `json:"platform_fee_bp"`
	Gross       Money                   `json:"gross"`
	PlatformFee Money                   `json:"platform_fee"`
	Refunds     Money                   `json:"refunds"`
	Net         Money                   `json:"net"`
	Lines       []StatementLineResponse `json:"lines"`
}

func (StatementResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"company_id": uuidLimit, "from": {Format: "date"}, "to": {Format: "date"}, "lines": {Items: commerce.MaxStatementLines}}
}

func statementOf(st commerce.Statement) StatementResponse {
	out := StatementResponse{CompanyID: st.CompanyID, From: st.From, To: st.To, FeeBP: st.FeeBP, Gross: money(st.Gross),
		PlatformFee: money(st.PlatformFee), Refunds: money(st.Refunds), Net: money(st.Net),
		Lines: make([]StatementLineResponse, 0, len(st.Lines))}
	for _, l := range st.Lines {
		out.Lines = append(out.Lines, StatementLineResponse{Kind: l.Kind, At: l.At, OrderID: l.OrderID, AppointmentID: l.AppointmentID, PaymentID: l.PaymentID,
			RefundID: l.RefundID, Method: l.Method, Amount: money(l.Amount), Fee: money(l.Fee), Net: money(l.Net)})
	}
	return out
}

// PaymentWebhookAck answers a provider's webhook.
type PaymentWebhookAck struct {
	Received bool `json:"received"`
}

// maxProviderLen bounds the {provider} of the webhook route.
const maxProviderLen = 64

var payIdemHeader = httpapi.Param{Name: "Idempotency-Key", MaxLength: 255, Description: "repeat-safe key; the first answer is replayed"}

const statementCSVDoc = "With `Accept: text/csv` or `?format=csv`, the same statement as CSV: UTF-8 without BOM, `;` separated, " +
	"one header line `data;tipo;pedido;pagamento;reembolso;metodo;valor;tarifa;liquido`, then one line per movement, oldest first: " +
	"`data` in America/Sao_Paulo as DD/MM/AAAA HH:MM, `tipo` pagamento or reembolso, amounts in reais with a decimal comma and no " +
	"thousands separator (1234,56; `liquido` of a refund is negative). gross, platform_fee, refunds and net are the sums of the columns. " +
	"Each payment's fee is platform_fee_bp basis points of its amount, rounded half up to the centavo; refunds carry no fee."

func (m *Module) registerPayments(r *httpapi.Router) {
	r.Handle(fiber.MethodPost, "/v1/orders/:id/payments", httpapi.Op{ID: "payOrder",
		Summary: "Pay an order (its patient) with Pix or card: the Pix code to pay, or the card's client secret; the same method again returns the pending charge",
		Tag:     tag, Auth: httpapi.User, Request: PayOrderRequest{}, Headers: []httpapi.Param{payIdemHeader},
		Responses: ok(201, PaymentResponse{}, 400, 401, 404, 409, 415, 422)}, httpapi.Idempotent(m.idem, m.payOrder))
	r.Handle(fiber.MethodPost, "/v1/appointments/:id/payments", httpapi.Op{ID: "payAppointment",
		Summary: "Pay an appointment with a price (its patient) with Pix or card, while it is confirmed and before it starts; " +
			"the same method again returns the pending charge, which expires at the earlier of the start and the pay window. " +
			"A cancelled appointment's payment is refunded in full automatically",
		Tag: tag, Auth: httpapi.User, Request: PayOrderRequest{}, Headers: []httpapi.Param{payIdemHeader},
		Responses: ok(201, PaymentResponse{}, 400, 401, 404, 409, 415, 422)}, httpapi.Idempotent(m.idem, m.payAppointment))
	r.Handle(fiber.MethodGet, "/v1/appointments/:id/payments", httpapi.Op{ID: "listAppointmentPayments",
		Summary: "An appointment's payments, oldest first (its patient)", Tag: tag, Auth: httpapi.User,
		Responses: ok(200, httpapi.ListResponse[PaymentResponse]{}, 401, 404)}, m.listAppointmentPayments)
	r.Handle(fiber.MethodPost, "/v1/payments/webhooks/:provider", httpapi.Op{ID: "paymentWebhook",
		Summary: "A payment provider's event (public: the provider's signature authenticates it); the same event twice changes nothing",
		Tag:     tag, Auth: httpapi.Public,
		Responses: ok(200, PaymentWebhookAck{}, 400, 401, 404)}, m.paymentWebhook)
	r.Handle(fiber.MethodPost, "/v1/orders/:id/refunds", httpapi.Op{ID: "refundOrder",
		Summary: "Refund part or all of a paid order (the company's admins, or its API keys with orders:write); all refunded moves the order to refunded",
		Tag:     tag, Auth: httpapi.Any, Request: RefundRequest{}, Headers: []httpapi.Param{payIdemHeader},
		Responses: ok(201, RefundResponse{}, 400, 401, 403, 404, 409, 415, 422)}, httpapi.Idempotent(m.idem, m.refundOrder))
	r.Handle(fiber.MethodGet, "/v1/orders/:id/refunds", httpapi.Op{ID: "listOrderRefunds",
		Summary: "An order's refunds, oldest first (its patient, its company)", Tag: tag, Auth: httpapi.Any,
		Responses: ok(200, httpapi.ListResponse[RefundResponse]{}, 401, 403, 404)}, m.listRefunds)
	r.Handle(fiber.MethodGet, "/v1/me/payments", httpapi.Op{ID: "myPayments", Summary: "The patient's payments, newest first", Tag: tag,
		Auth: httpapi.User, Query: httpapi.PageParams, Responses: ok(200, httpapi.ListResponse[PaymentResponse]{}, 400, 401, 403)}, m.myPayments)
	r.Handle(fiber.MethodGet, "/v1/companies/:id/statement", httpapi.Op{ID: "companyStatement",
		Summary: "A company's statement (its admins): gross, platform fee, refunds and net over whole days in America/Sao_Paulo, at most 366; also as CSV. " + statementCSVDoc,
		Tag:     tag, Auth: httpapi.User, ResponseHeaders: []string{"Content-Disposition"},
		Query: []httpapi.Param{
			{Name: "from", Format: "date", Required: true, Description: "first day, YYYY-MM-DD (America/Sao_Paulo)"},
			{Name: "to", Format: "date", Required: true, Description: "last day, included, at most 366 days after from"},
			{Name: "format", Enum: []string{"json", "csv"}, Description: "csv: the same as Accept: text/csv"}},
		Responses: append(ok(200, StatementResponse{}, 400, 401, 403, 422),
			httpapi.Response{Status: 200, Body: []byte{}, ContentType: "text/csv"})}, m.statement)
}

func (m *Module) payOrder(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	var req PayOrderRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	p, err := m.svc.PayOrder(c.UserContext(), httpapi.PrincipalOf(c), id, commerce.PayInput{Method: req.Method, CardToken: req.CardToken})
	if err != nil {
		return err
	}
	return httpapi.Created(c, "", paymentOf(true)(p))
}

func (m *Module) payAppointment(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	var req PayOrderRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	p, err := m.svc.PayAppointment(c.UserContext(), httpapi.PrincipalOf(c), id, commerce.PayInput{Method: req.Method, CardToken: req.CardToken})
	if err != nil {
		return err
	}
	return httpapi.Created(c, "", paymentOf(true)(p))
}

func (m *Module) listAppointmentPayments(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	ps, err := m.svc.AppointmentPayments(c.UserContext(), httpapi.PrincipalOf(c), id)
	if err != nil {
		return err
	}
	return httpapi.OK(c, httpapi.NewList(kernel.List[commerce.Payment]{Items: ps}, paymentOf(false)))
}

func (m *Module) paymentWebhook(c *fiber.Ctx) error {
	provider := strings.Clone(c.Params("provider"))
	if provider == "" || len(provider) > maxProviderLen {
		return kernel.NotFound("provedor de pagamento desconhecido")
	}
	// copies: fiber's values are only valid during the handler
	headers := map[string]string{}
	c.Request().Header.VisitAll(func(k, v []byte) { headers[http.CanonicalHeaderKey(string(k))] = string(v) })
	body := append([]byte(nil), c.Body()...)
	if err := m.svc.ApplyWebhook(c.UserContext(), provider, headers, body); err != nil {
		return err
	}
	return httpapi.OK(c, PaymentWebhookAck{Received: true})
}

func (m *Module) refundOrder(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	var req RefundRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	r, err := m.svc.RefundOrder(c.UserContext(), httpapi.PrincipalOf(c), id, commerce.RefundInput{Amount: req.Amount, Reason: req.Reason})
	if err != nil {
		return err
	}
	return httpapi.Created(c, "", refundOf(r))
}

func (m *Module) listRefunds(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	rs, err := m.svc.OrderRefunds(c.UserContext(), httpapi.PrincipalOf(c), id)
	if err != nil {
		return err
	}
	return httpapi.OK(c, httpapi.NewList(kernel.List[commerce.Refund]{Items: rs}, refundOf))
}

func (m *Module) myPayments(c *fiber.Ctx) error {
	q := httpapi.NewQuery(c)
	page := q.Page()
	if err := q.Err(); err != nil {
		return err
	}
	l, err := m.svc.MyPayments(c.UserContext(), httpapi.PrincipalOf(c), page)
	if err != nil {
		return err
	}
	return httpapi.OK(c, httpapi.NewList(l, paymentOf(false)))
}

func (m *Module) statement(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	format := c.Query("format")
	if format != "" && format != "json" && format != "csv" {
		return kernel.Invalid("format", "deve ser json ou csv")
	}
	st, err := m.svc.CompanyStatement(c.UserContext(), httpapi.PrincipalOf(c), id, c.Query("from"), c.Query("to"))
	if err != nil {
		return err
	}
	name := "extrato-" + st.From + "-a-" + st.To
	wantCSV := format == "csv" || format == "" && strings.Contains(strings.ToLower(c.Get(fiber.HeaderAccept)), "text/csv")
	if !wantCSV {
		c.Set(fiber.HeaderContentDisposition, httpapi.ContentDisposition("inline", name+".json"))
		return httpapi.OK(c, statementOf(st))
	}
	body, err := StatementCSV(st)
	if err != nil {
		return kernel.Internal(err, "write statement CSV")
	}
	c.Set(fiber.HeaderContentDisposition, httpapi.ContentDisposition("attachment", name+".csv"))
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	return c.Status(fiber.StatusOK).Send(body)
}

// StatementCSV writes st as documented in statementCSVDoc.
func StatementCSV(st commerce.Statement) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Comma = ';'
	loc := messaging.Zone(commerce.StatementTimeZone)
	_ = w.Write([]string{"data", "tipo", "pedido", "pagamento", "reembolso", "metodo", "valor", "tarifa", "liquido"})
	for _, l := range st.Lines {
		kind := "pagamento"
		if l.Kind == commerce.LineRefund {
			kind = "reembolso"
		}
		_ = w.Write([]string{l.At.In(loc).Format("02/01/2006 15:04"), kind, l.OrderID, l.PaymentID, l.RefundID, l.Method,
			decimalComma(l.Amount.Amount), decimalComma(l.Fee.Amount), decimalComma(l.Net.Amount)})
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// decimalComma writes centavos as reais with a decimal comma: 123456 -> "1234,56".
func decimalComma(centavos int64) string {
	sign := ""
	if centavos < 0 {
		sign, centavos = "-", -centavos
	}
	cents := strconv.FormatInt(centavos%100, 10)
	if len(cents) < 2 {
		cents = "0" + cents
	}
	return sign + strconv.FormatInt(centavos/100, 10) + "," + cents
}
