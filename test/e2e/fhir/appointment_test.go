package fhir_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/test/e2e/harness"
	"github.com/multisaude/multisaude/test/fhircheck"
)

var apptSP, _ = time.LoadLocation("America/Sao_Paulo")

// apptBundle is the part of a searchset the appointment tests read.
type apptBundle struct {
	ResourceType string `json:"resourceType"`
	Type         string `json:"type"`
	Total        *int   `json:"total"`
	Link         []struct {
		Relation string `json:"relation"`
		URL      string `json:"url"`
	} `json:"link"`
	Entry []struct {
		FullURL  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
		Search   struct {
			Mode string `json:"mode"`
		} `json:"search"`
	} `json:"entry"`
}

type apptResource struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	Status       string `json:"status"`
	Start        string `json:"start"`
	End          string `json:"end"`
	Description  string `json:"description"`
	Participant  []struct {
		Actor struct {
			Reference string `json:"reference"`
		} `json:"actor"`
	} `json:"participant"`
}

func (a apptResource) actors() []string {
	var out []string
	for _, p := range a.Participant {
		out = append(out, p.Actor.Reference)
	}
	return out
}

type outcome struct {
	ResourceType string `json:"resourceType"`
	Issue        []struct {
		Severity    string   `json:"severity"`
		Code        string   `json:"code"`
		Diagnostics string   `json:"diagnostics"`
		Expression  []string `json:"expression"`
	} `json:"issue"`
}

// apptFHIR calls the facade and keeps the answer for the validator.
func apptFHIR(t *testing.T, h *harness.H, c *fhircheck.Collector, name, path, token string, status int) *harness.Resp {
	t.Helper()
	r := h.Get(t, path, token).Want(t, status)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/fhir+json") {
		t.Fatalf("%s: content type %q", path, ct)
	}
	c.Add(t, name, r.Body)
	return r
}

func apptOutcome(t *testing.T, r *harness.Resp, code string, expression string) outcome {
	t.Helper()
	var oo outcome
	r.JSON(t, &oo)
	if oo.ResourceType != "OperationOutcome" || len(oo.Issue) == 0 || oo.Issue[0].Code != code || oo.Issue[0].Diagnostics == "" {
		t.Fatalf("outcome %s, want code %s", r.Body, code)
	}
	if expression != "" && (len(oo.Issue[0].Expression) == 0 || oo.Issue[0].Expression[0] != expression) {
		t.Fatalf("outcome %s does not name %s", r.Body, expression)
	}
	return oo
}

func apptAllDay() map[string]any {
	var weekly []map[string]any
	for _, d := range []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
		weekly = append(weekly, map[string]any{"weekday": d, "start": "00:00", "end": "12:00", "mode": "in_person"},
			map[string]any{"weekday": d, "start": "12:00", "end": "24:00", "mode": "telemedicine"})
	}
	return map[string]any{"time_zone": "America/Sao_Paulo", "slot_minutes": 30, "buffer_minutes": 0, "min_notice_hours": 2,
		"horizon_days": 30, "cancel_until_hours": 0, "weekly": weekly, "exceptions": []any{}}
}

func apptSlots(t *testing.T, h *harness.H, path string, day time.Time) []time.Time {
	t.Helper()
	d := day.In(apptSP).Format(time.DateOnly)
	var l struct {
		Items []struct {
			Start time.Time `json:"start"`
		} `json:"items"`
	}
	h.Get(t, path+"?from="+d+"&to="+d, "").Want(t, http.StatusOK).JSON(t, &l)
	if len(l.Items) < 10 {
		t.Fatalf("%s on %s: %d slots", path, d, len(l.Items))
	}
	var out []time.Time
	for _, s := range l.Items {
		out = append(out, s.Start)
	}
	return out
}

func apptID(t *testing.T, r *harness.Resp) string {
	t.Helper()
	var v struct{ ID string }
	r.JSON(t, &v)
	if v.ID == "" {
		t.Fatalf("no id in %s", r.Body)
	}
	return v.ID
}

