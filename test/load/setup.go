package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

// patient, professional and company are the accounts the load acts as.
type patient struct{ id, token string }

type professional struct {
	id, token   string
	specialties []string
	city        string
	point       *point
	slots       []slotAt // fixture: free slots read at setup, booked in order
}

type point struct{ Lat, Lng float64 }

type slotAt struct {
	start time.Time
	mode  string
}

type catalogItem struct {
	sku   string
	price int64
}

type company struct {
	id, token string
	items     []catalogItem
}

// world is what the operations act on: accounts and what search should find.
type world struct {
	base       string
	fixture    bool
	patients   []patient
	pros       []*professional
	companies  []company
	searches   []searchQuery // specialty + city pairs that have professionals
	nears      []point       // points that have professionals
	radiusKm   float64
	agendaFrom time.Time    // first day of the agenda week read
	firstSlot  time.Time    // self setup: the first slot the booking op books
	booked     sync.Map     // professional|unix start -> time the booking was answered
	bookSeq    atomic.Int64 // the booking op's next slot, across runs on this world
}

type searchQuery struct{ specialty, city string }

var sp = mustZone("America/Sao_Paulo")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func day(t time.Time) time.Time {
	t = t.In(sp)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, sp)
}

// cities are the capitals self setup places professionals in, with a CEP
// the offline geocoder puts in each.
var cities = []map[string]any{
	harness.SaoPaulo(),
	{"cep": "20040-020", "street": "Avenida Rio Branco", "number": "100", "district": "Centro", "city": "Rio de Janeiro", "uf": "RJ"},
	{"cep": "30130-010", "street": "Avenida Afonso Pena", "number": "1000", "district": "Centro", "city": "Belo Horizonte", "uf": "MG"},
	{"cep": "40010-000", "street": "Avenida da França", "number": "10", "district": "Comércio", "city": "Salvador", "uf": "BA"},
}

var specialties = []string{"cardiology", "dermatology", "pediatrics"}

// historyDay is how many days ahead self setup books each patient's own
// appointment (past the booking op's 80 days, within the 90-day horizon).
const historyDay = 85

