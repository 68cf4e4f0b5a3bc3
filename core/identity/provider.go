package identity

import (
	"context"
	"errors"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Sign-up and the identity provider: the account is written first, inside a
// transaction; the provider's user is created last in that transaction, so a
// duplicate e-mail or CPF (the common failure) never reaches the provider, and
// a provider failure rolls the rows and their events back. When the
// transaction still fails after the provider created the user (a lost commit),
// the user is deleted again (DeleteUser). A provider user without an account
// can do nothing meanwhile: Authenticate requires the account.

// registration is one account's user at the identity provider.
type registration struct {
	s             *Service
	user          ports.NewUser
	emailField    string // the request's field for the e-mail ("email", "admin.email")
	passwordField string
	subject       string // set once the provider created the user
}

func (s *Service) registration(acc Account, password, emailField, passwordField string) *registration {
	u := ports.NewUser{AccountID: acc.ID, Email: acc.Email, Password: password, Kind: acc.Kind, CompanyID: acc.CompanyID}
	u.Roles = acc.Principal().Roles
	return &registration{s: s, user: u, emailField: emailField, passwordField: passwordField}
}

// register is the store's Register hook. A transaction retried by the store
// finds the user already created and does not create it twice.
func (r *registration) register(ctx context.Context) (string, error) {
	if r.subject != "" || r.s.idp == nil {
		return r.subject, nil
	}
	sub, err := r.s.idp.CreateUser(ctx, r.user)
	if err != nil {
		return "", r.translate(err)
	}
	if sub == "" {
		sub = r.user.AccountID
	}
	r.subject = sub
	return sub, nil
}

// translate names the request's fields in the provider's refusals.
func (r *registration) translate(err error) error {
	var ke *kernel.Error
	errors.As(err, &ke)
	switch kernel.KindOf(err) {
	case kernel.KindConflict:
		return kernel.ConflictField(r.emailField, "já existe uma conta com este e-mail no provedor de identidade")
	case kernel.KindInvalid:
		if ke != nil {
			for _, f := range ke.Fields {
				if f.Field == "password" {
					return kernel.Invalid(r.passwordField, "não é aceita pela política de senhas do provedor de identidade")
				}
			}
		}
		return err
	}
	return kernel.Wrap(err, "create the user at the identity provider")
}

// finish returns the store's answer; when the store failed after the provider
// created the user, the user is deleted so that nothing half-made remains.
func (r *registration) finish(ctx context.Context, err error) error {
	if err == nil || r.subject == "" || r.s.idp == nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if derr := r.s.idp.DeleteUser(ctx, r.subject); derr != nil && kernel.KindOf(derr) != kernel.KindNotFound {
		r.s.log.Error("the account was not stored and its user at the identity provider could not be deleted; delete it by hand",
			"account_id", r.user.AccountID, "subject", r.subject, "kind", string(kernel.KindOf(derr)))
	} else {
		r.s.log.Warn("the account was not stored; its user at the identity provider was deleted", "account_id", r.user.AccountID)
	}
	r.subject = ""
	return err
}

// errProviderSignIn answers the password and refresh grants when an outside
// provider (Cognito, Keycloak) issues the tokens.
var errProviderSignIn = &kernel.Error{Kind: kernel.KindInvalid, Message: "entre pelo provedor de identidade",
	Fields: []kernel.FieldError{{Field: "grant_type", Message: "não é atendido aqui: entre pelo provedor de identidade"}}}

// sessionEnded reports whether a token issued at iat was issued before the
// account's sessions were ended at validAfter. validAfter is cut to the
// precision of iat (whole seconds from most providers, milliseconds from the
// local one), so that a token issued just after a logout is never refused; a
// token of unknown age cannot be shown to be newer, so it is refused.
func sessionEnded(iat, validAfter time.Time) bool {
	if validAfter.IsZero() {
		return false
	}
	if iat.IsZero() {
		return true
	}
	switch {
	case iat.Nanosecond() == 0:
		validAfter = validAfter.Truncate(time.Second)
	case iat.Nanosecond()%int(time.Millisecond) == 0:
		validAfter = validAfter.Truncate(time.Millisecond)
	}
	return iat.Before(validAfter)
}
