package authz_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

// incidentsOf holds, per world, an incident the platform admin registered.
var incidentsOf sync.Map // *world -> incident ID

func incidentBody() map[string]any {
	return map[string]any{"title": "Backup exposto", "description": "Um backup ficou acessível sem autenticação.",
		"detected_at": time.Now().UTC().Add(-time.Hour).Format(time.RFC3339), "categories": []string{"account"},
		"subjects_affected": 3, "risk": "medium", "risk_reasoning": "Dados cadastrais sem dados de saúde."}
}

// seedIncident has the platform admin register an incident.
func seedIncident(t *testing.T, h *harness.H, w *world) {
	t.Helper()
	r := h.Post(t, "/v1/admin/incidents", w.admin.Token, incidentBody()).Want(t, http.StatusCreated)
	incidentsOf.Store(w, id(t, r))
}

var incidentOf = func(w *world) map[string]string {
	v, _ := incidentsOf.Load(w)
	s, _ := v.(string)
	return map[string]string{"id": s}
}

func init() {
	// The registers of the controller are the platform admins' alone.
	adminOnly := with(strangers, phAdmin, 403, phStaff, 403, hoAdmin, 403, hoStaff, 403, proP, 403, phKey, 401)
	table["GET /v1/admin/processing-activities"] = route{owner: admin, deny: adminOnly}
	table["GET /v1/admin/incidents"] = route{owner: admin, deny: adminOnly}
	table["POST /v1/admin/incidents"] = route{owner: admin, deny: adminOnly,
		body: func(w *world) (any, map[string]string) { return incidentBody(), nil }}
	table["GET /v1/admin/incidents/{id}"] = route{owner: admin, params: incidentOf, deny: adminOnly}
	table["PATCH /v1/admin/incidents/{id}"] = route{owner: admin, params: incidentOf, deny: adminOnly,
		body: func(w *world) (any, map[string]string) {
			return map[string]any{"measures": "Credenciais trocadas."}, map[string]string{"If-Match": `"1"`}
		}}
	// The sharing report is the patient's own; other kinds are refused.
	table["GET /v1/me/sharing"] = route{deny: map[string]int{anon: 401, coKey: 401, patB: own, proQ: 403, coAdmin: 403, coStaff: 403, admin: 403, phKey: 401}}
}