// selfSetup signs up professionals (in four cities, three specialties),
// patients (each with one appointment and one evaluation) and companies (with
// a catalogue) over the API.
func selfSetup(c config) (*world, error) {
	if c.adminEmail == "" || c.adminPassword == "" {
		return nil, errors.New("-admin-email and -admin-password (or MULTISAUDE_ADMIN_EMAIL/PASSWORD) are required to verify professionals")
	}
	base := c.url
	w := &world{base: base, radiusKm: 400, nears: []point{{-23.5505, -46.6333}}}
	admin, err := login(base, c.adminEmail, c.adminPassword, "admin")
	if err != nil {
		return nil, err
	}
	fmt.Printf("setup: %d professionals, %d patients, %d companies ...\n", c.professionals, c.patients, c.companies)
	t0 := time.Now()
	w.pros = make([]*professional, c.professionals)
	err = parallel(c.professionals, 8, func(i int) error {
		addr, spec := cities[i%len(cities)], specialties[(i/len(cities))%len(specialties)]
		body := harness.ProfessionalBody(harness.ProfessionalOptions{Specialties: []string{spec}, Address: addr})
		id, err := signUp(base, "/v1/professionals", "professional", body)
		if err != nil {
			return err
		}
		st, b, err := call("POST", base+"/v1/admin/professionals/"+id+"/verify", admin, nil, nil)
		if _, err = must(st, b, err, 200, "verify"); err != nil {
			return err
		}
		tok, err := login(base, body["email"].(string), harness.Password, "professional")
		if err != nil {
			return err
		}
		st, b, err = call("PUT", base+"/v1/professionals/"+id+"/availability", tok, availability(), nil)
		if _, err = must(st, b, err, 200, "availability"); err != nil {
			return err
		}
		w.pros[i] = &professional{id: id, token: tok, specialties: []string{spec}, city: addr["city"].(string)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range min(len(w.pros), len(cities)*len(specialties)) {
		w.searches = append(w.searches, searchQuery{specialties[(i/len(cities))%len(specialties)], cities[i%len(cities)]["city"].(string)})
	}
	terms, err := consentTerms(base)
	if err != nil {
		return nil, err
	}
	hist := day(time.Now()).AddDate(0, 0, historyDay)
	w.agendaFrom = hist.AddDate(0, 0, -3)
	w.patients = make([]patient, c.patients)
	err = parallel(c.patients, 8, func(i int) error {
		body := harness.PatientBody()
		id, err := signUp(base, "/v1/patients", "patient", body)
		if err != nil {
			return err
		}
		tok, err := login(base, body["email"].(string), harness.Password, "patient")
		if err != nil {
			return err
		}
		w.patients[i] = patient{id: id, token: tok}
		if err := grantConsents(base, tok, terms); err != nil {
			return err
		}
		// One appointment and one evaluation of their own, for history and agenda.
		pro := w.pros[i%len(w.pros)]
		start := hist.Add(time.Duration(i/len(w.pros)) * 15 * time.Minute)
		st, b, err := call("POST", base+"/v1/appointments", tok, map[string]any{"professional_id": pro.id, "start": start.Format(time.RFC3339), "mode": "telemedicine"},
			map[string]string{"Idempotency-Key": newKey()})
		if b, err = must(st, b, err, 201, "book the patient's own appointment"); err != nil {
			return err
		}
		var a struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(b, &a)
		w.booked.Store(bookedKey(pro.id, start), time.Now())
		st, b, err = call("POST", base+"/v1/patients/"+id+"/evaluations", pro.token, map[string]any{"kind": "simplified", "reason": "check-up", "appointment_id": a.ID}, nil)
		_, err = must(st, b, err, 201, "write an evaluation")
		return err
	})
	if err != nil {
		return nil, err
	}
	w.companies = make([]company, c.companies)
	err = parallel(c.companies, 4, func(i int) error {
		co, err := signUpCompany(base, admin)
		if err != nil {
			return err
		}
		for k := range 5 {
			it := catalogItem{sku: fmt.Sprintf("LOAD-%d", k+1), price: int64(1000 + 250*k)}
			body := map[string]any{"name": fmt.Sprintf("Produto de carga %d", k+1), "kind": "product", "price": map[string]any{"amount": it.price, "currency": "BRL"},
				"fulfilment": map[string]any{"pickup": true, "delivery": nil}, "tags": []string{"product:carga"}}
			st, b, err := call("PUT", base+"/v1/companies/"+co.id+"/catalog/"+it.sku, co.token, body, nil)
			if err != nil || (st != 200 && st != 201) {
				return fmt.Errorf("put catalogue item: %d %v %s", st, err, b)
			}
			co.items = append(co.items, it)
		}
		w.companies[i] = co
		return nil
	})
	if err != nil {
		return nil, err
	}
	// From tomorrow, or the day after when tomorrow's midnight is within the 2 hours' notice.
	w.firstSlot = day(time.Now().Add(3*time.Hour)).AddDate(0, 0, 1)
	fmt.Printf("setup done in %s\n", time.Since(t0).Round(time.Millisecond))
	return w, nil
}

func signUpCompany(base, admin string) (company, error) {
	body := harness.CompanyBody("pharmacy")
	st, b, err := call("POST", base+"/v1/companies", "", body, nil)
	if b, err = must(st, b, err, 201, "sign up a company"); err != nil {
		return company{}, err
	}
	var out struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(b, &out)
	st, b, err = call("POST", base+"/v1/admin/companies/"+out.ID+"/verify", admin, nil, nil)
	if _, err = must(st, b, err, 200, "verify a company"); err != nil {
		return company{}, err
	}
	tok, err := login(base, body["admin"].(map[string]any)["email"].(string), harness.Password, "company_member")
	return company{id: out.ID, token: tok}, err
}

// consentTerms are the current versions of the terms patients grant.
func consentTerms(base string) (map[string]string, error) {
	out := map[string]string{}
	for _, p := range harness.SignUpConsents {
		v, err := currentTerm(base, p)
		if err != nil {
			return nil, err
		}
		out[p] = v
	}
	return out, nil
}

// grantConsents records the consents the portal's sign-up asks for
// (telemedicine bookings and orders need them).
func grantConsents(base, tok string, terms map[string]string) error {
	for _, p := range harness.SignUpConsents {
		st, b, err := call("POST", base+"/v1/me/consents", tok, map[string]any{"purpose": p, "decision": "granted", "term_version": terms[p]},
			map[string]string{"X-Consent-Channel": "portal"})
		if _, err = must(st, b, err, 201, "grant the "+p+" consent"); err != nil {
			return err
		}
	}
	return nil
}

func bookedKey(pro string, start time.Time) string { return fmt.Sprintf("%s|%d", pro, start.Unix()) }

// bookedBefore says whether the slot was booked and answered before t.
func (w *world) bookedBefore(pro string, start time.Time, t time.Time) bool {
	v, ok := w.booked.Load(bookedKey(pro, start))
	return ok && v.(time.Time).Before(t)
}

func query(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			v.Set(kv[i], kv[i+1])
		}
	}
	return v.Encode()
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}
