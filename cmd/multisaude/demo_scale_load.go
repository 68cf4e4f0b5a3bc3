//go:build !lambda

package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/multisaude/multisaude/adapters/payments/localpay"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/clinicalsql"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/commercesql"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/identitysql"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/schedulingsql"
	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
	"github.com/multisaude/multisaude/ports"
)

// ID tags: one per entity, so fixture IDs never collide across tables.
const (
	tagCompany byte = iota + 1
	tagCompanyAdmin
	tagProfessional
	tagPatient
	tagAppointment
	tagEvaluation
	tagOrder
	tagPayment
)

// RNG streams, one per generator.
const (
	streamCompanies uint64 = iota + 1
	streamProfessionals
	streamPatients
	streamAppointments = 100
	streamOrders       = 200
)

var scaleZone = func() *time.Location {
	loc, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		panic(err)
	}
	return loc
}()

// created spreads n things' creation over the four years before the history.
func (f *scaleFixture) created(i, n int) time.Time {
	span := f.day.Sub(f.day.AddDate(-scaleHistoryYears-1, 0, 0))
	return f.day.AddDate(-scaleHistoryYears-1, 0, 0).Add(time.Duration(float64(span) * float64(i) / float64(max(n, 1)) * 0.9))
}

func (f *scaleFixture) patientID(i int) string {
	return scaleID(f.created(i, f.n.Patients), tagPatient, uint64(i))
}
func (f *scaleFixture) professionalID(i int) string {
	return scaleID(f.created(i, f.n.Professionals), tagProfessional, uint64(i))
}
func (f *scaleFixture) companyID(i int) string {
	return scaleID(f.created(i, f.n.Companies), tagCompany, uint64(i))
}

// companyType is company i's type, by the shares of scaleCompanyTypes.
func companyType(i int) (string, string) {
	b := (i*37 + 11) % 100
	for _, t := range scaleCompanyTypes {
		if b < t.Weight {
			return t.Type, t.Label
		}
		b -= t.Weight
	}
	return scaleCompanyTypes[0].Type, scaleCompanyTypes[0].Label
}

// cityOf spreads things over the cities, the first (the largest) more often.
func (f *scaleFixture) cityOf(r *rand.Rand) int {
	if r.IntN(2) == 0 {
		return r.IntN(len(f.cities))
	}
	u := r.Float64()
	return int(float64(len(f.cities)) * u * u)
}

func (f *scaleFixture) address(r *rand.Rand, c scaleCity, n int) identity.Address {
	return identity.Address{CEP: fmt.Sprintf("%05d%03d", 10000+(n*7919)%89000, n%1000), Street: pick(r, scaleStreets),
		Number: fmt.Sprint(1 + r.IntN(3000)), District: pick(r, scaleDistricts), City: c.Name, UF: c.UF}
}

func phone(r *rand.Rand) string {
	return fmt.Sprintf("+55%02d9%08d", 11+r.IntN(89), r.IntN(100_000_000))
}

