//go:build !lambda

package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"time"

	"github.com/multisaude/multisaude/core/consent"
)

// seeder writes the demonstration through the app's HTTP API, as its users
// would, so every rule, event, encryption and audit entry holds.
type seeder struct {
	ctx                       context.Context
	base                      string
	clock                     *demoClock
	http                      *http.Client
	adminEmail, adminPassword string
	keys                      int

	admin string
	pros  map[string]*demoAccount
	pats  map[string]*demoAccount
	cos   map[string]*demoAccount
	exams map[string]string // exam name -> id
	count struct{ appointments, evaluations, plans, prescriptions, orders, messages int }
}

type demoAccount struct {
	ID, Token string
	Zone      *time.Location
	Addr      demoAddress
}

type demoSlot struct {
	Start time.Time `json:"start"`
	Mode  string    `json:"mode"`
}

// demoVisit is a past appointment and what came of it.
type demoVisit struct {
	Patient, Pro string
	DaysAgo      int
	Mode         string // "" for the first slot of the day
	Reason       string
	Eval         map[string]any
	Plan         map[string]any
	Rx           map[string]any
	Messages     []string // alternating: patient first
	keepRx       string   // name under which the prescription's ID is kept
}

func (s *seeder) seed() error {
	now := time.Now()
	s.pros, s.pats, s.cos, s.exams = map[string]*demoAccount{}, map[string]*demoAccount{}, map[string]*demoAccount{}, map[string]string{}
	s.clock.at(now.AddDate(0, 0, -100)) // everyone joined about three months ago
	var err error
	if s.admin, err = s.login(s.adminEmail, s.adminPassword, "admin"); err != nil {
		return fmt.Errorf("o administrador não entrou (MULTISAUDE_ADMIN_EMAIL/MULTISAUDE_ADMIN_PASSWORD): %w", err)
	}
	for _, p := range demoProfessionals {
		if err := s.professional(p); err != nil {
			return fmt.Errorf("profissional %s: %w", p.Name, err)
		}
	}
	for _, c := range demoCompanies {
		if err := s.company(c); err != nil {
			return fmt.Errorf("empresa %s: %w", c.Trade, err)
		}
	}
	for _, p := range demoPatients {
		if err := s.patient(p); err != nil {
			return fmt.Errorf("paciente %s: %w", p.Name, err)
		}
	}
	visits := demoVisits()
	sort.SliceStable(visits, func(i, j int) bool { return visits[i].DaysAgo > visits[j].DaysAgo })
	rxs := map[string]string{}
	plans := map[string]string{}
	for _, v := range visits {
		if err := s.visit(now, v, rxs, plans); err != nil {
			return fmt.Errorf("consulta de %s com %s há %d dias: %w", v.Patient, v.Pro, v.DaysAgo, err)
		}
	}
	s.clock.real()
	if err := s.upcoming(now); err != nil {
		return err
	}
	return s.orders(rxs, plans)
}

func (s *seeder) professional(p demoProfessional) error {
	zone, err := time.LoadLocation(p.Addr.Zone)
	if err != nil {
		return err
	}
	body := map[string]any{"name": p.Name, "email": p.Email + demoDomain, "password": demoPassword, "cpf": demoCPF(),
		"phone": "+55" + p.Addr.DDD + "9" + demoDigits(8), "profession": p.Profession,
		"council":     map[string]any{"type": councilFor(p.Profession), "number": "1" + demoDigits(5), "uf": p.Addr.UF},
		"specialties": p.Specialties, "bio": p.Bio, "price": map[string]any{"amount": p.Price, "currency": "BRL"},
		"modes": p.Modes, "address": p.Addr.body()}
	var out struct {
		ID string `json:"id"`
	}
	if err := s.do(http.MethodPost, "/v1/professionals", "", body, &out); err != nil {
		return err
	}
	if err := s.do(http.MethodPost, "/v1/admin/professionals/"+out.ID+"/verify", s.admin, nil, nil); err != nil {
		return err
	}
	tok, err := s.login(p.Email+demoDomain, demoPassword, "professional")
	if err != nil {
		return err
	}
	s.pros[p.Key] = &demoAccount{ID: out.ID, Token: tok, Zone: zone, Addr: p.Addr}
	place := fmt.Sprintf("%s, %s - %s, %s/%s", p.Addr.Street, p.Addr.Number, p.Addr.District, p.Addr.City, p.Addr.UF)
	slot := 30
	switch p.Profession {
	case "psychologist":
		slot = 50
	case "nutritionist", "physiotherapist", "physical_educator":
		slot = 45
	}
	var weekly []map[string]any
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday"} {
		morning, afternoon := p.Modes[0], p.Modes[len(p.Modes)-1]
		for _, r := range []struct{ start, end, mode string }{{"08:00", "12:00", morning}, {"14:00", "18:00", afternoon}} {
			rule := map[string]any{"weekday": d, "start": r.start, "end": r.end, "mode": r.mode}
			if r.mode == "in_person" {
				rule["place"] = place
			}
			weekly = append(weekly, rule)
		}
	}
	return s.do(http.MethodPut, "/v1/professionals/"+out.ID+"/availability", tok, map[string]any{"time_zone": p.Addr.Zone,
		"slot_minutes": slot, "buffer_minutes": 0, "min_notice_hours": 2, "horizon_days": 90, "cancel_until_hours": 24,
		"weekly": weekly, "exceptions": holidays(s.clock.Now().In(zone))}, nil)
}

