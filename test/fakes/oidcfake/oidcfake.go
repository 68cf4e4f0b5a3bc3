// Package oidcfake is an in-process OpenID Connect issuer for tests: discovery,
// a JWKS endpoint, key rotation and retirement, a client-credentials token
// endpoint, and a minting function that signs any claims under any header,
// including deliberately bad tokens (alg none, unknown key ID, tampered
// signature). Keys are RSA (RS256), published through lestrrat-go/jwx.
package oidcfake

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

// Options configure an issuer.
type Options struct {
	// Path is the issuer's path on the server, e.g. "/realms/multisaude" (Keycloak)
	// or "/us-east-1_Test" (Cognito). Default "".
	Path string
	// Clients are client IDs and secrets accepted by the client-credentials grant.
	Clients map[string]string
	// Handler serves every path the issuer does not (fake admin APIs).
	Handler http.Handler
}

type key struct {
	kid  string
	priv *rsa.PrivateKey
}

// Issuer is a running fake OIDC provider.
type Issuer struct {
	srv  *httptest.Server
	opts Options

	mu       sync.Mutex
	keys     []key // published; the last one signs
	fetches  int
	n        int
	tokens   map[string]string // access tokens issued by the token endpoint -> client ID
	disabled bool
}

// New starts an issuer; it stops when the test ends.
func New(t testing.TB, opts Options) *Issuer {
	t.Helper()
	i := &Issuer{opts: opts, tokens: map[string]string{}}
	i.keys = []key{i.newKey()}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+opts.Path+"/.well-known/openid-configuration", i.discovery)
	mux.HandleFunc("GET "+opts.Path+"/.well-known/jwks.json", i.jwks)
	mux.HandleFunc("POST "+opts.Path+"/token", i.token)
	if opts.Handler != nil {
		mux.Handle("/", opts.Handler)
	}
	i.srv = httptest.NewServer(mux)
	t.Cleanup(i.srv.Close)
	return i
}

// URL is the issuer identifier ("iss").
func (i *Issuer) URL() string { return i.srv.URL + i.opts.Path }

// JWKSURL is where the public keys are published.
func (i *Issuer) JWKSURL() string { return i.URL() + "/.well-known/jwks.json" }

// TokenURL is the token endpoint.
func (i *Issuer) TokenURL() string { return i.URL() + "/token" }

// Server is the underlying test server (its URL is the host of every endpoint).
func (i *Issuer) Server() *httptest.Server { return i.srv }

// Fetches counts JWKS requests served.
func (i *Issuer) Fetches() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.fetches
}

// SetDown makes every endpoint answer 503 (down is true) or work again.
func (i *Issuer) SetDown(down bool) {
	i.mu.Lock()
	i.disabled = down
	i.mu.Unlock()
}

// CurrentKeyID is the key ID that signs new tokens.
func (i *Issuer) CurrentKeyID() string {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.keys[len(i.keys)-1].kid
}

// Rotate publishes a new signing key and makes it current; old keys stay
// published until Retire. It returns the new key ID.
func (i *Issuer) Rotate() string {
	k := i.newKey()
	i.mu.Lock()
	i.keys = append(i.keys, k)
	i.mu.Unlock()
	return k.kid
}

// Retire stops publishing every key but the current one.
func (i *Issuer) Retire() {
	i.mu.Lock()
	i.keys = i.keys[len(i.keys)-1:]
	i.mu.Unlock()
}

// MintOptions say how to spoil or shape a token.
type MintOptions struct {
	Header     map[string]any // extra or replacing header fields ("typ", "kid", ...); a nil value removes one
	KeyID      string         // sign with this published key instead of the current one
	AlgNone    bool           // "alg":"none" and an empty signature
	UnknownKey bool           // sign with a key that was never published, under an unpublished kid
	Tamper     bool           // change one bit of the signature
}

// Mint signs claims with the current key. "iss", "iat" and "exp" (10 minutes)
// are added when absent; a claim whose value is nil is removed.
func (i *Issuer) Mint(claims map[string]any) string { return i.MintWith(claims, MintOptions{}) }

