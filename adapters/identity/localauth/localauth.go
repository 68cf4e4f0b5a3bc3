// Package localauth is the local identity provider: it signs short-lived access
// tokens (JWT, EdDSA over Ed25519) with a key kept in the data folder, verifies
// them, and publishes the public key as a JWKS. Credentials themselves live in
// identity's store; CreateUser, SetPassword and DeleteUser have nothing to do here.
//
// It uses github.com/golang-jwt/jwt/v5: signing and verifying one local key
// needs only its small API (algorithm allow-list, issuer, audience, required
// expiry, leeway), and a one-key JWKS is a few lines. jwx's strengths, fetching
// and caching remote key sets, belong to the Cognito and Keycloak adapters.
package localauth

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Config configures the provider.
type Config struct {
	Issuer    string        // the iss claim and the expected issuer ("multisaude")
	Audience  string        // the aud claim ("multisaude-api")
	AccessTTL time.Duration // access token lifetime (15 minutes)
	KeyFile   string        // PEM (PKCS #8) Ed25519 private key; created when missing
	Leeway    time.Duration // clock skew tolerated when verifying (30 seconds)
}

func (c Config) withDefaults() Config {
	if c.Issuer == "" {
		c.Issuer = "multisaude"
	}
	if c.Audience == "" {
		c.Audience = "multisaude-api"
	}
	if c.AccessTTL <= 0 {
		c.AccessTTL = 15 * time.Minute
	}
	if c.Leeway <= 0 {
		c.Leeway = 30 * time.Second
	}
	return c
}

// Provider signs and verifies access tokens.
type Provider struct {
	cfg    Config
	key    ed25519.PrivateKey
	pub    ed25519.PublicKey
	kid    string
	clock  kernel.Clock
	parser *jwt.Parser
	jwks   []byte
	seen   verified
}

// verified remembers tokens whose signature and claims were checked, keyed by
// the token's SHA-256, until they expire: one key per provider, so the same
// bytes verify the same way until then, and an Ed25519 check (~90 µs) is spent
// once per token instead of once per request. Expiry, iat and nbf are checked
// against the clock on every hit; revocation (logout) is the account check in
// identity.Authenticate, which still runs on every request.
type verified struct {
	mu sync.RWMutex
	m  map[[32]byte]verifiedToken
}

type verifiedToken struct {
	p                  kernel.Principal
	notBefore, expires time.Time // with the leeway applied
}

const maxVerified = 100_000

var (
	_ ports.IdentityProvider = (*Provider)(nil)
	_ identity.TokenIssuer   = (*Provider)(nil)
)

// New loads the signing key from cfg.KeyFile, creating it (mode 0600) when it
// does not exist. With an empty KeyFile the key lives in memory only (tests).
func New(cfg Config, clock kernel.Clock) (*Provider, error) {
	cfg = cfg.withDefaults()
	if clock == nil {
		clock = kernel.SystemClock{}
	}
	key, err := loadOrCreateKey(cfg.KeyFile)
	if err != nil {
		return nil, err
	}
	return newProvider(cfg, key, clock), nil
}

// NewWithKey builds a provider on a given key (tests).
func NewWithKey(cfg Config, key ed25519.PrivateKey, clock kernel.Clock) *Provider {
	if clock == nil {
		clock = kernel.SystemClock{}
	}
	return newProvider(cfg.withDefaults(), key, clock)
}

func newProvider(cfg Config, key ed25519.PrivateKey, clock kernel.Clock) *Provider {
	pub := key.Public().(ed25519.PublicKey)
	sum := sha256.Sum256(pub)
	p := &Provider{cfg: cfg, key: key, pub: pub, kid: base64.RawURLEncoding.EncodeToString(sum[:12]), clock: clock}
	p.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(cfg.Issuer), jwt.WithAudience(cfg.Audience),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithLeeway(cfg.Leeway),
		jwt.WithTimeFunc(clock.Now),
	)
	p.jwks, _ = json.Marshal(map[string]any{"keys": []any{map[string]string{
		"kty": "OKP", "crv": "Ed25519", "x": base64.RawURLEncoding.EncodeToString(pub),
		"kid": p.kid, "alg": "EdDSA", "use": "sig",
	}}})
	return p
}

