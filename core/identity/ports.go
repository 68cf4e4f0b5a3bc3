package identity

import (
	"context"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// PasswordHasher hashes and checks passwords (argon2id in production).
type PasswordHasher interface {
	// Hash returns an encoded hash that carries its own parameters and salt.
	Hash(password string) (string, error)
	// Verify reports whether password matches encoded; a malformed hash is an error.
	Verify(encoded, password string) (bool, error)
}

// TokenIssuer signs access tokens for principals (the local identity provider).
type TokenIssuer interface {
	// Issue returns a signed access token for p and how long it lives.
	Issue(ctx context.Context, p kernel.Principal) (token string, ttl time.Duration, err error)
}
