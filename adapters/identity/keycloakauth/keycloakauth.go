// Package keycloakauth is the on-premises ports.IdentityProvider backed by a
// Keycloak realm: tokens are verified against the realm's published keys
// (found by OpenID Connect discovery), realm roles give the account kind and
// company roles, and users are created and their passwords reset through
// Keycloak's admin REST API with a client-credentials token.
package keycloakauth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwt"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/multisaude/multisaude/adapters/identity/jwks"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Config configures the provider.
type Config struct {
	BaseURL           string        // MULTISAUDE_KEYCLOAK_URL, e.g. https://sso.hospital.local (no trailing /realms)
	Realm             string        // MULTISAUDE_KEYCLOAK_REALM; default "multisaude"
	ClientID          string        // MULTISAUDE_KEYCLOAK_CLIENT_ID: the API's client; tokens must name it in aud or azp
	AdminClientID     string        // MULTISAUDE_KEYCLOAK_ADMIN_CLIENT_ID: confidential client with a service account holding realm-management manage-users and view-realm
	AdminClientSecret string        // MULTISAUDE_KEYCLOAK_ADMIN_CLIENT_SECRET
	AccountIDClaim    string        // MULTISAUDE_KEYCLOAK_ACCOUNT_ID_CLAIM; default "account_id" (a user-attribute mapper)
	CompanyIDClaim    string        // MULTISAUDE_KEYCLOAK_COMPANY_ID_CLAIM; default "company_id"
	JWKSRefresh       time.Duration // MULTISAUDE_KEYCLOAK_JWKS_REFRESH; default 15m
	JWKSMinRefresh    time.Duration // at most one extra key fetch for an unknown key ID this often; default 10s
	DiscoveryRetry    time.Duration // after a failed discovery, answer unavailable without retrying for this long; default 2s
	HTTPClient        *http.Client  // default: 10 s timeout
}

// Provider implements ports.IdentityProvider.
type Provider struct {
	cfg    Config
	issuer string
	admin  string // admin API base: {BaseURL}/admin/realms/{realm}
	ctx    context.Context

	mu      sync.Mutex
	keys    *jwks.KeySet
	stop    func()
	api     *http.Client // with the admin token
	ready   bool
	failed  time.Time // last failed discovery
	failErr error
}

var _ ports.IdentityProvider = (*Provider)(nil)

// New builds the provider. Discovery happens on first use (and again after a
// failure), so a Keycloak that is down at start does not stop the process.
func New(ctx context.Context, cfg Config) (*Provider, func(), error) {
	if cfg.BaseURL == "" || cfg.ClientID == "" {
		return nil, nil, errors.New("keycloakauth: MULTISAUDE_KEYCLOAK_URL and MULTISAUDE_KEYCLOAK_CLIENT_ID are required")
	}
	if _, err := url.Parse(cfg.BaseURL); err != nil {
		return nil, nil, fmt.Errorf("keycloakauth: MULTISAUDE_KEYCLOAK_URL: %w", err)
	}
	if cfg.Realm == "" {
		cfg.Realm = "multisaude"
	}
	if cfg.AccountIDClaim == "" {
		cfg.AccountIDClaim = "account_id"
	}
	if cfg.CompanyIDClaim == "" {
		cfg.CompanyIDClaim = "company_id"
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.DiscoveryRetry <= 0 {
		cfg.DiscoveryRetry = 2 * time.Second
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	p := &Provider{
		cfg:    cfg,
		issuer: base + "/realms/" + url.PathEscape(cfg.Realm),
		admin:  base + "/admin/realms/" + url.PathEscape(cfg.Realm),
		ctx:    context.WithoutCancel(ctx),
	}
	return p, p.close, nil
}

func (p *Provider) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stop != nil {
		p.stop()
		p.stop = nil
	}
}

// Issuer is the realm's issuer URL, which tokens must carry in "iss".
func (p *Provider) Issuer() string { return p.issuer }

type discovery struct {
	Issuer        string `json:"issuer"`
	JWKSURI       string `json:"jwks_uri"`
	TokenEndpoint string `json:"token_endpoint"`
}

// setup runs discovery until it succeeds once; after a failure, callers get
// the same unavailable error for DiscoveryRetry instead of each waiting on a
// provider that is down.
func (p *Provider) setup(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ready {
		return nil
	}
	if p.failErr != nil && time.Since(p.failed) < p.cfg.DiscoveryRetry {
		return p.failErr
	}
	err := p.discover(ctx)
	if err != nil {
		p.failed, p.failErr = time.Now(), err
	}
	return err
}

func (p *Provider) discover(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.issuer+"/.well-known/openid-configuration", nil)
	if err != nil {
		return kernel.Internal(err, "keycloak discovery")
	}
	res, err := p.cfg.HTTPClient.Do(req)
	if err != nil {
		return kernel.Unavailable(err, "não foi possível contatar o provedor de identidade")
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return kernel.Unavailable(fmt.Errorf("discovery answered %s", res.Status), "não foi possível contatar o provedor de identidade")
	}
	var d discovery
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&d); err != nil {
		return kernel.Unavailable(err, "o documento de descoberta do provedor de identidade não é válido")
	}
	if d.Issuer != p.issuer || d.JWKSURI == "" || d.TokenEndpoint == "" {
		return kernel.Internal(fmt.Errorf("discovery names issuer %q, want %q", d.Issuer, p.issuer), "keycloak discovery does not match the configuration")
	}
	keys, stop, err := jwks.New(p.ctx, jwks.Config{URL: d.JWKSURI, Refresh: p.cfg.JWKSRefresh, MinRefresh: p.cfg.JWKSMinRefresh, HTTPClient: p.cfg.HTTPClient})
	if err != nil {
		return kernel.Internal(err, "keycloak keys")
	}
	cc := clientcredentials.Config{ClientID: p.cfg.AdminClientID, ClientSecret: p.cfg.AdminClientSecret, TokenURL: d.TokenEndpoint}
	p.api = cc.Client(context.WithValue(p.ctx, oauth2.HTTPClient, p.cfg.HTTPClient))
	p.keys, p.stop, p.ready = keys, stop, true
	return nil
}

