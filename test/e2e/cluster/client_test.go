package cluster

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/test/e2e/harness"
)

// api is one instance's HTTP API, as a client sees it.
type api struct {
	name string
	base string
	c    *http.Client
}

func newAPI(name, base string) *api {
	return &api{name: name, base: base, c: &http.Client{Timeout: 30 * time.Second}}
}

// answer is what a request got: a response, or a transport error (err) when
// the instance was not there to answer.
type answer struct {
	status int
	header http.Header
	body   []byte
	err    error
}

type req struct {
	method, path, token string
	body                any
	headers             map[string]string
}

// send sends a request; it never fails the test (a killed instance is a
// transport error in the answer).
func (a *api) send(r req) answer {
	var rd io.Reader
	switch b := r.body.(type) {
	case nil:
	case []byte: // sent as it is
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			return answer{err: err}
		}
		rd = bytes.NewReader(buf)
	}
	hr, err := http.NewRequest(r.method, a.base+r.path, rd)
	if err != nil {
		return answer{err: err}
	}
	if r.body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.headers {
		hr.Header.Set(k, v)
	}
	res, err := a.c.Do(hr)
	if err != nil {
		return answer{err: err}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return answer{status: res.StatusCode, header: res.Header, body: b, err: err}
}

func (a *api) get(path, token string) answer {
	return a.send(req{method: http.MethodGet, path: path, token: token})
}

func (a *api) post(path, token string, body any, headers ...string) answer {
	hd := map[string]string{}
	for i := 0; i+1 < len(headers); i += 2 {
		hd[headers[i]] = headers[i+1]
	}
	return a.send(req{method: http.MethodPost, path: path, token: token, body: body, headers: hd})
}

func (a *api) put(path, token string, body any) answer {
	return a.send(req{method: http.MethodPut, path: path, token: token, body: body})
}

// want fails the test unless the answer has the status.
func (r answer) want(t testing.TB, what string, status int) answer {
	t.Helper()
	if r.err != nil {
		t.Fatalf("%s: %v", what, r.err)
	}
	if r.status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, r.status, status, r.body)
	}
	return r
}

func (r answer) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// problem checks that the answer is a complete problem+json and decodes it.
func (r answer) problem() (problem, error) {
	var p problem
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		return p, fmt.Errorf("content type %q, want application/problem+json: %s", ct, r.body)
	}
	if err := json.Unmarshal(r.body, &p); err != nil {
		return p, err
	}
	if p.Status != r.status || p.Type == "" || p.Title == "" {
		return p, fmt.Errorf("incomplete problem: %s", r.body)
	}
	return p, nil
}

func (p problem) hasField(f string) bool {
	for _, e := range p.Errors {
		if e.Field == f {
			return true
		}
	}
	return false
}

// account is a signed-in account.
type account struct {
	ID, Email, Token, Refresh string
	CompanyID                 string
}

func login(t testing.TB, a *api, email, password string) (access, refresh string) {
	t.Helper()
	var out struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	a.post("/v1/auth/token", "", map[string]any{"grant_type": "password", "email": email, "password": password}).
		want(t, "sign in on "+a.name, http.StatusOK).decode(t, &out)
	if out.AccessToken == "" || out.RefreshToken == "" {
		t.Fatalf("sign in on %s answered no tokens", a.name)
	}
	return out.AccessToken, out.RefreshToken
}

// signUpPatient signs up on a, signs in and grants the sign-up consents
// (telemedicine, partner_sharing: orders need the latter).
func signUpPatient(t testing.TB, a *api) account {
	t.Helper()
	body := harness.PatientBody()
	var out struct {
		ID string `json:"id"`
	}
	a.post("/v1/patients", "", body).want(t, "patient sign-up on "+a.name, http.StatusCreated).decode(t, &out)
	acc := account{ID: out.ID, Email: body["email"].(string)}
	acc.Token, acc.Refresh = login(t, a, acc.Email, harness.Password)
	for _, p := range harness.SignUpConsents {
		term, ok := consent.CurrentTerm(p)
		if !ok {
			t.Fatalf("no consent term for %q", p)
		}
		a.send(req{method: http.MethodPost, path: "/v1/me/consents", token: acc.Token, headers: map[string]string{"X-Consent-Channel": "portal"},
			body: map[string]any{"purpose": p, "decision": "granted", "term_version": term.Version}}).want(t, "consent "+p, http.StatusCreated)
	}
	return acc
}

