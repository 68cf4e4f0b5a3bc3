package commerce

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging"
)

// API key scopes a partner integration needs to read or refund orders.
const (
	payScopeOrdersRead  = "orders:read"
	payScopeOrdersWrite = "orders:write"
)

// RefundInput is a partner's partial (or total) refund of an order.
type RefundInput struct {
	Amount int64 // centavos
	Reason string
}

// payPartnerMay checks that p acts for company companyID: one of its members
// (admins only when write), or one of its API keys with orders:write (or
// orders:read to read). Others learn nothing of the order (not found).
func payPartnerMay(p kernel.Principal, companyID kernel.ID, write bool) error {
	switch {
	case p.Kind == kernel.KindCompanyMember && p.CompanyID == companyID:
		if write && !p.HasRole("admin") {
			return kernel.Forbidden("apenas administradores da empresa podem reembolsar pedidos")
		}
		return nil
	case p.Kind == kernel.KindAPIKey && p.CompanyID == companyID:
		if p.HasScope(payScopeOrdersWrite) || !write && p.HasScope(payScopeOrdersRead) {
			return nil
		}
		return kernel.Forbidden("a chave de API não tem o escopo %s", map[bool]string{true: payScopeOrdersWrite, false: payScopeOrdersRead}[write])
	}
	return kernel.NotFound("pedido não encontrado")
}

// RefundOrder refunds amount of a paid order, for its company. Each refund is
// its own record; when all that was paid is refunded, the order moves to
// refunded. kernel.KindUnprocessable for an amount not above zero,
// kernel.KindConflict (pt-BR, naming what is left) for more than is left or
// an order that was not paid.
func (s *Service) RefundOrder(ctx context.Context, p kernel.Principal, orderID kernel.ID, in RefundInput) (Refund, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return Refund{}, err
	}
	o, err := s.Orders.GetOrder(ctx, orderID)
	if kernel.KindOf(err) == kernel.KindNotFound {
		return Refund{}, kernel.NotFound("pedido não encontrado")
	}
	if err != nil {
		return Refund{}, err
	}
	if err := payPartnerMay(p, o.CompanyID, true); err != nil {
		return Refund{}, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if utf8.RuneCountInString(in.Reason) > MaxRefundReasonLen {
		return Refund{}, kernel.Invalid("reason", "deve ter no máximo %d caracteres", MaxRefundReasonLen)
	}
	if in.Amount <= 0 {
		return Refund{}, kernel.Unprocessable("o valor do reembolso deve ser maior que zero",
			kernel.FieldError{Field: "amount", Message: "deve ser maior que zero (em centavos)"})
	}
	pay, ok, err := s.orderPayment(ctx, o)
	if err != nil {
		return Refund{}, err
	}
	if o.PaidAt == nil || !ok {
		return Refund{}, kernel.Conflict("o pedido está %s e não foi pago: não há o que reembolsar", StatusPT(o.Status))
	}
	if left := pay.Amount.Amount - pay.Refunded; in.Amount > left {
		return Refund{}, kernel.ConflictField("amount", "o valor excede o que resta a reembolsar neste pedido ("+messaging.Money(left, pay.Amount.Currency)+")")
	}
	if s.Pay == nil {
		return Refund{}, kernel.Unavailable(nil, "os pagamentos estão indisponíveis no momento; tente mais tarde")
	}
	now := s.now()
	r := Refund{ID: kernel.NewID(), PaymentID: pay.ID, OrderID: o.ID, CompanyID: o.CompanyID,
		Amount: kernel.Money{Amount: in.Amount, Currency: pay.Amount.Currency}, Reason: in.Reason, Status: RefundPending,
		ByKind: p.Kind, ByID: p.AccountID, CreatedAt: now, UpdatedAt: now}
	if err := s.Payments.CreateRefund(ctx, r); err != nil { // re-checks what is left, atomically
		return Refund{}, err
	}
	r, err = s.executeRefund(ctx, pay, r)
	if err != nil {
		return Refund{}, err
	}
	if err := s.syncOrderRefunds(ctx, pay.ID, p.Kind); err != nil {
		return r, err
	}
	if r.Status != RefundFailed {
		full := pay.Refunded+r.Amount.Amount >= pay.Amount.Amount && pay.Refunded == 0
		m := messaging.OrderRefunded(payOrderRef(o.ID), r.Amount.Amount, r.Amount.Currency, full)
		if err := s.notifyPatient(ctx, o.PatientID, "refund:"+r.ID, m, o.ID); err != nil {
			s.Log.Warn("refund e-mail not sent", "refund_id", r.ID, "kind", kernel.KindOf(err))
		}
	}
	return r, nil
}

// OrderRefunds lists an order's refunds, oldest first, to its patient and its company.
func (s *Service) OrderRefunds(ctx context.Context, p kernel.Principal, orderID kernel.ID) ([]Refund, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return nil, err
	}
	o, err := s.Orders.GetOrder(ctx, orderID)
	if kernel.KindOf(err) == kernel.KindNotFound {
		return nil, kernel.NotFound("pedido não encontrado")
	}
	if err != nil {
		return nil, err
	}
	if !(p.Kind == kernel.KindPatient && o.PatientID == p.AccountID) {
		if err := payPartnerMay(p, o.CompanyID, false); err != nil {
			return nil, err
		}
	}
	return s.Payments.OrderRefunds(ctx, orderID)
}