func (f *scaleFixture) loadCompanies(ctx context.Context) error {
	r := f.rng(streamCompanies)
	var cs []identity.Company
	var admins []identity.Account
	var items []commerce.Item
	flush := func() error {
		if err := f.copied("identity_companies", func() (int64, error) { return identitysql.CopyCompanies(ctx, f.db, cs) }); err != nil {
			return err
		}
		if err := f.copied("identity_accounts", func() (int64, error) { return identitysql.CopyAccounts(ctx, f.db, admins) }); err != nil {
			return err
		}
		if err := f.copied("commerce_items", func() (int64, error) { return commercesql.CopyItems(ctx, f.db, items) }); err != nil {
			return err
		}
		cs, admins, items = cs[:0], admins[:0], items[:0]
		return nil
	}
	for i := 0; i < f.n.Companies; i++ {
		typ, label := companyType(i)
		c := f.cities[f.cityOf(r)]
		pt := jitter(r, c.Point, 5)
		at := f.created(i, f.n.Companies)
		name := fmt.Sprintf("%s %s %s", label, pick(r, scaleLastNames), c.Name)
		id := f.companyID(i)
		cs = append(cs, identity.Company{ID: id, LegalName: name + " Ltda", TradeName: name, CNPJ: cnpjFrom(10_000_000 + i), Type: typ,
			Address: f.address(r, c, i), Point: &pt, Phone: phone(r), Email: fmt.Sprintf("contato%04d%s", i, scaleDomain),
			Status: identity.StatusVerified, CreatedAt: at, UpdatedAt: at.Add(48 * time.Hour)})
		admins = append(admins, identity.Account{ID: scaleID(at, tagCompanyAdmin, uint64(i)), Kind: kernel.KindCompanyMember,
			Email: fmt.Sprintf(scaleCompanyEmail, i), Name: scaleName(r), Phone: phone(r), PasswordHash: f.hash, CompanyID: id,
			Role: identity.RoleAdmin, CreatedAt: at, UpdatedAt: at})
		for k, it := range scaleCatalogue[typ] {
			stock := int64(50 + r.IntN(500))
			item := commerce.Item{CompanyID: id, SKU: fmt.Sprintf("SKU-%03d", k), Name: it.Name, Kind: commerce.Kind(it.Kind),
				Tags: []string{it.Tag}, Price: kernel.Money{Amount: it.Price + int64(r.IntN(300)), Currency: "BRL"},
				RequiresPrescription: it.Prescription, Fulfilment: commerce.Fulfilment{Pickup: true}, Version: 1, CreatedAt: at, UpdatedAt: at}
			if it.Kind != "gym_plan" && it.Kind != "service" && it.Kind != "exam" {
				item.Stock = &stock
				item.Fulfilment.Delivery = &commerce.DeliveryTerms{RadiusKM: 10, Fee: kernel.Money{Amount: 990, Currency: "BRL"}}
			}
			items = append(items, item)
		}
		if len(cs) == scaleBatch/10 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// professionals draws every professional (a few MB at scale 1): appointments
// need their prices, so they are made before anything is written.
func (f *scaleFixture) professionals() ([]identity.Account, []identity.Professional) {
	r := f.rng(streamProfessionals)
	totalWeight := 0
	for _, p := range scaleProfessions {
		totalWeight += p.Weight
	}
	accounts := make([]identity.Account, 0, f.n.Professionals)
	pros := make([]identity.Professional, 0, f.n.Professionals)
	for i := 0; i < f.n.Professionals; i++ {
		b := r.IntN(totalWeight)
		prof := scaleProfessions[0]
		for _, p := range scaleProfessions {
			if b < p.Weight {
				prof = p
				break
			}
			b -= p.Weight
		}
		specs := []string{pick(r, prof.Specialties)}
		if len(prof.Specialties) > 1 && r.IntN(4) == 0 {
			if s := pick(r, prof.Specialties); s != specs[0] {
				specs = append(specs, s)
			}
		}
		c := f.cities[f.cityOf(r)]
		pt := jitter(r, c.Point, 8)
		at := f.created(i, f.n.Professionals)
		id := f.professionalID(i)
		name := scaleName(r)
		if prof.Name == "physician" || prof.Name == "dentist" {
			name = "Dr(a). " + name
		}
		modes := []string{identity.ModeInPerson}
		if r.IntN(2) == 0 {
			modes = append(modes, identity.ModeTelemedicine)
		}
		accounts = append(accounts, identity.Account{ID: id, Kind: kernel.KindProfessional, Email: fmt.Sprintf(scaleProEmail, i),
			Name: name, Phone: phone(r), PasswordHash: f.hash, CreatedAt: at, UpdatedAt: at})
		pros = append(pros, identity.Professional{ID: id, Name: name, CPF: cpfFrom(200_000_000 + i), Profession: prof.Name,
			Council: identity.Council{Type: prof.Council, Number: fmt.Sprintf("%06d", 100000+i), UF: c.UF}, Specialties: specs,
			Bio: "Atendimento humanizado, com foco em prevenção.", Price: kernel.Money{Amount: prof.PriceMin + int64(r.IntN(20))*1000, Currency: "BRL"},
			Modes: modes, Address: f.address(r, c, i), Point: &pt, Status: identity.StatusVerified, CreatedAt: at, UpdatedAt: at.Add(72 * time.Hour)})
	}
	return accounts, pros
}

func (f *scaleFixture) loadProfessionals(ctx context.Context, accounts []identity.Account, pros []identity.Professional) error {
	for lo := 0; lo < len(pros); lo += scaleBatch / 4 {
		hi := min(lo+scaleBatch/4, len(pros))
		avs := make([]scheduling.Availability, 0, hi-lo)
		for _, p := range pros[lo:hi] {
			avs = append(avs, scaleAvailability(p.ID, f.now))
		}
		if err := f.copied("identity_accounts", func() (int64, error) { return identitysql.CopyAccounts(ctx, f.db, accounts[lo:hi]) }); err != nil {
			return err
		}
		if err := f.copied("identity_professionals", func() (int64, error) { return identitysql.CopyProfessionals(ctx, f.db, pros[lo:hi]) }); err != nil {
			return err
		}
		if err := f.copied("scheduling_availability", func() (int64, error) { return schedulingsql.CopyAvailabilities(ctx, f.db, avs) }); err != nil {
			return err
		}
	}
	return nil
}

// scaleWeekly is every fixture professional's week: Monday to Friday, 08:00 to
// 12:00 and 13:00 to 18:00 in person, in São Paulo's time.
var scaleWeekly = func() []scheduling.Rule {
	var out []scheduling.Rule
	for d := time.Monday; d <= time.Friday; d++ {
		out = append(out, scheduling.Rule{Weekday: d, Start: 8 * 60, End: 12 * 60, Mode: scheduling.InPerson},
			scheduling.Rule{Weekday: d, Start: 13 * 60, End: 18 * 60, Mode: scheduling.InPerson})
	}
	return out
}()

// scaleSlotStarts are the minutes after midnight of the slots of one day of scaleWeekly.
var scaleSlotStarts = func() []int {
	var out []int
	for m := 8 * 60; m < 12*60; m += scaleSlotMinutes {
		out = append(out, m)
	}
	for m := 13 * 60; m < 18*60; m += scaleSlotMinutes {
		out = append(out, m)
	}
	return out
}()

func scaleAvailability(ownerID string, now time.Time) scheduling.Availability {
	return scheduling.Availability{OwnerID: ownerID, TimeZone: scaleZone.String(), SlotMinutes: scaleSlotMinutes, MinNoticeHours: 2,
		HorizonDays: scaleHorizonDays, CancelUntilHours: 24, Weekly: scaleWeekly, Exceptions: []scheduling.Exception{},
		Version: 1, UpdatedAt: now.AddDate(-scaleHistoryYears, 0, -7)}
}

func (f *scaleFixture) loadPatients(ctx context.Context, part, parts int) error {
	r := f.rng(streamPatients*1000 + uint64(part))
	var accounts []identity.Account
	var pats []identity.Patient
	flush := func() error {
		if err := f.copied("identity_accounts", func() (int64, error) { return identitysql.CopyAccounts(ctx, f.db, accounts) }); err != nil {
			return err
		}
		if err := f.copied("identity_patients", func() (int64, error) { return identitysql.CopyPatients(ctx, f.db, pats) }); err != nil {
			return err
		}
		accounts, pats = accounts[:0], pats[:0]
		return nil
	}
	for i := part; i < f.n.Patients; i += parts {
		c := f.cities[f.cityOf(r)]
		pt := jitter(r, c.Point, 6)
		at := f.created(i, f.n.Patients)
		id := f.patientID(i)
		name := scaleName(r)
		accounts = append(accounts, identity.Account{ID: id, Kind: kernel.KindPatient, Email: fmt.Sprintf(scalePatientEmail, i),
			Name: name, Phone: phone(r), PasswordHash: f.hash, CreatedAt: at, UpdatedAt: at})
		pats = append(pats, identity.Patient{ID: id, Name: name, CPF: cpfFrom(100_000_000 + i),
			BirthDate: time.Date(1940+r.IntN(65), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC),
			Address:   f.address(r, c, i), Point: &pt, CreatedAt: at, UpdatedAt: at})
		if len(pats) == scaleBatch {
			if err := flush(); err != nil {
				return err
			}
			if part == 0 {
				fmt.Fprintf(f.log, "    pacientes: %d de %d\n", i+1, f.n.Patients)
			}
		}
	}
	return flush()
}

// scaleDays are the slot days (weekdays) from the history's start to the
// horizon's end, each as its local midnight; past is how many lie before today.
func (f *scaleFixture) scaleDays() (days []time.Time, past int) {
	from := f.day.AddDate(-scaleHistoryYears, 0, 0)
	today := time.Date(f.now.In(scaleZone).Year(), f.now.In(scaleZone).Month(), f.now.In(scaleZone).Day(), 0, 0, 0, 0, scaleZone)
	for d := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, scaleZone); d.Before(today.AddDate(0, 0, scaleHorizonDays)); d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			continue
		}
		if !d.After(today) {
			past++ // today counts as past: the future starts tomorrow, beyond any notice
		}
		days = append(days, d)
	}
	return days, past
}

