package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging"
	"github.com/multisaude/multisaude/ports"
)

// LoginInput is a password grant.
type LoginInput struct {
	Email       string
	Password    string
	AccountKind string // optional; needed only when one e-mail has accounts of several kinds
	IP          string
}

// Tokens is what a successful grant returns.
type Tokens struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    time.Duration
	Principal    kernel.Principal
}

var errBadLogin = kernel.Unauthenticated("e-mail ou senha incorretos")

const msgTooManyLogins = "muitas tentativas de login; aguarde um minuto"

var errLocked = kernel.TooMany("muitas tentativas sem sucesso; tente novamente mais tarde ou redefina a senha")

func accountKindOf(s string) (kernel.AccountKind, bool) {
	switch k := kernel.AccountKind(s); k {
	case kernel.KindPatient, kernel.KindProfessional, kernel.KindCompanyMember, kernel.KindAdmin:
		return k, true
	}
	return "", false
}

// Login checks a password grant and issues tokens. The answer never says
// whether the e-mail exists: an unknown e-mail fails, and eventually locks,
// the same way a wrong password does.
func (s *Service) Login(ctx context.Context, in LoginInput) (Tokens, error) {
	if s.issuer == nil {
		return Tokens{}, errProviderSignIn
	}
	var p kernel.Problems
	email := checkEmail(&p, "email", in.Email)
	if in.Password == "" {
		p.Add("password", "é obrigatório")
	} else if len(in.Password) > MaxPasswordLen {
		p.Add("password", "deve ter no máximo %d bytes", MaxPasswordLen)
	}
	var kind kernel.AccountKind
	if in.AccountKind != "" {
		k, ok := accountKindOf(in.AccountKind)
		if !ok {
			p.Add("account_kind", "deve ser patient, professional, company_member ou admin")
		}
		kind = k
	}
	if err := p.Err(); err != nil {
		return Tokens{}, err
	}
	now := s.clock.Now()
	if err := s.throttle(ctx, msgTooManyLogins, limit{"login-ip:" + in.IP, s.cfg.LoginPerIP, s.cfg.RateWindow},
		limit{"login-email:" + email, s.cfg.LoginPerAccount, s.cfg.RateWindow}); err != nil {
		return Tokens{}, err
	}
	all, err := s.store.AccountsByEmail(ctx, email)
	if err != nil {
		return Tokens{}, err
	}
	var cands []Account
	for _, a := range all {
		if !a.Disabled && (kind == "" || a.Kind == kind) {
			cands = append(cands, a)
		}
	}
	if len(cands) == 0 {
		_, _ = s.hasher.Verify(s.dummy, in.Password) // same work as for a real account
		key := "unknown:" + email
		n, err := s.counters.CounterValue(ctx, key, s.cfg.LockoutDuration, now)
		if err != nil {
			return Tokens{}, err
		}
		if n >= s.cfg.LockoutThreshold {
			return Tokens{}, errLocked
		}
		if _, err := s.counters.HitCounter(ctx, key, s.cfg.LockoutDuration, now); err != nil {
			return Tokens{}, err
		}
		return Tokens{}, errBadLogin
	}
	var matched []Account
	locked := 0
	for _, a := range cands {
		ok, err := s.hasher.Verify(a.PasswordHash, in.Password)
		if err != nil {
			return Tokens{}, kernel.Internal(err, "verify password")
		}
		if a.LockedUntil.After(now) {
			locked++
			continue
		}
		if ok {
			matched = append(matched, a)
		}
	}
	switch {
	case len(matched) == 0 && locked == len(cands):
		return Tokens{}, errLocked
	case len(matched) == 0:
		for _, a := range cands {
			if a.LockedUntil.After(now) {
				continue
			}
			lockedNow := false
			err := s.store.UpdateAccount(ctx, a.ID, func(acc *Account) error {
				lockedNow = false
				acc.FailedLogins++
				if acc.FailedLogins >= s.cfg.LockoutThreshold {
					acc.LockedUntil = now.Add(s.cfg.LockoutDuration)
					acc.FailedLogins = 0
					lockedNow = true
					s.log.Warn("account locked after failed sign-ins", "account_id", acc.ID)
				}
				return nil
			})
			if err != nil {
				return Tokens{}, err
			}
			if lockedNow {
				s.recordAudit(ctx, ports.AuditRecord{ActorKind: "system", Action: "account.lock", ObjectType: "account", ObjectID: a.ID,
					SubjectID: a.ID, Details: map[string]string{"reason": "failed_sign_ins"}})
			}
		}
		return Tokens{}, errBadLogin
	case len(matched) > 1:
		return Tokens{}, kernel.Invalid("account_kind", "várias contas usam este e-mail; informe qual: patient, professional, company_member ou admin")
	}
	acc := matched[0]
	if acc.FailedLogins > 0 || !acc.LockedUntil.IsZero() {
		if err := s.store.UpdateAccount(ctx, acc.ID, func(a *Account) error {
			a.FailedLogins, a.LockedUntil = 0, time.Time{}
			return nil
		}); err != nil {
			return Tokens{}, err
		}
	}
	if acc.Kind == kernel.KindAdmin {
		// A platform admin's sign-in is a security action: with no audit entry, no sign-in.
		if err := s.appendAudit(ctx, ports.AuditRecord{ActorID: acc.ID, ActorKind: string(acc.Kind), Action: "admin.sign_in",
			ObjectType: "account", ObjectID: acc.ID, SubjectID: acc.ID, Details: map[string]string{"method": "password"}}); err != nil {
			s.log.Error("audit trail append failed; the admin sign-in is refused", "account_id", acc.ID, "kind", string(kernel.KindOf(err)))
			return Tokens{}, kernel.Unavailable(err, "o registro de auditoria está indisponível; tente novamente em instantes")
		}
	}
	return s.issue(ctx, acc, kernel.NewID(), now)
}

