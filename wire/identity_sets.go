package wire

import (
	"log/slog"

	gw "github.com/google/wire"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/adapters/http/httpapi/identityapi"
	"github.com/multisaude/multisaude/adapters/identity/argon2hash"
	"github.com/multisaude/multisaude/adapters/identity/localauth"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/identitysql"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// ProvideIdentityStore is identity's SQL store.
func ProvideIdentityStore(db *sqlstore.DB) *identitysql.Store { return identitysql.New(db) }

// ProvideArgon2 is the argon2id password hasher.
func ProvideArgon2(cfg Config) *argon2hash.Hasher {
	return argon2hash.New(argon2Params(cfg))
}

// ProvideIdentityConfig maps the configuration to identity's.
func ProvideIdentityConfig(cfg Config) identity.Config {
	return identity.Config{
		RefreshTTL: cfg.AuthRefreshTTL, ResetTTL: cfg.AuthResetTTL,
		LockoutThreshold: cfg.AuthLockoutThreshold, LockoutDuration: cfg.AuthLockoutDuration,
		LoginPerIP: cfg.AuthLoginPerIP, LoginPerAccount: cfg.AuthLoginPerAccount, RateWindow: cfg.AuthRateWindow,
		ResetURL: resetURL(cfg),
	}
}

// ProvideIdentityService builds identity's use cases.
func ProvideIdentityService(store identity.Store, hasher identity.PasswordHasher, idp ports.IdentityProvider, issuer identity.TokenIssuer,
	geo ports.Geocoder, notifier ports.Notifier, trail ports.AuditTrail, clock kernel.Clock, log *slog.Logger, cfg identity.Config) (*identity.Service, error) {
	svc, err := identity.NewService(store, hasher, idp, issuer, geo, notifier, clock, log, cfg)
	if err != nil {
		return nil, err
	}
	svc.UseAudit(trail)
	return svc, nil
}

// IdentitySet is identity in every profile: store, hasher, service (which is
// also the HTTP authenticator) and routes. The identity provider comes from
// the profile (LocalAuthSet for now).
var IdentitySet = gw.NewSet(
	ProvideIdentityStore, ProvideArgon2, ProvideIdentityConfig, ProvideIdentityService, identityapi.New,
	gw.Bind(new(identity.Store), new(*identitysql.Store)),
	gw.Bind(new(identity.PasswordHasher), new(*argon2hash.Hasher)),
	gw.Bind(new(httpapi.Authenticator), new(*identity.Service)),
)

// ProvideLocalAuth is the local identity provider (Ed25519 JWTs, key in the data folder).
func ProvideLocalAuth(cfg Config, clock kernel.Clock) (*localauth.Provider, error) {
	return localauth.New(localAuthConfig(cfg), clock)
}

// LocalAuthSet issues and verifies our own access tokens and publishes the JWKS.
var LocalAuthSet = gw.NewSet(ProvideLocalAuth,
	gw.Bind(new(ports.IdentityProvider), new(*localauth.Provider)),
	gw.Bind(new(identity.TokenIssuer), new(*localauth.Provider)),
	gw.Bind(new(identityapi.KeySet), new(*localauth.Provider)),
)