// loadAppointments writes the appointments (and the evaluations of those
// attended) of every parts-th professional from part. Each professional has a
// share of the total by a weight (a few are much busier); of it scaleFutureShare
// is booked ahead, densest in the coming days; the rest is spread over three
// years of past slots. Slots are distinct per professional, so nothing overlaps.
func (f *scaleFixture) loadAppointments(ctx context.Context, pros []identity.Professional, part, parts int) error {
	days, pastDays := f.scaleDays()
	perDay := len(scaleSlotStarts)
	// every worker computes the same per-professional counts
	wr := f.rng(streamAppointments)
	weights := make([]float64, f.n.Professionals)
	sum := 0.0
	for j := range weights {
		weights[j] = []float64{0.3, 0.6, 1, 1, 1, 1.5, 2, 4}[wr.IntN(8)]
		sum += weights[j]
	}
	counts := make([]int, f.n.Professionals)
	left := f.n.Appointments
	for j := range counts {
		counts[j] = int(float64(f.n.Appointments) * weights[j] / sum)
		left -= counts[j]
	}
	for j := 0; left > 0; j = (j + 1) % len(counts) {
		counts[j]++
		left--
	}
	evalP := math.Min(1, float64(f.n.Evaluations)/(float64(f.n.Appointments)*(1-scaleFutureShare)*0.8))
	r := f.rng(streamAppointments + 1 + uint64(part))
	var appts []scheduling.Appointment
	var evals []clinical.Evaluation
	flush := func() error {
		if err := f.copied("scheduling_appointments", func() (int64, error) { return schedulingsql.CopyAppointments(ctx, f.db, appts) }); err != nil {
			return err
		}
		if err := f.copied("clinical_evaluations", func() (int64, error) { return clinicalsql.CopyEvaluations(ctx, f.db, evals) }); err != nil {
			return err
		}
		appts, evals = appts[:0], evals[:0]
		return nil
	}
	pastSlots, futureSlots := pastDays*perDay, (len(days)-pastDays)*perDay
	var seq uint64 = uint64(part) << 32
	for j := part; j < f.n.Professionals; j += parts {
		proID, price := pros[j].ID, pros[j].Price.Amount
		fut := min(int(math.Round(float64(counts[j])*scaleFutureShare)), futureSlots)
		pst := min(counts[j]-fut, pastSlots)
		emit := func(start time.Time, future bool) {
			seq++
			end := start.Add(scaleSlotMinutes * time.Minute)
			a := scheduling.Appointment{Kind: scheduling.KindConsultation, ProfessionalID: proID, PatientID: f.patientID(f.patientFor(r)),
				Start: start.UTC(), End: end.UTC(), Mode: scheduling.InPerson, Reason: pick(r, scaleReasons),
				Price: kernel.Money{Amount: price, Currency: "BRL"}, Capacity: 1, Seat: 1, Version: 1}
			if future {
				a.CreatedAt = f.now.Add(-time.Duration(r.IntN(30*24*60)) * time.Minute)
				a.Status = scheduling.StatusConfirmed
				if r.IntN(100) < 8 {
					a.Status, a.CancelledBy, a.CancelReason, a.Version = scheduling.StatusCancelled, kernel.KindPatient, "Imprevisto", 2
				}
				a.UpdatedAt = a.CreatedAt
			} else {
				a.CreatedAt = start.Add(-time.Duration(60+r.IntN(30*24*60)) * time.Minute)
				switch b := r.IntN(100); {
				case b < 80:
					a.Status = scheduling.StatusCompleted
				case b < 93:
					a.Status, a.CancelledBy, a.CancelReason = scheduling.StatusCancelled, []kernel.AccountKind{kernel.KindPatient, kernel.KindProfessional}[r.IntN(2)], "Remarcação"
				default:
					a.Status = scheduling.StatusNoShow
				}
				a.Version, a.UpdatedAt = 2, end
			}
			a.ID = scaleID(a.CreatedAt, tagAppointment, seq)
			appts = append(appts, a)
			if a.Status == scheduling.StatusCompleted && r.Float64() < evalP {
				at := end.Add(time.Duration(5+r.IntN(55)) * time.Minute)
				e := clinical.Evaluation{ID: scaleID(at, tagEvaluation, seq), Version: 1, PatientID: a.PatientID, AuthorID: proID,
					AppointmentID: a.ID, SignedAt: &at, CreatedAt: at}
				if r.IntN(10) < 7 {
					e.Content = clinical.EvaluationContent{Kind: clinical.Simplified, Reason: a.Reason, Notes: "Paciente orientado; retorno em 6 meses."}
				} else {
					e.Content = clinical.EvaluationContent{Kind: clinical.Detailed, ChiefComplaint: a.Reason, PresentIllness: "Há duas semanas.",
						PhysicalExam: "Sem alterações relevantes.", Assessment: "Quadro estável.", ICD10: []string{pick(r, scaleICD10)},
						Plan: "Manter conduta; exames de controle."}
				}
				evals = append(evals, e)
			}
		}
		// the past: pst of the pastSlots, uniformly (selection sampling keeps them in order)
		need := pst
		for k := 0; k < pastSlots && need > 0; k++ {
			if r.IntN(pastSlots-k) < need {
				need--
				emit(days[k/perDay].Add(time.Duration(scaleSlotStarts[k%perDay])*time.Minute), false)
			}
		}
		// the future: fut slots, 80% of the earliest ones taken
		need = fut
		window := min(futureSlots, fut+fut/4+1)
		for k := 0; k < futureSlots && need > 0; k++ {
			if k >= window || r.IntN(5) < 4 {
				need--
				emit(days[pastDays+k/perDay].Add(time.Duration(scaleSlotStarts[k%perDay])*time.Minute), true)
			}
		}
		if len(appts) >= scaleBatch {
			if err := flush(); err != nil {
				return err
			}
		}
		if part == 0 && j%(max(f.n.Professionals/20, 2)) == 0 {
			fmt.Fprintf(f.log, "    consultas: profissional %d de %d\n", j, f.n.Professionals)
		}
	}
	return flush()
}

// patientFor picks a patient: most uniformly, a fifth among the first ones,
// who so have long histories.
func (f *scaleFixture) patientFor(r *rand.Rand) int {
	if r.IntN(5) > 0 {
		return r.IntN(f.n.Patients)
	}
	u := r.Float64()
	return min(f.n.Patients-1, int(float64(f.n.Patients)*u*u*u*u))
}

// loadOrders writes the orders and the payments of those paid. Older orders
// were delivered or cancelled; the last week's are spread over the board.
func (f *scaleFixture) loadOrders(ctx context.Context) error {
	r := f.rng(streamOrders)
	var orders []commerce.Order
	var pays []commerce.Payment
	flush := func() error {
		if err := f.copied("commerce_orders", func() (int64, error) { return commercesql.CopyOrders(ctx, f.db, orders) }); err != nil {
			return err
		}
		if err := f.copied("commerce_payments", func() (int64, error) { return commercesql.CopyPayments(ctx, f.db, pays) }); err != nil {
			return err
		}
		orders, pays = orders[:0], pays[:0]
		return nil
	}
	history := f.day.Sub(f.day.AddDate(-scaleHistoryYears, 0, 0)) // fixed for the day: the same draws at any hour
	open := []commerce.OrderStatus{commerce.OrderCreated, commerce.OrderPaid, commerce.OrderAccepted, commerce.OrderPreparing,
		commerce.OrderReadyForPickup, commerce.OrderDelivered, commerce.OrderCancelled}
	for k := 0; k < f.n.Orders; k++ {
		u := r.Float64()
		ci := min(f.n.Companies-1, int(float64(f.n.Companies)*u*u))
		typ, _ := companyType(ci)
		pi := r.IntN(f.n.Patients)
		var created time.Time
		recent := r.IntN(100) < 5
		if recent {
			created = f.now.Add(-time.Duration(r.Int64N(int64(7 * 24 * time.Hour))))
		} else {
			created = f.now.Add(-time.Duration(r.Int64N(int64(history))))
		}
		o := commerce.Order{ID: scaleID(created, tagOrder, uint64(k)), PatientID: f.patientID(pi), CompanyID: f.companyID(ci),
			CreatedAt: created, PayBy: created.Add(30 * time.Minute), Version: 1}
		cat := scaleCatalogue[typ]
		sub := int64(0)
		for n := 1 + r.IntN(3); n > 0; n-- {
			si := r.IntN(len(cat))
			it := cat[si]
			if it.Prescription {
				continue // no prescriptions in the fixture
			}
			q := int64(1 + r.IntN(2))
			l := commerce.OrderLine{SKU: fmt.Sprintf("SKU-%03d", si), Name: it.Name, Kind: commerce.Kind(it.Kind), Quantity: q,
				UnitPrice: kernel.Money{Amount: it.Price, Currency: "BRL"}, Total: kernel.Money{Amount: it.Price * q, Currency: "BRL"}}
			o.Lines = append(o.Lines, l)
			sub += l.Total.Amount
		}
		if len(o.Lines) == 0 {
			it := cat[0]
			o.Lines = append(o.Lines, commerce.OrderLine{SKU: "SKU-000", Name: it.Name, Kind: commerce.Kind(it.Kind), Quantity: 1,
				UnitPrice: kernel.Money{Amount: it.Price, Currency: "BRL"}, Total: kernel.Money{Amount: it.Price, Currency: "BRL"}})
			sub = it.Price
		}
		o.Subtotal = kernel.Money{Amount: sub, Currency: "BRL"}
		o.Fulfilment = commerce.OrderFulfilment{Method: commerce.MethodPickup, Fee: kernel.Money{Currency: "BRL"}}
		o.Total, o.Refunded = o.Subtotal, kernel.Money{Currency: "BRL"}
		final := commerce.OrderDelivered
		if recent {
			final = open[r.IntN(len(open))]
			if final == commerce.OrderCreated {
				created = f.now.Add(-time.Duration(r.IntN(20)) * time.Minute) // still within its time to pay
				o.CreatedAt, o.PayBy = created, created.Add(30*time.Minute)
			}
		} else if r.IntN(100) < 12 {
			final = commerce.OrderCancelled
		}
		paid := final != commerce.OrderCreated && final != commerce.OrderCancelled // cancelled orders were never paid
		o.Timeline = []commerce.TimelineEntry{{Status: commerce.OrderCreated, At: created, By: kernel.KindPatient}}
		at := created
		step := func(s commerce.OrderStatus, by kernel.AccountKind) {
			at = at.Add(time.Duration(2+r.IntN(90)) * time.Minute)
			o.Timeline = append(o.Timeline, commerce.TimelineEntry{Status: s, At: at, By: by})
		}
		if paid {
			step(commerce.OrderPaid, "")
			paidAt := at
			o.PaidAt = &paidAt
			pays = append(pays, commerce.Payment{ID: scaleID(created.Add(time.Minute), tagPayment, uint64(k)), OrderID: o.ID,
				PatientID: o.PatientID, CompanyID: o.CompanyID, Provider: localpay.Provider, ChargeID: fmt.Sprintf("fx_ch_%08d", k),
				Method: []string{ports.PayPix, ports.PayCard}[r.IntN(2)], Amount: o.Total, Status: commerce.PaymentSucceeded,
				ExpiresAt: created.Add(30 * time.Minute), CreatedAt: created.Add(time.Minute), UpdatedAt: paidAt, PaidAt: &paidAt})
			for _, s := range []commerce.OrderStatus{commerce.OrderAccepted, commerce.OrderPreparing, commerce.OrderReadyForPickup, commerce.OrderDelivered} {
				if final == commerce.OrderPaid {
					break
				}
				step(s, kernel.KindCompanyMember)
				if s == final {
					break
				}
			}
		}
		if final == commerce.OrderCancelled {
			step(commerce.OrderCancelled, kernel.KindPatient)
		}
		o.Status = o.Timeline[len(o.Timeline)-1].Status
		o.UpdatedAt = o.Timeline[len(o.Timeline)-1].At
		o.Version = int64(len(o.Timeline))
		orders = append(orders, o)
		if len(orders) == scaleBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}
