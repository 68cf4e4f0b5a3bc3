package identity_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/test/e2e/harness"
	"github.com/multisaude/multisaude/test/fakes/oidcfake"
	"github.com/multisaude/multisaude/test/testdb"
	appwire "github.com/multisaude/multisaude/wire"
	"github.com/multisaude/multisaude/wire/onprem"
)

// kcAdmin answers the part of Keycloak's admin REST API keycloakauth uses,
// and can be told to refuse user creation.
type kcAdmin struct {
	issuer *oidcfake.Issuer
	mu     sync.Mutex
	users  map[string]map[string]any // ID -> representation
	down   bool                      // answer 503 to user creation
}

func (k *kcAdmin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, ok := k.issuer.ClientOf(r); !ok {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	rel, ok := strings.CutPrefix(r.URL.Path, "/admin/realms/multisaude")
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	parts := strings.Split(strings.Trim(rel, "/"), "/")
	switch {
	case r.Method == http.MethodPost && rel == "/users":
		if k.down {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		var u map[string]any
		if err := json.NewDecoder(r.Body).Decode(&u); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		for _, o := range k.users {
			if o["username"] == u["username"] {
				w.WriteHeader(http.StatusConflict)
				return
			}
		}
		id := kernel.NewID()
		k.users[id] = u
		w.Header().Set("Location", "http://"+r.Host+r.URL.Path+"/"+id)
		w.WriteHeader(http.StatusCreated)
	case r.Method == http.MethodGet && len(parts) == 2 && parts[0] == "roles":
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"id": "role-" + parts[1], "name": parts[1]})
	case len(parts) >= 2 && parts[0] == "users" && k.users[parts[1]] != nil:
		switch {
		case r.Method == http.MethodDelete && len(parts) == 2:
			delete(k.users, parts[1])
		case r.Method == http.MethodPost && len(parts) == 4 && parts[2] == "role-mappings":
			var roles []map[string]string
			_ = json.NewDecoder(r.Body).Decode(&roles)
			for _, role := range roles {
				k.users[parts[1]]["roles"] = append(asStrings(k.users[parts[1]]["roles"]), role["name"])
			}
		case r.Method == http.MethodPut && len(parts) == 3 && parts[2] == "reset-password":
		default:
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func asStrings(v any) []string { s, _ := v.([]string); return s }

// user returns the Keycloak user whose account_id attribute is id.
func (k *kcAdmin) user(id string) (map[string]any, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, u := range k.users {
		attrs, _ := u["attributes"].(map[string]any)
		if ids, _ := attrs["account_id"].([]any); len(ids) == 1 && ids[0] == id {
			return u, true
		}
	}
	return nil, false
}

func (k *kcAdmin) count() int { k.mu.Lock(); defer k.mu.Unlock(); return len(k.users) }

type kcApp struct {
	url    string
	client *http.Client
	kc     *oidcfake.Issuer
	admin  *kcAdmin
}

// startWithKeycloak runs the onprem profile in-process on dialect d (PostgreSQL) with every
// port local except identity: Keycloak, played by an in-process issuer and
// the admin API fake.
func startWithKeycloak(t *testing.T, d sqlstore.Dialect) *kcApp {
	t.Helper()
	admin := &kcAdmin{users: map[string]map[string]any{}}
	kc := oidcfake.New(t, oidcfake.Options{Path: "/realms/multisaude", Clients: map[string]string{"multisaude-admin": "s3cret"}, Handler: admin})
	admin.issuer = kc
	seed := make([]byte, 32)
	_, _ = rand.Read(seed)
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"MULTISAUDE_PROFILE": "onprem", "MULTISAUDE_DATA_DIR": t.TempDir(), "MULTISAUDE_DATABASE_URL": testdb.URL(t, d),
		"MULTISAUDE_AUTO_MIGRATE": "true", "MULTISAUDE_DB_MAX_CONNS": "6", "MULTISAUDE_LOG_LEVEL": "error",
		"MULTISAUDE_ADMIN_EMAIL": harness.AdminEmail, "MULTISAUDE_ADMIN_PASSWORD": harness.AdminPassword,
		"MULTISAUDE_SECRET": "harness-secret-harness-secret-32", "MULTISAUDE_SIGNER_SEED": base64.StdEncoding.EncodeToString(seed),
		"MULTISAUDE_LOCALKEYS_MASTER_KEYS": "k1=" + base64.StdEncoding.EncodeToString(master),
		"MULTISAUDE_BLOB":                  "file", "MULTISAUDE_QUEUE": "sql", "MULTISAUDE_NOTIFIER": "log", "MULTISAUDE_GEOCODER": "offline",
		"MULTISAUDE_SCHEDULER": "sql", "MULTISAUDE_KEYS": "local", "MULTISAUDE_PAYMENTS": "localpay",
		"MULTISAUDE_VIDEO": "webrtc", "MULTISAUDE_VIDEO_SECRET": "video-secret-video-secret-video-secret",
		"MULTISAUDE_IDENTITY": "keycloak", "MULTISAUDE_KEYCLOAK_URL": kc.Server().URL, "MULTISAUDE_KEYCLOAK_CLIENT_ID": "multisaude-api",
		"MULTISAUDE_KEYCLOAK_ADMIN_CLIENT_ID": "multisaude-admin", "MULTISAUDE_KEYCLOAK_ADMIN_CLIENT_SECRET": "s3cret",
		"MULTISAUDE_HTTP_ADDR": ln.Addr().String(), "MULTISAUDE_PUBLIC_URL": "http://" + ln.Addr().String(),
	}
	cfg, err := appwire.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	app, cleanup, err := onprem.Build(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatalf("build: %v", err)
	}
	if err := app.Start(ctx); err != nil {
		cancel()
		cleanup()
		t.Fatalf("start: %v", err)
	}
	var wg sync.WaitGroup
	app.RunWorkers(ctx, &wg)
	served := make(chan error, 1)
	go func() { served <- app.Server.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-served:
		case <-time.After(20 * time.Second):
			t.Errorf("server did not stop")
		}
		wg.Wait()
		cleanup()
	})
	return &kcApp{url: "http://" + ln.Addr().String(), client: &http.Client{Timeout: 30 * time.Second}, kc: kc, admin: admin}
}