// Verify checks a Keycloak access or ID token issued by the realm for the client.
func (p *Provider) Verify(ctx context.Context, token string) (kernel.Principal, error) {
	if err := p.setup(ctx); err != nil {
		return kernel.Principal{}, err
	}
	tok, err := p.keys.Parse(ctx, token, jwt.WithIssuer(p.issuer))
	if err != nil {
		return kernel.Principal{}, err
	}
	var typ, azp string
	_ = tok.Get("typ", &typ)
	_ = tok.Get("azp", &azp)
	if typ != "" && typ != "Bearer" && typ != "ID" {
		return kernel.Principal{}, kernel.Unauthenticated("o token não é um token de acesso nem de ID")
	}
	aud, _ := tok.Audience()
	if !slices.Contains(aud, p.cfg.ClientID) && azp != p.cfg.ClientID {
		return kernel.Principal{}, kernel.Unauthenticated("o token foi emitido para outro cliente")
	}
	var account, company string
	_ = tok.Get(p.cfg.AccountIDClaim, &account)
	_ = tok.Get(p.cfg.CompanyIDClaim, &company)
	var realm, resource map[string]any
	_ = tok.Get("realm_access", &realm)
	_ = tok.Get("resource_access", &resource)
	client, _ := resource[p.cfg.ClientID].(map[string]any)
	pr, err := jwks.PrincipalOf(account, company, jwks.Strings(realm["roles"]), jwks.Strings(client["roles"]))
	if err == nil {
		pr.IssuedAt, _ = tok.IssuedAt()
	}
	return pr, err
}

type credential struct {
	Type      string `json:"type"`
	Value     string `json:"value"`
	Temporary bool   `json:"temporary"`
}

type userRep struct {
	Username      string              `json:"username"`
	Email         string              `json:"email"`
	Enabled       bool                `json:"enabled"`
	EmailVerified bool                `json:"emailVerified"`
	Attributes    map[string][]string `json:"attributes,omitempty"`
	Credentials   []credential        `json:"credentials,omitempty"`
}

type roleRep struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// CreateUser creates an enabled user with its password, attributes and realm roles.
func (p *Provider) CreateUser(ctx context.Context, u ports.NewUser) (string, error) {
	if err := jwks.ValidateNewUser(u); err != nil {
		return "", err
	}
	if err := p.setup(ctx); err != nil {
		return "", err
	}
	attrs := map[string][]string{p.cfg.AccountIDClaim: {u.AccountID}}
	if u.CompanyID != "" {
		attrs[p.cfg.CompanyIDClaim] = []string{u.CompanyID}
	}
	body := userRep{Username: strings.ToLower(u.Email), Email: u.Email, Enabled: true, EmailVerified: true, Attributes: attrs,
		Credentials: []credential{{Type: "password", Value: u.Password}}}
	res, err := p.call(ctx, http.MethodPost, "/users", body, nil)
	if err != nil {
		return "", err
	}
	switch res.status {
	case http.StatusCreated:
	case http.StatusConflict:
		return "", kernel.ConflictField("email", "já existe uma conta com este e-mail")
	case http.StatusBadRequest:
		return "", kernel.Invalid("password", "não é aceita pela política do provedor de identidade")
	default:
		return "", res.unexpected("creating a user")
	}
	id := path.Base(res.location)
	if id == "" || id == "." || id == "/" {
		return "", kernel.Internal(fmt.Errorf("no Location in %q", res.location), "keycloak created a user without an ID")
	}
	for _, role := range jwks.Groups(u.Kind, u.Roles) {
		if err := p.grant(ctx, id, role); err != nil {
			_, _ = p.call(ctx, http.MethodDelete, "/users/"+url.PathEscape(id), nil, nil) // undo; best effort
			return "", err
		}
	}
	return id, nil
}

func (p *Provider) grant(ctx context.Context, userID, role string) error {
	var r roleRep
	res, err := p.call(ctx, http.MethodGet, "/roles/"+url.PathEscape(role), nil, &r)
	if err != nil {
		return err
	}
	if res.status == http.StatusNotFound {
		return kernel.Internal(fmt.Errorf("realm role %q does not exist", role), "the identity provider lacks a role")
	}
	if res.status != http.StatusOK {
		return res.unexpected("reading a role")
	}
	res, err = p.call(ctx, http.MethodPost, "/users/"+url.PathEscape(userID)+"/role-mappings/realm", []roleRep{r}, nil)
	if err != nil {
		return err
	}
	if res.status != http.StatusNoContent && res.status != http.StatusOK {
		return res.unexpected("granting a role")
	}
	return nil
}

// SetPassword resets the password of the user with that Keycloak ID.
func (p *Provider) SetPassword(ctx context.Context, subject, password string) error {
	if strings.TrimSpace(subject) == "" {
		return kernel.Invalid("subject", "é obrigatório")
	}
	if password == "" {
		return kernel.Invalid("password", "é obrigatório")
	}
	if err := p.setup(ctx); err != nil {
		return err
	}
	res, err := p.call(ctx, http.MethodPut, "/users/"+url.PathEscape(subject)+"/reset-password", credential{Type: "password", Value: password}, nil)
	if err != nil {
		return err
	}
	switch res.status {
	case http.StatusNoContent, http.StatusOK:
		return nil
	case http.StatusNotFound:
		return kernel.NotFound("usuário não encontrado no provedor de identidade")
	case http.StatusBadRequest:
		return kernel.Invalid("password", "não é aceita pela política do provedor de identidade")
	default:
		return res.unexpected("resetting a password")
	}
}

// DeleteUser deletes the user with that Keycloak ID.
func (p *Provider) DeleteUser(ctx context.Context, subject string) error {
	if strings.TrimSpace(subject) == "" {
		return kernel.Invalid("subject", "é obrigatório")
	}
	if err := p.setup(ctx); err != nil {
		return err
	}
	res, err := p.call(ctx, http.MethodDelete, "/users/"+url.PathEscape(subject), nil, nil)
	if err != nil {
		return err
	}
	switch res.status {
	case http.StatusNoContent, http.StatusOK:
		return nil
	case http.StatusNotFound:
		return kernel.NotFound("usuário não encontrado no provedor de identidade")
	default:
		return res.unexpected("deleting a user")
	}
}

type result struct {
	status   int
	location string
	body     string
}

func (r result) unexpected(what string) error {
	err := fmt.Errorf("keycloak admin API answered %d while %s: %.200s", r.status, what, errorOf(r.body))
	if r.status >= 500 || r.status == http.StatusTooManyRequests {
		return kernel.Unavailable(err, "o provedor de identidade está indisponível")
	}
	return kernel.Internal(err, "the identity provider refused the request")
}

// errorOf keeps the message of an admin API error answer, never the rest: its
// "params" echo the values sent (an e-mail, a name), and the error is logged.
func errorOf(body string) string {
	var e struct {
		Error            string `json:"error"`
		ErrorMessage     string `json:"errorMessage"`
		ErrorDescription string `json:"error_description"`
	}
	if json.Unmarshal([]byte(body), &e) != nil {
		return "(a body that is not a Keycloak error, withheld)"
	}
	return strings.TrimSpace(strings.Join([]string{e.Error, e.ErrorMessage, e.ErrorDescription}, " "))
}

// call sends one admin request; a transport failure (including failing to get
// the admin token) is kernel.KindUnavailable.
func (p *Provider) call(ctx context.Context, method, rel string, in, out any) (result, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return result{}, kernel.Internal(err, "encoding a keycloak request")
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, p.admin+rel, body)
	if err != nil {
		return result{}, kernel.Internal(err, "building a keycloak request")
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := p.api.Do(req)
	if err != nil {
		return result{}, kernel.Unavailable(err, "não foi possível contatar o provedor de identidade")
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	r := result{status: res.StatusCode, location: res.Header.Get("Location"), body: string(raw)}
	if out != nil && res.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, out); err != nil {
			return r, kernel.Internal(err, "decoding a keycloak answer")
		}
	}
	return r, nil
}
