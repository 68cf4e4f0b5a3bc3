package identity

import (
	"context"
	"log/slog"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Config holds identity's tunables. Zero fields take the defaults of DefaultConfig.
type Config struct {
	RefreshTTL        time.Duration // lifetime of a refresh token family member (30 days)
	ResetTTL          time.Duration // lifetime of a password-reset token (1 hour)
	LockoutThreshold  int           // failed logins in a row that lock an account (5)
	LockoutDuration   time.Duration // how long a locked account stays locked (15 minutes)
	LoginPerIP        int           // login attempts per IP per window (300; a whole clinic may share one address)
	LoginPerAccount   int           // login attempts per e-mail per window (10)
	RateWindow        time.Duration // the rate-limit window (1 minute)
	ResetURL          string        // link base for password-reset e-mails; the token is appended
	GeocodeTimeout    time.Duration // how long sign-up waits for the geocoder (3 seconds)
	APIKeyPrefix      string        // visible prefix of partner API keys ("msk_")
	ResetPerAccount   int           // reset e-mails per account per hour (5)
	DisableRateLimits bool          // for load tests only
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{
		RefreshTTL: 30 * 24 * time.Hour, ResetTTL: time.Hour,
		LockoutThreshold: 5, LockoutDuration: 15 * time.Minute,
		LoginPerIP: 300, LoginPerAccount: 10, RateWindow: time.Minute,
		ResetURL: "https://app.multisaude.com.br/reset-password?token=", GeocodeTimeout: 3 * time.Second,
		APIKeyPrefix: "msk_", ResetPerAccount: 5,
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.RefreshTTL <= 0 {
		c.RefreshTTL = d.RefreshTTL
	}
	if c.ResetTTL <= 0 {
		c.ResetTTL = d.ResetTTL
	}
	if c.LockoutThreshold <= 0 {
		c.LockoutThreshold = d.LockoutThreshold
	}
	if c.LockoutDuration <= 0 {
		c.LockoutDuration = d.LockoutDuration
	}
	if c.LoginPerIP <= 0 {
		c.LoginPerIP = d.LoginPerIP
	}
	if c.LoginPerAccount <= 0 {
		c.LoginPerAccount = d.LoginPerAccount
	}
	if c.RateWindow <= 0 {
		c.RateWindow = d.RateWindow
	}
	if c.ResetURL == "" {
		c.ResetURL = d.ResetURL
	}
	if c.GeocodeTimeout <= 0 {
		c.GeocodeTimeout = d.GeocodeTimeout
	}
	if c.APIKeyPrefix == "" {
		c.APIKeyPrefix = d.APIKeyPrefix
	}
	if c.ResetPerAccount <= 0 {
		c.ResetPerAccount = d.ResetPerAccount
	}
	return c
}

// Service holds identity's use cases.
type Service struct {
	store    Store
	hasher   PasswordHasher
	idp      ports.IdentityProvider
	issuer   TokenIssuer // nil when tokens are issued elsewhere (Cognito, Keycloak)
	geocoder ports.Geocoder
	notifier ports.Notifier
	clock    kernel.Clock
	log      *slog.Logger
	cfg      Config
	counters RateCounters     // shared by every instance when the store has them
	dummy    string           // a hash to verify against when the e-mail is unknown, so timing does not tell
	audit    ports.AuditTrail // administrative and security actions; nil: not kept (unit tests)
	dir      directory        // the verified professionals, for listings
}

// UseAudit makes administrative and security actions land in the audit trail.
func (s *Service) UseAudit(t ports.AuditTrail) { s.audit = t }

// NewService builds the service. issuer may be nil when the identity provider
// issues its own tokens; geocoder and notifier may be nil in tests (no point,
// no e-mail).
func NewService(store Store, hasher PasswordHasher, idp ports.IdentityProvider, issuer TokenIssuer,
	geocoder ports.Geocoder, notifier ports.Notifier, clock kernel.Clock, log *slog.Logger, cfg Config) (*Service, error) {
	if clock == nil {
		clock = kernel.SystemClock{}
	}
	if log == nil {
		log = slog.Default()
	}
	cfg = cfg.withDefaults()
	dummy, err := hasher.Hash("not-a-real-password-" + kernel.NewID())
	if err != nil {
		return nil, kernel.Internal(err, "hash")
	}
	return &Service{store: store, hasher: hasher, idp: idp, issuer: issuer, geocoder: geocoder, notifier: notifier,
		clock: clock, log: log.With("context", "identity"), cfg: cfg, counters: countersOf(store), dummy: dummy}, nil
}

// countersOf returns the store's shared rate counters, or per-process ones.
func countersOf(store Store) RateCounters {
	if c, ok := store.(RateCounters); ok {
		return c
	}
	return NewMemoryCounters()
}

// Config returns the effective configuration.
func (s *Service) Config() Config { return s.cfg }

// geocode places an address; a failure is logged and leaves no point.
func (s *Service) geocode(ctx context.Context, a Address) *ports.Point {
	if s.geocoder == nil || a.City == "" && a.CEP == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.GeocodeTimeout)
	defer cancel()
	pt, err := s.geocoder.Geocode(ctx, a.Port())
	if err != nil {
		s.log.Warn("geocoding failed; the account is kept without a point", "uf", a.UF, "kind", string(kernel.KindOf(err)))
		return nil
	}
	return &pt
}
