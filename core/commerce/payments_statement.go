package commerce

import (
	"context"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging"
)

// Statement bounds.
const (
	MaxStatementDays  = 366
	MaxStatementLines = 10000
	// StatementTimeZone is the zone the statement's dates are days of.
	StatementTimeZone = "America/Sao_Paulo"
)

// StatementEntry is one line of a statement with the platform's fee and
// what is left for the company.
type StatementEntry struct {
	StatementLine
	Fee kernel.Money // payments: the platform's fee on this payment; refunds: zero
	Net kernel.Money // payments: amount - fee; refunds: -amount
}

// Statement is a company's movements over whole days [From, To] in America/Sao_Paulo.
//
// Figures, all integer centavos: Gross is the sum of payments captured in the
// period; each payment's fee is PlatformFeeBP basis points of its amount,
// rounded half up to the centavo (amount*bp/10000, .5 up), and PlatformFee is
// the sum of those per-payment fees (so the lines add up exactly); Refunds
// is the sum of refunds made in the period (pending or succeeded; the
// platform keeps its fee on refunded payments); Net = Gross - PlatformFee - Refunds.
type Statement struct {
	CompanyID   kernel.ID
	From, To    string // YYYY-MM-DD, both days included
	Start, End  time.Time
	FeeBP       int64
	Gross       kernel.Money
	PlatformFee kernel.Money
	Refunds     kernel.Money
	Net         kernel.Money
	Lines       []StatementEntry
}

// PlatformFee is bp basis points of amount centavos, rounded half up.
func PlatformFee(amount, bp int64) int64 {
	if amount <= 0 || bp <= 0 {
		return 0
	}
	return (amount*bp + 5000) / 10000
}

// CompanyStatement is the statement of company companyID from the day `from`
// to the day `to` (YYYY-MM-DD, both included, at most MaxStatementDays), for
// the company's admin members. kernel.KindUnprocessable when the period has
// more than MaxStatementLines movements (ask for a shorter one).
func (s *Service) CompanyStatement(ctx context.Context, p kernel.Principal, companyID kernel.ID, from, to string) (Statement, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return Statement{}, err
	}
	if p.Kind != kernel.KindCompanyMember || p.CompanyID != companyID || !p.HasRole("admin") {
		return Statement{}, kernel.Forbidden("apenas administradores da empresa podem ver o extrato")
	}
	loc := messaging.Zone(StatementTimeZone)
	var probs kernel.Problems
	day := func(field, v string) time.Time {
		if v == "" {
			probs.Add(field, "é obrigatório: uma data como 2026-12-01")
			return time.Time{}
		}
		t, err := time.ParseInLocation("2006-01-02", v, loc)
		if err != nil {
			probs.Add(field, "deve ser uma data como 2026-12-01")
		}
		return t
	}
	start, last := day("from", from), day("to", to)
	if probs.Empty() {
		switch {
		case last.Before(start):
			probs.Add("to", "deve ser igual ou posterior a from")
		case last.After(start.AddDate(0, 0, MaxStatementDays-1)):
			probs.Add("to", "o período deve ter no máximo %d dias", MaxStatementDays)
		}
	}
	if err := probs.Err(); err != nil {
		return Statement{}, err
	}
	end := last.AddDate(0, 0, 1)
	lines, err := s.Payments.StatementLines(ctx, companyID, start.UTC(), end.UTC(), MaxStatementLines+1)
	if err != nil {
		return Statement{}, err
	}
	if len(lines) > MaxStatementLines {
		return Statement{}, kernel.Unprocessable("o período tem mais de 10000 lançamentos; peça um período menor",
			kernel.FieldError{Field: "to", Message: "escolha um período com menos lançamentos"})
	}
	st := Statement{CompanyID: companyID, From: from, To: to, Start: start.UTC(), End: end.UTC(), FeeBP: s.cfg.PlatformFeeBP,
		Lines: make([]StatementEntry, 0, len(lines))}
	cur := "BRL"
	for _, l := range lines {
		if l.Amount.Currency != "" {
			cur = l.Amount.Currency
		}
		e := StatementEntry{StatementLine: l}
		switch l.Kind {
		case LinePayment:
			fee := PlatformFee(l.Amount.Amount, s.cfg.PlatformFeeBP)
			e.Fee = kernel.Money{Amount: fee, Currency: l.Amount.Currency}
			e.Net = kernel.Money{Amount: l.Amount.Amount - fee, Currency: l.Amount.Currency}
			st.Gross.Amount += l.Amount.Amount
			st.PlatformFee.Amount += fee
		case LineRefund:
			e.Fee = kernel.Money{Currency: l.Amount.Currency}
			e.Net = kernel.Money{Amount: -l.Amount.Amount, Currency: l.Amount.Currency}
			st.Refunds.Amount += l.Amount.Amount
		}
		st.Lines = append(st.Lines, e)
	}
	st.Net.Amount = st.Gross.Amount - st.PlatformFee.Amount - st.Refunds.Amount
	st.Gross.Currency, st.PlatformFee.Currency, st.Refunds.Currency, st.Net.Currency = cur, cur, cur, cur
	return st, nil
}
