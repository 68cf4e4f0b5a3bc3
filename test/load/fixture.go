package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// Fixture accounts, as `multisaude demo --scale N` writes them (numbered from 0).
const (
	fixturePatientEmail = "paciente%07d@escala.multisaude.dev"
	fixtureProEmail     = "profissional%05d@escala.multisaude.dev"
	fixtureCompanyEmail = "empresa%04d@escala.multisaude.dev"
)

// spread picks n of total indices, evenly apart (the accounts spread over the table).
func spread(n, total int) []int {
	n = min(n, total)
	out := make([]int, n)
	for i := range n {
		out[i] = i * total / n
	}
	return out
}

type meJSON struct {
	ID           string               `json:"id"`
	CompanyID    string               `json:"company_id"`
	Patient      *struct{ ID string } `json:"patient"`
	Professional *struct {
		ID          string   `json:"id"`
		Specialties []string `json:"specialties"`
		Address     struct {
			City string `json:"city"`
		} `json:"address"`
		Location *point `json:"location"`
	} `json:"professional"`
}

func me(base, tok string) (meJSON, error) {
	st, b, err := call("GET", base+"/v1/me", tok, nil, nil)
	var m meJSON
	if b, err = must(st, b, err, 200, "GET /v1/me"); err != nil {
		return m, err
	}
	return m, json.Unmarshal(b, &m)
}

// fixtureSetup signs in the fixture's accounts and discovers what search should
// find (their specialties, cities and places), each professional's free slots
// (for the booking op) and each company's catalogue.
func fixtureSetup(c config) (*world, error) {
	base := c.url
	w := &world{base: base, fixture: true, radiusKm: 50, agendaFrom: day(time.Now())}
	fmt.Printf("fixture: signing in %d professionals, %d patients, %d companies ...\n",
		min(c.professionals, c.fixtureProfessionals), min(c.patients, c.fixturePatients), min(c.companies, c.fixtureCompanies))
	t0 := time.Now()
	var mu sync.Mutex
	idx := spread(c.professionals, c.fixtureProfessionals)
	w.pros = make([]*professional, len(idx))
	err := parallel(len(idx), 8, func(i int) error {
		tok, err := login(base, fmt.Sprintf(fixtureProEmail, idx[i]), c.fixturePassword, "professional")
		if err != nil {
			return err
		}
		m, err := me(base, tok)
		if err != nil || m.Professional == nil {
			return fmt.Errorf("professional %d: %v (no professional in /v1/me)", idx[i], err)
		}
		p := &professional{id: m.Professional.ID, token: tok, specialties: m.Professional.Specialties, city: m.Professional.Address.City, point: m.Professional.Location}
		from := day(time.Now())
		var l struct{ Items []slotJSON }
		u := base + "/v1/professionals/" + p.id + "/slots?" + query("from", date(from), "to", date(from.AddDate(0, 0, 89)))
		if r := get(u, "", &l); r.kind != resOK {
			return fmt.Errorf("slots of %s: %s", p.id, r.msg)
		}
		for _, s := range l.Items {
			p.slots = append(p.slots, slotAt{start: s.Start, mode: s.Mode})
		}
		w.pros[i] = p
		mu.Lock()
		defer mu.Unlock()
		for _, s := range p.specialties {
			if q := (searchQuery{s, p.city}); p.city != "" && !slices.Contains(w.searches, q) {
				w.searches = append(w.searches, q)
			}
		}
		if p.point != nil && len(w.nears) < 100 {
			w.nears = append(w.nears, *p.point)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(w.searches) == 0 || len(w.nears) == 0 {
		return nil, fmt.Errorf("the fixture's professionals have no city and specialty, or no place, to search by")
	}
	terms, err := consentTerms(base)
	if err != nil {
		return nil, err
	}
	idx = spread(c.patients, c.fixturePatients)
	w.patients = make([]patient, len(idx))
	err = parallel(len(idx), 8, func(i int) error {
		tok, err := login(base, fmt.Sprintf(fixturePatientEmail, idx[i]), c.fixturePassword, "patient")
		if err != nil {
			return err
		}
		m, err := me(base, tok)
		if err != nil {
			return err
		}
		id := m.ID
		if m.Patient != nil && m.Patient.ID != "" {
			id = m.Patient.ID
		}
		w.patients[i] = patient{id: id, token: tok}
		return grantConsents(base, tok, terms)
	})
	if err != nil {
		return nil, err
	}
	idx = spread(c.companies, c.fixtureCompanies)
	cos := make([]company, len(idx))
	err = parallel(len(idx), 4, func(i int) error {
		tok, err := login(base, fmt.Sprintf(fixtureCompanyEmail, idx[i]), c.fixturePassword, "company_member")
		if err != nil {
			return err
		}
		m, err := me(base, tok)
		if err != nil {
			return err
		}
		var l struct {
			Items []struct {
				SKU                  string `json:"sku"`
				Price                money  `json:"price"`
				RequiresPrescription bool   `json:"requires_prescription"`
				Fulfilment           struct {
					Pickup bool `json:"pickup"`
				} `json:"fulfilment"`
			}
		}
		if r := get(base+"/v1/companies/"+m.CompanyID+"/catalog?in_stock=true&limit=100", tok, &l); r.kind != resOK {
			return fmt.Errorf("catalogue of %s: %s", m.CompanyID, r.msg)
		}
		co := company{id: m.CompanyID, token: tok}
		for _, it := range l.Items {
			if !it.RequiresPrescription && it.Fulfilment.Pickup {
				co.items = append(co.items, catalogItem{sku: it.SKU, price: it.Price.Amount})
			}
		}
		cos[i] = co
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, co := range cos {
		if len(co.items) > 0 {
			w.companies = append(w.companies, co)
		}
	}
	if len(w.companies) == 0 && slices.ContainsFunc(append(slices.Collect(maps.Keys(c.ops)), c.sequence...), func(n string) bool { return strings.HasPrefix(n, "orders") }) {
		return nil, fmt.Errorf("no fixture company sells an item for pickup without prescription")
	}
	fmt.Printf("fixture: %d searches (specialty, city), %d places; setup done in %s\n", len(w.searches), len(w.nears), time.Since(t0).Round(time.Millisecond))
	return w, nil
}