func (s *Service) issue(ctx context.Context, acc Account, family kernel.ID, now time.Time) (Tokens, error) {
	p := acc.Principal()
	p.SessionID = family // the access token names its session: logging it out ends the token
	access, ttl, err := s.issuer.Issue(ctx, p)
	if err != nil {
		return Tokens{}, kernel.Wrap(err, "issue access token")
	}
	secret := randomToken(32)
	rt := RefreshToken{ID: kernel.NewID(), Family: family, AccountID: acc.ID, Hash: hashSecret(secret),
		ExpiresAt: now.Add(s.cfg.RefreshTTL), CreatedAt: now}
	if err := s.store.CreateRefreshToken(ctx, rt); err != nil {
		return Tokens{}, err
	}
	return Tokens{AccessToken: access, RefreshToken: secret, ExpiresIn: ttl, Principal: p}, nil
}

var errBadRefresh = kernel.Unauthenticated("o refresh token é inválido, expirou ou foi revogado; entre novamente")

// Refresh rotates a refresh token: the old one is spent and a new pair issued.
// Presenting a spent or revoked token again revokes its whole family, since one
// of the two holders is not the account's owner.
func (s *Service) Refresh(ctx context.Context, refreshToken, ip string) (Tokens, error) {
	if s.issuer == nil {
		return Tokens{}, errProviderSignIn
	}
	if strings.TrimSpace(refreshToken) == "" {
		return Tokens{}, kernel.Invalid("refresh_token", "é obrigatório")
	}
	now := s.clock.Now()
	if err := s.throttle(ctx, msgTooManyLogins, limit{"login-ip:" + ip, s.cfg.LoginPerIP, s.cfg.RateWindow}); err != nil {
		return Tokens{}, err
	}
	if len(refreshToken) > 200 {
		return Tokens{}, errBadRefresh
	}
	old, err := s.store.ConsumeRefreshToken(ctx, hashSecret(refreshToken), now)
	switch {
	case err == nil:
	case kernel.KindOf(err) == kernel.KindNotFound:
		return Tokens{}, errBadRefresh
	case kernel.KindOf(err) == kernel.KindConflict:
		if old.RevokedAt == nil {
			s.log.Warn("refresh token reused; revoking its family", "account_id", old.AccountID, "family", old.Family)
		}
		if err := s.store.RevokeRefreshFamily(ctx, old.Family, now); err != nil {
			return Tokens{}, err
		}
		return Tokens{}, errBadRefresh
	default:
		return Tokens{}, err
	}
	if !old.ExpiresAt.After(now) {
		return Tokens{}, errBadRefresh
	}
	acc, err := s.store.Account(ctx, old.AccountID)
	if kernel.KindOf(err) == kernel.KindNotFound || err == nil && acc.Disabled {
		return Tokens{}, errBadRefresh
	}
	if err != nil {
		return Tokens{}, err
	}
	return s.issue(ctx, acc, old.Family, now)
}

