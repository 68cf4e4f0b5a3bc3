package authz_test

import (
	gojson "encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/test/e2e/harness"
	"github.com/multisaude/multisaude/test/fhircheck"
)

// The FHIR R4 facade (/fhir/R4) is documented as public: its directory types
// are readable by anyone, and every other type refuses an anonymous caller
// (401), an API key without fhir:read (403) and whoever may not see the object
// (404), always with an OperationOutcome instead of problem+json. The use
// cases decide object by object, with the REST API's rules.
func init() {
	appointment := func(*world) map[string]string { return map[string]string{"type": "Appointment"} }
	refused := map[string]int{anon: 401, coKey: 403, phKey: 403}
	table["GET /fhir/R4/metadata"] = route{public: "the FHIR CapabilityStatement", deny: map[string]int{anon: own, patB: own}}
	// a search lists the caller's own appointments only (an admin's: metadata)
	search := with(refused, patB, own, proQ, own, coAdmin, own, coStaff, own, phStaff, own, admin, meta)
	table["GET /fhir/R4/{type}"] = route{public: "FHIR search: the directory for anyone, the rest for who may see it",
		owner: patA, params: appointment, deny: search}
	table["POST /fhir/R4/{type}/_search"] = route{public: "FHIR search, parameters in a form body",
		owner: patA, params: appointment, body: fhirForm("_count=20"), deny: search}
	// A's consultation with P: nobody else learns it exists; a hospital sees exams only
	table["GET /fhir/R4/{type}/{id}"] = route{public: "FHIR read: the directory for anyone, the rest for who may see it",
		owner: patA, params: func(w *world) map[string]string { return map[string]string{"type": "Appointment", "id": w.apptA} },
		deny: with(refused, patB, 404, proQ, 404, proR, 404, coAdmin, 404, coStaff, 404, phAdmin, 404, phStaff, 404,
			hoAdmin, 404, hoStaff, 404, pendCoAd, 404, admin, meta)}
}

func fhirForm(form string) func(*world) (any, map[string]string) {
	return func(*world) (any, map[string]string) {
		return io.Reader(strings.NewReader(form)), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	}
}

// fhirRoute reports whether the sweep's call what ("GET /fhir/R4/... as ...")
// is one of the facade's: its refusals are OperationOutcomes.
func fhirRoute(what string) bool {
	_, path, _ := strings.Cut(what, " ")
	return strings.HasPrefix(path, "/fhir/")
}

// fhirBodies keeps, per world, every FHIR body the sweep received, for the
// independent validator (TestAuthorizationSweep's "FHIR facade").
var fhirBodies sync.Map // *world -> *fhircheck.Collector

func (w *world) fhirCollector(t *testing.T) *fhircheck.Collector {
	if c, ok := fhirBodies.Load(w); ok {
		return c.(*fhircheck.Collector)
	}
	c, _ := fhirBodies.LoadOrStore(w, fhircheck.New(t))
	return c.(*fhircheck.Collector)
}

// keepFHIR hands a FHIR answer to the validator.
func (w *world) keepFHIR(t *testing.T, what string, res *harness.Resp) {
	t.Helper()
	if len(res.Body) > 0 && res.Body[0] == '{' {
		w.fhirCollector(t).Add(t, what, res.Body)
	}
}

// checkOutcome is checkProblem for the FHIR facade: the status, an
// application/fhir+json OperationOutcome with an error issue of the
// status's code, and none of A's data.
func (w *world) checkOutcome(t *testing.T, what string, res *harness.Resp, want int) {
	t.Helper()
	if res.Status != want {
		t.Errorf("%s: %d, want %d; body %.300s", what, res.Status, want, res.Body)
		return
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/fhir+json") {
		t.Errorf("%s: content type %q, want application/fhir+json", what, ct)
		return
	}
	w.keepFHIR(t, what, res)
	var oo struct {
		ResourceType string `json:"resourceType"`
		Issue        []struct {
			Severity    string `json:"severity"`
			Code        string `json:"code"`
			Diagnostics string `json:"diagnostics"`
		} `json:"issue"`
	}
	codes := map[int]string{400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 406: "not-supported", 413: "too-long"}
	if err := gojson.Unmarshal(res.Body, &oo); err != nil || oo.ResourceType != "OperationOutcome" || len(oo.Issue) == 0 ||
		oo.Issue[0].Severity != "error" || oo.Issue[0].Diagnostics == "" || (codes[want] != "" && oo.Issue[0].Code != codes[want]) {
		t.Errorf("%s: not an OperationOutcome of a %d: %s", what, want, res.Body)
	}
	if want == http.StatusUnauthorized && res.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("%s: 401 without WWW-Authenticate", what)
	}
	if l := w.leaks(res.Body, true, false); len(l) > 0 {
		t.Errorf("%s: the refusal holds A's data %q", what, l)
	}
}