// apptSearch follows a search's next links to the end and returns every match.
func apptSearch(t *testing.T, h *harness.H, c *fhircheck.Collector, path, token string) []apptResource {
	t.Helper()
	var out []apptResource
	for pages := 0; path != ""; pages++ {
		if pages > 20 {
			t.Fatal("more than 20 pages")
		}
		var b apptBundle
		apptFHIR(t, h, c, "Appointment-search", path, token, http.StatusOK).JSON(t, &b)
		if b.ResourceType != "Bundle" || b.Type != "searchset" {
			t.Fatalf("not a searchset: %+v", b)
		}
		path = ""
		for _, l := range b.Link {
			if l.Relation == "next" {
				u, err := url.Parse(l.URL)
				if err != nil || !u.IsAbs() {
					t.Fatalf("next link %q is not absolute", l.URL)
				}
				path = u.RequestURI()
			}
		}
		for _, e := range b.Entry {
			if e.Search.Mode != "match" {
				continue
			}
			var a apptResource
			if err := json.Unmarshal(e.Resource, &a); err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(e.FullURL, "/fhir/R4/Appointment/"+a.ID) {
				t.Fatalf("fullUrl %q for %s", e.FullURL, a.ID)
			}
			out = append(out, a)
		}
	}
	return out
}

func apptIDs(as []apptResource) map[string]bool {
	m := map[string]bool{}
	for _, a := range as {
		if m[a.ID] {
			panic("duplicate " + a.ID)
		}
		m[a.ID] = true
	}
	return m
}