// Logout ends the session of refreshToken: its refresh-token family is revoked
// and the access tokens issued for that session (their sid claim names the
// family) stop working at once; the account's other sessions, their access
// and refresh tokens, go on. With all, and an authenticated caller, every
// session of the caller ends (every refresh token, and every access token
// issued until now). Unknown tokens are ignored.
//
// Tokens of an outside provider (Cognito, Keycloak) name no session of ours:
// their sessions are the provider's. Logout of one session has no refresh
// token of ours to revoke (the client ends it at the provider); logout of all
// refuses every provider access token issued until now, while the provider's
// refresh tokens stay valid at the provider until it ends them.
func (s *Service) Logout(ctx context.Context, p kernel.Principal, refreshToken string, all bool) error {
	now := s.clock.Now()
	if all {
		if p.IsAnonymous() || p.Kind == kernel.KindAPIKey {
			return kernel.Unauthenticated("entre para encerrar todas as sessões")
		}
		return s.store.EndSessions(ctx, p.AccountID, now)
	}
	if strings.TrimSpace(refreshToken) == "" {
		return kernel.Invalid("refresh_token", "é obrigatório")
	}
	if len(refreshToken) > 200 {
		return nil
	}
	tok, err := s.store.ConsumeRefreshToken(ctx, hashSecret(refreshToken), now)
	switch {
	case err == nil, kernel.KindOf(err) == kernel.KindConflict:
		return s.store.RevokeRefreshFamily(ctx, tok.Family, now)
	case kernel.KindOf(err) == kernel.KindNotFound:
		return nil
	}
	return err
}

// Authenticate turns a bearer credential into a principal: a partner API key
// (it starts with the configured prefix) or an access token verified by the
// identity provider. Any bad credential is kernel.KindUnauthenticated; the key
// of a company not verified (yet, or any more) is kernel.KindForbidden.
//
// A token names our account by its account ID claim (the local provider's
// subject; Cognito's custom:account_id; Keycloak's account_id). The account
// must exist, be enabled and be of the token's kind, its sessions must not
// have ended after the token was issued (logout of every session, password
// change) and the session the token names (sid) must not have been logged
// out; the principal is then the account's own (company and role as stored
// now, so a removed member or a role change applies at once). It costs one
// read (the account by primary key, with the session's state by index).
func (s *Service) Authenticate(ctx context.Context, credential string) (kernel.Principal, error) {
	if strings.HasPrefix(credential, s.cfg.APIKeyPrefix) {
		return s.authenticateKey(ctx, credential)
	}
	if s.idp == nil {
		return kernel.Anonymous, kernel.Unauthenticated("nenhum provedor de identidade")
	}
	p, err := s.idp.Verify(ctx, credential)
	if err != nil {
		if k := kernel.KindOf(err); k == kernel.KindUnavailable {
			return kernel.Anonymous, err
		}
		return kernel.Anonymous, kernel.Unauthenticated("o token é inválido ou expirou")
	}
	if !kernel.ValidID(p.AccountID) {
		return kernel.Anonymous, kernel.Unauthenticated("o token não indica nenhuma conta")
	}
	acc, ended, err := s.store.AccountSession(ctx, p.AccountID, p.SessionID)
	if kernel.KindOf(err) == kernel.KindNotFound || err == nil && acc.Disabled {
		return kernel.Anonymous, kernel.Unauthenticated("a conta foi removida")
	}
	if err != nil {
		return kernel.Anonymous, err
	}
	if acc.Kind != p.Kind || p.CompanyID != "" && p.CompanyID != acc.CompanyID {
		return kernel.Anonymous, kernel.Unauthenticated("o token não corresponde à sua conta")
	}
	if ended || sessionEnded(p.IssuedAt, acc.SessionsValidAfter) {
		return kernel.Anonymous, kernel.Unauthenticated("a sessão foi encerrada; entre novamente")
	}
	out := acc.Principal()
	out.IssuedAt, out.SessionID = p.IssuedAt, p.SessionID
	return out, nil
}

