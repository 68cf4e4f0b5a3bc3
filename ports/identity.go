package ports

import (
	"context"

	"github.com/multisaude/multisaude/core/kernel"
)

// NewUser is an account to create at an identity provider.
type NewUser struct {
	AccountID kernel.ID // our account ID, kept by the provider as an attribute
	Email     string
	Password  string
	Kind      kernel.AccountKind
	Roles     []string
	CompanyID kernel.ID
}

// IdentityProvider authenticates callers. The local provider issues its own
// tokens; Cognito and Keycloak verify tokens issued by them.
type IdentityProvider interface {
	// Verify checks a bearer token (signature, issuer, audience, expiry, not-before)
	// and returns who it names, with IssuedAt set from the token's iat. Any
	// failure is kernel.KindUnauthenticated.
	Verify(ctx context.Context, token string) (kernel.Principal, error)
	// CreateUser registers an account; kernel.KindConflict if the e-mail exists there.
	// It returns the provider's subject for the user.
	CreateUser(ctx context.Context, u NewUser) (string, error)
	// SetPassword replaces the password of the user with that subject.
	SetPassword(ctx context.Context, subject, password string) error
	// DeleteUser removes the user with that subject (it undoes a CreateUser
	// whose account could not be stored); kernel.KindNotFound when absent.
	DeleteUser(ctx context.Context, subject string) error
}
