//go:build !lambda

package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/test/e2e/harness"
	"github.com/multisaude/multisaude/test/testdb"
	appwire "github.com/multisaude/multisaude/wire"
)

// TestDemoScale fills a fresh PostgreSQL database at a tiny scale, then starts
// the app on it and checks through HTTP that each role reads what the fixture
// wrote and that a fixture patient can book; a second run is refused.
func TestDemoScale(t *testing.T) {
	if testdb.PostgresURL() == "" {
		t.Skip("MULTISAUDE_TEST_POSTGRES_URL not set: the scale fixture is PostgreSQL only")
	}
	dbURL := testdb.URL(t, sqlstore.Postgres)
	env := map[string]string{"MULTISAUDE_PROFILE": "local", "MULTISAUDE_DATA_DIR": t.TempDir(), "MULTISAUDE_DATABASE_URL": dbURL}
	cfg, err := appwire.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	const pw = "Escala-Teste-2026!"
	ctx := context.Background()
	var out, log bytes.Buffer
	if err := demoScale(ctx, cfg, 0.0005, pw, &out, &log); err != nil {
		t.Fatalf("fixture: %v\n%s", err, log.String())
	}
	for _, want := range []string{"scheduling_appointments", "2500", "clinical_evaluations", "commerce_orders", "250", pw, scalePatientEmail} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, out.String())
		}
	}

	h := harness.Start(t, sqlstore.Postgres, harness.WithEnv("MULTISAUDE_DATABASE_URL", dbURL))
	type item = map[string]any
	list := func(path, token string) []item {
		t.Helper()
		var l struct {
			Items []item `json:"items"`
		}
		h.Get(t, path, token).Want(t, http.StatusOK).JSON(t, &l)
		return l.Items
	}
	me := func(token string) item { t.Helper(); return h.Get(t, "/v1/me", token).Want(t, http.StatusOK).Map(t) }

	// the patient with the longest history: their appointments and evaluations
	patTok, _ := harness.Login(t, h, fmt.Sprintf(scalePatientEmail, 0), pw, "patient")
	patID := me(patTok)["id"].(string)
	if appts := list("/v1/appointments?limit=50", patTok); len(appts) == 0 {
		t.Error("the fixture patient has no appointments")
	}
	if evals := list("/v1/patients/"+patID+"/evaluations", patTok); len(evals) == 0 {
		t.Error("the fixture patient has no evaluations")
	} else if evals[0]["patient_id"] != patID {
		t.Errorf("an evaluation of someone else: %v", evals[0])
	}

	// a professional's week: booked already
	proTok, _ := harness.Login(t, h, fmt.Sprintf(scaleProEmail, 0), pw, "professional")
	pro := me(proTok)
	proID := pro["id"].(string)
	prof := pro["professional"].(item)
	from := time.Now().UTC().Truncate(24 * time.Hour)
	week := fmt.Sprintf("/v1/professionals/%s/agenda?from=%s&to=%s", proID, from.Format(time.RFC3339), from.AddDate(0, 0, 7).Format(time.RFC3339))
	if agenda := list(week, proTok); len(agenda) == 0 {
		t.Error("the fixture professional's week is empty")
	}

	// search by specialty and city, and near a point: the professional, with next free slots
	addr, loc := prof["address"].(item), prof["location"].(item)
	spec := prof["specialties"].([]any)[0].(string)
	q := url.Values{"specialty": {spec}, "city": {addr["city"].(string)}, "uf": {addr["uf"].(string)}, "limit": {"50"}}
	near := url.Values{"near": {fmt.Sprintf("%f,%f", loc["lat"], loc["lng"])}, "radius_km": {"30"}}
	var slot string
	for _, query := range []url.Values{q, near} {
		found := false
		for _, r := range list("/v1/professionals?"+query.Encode(), patTok) {
			if r["professional"].(item)["id"] == proID {
				found = true
				slots := r["next_slots"].([]any)
				if len(slots) == 0 {
					t.Errorf("search %v: the professional has no next free slot", query)
					continue
				}
				slot = slots[0].(item)["start"].(string)
			}
		}
		if !found {
			t.Errorf("search %v did not find the fixture professional", query)
		}
	}

	// a company's order board
	compTok, _ := harness.Login(t, h, fmt.Sprintf(scaleCompanyEmail, 0), pw, "company_member")
	compID := me(compTok)["company_id"].(string)
	if orders := list("/v1/companies/"+compID+"/orders", compTok); len(orders) == 0 {
		t.Error("the fixture company's order board is empty")
	}

	// a fixture patient books the professional's first free slot
	if slot == "" {
		t.Fatal("no free slot to book")
	}
	other, _ := harness.Login(t, h, fmt.Sprintf(scalePatientEmail, 1), pw, "patient")
	h.Do(t, harness.Req{Method: http.MethodPost, Path: "/v1/appointments", Token: other,
		Headers: map[string]string{"Idempotency-Key": "scale-test-booking"},
		Body:    map[string]any{"professional_id": proID, "start": slot, "mode": "in_person", "reason": "Consulta"}}).Want(t, http.StatusCreated)

	// a second run is refused and writes nothing
	before := countRows(t, dbURL)
	log.Reset()
	err = demoScale(ctx, cfg, 0.0005, pw, &out, &log)
	if err == nil || !strings.Contains(err.Error(), "recusado") {
		t.Fatalf("a second run on a filled database: %v, want a refusal", err)
	}
	if after := countRows(t, dbURL); after != before {
		t.Errorf("the refused run changed the database: %v then %v", before, after)
	}
}

func TestDemoScaleRefusesSQLite(t *testing.T) {
	cfg := appwire.Config{DatabaseURL: "sqlite:" + t.TempDir() + "/x.db"}
	err := demoScale(context.Background(), cfg, 0.001, scaleDefaultPassword, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "PostgreSQL") {
		t.Fatalf("got %v, want a refusal naming PostgreSQL", err)
	}
}

func countRows(t *testing.T, dbURL string) string {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	var n []int
	for _, table := range scaleTables {
		var c int
		if err := db.NewSelect().Table(table).ColumnExpr("count(*)").Scan(context.Background(), &c); err != nil {
			t.Fatal(err)
		}
		n = append(n, c)
	}
	return fmt.Sprint(n)
}
