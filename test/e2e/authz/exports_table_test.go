package authz_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

// exportsOf holds, per world, patient A's export job (consent, LGPD art. 18).
var exportsOf sync.Map // *world -> export ID

// seedExports has A ask for an export of their data.
func seedExports(t *testing.T, h *harness.H, w *world) {
	t.Helper()
	exportsOf.Store(w, id(t, h.Post(t, "/v1/me/exports", w.A.Token, nil).Want(t, http.StatusAccepted)))
}

var exportA = func(w *world) map[string]string {
	v, _ := exportsOf.Load(w)
	s, _ := v.(string)
	return map[string]string{"id": s}
}

func init() {
	// every person exports their own data (a fresh job each: own); admins and API keys have none
	table["POST /v1/me/exports"] = route{deny: map[string]int{anon: 401, coKey: 401, admin: 403, patB: own, proQ: own, coAdmin: own, coStaff: own}}
	table["GET /v1/me/exports"] = route{deny: with(ownView, coKey, 401, admin, 403)}
	// A's export: nobody else learns it exists
	table["GET /v1/me/exports/{id}"] = route{owner: patA, params: exportA, deny: with(hiddenA, proP, 404, phAdmin, 404, admin, 403)}
	table["GET /v1/me/exports/{id}/download"] = route{owner: patA, params: exportA, deny: with(hiddenA, proP, 404, phAdmin, 404, admin, 403)}
}
