package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// opNames are the operations, each named on the command line; some send two
// kinds of request, measured apart (and each alone by its own name).
var opNames = map[string][]string{
	"booking": {"booking"},
	"search":  {"search", "near"},
	"slots":   {"slots"},
	"history": {"history", "evals"},
	"agenda":  {"agenda"},
	"orders":  {"order", "board"},
	// each kind alone, for its own CPU figure
	"search-city":          {"search"},
	"search-near":          {"near"},
	"history-appointments": {"history"},
	"history-evals":        {"evals"},
	"orders-place":         {"order"},
	"orders-board":         {"board"},
}

// bookingCounts splits the booking op's differences as run's output says them.
type bookingCounts struct{ wrong, refused atomic.Int64 }

func (w *world) request(name string, bc *bookingCounts) func(context.Context, int64) result {
	switch name {
	case "booking":
		return w.book(bc)
	case "search":
		return w.search
	case "near":
		return w.near
	case "slots":
		return w.slots
	case "history":
		return w.history
	case "evals":
		return w.evals
	case "agenda":
		return w.agenda
	case "order":
		return w.order
	case "board":
		return w.board
	}
	return nil
}

// maxSelfSlot is how many slots of each professional self setup's booking op
// books: 80 days of 15-minute slots from tomorrow.
const maxSelfSlot = 96 * 80

// slot is the k-th slot the booking op books: professionals in turn, each
// one's slots in order.
func (w *world) slot(k int64) (pro *professional, s slotAt, ok bool) {
	pro = w.pros[k%int64(len(w.pros))]
	idx := k / int64(len(w.pros))
	if !w.fixture {
		if idx >= maxSelfSlot {
			return nil, s, false
		}
		return pro, slotAt{start: w.firstSlot.Add(time.Duration(idx) * 15 * time.Minute), mode: "telemedicine"}, true
	}
	if idx >= int64(len(pro.slots)) {
		return nil, s, false
	}
	return pro, pro.slots[idx], true
}

// book books a distinct free slot: a 201 must confirm what was asked, a 409
// refuses a free slot.
func (w *world) book(bc *bookingCounts) func(context.Context, int64) result {
	return func(_ context.Context, _ int64) result {
		k := w.bookSeq.Add(1) - 1
		pro, s, ok := w.slot(k)
		if !ok {
			return result{kind: resExhausted}
		}
		pat := w.patients[k%int64(len(w.patients))]
		body := map[string]any{"professional_id": pro.id, "start": s.start.Format(time.RFC3339), "mode": s.mode}
		status, b, err := call("POST", w.base+"/v1/appointments", pat.token, body, map[string]string{"Idempotency-Key": newKey()})
		switch {
		case err == nil && status == 201:
			w.booked.Store(bookedKey(pro.id, s.start), time.Now())
			var a appointment
			if json.Unmarshal(b, &a) != nil || a.ProfessionalID != pro.id || a.PatientID != pat.id || !a.Start.Equal(s.start) || a.Mode != s.mode {
				bc.wrong.Add(1)
				return differs("booking differs from the request: asked %s %s for %s, answered %s", pro.id, s.start.Format(time.RFC3339), pat.id, b)
			}
			return okResult
		case err == nil && status == 409:
			bc.refused.Add(1)
			return differs("free slot refused: %s %s: %s", pro.id, s.start.Format(time.RFC3339), b)
		}
		return failed("unexpected answer %d %v %s", status, err, b)
	}
}

type appointment struct {
	ID             string    `json:"id"`
	ProfessionalID string    `json:"professional_id"`
	PatientID      string    `json:"patient_id"`
	Start          time.Time `json:"start"`
	End            time.Time `json:"end"`
	Mode           string    `json:"mode"`
}

type slotJSON struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Mode  string    `json:"mode"`
}

type searchItem struct {
	Professional struct {
		ID          string   `json:"id"`
		Specialties []string `json:"specialties"`
		City        string   `json:"city"`
	} `json:"professional"`
	DistanceKm *float64   `json:"distance_km"`
	NextSlots  []slotJSON `json:"next_slots"`
}

