// Package jwks verifies JWTs against an identity provider's published JSON
// Web Key Set. The set is cached (lestrrat-go/jwx jwk.Cache), refreshed on a
// fixed interval so that retired keys stop being accepted, and refreshed at
// once (at most every MinRefresh) when a token names a key ID not yet seen, so
// that a key rotation at the provider needs no restart here. It is shared by
// the Cognito and Keycloak identity adapters.
package jwks

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/httprc/v3"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/multisaude/multisaude/core/kernel"
)

// Config configures a key set.
type Config struct {
	URL        string        // the JWKS URL
	Refresh    time.Duration // fetch the set again this often; default 15m
	MinRefresh time.Duration // at most one extra fetch for an unknown key ID this often; default 10s
	Leeway     time.Duration // clock skew accepted on exp, nbf, iat; default 30s
	HTTPClient *http.Client  // default a client with a 10s timeout
}

// maxTokenSize bounds the work an unauthenticated caller can cause.
const maxTokenSize = 16 << 10

// KeySet verifies tokens signed by the keys at one URL.
type KeySet struct {
	cfg   Config
	cache *jwk.Cache

	// refreshMu serialises on-demand refreshes: httprc v3.0.6 can deadlock when
	// more synchronous refreshes are in flight than it has idle workers.
	refreshMu   sync.Mutex
	lastRefresh time.Time
}

// New starts the cache. The first fetch happens in the background so that a
// provider that is down at start does not stop the process; until it succeeds
// Verify answers kernel.KindUnavailable. The returned function stops the cache.
func New(ctx context.Context, cfg Config) (*KeySet, func(), error) {
	if cfg.URL == "" {
		return nil, nil, errors.New("jwks: the key set URL is empty")
	}
	if cfg.Refresh <= 0 {
		cfg.Refresh = 15 * time.Minute
	}
	if cfg.MinRefresh <= 0 {
		cfg.MinRefresh = 10 * time.Second
	}
	if cfg.Leeway <= 0 {
		cfg.Leeway = 30 * time.Second
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	cctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	cache, err := jwk.NewCache(cctx, httprc.NewClient(httprc.WithWorkers(3)))
	if err != nil {
		cancel()
		return nil, nil, fmt.Errorf("jwks: %w", err)
	}
	err = cache.Register(cctx, cfg.URL,
		jwk.WithHTTPClient(cfg.HTTPClient),
		jwk.WithConstantInterval(cfg.Refresh),
		jwk.WithMinInterval(cfg.MinRefresh),
		jwk.WithWaitReady(false))
	if err != nil {
		cancel()
		return nil, nil, fmt.Errorf("jwks: %w", err)
	}
	ks := &KeySet{cfg: cfg, cache: cache, lastRefresh: time.Now()}
	stop := func() {
		sctx, c := context.WithTimeout(context.Background(), 5*time.Second)
		defer c()
		_ = cache.Shutdown(sctx)
		cancel()
	}
	return ks, stop, nil
}

// Parse verifies the token's signature with a key of the set and its time
// claims (exp, nbf, iat with the leeway), plus whatever opts add (issuer, ...).
// A bad token is kernel.KindUnauthenticated; keys that cannot be fetched at all
// are kernel.KindUnavailable.
func (k *KeySet) Parse(ctx context.Context, token string, opts ...jwt.ParseOption) (jwt.Token, error) {
	kid, err := headerKeyID(token)
	if err != nil {
		return nil, err
	}
	set, err := k.set(ctx, kid)
	if err != nil {
		return nil, err
	}
	all := append([]jwt.ParseOption{
		jwt.WithKeySet(set, jws.WithInferAlgorithmFromKey(true)),
		jwt.WithValidate(true),
		jwt.WithAcceptableSkew(k.cfg.Leeway),
	}, opts...)
	tok, err := jwt.ParseString(token, all...)
	if err != nil {
		return nil, kernel.Unauthenticated("o token não é válido")
	}
	if _, ok := tok.Expiration(); !ok {
		return nil, kernel.Unauthenticated("o token não tem validade")
	}
	return tok, nil
}

// set returns the cached set, refreshed first when it lacks kid (at most once
// per MinRefresh, one refresh at a time; concurrent callers wait for it).
func (k *KeySet) set(ctx context.Context, kid string) (jwk.Set, error) {
	set, ok := k.lookup(ctx, kid)
	if ok {
		return set, nil
	}
	k.refreshMu.Lock()
	defer k.refreshMu.Unlock()
	if set, ok = k.lookup(ctx, kid); ok { // refreshed meanwhile
		return set, nil
	}
	if set != nil && time.Since(k.lastRefresh) < k.cfg.MinRefresh {
		return set, nil // the kid is unknown: verification fails as unauthenticated
	}
	k.lastRefresh = time.Now()
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	fresh, err := k.cache.Refresh(rctx, k.cfg.URL)
	if err == nil {
		return fresh, nil
	}
	if set == nil {
		return nil, kernel.Unavailable(err, "não foi possível obter as chaves do provedor de identidade")
	}
	return set, nil
}

// lookup returns the cached set (nil when none was fetched yet) and whether it holds kid.
func (k *KeySet) lookup(ctx context.Context, kid string) (jwk.Set, bool) {
	set, err := k.cache.Lookup(ctx, k.cfg.URL)
	if err != nil {
		return nil, false
	}
	_, ok := set.LookupKeyID(kid)
	return set, ok
}

// headerKeyID reads the kid of a compact JWS without trusting anything else in it.
func headerKeyID(token string) (string, error) {
	if len(token) > maxTokenSize {
		return "", kernel.Unauthenticated("o token é longo demais")
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[2] == "" {
		return "", kernel.Unauthenticated("o token não é um JWT assinado")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return "", kernel.Unauthenticated("o token não é um JWT assinado")
	}
	var h struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(raw, &h); err != nil || h.Kid == "" || h.Alg == "" || strings.EqualFold(h.Alg, "none") {
		return "", kernel.Unauthenticated("o token não foi assinado por uma chave conhecida")
	}
	return h.Kid, nil
}
