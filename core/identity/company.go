package identity

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// MemberInput adds a person to a company. Without a password the person gets
// an e-mail to choose one.
type MemberInput struct{ Name, Email, Password, Role string }

// Members lists a company's members (its admins and staff may look).
func (s *Service) Members(ctx context.Context, p kernel.Principal, companyID kernel.ID) ([]Member, error) {
	if err := Authorize(p, ActViewCompany, companyID); err != nil {
		return nil, err
	}
	if _, err := s.LookupCompany(ctx, companyID); err != nil {
		return nil, err
	}
	accs, err := s.store.Members(ctx, companyID)
	if err != nil {
		return nil, err
	}
	out := make([]Member, 0, len(accs))
	for _, a := range accs {
		out = append(out, memberOf(a))
	}
	return out, nil
}

func memberOf(a Account) Member {
	return Member{AccountID: a.ID, CompanyID: a.CompanyID, Name: a.Name, Email: a.Email, Role: a.Role, CreatedAt: a.CreatedAt}
}

// AddMember creates a member account in the company (its admins only).
func (s *Service) AddMember(ctx context.Context, p kernel.Principal, companyID kernel.ID, in MemberInput) (Member, error) {
	if err := Authorize(p, ActManageMembers, companyID); err != nil {
		return Member{}, err
	}
	var prob kernel.Problems
	a := Account{
		Name:  checkText(&prob, "name", in.Name, true, MaxNameLen),
		Email: checkEmail(&prob, "email", in.Email),
	}
	switch in.Role {
	case "":
		prob.Add("role", "é obrigatório")
	case RoleAdmin, RoleStaff:
		a.Role = in.Role
	default:
		prob.Add("role", "deve ser admin ou staff")
	}
	invite := in.Password == ""
	pw := in.Password
	if invite {
		pw = randomToken(24)
	} else {
		CheckPassword("password", in.Password, a.Email, &prob)
	}
	if err := prob.Err(); err != nil {
		return Member{}, err
	}
	// Before verification nobody knows who runs the company: it may not create
	// accounts nor have the platform e-mail invitations to any address it names.
	co, err := s.LookupCompany(ctx, companyID)
	if err != nil {
		return Member{}, err
	}
	if !co.Verified() {
		return Member{}, kernel.Forbidden("membros podem ser adicionados depois que a plataforma verificar a empresa")
	}
	hash, err := s.hasher.Hash(pw)
	if err != nil {
		return Member{}, kernel.Internal(err, "hash password")
	}
	now := s.clock.Now()
	a.ID, a.Kind, a.CompanyID, a.PasswordHash, a.CreatedAt, a.UpdatedAt = kernel.NewID(), kernel.KindCompanyMember, companyID, hash, now, now
	ev := kernel.NewEvent("identity.company.member_added", companyID, map[string]any{"company_id": companyID, "account_id": a.ID, "role": a.Role}, now)
	reg := s.registration(a, pw, "email", "password")
	if err := reg.finish(ctx, s.store.CreateAccount(ctx, a, reg.register, ev)); err != nil {
		return Member{}, err
	}
	a.Subject = reg.subject
	if invite {
		if err := s.sendResetLink(ctx, a, "member_invitation", now); err != nil {
			s.log.Warn("member invitation not sent", "account_id", a.ID, "kind", string(kernel.KindOf(err)))
		}
	}
	s.log.Info("company member added", "company_id", companyID, "account_id", a.ID, "by", p.AccountID)
	s.recordAudit(ctx, actor(p, ports.AuditRecord{Action: "company.member_add", ObjectType: "account", ObjectID: a.ID, SubjectID: a.ID,
		Details: map[string]string{"company_id": companyID, "role": a.Role, "invited": strconv.FormatBool(invite)}}))
	return memberOf(a), nil
}

// RemoveMember disables a member account (company admins only); the last
// admin cannot be removed (conflict).
func (s *Service) RemoveMember(ctx context.Context, p kernel.Principal, companyID, accountID kernel.ID) error {
	if err := Authorize(p, ActManageMembers, companyID); err != nil {
		return err
	}
	if !kernel.ValidID(accountID) {
		return kernel.NotFound("membro não encontrado")
	}
	now := s.clock.Now()
	if err := s.store.RemoveMember(ctx, companyID, accountID, now); err != nil {
		return err
	}
	if err := s.store.EndSessions(ctx, accountID, now); err != nil {
		return err
	}
	s.log.Info("company member removed", "company_id", companyID, "account_id", accountID, "by", p.AccountID)
	s.recordAudit(ctx, actor(p, ports.AuditRecord{Action: "company.member_remove", ObjectType: "account", ObjectID: accountID,
		SubjectID: accountID, Details: map[string]string{"company_id": companyID}}))
	return nil
}