// holidays are the national holidays of the coming months the agendas close on.
func holidays(from time.Time) []map[string]any {
	var out []map[string]any
	for _, md := range [][2]int{{12, 25}, {1, 1}, {4, 21}, {5, 1}, {9, 7}, {10, 12}, {11, 2}, {11, 15}} {
		for _, y := range []int{from.Year(), from.Year() + 1} {
			d := time.Date(y, time.Month(md[0]), md[1], 0, 0, 0, 0, from.Location())
			if d.After(from) && d.Before(from.AddDate(0, 6, 0)) {
				out = append(out, map[string]any{"date": d.Format("2006-01-02"), "available": false})
			}
		}
	}
	return out
}

func councilFor(profession string) string {
	return map[string]string{"physician": "CRM", "nutritionist": "CRN", "physiotherapist": "CREFITO", "physical_educator": "CREF",
		"psychologist": "CRP"}[profession]
}

func (s *seeder) company(c demoCompany) error {
	body := map[string]any{"legal_name": c.Legal, "trade_name": c.Trade, "cnpj": demoCNPJ(), "type": c.Type, "address": c.Addr.body(),
		"phone": "+55" + c.Addr.DDD + "3" + demoDigits(7),
		"admin": map[string]any{"name": c.Admin, "email": c.Email + demoDomain, "password": demoPassword}}
	var out struct {
		ID string `json:"id"`
	}
	if err := s.do(http.MethodPost, "/v1/companies", "", body, &out); err != nil {
		return err
	}
	if err := s.do(http.MethodPost, "/v1/admin/companies/"+out.ID+"/verify", s.admin, nil, nil); err != nil {
		return err
	}
	tok, err := s.login(c.Email+demoDomain, demoPassword, "company_member")
	if err != nil {
		return err
	}
	zone, _ := time.LoadLocation(c.Addr.Zone)
	s.cos[c.Key] = &demoAccount{ID: out.ID, Token: tok, Zone: zone, Addr: c.Addr}
	for _, it := range c.Items {
		item := map[string]any{"name": it.Name, "kind": it.Kind, "tags": it.Tags, "price": map[string]any{"amount": it.Price, "currency": "BRL"}}
		if it.Stock >= 0 {
			item["stock"] = it.Stock
		}
		if c.Type == "gym" {
			item["fulfilment"] = map[string]any{"pickup": true}
		} else {
			item["fulfilment"] = map[string]any{"pickup": true, "delivery": map[string]any{"radius_km": 15, "fee": map[string]any{"amount": 790, "currency": "BRL"}}}
		}
		if it.Kind == "medication" {
			item["active_ingredient"], item["concentration"], item["form"], item["requires_prescription"] = it.Ingredient, it.Concentration, it.Form, it.Rx
		}
		if err := s.do(http.MethodPut, "/v1/companies/"+out.ID+"/catalog/"+it.SKU, tok, item, nil); err != nil {
			return err
		}
	}
	place := fmt.Sprintf("%s, %s, %s - %s/%s", c.Trade, c.Addr.Street, c.Addr.Number, c.Addr.City, c.Addr.UF)
	for _, e := range c.Exams {
		var ex struct {
			ID string `json:"id"`
		}
		if err := s.do(http.MethodPost, "/v1/companies/"+out.ID+"/exams", tok, map[string]any{"name": e.Name, "code": e.Code,
			"duration_minutes": e.Minutes, "preparation": e.Preparation, "price": map[string]any{"amount": e.Price, "currency": "BRL"},
			"capacity": e.Capacity}, &ex); err != nil {
			return err
		}
		s.exams[e.Name] = ex.ID
		var weekly []map[string]any
		for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday"} {
			weekly = append(weekly, map[string]any{"weekday": d, "start": "07:00", "end": "17:00", "mode": "in_person", "place": place})
		}
		weekly = append(weekly, map[string]any{"weekday": "saturday", "start": "07:00", "end": "12:00", "mode": "in_person", "place": place})
		if err := s.do(http.MethodPut, "/v1/exams/"+ex.ID+"/availability", tok, map[string]any{"time_zone": c.Addr.Zone,
			"slot_minutes": e.Minutes, "buffer_minutes": 0, "min_notice_hours": 12, "horizon_days": 60, "cancel_until_hours": 24,
			"weekly": weekly, "exceptions": holidays(s.clock.Now().In(zone))}, nil); err != nil {
			return err
		}
	}
	return nil
}