func (a *kcApp) do(t *testing.T, method, path, token string, body any, want int) map[string]any {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, a.url+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := a.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, res.StatusCode, want, raw)
	}
	out := map[string]any{}
	_ = json.Unmarshal(raw, &out)
	return out
}

func (a *kcApp) token(accountID string, roles []string, iat time.Time) string {
	return a.kc.Mint(map[string]any{"sub": kernel.NewID(), "typ": "Bearer", "azp": "multisaude-api", "account_id": accountID,
		"realm_access": map[string]any{"roles": roles}, "iat": iat})
}

// With Keycloak, sign-up creates the Keycloak user (our account ID as its
// attribute, its realm role), a Keycloak outage leaves no account behind,
// our password grant answers 400 naming grant_type, and Keycloak's tokens
// act as our accounts until the sessions end.
func TestKeycloakSignUpAndTokens(t *testing.T) {
	// The onprem profile runs on PostgreSQL only.
	if testdb.PostgresURL() == "" {
		t.Skipf("%s not set: the onprem profile needs PostgreSQL", testdb.PostgresEnv)
	}
	for _, d := range []sqlstore.Dialect{sqlstore.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			a := startWithKeycloak(t, d)
			if a.admin.count() != 1 {
				t.Fatalf("the bootstrapped platform admin is not a Keycloak user: %d users", a.admin.count())
			}
			body := harness.PatientBody()
			id, _ := a.do(t, http.MethodPost, "/v1/patients", "", body, http.StatusCreated)["id"].(string)
			u, ok := a.admin.user(id)
			if !ok || u["email"] != body["email"] || strings.Join(asStrings(u["roles"]), ",") != "patient" {
				t.Fatalf("Keycloak user of the patient = %v (found %v)", u, ok)
			}
			// The e-mail is already a Keycloak user: 409 on email, and no account.
			dup := harness.ProfessionalBody(harness.ProfessionalOptions{})
			dup["email"] = body["email"]
			pr := a.do(t, http.MethodPost, "/v1/professionals", "", dup, http.StatusConflict)
			if errs, _ := pr["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["field"] != "email" {
				t.Errorf("conflict = %v", pr)
			}
			// Keycloak is down: 503, and the same person can sign up once it is back.
			a.admin.mu.Lock()
			a.admin.down = true
			a.admin.mu.Unlock()
			other := harness.PatientBody()
			a.do(t, http.MethodPost, "/v1/patients", "", other, http.StatusServiceUnavailable)
			a.admin.mu.Lock()
			a.admin.down = false
			a.admin.mu.Unlock()
			a.do(t, http.MethodPost, "/v1/patients", "", other, http.StatusCreated)

			// Our password grant is not served.
			pr = a.do(t, http.MethodPost, "/v1/auth/token", "", map[string]any{"grant_type": "password", "email": body["email"], "password": body["password"]}, http.StatusBadRequest)
			if !strings.Contains(pr["detail"].(string), "entre pelo provedor de identidade") || !strings.Contains(string(mustJSON(pr["errors"])), "grant_type") {
				t.Errorf("password grant = %v", pr)
			}

			// A Keycloak token acts as our account; a wrong kind or an unknown account does not.
			tok := a.token(id, []string{"patient"}, time.Now().Add(-3*time.Second))
			if me := a.do(t, http.MethodGet, "/v1/me", tok, nil, http.StatusOK); me["id"] != id || me["kind"] != "patient" {
				t.Fatalf("me = %v", me)
			}
			a.do(t, http.MethodGet, "/v1/me", a.token(id, []string{"admin"}, time.Now()), nil, http.StatusUnauthorized)
			a.do(t, http.MethodGet, "/v1/me", a.token(kernel.NewID(), []string{"patient"}, time.Now()), nil, http.StatusUnauthorized)
			// Ending the sessions here ends the Keycloak tokens issued before.
			a.do(t, http.MethodPost, "/v1/auth/logout", tok, map[string]any{"all": true}, http.StatusNoContent)
			a.do(t, http.MethodGet, "/v1/me", tok, nil, http.StatusUnauthorized)
			a.do(t, http.MethodGet, "/v1/me", a.token(id, []string{"patient"}, time.Now().Add(time.Second)), nil, http.StatusOK)
		})
	}
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }
