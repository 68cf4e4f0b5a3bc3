package authz_test

import "github.com/multisaude/multisaude/core/consent"

// The consent ledger's routes: the terms are public; each person records and
// reads only their own consents; API keys and the platform's admins have none.
func init() {
	tele, _ := consent.CurrentTerm("telemedicine")
	table["GET /v1/consent-terms"] = route{public: "the consent terms, read before signing up"}
	table["GET /v1/consent-terms/{purpose}"] = route{public: "one purpose's consent term",
		params: func(*world) map[string]string { return map[string]string{"purpose": "telemedicine"} }}
	mine := map[string]int{anon: 401, coKey: 401, phKey: 401, admin: 403, patB: own, proQ: own, coAdmin: own, coStaff: own}
	table["POST /v1/me/consents"] = route{deny: mine,
		body: json(map[string]any{"purpose": "telemedicine", "decision": "granted", "term_version": tele.Version})}
	table["GET /v1/me/consents"] = route{deny: mine}
}