func (s *seeder) patient(p demoPatient) error {
	body := map[string]any{"name": p.Name, "email": p.Email + demoDomain, "password": demoPassword, "cpf": demoCPF(),
		"birth_date": p.Birth, "phone": "+55" + p.Addr.DDD + "9" + demoDigits(8), "address": p.Addr.body()}
	var out struct {
		ID string `json:"id"`
	}
	if err := s.do(http.MethodPost, "/v1/patients", "", body, &out); err != nil {
		return err
	}
	tok, err := s.login(p.Email+demoDomain, demoPassword, "patient")
	if err != nil {
		return err
	}
	zone, _ := time.LoadLocation(p.Addr.Zone)
	s.pats[p.Key] = &demoAccount{ID: out.ID, Token: tok, Zone: zone, Addr: p.Addr}
	// the consents the portal's sign-up asks for: telemedicine and sharing with partners (orders)
	for _, purpose := range []string{"telemedicine", "partner_sharing"} {
		term, ok := consent.CurrentTerm(purpose)
		if !ok {
			return fmt.Errorf("sem termo de consentimento vigente para %q", purpose)
		}
		if err := s.do(http.MethodPost, "/v1/me/consents", tok, map[string]any{"purpose": purpose, "decision": "granted",
			"term_version": term.Version}, nil, "X-Consent-Channel", "portal"); err != nil {
			return err
		}
	}
	return nil
}

// workday is the first Monday-to-Friday on or after t.
func workday(t time.Time) time.Time {
	for t.Weekday() == time.Saturday || t.Weekday() == time.Sunday {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

// book books the n-th free slot (of mode, when given) of the professional's day
// around t, with the patient's token, and returns the appointment ID and start.
func (s *seeder) book(pat, pro *demoAccount, t time.Time, mode, reason string, n int) (string, time.Time, error) {
	day := workday(t.In(pro.Zone))
	for tries := 0; tries < 10; tries, day = tries+1, workday(day.AddDate(0, 0, 1)) {
		d := day.Format("2006-01-02")
		var slots struct {
			Items []demoSlot `json:"items"`
		}
		if err := s.do(http.MethodGet, "/v1/professionals/"+pro.ID+"/slots?from="+d+"&to="+d, "", nil, &slots); err != nil {
			return "", time.Time{}, err
		}
		var free []demoSlot
		for _, sl := range slots.Items {
			if mode == "" || sl.Mode == mode {
				free = append(free, sl)
			}
		}
		if len(free) == 0 {
			continue
		}
		sl := free[n%len(free)]
		body := map[string]any{"professional_id": pro.ID, "start": sl.Start.Format(time.RFC3339), "reason": reason}
		if sl.Mode != "" {
			body["mode"] = sl.Mode
		}
		var a struct {
			ID string `json:"id"`
		}
		if err := s.do(http.MethodPost, "/v1/appointments", pat.Token, body, &a); err != nil {
			return "", time.Time{}, err
		}
		s.count.appointments++
		return a.ID, sl.Start, nil
	}
	return "", time.Time{}, fmt.Errorf("nenhum horário livre perto de %s", t.Format("02/01/2006"))
}

func (s *seeder) visit(now time.Time, v demoVisit, rxs, plans map[string]string) error {
	pat, pro := s.pats[v.Patient], s.pros[v.Pro]
	day := workday(now.In(pro.Zone).AddDate(0, 0, -v.DaysAgo))
	midnight := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, pro.Zone)
	s.clock.at(midnight.Add(-14 * time.Hour)) // booked the afternoon before
	id, start, err := s.book(pat, pro, midnight, v.Mode, v.Reason, v.DaysAgo)
	if err != nil {
		return err
	}
	s.clock.at(start.Add(40 * time.Minute))
	if err := s.do(http.MethodPost, "/v1/appointments/"+id+"/complete", pro.Token, nil, nil); err != nil {
		return err
	}
	if v.Eval != nil {
		ev := map[string]any{"appointment_id": id, "sign": true}
		for k, x := range v.Eval {
			ev[k] = x
		}
		if err := s.do(http.MethodPost, "/v1/patients/"+pat.ID+"/evaluations", pro.Token, ev, nil); err != nil {
			return err
		}
		s.count.evaluations++
	}
	if v.Plan != nil {
		pl := map[string]any{"start": start.In(pro.Zone).Format("2006-01-02"), "status": "active"}
		for k, x := range v.Plan {
			pl[k] = x
		}
		var out struct {
			ID string `json:"id"`
		}
		if err := s.do(http.MethodPost, "/v1/patients/"+pat.ID+"/treatment-plans", pro.Token, pl, &out); err != nil {
			return err
		}
		plans[v.Patient+"/"+v.Pro] = out.ID
		s.count.plans++
	}
	if v.Rx != nil {
		var out struct {
			ID string `json:"id"`
		}
		if err := s.do(http.MethodPost, "/v1/patients/"+pat.ID+"/prescriptions", pro.Token, v.Rx, &out); err != nil {
			return err
		}
		if v.keepRx != "" {
			rxs[v.keepRx] = out.ID
		}
		s.count.prescriptions++
	}
	if len(v.Messages) > 0 {
		s.clock.at(start.Add(3 * time.Hour))
		var conv struct {
			ID string `json:"id"`
		}
		if err := s.do(http.MethodPost, "/v1/conversations", pat.Token, map[string]any{"professional_id": pro.ID}, &conv); err != nil {
			return err
		}
		for i, m := range v.Messages {
			tok := pat.Token
			if i%2 == 1 {
				tok = pro.Token
			}
			s.clock.at(start.Add(3*time.Hour + time.Duration(i)*17*time.Minute))
			if err := s.do(http.MethodPost, "/v1/conversations/"+conv.ID+"/messages", tok, map[string]any{"text": m}, nil); err != nil {
				return err
			}
			s.count.messages++
		}
	}
	return nil
}

// upcoming books, at the real time, the appointments and exams of the coming days.
func (s *seeder) upcoming(now time.Time) error {
	for i, u := range []struct {
		pat, pro string
		days     int
		mode     string
		reason   string
	}{
		{"antonio", "luana", 1, "telemedicine", "Retorno: resultado da glicemia e ajuste da metformina."},
		{"lucas", "marcelo", 2, "telemedicine", "Retorno com o resultado do ecocardiograma."},
		{"joao", "thiago", 3, "in_person", "Dor no joelho direito ao correr."},
		{"gabriela", "fernanda", 5, "", "Retorno da reeducação alimentar."},
		{"ana", "rafael", 7, "in_person", "Retorno: controle da pressão arterial."},
		{"mariana", "eduardo", 14, "in_person", "Reavaliação do tratamento da acne."},
		{"gabriela", "renata", 4, "telemedicine", "Sessão de acompanhamento."},
	} {
		pat, pro := s.pats[u.pat], s.pros[u.pro]
		if _, _, err := s.book(pat, pro, now.AddDate(0, 0, u.days), u.mode, u.reason, i+3); err != nil {
			return fmt.Errorf("consulta futura de %s com %s: %w", u.pat, u.pro, err)
		}
	}
	for _, e := range []struct {
		pat, exam string
		days      int
	}{{"ana", "Eletrocardiograma", 4}, {"lucas", "Ecocardiograma transtorácico", 1}, {"ana", "Hemograma completo", 4}} {
		id := s.exams[e.exam]
		d := workday(now.AddDate(0, 0, e.days)).Format("2006-01-02")
		var slots struct {
			Items []demoSlot `json:"items"`
		}
		if err := s.do(http.MethodGet, "/v1/exams/"+id+"/slots?from="+url.QueryEscape(d)+"&to="+url.QueryEscape(d), "", nil, &slots); err != nil {
			return err
		}
		if len(slots.Items) < 3 {
			return fmt.Errorf("exame %s sem horários em %s", e.exam, d)
		}
		if err := s.do(http.MethodPost, "/v1/appointments", s.pats[e.pat].Token, map[string]any{"exam_service_id": id,
			"start": slots.Items[2].Start.Format(time.RFC3339)}, nil); err != nil {
			return fmt.Errorf("exame %s: %w", e.exam, err)
		}
		s.count.appointments++
	}
	return nil
}

type demoOrder struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// order places and pays (Pix, through the local payment simulator) an order,
// then moves it through the company's steps.
func (s *seeder) order(pat, co string, body map[string]any, steps ...string) error {
	p, c := s.pats[pat], s.cos[co]
	body["company_id"] = c.ID
	var o demoOrder
	if err := s.do(http.MethodPost, "/v1/orders", p.Token, body, &o); err != nil {
		return err
	}
	s.count.orders++
	var pay struct {
		ChargeID string `json:"charge_id"`
	}
	if err := s.do(http.MethodPost, "/v1/orders/"+o.ID+"/payments", p.Token, map[string]any{"method": "pix"}, &pay); err != nil {
		return err
	}
	if err := s.do(http.MethodPost, "/dev/localpay/charges/"+url.PathEscape(pay.ChargeID)+"/pay", "", nil, nil); err != nil {
		return fmt.Errorf("pagamento simulado: %w", err)
	}
	for deadline := time.Now().Add(30 * time.Second); o.Status != "paid"; time.Sleep(100 * time.Millisecond) {
		if err := s.do(http.MethodGet, "/v1/orders/"+o.ID, p.Token, nil, &o); err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("o pedido %s não ficou pago (está %s)", o.ID, o.Status)
		}
	}
	for _, st := range steps {
		if err := s.do(http.MethodPost, "/v1/orders/"+o.ID+"/"+st, c.Token, nil, nil); err != nil {
			return err
		}
	}
	return nil
}

func (s *seeder) orders(rxs, plans map[string]string) error {
	deliver := func(pat string) map[string]any {
		return map[string]any{"method": "delivery", "address": s.pats[pat].Addr.body()}
	}
	if err := s.order("ana", "vidanova", map[string]any{"items": []any{map[string]any{"sku": "LOS-50-30", "quantity": 1}},
		"fulfilment": deliver("ana"), "prescription_id": rxs["ana-losartana"], "plan_id": plans["ana/rafael"]},
		"accept", "prepare", "dispatch", "deliver"); err != nil {
		return fmt.Errorf("pedido da farmácia: %w", err)
	}
	if err := s.order("ana", "bomdia", map[string]any{"items": []any{map[string]any{"sku": "AVEIA-500", "quantity": 2},
		map[string]any{"sku": "BANANA-KG", "quantity": 1}}, "fulfilment": deliver("ana"), "plan_id": plans["ana/rafael"]},
		"accept", "prepare"); err != nil {
		return fmt.Errorf("pedido do mercado: %w", err)
	}
	if err := s.order("joao", "movimento", map[string]any{"items": []any{map[string]any{"sku": "PLANO-MENSAL", "quantity": 1}},
		"fulfilment": map[string]any{"method": "pickup"}, "plan_id": plans["joao/juliana"]}, "accept"); err != nil {
		return fmt.Errorf("pedido da academia: %w", err)
	}
	if err := s.order("joao", "esportetotal", map[string]any{"items": []any{map[string]any{"sku": "HALTER-2X5", "quantity": 1}},
		"fulfilment": map[string]any{"method": "pickup"}}); err != nil {
		return fmt.Errorf("pedido da loja de esportes: %w", err)
	}
	return nil
}