// MintWith signs claims as the options say.
func (i *Issuer) MintWith(claims map[string]any, o MintOptions) string {
	now := time.Now()
	body := map[string]any{"iss": i.URL(), "iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()}
	for k, v := range claims {
		if v == nil {
			delete(body, k)
			continue
		}
		if t, ok := v.(time.Time); ok {
			v = t.Unix()
		}
		body[k] = v
	}
	i.mu.Lock()
	signer := i.keys[len(i.keys)-1]
	if o.KeyID != "" {
		for _, k := range i.keys {
			if k.kid == o.KeyID {
				signer = k
			}
		}
	}
	i.mu.Unlock()
	if o.UnknownKey {
		signer = key{kid: "unknown-" + randomID(), priv: pooledKey(-1)}
	}
	header := map[string]any{"alg": "RS256", "typ": "JWT", "kid": signer.kid}
	if o.AlgNone {
		header["alg"] = "none"
	}
	for k, v := range o.Header {
		if v == nil {
			delete(header, k)
		} else {
			header[k] = v
		}
	}
	h, _ := json.Marshal(header)
	p, _ := json.Marshal(body)
	input := b64(h) + "." + b64(p)
	if o.AlgNone {
		return input + "."
	}
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, signer.priv, crypto.SHA256, sum[:])
	if err != nil {
		panic(err)
	}
	if o.Tamper {
		sig[len(sig)/2] ^= 0x01
	}
	return input + "." + b64(sig)
}

// ClientOf returns the client ID a bearer token was issued to by the token
// endpoint, for fake admin APIs to check their caller.
func (i *Issuer) ClientOf(r *http.Request) (string, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return "", false
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	c, ok := i.tokens[tok]
	return c, ok
}

func (i *Issuer) down(w http.ResponseWriter) bool {
	i.mu.Lock()
	d := i.disabled
	i.mu.Unlock()
	if d {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}
	return d
}

func (i *Issuer) discovery(w http.ResponseWriter, r *http.Request) {
	if i.down(w) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                i.URL(),
		"jwks_uri":                              i.JWKSURL(),
		"token_endpoint":                        i.TokenURL(),
		"authorization_endpoint":                i.URL() + "/auth",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"grant_types_supported":                 []string{"client_credentials", "authorization_code"},
	})
}

func (i *Issuer) jwks(w http.ResponseWriter, r *http.Request) {
	if i.down(w) {
		return
	}
	i.mu.Lock()
	i.fetches++
	keys := append([]key(nil), i.keys...)
	i.mu.Unlock()
	set := jwk.NewSet()
	for _, k := range keys {
		pub, err := jwk.Import(&k.priv.PublicKey)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_ = pub.Set(jwk.KeyIDKey, k.kid)
		_ = pub.Set(jwk.AlgorithmKey, jwa.RS256())
		_ = pub.Set(jwk.KeyUsageKey, "sig")
		_ = set.AddKey(pub)
	}
	w.Header().Set("Cache-Control", "max-age=60")
	writeJSON(w, http.StatusOK, set)
}

func (i *Issuer) token(w http.ResponseWriter, r *http.Request) {
	if i.down(w) {
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if want, known := i.opts.Clients[id]; !known || want != secret || id == "" {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	tok := i.Mint(map[string]any{"sub": "service-account-" + id, "azp": id, "aud": id, "typ": "Bearer"})
	i.mu.Lock()
	i.tokens[tok] = id
	i.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 300})
}

func (i *Issuer) newKey() key {
	i.mu.Lock()
	n := i.n
	i.n++
	i.mu.Unlock()
	return key{kid: fmt.Sprintf("k%d-%s", n+1, randomID()), priv: pooledKey(n)}
}

// RSA key generation is slow under the race detector, so keys come from a
// pool shared by every issuer of the test binary (each issuer has its own kids).
var (
	poolMu  sync.Mutex
	pool    []*rsa.PrivateKey
	strange *rsa.PrivateKey
)

func pooledKey(n int) *rsa.PrivateKey {
	poolMu.Lock()
	defer poolMu.Unlock()
	gen := func() *rsa.PrivateKey {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		return k
	}
	if n < 0 {
		if strange == nil {
			strange = gen()
		}
		return strange
	}
	for len(pool) <= n {
		pool = append(pool, gen())
	}
	return pool[n]
}

func randomID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