// fhirAppointments reads a searchset of Appointments: their ids, and the
// references of their participants.
func fhirAppointments(t *testing.T, what string, res *harness.Resp) (ids []string, refs map[string][]string) {
	t.Helper()
	var b struct {
		ResourceType string `json:"resourceType"`
		Type         string `json:"type"`
		Entry        []struct {
			Resource struct {
				ResourceType string `json:"resourceType"`
				ID           string `json:"id"`
				Participant  []struct {
					Actor struct {
						Reference string `json:"reference"`
					} `json:"actor"`
				} `json:"participant"`
			} `json:"resource"`
		} `json:"entry"`
	}
	res.JSON(t, &b)
	if b.ResourceType != "Bundle" || b.Type != "searchset" {
		t.Fatalf("%s: not a searchset Bundle: %.300s", what, res.Body)
	}
	refs = map[string][]string{}
	for _, e := range b.Entry {
		if e.Resource.ResourceType != "Appointment" {
			t.Errorf("%s: an entry is a %s", what, e.Resource.ResourceType)
		}
		ids = append(ids, e.Resource.ID)
		for _, p := range e.Resource.Participant {
			refs[e.Resource.ID] = append(refs[e.Resource.ID], p.Actor.Reference)
		}
	}
	return ids, refs
}