// TestFHIRAppointments: the FHIR Appointment says what the REST booking says,
// to the same people; search by date prefixes, status and patient, paging by
// next links, _include of the practitioner, and bad parameters answered with
// an OperationOutcome naming them.
func TestFHIRAppointments(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		c := fhircheck.New(t)
		P := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dra. Fhir"})
		Q := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dr. Alheio"})
		A, B := harness.SignUpPatient(t, h), harness.SignUpPatient(t, h)
		h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/professionals/" + P.ID + "/availability", Token: P.Token, Body: apptAllDay()}).Want(t, http.StatusOK)
		now := time.Now().In(apptSP)
		days := []time.Time{now.AddDate(0, 0, 2), now.AddDate(0, 0, 3), now.AddDate(0, 0, 5)}
		var aIDs []string
		starts := map[string]time.Time{}
		for i, d := range days {
			ss := apptSlots(t, h, "/v1/professionals/"+P.ID+"/slots", d)
			id := apptID(t, h.Post(t, "/v1/appointments", A.Token, map[string]any{"professional_id": P.ID, "start": ss[4+i].Format(time.RFC3339),
				"reason": "retorno"}).Want(t, http.StatusCreated))
			aIDs = append(aIDs, id)
			starts[id] = ss[4+i]
		}
		ssB := apptSlots(t, h, "/v1/professionals/"+P.ID+"/slots", days[0])
		bID := apptID(t, h.Post(t, "/v1/appointments", B.Token, map[string]any{"professional_id": P.ID, "start": ssB[10].Format(time.RFC3339)}).
			Want(t, http.StatusCreated))
		h.Post(t, "/v1/appointments/"+aIDs[2]+"/cancel", A.Token, map[string]any{"reason": "viagem"}).Want(t, http.StatusOK)

		// A hospital with an exam A books, a second hospital, and their API keys.
		hosp, other := harness.SignUpVerifiedCompany(t, h, "hospital"), harness.SignUpVerifiedCompany(t, h, "hospital")
		exam := apptID(t, h.Post(t, "/v1/companies/"+hosp.CompanyID+"/exams", hosp.Token, map[string]any{"name": "Ultrassonografia",
			"code": "40901122", "duration_minutes": 30, "preparation": "Jejum", "price": map[string]any{"amount": 18000, "currency": "BRL"}, "capacity": 1}).
			Want(t, http.StatusCreated))
		h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/exams/" + exam + "/availability", Token: hosp.Token, Body: apptAllDay()}).Want(t, http.StatusOK)
		es := apptSlots(t, h, "/v1/exams/"+exam+"/slots", days[1])
		examAppt := apptID(t, h.Post(t, "/v1/appointments", A.Token, map[string]any{"exam_service_id": exam, "start": es[6].Format(time.RFC3339)}).
			Want(t, http.StatusCreated))
		key := func(co harness.Account, scopes ...string) string {
			var k struct {
				Secret string `json:"secret"`
			}
			h.Post(t, "/v1/companies/"+co.CompanyID+"/api-keys", co.Token, map[string]any{"name": "HIS", "scopes": scopes}).
				Want(t, http.StatusCreated).JSON(t, &k)
			return k.Secret
		}
		fhirKey, ordersKey, otherKey := key(hosp, "fhir:read"), key(hosp, "orders:read"), key(other, "fhir:read")

		// The CapabilityStatement declares Appointment's search parameters and include.
		var cs struct {
			FHIRVersion string `json:"fhirVersion"`
			Rest        []struct {
				Resource []struct {
					Type          string                  `json:"type"`
					SearchInclude []string                `json:"searchInclude"`
					SearchParam   []struct{ Name string } `json:"searchParam"`
				} `json:"resource"`
			} `json:"rest"`
		}
		apptFHIR(t, h, c, "metadata", "/fhir/R4/metadata", "", http.StatusOK).JSON(t, &cs)
		declared := map[string]bool{}
		for _, r := range cs.Rest[0].Resource {
			if r.Type == "Appointment" {
				for _, p := range r.SearchParam {
					declared[p.Name] = true
				}
				declared["include "+strings.Join(r.SearchInclude, ",")] = true
			}
		}
		if cs.FHIRVersion != "4.0.1" || !declared["date"] || !declared["patient"] || !declared["status"] || !declared["include Appointment:practitioner,Appointment:patient"] {
			t.Fatalf("metadata declares %v for Appointment (fhirVersion %s)", declared, cs.FHIRVersion)
		}

		// Read: what the booking says, to its patient and its professional only.
		var a apptResource
		apptFHIR(t, h, c, "Appointment-read", "/fhir/R4/Appointment/"+aIDs[0], A.Token, http.StatusOK).JSON(t, &a)
		st, err := time.Parse(time.RFC3339, a.Start)
		if err != nil || !st.Equal(starts[aIDs[0]]) || a.Status != "booked" || a.Description != "retorno" {
			t.Fatalf("appointment %+v, want start %v", a, starts[aIDs[0]])
		}
		if got := strings.Join(a.actors(), ","); !strings.Contains(got, "Patient/"+A.ID) || !strings.Contains(got, "Practitioner/"+P.ID) {
			t.Fatalf("participants %s", got)
		}
		apptFHIR(t, h, c, "Appointment-read-pro", "/fhir/R4/Appointment/"+aIDs[0], P.Token, http.StatusOK)
		for _, tok := range []string{B.Token, Q.Token, hosp.Token, fhirKey} {
			apptOutcome(t, apptFHIR(t, h, c, "Appointment-read-denied", "/fhir/R4/Appointment/"+aIDs[0], tok, http.StatusNotFound), "not-found", "")
		}
		apptOutcome(t, apptFHIR(t, h, c, "Appointment-anon", "/fhir/R4/Appointment/"+aIDs[0], "", http.StatusUnauthorized), "login", "")
		var cancelled apptResource
		apptFHIR(t, h, c, "Appointment-cancelled", "/fhir/R4/Appointment/"+aIDs[2], A.Token, http.StatusOK).JSON(t, &cancelled)
		if cancelled.Status != "cancelled" {
			t.Fatalf("cancelled appointment has status %q", cancelled.Status)
		}

		// Search: A's own, page by page (one per page), with nothing twice.
		all := apptIDs(apptSearch(t, h, c, "/fhir/R4/Appointment?_count=1", A.Token))
		for _, id := range append(aIDs, examAppt) {
			if !all[id] {
				t.Fatalf("A's search misses %s: %v", id, all)
			}
		}
		if all[bID] || len(all) != 4 {
			t.Fatalf("A's search: %v", all)
		}
		// date prefixes: from the third day on (São Paulo midnight), and before it
		from := days[1].Format(time.DateOnly)
		later := apptIDs(apptSearch(t, h, c, "/fhir/R4/Appointment?date=ge"+from, A.Token))
		if len(later) != 3 || !later[aIDs[1]] || !later[aIDs[2]] || !later[examAppt] {
			t.Fatalf("date=ge%s: %v", from, later)
		}
		earlier := apptIDs(apptSearch(t, h, c, "/fhir/R4/Appointment?date=lt"+from, A.Token))
		if len(earlier) != 1 || !earlier[aIDs[0]] {
			t.Fatalf("date=lt%s: %v", from, earlier)
		}
		both := apptIDs(apptSearch(t, h, c, "/fhir/R4/Appointment?date=ge"+from+"&date=lt"+days[2].Format(time.DateOnly), A.Token))
		if len(both) != 2 || !both[aIDs[1]] || !both[examAppt] {
			t.Fatalf("date range: %v", both)
		}
		// the same search by POST, the parameters in a form body
		var posted apptBundle
		pr := h.Do(t, harness.Req{Method: http.MethodPost, Path: "/fhir/R4/Appointment/_search", Token: A.Token,
			Body:    strings.NewReader("date=ge" + from + "&date=lt" + days[2].Format(time.DateOnly)),
			Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}).Want(t, http.StatusOK)
		c.Add(t, "Appointment-search-post", pr.Body)
		pr.JSON(t, &posted)
		if len(posted.Entry) != 2 {
			t.Fatalf("POST _search: %s", pr.Body)
		}
		if got := apptIDs(apptSearch(t, h, c, "/fhir/R4/Appointment?status=cancelled", A.Token)); len(got) != 1 || !got[aIDs[2]] {
			t.Fatalf("status=cancelled: %v", got)
		}
		if got := apptIDs(apptSearch(t, h, c, "/fhir/R4/Appointment?status=booked,cancelled&date=lt"+days[2].Format(time.DateOnly), A.Token)); len(got) != 3 {
			t.Fatalf("status=booked,cancelled: %v", got)
		}
		// asking for another patient's list gives nothing, not theirs
		if got := apptSearch(t, h, c, "/fhir/R4/Appointment?patient=Patient/"+B.ID, A.Token); len(got) != 0 {
			t.Fatalf("A asking for B's appointments got %v", got)
		}
		// the professional: by patient
		byA := apptIDs(apptSearch(t, h, c, "/fhir/R4/Appointment?patient=Patient/"+A.ID, P.Token))
		if len(byA) != 3 || byA[bID] || byA[examAppt] {
			t.Fatalf("P's search by patient A: %v", byA)
		}
		if got := apptSearch(t, h, c, "/fhir/R4/Appointment", Q.Token); len(got) != 0 {
			t.Fatalf("an unrelated professional sees %v", got)
		}
		// The hospital's key with fhir:read sees its exam bookings only.
		byKey := apptIDs(apptSearch(t, h, c, "/fhir/R4/Appointment", fhirKey))
		if len(byKey) != 1 || !byKey[examAppt] {
			t.Fatalf("hospital key sees %v", byKey)
		}
		apptFHIR(t, h, c, "Appointment-read-key", "/fhir/R4/Appointment/"+examAppt, fhirKey, http.StatusOK)
		apptOutcome(t, apptFHIR(t, h, c, "Appointment-other-key", "/fhir/R4/Appointment/"+examAppt, otherKey, http.StatusNotFound), "not-found", "")
		if got := apptSearch(t, h, c, "/fhir/R4/Appointment", otherKey); len(got) != 0 {
			t.Fatalf("another hospital's key sees %v", got)
		}
		apptOutcome(t, apptFHIR(t, h, c, "Appointment-no-scope", "/fhir/R4/Appointment", ordersKey, http.StatusForbidden), "forbidden", "")

		// Bad input: an OperationOutcome naming the parameter, never a full list.
		for _, bad := range []struct{ query, param string }{
			{"foo=1", "foo"}, {"date=2026-13-01", "date"}, {"date=xx2026-01-01", "date"}, {"_count=1000", "_count"},
			{"_count=0", "_count"}, {"patient=Practitioner/" + P.ID, "patient"}, {"status=maybe", "status"},
			{"_include=Appointment:location", "_include"}, {"patient:missing=true", "patient:missing"},
		} {
			r := apptFHIR(t, h, c, "Appointment-bad", "/fhir/R4/Appointment?"+bad.query, A.Token, http.StatusBadRequest)
			apptOutcome(t, r, "invalid", bad.param)
		}
		apptOutcome(t, apptFHIR(t, h, c, "Appointment-format", "/fhir/R4/Appointment?_format=xml", A.Token, http.StatusBadRequest), "invalid", "_format")
		r := h.Do(t, harness.Req{Method: http.MethodGet, Path: "/fhir/R4/Appointment", Token: A.Token, Headers: map[string]string{"Accept": "application/fhir+xml"}}).
			Want(t, http.StatusNotAcceptable)
		c.Add(t, "Appointment-406", r.Body)
		apptOutcome(t, apptFHIR(t, h, c, "Unknown-type", "/fhir/R4/Spaceship", A.Token, http.StatusNotFound), "not-found", "")
		// _include the practitioner
		var inc apptBundle
		apptFHIR(t, h, c, "Appointment-include", "/fhir/R4/Appointment?_id="+aIDs[0]+"&_include=Appointment:practitioner", A.Token, http.StatusOK).JSON(t, &inc)
		modes := map[string]string{}
		for _, e := range inc.Entry {
			modes[e.FullURL[strings.Index(e.FullURL, "/fhir/R4/")+len("/fhir/R4/"):]] = e.Search.Mode
		}
		if modes["Appointment/"+aIDs[0]] != "match" || modes["Practitioner/"+P.ID] != "include" || len(modes) != 2 {
			t.Fatalf("_include: %v", modes)
		}

		c.Validate(t)
	})
}