// signUpProfessional signs a professional up on a, has admin verify them and signs in.
func signUpProfessional(t testing.TB, a *api, admin account, name string) account {
	t.Helper()
	body := harness.ProfessionalBody(harness.ProfessionalOptions{Name: name, Modes: []string{"in_person"}})
	var out struct {
		ID string `json:"id"`
	}
	a.post("/v1/professionals", "", body).want(t, "professional sign-up", http.StatusCreated).decode(t, &out)
	a.post("/v1/admin/professionals/"+out.ID+"/verify", admin.Token, nil).want(t, "verify professional", http.StatusOK)
	acc := account{ID: out.ID, Email: body["email"].(string)}
	acc.Token, acc.Refresh = login(t, a, acc.Email, harness.Password)
	return acc
}

// signUpCompany signs a company of type typ up on a, has admin verify it and
// signs its admin member in.
func signUpCompany(t testing.TB, a *api, admin account, typ string) account {
	t.Helper()
	body := harness.CompanyBody(typ)
	var out struct {
		ID             string `json:"id"`
		AdminAccountID string `json:"admin_account_id"`
	}
	a.post("/v1/companies", "", body).want(t, "company sign-up", http.StatusCreated).decode(t, &out)
	a.post("/v1/admin/companies/"+out.ID+"/verify", admin.Token, nil).want(t, "verify company", http.StatusOK)
	adm := body["admin"].(map[string]any)
	acc := account{ID: out.AdminAccountID, Email: adm["email"].(string), CompanyID: out.ID}
	acc.Token, acc.Refresh = login(t, a, acc.Email, harness.Password)
	return acc
}

var weekdays = [...]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// allDay is open for in-person visits every day, all day.
func allDay(slotMinutes, minNoticeHours int) map[string]any {
	var weekly []map[string]any
	for _, d := range weekdays {
		weekly = append(weekly, map[string]any{"weekday": d, "start": "00:00", "end": "24:00", "mode": "in_person"})
	}
	return map[string]any{"time_zone": "America/Sao_Paulo", "slot_minutes": slotMinutes, "buffer_minutes": 0, "min_notice_hours": minNoticeHours,
		"horizon_days": 30, "cancel_until_hours": 0, "weekly": weekly, "exceptions": []any{}}
}

type slot struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

func slotsOn(t testing.TB, a *api, professionalID string, day time.Time) []slot {
	t.Helper()
	d := day.In(saoPaulo).Format("2006-01-02")
	var l struct {
		Items []slot `json:"items"`
	}
	a.get("/v1/professionals/"+professionalID+"/slots?from="+d+"&to="+d, "").want(t, "slots", http.StatusOK).decode(t, &l)
	return l.Items
}

type appointment struct {
	ID             string    `json:"id"`
	ProfessionalID string    `json:"professional_id"`
	PatientID      string    `json:"patient_id"`
	Start          time.Time `json:"start"`
	Status         string    `json:"status"`
}

func book(a *api, token, professionalID string, start time.Time, key string) answer {
	return a.post("/v1/appointments", token, map[string]any{"professional_id": professionalID, "start": start.Format(time.RFC3339)},
		"Idempotency-Key", key)
}

// agenda is a professional's appointments as one instance lists them.
func agenda(t testing.TB, a *api, pro account) []appointment {
	t.Helper()
	var out []appointment
	cursor := ""
	for {
		var l struct {
			Items      []appointment `json:"items"`
			NextCursor string        `json:"next_cursor"`
		}
		path := "/v1/appointments?limit=100"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		a.get(path, pro.Token).want(t, "agenda on "+a.name, http.StatusOK).decode(t, &l)
		out = append(out, l.Items...)
		if l.NextCursor == "" {
			return out
		}
		cursor = l.NextCursor
	}
}

var saoPaulo, _ = time.LoadLocation("America/Sao_Paulo")

func eventually(t testing.TB, timeout time.Duration, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}
