package harness

import (
	"net/http"
	"testing"

	"github.com/multisaude/multisaude/core/consent"
)

// GrantConsents records acct's grant of each purpose's current term, as the
// portal does when the person accepts it (channel "portal").
func GrantConsents(t testing.TB, h *H, acct Account, purposes ...string) {
	t.Helper()
	for _, p := range purposes {
		term, ok := consent.CurrentTerm(p)
		if !ok {
			t.Fatalf("no consent term for purpose %q", p)
		}
		h.Do(t, Req{Method: http.MethodPost, Path: "/v1/me/consents", Token: acct.Token, Headers: map[string]string{"X-Consent-Channel": "portal"},
			Body: map[string]any{"purpose": p, "decision": "granted", "term_version": term.Version}}).Want(t, http.StatusCreated)
	}
}

// RevokeConsents records acct's revocation of each purpose (naming its current term).
func RevokeConsents(t testing.TB, h *H, acct Account, purposes ...string) {
	t.Helper()
	for _, p := range purposes {
		term, _ := consent.CurrentTerm(p)
		h.Do(t, Req{Method: http.MethodPost, Path: "/v1/me/consents", Token: acct.Token,
			Body: map[string]any{"purpose": p, "decision": "revoked", "term_version": term.Version}}).Want(t, http.StatusCreated)
	}
}

// SignUpConsents are the purposes the portal's patient sign-up asks for:
// telemedicine (CFM 2.314/2022) and partner_sharing (orders).
var SignUpConsents = []string{"telemedicine", "partner_sharing"}
