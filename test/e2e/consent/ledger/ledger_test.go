// Package ledger_test drives the consent ledger over HTTP: terms, grants and
// revocations, and the gate scheduling and commerce call.
package ledger_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/test/e2e/harness"
)

type record struct {
	ID          string    `json:"id"`
	Purpose     string    `json:"purpose"`
	Decision    string    `json:"decision"`
	TermVersion string    `json:"term_version"`
	Channel     string    `json:"channel"`
	RequestID   string    `json:"request_id"`
	At          time.Time `json:"at"`
}

type state struct {
	Purpose        string `json:"purpose"`
	Decision       string `json:"decision"`
	TermVersion    string `json:"term_version"`
	CurrentVersion string `json:"current_version"`
	Effective      bool   `json:"effective"`
	TermURL        string `json:"term_url"`
}

type mine struct {
	States  []state  `json:"states"`
	History []record `json:"history"`
}

func (m mine) state(purpose string) state {
	for _, s := range m.States {
		if s.Purpose == purpose {
			return s
		}
	}
	return state{}
}

func myConsents(t *testing.T, h *harness.H, a harness.Account) mine {
	t.Helper()
	var m mine
	h.Get(t, "/v1/me/consents", a.Token).Want(t, http.StatusOK).JSON(t, &m)
	return m
}

func post(t *testing.T, h *harness.H, a harness.Account, body map[string]any, headers map[string]string) *harness.Resp {
	t.Helper()
	return h.Do(t, harness.Req{Method: http.MethodPost, Path: "/v1/me/consents", Token: a.Token, Body: body, Headers: headers})
}

func current(purpose string) string {
	t, _ := consent.CurrentTerm(purpose)
	return t.Version
}

