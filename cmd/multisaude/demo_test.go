//go:build !lambda

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/test/testdb"
)

// TestDemo runs `multisaude demo` on a fresh database, serves the app as
// `multisaude serve` does and checks through the HTTP API what a person trying
// the portal would see; a second run finds the data and adds nothing.
func TestDemo(t *testing.T) {
	for _, d := range testdb.Dialects() {
		t.Run(string(d), func(t *testing.T) { testDemo(t, d) })
	}
	if testdb.PostgresURL() == "" {
		t.Run("postgres", func(t *testing.T) { t.Skipf("%s not set: skipping PostgreSQL", testdb.PostgresEnv) })
	}
}

func TestDemoRefusesOtherProfiles(t *testing.T) {
	for _, p := range []string{"aws", "onprem"} {
		var errb bytes.Buffer
		if code := run(context.Background(), []string{"demo", "--profile", p}, io.Discard, &errb); code != 1 || !strings.Contains(errb.String(), "recusado") {
			t.Errorf("%s: exit %d, %q", p, code, errb.String())
		}
	}
}

func testDemo(t *testing.T, d sqlstore.Dialect) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base := "http://" + addr
	t.Setenv("MULTISAUDE_PROFILE", "local")
	t.Setenv("MULTISAUDE_DATA_DIR", t.TempDir())
	t.Setenv("MULTISAUDE_DATABASE_URL", testdb.URL(t, d))
	t.Setenv("MULTISAUDE_LOG_LEVEL", "error")
	t.Setenv("MULTISAUDE_HTTP_ADDR", addr)
	t.Setenv("MULTISAUDE_PUBLIC_URL", base)
	t.Setenv("MULTISAUDE_ADMIN_EMAIL", "")
	t.Setenv("MULTISAUDE_ADMIN_PASSWORD", "")

	demo := func() string {
		var out, errb bytes.Buffer
		if code := run(context.Background(), []string{"demo"}, &out, &errb); code != 0 {
			t.Fatalf("demo: exit %d\n%s\n%s", code, out.String(), errb.String())
		}
		return out.String()
	}
	out := demo()
	for _, want := range []string{"Dados de demonstração criados", "Senha de todas as contas de demonstração: " + demoPassword,
		"http://localhost:8080/", "paciente", "profissional", "empresa", "admin@demo.multisaude.com.br"} {
		if !strings.Contains(out, want) {
			t.Fatalf("the output lacks %q:\n%s", want, out)
		}
	}
	// the printed logins
	logins := map[string][]string{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && strings.HasSuffix(f[1], demoDomain) {
			logins[f[0]] = append(logins[f[0]], f[1])
		}
	}
	if len(logins["paciente"]) != 6 || len(logins["profissional"]) != 12 || len(logins["empresa"]) != 7 || len(logins["admin"]) != 1 {
		t.Fatalf("logins = %v", logins)
	}

	first := looksAround(t, base, logins["paciente"][0])
	if out := demo(); !strings.Contains(out, "já existem") || !strings.Contains(out, logins["paciente"][0]) {
		t.Fatalf("second run:\n%s", out)
	}
	if again := looksAround(t, base, logins["paciente"][0]); again != first {
		t.Errorf("the second run changed the counts: %+v, then %+v", first, again)
	}
}

type demoCounts struct{ Professionals, History, Appointments, Catalogue, Orders int }

// looksAround serves the app and reads what the demo left: the patient's
// history, a professional's slots, a pharmacy's catalogue, search by city.
func looksAround(t *testing.T, base, patientEmail string) demoCounts {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var stderr bytes.Buffer
	go func() { done <- run(ctx, []string{"serve"}, io.Discard, &stderr) }()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop")
		}
	}()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve is not answering: %v\n%s", err, stderr.String())
		}
	}
	call := func(method, path, token string, body, out any) {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, base+path, rd)
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: HTTP %d %s", method, path, res.StatusCode, b)
		}
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	type list struct {
		Items []map[string]any `json:"items"`
	}
	var c demoCounts

	// the printed patient signs in and sees a history with evaluations
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	call(http.MethodPost, "/v1/auth/token", "", map[string]any{"grant_type": "password", "email": patientEmail, "password": demoPassword,
		"account_kind": "patient"}, &tok)
	var me struct {
		ID string `json:"id"`
	}
	call(http.MethodGet, "/v1/me", tok.AccessToken, nil, &me)
	var hist list
	call(http.MethodGet, "/v1/patients/"+me.ID+"/history?limit=100", tok.AccessToken, nil, &hist)
	kinds := map[string]int{}
	for _, it := range hist.Items {
		kinds[it["kind"].(string)]++
	}
	if kinds["evaluation"] < 2 || kinds["appointment"] < 2 || kinds["treatment_plan"] < 1 || kinds["prescription"] < 1 {
		t.Errorf("the patient's history holds %v", kinds)
	}
	c.History = len(hist.Items)
	var appts list
	call(http.MethodGet, "/v1/appointments?limit=100", tok.AccessToken, nil, &appts)
	status := map[string]int{}
	for _, a := range appts.Items {
		status[a["status"].(string)]++
	}
	if status["completed"] < 2 || status["confirmed"]+status["booked"]+status["scheduled"] < 1 {
		t.Errorf("the patient's appointments by status: %v", status)
	}
	c.Appointments = len(appts.Items)
	var orders list
	call(http.MethodGet, "/v1/me/orders", tok.AccessToken, nil, &orders)
	ostatus := map[string]int{}
	for _, o := range orders.Items {
		ostatus[o["status"].(string)]++
	}
	if ostatus["delivered"] != 1 || len(orders.Items) != 2 {
		t.Errorf("the patient's orders by status: %v", ostatus)
	}
	c.Orders = len(orders.Items)

	// search finds professionals in several cities; the one in Manaus has slots
	var all list
	call(http.MethodGet, "/v1/professionals?limit=100", "", nil, &all)
	c.Professionals = len(all.Items)
	if c.Professionals != len(demoProfessionals) {
		t.Errorf("professionals = %d", c.Professionals)
	}
	for _, city := range []string{"São Paulo", "Recife", "Manaus"} {
		var found list
		call(http.MethodGet, "/v1/professionals?city="+url.QueryEscape(city), "", nil, &found)
		if len(found.Items) == 0 {
			t.Errorf("no professional found in %s", city)
		}
		if city == "Manaus" && len(found.Items) > 0 {
			from := time.Now().AddDate(0, 0, 1).Format("2006-01-02")
			to := time.Now().AddDate(0, 0, 8).Format("2006-01-02")
			var slots list
			pro, _ := found.Items[0]["professional"].(map[string]any)
			id, _ := pro["id"].(string)
			call(http.MethodGet, "/v1/professionals/"+id+"/slots?from="+from+"&to="+to, "", nil, &slots)
			if len(slots.Items) == 0 {
				t.Error("the professional in Manaus has no slot next week")
			}
		}
	}

	// a pharmacy has its catalogue
	var pharmacies list
	call(http.MethodGet, "/v1/companies?type=pharmacy", "", nil, &pharmacies)
	if len(pharmacies.Items) != 2 {
		t.Fatalf("pharmacies = %d", len(pharmacies.Items))
	}
	var cat list
	call(http.MethodGet, "/v1/companies/"+pharmacies.Items[0]["id"].(string)+"/catalog", "", nil, &cat)
	if len(cat.Items) < 4 {
		t.Errorf("the pharmacy's catalogue has %d items", len(cat.Items))
	}
	c.Catalogue = len(cat.Items)
	return c
}