// checkSlots checks free slots of pro: in order, in [from, to), not in the past
// and none booked (and answered) before the request was sent.
func (w *world) checkSlots(pro string, ss []slotJSON, from, to, sent time.Time) string {
	for i, s := range ss {
		switch {
		case !s.End.After(s.Start):
			return fmt.Sprintf("slot %s ends at %s", s.Start, s.End)
		case s.Start.Before(from) || !s.Start.Before(to):
			return fmt.Sprintf("slot %s outside [%s, %s)", s.Start.Format(time.RFC3339), from.Format(time.RFC3339), to.Format(time.RFC3339))
		case s.Start.Before(sent.Add(-time.Second)):
			return fmt.Sprintf("slot %s already past at %s", s.Start.Format(time.RFC3339), sent.Format(time.RFC3339))
		case i > 0 && s.Start.Before(ss[i-1].Start):
			return fmt.Sprintf("slot %s after %s", s.Start.Format(time.RFC3339), ss[i-1].Start.Format(time.RFC3339))
		case w.bookedBefore(pro, s.Start, sent):
			return fmt.Sprintf("slot %s of %s offered free after it was booked", s.Start.Format(time.RFC3339), pro)
		}
	}
	return ""
}

// searchDays is how far ahead search looks for next free slots (scheduling's default, 14), with a day's slack.
const searchDays = 15

func (w *world) checkResults(items []searchItem, sent time.Time) string {
	for _, it := range items {
		if m := w.checkSlots(it.Professional.ID, it.NextSlots, sent.Add(-time.Second), sent.AddDate(0, 0, searchDays), sent); m != "" {
			return "professional " + it.Professional.ID + ": " + m
		}
	}
	return ""
}

func (w *world) search(_ context.Context, k int64) result {
	q := w.searches[k%int64(len(w.searches))]
	u := w.base + "/v1/professionals?" + query("specialty", q.specialty, "city", q.city, "limit", "20")
	var l struct{ Items []searchItem }
	sent := time.Now()
	if r := get(u, "", &l); r.kind != resOK {
		return r
	}
	if len(l.Items) == 0 && !w.fixture {
		return differs("search %s in %s found nobody", q.specialty, q.city)
	}
	for _, it := range l.Items {
		if !containsFold(it.Professional.Specialties, q.specialty) || !strings.EqualFold(it.Professional.City, q.city) {
			return differs("search %s in %s answered %s (%v in %s)", q.specialty, q.city, it.Professional.ID, it.Professional.Specialties, it.Professional.City)
		}
	}
	if m := w.checkResults(l.Items, sent); m != "" {
		return differs("search %s in %s: %s", q.specialty, q.city, m)
	}
	return okResult
}

func (w *world) near(_ context.Context, k int64) result {
	p := w.nears[k%int64(len(w.nears))]
	u := w.base + "/v1/professionals?" + query("near", fmt.Sprintf("%.4f,%.4f", p.Lat, p.Lng), "radius_km", fmt.Sprint(w.radiusKm), "limit", "20")
	var l struct{ Items []searchItem }
	sent := time.Now()
	if r := get(u, "", &l); r.kind != resOK {
		return r
	}
	if len(l.Items) == 0 && !w.fixture {
		return differs("search near %v found nobody", p)
	}
	last := 0.0
	for _, it := range l.Items {
		switch d := it.DistanceKm; {
		case d == nil:
			return differs("search near %v: %s has no distance", p, it.Professional.ID)
		case *d > w.radiusKm+0.05: // distances are rounded to 100 m
			return differs("search near %v within %g km: %s at %g km", p, w.radiusKm, it.Professional.ID, *d)
		case *d < last:
			return differs("search near %v not by distance: %g km after %g km", p, *d, last)
		default:
			last = *d
		}
	}
	if m := w.checkResults(l.Items, sent); m != "" {
		return differs("search near %v: %s", p, m)
	}
	return okResult
}

func date(t time.Time) string { return t.In(sp).Format(time.DateOnly) }

// slots reads a professional's free slots for 90 days.
func (w *world) slots(_ context.Context, k int64) result {
	pro := w.pros[k%int64(len(w.pros))]
	from := day(time.Now())
	to := from.AddDate(0, 0, 90)
	u := w.base + "/v1/professionals/" + pro.id + "/slots?" + query("from", date(from), "to", date(to.AddDate(0, 0, -1)))
	var l struct{ Items []slotJSON }
	sent := time.Now()
	if r := get(u, "", &l); r.kind != resOK {
		return r
	}
	if len(l.Items) == 0 && !w.fixture {
		return differs("professional %s has no free slot in 90 days", pro.id)
	}
	if m := w.checkSlots(pro.id, l.Items, from, to, sent); m != "" {
		return differs("slots of %s: %s", pro.id, m)
	}
	return okResult
}

// history reads a patient's first page of appointments.
func (w *world) history(_ context.Context, k int64) result {
	pat := w.patients[k%int64(len(w.patients))]
	var l struct{ Items []appointment }
	if r := get(w.base+"/v1/appointments?limit=20", pat.token, &l); r.kind != resOK {
		return r
	}
	if len(l.Items) == 0 && !w.fixture {
		return differs("patient %s has no appointment in their history", pat.id)
	}
	for _, a := range l.Items {
		if a.PatientID != pat.id {
			return differs("history of %s holds appointment %s of %s", pat.id, a.ID, a.PatientID)
		}
	}
	return okResult
}

