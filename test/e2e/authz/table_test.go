package authz_test

import (
	"maps"
	"time"
)

// meta marks a caller who may get a 2xx answer holding metadata only: no
// clinical content of A and none of A's personal data (the platform admin on
// clinical reads).
const meta = -1

// own marks a caller who gets a 2xx answer about themselves, holding nothing of A.
const own = -2

// route is the authorisation expectation of one documented operation.
type route struct {
	// public says why anyone may call the route; such routes are still called
	// with A's or another owner's IDs and checked for leaks.
	public string
	params func(w *world) map[string]string // path parameters: IDs of A's (or another owner's) objects
	query  string
	body   func(w *world) (any, map[string]string) // a body the owner could send (so validation does not mask the check)
	deny   map[string]int                          // caller -> the status they must get (or meta / own)
	owner  string                                  // a caller allowed to use the route: bad and wrong-kind IDs are tried as them
	// contentOK says the answer may hold A's clinical content (never A's
	// personal data): the public verification lists the drugs to dispense.
	contentOK bool
}

func with(base map[string]int, kv ...any) map[string]int {
	out := maps.Clone(base)
	for i := 0; i < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1].(int)
	}
	return out
}

// hiddenA: callers who must not learn that A's object exists. API keys may not
// use account routes at all (401).
var hiddenA = map[string]int{anon: 401, coKey: 401, patB: 404, proQ: 404, coAdmin: 404, coStaff: 404}

// strangers to a company's private routes: its existence is public, so 403.
var strangers = map[string]int{anon: 401, coKey: 401, patB: 403, proQ: 403, proP: 403, patA: 403, coAdmin: 403, coStaff: 403}

// ownView: routes about the caller; nobody sees A's data there.
var ownView = map[string]int{anon: 401, patB: own, proQ: own, coAdmin: own, coStaff: own}

func json(v any) func(*world) (any, map[string]string) {
	return func(*world) (any, map[string]string) { return v, nil }
}

func idOf(f func(w *world) string) func(w *world) map[string]string {
	return func(w *world) map[string]string { return map[string]string{"id": f(w)} }
}

var (
	patientA = idOf(func(w *world) string { return w.A.ID })
	apptA    = idOf(func(w *world) string { return w.apptA })
	evalA    = idOf(func(w *world) string { return w.evalA })
	planA    = idOf(func(w *world) string { return w.planA })
	rxA      = idOf(func(w *world) string { return w.rxA })
	docA     = idOf(func(w *world) string { return w.docA })
	pharmacy = idOf(func(w *world) string { return w.pharm.CompanyID })
	// pharmHook names the pharmacy's webhook endpoint.
	pharmHook = func(w *world) map[string]string { return map[string]string{"id": w.pharm.CompanyID, "wid": w.hookID} }
)

// catalogItem names an item of the pharmacy's catalogue (the sweep's PUT must not create it).
func catalogItem(w *world) map[string]string {
	return map[string]string{"id": w.pharm.CompanyID, "sku": "SWEEP-1"}
}

// catalogStrangers: everyone but the pharmacy's members (and its keys with
// catalog:write, which the sweep's pharmacy key lacks) may not write its catalogue.
var catalogStrangers = map[string]int{patB: 403, proQ: 403, proP: 403, patA: 403, coAdmin: 403, coStaff: 403, coKey: 403,
	admin: 403, phKey: 403, hoAdmin: 403, hoStaff: 403, proR: 403, pendCoAd: 403}

// hookManagers: who may not manage the pharmacy's webhooks (its staff and the
// platform's admins may only read them; API keys use no account route).
var hookManagers = with(strangers, phStaff, 403, admin, 403, hoAdmin, 403, phKey, 401)

func plusDays(d int) string { return time.Now().In(sp).AddDate(0, 0, d).Format("2006-01-02") }

func evaluationBody(*world) (any, map[string]string) {
	return map[string]any{"kind": "simplified", "reason": "intrusão", "notes": "escrito por quem não devia"}, nil
}

func planBody(*world) (any, map[string]string) {
	return map[string]any{"title": "plano intruso", "start": plusDays(0), "status": "active",
		"items": []any{map[string]any{"kind": "diet", "name": "aveia", "tags": []string{"food:oats"}}}}, nil
}

func availabilityBody(*world) (any, map[string]string) { return allDay(), nil }

