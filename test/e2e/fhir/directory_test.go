package fhir_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/test/e2e/harness"
	"github.com/multisaude/multisaude/test/fhircheck"
)

var sp, _ = time.LoadLocation("America/Sao_Paulo")

const (
	fhirBase      = "/fhir/R4"
	councilSystem = "https://multisaude.com.br/fhir/sid/crm-sp"
	cnpjSystem    = "http://rnds.saude.gov.br/fhir/r4/NamingSystem/cnpj"
	orgTypeSystem = "http://terminology.hl7.org/CodeSystem/organization-type"
	specialtySys  = "https://multisaude.com.br/fhir/CodeSystem/specialty"
)

// fhirClient reads the facade and keeps every FHIR body for the validator.
type fhirClient struct {
	h *harness.H
	c *fhircheck.Collector
}

func (fc fhirClient) get(t *testing.T, path, token string, status int) []byte {
	t.Helper()
	r := fc.h.Get(t, fhirBase+path, token).Want(t, status)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/fhir+json") {
		t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	name := strings.Trim(strings.NewReplacer("/", "-", "?", "-", "=", "-", "&", "-").Replace(path), "-")
	fc.c.Add(t, fmt.Sprintf("%d-%.60s", status, name), r.Body)
	return r.Body
}

func (fc fhirClient) read(t *testing.T, path, token string, v any) {
	t.Helper()
	if err := json.Unmarshal(fc.get(t, path, token, http.StatusOK), v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

type ref struct {
	Reference string `json:"reference"`
}

type coding struct {
	System  string `json:"system"`
	Code    string `json:"code"`
	Display string `json:"display"`
}

type concept struct {
	Coding []coding `json:"coding"`
	Text   string   `json:"text"`
}

func (c concept) has(system, code string) bool {
	return slices.ContainsFunc(c.Coding, func(x coding) bool { return x.System == system && x.Code == code })
}

type identifier struct {
	System string `json:"system"`
	Value  string `json:"value"`
}

type bundle struct {
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

func (b bundle) next() string {
	for _, l := range b.Link {
		if l.Relation == "next" {
			return l.URL
		}
	}
	return ""
}

// ids returns the ids of the entries (all of type typ).
func (b bundle) ids(t *testing.T, typ string) []string {
	t.Helper()
	var out []string
	for _, e := range b.Entry {
		var r struct{ ResourceType, ID string }
		if err := json.Unmarshal(e.Resource, &r); err != nil || r.ResourceType != typ || e.Search.Mode != "match" {
			t.Fatalf("entry %s is not a %s match: %s", e.FullURL, typ, e.Resource)
		}
		out = append(out, r.ID)
	}
	return out
}

func (fc fhirClient) search(t *testing.T, path, token string) bundle {
	t.Helper()
	var b bundle
	fc.read(t, path, token, &b)
	if b.ResourceType != "Bundle" || b.Type != "searchset" {
		t.Fatalf("GET %s: not a searchset: %+v", path, b)
	}
	return b
}

// searchAll follows the next links (at most 50 pages), returning every match's resource.
func (fc fhirClient) searchAll(t *testing.T, path, token string) (pages int, entries []json.RawMessage) {
	t.Helper()
	for ; path != "" && pages < 50; pages++ {
		b := fc.search(t, path, token)
		for _, e := range b.Entry {
			entries = append(entries, e.Resource)
		}
		path = ""
		if n := b.next(); n != "" {
			u, err := url.Parse(n)
			if err != nil || !strings.HasPrefix(u.Path, fhirBase+"/") {
				t.Fatalf("next link %q", n)
			}
			path = strings.TrimPrefix(u.RequestURI(), fhirBase)
		}
	}
	return pages, entries
}

// outcome asks for an error and returns the expressions its issues name.
func (fc fhirClient) outcome(t *testing.T, path, token string, status int) []string {
	t.Helper()
	var oo struct {
		ResourceType string `json:"resourceType"`
		Issue        []struct {
			Severity, Code, Diagnostics string
			Expression                  []string
		} `json:"issue"`
	}
	if err := json.Unmarshal(fc.get(t, path, token, status), &oo); err != nil || oo.ResourceType != "OperationOutcome" || len(oo.Issue) == 0 {
		t.Fatalf("GET %s: not an OperationOutcome: %+v", path, oo)
	}
	var out []string
	for _, is := range oo.Issue {
		if is.Diagnostics == "" {
			t.Errorf("GET %s: an issue without diagnostics", path)
		}
		out = append(out, is.Expression...)
	}
	return out
}

func availability(horizon int) map[string]any {
	var weekly []map[string]any
	for _, d := range []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
		weekly = append(weekly, map[string]any{"weekday": d, "start": "06:00", "end": "12:00", "mode": "in_person", "place": "Sala 2"},
			map[string]any{"weekday": d, "start": "12:00", "end": "24:00", "mode": "telemedicine"})
	}
	return map[string]any{"time_zone": "America/Sao_Paulo", "slot_minutes": 30, "buffer_minutes": 0, "min_notice_hours": 2,
		"horizon_days": horizon, "cancel_until_hours": 0, "weekly": weekly, "exceptions": []any{}}
}

type restSlots struct {
	Items []struct {
		Start time.Time `json:"start"`
		End   time.Time `json:"end"`
	} `json:"items"`
}

type slotRes struct {
	ResourceType, ID, Status, Start, End string
	Schedule                             ref
	ServiceType                          []concept
}

// TestFHIRDirectory: the directory resources read and searched anonymously,
// showing only verified professionals and companies and only their public data;
// slots are the REST API's; lists page through next links.
func TestFHIRDirectory(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		fc := fhirClient{h: h, c: fhircheck.New(t)}
		word := fmt.Sprintf("Diretorio%d", time.Now().UnixNano()%1e6)
		pro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dra. Helena " + word, Specialties: []string{"cardiology", "geriatrics"}})
		pending := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dr. Pendente " + word, Pending: true})
		tele := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dr. Remoto " + word, Modes: []string{"telemedicine"}})
		patient := harness.SignUpPatient(t, h)
		hosp := harness.SignUpVerifiedCompany(t, h, "hospital")
		pharmacy := harness.SignUpVerifiedCompany(t, h, "pharmacy")
		h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/professionals/" + pro.ID + "/availability", Token: pro.Token, Body: availability(30)}).Want(t, http.StatusOK)
		var exam struct{ ID string }
		h.Post(t, "/v1/companies/"+hosp.CompanyID+"/exams", hosp.Token, map[string]any{"name": "Ultrassonografia abdominal", "code": "40901122",
			"duration_minutes": 30, "preparation": "Jejum de 8 horas.", "price": map[string]any{"amount": 18000, "currency": "BRL"}, "capacity": 2}).
			Want(t, http.StatusCreated).JSON(t, &exam)
		h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/exams/" + exam.ID + "/availability", Token: hosp.Token, Body: availability(20)}).Want(t, http.StatusOK)
		var restPro struct {
			Council struct{ Number string } `json:"council"`
		}
		h.Get(t, "/v1/professionals/"+pro.ID, "").Want(t, http.StatusOK).JSON(t, &restPro)
		var restHosp struct {
			CNPJ string `json:"cnpj"`
		}
		h.Get(t, "/v1/companies/"+hosp.CompanyID, "").Want(t, http.StatusOK).JSON(t, &restHosp)
		key := h.Post(t, "/v1/companies/"+pharmacy.CompanyID+"/api-keys", pharmacy.Token, map[string]any{"name": "ERP", "scopes": []string{"orders:read"}}).
			Want(t, http.StatusCreated).Map(t)["secret"].(string)

		// Practitioner: public, verified only, no CPF, e-mail or phone
		for _, token := range []string{"", patient.Token, tele.Token, key} {
			body := fc.get(t, "/Practitioner/"+pro.ID, token, http.StatusOK)
			for _, secret := range []string{pro.CPF, pro.Email, "5511912345678", "telecom", "address"} {
				if strings.Contains(string(body), secret) {
					t.Fatalf("Practitioner shows %q: %s", secret, body)
				}
			}
		}
		var prac struct {
			ResourceType, ID string
			Active           bool
			Identifier       []identifier
			Name             []struct{ Text string }
			Qualification    []struct {
				Code       concept
				Identifier []identifier
			}
		}
		fc.read(t, "/Practitioner/"+pro.ID, "", &prac)
		if prac.ResourceType != "Practitioner" || prac.ID != pro.ID || !prac.Active || len(prac.Name) != 1 || prac.Name[0].Text != pro.Name ||
			len(prac.Identifier) != 1 || prac.Identifier[0] != (identifier{councilSystem, restPro.Council.Number}) ||
			len(prac.Qualification) != 1 || !prac.Qualification[0].Code.has("https://multisaude.com.br/fhir/CodeSystem/profession", "physician") {
			t.Fatalf("Practitioner = %+v", prac)
		}
		fc.outcome(t, "/Practitioner/"+pending.ID, "", http.StatusNotFound)
		fc.outcome(t, "/Practitioner/"+pending.ID, patient.Token, http.StatusNotFound)
		fc.outcome(t, "/Practitioner/"+patient.ID, "", http.StatusNotFound)
		fc.outcome(t, "/Practitioner/"+hosp.CompanyID, "", http.StatusNotFound)
		if ids := fc.search(t, "/Practitioner?name="+url.QueryEscape(strings.ToLower(word)), "").ids(t, "Practitioner"); len(ids) != 2 ||
			!slices.Contains(ids, pro.ID) || !slices.Contains(ids, tele.ID) {
			t.Fatalf("Practitioner?name: %v (the pending one must not be listed)", ids)
		}
		if ids := fc.search(t, "/Practitioner?identifier="+url.QueryEscape(councilSystem+"|"+restPro.Council.Number), "").ids(t, "Practitioner"); !slices.Equal(ids, []string{pro.ID}) {
			t.Fatalf("Practitioner?identifier: %v", ids)
		}
		if ids := fc.search(t, "/Practitioner?identifier="+url.QueryEscape("https://multisaude.com.br/fhir/sid/crm-rj|"+restPro.Council.Number), "").ids(t, "Practitioner"); len(ids) != 0 {
			t.Fatalf("Practitioner?identifier in another UF: %v", ids)
		}
		if ex := fc.outcome(t, "/Practitioner?specialidade=x", "", http.StatusBadRequest); !slices.Contains(ex, "specialidade") {
			t.Fatalf("unknown parameter: issues name %v", ex)
		}
		// an unparameterised search lists verified professionals, paged
		pages, all := fc.searchAll(t, "/Practitioner?_count=1", "")
		if pages < 2 || len(all) != pages {
			t.Fatalf("Practitioner paging: %d pages, %d entries", pages, len(all))
		}
		seen := map[string]bool{}
		for _, raw := range all {
			var r struct{ ID string }
			_ = json.Unmarshal(raw, &r)
			if seen[r.ID] || r.ID == pending.ID {
				t.Fatalf("Practitioner paging repeats or shows %s", r.ID)
			}
			seen[r.ID] = true
		}
		if !seen[pro.ID] || !seen[tele.ID] {
			t.Fatalf("Practitioner paging misses a professional: %v", seen)
		}

		// PractitionerRole: one per professional, with office and hours
		var role struct {
			ID            string
			Practitioner  ref
			Code          []concept
			Specialty     []concept
			Location      []ref
			AvailableTime []struct {
				DaysOfWeek                           []string
				AllDay                               bool
				AvailableStartTime, AvailableEndTime string
			}
		}
		fc.read(t, "/PractitionerRole/"+pro.ID, "", &role)
		if role.ID != pro.ID || role.Practitioner.Reference != "Practitioner/"+pro.ID || len(role.Specialty) != 2 || !role.Specialty[0].has(specialtySys, "cardiology") ||
			len(role.Location) != 1 || role.Location[0].Reference != "Location/"+pro.ID || len(role.AvailableTime) != 14 || len(role.Code) != 3 {
			t.Fatalf("PractitionerRole = %+v", role)
		}
		if at := role.AvailableTime[1]; !slices.Equal(at.DaysOfWeek, []string{"sun"}) || at.AvailableStartTime != "12:00:00" || at.AvailableEndTime != "23:59:59" {
			t.Fatalf("PractitionerRole.availableTime[1] = %+v", at)
		}
		var teleRole struct {
			Location      []ref
			AvailableTime []any
		}
		fc.read(t, "/PractitionerRole/"+tele.ID, "", &teleRole)
		if len(teleRole.Location) != 0 || len(teleRole.AvailableTime) != 0 {
			t.Fatalf("telemedicine-only role = %+v", teleRole)
		}
		fc.outcome(t, "/PractitionerRole/"+pending.ID, "", http.StatusNotFound)
		if ids := fc.search(t, "/PractitionerRole?practitioner=Practitioner/"+pro.ID+"&specialty="+url.QueryEscape(specialtySys+"|geriatrics"), "").ids(t, "PractitionerRole"); !slices.Equal(ids, []string{pro.ID}) {
			t.Fatalf("PractitionerRole?practitioner&specialty: %v", ids)
		}
		if ids := fc.search(t, "/PractitionerRole?practitioner=Practitioner/"+pro.ID+"&specialty=dermatology", "").ids(t, "PractitionerRole"); len(ids) != 0 {
			t.Fatalf("PractitionerRole of another specialty: %v", ids)
		}
		if ids := fc.search(t, "/PractitionerRole?practitioner=Practitioner/"+pending.ID, "").ids(t, "PractitionerRole"); len(ids) != 0 {
			t.Fatalf("PractitionerRole of a pending professional: %v", ids)
		}
		if ids := fc.search(t, "/PractitionerRole?specialty=geriatrics", "").ids(t, "PractitionerRole"); !slices.Contains(ids, pro.ID) || slices.Contains(ids, tele.ID) {
			t.Fatalf("PractitionerRole?specialty: %v", ids)
		}

		// Organization: CNPJ, type, contact
		var org struct {
			ID         string
			Active     bool
			Name       string
			Identifier []identifier
			Type       []concept
			Telecom    []struct{ System, Value string }
			Address    []struct{ City, State, PostalCode string }
		}
		fc.read(t, "/Organization/"+hosp.CompanyID, "", &org)
		if org.ID != hosp.CompanyID || !org.Active || org.Name == "" || len(org.Identifier) != 1 || org.Identifier[0] != (identifier{cnpjSystem, restHosp.CNPJ}) ||
			len(org.Type) != 1 || !org.Type[0].has(orgTypeSystem, "prov") || org.Type[0].Text != "Hospital" || len(org.Address) != 1 || org.Address[0].State != "SP" {
			t.Fatalf("Organization = %+v", org)
		}
		fc.read(t, "/Organization/"+pharmacy.CompanyID, "", &org)
		if !org.Type[0].has(orgTypeSystem, "bus") || org.Type[0].Text != "Farmácia" {
			t.Fatalf("pharmacy's type = %+v", org.Type)
		}
		fc.outcome(t, "/Organization/"+pro.ID, "", http.StatusNotFound)
		punctuated := restHosp.CNPJ[:2] + "." + restHosp.CNPJ[2:5] + "." + restHosp.CNPJ[5:8] + "/" + restHosp.CNPJ[8:12] + "-" + restHosp.CNPJ[12:]
		if ids := fc.search(t, "/Organization?identifier="+url.QueryEscape(cnpjSystem+"|"+punctuated), "").ids(t, "Organization"); !slices.Equal(ids, []string{hosp.CompanyID}) {
			t.Fatalf("Organization?identifier: %v", ids)
		}
		if ids := fc.search(t, "/Organization?type="+url.QueryEscape(orgTypeSystem+"|prov"), "").ids(t, "Organization"); !slices.Contains(ids, hosp.CompanyID) || slices.Contains(ids, pharmacy.CompanyID) {
			t.Fatalf("Organization?type=prov: %v", ids)
		}
		if pages, all := fc.searchAll(t, "/Organization?_count=1", ""); pages < 2 || len(all) != pages {
			t.Fatalf("Organization paging: %d pages, %d entries", pages, len(all))
		}

		// Location: the office and the hospital
		var loc struct {
			ID, Status, Name     string
			Address              struct{ City, State string }
			ManagingOrganization *ref
		}
		fc.read(t, "/Location/"+pro.ID, "", &loc)
		if loc.ID != pro.ID || loc.Status != "active" || !strings.Contains(loc.Name, pro.Name) || loc.Address.City != "São Paulo" || loc.ManagingOrganization != nil {
			t.Fatalf("office Location = %+v", loc)
		}
		fc.read(t, "/Location/"+hosp.CompanyID, "", &loc)
		if loc.ID != hosp.CompanyID || loc.ManagingOrganization == nil || loc.ManagingOrganization.Reference != "Organization/"+hosp.CompanyID {
			t.Fatalf("hospital Location = %+v", loc)
		}
		fc.outcome(t, "/Location/"+tele.ID, "", http.StatusNotFound)    // no office
		fc.outcome(t, "/Location/"+pending.ID, "", http.StatusNotFound) // not verified
		if ids := fc.search(t, "/Location?organization=Organization/"+hosp.CompanyID, "").ids(t, "Location"); !slices.Equal(ids, []string{hosp.CompanyID}) {
			t.Fatalf("Location?organization: %v", ids)
		}
		if ids := fc.search(t, "/Location?address-city="+url.QueryEscape("sao paulo")+"&address-state=SP&_count=100", "").ids(t, "Location"); !slices.Contains(ids, pro.ID) ||
			!slices.Contains(ids, hosp.CompanyID) || slices.Contains(ids, tele.ID) {
			t.Fatalf("Location?address-city: %v", ids)
		}
		if ids := fc.search(t, "/Location?address-city=Recife", "").ids(t, "Location"); len(ids) != 0 {
			t.Fatalf("Location in Recife: %v", ids)
		}

		// Schedule: the professional's and the exam's
		var sch struct {
			ID              string
			Active          bool
			Actor           []ref
			ServiceType     []concept
			PlanningHorizon struct{ Start, End time.Time }
			Comment         string
		}
		fc.read(t, "/Schedule/"+pro.ID, "", &sch)
		if sch.ID != pro.ID || !sch.Active || len(sch.Actor) != 2 || sch.Actor[0].Reference != "Practitioner/"+pro.ID || sch.Actor[1].Reference != "PractitionerRole/"+pro.ID ||
			sch.PlanningHorizon.End.Sub(sch.PlanningHorizon.Start).Round(time.Hour) != 30*24*time.Hour {
			t.Fatalf("professional's Schedule = %+v", sch)
		}
		fc.read(t, "/Schedule/"+exam.ID, "", &sch)
		if sch.ID != exam.ID || !sch.Active || len(sch.Actor) != 1 || sch.Actor[0].Reference != "Location/"+hosp.CompanyID ||
			len(sch.ServiceType) != 1 || sch.ServiceType[0].Text != "Ultrassonografia abdominal" || !strings.Contains(sch.Comment, "Jejum") {
			t.Fatalf("exam's Schedule = %+v", sch)
		}
		var idle struct {
			Active          *bool
			PlanningHorizon *struct{ End string }
		}
		fc.read(t, "/Schedule/"+tele.ID, "", &idle)
		if idle.Active == nil || *idle.Active || idle.PlanningHorizon != nil {
			t.Fatalf("Schedule without availability = %+v", idle)
		}
		fc.outcome(t, "/Schedule/"+pending.ID, "", http.StatusNotFound)
		fc.outcome(t, "/Schedule/"+pending.ID, pending.Token, http.StatusNotFound)
		if ids := fc.search(t, "/Schedule?actor=Practitioner/"+pro.ID, "").ids(t, "Schedule"); !slices.Equal(ids, []string{pro.ID}) {
			t.Fatalf("Schedule?actor=Practitioner: %v", ids)
		}
		if ids := fc.search(t, "/Schedule?actor=Location/"+hosp.CompanyID, "").ids(t, "Schedule"); !slices.Equal(ids, []string{exam.ID}) {
			t.Fatalf("Schedule?actor=Location: %v", ids)
		}
		if ids := fc.search(t, "/Schedule?actor=Practitioner/"+pending.ID, "").ids(t, "Schedule"); len(ids) != 0 {
			t.Fatalf("Schedule of a pending professional: %v", ids)
		}
		if ex := fc.outcome(t, "/Schedule", "", http.StatusBadRequest); !slices.Contains(ex, "actor") {
			t.Fatalf("Schedule without actor: issues name %v", ex)
		}
		if ex := fc.outcome(t, "/Schedule?actor=Patient/"+patient.ID, "", http.StatusBadRequest); !slices.Contains(ex, "actor") {
			t.Fatalf("Schedule?actor=Patient: issues name %v", ex)
		}

		// Slot: the same starts as the REST API, paged through next links
		day := time.Now().In(sp).AddDate(0, 0, 2)
		d0, d1 := day.Format(time.DateOnly), day.AddDate(0, 0, 1).Format(time.DateOnly)
		for _, c := range []struct{ schedule, rest string }{
			{pro.ID, "/v1/professionals/" + pro.ID + "/slots"},
			{exam.ID, "/v1/exams/" + exam.ID + "/slots"},
		} {
			var rest restSlots
			h.Get(t, c.rest+"?from="+d0+"&to="+d0, "").Want(t, http.StatusOK).JSON(t, &rest)
			if len(rest.Items) < 30 {
				t.Fatalf("REST slots of %s: %d", c.rest, len(rest.Items))
			}
			pages, all := fc.searchAll(t, "/Slot?schedule=Schedule/"+c.schedule+"&start=ge"+d0+"&start=lt"+d1+"&status=free&_count=10", "")
			if want := (len(rest.Items) + 9) / 10; pages != want {
				t.Errorf("Slot pages of %s = %d, want %d", c.schedule, pages, want)
			}
			if len(all) != len(rest.Items) {
				t.Fatalf("Slot of %s: %d, REST %d", c.schedule, len(all), len(rest.Items))
			}
			for i, raw := range all {
				var s slotRes
				_ = json.Unmarshal(raw, &s)
				start, err := time.Parse(time.RFC3339, s.Start)
				end, err2 := time.Parse(time.RFC3339, s.End)
				if err != nil || err2 != nil || !start.Equal(rest.Items[i].Start) || !end.Equal(rest.Items[i].End) || s.Status != "free" ||
					s.Schedule.Reference != "Schedule/"+c.schedule || s.ID != fmt.Sprintf("%s.%d", c.schedule, start.Unix()) {
					t.Fatalf("Slot %d of %s = %+v, REST %+v", i, c.schedule, s, rest.Items[i])
				}
			}
			var first slotRes
			_ = json.Unmarshal(all[0], &first)
			var read slotRes
			fc.read(t, "/Slot/"+first.ID, "", &read)
			if read.ID != first.ID || read.Start != first.Start || read.End != first.End {
				t.Fatalf("Slot read = %+v, searched %+v", read, first)
			}
		}
		// the morning is in person, the afternoon by video
		var morning restSlots
		h.Get(t, "/v1/professionals/"+pro.ID+"/slots?from="+d0+"&to="+d0+"&mode=in_person", "").Want(t, http.StatusOK).JSON(t, &morning)
		var ms slotRes
		fc.read(t, fmt.Sprintf("/Slot/%s.%d", pro.ID, morning.Items[0].Start.Unix()), "", &ms)
		if len(ms.ServiceType) != 1 || !ms.ServiceType[0].has("https://multisaude.com.br/fhir/CodeSystem/appointment-mode", "in_person") {
			t.Fatalf("morning Slot = %+v", ms)
		}
		// a booked slot is no longer free
		h.Post(t, "/v1/appointments", patient.Token, map[string]any{"professional_id": pro.ID, "start": morning.Items[0].Start.Format(time.RFC3339), "mode": "in_person"}).
			Want(t, http.StatusCreated)
		fc.outcome(t, "/Slot/"+ms.ID[:strings.LastIndex(ms.ID, ".")+1]+"x", "", http.StatusNotFound)
		fc.outcome(t, "/Slot/"+ms.ID, "", http.StatusNotFound)
		fc.outcome(t, fmt.Sprintf("/Slot/%s.%d", pro.ID, morning.Items[0].Start.Unix()+60), "", http.StatusNotFound) // never offered
		fc.outcome(t, fmt.Sprintf("/Slot/%s.%d", pending.ID, morning.Items[0].Start.Unix()), "", http.StatusNotFound)
		// the default window is the next 14 days; busy asks for nothing we serve
		if b := fc.search(t, "/Slot?schedule=Schedule/"+pro.ID+"&_count=100", ""); len(b.Entry) != 100 || b.next() == "" {
			t.Fatalf("Slot default window: %d entries, next %q", len(b.Entry), b.next())
		}
		if b := fc.search(t, "/Slot?schedule=Schedule/"+pro.ID+"&status=busy", ""); len(b.Entry) != 0 {
			t.Fatalf("busy slots: %d", len(b.Entry))
		}
		if b := fc.search(t, "/Slot?schedule=Schedule/"+pending.ID, ""); len(b.Entry) != 0 {
			t.Fatalf("slots of a pending professional: %d", len(b.Entry))
		}
		if ex := fc.outcome(t, "/Slot?start=ge"+d0, "", http.StatusBadRequest); !slices.Contains(ex, "schedule") {
			t.Fatalf("Slot without schedule: issues name %v", ex)
		}
		far := day.AddDate(0, 0, 40).Format(time.DateOnly)
		if ex := fc.outcome(t, "/Slot?schedule=Schedule/"+pro.ID+"&start=ge"+d0+"&start=lt"+far, "", http.StatusBadRequest); !slices.Contains(ex, "start") {
			t.Fatalf("Slot window of 40 days: issues name %v", ex)
		}
		if ex := fc.outcome(t, "/Slot?schedule=Schedule/"+pro.ID+"&status=livre", "", http.StatusBadRequest); !slices.Contains(ex, "status") {
			t.Fatalf("Slot?status=livre: issues name %v", ex)
		}
		if ex := fc.outcome(t, "/Slot?schedule=Schedule/"+pro.ID+"&_cursor=bad!", "", http.StatusBadRequest); !slices.Contains(ex, "_cursor") {
			t.Fatalf("bad cursor: issues name %v", ex)
		}

		fc.c.Validate(t)
	})
}