// evals reads a patient's own evaluations.
func (w *world) evals(_ context.Context, k int64) result {
	pat := w.patients[k%int64(len(w.patients))]
	var l struct {
		Items []struct {
			ID        string `json:"id"`
			PatientID string `json:"patient_id"`
		}
	}
	if r := get(w.base+"/v1/patients/"+pat.id+"/evaluations?limit=20", pat.token, &l); r.kind != resOK {
		return r
	}
	if len(l.Items) == 0 && !w.fixture {
		return differs("patient %s has no evaluation", pat.id)
	}
	for _, e := range l.Items {
		if e.PatientID != pat.id {
			return differs("evaluations of %s hold %s of %s", pat.id, e.ID, e.PatientID)
		}
	}
	return okResult
}

// agenda reads a professional's agenda for a week.
func (w *world) agenda(_ context.Context, k int64) result {
	i := k % int64(len(w.pros))
	pro := w.pros[i]
	from := w.agendaFrom
	to := from.AddDate(0, 0, 7)
	u := w.base + "/v1/professionals/" + pro.id + "/agenda?" + query("from", date(from), "to", date(to.AddDate(0, 0, -1)), "limit", "100")
	var l struct{ Items []appointment }
	if r := get(u, pro.token, &l); r.kind != resOK {
		return r
	}
	if len(l.Items) == 0 && !w.fixture && i < int64(len(w.patients)) {
		return differs("agenda of %s from %s is empty", pro.id, date(from))
	}
	for _, a := range l.Items {
		if a.ProfessionalID != pro.id || a.Start.Before(from) || !a.Start.Before(to) {
			return differs("agenda of %s for the week of %s holds %s of %s at %s", pro.id, date(from), a.ID, a.ProfessionalID, a.Start.Format(time.RFC3339))
		}
	}
	return okResult
}

type money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

type order struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	CompanyID string `json:"company_id"`
	PatientID string `json:"patient_id"`
	Items     []struct {
		SKU       string `json:"sku"`
		Quantity  int64  `json:"quantity"`
		UnitPrice money  `json:"unit_price"`
		Total     money  `json:"total"`
	} `json:"items"`
	Subtotal    money `json:"subtotal"`
	DeliveryFee money `json:"delivery_fee"`
	Total       money `json:"total"`
}

// order places an order for pickup of one catalogue item.
func (w *world) order(_ context.Context, k int64) result {
	pat := w.patients[k%int64(len(w.patients))]
	co := w.companies[k%int64(len(w.companies))]
	it := co.items[(k/int64(len(w.companies)))%int64(len(co.items))]
	qty := 1 + k%3
	body := map[string]any{"company_id": co.id, "items": []any{map[string]any{"sku": it.sku, "quantity": qty}}, "fulfilment": map[string]any{"method": "pickup"}}
	st, b, err := call("POST", w.base+"/v1/orders", pat.token, body, map[string]string{"Idempotency-Key": newKey()})
	if err != nil || st != 201 {
		return failed("order %d × %s from %s: %d %v %.300s", qty, it.sku, co.id, st, err, b)
	}
	var o order
	if err := json.Unmarshal(b, &o); err != nil {
		return differs("order: not the documented JSON: %v", err)
	}
	want := it.price * qty
	if o.CompanyID != co.id || o.PatientID != pat.id || o.Status != "created" || len(o.Items) != 1 || o.Items[0].SKU != it.sku ||
		o.Items[0].Quantity != qty || o.Items[0].UnitPrice.Amount != it.price || o.Items[0].Total.Amount != want ||
		o.Subtotal.Amount != want || o.DeliveryFee.Amount != 0 || o.Total.Amount != want {
		return differs("order of %d × %s at %d from %s for %s answered %.500s", qty, it.sku, it.price, co.id, pat.id, b)
	}
	return okResult
}

// board reads a company's orders board by status.
func (w *world) board(_ context.Context, k int64) result {
	co := w.companies[k%int64(len(w.companies))]
	var l struct{ Items []order }
	if r := get(w.base+"/v1/companies/"+co.id+"/orders?"+url.Values{"status": {"created"}, "limit": {"50"}}.Encode(), co.token, &l); r.kind != resOK {
		return r
	}
	for _, o := range l.Items {
		if o.CompanyID != co.id || o.Status != "created" {
			return differs("board of %s (created) holds order %s of %s in %s", co.id, o.ID, o.CompanyID, o.Status)
		}
	}
	return okResult
}
