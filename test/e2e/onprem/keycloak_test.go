package onprem

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/test/fakes/oidcfake"
)

// keycloakAdmin answers the part of Keycloak's admin REST API that keycloakauth
// uses (create a user, read a realm role, map it, reset a password, delete a
// user), for callers holding a token from the issuer's token endpoint.
type keycloakAdmin struct {
	issuer *oidcfake.Issuer
	realm  string

	mu    sync.Mutex
	users map[string]map[string]any // ID -> user representation
}

func (k *keycloakAdmin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, ok := k.issuer.ClientOf(r); !ok {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	rel, ok := strings.CutPrefix(r.URL.Path, "/admin/realms/"+k.realm)
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	parts := strings.Split(strings.Trim(rel, "/"), "/")
	switch {
	case r.Method == http.MethodPost && rel == "/users":
		var u map[string]any
		if err := json.NewDecoder(r.Body).Decode(&u); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		for _, other := range k.users {
			if other["username"] == u["username"] {
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
	case len(parts) >= 2 && parts[0] == "users":
		if k.users[parts[1]] == nil {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		switch {
		case r.Method == http.MethodDelete && len(parts) == 2:
			delete(k.users, parts[1])
		case r.Method == http.MethodPost && len(parts) == 4 && parts[2] == "role-mappings":
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

// accountIDs lists the account_id attributes of the users created.
func (k *keycloakAdmin) accountIDs() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []string
	for _, u := range k.users {
		attrs, _ := u["attributes"].(map[string]any)
		if ids, _ := attrs["account_id"].([]any); len(ids) == 1 {
			out = append(out, ids[0].(string))
		}
	}
	return out
}

// newKeycloak starts an issuer at /realms/<realm> with the admin API beside it;
// adminClient/adminSecret may use the client-credentials grant.
func newKeycloak(t testing.TB, realm, adminClient, adminSecret string) (*oidcfake.Issuer, *keycloakAdmin) {
	t.Helper()
	admin := &keycloakAdmin{realm: realm, users: map[string]map[string]any{}}
	issuer := oidcfake.New(t, oidcfake.Options{Path: "/realms/" + realm, Clients: map[string]string{adminClient: adminSecret}, Handler: admin})
	admin.issuer = issuer // before any request reaches the server
	return issuer, admin
}
