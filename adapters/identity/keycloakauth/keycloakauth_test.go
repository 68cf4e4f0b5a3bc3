package keycloakauth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/identity/keycloakauth"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/test/conformance"
	"github.com/multisaude/multisaude/test/fakes/oidcfake"
)

const (
	realm       = "multisaude"
	clientID    = "multisaude-api"
	adminClient = "multisaude-admin"
	adminSecret = "s3cret"
)

// fakeAdmin answers the parts of Keycloak's admin REST API the adapter uses,
// as documented, for callers holding a token from the issuer's token endpoint.
type fakeAdmin struct {
	iss   *oidcfake.Issuer
	mu    sync.Mutex
	users map[string]map[string]any // id -> representation
	roles map[string][]string       // user id -> realm roles
	calls []string
}

var realmRoles = map[string]string{"patient": "r1", "professional": "r2", "company_member": "r3", "admin": "r4",
	"company-admin": "r5", "company-staff": "r6"}

func (f *fakeAdmin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if c, ok := f.iss.ClientOf(r); !ok || c != adminClient {
		http.Error(w, `{"error":"HTTP 401 Unauthorized"}`, http.StatusUnauthorized)
		return
	}
	prefix := "/admin/realms/" + realm
	rel, ok := strings.CutPrefix(r.URL.Path, prefix)
	if !ok {
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, r.Method+" "+rel)
	parts := strings.Split(strings.Trim(rel, "/"), "/")
	switch {
	case r.Method == http.MethodPost && rel == "/users":
		var u map[string]any
		if err := json.NewDecoder(r.Body).Decode(&u); err != nil || u["username"] == "" {
			http.Error(w, `{"errorMessage":"bad"}`, http.StatusBadRequest)
			return
		}
		for _, x := range f.users {
			if x["username"] == u["username"] || x["email"] == u["email"] {
				w.WriteHeader(http.StatusConflict)
				_, _ = w.Write([]byte(`{"errorMessage":"User exists with same username"}`))
				return
			}
		}
		id := kernel.NewID()
		f.users[id] = u
		w.Header().Set("Location", "http://"+r.Host+prefix+"/users/"+id)
		w.WriteHeader(http.StatusCreated)
	case r.Method == http.MethodGet && len(parts) == 2 && parts[0] == "roles":
		id, ok := realmRoles[parts[1]]
		if !ok {
			http.Error(w, `{"error":"Could not find role"}`, http.StatusNotFound)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"id": id, "name": parts[1], "composite": false})
	case r.Method == http.MethodPost && len(parts) == 4 && parts[0] == "users" && parts[2] == "role-mappings" && parts[3] == "realm":
		if _, ok := f.users[parts[1]]; !ok {
			http.Error(w, `{"error":"User not found"}`, http.StatusNotFound)
			return
		}
		var rs []map[string]any
		_ = json.NewDecoder(r.Body).Decode(&rs)
		for _, x := range rs {
			f.roles[parts[1]] = append(f.roles[parts[1]], x["name"].(string))
		}
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPut && len(parts) == 3 && parts[0] == "users" && parts[2] == "reset-password":
		if _, ok := f.users[parts[1]]; !ok {
			http.Error(w, `{"error":"User not found"}`, http.StatusNotFound)
			return
		}
		var c map[string]any
		_ = json.NewDecoder(r.Body).Decode(&c)
		if c["type"] != "password" || c["value"] == "" || c["temporary"] != false {
			http.Error(w, `{"error":"bad credential"}`, http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodDelete && len(parts) == 2 && parts[0] == "users":
		if f.users[parts[1]] == nil {
			http.Error(w, `{"error":"User not found"}`, http.StatusNotFound)
			return
		}
		delete(f.users, parts[1])
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}

type env struct {
	iss   *oidcfake.Issuer
	admin *fakeAdmin
	prov  *keycloakauth.Provider
}

func start(t *testing.T) env {
	admin := &fakeAdmin{users: map[string]map[string]any{}, roles: map[string][]string{}}
	iss := oidcfake.New(t, oidcfake.Options{Path: "/realms/" + realm, Clients: map[string]string{adminClient: adminSecret}, Handler: admin})
	admin.iss = iss
	prov, stop, err := keycloakauth.New(context.Background(), keycloakauth.Config{
		BaseURL: iss.Server().URL, Realm: realm, ClientID: clientID,
		AdminClientID: adminClient, AdminClientSecret: adminSecret,
		JWKSRefresh: time.Second, JWKSMinRefresh: time.Millisecond, DiscoveryRetry: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return env{iss: iss, admin: admin, prov: prov}
}

// claims turns the suite's description into what Keycloak puts in an access token.
func claims(iss *oidcfake.Issuer, c conformance.TokenClaims) map[string]any {
	m := map[string]any{"typ": "Bearer", "azp": clientID, "aud": []string{"account", clientID}, "scope": "openid email"}
	m["sub"] = c.Subject
	if c.Subject == "" {
		m["sub"] = kernel.NewID()
	}
	if c.Audience != "" {
		m["aud"], m["azp"] = c.Audience, c.Audience
	}
	if c.Issuer != "" {
		m["iss"] = c.Issuer
	}
	m["iat"] = time.Now().Add(-time.Minute)
	if !c.IssuedAt.IsZero() {
		m["iat"] = c.IssuedAt
	}
	if !c.NotBefore.IsZero() {
		m["nbf"] = c.NotBefore
	}
	if !c.ExpiresAt.IsZero() {
		m["exp"] = c.ExpiresAt
	}
	roles := []string{"offline_access", "uma_authorization", "default-roles-" + realm}
	if c.Principal.Kind != "" {
		roles = append(roles, string(c.Principal.Kind))
	}
	for _, r := range c.Principal.Roles {
		roles = append(roles, "company-"+r)
	}
	m["realm_access"] = map[string]any{"roles": roles}
	m["resource_access"] = map[string]any{"account": map[string]any{"roles": []string{"manage-account"}}}
	if c.Principal.AccountID != "" {
		m["account_id"] = c.Principal.AccountID
	}
	if c.Principal.CompanyID != "" {
		m["company_id"] = c.Principal.CompanyID
	}
	return m
}

func TestConformance(t *testing.T) {
	conformance.RunIdentityProvider(t, func(t *testing.T) conformance.IdentityProviderFixture {
		e := start(t)
		return conformance.IdentityProviderFixture{
			Provider: e.prov,
			Mint:     func(t *testing.T, c conformance.TokenClaims) string { return e.iss.Mint(claims(e.iss, c)) },
			MintUnknownKey: func(t *testing.T, c conformance.TokenClaims) string {
				return e.iss.MintWith(claims(e.iss, c), oidcfake.MintOptions{UnknownKey: true})
			},
			Rotate:    func(t *testing.T) { e.iss.Rotate() },
			RetireOld: func(t *testing.T) { e.iss.Retire() },
		}
	})
}

func TestClientRolesAndTokenTypes(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	id := kernel.NewID()
	m := claims(e.iss, conformance.TokenClaims{Principal: kernel.Principal{AccountID: id, Kind: kernel.KindProfessional}})
	m["resource_access"] = map[string]any{clientID: map[string]any{"roles": []string{"prescriber"}}}
	p, err := e.prov.Verify(ctx, e.iss.Mint(m))
	if err != nil || p.Kind != kernel.KindProfessional || len(p.Roles) != 1 || p.Roles[0] != "prescriber" {
		t.Fatalf("client roles: %+v %v", p, err)
	}
	m["typ"] = "Refresh"
	if _, err := e.prov.Verify(ctx, e.iss.Mint(m)); kernel.KindOf(err) != kernel.KindUnauthenticated {
		t.Errorf("a refresh token was accepted: %v", err)
	}
	m["typ"] = "Bearer"
	m["realm_access"] = map[string]any{"roles": []string{"offline_access"}}
	if _, err := e.prov.Verify(ctx, e.iss.Mint(m)); kernel.KindOf(err) != kernel.KindUnauthenticated {
		t.Errorf("a token without a kind role was accepted: %v", err)
	}
	m = claims(e.iss, conformance.TokenClaims{Principal: kernel.Principal{AccountID: id, Kind: kernel.KindPatient}})
	delete(m, "exp")
	if _, err := e.prov.Verify(ctx, e.iss.MintWith(m, oidcfake.MintOptions{Header: map[string]any{}})); err != nil {
		t.Errorf("sanity: %v", err)
	}
	m["exp"] = nil
	if _, err := e.prov.Verify(ctx, e.iss.Mint(m)); kernel.KindOf(err) != kernel.KindUnauthenticated {
		t.Errorf("a token without exp was accepted: %v", err)
	}
}

func TestCreateUserSendsRolesAndAttributes(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	acc, comp := kernel.NewID(), kernel.NewID()
	sub, err := e.prov.CreateUser(ctx, portsUser(acc, comp))
	if err != nil {
		t.Fatal(err)
	}
	e.admin.mu.Lock()
	defer e.admin.mu.Unlock()
	u := e.admin.users[sub]
	attrs, _ := u["attributes"].(map[string]any)
	if u["email"] != "ana@example.com" || u["enabled"] != true || attrs == nil ||
		attrs["account_id"].([]any)[0] != acc || attrs["company_id"].([]any)[0] != comp {
		t.Errorf("user representation %+v", u)
	}
	cred := u["credentials"].([]any)[0].(map[string]any)
	if cred["type"] != "password" || cred["value"] != "Correct-Horse-9" || cred["temporary"] != false {
		t.Errorf("credentials %+v", cred)
	}
	if got := strings.Join(e.admin.roles[sub], ","); got != "company_member,company-admin" {
		t.Errorf("realm roles %q", got)
	}
}

func TestUnavailable(t *testing.T) {
	e := start(t)
	e.iss.SetDown(true)
	ctx := context.Background()
	_, err := e.prov.Verify(ctx, e.iss.Mint(claims(e.iss, conformance.TokenClaims{Principal: kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindPatient}})))
	if kernel.KindOf(err) != kernel.KindUnavailable {
		t.Fatalf("Verify with Keycloak down: %v, want unavailable", err)
	}
	e.iss.SetDown(false)
	// Within DiscoveryRetry the failure is remembered: no request reaches Keycloak.
	before := e.iss.Fetches()
	_, err = e.prov.Verify(ctx, "a.b.c")
	if kernel.KindOf(err) != kernel.KindUnavailable || e.iss.Fetches() != before {
		t.Fatalf("Verify right after a failed discovery: %v", err)
	}
	time.Sleep(150 * time.Millisecond)
	tok := e.iss.Mint(claims(e.iss, conformance.TokenClaims{Principal: kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindPatient}}))
	if _, err := e.prov.Verify(ctx, tok); err != nil {
		t.Fatalf("Verify after Keycloak came back: %v", err)
	}
	// A wrong admin secret is not the caller's fault and is not a conflict.
	bad, stop, _ := keycloakauth.New(ctx, keycloakauth.Config{BaseURL: e.iss.Server().URL, Realm: realm, ClientID: clientID, AdminClientID: adminClient, AdminClientSecret: "wrong"})
	defer stop()
	_, err = bad.CreateUser(ctx, portsUser(kernel.NewID(), ""))
	if k := kernel.KindOf(err); k != kernel.KindUnavailable && k != kernel.KindInternal {
		t.Fatalf("CreateUser with a wrong admin secret: %v", err)
	}
}