func ifMatch(v string, body func(*world) (any, map[string]string)) func(*world) (any, map[string]string) {
	return func(w *world) (any, map[string]string) {
		b, h := body(w)
		if h == nil {
			h = map[string]string{}
		}
		h["If-Match"] = v
		return b, h
	}
}

// table holds every documented operation, keyed "METHOD /path" as in /openapi.json.
// A route that is not here fails the sweep.
var table = map[string]route{
	// --- platform and public identity routes (no object of anyone's) ---
	"GET /healthz":      {public: "liveness probe"},
	"GET /readyz":       {public: "readiness probe"},
	"GET /openapi.json": {public: "the API description"},
	// local profile only: acting as the payer of the payment simulator is the routes' purpose (no real money)
	"POST /dev/localpay/charges/{id}/pay": {public: "the local payment simulator's payer",
		params: func(*world) map[string]string { return map[string]string{"id": "ch_sweep"} }},
	"POST /dev/localpay/charges/{id}/fail": {public: "the local payment simulator's payer",
		params: func(*world) map[string]string { return map[string]string{"id": "ch_sweep"} }},
	"GET /.well-known/jwks.json":           {public: "public keys"},
	"POST /v1/patients":                    {public: "sign-up"},
	"POST /v1/professionals":               {public: "sign-up"},
	"POST /v1/companies":                   {public: "sign-up"},
	"POST /v1/auth/token":                  {public: "sign-in"},
	"POST /v1/auth/logout":                 {public: "ends the session named in the body"},
	"POST /v1/auth/password-reset":         {public: "same answer whether the account exists or not"},
	"POST /v1/auth/password-reset/confirm": {public: "the reset token is the credential"},
	"GET /v1/directory/professionals":      {public: "verified professionals' profiles"},
	"GET /v1/addresses/{cep}": {public: "CEP lookup for the sign-up forms (no account yet); holds nobody's data",
		params: func(*world) map[string]string { return map[string]string{"cep": "20040-020"} },
		deny:   map[string]int{anon: meta, patA: meta, coKey: meta}},
	"GET /v1/professionals": {public: "search of verified professionals"},
	"GET /v1/companies":     {public: "verified companies"},
	"GET /v1/exams":         {public: "exam catalogue of verified hospitals"},
	"GET /v1/exams/{id}":    {public: "an active exam service", params: idOf(func(w *world) string { return w.examID }), deny: map[string]int{anon: own, patB: own}},
	"GET /v1/exams/{id}/slots": {public: "free seats of an exam", params: idOf(func(w *world) string { return w.examID }),
		query: "?from=" + plusDays(3) + "&to=" + plusDays(3), deny: map[string]int{anon: own, patB: own}},
	"GET /v1/prescription-verifications/{code}": {public: "pharmacies verify a code (minimum data, no patient PII)", contentOK: true,
		params: func(w *world) map[string]string { return map[string]string{"code": w.rxCodeA} },
		deny:   map[string]int{anon: own, patB: own, coAdmin: own, coKey: own}},
	"GET /v1/blobs/signed/{key}": {public: "the signed link is the credential",
		params: func(w *world) map[string]string { return map[string]string{"key": w.docBlobKey} },
		query:  "?exp=9999999999&sig=forged", deny: map[string]int{anon: 403, patB: 403, admin: 403}},

	// --- identity ---
	"GET /v1/me":   {deny: with(ownView, coKey, 401, admin, own)},
	"PATCH /v1/me": {deny: with(ownView, coKey, 401), body: json(map[string]any{"phone": "+5511900001111"})},
	"GET /v1/professionals/{id}": {public: "verified profiles; a pending one is hidden", owner: admin,
		params: idOf(func(w *world) string { return w.R.ID }),
		deny:   map[string]int{anon: 404, coKey: 404, patB: 404, proQ: 404, coAdmin: 404, coStaff: 404, patA: 404}},
	"GET /v1/companies/{id}": {public: "verified companies; a pending one is hidden", owner: admin,
		params: idOf(func(w *world) string { return w.pendingCompanyID }),
		deny:   map[string]int{anon: 404, coKey: 404, patB: 404, proQ: 404, coAdmin: 404, coStaff: 404, phAdmin: 404}},
	"GET /v1/admin/professionals": {owner: admin, deny: with(strangers, phAdmin, 403, phStaff, 403, hoAdmin, 403)},
	"GET /v1/admin/companies":     {owner: admin, deny: with(strangers, phAdmin, 403, phStaff, 403, hoAdmin, 403)},
	"POST /v1/admin/professionals/{id}/verify": {owner: admin, params: idOf(func(w *world) string { return w.R.ID }),
		deny: with(strangers, phAdmin, 403, proR, 403)},
	"POST /v1/admin/professionals/{id}/reject": {owner: admin, params: idOf(func(w *world) string { return w.R.ID }),
		body: json(map[string]any{"reason": "documentos falsos"}), deny: with(strangers, phAdmin, 403, proR, 403)},
	"POST /v1/admin/companies/{id}/verify": {owner: admin, params: idOf(func(w *world) string { return w.pendingCompanyID }),
		deny: with(strangers, phAdmin, 403, pendCoAd, 403)},
	"POST /v1/admin/companies/{id}/reject": {owner: admin, params: idOf(func(w *world) string { return w.pendingCompanyID }),
		body: json(map[string]any{"reason": "CNPJ baixado"}), deny: with(strangers, phAdmin, 403, pendCoAd, 403)},
	"GET /v1/companies/{id}/members": {owner: phAdmin, params: pharmacy, deny: strangers},
	"POST /v1/companies/{id}/members": {owner: phAdmin, params: pharmacy, deny: with(strangers, phStaff, 403, admin, 403, hoAdmin, 403),
		body: func(*world) (any, map[string]string) {
			return map[string]any{"name": "Intruso", "email": "intruso-" + time.Now().Format("150405.000000") + "@example.test", "role": "admin", "password": "Harness-Pass-2026!"}, nil
		}},
	"DELETE /v1/companies/{id}/members/{account_id}": {owner: phAdmin,
		params: func(w *world) map[string]string {
			return map[string]string{"id": w.pharm.CompanyID, "account_id": w.pharmStaff.ID}
		}, deny: with(strangers, phStaff, 403, admin, 403, hoAdmin, 403)},
	"GET /v1/companies/{id}/api-keys": {owner: phAdmin, params: pharmacy, deny: with(strangers, phStaff, 403, admin, 403)},
	"POST /v1/companies/{id}/api-keys": {owner: phAdmin, params: pharmacy, deny: with(strangers, phStaff, 403, admin, 403),
		body: json(map[string]any{"name": "intrusa", "scopes": []string{"prescriptions:dispense"}})},
	"DELETE /v1/companies/{id}/api-keys/{key_id}": {owner: phAdmin,
		params: func(w *world) map[string]string {
			return map[string]string{"id": w.pharm.CompanyID, "key_id": w.pharmKeyID}
		},
		deny: with(strangers, phStaff, 403, admin, 403)},

	// --- commerce: partner webhooks (admins manage; staff and platform admins read) ---
	"GET /v1/companies/{id}/webhooks": {owner: phAdmin, params: pharmacy, deny: with(strangers, phKey, 401, hoAdmin, 403)},
	"POST /v1/companies/{id}/webhooks": {owner: phAdmin, params: pharmacy, deny: hookManagers,
		body: json(map[string]any{"url": "https://parceiro.example.com/hooks", "events": []string{"order.paid"}})},
	"GET /v1/companies/{id}/webhooks/{wid}":                {owner: phAdmin, params: pharmHook, deny: with(strangers, phKey, 401, hoAdmin, 403)},
	"DELETE /v1/companies/{id}/webhooks/{wid}":             {owner: phAdmin, params: pharmHook, deny: hookManagers},
	"POST /v1/companies/{id}/webhooks/{wid}/rotate-secret": {owner: phAdmin, params: pharmHook, deny: hookManagers},
	"POST /v1/companies/{id}/webhooks/{wid}/ping":          {owner: phAdmin, params: pharmHook, deny: hookManagers},
	"GET /v1/companies/{id}/webhooks/{wid}/deliveries":     {owner: phAdmin, params: pharmHook, deny: with(strangers, phKey, 401, hoAdmin, 403)},
	"POST /v1/companies/{id}/webhooks/{wid}/deliveries/{did}/replay": {owner: phAdmin,
		params: func(w *world) map[string]string {
			return map[string]string{"id": w.pharm.CompanyID, "wid": w.hookID, "did": w.hookDeliveryID}
		}, deny: hookManagers},

	// --- scheduling ---
	"GET /v1/professionals/{id}/availability": {owner: proP, params: idOf(func(w *world) string { return w.P.ID }),
		deny: with(strangers, proP, 0, patA, 403)},
	"PUT /v1/professionals/{id}/availability": {owner: proP, params: idOf(func(w *world) string { return w.P.ID }), body: availabilityBody,
		deny: with(strangers, proP, 0, patA, 403)},
	"GET /v1/professionals/{id}/agenda": {owner: proP, params: idOf(func(w *world) string { return w.P.ID }),
		query: "?from=" + plusDays(0) + "&to=" + plusDays(10), deny: with(strangers, proP, 0, patA, 403, admin, 403)}, // "for their own eyes only" (issue 4)
	"GET /v1/professionals/{id}/slots": {public: "free slots of verified professionals; a pending one is hidden",
		params: idOf(func(w *world) string { return w.R.ID }), query: "?from=" + plusDays(3) + "&to=" + plusDays(3),
		deny: map[string]int{anon: 404, patB: 404, proQ: 404, coAdmin: 404}},
	"POST /v1/appointments": {deny: map[string]int{anon: 401, coKey: 401, proQ: 403, coAdmin: 403, coStaff: 403, admin: 403},
		body: func(w *world) (any, map[string]string) {
			return map[string]any{"professional_id": w.P.ID, "start": time.Now().Add(20 * 24 * time.Hour).Truncate(24 * time.Hour).Format(time.RFC3339)}, nil
		}},
	"GET /v1/appointments":      {deny: with(ownView, coKey, 401, admin, meta)},
	"GET /v1/appointments/{id}": {owner: patA, params: apptA, deny: with(hiddenA, admin, meta)},
	"POST /v1/appointments/{id}/reschedule": {owner: patA, params: apptA, deny: hiddenA,
		body: func(w *world) (any, map[string]string) {
			return map[string]any{"start": time.Now().In(sp).AddDate(0, 0, 5).Truncate(24 * time.Hour).Add(15 * time.Hour).Format(time.RFC3339)}, nil
		}},
	"POST /v1/appointments/{id}/cancel":   {owner: patA, params: apptA, deny: with(hiddenA, hoStaff, 404), body: json(map[string]any{"reason": "intrusão"})},
	"POST /v1/appointments/{id}/complete": {owner: proP, params: apptA, deny: with(hiddenA, hoStaff, 404, admin, 403, patA, 403)},
	"POST /v1/appointments/{id}/no-show":  {owner: proP, params: apptA, deny: with(hiddenA, hoStaff, 404, admin, 403, patA, 403)},
	"POST /v1/companies/{id}/exams": {owner: hoStaff, params: idOf(func(w *world) string { return w.hosp.CompanyID }),
		deny: with(strangers, phAdmin, 403, phStaff, 403),
		body: json(map[string]any{"name": "Exame intruso", "duration_minutes": 30, "price": map[string]any{"amount": 100, "currency": "BRL"}, "capacity": 1})},
	"PUT /v1/exams/{id}/availability": {owner: hoStaff, params: idOf(func(w *world) string { return w.examID }), body: availabilityBody,
		deny: with(strangers, phAdmin, 403, phStaff, 403)},
	"POST /v1/waitlist": {deny: map[string]int{anon: 401, coKey: 401, proQ: 403, coAdmin: 403, coStaff: 403},
		body: func(w *world) (any, map[string]string) {
			return map[string]any{"professional_id": w.Q.ID, "from": plusDays(3), "to": plusDays(4)}, nil
		}},
	"GET /v1/me/waitlist":                 {deny: with(ownView, coKey, 401)},
	"DELETE /v1/waitlist/{id}":            {owner: patA, params: idOf(func(w *world) string { return w.waitA }), deny: with(hiddenA, proP, 404, admin, 404)},
	"GET /v1/me/notifications":            {deny: with(ownView, coKey, 401, admin, own)},
	"POST /v1/me/notifications/{id}/read": {owner: patA, params: idOf(func(w *world) string { return w.notifA }), deny: with(hiddenA, proP, 404, admin, 404)},
	"GET /v1/me/dashboard":                {deny: with(ownView, coKey, 401, admin, own)},

	// --- clinical ---
	"POST /v1/me/record-shares": {deny: map[string]int{anon: 401, coKey: 401, proQ: 403, coAdmin: 403, coStaff: 403, admin: 403},
		body: func(w *world) (any, map[string]string) {
			return map[string]any{"professional_id": w.Q.ID, "until": time.Now().Add(48 * time.Hour).Format(time.RFC3339)}, nil
		}},
	"GET /v1/me/record-shares":         {deny: map[string]int{anon: 401, coKey: 401, patB: own, proQ: 403, coAdmin: 403, admin: 403}},
	"DELETE /v1/me/record-shares/{id}": {owner: patA, params: idOf(func(w *world) string { return w.shareA }), deny: with(hiddenA, proP, 404, admin, 404)},
	"GET /v1/me/access-log":            {deny: map[string]int{anon: 401, coKey: 401, patB: own, proQ: 403, coAdmin: 403, admin: 403}},
	"POST /v1/patients/{id}/break-the-glass": {owner: proQ, params: patientA, // any verified professional may, by design (logged, the patient told)
		body: json(map[string]any{"reason": "paciente inconsciente no pronto-socorro"}),
		deny: map[string]int{anon: 401, coKey: 401, patB: 403, coAdmin: 403, coStaff: 403, admin: 403, proR: 403}},
	"POST /v1/patients/{id}/evaluations": {owner: proP, params: patientA, body: evaluationBody, deny: with(hiddenA, admin, 403, proR, 404, patA, 403)},
	"GET /v1/patients/{id}/evaluations":  {owner: patA, params: patientA, deny: with(hiddenA, admin, meta)},
	"GET /v1/evaluations/{id}":           {owner: patA, params: evalA, deny: with(hiddenA, admin, meta)},
	"GET /v1/evaluations/{id}/versions":  {owner: patA, params: evalA, deny: with(hiddenA, admin, meta)},
	"PUT /v1/evaluations/{id}": {owner: proP, params: evalA, deny: with(hiddenA, admin, 403, patA, 403),
		body: ifMatch(`"1"`, json(map[string]any{"kind": "simplified", "reason": "check-up", "notes": "reescrito", "amend_reason": "alteração indevida"}))},
	"POST /v1/evaluations/{id}/sign":         {owner: proP, params: evalA, deny: with(hiddenA, admin, 403, patA, 403)},
	"POST /v1/patients/{id}/treatment-plans": {owner: proP, params: patientA, body: planBody, deny: with(hiddenA, admin, 403, patA, 403)},
	"GET /v1/patients/{id}/treatment-plans":  {owner: patA, params: patientA, deny: with(hiddenA, admin, meta)},
	"GET /v1/treatment-plans/{id}":           {owner: patA, params: planA, deny: with(hiddenA, admin, meta)},
	"PUT /v1/treatment-plans/{id}":           {owner: proP, params: planA, body: ifMatch(`"1"`, planBody), deny: with(hiddenA, admin, 403, patA, 403)},
	"POST /v1/treatment-plans/{id}/progress": {owner: patA, params: planA, deny: with(hiddenA, admin, 403, proP, 403),
		body: func(w *world) (any, map[string]string) {
			return map[string]any{"item_id": w.planItemA, "date": plusDays(0), "done": true}, nil
		}},
	"GET /v1/treatment-plans/{id}/progress": {owner: patA, params: planA, deny: with(hiddenA, admin, 403)},
	"GET /v1/treatment-plans/{id}/purchase-options": {owner: patA, params: planA, // commerce: the patient or a professional caring for them
		deny: with(hiddenA, admin, 403, phAdmin, 404, phStaff, 404)},
	"POST /v1/patients/{id}/prescriptions": {owner: proP, params: patientA, deny: with(hiddenA, admin, 403, patA, 403),
		body: json(map[string]any{"type": "simple", "items": []any{map[string]any{"drug": "Dipirona", "dosage": "1 cp", "quantity": "10"}}})},
	"GET /v1/patients/{id}/prescriptions": {owner: patA, params: patientA, deny: with(hiddenA, admin, meta)},
	"GET /v1/prescriptions/{id}":          {owner: patA, params: rxA, deny: with(hiddenA, admin, meta, phAdmin, 404, phStaff, 404)},
	"GET /v1/prescriptions/{id}/pdf":      {owner: patA, params: rxA, deny: with(hiddenA, admin, 403, phAdmin, 404)},
	"POST /v1/prescriptions/{id}/cancel":  {owner: proP, params: rxA, body: json(map[string]any{"reason": "intrusão"}), deny: with(hiddenA, admin, 403, patA, 403)},
	"POST /v1/prescription-verifications/{code}/dispense": {owner: phStaff, params: func(w *world) map[string]string { return map[string]string{"code": w.rxCodeA} },
		deny: map[string]int{anon: 401, patB: 403, proQ: 403, proP: 403, patA: 403, coAdmin: 403, coStaff: 403, coKey: 403, admin: 403, hoStaff: 403}},
	"POST /v1/patients/{id}/documents": {owner: patA, params: patientA, deny: with(hiddenA, admin, 403),
		body: func(*world) (any, map[string]string) { return multipartDoc("intruso") }},
	"GET /v1/patients/{id}/documents":   {owner: patA, params: patientA, deny: with(hiddenA, admin, meta)},
	"GET /v1/documents/{id}":            {owner: patA, params: docA, deny: with(hiddenA, admin, meta)},
	"GET /v1/documents/{id}/content":    {owner: patA, params: docA, deny: with(hiddenA, admin, 403)},
	"GET /v1/patients/{id}/history":     {owner: patA, params: patientA, deny: with(hiddenA, admin, meta)},
	"GET /v1/professionals/me/patients": {deny: map[string]int{anon: 401, coKey: 401, proQ: own, patB: 403, coAdmin: 403, admin: 403}},

	// --- commerce: payments and refunds ---
	"GET /v1/me/payments": {deny: map[string]int{anon: 401, coKey: 401, patB: own, proQ: 403, coAdmin: 403, coStaff: 403, admin: 403}},
	"GET /v1/companies/{id}/statement": {owner: phAdmin, params: pharmacy, query: "?from=" + plusDays(-30) + "&to=" + plusDays(0),
		deny: with(strangers, phStaff, 403, admin, 403, hoAdmin, 403, phKey, 401)},
	"POST /v1/payments/webhooks/{provider}": {public: "the payment provider's signature is the credential",
		params: func(*world) map[string]string { return map[string]string{"provider": "nopay"} },
		deny:   map[string]int{anon: 404, patB: 404, coKey: 404, admin: 404}},
	// orderA: A's order at the pharmacy (seedOrders)
	"POST /v1/orders/{id}/payments": {owner: patA, params: orderA,
		body: json(map[string]any{"method": "pix"}),
		deny: map[string]int{anon: 401, coKey: 401, patB: 404, proQ: 404, coAdmin: 404, coStaff: 404, admin: 404, phAdmin: 404, phStaff: 404}},
	"POST /v1/orders/{id}/refunds": {owner: phAdmin, params: orderA,
		body: json(map[string]any{"amount": 100, "reason": "intrusão"}),
		deny: map[string]int{anon: 401, coKey: 404, patB: 404, proQ: 404, coAdmin: 404, coStaff: 404, admin: 404, patA: 404, phStaff: 403}},
	// apptA: A's consultation with P; only A may pay it or list its payments (P, the hospital and admins: 404)
	"POST /v1/appointments/{id}/payments": {owner: patA, params: apptA, body: json(map[string]any{"method": "pix"}),
		deny: map[string]int{anon: 401, coKey: 401, patB: 404, proQ: 404, proP: 404, coAdmin: 404, coStaff: 404, admin: 404, hoAdmin: 404, hoStaff: 404}},
	"GET /v1/appointments/{id}/payments": {owner: patA, params: apptA,
		deny: map[string]int{anon: 401, coKey: 401, patB: 404, proQ: 404, proP: 404, coAdmin: 404, coStaff: 404, admin: 404, hoAdmin: 404}},
	"GET /v1/orders/{id}/refunds": {owner: patA, params: orderA,
		deny: map[string]int{anon: 401, coKey: 404, patB: 404, proQ: 404, coAdmin: 404, coStaff: 404, admin: 404}},
	// --- commerce: catalogues ---
	"GET /v1/companies/{id}/catalog":       {public: "a verified company's catalogue (patients browse); a pending one's is hidden", params: pharmacy},
	"GET /v1/companies/{id}/catalog/{sku}": {public: "an item of a verified company's catalogue", params: catalogItem},
	"PUT /v1/companies/{id}/catalog/{sku}": {owner: phStaff, params: catalogItem, deny: catalogStrangers,
		body: json(map[string]any{"name": "Dipirona intrusa", "kind": "product", "price": map[string]any{"amount": 100, "currency": "BRL"},
			"fulfilment": map[string]any{"pickup": true}})},
	"DELETE /v1/companies/{id}/catalog/{sku}": {owner: phStaff, params: catalogItem, deny: catalogStrangers},
	"POST /v1/companies/{id}/catalog:import": {owner: phStaff, params: pharmacy, deny: catalogStrangers,
		body: func(*world) (any, map[string]string) {
			return []byte("sku;name;kind;price\nINTRUSO;Intruso;product;1,00\n"), map[string]string{"Content-Type": "text/csv"}
		}},
}