// ledgerRows counts a subject's rows in the ledger table.
func ledgerRows(t *testing.T, h *harness.H, subjectID string) int {
	t.Helper()
	n, err := h.App.DB.NewSelect().Table("consent_ledger").Where("subject_id = ?", subjectID).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func TestTermsAndLedger(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		// The terms are public, in Portuguese, one per purpose.
		var terms struct {
			Items []struct {
				Purpose, Version, Title, Summary, Text string
				LegalBasis                             string `json:"legal_basis"`
				Required                               bool
			} `json:"items"`
		}
		h.Get(t, "/v1/consent-terms", "").Want(t, http.StatusOK).JSON(t, &terms)
		if len(terms.Items) != len(consent.Purposes) {
			t.Fatalf("%d terms, want %d", len(terms.Items), len(consent.Purposes))
		}
		for i, tm := range terms.Items {
			if tm.Purpose != consent.Purposes[i] || tm.Version == "" || tm.Title == "" || tm.Text == "" || tm.LegalBasis == "" {
				t.Errorf("incomplete term %+v", tm)
			}
			if tm.Required == (tm.Purpose == "care") {
				t.Errorf("term %s required=%v", tm.Purpose, tm.Required)
			}
		}
		var tele map[string]any
		h.Get(t, "/v1/consent-terms/telemedicine", "").Want(t, http.StatusOK).JSON(t, &tele)
		for _, want := range []string{"presencial a qualquer momento", "Limites do atendimento a distância", "Registro e segurança", "Identificação do profissional", "2.314/2022"} {
			if !strings.Contains(tele["text"].(string)+tele["summary"].(string)+tele["legal_basis"].(string), want) {
				t.Errorf("telemedicine term does not say %q", want)
			}
		}
		var care map[string]any
		h.Get(t, "/v1/consent-terms/care", "").Want(t, http.StatusOK).JSON(t, &care)
		if !strings.Contains(care["text"].(string), "art. 11, II, f") || !strings.Contains(care["text"].(string), "nenhum agendamento ou atendimento é recusado") {
			t.Errorf("care term does not explain tutela da saúde: %v", care["text"])
		}
		h.Get(t, "/v1/consent-terms/astrology", "").Want(t, http.StatusNotFound).Problem(t)

		// Each kind of person grants and revokes each purpose; state and history follow.
		pat := harness.SignUpPatientWithoutConsents(t, h)
		pro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{})
		co := harness.SignUpVerifiedCompany(t, h, "pharmacy")
		for _, who := range []harness.Account{pat, pro, co} {
			m := myConsents(t, h, who)
			if len(m.States) != len(consent.Purposes) || len(m.History) != 0 {
				t.Fatalf("%s before any decision: %+v", who.Kind, m)
			}
			for _, s := range m.States {
				if s.Decision != "" || s.Effective || s.CurrentVersion == "" || s.TermURL != "/v1/consent-terms/"+s.Purpose {
					t.Errorf("%s: fresh state %+v", who.Kind, s)
				}
			}
			for i, p := range consent.Purposes {
				var g record
				post(t, h, who, map[string]any{"purpose": p, "decision": "granted", "term_version": current(p)},
					map[string]string{"X-Consent-Channel": "portal", "X-Request-ID": "req-" + p}).Want(t, http.StatusCreated).JSON(t, &g)
				if g.Purpose != p || g.Decision != "granted" || g.Channel != "portal" || g.RequestID != "req-"+p || g.TermVersion != current(p) || g.ID == "" {
					t.Errorf("grant answer %+v", g)
				}
				m = myConsents(t, h, who)
				if s := m.state(p); s.Decision != "granted" || !s.Effective {
					t.Errorf("%s %s after grant: %+v", who.Kind, p, s)
				}
				var r record
				post(t, h, who, map[string]any{"purpose": p, "decision": "revoked", "term_version": current(p)}, nil).Want(t, http.StatusCreated).JSON(t, &r)
				if r.Channel != "api" {
					t.Errorf("default channel %q", r.Channel)
				}
				m = myConsents(t, h, who)
				if s := m.state(p); s.Decision != "revoked" || s.Effective {
					t.Errorf("%s %s after revocation: %+v", who.Kind, p, s)
				}
				if len(m.History) != 2*(i+1) || m.History[0].ID != r.ID || m.History[1].ID != g.ID || m.History[1].Decision != "granted" {
					t.Errorf("%s history after %s: %+v", who.Kind, p, m.History)
				}
			}
			if n := ledgerRows(t, h, who.ID); n != 2*len(consent.Purposes) {
				t.Errorf("%s: %d ledger rows, want %d", who.Kind, n, 2*len(consent.Purposes))
			}
		}
		// The first grant is still there, untouched, in the patient's history.
		m := myConsents(t, h, pat)
		last := m.History[len(m.History)-1]
		if last.Purpose != "care" || last.Decision != "granted" || last.Channel != "portal" {
			t.Errorf("oldest record changed: %+v", last)
		}

		// The table itself refuses UPDATE and DELETE.
		ctx := context.Background()
		if _, err := h.App.DB.NewRaw("UPDATE consent_ledger SET decision = 'granted' WHERE subject_id = ?", pat.ID).Exec(ctx); err == nil {
			t.Error("UPDATE on consent_ledger was accepted")
		}
		if _, err := h.App.DB.NewRaw("DELETE FROM consent_ledger WHERE subject_id = ?", pat.ID).Exec(ctx); err == nil {
			t.Error("DELETE on consent_ledger was accepted")
		}
		if n := ledgerRows(t, h, pat.ID); n != 2*len(consent.Purposes) {
			t.Errorf("after the refused statements: %d rows", n)
		}
		if s := myConsents(t, h, pat).state("care"); s.Decision != "revoked" {
			t.Errorf("state changed by a refused UPDATE: %+v", s)
		}

		// Bad input, field by field, in Portuguese.
		cases := []struct {
			body    map[string]any
			headers map[string]string
			fields  []string
		}{
			{map[string]any{}, nil, []string{"purpose", "decision", "term_version"}},
			{map[string]any{"purpose": "astrology", "decision": "maybe", "term_version": "1"}, nil, []string{"purpose", "decision"}},
			{map[string]any{"purpose": "telemedicine", "decision": "granted", "term_version": "1999-01-01"}, nil, []string{"term_version"}},
			{map[string]any{"purpose": "marketing", "decision": "revoked", "term_version": "nope"}, nil, []string{"term_version"}},
			{map[string]any{"purpose": "marketing", "decision": "granted", "term_version": current("marketing")}, map[string]string{"X-Consent-Channel": "pombo"}, []string{"X-Consent-Channel"}},
		}
		before := ledgerRows(t, h, pat.ID)
		for _, c := range cases {
			p := post(t, h, pat, c.body, c.headers).Want(t, http.StatusBadRequest).Problem(t)
			if len(p.Errors) != len(c.fields) {
				t.Errorf("%v: problem names %v, want %v", c.body, p.Fields(), c.fields)
			}
			for _, f := range c.fields {
				if !p.HasField(f) {
					t.Errorf("%v: problem does not name %s: %v", c.body, f, p.Fields())
				}
			}
			for _, e := range p.Errors {
				if strings.Contains(e.Message, "must") || strings.Contains(e.Message, "required") {
					t.Errorf("message not in Portuguese: %q", e.Message)
				}
			}
		}
		p := post(t, h, pat, map[string]any{"purpose": "telemedicine", "decision": "granted", "term_version": "1999-01-01"}, nil).Problem(t)
		if !strings.Contains(p.Errors[0].Message, current("telemedicine")) || !strings.Contains(p.Errors[0].Message, "/v1/consent-terms/telemedicine") {
			t.Errorf("stale version does not name the current one: %q", p.Errors[0].Message)
		}
		h.Do(t, harness.Req{Method: http.MethodPost, Path: "/v1/me/consents", Token: pat.Token, Body: []byte(`{"purpose":"care","decision":"granted","term_version":"x","extra":1}`)}).Want(t, http.StatusBadRequest)
		if n := ledgerRows(t, h, pat.ID); n != before {
			t.Errorf("refused input appended %d rows", n-before)
		}

		// Who may record: admins (403) and API keys (401, not account routes) may not; nobody anonymous.
		admin := harness.AdminLogin(t, h)
		grant := map[string]any{"purpose": "care", "decision": "granted", "term_version": current("care")}
		post(t, h, admin, grant, nil).Want(t, http.StatusForbidden).Problem(t)
		h.Get(t, "/v1/me/consents", admin.Token).Want(t, http.StatusForbidden)
		var key struct {
			Secret string `json:"secret"`
		}
		h.Post(t, "/v1/companies/"+co.CompanyID+"/api-keys", co.Token, map[string]any{"name": "integração", "scopes": []string{"orders:read"}}).
			Want(t, http.StatusCreated).JSON(t, &key)
		h.Do(t, harness.Req{Method: http.MethodPost, Path: "/v1/me/consents", Token: key.Secret, Body: grant}).Want(t, http.StatusUnauthorized)
		h.Do(t, harness.Req{Method: http.MethodPost, Path: "/v1/me/consents", Body: grant}).Want(t, http.StatusUnauthorized)
		h.Get(t, "/v1/me/consents", "").Want(t, http.StatusUnauthorized)
	})
}

// consentProblem checks a 409 names purpose's current term.
func consentProblem(t *testing.T, r *harness.Resp, purpose string) {
	t.Helper()
	r.Want(t, http.StatusConflict).Problem(t)
	var p struct {
		Detail  string `json:"detail"`
		Consent struct {
			Purpose     string `json:"purpose"`
			TermVersion string `json:"term_version"`
			TermURL     string `json:"term_url"`
		} `json:"consent"`
	}
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Consent.Purpose != purpose || p.Consent.TermVersion != current(purpose) || p.Consent.TermURL != "/v1/consent-terms/"+purpose ||
		!strings.Contains(p.Detail, purpose) || !strings.Contains(p.Detail, current(purpose)) || !strings.Contains(p.Detail, "/v1/consent-terms/"+purpose) {
		t.Errorf("409 does not name the %s term: %s", purpose, r.Body)
	}
}
