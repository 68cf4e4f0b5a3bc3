package cluster

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

func jsonDecode(b []byte, v any) error { return json.Unmarshal(b, v) }

// attempt is one booking of the load as its client saw it.
type attempt struct {
	patient int
	slot    int
	via     string
	ans     answer
}

// killMidLoad: patients book (two racers per slot) and place and pay orders
// through A and B; in the middle A and worker 1 are killed with SIGKILL. Then,
// read through B: every 201 booking exists and is confirmed, no slot has two,
// bookings whose client saw a connection error exist once or not at all; every
// order that exists reaches the partner once per event, paid orders are paid;
// and B and worker 2 go on serving.
func (c *cluster) killMidLoad(t *testing.T, before []placed) {
	pro := signUpProfessional(t, c.b, c.admin, "Dra. Sob Carga")
	c.a.put("/v1/professionals/"+pro.ID+"/availability", pro.Token, allDay(5, 2)).want(t, "availability", http.StatusOK)
	var ss []slot
	for d := 5; d <= 6; d++ {
		ss = append(ss, slotsOn(t, c.b, pro.ID, time.Now().AddDate(0, 0, d))...)
	}
	if len(ss) < 200 {
		t.Fatalf("%d slots for the load", len(ss))
	}
	pts := make([]account, 8)
	for i := range pts {
		pts[i] = signUpPatient(t, c.apis()[i%2])
	}

	stop := make(chan struct{})
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		attempts []attempt
		orders   []placed
		orderErr int
		next     atomic.Int64
	)
	// Bookings: racers i and i+1 take the same slot index; each alternates A and B.
	for i := range pts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				s := int(next.Add(1)-1) / 2
				if s >= len(ss) {
					return
				}
				via := c.apis()[(i+n)%2]
				ans := book(via, pts[i].Token, pro.ID, ss[s].Start, kernel.NewID())
				mu.Lock()
				attempts = append(attempts, attempt{patient: i, slot: s, via: via.name, ans: ans})
				mu.Unlock()
				time.Sleep(40 * time.Millisecond)
			}
		}()
	}
	// Orders: placed on one instance, paid on the other, confirmed to both.
	for g := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				a := c.apis()[(g+n)%2]
				o, r := c.placeOrder(a, pts[(g*4+n)%len(pts)])
				if r.err != nil || o.id == "" {
					mu.Lock()
					orderErr++
					mu.Unlock()
					time.Sleep(50 * time.Millisecond)
					continue
				}
				_ = c.pay(c.other(a), &o, c.a, c.b)
				mu.Lock()
				orders = append(orders, o)
				mu.Unlock()
				time.Sleep(50 * time.Millisecond)
			}
		}()
	}

	time.Sleep(3 * time.Second)
	c.procA.Kill(t)
	c.w1.Kill(t)
	t.Logf("killed A and worker 1 with SIGKILL after %d bookings and %d orders", len(snapshot(&mu, &attempts)), len(snapshotOrders(&mu, &orders)))
	time.Sleep(4 * time.Second)
	close(stop)
	wg.Wait()

	b := c.b
	// What the clients saw.
	created := map[int]appointment{} // slot -> the 201
	var unknown []attempt
	codes := map[string]int{}
	for _, at := range attempts {
		if at.ans.err != nil {
			codes[at.via+":error"]++
			unknown = append(unknown, at)
			continue
		}
		codes[fmt.Sprintf("%s:%d", at.via, at.ans.status)]++
		switch at.ans.status {
		case http.StatusCreated:
			var a appointment
			at.ans.decode(t, &a)
			if a.ProfessionalID != pro.ID || !a.Start.Equal(ss[at.slot].Start) || a.PatientID != pts[at.patient].ID {
				t.Errorf("a 201 on %s does not name what was asked: %s", at.via, at.ans.body)
			}
			if prev, ok := created[at.slot]; ok {
				t.Errorf("slot %s answered 201 twice: %s and %s", ss[at.slot].Start, prev.ID, a.ID)
			}
			created[at.slot] = a
		case http.StatusConflict:
			if _, err := at.ans.problem(); err != nil {
				t.Errorf("a 409 on %s: %v", at.via, err)
			}
		default:
			t.Errorf("booking on %s answered %d: %s", at.via, at.ans.status, at.ans.body)
		}
	}
	t.Logf("load: %d bookings (%v), %d orders placed, %d order requests failed", len(attempts), codes, len(orders), orderErr)
	if len(created) == 0 || codes["A:201"] == 0 || codes["B:201"] == 0 {
		t.Fatalf("the load booked too little to prove anything: %v", codes)
	}

	// Read through the survivor: every 201 is there and confirmed, no slot twice.
	list := agenda(t, b, pro)
	byStart := map[time.Time][]appointment{}
	byID := map[string]appointment{}
	for _, a := range list {
		if a.Status == "confirmed" {
			byStart[a.Start.UTC()] = append(byStart[a.Start.UTC()], a)
		}
		byID[a.ID] = a
	}
	for st, as := range byStart {
		if len(as) > 1 {
			t.Errorf("slot %s holds %d confirmed appointments", st, len(as))
		}
	}
	for s, a := range created {
		got, ok := byID[a.ID]
		if !ok || got.Status != "confirmed" || !got.Start.Equal(ss[s].Start) {
			t.Errorf("the confirmed booking %s (slot %s) reads %+v through B (listed %v)", a.ID, ss[s].Start, got, ok)
		}
	}
	// An outcome the client never heard: the patient has that slot once or not at all.
	for _, u := range unknown {
		n := 0
		for _, a := range byStart[ss[u.slot].Start.UTC()] {
			if a.PatientID == pts[u.patient].ID {
				n++
			}
		}
		if n > 1 {
			t.Errorf("an unanswered booking of slot %s exists %d times", ss[u.slot].Start, n)
		}
	}
	// Nobody who was told 409 holds the slot: each confirmed appointment was
	// answered 201, or its client never heard.
	heard := map[string]map[time.Time][]int{} // patient -> start -> statuses (0: no answer)
	for _, at := range attempts {
		id, st := pts[at.patient].ID, ss[at.slot].Start.UTC()
		if heard[id] == nil {
			heard[id] = map[time.Time][]int{}
		}
		heard[id][st] = append(heard[id][st], at.ans.status)
	}
	for st, as := range byStart {
		for _, a := range as {
			ok := false
			for _, code := range heard[a.PatientID][st] {
				ok = ok || code == http.StatusCreated || code == 0
			}
			if !ok {
				t.Errorf("appointment %s at %s is confirmed, but its patient's bookings of that slot answered %v", a.ID, st, heard[a.PatientID][st])
			}
		}
	}
	t.Logf("%d bookings confirmed in the agenda (%d answered 201, %d outcomes unknown to their client)", len(byStart), len(created), len(unknown))

	// The survivors carry on: a new booking on B, and a new order whose
	// events reach the partner through worker 2.
	free := -1
	for s := len(ss) - 1; s >= 0; s-- {
		if len(byStart[ss[s].Start.UTC()]) == 0 {
			free = s
			break
		}
	}
	if free < 0 {
		t.Fatalf("no free slot left")
	}
	var late appointment
	book(b, pts[0].Token, pro.ID, ss[free].Start, kernel.NewID()).want(t, "a booking on B after the kill", http.StatusCreated).decode(t, &late)
	o, r := c.placeOrder(b, pts[1])
	r.want(t, "an order on B after the kill", http.StatusCreated)
	c.pay(b, &o, b).want(t, "a payment on B after the kill", http.StatusCreated)
	if !o.paid {
		t.Fatalf("B did not take the provider's confirmation")
	}
	orders = append(orders, o)

	// Every order that exists (the patients' lists through B, so also those
	// whose client lost its answer) reaches the partner; paid ones are paid.
	known := map[string]bool{}
	for _, o := range orders {
		known[o.id] = true
	}
	all := append([]placed(nil), before...)
	all = append(all, orders...)
	for i, p := range pts {
		var l struct {
			Items []struct {
				ID     string `json:"id"`
				Status string `json:"status"`
			} `json:"items"`
		}
		b.get("/v1/me/orders?limit=100", p.Token).want(t, "orders through B", http.StatusOK).decode(t, &l)
		for _, x := range l.Items {
			if !known[x.ID] {
				all = append(all, placed{id: x.ID, patient: pts[i]}) // placed, answer lost with A
			}
		}
	}
	for _, o := range all {
		if !o.paid {
			continue
		}
		eventually(t, 30*time.Second, "order "+o.id+" paid", func() error {
			var cur struct {
				Status string `json:"status"`
			}
			b.get("/v1/orders/"+o.id, o.patient.Token).want(t, "order through B", http.StatusOK).decode(t, &cur)
			if cur.Status != "paid" {
				return fmt.Errorf("order %s is %s", o.id, cur.Status)
			}
			return nil
		})
	}
	c.waitForEvents(t, all)
}

func snapshot(mu *sync.Mutex, s *[]attempt) []attempt {
	mu.Lock()
	defer mu.Unlock()
	return append([]attempt(nil), *s...)
}

func snapshotOrders(mu *sync.Mutex, s *[]placed) []placed {
	mu.Lock()
	defer mu.Unlock()
	return append([]placed(nil), *s...)
}