var errBadKey = kernel.Unauthenticated("a chave de API é inválida ou foi revogada")

func (s *Service) authenticateKey(ctx context.Context, credential string) (kernel.Principal, error) {
	prefix, secret, ok := splitAPIKey(s.cfg.APIKeyPrefix, credential)
	if !ok {
		return kernel.Anonymous, errBadKey
	}
	k, err := s.store.APIKeyByPrefix(ctx, prefix)
	if kernel.KindOf(err) == kernel.KindNotFound {
		return kernel.Anonymous, errBadKey
	}
	if err != nil {
		return kernel.Anonymous, err
	}
	if k.RevokedAt != nil || subtle.ConstantTimeCompare([]byte(k.SecretHash), []byte(hashSecret(secret))) != 1 {
		return kernel.Anonymous, errBadKey
	}
	c, err := s.store.Company(ctx, k.CompanyID)
	if kernel.KindOf(err) == kernel.KindNotFound {
		return kernel.Anonymous, errBadKey
	}
	if err != nil {
		return kernel.Anonymous, err
	}
	if !c.Verified() {
		return kernel.Anonymous, kernel.Forbidden("a empresa desta chave de API não está verificada; as chaves dela funcionam depois que a plataforma a verificar")
	}
	return kernel.Principal{AccountID: k.ID, Kind: kernel.KindAPIKey, CompanyID: k.CompanyID, Scopes: append([]string(nil), k.Scopes...)}, nil
}

// splitAPIKey splits "msk_<12 hex>_<secret>" into the visible prefix
// "msk_<12 hex>" and the secret.
func splitAPIKey(pfx, key string) (prefix, secret string, ok bool) {
	rest := strings.TrimPrefix(key, pfx)
	id, sec, found := strings.Cut(rest, "_")
	if !found || len(id) != 12 || len(sec) < 20 || len(sec) > 100 {
		return "", "", false
	}
	if _, err := hex.DecodeString(id); err != nil {
		return "", "", false
	}
	return pfx + id, sec, true
}

// randomToken returns n random bytes, base64url-encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("identity: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret hashes a high-entropy secret (refresh token, reset token, API key):
// SHA-256 is enough, a slow hash is for passwords.
func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// RequestPasswordReset sends a single-use reset link to every account using the
// e-mail (of kind, when given). It answers the same whether or not one exists.
func (s *Service) RequestPasswordReset(ctx context.Context, email, accountKind, ip string) error {
	var p kernel.Problems
	e := checkEmail(&p, "email", email)
	var kind kernel.AccountKind
	if accountKind != "" {
		k, ok := accountKindOf(accountKind)
		if !ok {
			p.Add("account_kind", "deve ser patient, professional, company_member ou admin")
		}
		kind = k
	}
	if err := p.Err(); err != nil {
		return err
	}
	now := s.clock.Now()
	if err := s.throttle(ctx, "muitos pedidos de redefinição; aguarde um pouco", limit{"reset-ip:" + ip, s.cfg.LoginPerIP, s.cfg.RateWindow},
		limit{"reset-email:" + e, s.cfg.ResetPerAccount, time.Hour}); err != nil {
		return err
	}
	accs, err := s.store.AccountsByEmail(ctx, e)
	if err != nil {
		return err
	}
	for _, a := range accs {
		if a.Disabled || kind != "" && a.Kind != kind {
			continue
		}
		if err := s.sendResetLink(ctx, a, "password_reset", now); err != nil {
			return err
		}
	}
	return nil
}