// loadOrCreateKey reads the key at path, creating it when missing. Instances
// sharing a volume may start together: the new key is written whole to a
// temporary file beside path and then hard-linked to path, which succeeds for
// exactly one of them, so nobody ever reads a file another is still writing.
func loadOrCreateKey(path string) (ed25519.PrivateKey, error) {
	if path == "" {
		_, key, err := ed25519.GenerateKey(rand.Reader)
		return key, err
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if err := createKey(path); err != nil {
			return nil, err
		}
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("localauth: read key file: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("localauth: %s holds no PEM block", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("localauth: parse key: %w", err)
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("localauth: %s is not an Ed25519 key", path)
	}
	return key, nil
}

// createKey writes a new key to path unless another process has just done so.
func createKey(path string) error {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("localauth: create key folder: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".jwt-key-*.tmp")
	if err != nil {
		return fmt.Errorf("localauth: create key file: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	err = f.Chmod(0o600)
	if err == nil {
		err = pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der})
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("localauth: write key file: %w", err)
	}
	if err := os.Link(tmp, path); err != nil && !errors.Is(err, os.ErrExist) { // ErrExist: another process created it first
		return fmt.Errorf("localauth: create key file: %w", err)
	}
	return nil
}

type claims struct {
	jwt.RegisteredClaims
	Kind      string   `json:"kind"`
	Roles     []string `json:"roles,omitempty"`
	CompanyID string   `json:"cid,omitempty"`
	// SessionID is the sign-in session (refresh-token family) the token
	// belongs to; identity refuses the token once that session is logged out.
	SessionID string `json:"sid,omitempty"`
	// IssuedAtMs is iat in Unix milliseconds: iat itself has whole seconds,
	// too coarse to tell a token issued just before a logout from one issued
	// just after it in the same second.
	IssuedAtMs int64 `json:"iat_ms,omitempty"`
}

// issuedAt is the precise iat when iat_ms agrees with iat, else iat.
func (c claims) issuedAt() time.Time {
	if c.IssuedAt == nil {
		return time.Time{}
	}
	iat := c.IssuedAt.Time
	if c.IssuedAtMs > 0 {
		if ms := time.UnixMilli(c.IssuedAtMs); ms.Truncate(time.Second).Equal(iat.Truncate(time.Second)) {
			return ms.UTC()
		}
	}
	return iat.UTC()
}

// Issue signs an access token for p.
func (p *Provider) Issue(_ context.Context, pr kernel.Principal) (string, time.Duration, error) {
	now := p.clock.Now()
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: p.cfg.Issuer, Subject: pr.AccountID, Audience: jwt.ClaimStrings{p.cfg.Audience},
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(p.cfg.AccessTTL)), ID: kernel.NewID(),
		},
		Kind: string(pr.Kind), Roles: pr.Roles, CompanyID: pr.CompanyID, SessionID: pr.SessionID, IssuedAtMs: now.UnixMilli(),
	}
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	t.Header["kid"] = p.kid
	s, err := t.SignedString(p.key)
	if err != nil {
		return "", 0, kernel.Internal(err, "sign token")
	}
	return s, p.cfg.AccessTTL, nil
}

// Verify checks signature, algorithm, issuer, audience, expiry and not-before.
func (p *Provider) Verify(_ context.Context, token string) (kernel.Principal, error) {
	if len(token) > 4096 {
		return kernel.Anonymous, kernel.Unauthenticated("o token é longo demais")
	}
	sum := sha256.Sum256([]byte(token))
	now := p.clock.Now()
	p.seen.mu.RLock()
	v, ok := p.seen.m[sum]
	p.seen.mu.RUnlock()
	if ok && !now.Before(v.notBefore) && now.Before(v.expires) {
		out := v.p
		out.Roles = slices.Clone(v.p.Roles)
		return out, nil
	}
	pr, c, err := p.verify(token)
	if err != nil || c.ExpiresAt == nil {
		return pr, err
	}
	v = verifiedToken{p: pr, expires: c.ExpiresAt.Add(p.cfg.Leeway)}
	if c.IssuedAt != nil {
		v.notBefore = c.IssuedAt.Add(-p.cfg.Leeway)
	}
	if c.NotBefore != nil && c.NotBefore.Add(-p.cfg.Leeway).After(v.notBefore) {
		v.notBefore = c.NotBefore.Add(-p.cfg.Leeway)
	}
	v.p.Roles = slices.Clone(pr.Roles)
	p.seen.mu.Lock()
	if p.seen.m == nil || len(p.seen.m) >= maxVerified {
		p.seen.m = make(map[[32]byte]verifiedToken)
	}
	p.seen.m[sum] = v
	p.seen.mu.Unlock()
	return pr, nil
}

// verify checks the token's signature and claims.
func (p *Provider) verify(token string) (kernel.Principal, claims, error) {
	var c claims
	_, err := p.parser.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		if kid, _ := t.Header["kid"].(string); kid != p.kid {
			return nil, errors.New("unknown key")
		}
		return p.pub, nil
	})
	if err != nil {
		return kernel.Anonymous, c, &kernel.Error{Kind: kernel.KindUnauthenticated, Message: "o token é inválido ou expirou", Err: err}
	}
	kind := kernel.AccountKind(c.Kind)
	switch kind {
	case kernel.KindPatient, kernel.KindProfessional, kernel.KindAdmin:
	case kernel.KindCompanyMember:
		if !kernel.ValidID(c.CompanyID) {
			return kernel.Anonymous, c, kernel.Unauthenticated("o token não indica nenhuma empresa")
		}
	default:
		return kernel.Anonymous, c, kernel.Unauthenticated("o token não indica nenhum tipo de conta")
	}
	if !kernel.ValidID(c.Subject) {
		return kernel.Anonymous, c, kernel.Unauthenticated("o token não indica nenhuma conta")
	}
	return kernel.Principal{AccountID: c.Subject, Kind: kind, Roles: c.Roles, CompanyID: c.CompanyID, IssuedAt: c.issuedAt(),
		SessionID: c.SessionID}, c, nil
}

// CreateUser has nothing to do: the account and its password hash live in
// identity's store. It returns the account ID as the subject.
func (p *Provider) CreateUser(_ context.Context, u ports.NewUser) (string, error) {
	return u.AccountID, nil
}

// SetPassword has nothing to do for the same reason.
func (p *Provider) SetPassword(context.Context, string, string) error { return nil }

// DeleteUser has nothing to do for the same reason.
func (p *Provider) DeleteUser(context.Context, string) error { return nil }

// JWKS returns the public key set as JSON.
func (p *Provider) JWKS() []byte { return p.jwks }

// KeyID is the current key's ID (the kid header).
func (p *Provider) KeyID() string { return p.kid }
