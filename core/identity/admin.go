package identity

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// BootstrapAdmin creates the platform admin when no admin exists yet. It is
// idempotent: with an admin present (this one or another) it does nothing.
func (s *Service) BootstrapAdmin(ctx context.Context, email, password string) error {
	if email == "" && password == "" {
		return nil
	}
	var p kernel.Problems
	e := checkEmail(&p, "MULTISAUDE_ADMIN_EMAIL", email)
	CheckPassword("MULTISAUDE_ADMIN_PASSWORD", password, e, &p)
	if err := p.Err(); err != nil {
		return err
	}
	n, err := s.store.CountAccounts(ctx, kernel.KindAdmin)
	if err != nil || n > 0 {
		return err
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return kernel.Internal(err, "hash password")
	}
	now := s.clock.Now()
	a := Account{ID: kernel.NewID(), Kind: kernel.KindAdmin, Email: e, Name: "Platform admin", PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
	reg := s.registration(a, password, "MULTISAUDE_ADMIN_EMAIL", "MULTISAUDE_ADMIN_PASSWORD")
	err = reg.finish(ctx, s.store.CreateAccount(ctx, a, func(ctx context.Context) (string, error) {
		sub, err := reg.register(ctx)
		if kernel.KindOf(err) == kernel.KindConflict { // not a lost race: the e-mail is a user there already
			return "", kernel.Invalid("MULTISAUDE_ADMIN_EMAIL", "já é um usuário no provedor de identidade, sem conta de administrador aqui")
		}
		return sub, err
	}))
	if kernel.KindOf(err) == kernel.KindConflict { // another instance won the race
		return nil
	}
	if err == nil {
		s.log.Info("platform admin bootstrapped", "account_id", a.ID)
		s.recordAudit(ctx, ports.AuditRecord{ActorKind: "system", Action: "admin.bootstrap", ObjectType: "account", ObjectID: a.ID, SubjectID: a.ID})
	}
	return err
}

// Decision is an admin's verdict.
type Decision struct {
	Approve bool
	Reason  string // required to reject
}

func (d Decision) validate() error {
	if !d.Approve && strings.TrimSpace(d.Reason) == "" {
		return kernel.Invalid("reason", "é obrigatório para rejeitar")
	}
	if utf8.RuneCountInString(d.Reason) > MaxReasonLen {
		return kernel.Invalid("reason", "deve ter no máximo %d caracteres", MaxReasonLen)
	}
	return nil
}

func decide(st *Status, reason *string, d Decision) error {
	switch {
	case d.Approve && *st == StatusVerified:
		return kernel.Conflict("já verificado")
	case !d.Approve && *st == StatusRejected:
		return kernel.Conflict("já rejeitado")
	}
	if d.Approve {
		*st, *reason = StatusVerified, ""
	} else {
		*st, *reason = StatusRejected, strings.TrimSpace(d.Reason)
	}
	return nil
}

// DecideProfessional verifies or rejects a professional (platform admins only).
// A verified professional may be rejected later (suspension) and a rejected one verified.
func (s *Service) DecideProfessional(ctx context.Context, p kernel.Principal, id kernel.ID, d Decision) (Professional, error) {
	if err := Authorize(p, ActAdminister, ""); err != nil {
		return Professional{}, err
	}
	if err := d.validate(); err != nil {
		return Professional{}, err
	}
	now := s.clock.Now()
	topic := "identity.professional.verified"
	if !d.Approve {
		topic = "identity.professional.rejected"
	}
	ev := kernel.NewEvent(topic, id, map[string]any{"professional_id": id, "by": p.AccountID}, now)
	var out Professional
	var from Status
	err := s.store.UpdateProfessional(ctx, id, func(pr *Professional, _ *Account) error {
		from = pr.Status
		if err := decide(&pr.Status, &pr.RejectionReason, d); err != nil {
			return err
		}
		pr.UpdatedAt = now
		out = *pr
		return nil
	}, ev)
	if err != nil {
		return Professional{}, err
	}
	s.log.Info("professional decided", "professional_id", id, "status", string(out.Status), "by", p.AccountID)
	s.recordAudit(ctx, actor(p, ports.AuditRecord{Action: decisionAction("professional", from, d.Approve), ObjectType: "professional",
		ObjectID: id, SubjectID: id, Details: map[string]string{"status": string(out.Status), "previous_status": string(from)}}))
	return out, nil
}

// DecideCompany verifies or rejects a company (platform admins only).
func (s *Service) DecideCompany(ctx context.Context, p kernel.Principal, id kernel.ID, d Decision) (Company, error) {
	if err := Authorize(p, ActAdminister, ""); err != nil {
		return Company{}, err
	}
	if err := d.validate(); err != nil {
		return Company{}, err
	}
	now := s.clock.Now()
	topic := "identity.company.verified"
	if !d.Approve {
		topic = "identity.company.rejected"
	}
	ev := kernel.NewEvent(topic, id, map[string]any{"company_id": id, "by": p.AccountID}, now)
	var out Company
	var from Status
	err := s.store.UpdateCompany(ctx, id, func(c *Company) error {
		from = c.Status
		if err := decide(&c.Status, &c.RejectionReason, d); err != nil {
			return err
		}
		c.UpdatedAt = now
		out = *c
		return nil
	}, ev)
	if err != nil {
		return Company{}, err
	}
	s.log.Info("company decided", "company_id", id, "status", string(out.Status), "by", p.AccountID)
	s.recordAudit(ctx, actor(p, ports.AuditRecord{Action: decisionAction("company", from, d.Approve), ObjectType: "company",
		ObjectID: id, Details: map[string]string{"status": string(out.Status), "previous_status": string(from)}}))
	return out, nil
}

func parseStatus(s string) (Status, error) {
	switch st := Status(s); st {
	case "", StatusPending, StatusVerified, StatusRejected:
		return st, nil
	}
	return "", kernel.Invalid("status", "deve ser pending_verification, verified ou rejected")
}

// AdminListProfessionals lists professionals by status ("" for pending) for admins.
func (s *Service) AdminListProfessionals(ctx context.Context, p kernel.Principal, status string) ([]Professional, error) {
	if err := Authorize(p, ActAdminister, ""); err != nil {
		return nil, err
	}
	st, err := parseStatus(status)
	if err != nil {
		return nil, err
	}
	if st == "" {
		st = StatusPending
	}
	return s.store.ListProfessionals(ctx, st, ProfessionalQuery{})
}

// AdminListCompanies lists companies by status ("" for pending) for admins.
func (s *Service) AdminListCompanies(ctx context.Context, p kernel.Principal, status string) ([]Company, error) {
	if err := Authorize(p, ActAdminister, ""); err != nil {
		return nil, err
	}
	st, err := parseStatus(status)
	if err != nil {
		return nil, err
	}
	if st == "" {
		st = StatusPending
	}
	return s.store.ListCompanies(ctx, st)
}