// fhir: the facade's own authorisation cases, beyond the sweep's refusals:
// who reads which Appointment, hospital against hospital, API keys with and
// without fhir:read; then every FHIR body of the sweep through the validator.
func (w *world) fhir(t *testing.T, h *harness.H) {
	c := w.fhirCollector(t)
	get := func(caller, token, path string, want int) *harness.Resp {
		t.Helper()
		what := "GET " + path + " as " + caller
		res := h.Get(t, path, token)
		if want >= 400 {
			w.checkOutcome(t, what, res, want)
			return res
		}
		res.Want(t, want)
		c.Add(t, what, res.Body)
		return res
	}
	appt := "/fhir/R4/Appointment/"

	// Anyone reads the CapabilityStatement; nobody reads an Appointment anonymously.
	var cs struct {
		ResourceType string `json:"resourceType"`
		FHIRVersion  string `json:"fhirVersion"`
	}
	get(anon, "", "/fhir/R4/metadata", 200).JSON(t, &cs)
	if cs.ResourceType != "CapabilityStatement" || cs.FHIRVersion != "4.0.1" {
		t.Errorf("metadata = %+v", cs)
	}
	get(anon, "", "/fhir/R4/Appointment", 401)
	get(anon, "", appt+w.apptA, 401)
	// The router's own refusals (a bad credential, a body too large, a format
	// not served) are OperationOutcomes too, as the document says.
	get("a bad credential", "não-é-um-token", "/fhir/R4/metadata", 401)
	get("a bad credential", "não-é-um-token", appt+w.apptA, 401)
	big := h.Do(t, harness.Req{Method: http.MethodPost, Path: "/fhir/R4/Appointment/_search", Token: w.A.Token,
		Body: strings.NewReader("_count=" + strings.Repeat("1", 2<<20)), Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
	w.checkOutcome(t, "POST _search of 2 MiB", big, http.StatusRequestEntityTooLarge)
	xml := h.Do(t, harness.Req{Method: http.MethodGet, Path: "/fhir/R4/metadata", Headers: map[string]string{"Accept": "application/fhir+xml"}})
	w.checkOutcome(t, "metadata in XML", xml, http.StatusNotAcceptable)

	// The owners read theirs (the IDs are live); others learn nothing.
	get(patA, w.A.Token, appt+w.apptA, 200)
	get(proP, w.P.Token, appt+w.apptA, 200)
	get(hoStaff, w.hospStaff.Token, appt+w.apptExamA, 200)
	get(patB, w.B.Token, appt+w.apptA, 404)
	get(patB, w.B.Token, appt+w.apptExamA, 404)
	get(proQ, w.Q.Token, appt+w.apptA, 404)
	get(proP, w.P.Token, appt+w.apptExamA, 404) // P attends A, but the exam is the hospital's
	ids, _ := fhirAppointments(t, "patient B's search", get(patB, w.B.Token, "/fhir/R4/Appointment", 200))
	if slices.Contains(ids, w.apptA) || slices.Contains(ids, w.apptExamA) {
		t.Errorf("patient B's search lists A's appointments: %v", ids)
	}
	ids, _ = fhirAppointments(t, "professional Q's search", get(proQ, w.Q.Token, "/fhir/R4/Appointment?patient=Patient/"+w.A.ID, 200))
	if len(ids) != 0 {
		t.Errorf("professional Q's search of A's appointments lists %v", ids)
	}

	// Hospital B: its member does not read hospital A's exam booking, and
	// hospital A's member does not read B's.
	hospB := harness.SignUpVerifiedCompany(t, h, "hospital")
	hospBStaff := harness.AddCompanyStaff(t, h, hospB, "staff")
	examB := id(t, h.Post(t, "/v1/companies/"+hospB.CompanyID+"/exams", hospBStaff.Token, map[string]any{"name": "Raio X",
		"code": "40801020", "duration_minutes": 30, "price": map[string]any{"amount": 9000, "currency": "BRL"}, "capacity": 1}).
		Want(t, http.StatusCreated))
	h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/exams/" + examB + "/availability", Token: hospB.Token, Body: allDay()}).Want(t, http.StatusOK)
	slots := slotsOn(t, h, "/v1/exams/"+examB+"/slots", time.Now().In(sp).AddDate(0, 0, 4))
	apptExamB := id(t, h.Post(t, "/v1/appointments", w.B.Token, map[string]any{"exam_service_id": examB,
		"start": slots[6].Start.Format(time.RFC3339)}).Want(t, http.StatusCreated))
	get("hospital B staff", hospBStaff.Token, appt+w.apptExamA, 404)
	get("hospital B admin", hospB.Token, appt+w.apptExamA, 404)
	get(hoStaff, w.hospStaff.Token, appt+apptExamB, 404)
	get("hospital B staff", hospBStaff.Token, appt+apptExamB, 200)
	ids, _ = fhirAppointments(t, "hospital B's search", get("hospital B staff", hospBStaff.Token, "/fhir/R4/Appointment", 200))
	if !slices.Equal(ids, []string{apptExamB}) {
		t.Errorf("hospital B's search = %v, want only %s", ids, apptExamB)
	}

	// API keys: without fhir:read refused (403), by GET and by POST; with it,
	// hospital A's exam bookings and nothing else.
	for _, caller := range []string{phKey, coKey} {
		get(caller, w.tokens[caller], "/fhir/R4/Appointment", 403)
		get(caller, w.tokens[caller], appt+w.apptExamA, 403)
		res := h.Do(t, harness.Req{Method: http.MethodPost, Path: "/fhir/R4/Appointment/_search", Token: w.tokens[caller],
			Body: strings.NewReader("_count=10"), Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
		w.checkOutcome(t, "POST /fhir/R4/Appointment/_search as "+caller, res, 403)
	}
	_, fhirKey := apiKey(t, h, w.hosp, "fhir:read")
	const keyA = "hospital A fhir:read key"
	ids, refs := fhirAppointments(t, keyA, get(keyA, fhirKey, "/fhir/R4/Appointment", 200))
	if !slices.Equal(ids, []string{w.apptExamA}) {
		t.Errorf("%s search = %v, want only hospital A's exam booking %s", keyA, ids, w.apptExamA)
	}
	if r := refs[w.apptExamA]; !slices.Contains(r, "Patient/"+w.A.ID) || !slices.Contains(r, "Location/"+w.hosp.CompanyID) {
		t.Errorf("%s: the exam booking's participants = %v", keyA, r)
	}
	res := h.Do(t, harness.Req{Method: http.MethodPost, Path: "/fhir/R4/Appointment/_search", Token: fhirKey,
		Body: strings.NewReader("_count=10"), Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}).Want(t, http.StatusOK)
	c.Add(t, "POST _search as "+keyA, res.Body)
	if ids, _ := fhirAppointments(t, keyA+" POST", res); !slices.Equal(ids, []string{w.apptExamA}) {
		t.Errorf("%s POST search = %v", keyA, ids)
	}
	get(keyA, fhirKey, appt+w.apptExamA, 200)
	get(keyA, fhirKey, appt+w.apptA, 404)
	get(keyA, fhirKey, appt+apptExamB, 404)

	c.Validate(t)
}