// APIKeyInput names a new key and its scopes.
type APIKeyInput struct {
	Name   string
	Scopes []string
}

// CreateAPIKey makes a partner API key (company admins only). The secret is
// returned once and stored only as a hash.
func (s *Service) CreateAPIKey(ctx context.Context, p kernel.Principal, companyID kernel.ID, in APIKeyInput) (APIKey, string, error) {
	if err := Authorize(p, ActManageAPIKeys, companyID); err != nil {
		return APIKey{}, "", err
	}
	var prob kernel.Problems
	name := checkText(&prob, "name", in.Name, true, MaxAPIKeyNameLen)
	var scopes []string
	if len(in.Scopes) == 0 {
		prob.Add("scopes", "deve listar ao menos um entre orders:read, orders:write, catalog:write, prescriptions:dispense, fhir:read")
	}
	if len(in.Scopes) > MaxScopes {
		prob.Add("scopes", "deve ter no máximo %d escopos", MaxScopes)
		in.Scopes = nil // counted first: none is looked at
	}
	for _, sc := range in.Scopes {
		if !knownScopes[sc] {
			prob.Add("scopes", "%q não é um escopo; use orders:read, orders:write, catalog:write, prescriptions:dispense ou fhir:read", sc)
			break
		}
		if !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	if err := prob.Err(); err != nil {
		return APIKey{}, "", err
	}
	if slices.Contains(scopes, ScopePrescriptionsDispense) {
		c, err := s.LookupCompany(ctx, companyID)
		if err != nil {
			return APIKey{}, "", err
		}
		if c.Type != "pharmacy" {
			return APIKey{}, "", kernel.Invalid("scopes", "prescriptions:dispense é exclusivo para farmácias")
		}
	}
	idb := make([]byte, 6)
	if _, err := rand.Read(idb); err != nil {
		return APIKey{}, "", kernel.Internal(err, "randomness")
	}
	prefix := s.cfg.APIKeyPrefix + hex.EncodeToString(idb)
	secret := randomToken(32)
	now := s.clock.Now()
	k := APIKey{ID: kernel.NewID(), CompanyID: companyID, Name: name, Prefix: prefix, SecretHash: hashSecret(secret),
		Scopes: sortStrings(scopes), CreatedBy: p.AccountID, CreatedAt: now}
	if err := s.store.CreateAPIKey(ctx, k); err != nil {
		return APIKey{}, "", err
	}
	s.log.Info("API key created", "company_id", companyID, "key_id", k.ID, "by", p.AccountID)
	s.recordAudit(ctx, actor(p, ports.AuditRecord{Action: "api_key.create", ObjectType: "api_key", ObjectID: k.ID,
		Details: map[string]string{"company_id": companyID, "scopes": strings.Join(k.Scopes, " ")}}))
	return k, prefix + "_" + secret, nil
}

// APIKeys lists a company's keys (company admins only); secrets are never shown.
func (s *Service) APIKeys(ctx context.Context, p kernel.Principal, companyID kernel.ID) ([]APIKey, error) {
	if err := Authorize(p, ActManageAPIKeys, companyID); err != nil {
		return nil, err
	}
	return s.store.APIKeys(ctx, companyID)
}

// RevokeAPIKey revokes a key at once (company admins only).
func (s *Service) RevokeAPIKey(ctx context.Context, p kernel.Principal, companyID, keyID kernel.ID) error {
	if err := Authorize(p, ActManageAPIKeys, companyID); err != nil {
		return err
	}
	if !kernel.ValidID(keyID) {
		return kernel.NotFound("chave de API não encontrada")
	}
	if err := s.store.RevokeAPIKey(ctx, companyID, keyID, s.clock.Now()); err != nil {
		return err
	}
	s.log.Info("API key revoked", "company_id", companyID, "key_id", keyID, "by", p.AccountID)
	s.recordAudit(ctx, actor(p, ports.AuditRecord{Action: "api_key.revoke", ObjectType: "api_key", ObjectID: keyID,
		Details: map[string]string{"company_id": companyID}}))
	return nil
}