// sendResetLink stores a single-use token for the account and e-mails its link
// with template ("password_reset", or "member_invitation" for a new member). A
// notifier failure is logged, not returned: the caller's answer must not
// depend on it.
func (s *Service) sendResetLink(ctx context.Context, a Account, template string, now time.Time) error {
	secret := randomToken(32)
	t := ResetToken{Hash: hashSecret(secret), AccountID: a.ID, ExpiresAt: now.Add(s.cfg.ResetTTL), CreatedAt: now}
	if err := s.store.CreateResetToken(ctx, t); err != nil {
		return err
	}
	if s.notifier == nil {
		s.log.Warn("no notifier: reset link not sent", "account_id", a.ID, "template", template)
		return nil
	}
	link := s.cfg.ResetURL + secret
	m := messaging.PasswordReset(link, s.cfg.ResetTTL)
	if template == messaging.TemplateMemberInvitation {
		m = messaging.MemberInvitation(link, s.cfg.ResetTTL)
	}
	n := ports.Notification{
		ID: kernel.NewID(), To: a.Email, Channel: "email", Template: m.Template, Subject: m.Subject, Body: m.Body,
		Data: map[string]string{"token": secret, "url": link, "account_kind": string(a.Kind), "expires_at": t.ExpiresAt.Format(time.RFC3339)},
	}
	if err := s.notifier.Notify(ctx, n); err != nil {
		s.log.Warn("reset link notification failed", "account_id", a.ID, "template", template, "kind", string(kernel.KindOf(err)))
	}
	return nil
}

// ConfirmPasswordReset spends a reset token and sets a new password; every
// session of the account ends and its lockout is lifted.
func (s *Service) ConfirmPasswordReset(ctx context.Context, token, password string) error {
	var p kernel.Problems
	if strings.TrimSpace(token) == "" {
		p.Add("token", "é obrigatório")
	}
	CheckPassword("password", password, "", &p)
	if err := p.Err(); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return kernel.Internal(err, "hash password")
	}
	now := s.clock.Now()
	t, err := s.store.ConsumeResetToken(ctx, hashSecret(token), now)
	if kernel.KindOf(err) == kernel.KindNotFound {
		return kernel.Invalid("token", "é inválido, já foi usado ou expirou; peça um novo")
	}
	if err != nil {
		return err
	}
	var email, subject string
	err = s.store.UpdateAccount(ctx, t.AccountID, func(a *Account) error {
		email, subject = a.Email, a.providerSubject()
		a.PasswordHash = hash
		a.FailedLogins, a.LockedUntil = 0, time.Time{}
		a.UpdatedAt = now
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.setProviderPassword(ctx, subject, password); err != nil {
		return kernel.Wrap(err, "set the password at the identity provider")
	}
	if err := s.counters.ResetCounter(ctx, "login-email:"+email); err != nil {
		s.log.Warn("sign-in counter not reset after a password reset", "kind", string(kernel.KindOf(err)))
	}
	return s.store.EndSessions(ctx, t.AccountID, now)
}

// setProviderPassword tells the identity provider about a new password for the
// user with that subject (a no-op for the local provider, whose credentials
// live in our store).
func (s *Service) setProviderPassword(ctx context.Context, subject, password string) error {
	if s.idp == nil {
		return nil
	}
	return s.idp.SetPassword(ctx, subject, password)
}
