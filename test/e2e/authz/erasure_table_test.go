package authz_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore/consentsql"
	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/test/e2e/harness"
)

// erasuresOf holds, per world, patient A's erasure request: stored without its
// event, so no worker carries it out and A stays usable for the sweep.
var erasuresOf sync.Map // *world -> erasure request ID

func seedErasure(t *testing.T, h *harness.H, w *world) {
	t.Helper()
	now := time.Now().UTC()
	r := consent.ErasureRequest{ID: kernel.NewID(), SubjectID: w.A.ID, SubjectKind: kernel.KindPatient, Status: consent.ErasurePending,
		Decisions: consent.DecideErasure(consent.DataClasses(), consent.ErasureFacts{Kind: consent.SubjectPatient, Now: now}),
		Pending:   "nota", CreatedAt: now, UpdatedAt: now}
	if err := consentsql.New(h.App.DB).CreateErasure(context.Background(), r); err != nil {
		t.Fatalf("seed A's erasure request: %v", err)
	}
	erasuresOf.Store(w, r.ID)
}

var erasureA = idOf(func(w *world) string {
	v, _ := erasuresOf.Load(w)
	id, _ := v.(string)
	return id
})

func init() {
	// the sweep calls a route only as the callers it denies: nobody here erases themselves
	table["POST /v1/me/erasure-requests"] = route{deny: map[string]int{anon: 401, coKey: 401, admin: 403},
		body: json(map[string]any{"confirm": consent.ErasureConfirmation})}
	table["GET /v1/me/erasure-requests/{id}"] = route{owner: patA, params: erasureA, deny: with(hiddenA, proP, 404, admin, 404)}
	table["GET /v1/admin/erasure-requests"] = route{owner: admin, deny: with(strangers, phAdmin, 403, phStaff, 403, hoAdmin, 403)}
}
