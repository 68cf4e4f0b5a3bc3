package fhir_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/test/e2e/harness"
	"github.com/multisaude/multisaude/test/fhircheck"
)

// recPDF is the uploaded document's content.
var recPDF = append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("hemograma completo sem alteracoes\n"), 20)...)

// recRes is the part of a record resource the test reads.
type recRes struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	Meta         struct {
		VersionID string   `json:"versionId"`
		Profile   []string `json:"profile"`
	} `json:"meta"`
	Status string `json:"status"`
	Intent string `json:"intent"`
	Class  struct {
		System, Code string
	} `json:"class"`
	Subject     recRef   `json:"subject"`
	Encounter   recRef   `json:"encounter"`
	Appointment []recRef `json:"appointment"`
	Participant []struct {
		Individual recRef `json:"individual"`
	} `json:"participant"`
	Period struct {
		Start, End string
	} `json:"period"`
	ReasonCode    []recConcept `json:"reasonCode"`
	Category      []recConcept `json:"category"`
	Code          recConcept   `json:"code"`
	ValueQuantity *recQuantity `json:"valueQuantity"`
	Component     []struct {
		Code          recConcept  `json:"code"`
		ValueQuantity recQuantity `json:"valueQuantity"`
	} `json:"component"`
	EffectiveDateTime  string          `json:"effectiveDateTime"`
	Performer          []recRef        `json:"performer"`
	ClinicalStatus     recConcept      `json:"clinicalStatus"`
	VerificationStatus recConcept      `json:"verificationStatus"`
	Recorder           recRef          `json:"recorder"`
	Title              string          `json:"title"`
	Author             json.RawMessage `json:"author"`
	Activity           []struct {
		Detail struct {
			Kind                   string     `json:"kind"`
			Status                 string     `json:"status"`
			Description            string     `json:"description"`
			Code                   recConcept `json:"code"`
			ProductCodeableConcept recConcept `json:"productCodeableConcept"`
		} `json:"detail"`
	} `json:"activity"`
	Identifier []struct {
		System, Value string
	} `json:"identifier"`
	MedicationCodeableConcept recConcept `json:"medicationCodeableConcept"`
	DosageInstruction         []struct {
		Text string `json:"text"`
	} `json:"dosageInstruction"`
	Requester  recRef `json:"requester"`
	AuthoredOn string `json:"authoredOn"`
	Content    []struct {
		Attachment struct {
			ContentType, URL, Title, Hash string
			Size                          int64
		} `json:"attachment"`
	} `json:"content"`
	Type     json.RawMessage `json:"type"` // a list in Encounter, one in DocumentReference
	Target   []recRef        `json:"target"`
	Recorded string          `json:"recorded"`
	Agent    []struct {
		Who recRef `json:"who"`
	} `json:"agent"`
	Signature []struct {
		Type []struct{ System, Code string }
		When string
		Who  recRef
		Data string
	} `json:"signature"`
}

type recRef struct {
	Reference string `json:"reference"`
}

type recConcept struct {
	Coding []struct {
		System, Code, Display string
	} `json:"coding"`
	Text string `json:"text"`
}

func (c recConcept) has(system, code string) bool {
	for _, x := range c.Coding {
		if x.System == system && x.Code == code {
			return true
		}
	}
	return false
}

type recQuantity struct {
	Value        float64
	Unit, System string
	Code         string
}

type recBundle struct {
	ResourceType string `json:"resourceType"`
	Type         string `json:"type"`
	Link         []struct{ Relation, URL string }
	Entry        []struct {
		FullURL  string `json:"fullUrl"`
		Resource recRes `json:"resource"`
	} `json:"entry"`
}

func (b recBundle) ids() []string {
	var out []string
	for _, e := range b.Entry {
		out = append(out, e.Resource.ID)
	}
	return out
}

func (b recBundle) find(id string) (recRes, bool) {
	for _, e := range b.Entry {
		if e.Resource.ID == id {
			return e.Resource, true
		}
	}
	return recRes{}, false
}

// recClient reads /fhir/R4, keeping every body for the validator.
type recClient struct {
	h *harness.H
	c *fhircheck.Collector
}

func (rc recClient) get(t *testing.T, name, path, token string, status int) []byte {
	t.Helper()
	r := rc.h.Do(t, harness.Req{Method: http.MethodGet, Path: "/fhir/R4/" + path, Token: token}).Want(t, status)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/fhir+json") {
		t.Fatalf("%s: content type %q", path, ct)
	}
	rc.c.Add(t, name, r.Body)
	return r.Body
}

func (rc recClient) read(t *testing.T, name, path, token string) recRes {
	t.Helper()
	var r recRes
	if err := json.Unmarshal(rc.get(t, name, path, token, http.StatusOK), &r); err != nil {
		t.Fatal(err)
	}
	if typ, id, _ := strings.Cut(path, "/"); r.ResourceType != typ || r.ID != id {
		t.Fatalf("read %s answered %s/%s", path, r.ResourceType, r.ID)
	}
	return r
}

func (rc recClient) search(t *testing.T, name, path, token string) recBundle {
	t.Helper()
	var b recBundle
	if err := json.Unmarshal(rc.get(t, name, path, token, http.StatusOK), &b); err != nil {
		t.Fatal(err)
	}
	if b.ResourceType != "Bundle" || b.Type != "searchset" {
		t.Fatalf("%s: not a searchset: %s/%s", path, b.ResourceType, b.Type)
	}
	return b
}

func (rc recClient) outcome(t *testing.T, name, path, token string, status int) []string {
	t.Helper()
	var oo struct {
		ResourceType string `json:"resourceType"`
		Issue        []struct {
			Expression []string `json:"expression"`
		} `json:"issue"`
	}
	if err := json.Unmarshal(rc.get(t, name, path, token, status), &oo); err != nil || oo.ResourceType != "OperationOutcome" || len(oo.Issue) == 0 {
		t.Fatalf("%s: not an OperationOutcome (%v)", path, err)
	}
	var out []string
	for _, is := range oo.Issue {
		out = append(out, is.Expression...)
	}
	return out
}

func sameSet(got []string, want ...string) bool {
	if len(got) != len(want) {
		return false
	}
	m := map[string]int{}
	for _, g := range got {
		m[g]++
	}
	for _, w := range want {
		if m[w] == 0 {
			return false
		}
		m[w]--
	}
	return true
}

// TestFHIRRecords: a professional attends a patient by teleconsultation and
// writes the record; the patient and the professional read it as FHIR
// resources with the right codes and units; others read nothing; each of the
// professional's reads lands in the patient's access log.
func TestFHIRRecords(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		c := fhircheck.New(t)
		rc := recClient{h: h, c: c}
		pro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dra. Registro"})
		stranger := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dr. Alheio"})
		pat := harness.SignUpPatient(t, h)
		other := harness.SignUpPatient(t, h)
		hosp := harness.SignUpVerifiedCompany(t, h, "hospital")

		// the professional's agenda and the patient's teleconsultation
		var weekly []map[string]any
		for _, d := range []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
			weekly = append(weekly, map[string]any{"weekday": d, "start": "00:00", "end": "24:00", "mode": "telemedicine"})
		}
		h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/professionals/" + pro.ID + "/availability", Token: pro.Token,
			Body: map[string]any{"time_zone": "America/Sao_Paulo", "slot_minutes": 30, "buffer_minutes": 0, "min_notice_hours": 2,
				"horizon_days": 30, "cancel_until_hours": 0, "weekly": weekly, "exceptions": []any{}}}).Want(t, http.StatusOK)
		day := time.Now().UTC().AddDate(0, 0, 2).Format("2006-01-02")
		var slots struct {
			Items []struct {
				Start time.Time `json:"start"`
			} `json:"items"`
		}
		h.Get(t, "/v1/professionals/"+pro.ID+"/slots?from="+day+"&to="+day, "").Want(t, http.StatusOK).JSON(t, &slots)
		if len(slots.Items) < 5 {
			t.Fatalf("slots = %d", len(slots.Items))
		}
		start := slots.Items[4].Start
		appt := h.Post(t, "/v1/appointments", pat.Token, map[string]any{"professional_id": pro.ID, "start": start.Format(time.RFC3339)}).
			Want(t, http.StatusCreated).Map(t)
		apptID := appt["id"].(string)

		// the record: a signed detailed evaluation, a plan, a prescription, a document
		patPath := "/v1/patients/" + pat.ID
		ev := h.Post(t, patPath+"/evaluations", pro.Token, map[string]any{"kind": "detailed", "appointment_id": apptID,
			"chief_complaint": "cefaleia e cansaço", "assessment": "hipertensão e diabetes", "icd10": []string{"I10", "E11.9"}, "plan": "dieta",
			"vital_signs": map[string]any{"weight_kg": 80, "height_cm": 180, "temperature_c": 36.6, "heart_rate_bpm": 72,
				"systolic_mmhg": 130, "diastolic_mmhg": 85, "spo2_pct": 98}, "sign": true}).Want(t, http.StatusCreated).Map(t)
		evID := ev["id"].(string)
		pl := h.Post(t, patPath+"/treatment-plans", pro.Token, map[string]any{"title": "Controle pressórico", "goals": []string{"PA < 130/80"},
			"start": time.Now().Format("2006-01-02"), "status": "active", "items": []any{
				map[string]any{"kind": "medication", "name": "Losartana 50 mg", "dosage": "1 comprimido", "frequency": "12/12h", "tags": []string{"drug:losartan"}},
				map[string]any{"kind": "exercise", "name": "Caminhada", "frequency": "5x por semana", "intensity": "moderate"}}}).
			Want(t, http.StatusCreated).Map(t)
		plID := pl["id"].(string)
		rx := h.Post(t, patPath+"/prescriptions", pro.Token, map[string]any{"type": "simple", "items": []any{
			map[string]any{"drug": "Losartana potássica", "concentration": "50 mg", "form": "comprimido", "dosage": "1 comprimido de 12 em 12 horas",
				"quantity": "60", "route": "oral"}}}).Want(t, http.StatusCreated).Map(t)
		rxID, rxCode := rx["id"].(string), rx["verification_code"].(string)
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("kind", "exam_result")
		_ = mw.WriteField("title", "Hemograma")
		fw, _ := mw.CreateFormFile("file", "hemograma.pdf")
		_, _ = fw.Write(recPDF)
		_ = mw.Close()
		doc := h.Do(t, harness.Req{Method: http.MethodPost, Path: patPath + "/documents", Token: pro.Token, Body: &buf,
			Headers: map[string]string{"Content-Type": mw.FormDataContentType()}}).Want(t, http.StatusCreated).Map(t)
		docID := doc["id"].(string)

		for _, who := range []struct {
			name, token, patientParam string
		}{{"patient", pat.Token, ""}, {"professional", pro.Token, "?patient=Patient/" + pat.ID}} {
			t.Run(who.name, func(t *testing.T) {
				tok, q := who.token, who.patientParam
				and := "?"
				if q != "" {
					and = q + "&"
				}

				// Encounter: the signed evaluation of a teleconsultation
				enc := rc.read(t, "Encounter-read", "Encounter/"+evID, tok)
				if enc.Status != "finished" || enc.Class.Code != "VR" || enc.Subject.Reference != "Patient/"+pat.ID ||
					len(enc.Participant) != 1 || enc.Participant[0].Individual.Reference != "Practitioner/"+pro.ID ||
					len(enc.Appointment) != 1 || enc.Appointment[0].Reference != "Appointment/"+apptID ||
					len(enc.ReasonCode) != 1 || enc.ReasonCode[0].Text != "cefaleia e cansaço" || enc.Meta.VersionID != "1" {
					t.Fatalf("Encounter = %+v", enc)
				}
				if at, err := time.Parse(time.RFC3339, enc.Period.Start); err != nil || !at.Equal(start) {
					t.Fatalf("Encounter period.start = %q, want %s", enc.Period.Start, start)
				}
				b := rc.search(t, "Encounter-search", "Encounter"+q, tok)
				if !sameSet(b.ids(), evID) {
					t.Fatalf("Encounter search = %v", b.ids())
				}
				if b := rc.search(t, "Encounter-search-status", "Encounter"+and+"status=in-progress", tok); len(b.Entry) != 0 {
					t.Fatalf("in-progress encounters = %v", b.ids())
				}

				// Observation: the vital signs, with LOINC codes and UCUM units
				obs := rc.search(t, "Observation-search", "Observation"+q, tok)
				want := []string{evID + ".weight", evID + ".height", evID + ".bmi", evID + ".temperature", evID + ".heart-rate",
					evID + ".blood-pressure", evID + ".spo2"}
				if !sameSet(obs.ids(), want...) {
					t.Fatalf("Observation ids = %v, want %v", obs.ids(), want)
				}
				for _, c := range []struct {
					slug, loinc, ucum string
					value             float64
				}{{"weight", "29463-7", "kg", 80}, {"height", "8302-2", "cm", 180}, {"bmi", "39156-5", "kg/m2", 24.7},
					{"temperature", "8310-5", "Cel", 36.6}, {"heart-rate", "8867-4", "/min", 72}, {"spo2", "2708-6", "%", 98}} {
					o, _ := obs.find(evID + "." + c.slug)
					if !o.Code.has("http://loinc.org", c.loinc) || o.ValueQuantity == nil || o.ValueQuantity.Value != c.value ||
						o.ValueQuantity.Code != c.ucum || o.ValueQuantity.System != "http://unitsofmeasure.org" || o.Status != "final" ||
						len(o.Category) != 1 || !o.Category[0].has("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs") ||
						o.Encounter.Reference != "Encounter/"+evID || o.Subject.Reference != "Patient/"+pat.ID ||
						len(o.Performer) != 1 || o.Performer[0].Reference != "Practitioner/"+pro.ID || o.EffectiveDateTime == "" {
						t.Fatalf("Observation %s = %+v", c.slug, o)
					}
				}
				bp := rc.read(t, "Observation-read-bp", "Observation/"+evID+".blood-pressure", tok)
				if !bp.Code.has("http://loinc.org", "85354-9") || bp.ValueQuantity != nil || len(bp.Component) != 2 ||
					!bp.Component[0].Code.has("http://loinc.org", "8480-6") || bp.Component[0].ValueQuantity.Value != 130 ||
					!bp.Component[1].Code.has("http://loinc.org", "8462-4") || bp.Component[1].ValueQuantity.Value != 85 ||
					bp.Component[1].ValueQuantity.Code != "mm[Hg]" || len(bp.Meta.Profile) != 1 {
					t.Fatalf("blood pressure = %+v", bp)
				}
				if b := rc.search(t, "Observation-search-code", "Observation"+and+"code=http://loinc.org|8867-4&category=vital-signs", tok); !sameSet(b.ids(), evID+".heart-rate") {
					t.Fatalf("heart rate search = %v", b.ids())
				}
				if b := rc.search(t, "Observation-search-encounter", "Observation?encounter=Encounter/"+evID+"&code=85354-9", tok); !sameSet(b.ids(), evID+".blood-pressure") {
					t.Fatalf("search by encounter = %v", b.ids())
				}
				rc.get(t, "Observation-read-unmeasured", "Observation/"+evID+".glucose", tok, http.StatusNotFound)

				// Condition: the two ICD-10 codes
				cond := rc.search(t, "Condition-search", "Condition"+q, tok)
				if !sameSet(cond.ids(), evID+".1", evID+".2") {
					t.Fatalf("Condition ids = %v", cond.ids())
				}
				c1 := rc.read(t, "Condition-read", "Condition/"+evID+".1", tok)
				if !c1.Code.has("http://hl7.org/fhir/sid/icd-10", "I10") ||
					!c1.ClinicalStatus.has("http://terminology.hl7.org/CodeSystem/condition-clinical", "active") ||
					!c1.VerificationStatus.has("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed") ||
					len(c1.Category) != 1 || !c1.Category[0].has("http://terminology.hl7.org/CodeSystem/condition-category", "encounter-diagnosis") ||
					c1.Encounter.Reference != "Encounter/"+evID || c1.Recorder.Reference != "Practitioner/"+pro.ID {
					t.Fatalf("Condition = %+v", c1)
				}
				if b := rc.search(t, "Condition-search-code", "Condition"+and+"code=E11.9", tok); !sameSet(b.ids(), evID+".2") {
					t.Fatalf("Condition by code = %v", b.ids())
				}

				// CarePlan
				cp := rc.read(t, "CarePlan-read", "CarePlan/"+plID, tok)
				if cp.Status != "active" || cp.Intent != "plan" || cp.Title != "Controle pressórico" || cp.Meta.VersionID != "1" ||
					cp.Subject.Reference != "Patient/"+pat.ID || len(cp.Activity) != 2 ||
					cp.Activity[0].Detail.Kind != "MedicationRequest" || cp.Activity[0].Detail.ProductCodeableConcept.Text != "Losartana 50 mg" ||
					cp.Activity[0].Detail.Status != "in-progress" || !strings.Contains(cp.Activity[0].Detail.Description, "12/12h") ||
					cp.Activity[1].Detail.Kind != "Task" || cp.Activity[1].Detail.Code.Text != "Caminhada" {
					t.Fatalf("CarePlan = %+v", cp)
				}
				if b := rc.search(t, "CarePlan-search", "CarePlan"+and+"status=active", tok); !sameSet(b.ids(), plID) {
					t.Fatalf("CarePlan search = %v", b.ids())
				}
				if b := rc.search(t, "CarePlan-search-revoked", "CarePlan"+and+"status=revoked", tok); len(b.Entry) != 0 {
					t.Fatalf("revoked plans = %v", b.ids())
				}

				// MedicationRequest
				mr := rc.read(t, "MedicationRequest-read", "MedicationRequest/"+rxID+".1", tok)
				if mr.Status != "active" || mr.Intent != "order" || !strings.HasPrefix(mr.MedicationCodeableConcept.Text, "Losartana potássica 50 mg") ||
					len(mr.DosageInstruction) != 1 || !strings.Contains(mr.DosageInstruction[0].Text, "12 em 12 horas") ||
					mr.Requester.Reference != "Practitioner/"+pro.ID || mr.Subject.Reference != "Patient/"+pat.ID || mr.AuthoredOn == "" ||
					len(mr.Identifier) != 1 || mr.Identifier[0].System != "https://multisaude.com.br/fhir/sid/verificacao-receita" || mr.Identifier[0].Value != rxCode {
					t.Fatalf("MedicationRequest = %+v", mr)
				}
				if b := rc.search(t, "MedicationRequest-search", "MedicationRequest"+q, tok); !sameSet(b.ids(), rxID+".1") {
					t.Fatalf("MedicationRequest search = %v", b.ids())
				}
				ident := url.QueryEscape("https://multisaude.com.br/fhir/sid/verificacao-receita|" + rxCode)
				if b := rc.search(t, "MedicationRequest-search-identifier", "MedicationRequest"+and+"identifier="+ident+"&status=active", tok); !sameSet(b.ids(), rxID+".1") {
					t.Fatalf("MedicationRequest by identifier = %v", b.ids())
				}
				if b := rc.search(t, "MedicationRequest-search-cancelled", "MedicationRequest"+and+"status=cancelled", tok); len(b.Entry) != 0 {
					t.Fatalf("cancelled = %v", b.ids())
				}

				// DocumentReference: the content through the REST download
				dr := rc.read(t, "DocumentReference-read", "DocumentReference/"+docID, tok)
				if dr.Status != "current" || len(dr.Content) != 1 || dr.Content[0].Attachment.ContentType != "application/pdf" ||
					dr.Content[0].Attachment.Size != int64(len(recPDF)) || dr.Content[0].Attachment.Hash != "" ||
					dr.Content[0].Attachment.URL != h.URL+"/v1/documents/"+docID+"/content" ||
					!recConceptOf(t, dr.Type).has("https://multisaude.com.br/fhir/CodeSystem/document-kind", "exam_result") || dr.Subject.Reference != "Patient/"+pat.ID {
					t.Fatalf("DocumentReference = %+v", dr)
				}
				got := h.Do(t, harness.Req{Method: http.MethodGet, Path: strings.TrimPrefix(dr.Content[0].Attachment.URL, h.URL), Token: tok, Raw: true}).Want(t, http.StatusOK)
				if !bytes.Equal(got.Body, recPDF) {
					t.Fatalf("downloaded %d bytes, want the uploaded %d", len(got.Body), len(recPDF))
				}
				if b := rc.search(t, "DocumentReference-search", "DocumentReference"+and+"type=exam_result", tok); !sameSet(b.ids(), docID) {
					t.Fatalf("DocumentReference search = %v", b.ids())
				}

				// Provenance: the evaluation's and the prescription's signatures
				pv := rc.read(t, "Provenance-read-rx", "Provenance/"+rxID+".sig", tok)
				if len(pv.Target) != 1 || pv.Target[0].Reference != "MedicationRequest/"+rxID+".1" || pv.Recorded == "" ||
					len(pv.Agent) != 1 || pv.Agent[0].Who.Reference != "Practitioner/"+pro.ID || len(pv.Signature) != 1 ||
					pv.Signature[0].Data == "" || len(pv.Signature[0].Type) != 1 || pv.Signature[0].Type[0].Code != "1.2.840.10065.1.12.1.1" {
					t.Fatalf("Provenance of the prescription = %+v", pv)
				}
				if b := rc.search(t, "Provenance-search-target", "Provenance?target=Encounter/"+evID, tok); !sameSet(b.ids(), evID+".sig") ||
					b.Entry[0].Resource.Target[0].Reference != "Encounter/"+evID {
					t.Fatalf("Provenance by target = %v", b.ids())
				}
				var all []string
				next := "Provenance" + q
				for pages := 0; next != ""; pages++ {
					if pages > 3 {
						t.Fatalf("Provenance pages do not end")
					}
					b := rc.search(t, "Provenance-search", next, tok)
					all = append(all, b.ids()...)
					next = ""
					for _, l := range b.Link {
						if l.Relation == "next" {
							next = l.URL[strings.Index(l.URL, "/fhir/R4/")+len("/fhir/R4/"):]
						}
					}
				}
				if !sameSet(all, evID+".sig", rxID+".sig") {
					t.Fatalf("Provenance of the patient = %v", all)
				}
			})
		}

		// a professional must name the patient
		if ex := rc.outcome(t, "Observation-no-patient", "Observation", pro.Token, http.StatusBadRequest); len(ex) != 1 || ex[0] != "patient" {
			t.Fatalf("expression = %v", ex)
		}

		// nobody else reads the record
		reads := []string{"Encounter/" + evID, "Observation/" + evID + ".weight", "Condition/" + evID + ".1", "CarePlan/" + plID,
			"MedicationRequest/" + rxID + ".1", "DocumentReference/" + docID, "Provenance/" + evID + ".sig", "Provenance/" + rxID + ".sig"}
		searches := []string{"Encounter", "Observation", "Condition", "CarePlan", "MedicationRequest", "DocumentReference", "Provenance"}
		key := recAPIKey(t, h, hosp, "orders:read")
		fhirKey := recAPIKey(t, h, hosp, "fhir:read")
		for _, who := range []struct {
			name, token string
		}{{"stranger", stranger.Token}, {"other patient", other.Token}, {"fhir key", fhirKey}} {
			for _, r := range reads {
				rc.get(t, "denied-read", r, who.token, http.StatusNotFound)
			}
			for _, s := range searches {
				if b := rc.search(t, "denied-search", s+"?patient=Patient/"+pat.ID, who.token); len(b.Entry) != 0 {
					t.Fatalf("%s searched %s of the patient: %v", who.name, s, b.ids())
				}
			}
		}
		if b := rc.search(t, "other-own", "Encounter", other.Token); len(b.Entry) != 0 {
			t.Fatalf("the other patient's own encounters = %v", b.ids())
		}
		for _, r := range reads[:2] {
			rc.outcome(t, "anonymous", r, "", http.StatusUnauthorized)
			rc.outcome(t, "key-without-scope", r, key, http.StatusForbidden)
		}

		// the patient sees the professional's FHIR reads in the access log
		var log struct {
			Items []struct {
				ActorID    string `json:"actor_id"`
				ObjectType string `json:"object_type"`
				ObjectID   string `json:"object_id"`
				Action     string `json:"action"`
			} `json:"items"`
		}
		h.Get(t, "/v1/me/access-log?limit=100", pat.Token).Want(t, http.StatusOK).JSON(t, &log)
		seen := map[string]bool{}
		for _, e := range log.Items {
			if e.ActorID == pro.ID {
				seen[e.ObjectType+"/"+e.ObjectID+"/"+e.Action] = true
			}
			if e.ActorID == stranger.ID || e.ActorID == other.ID {
				t.Fatalf("someone without access is in the log: %+v", e)
			}
		}
		for _, w := range []string{"evaluation/" + evID + "/read", "evaluation//list", "treatment_plan/" + plID + "/read", "treatment_plan//list",
			"prescription/" + rxID + "/read", "prescription//list", "document/" + docID + "/read", "document//list", "document/" + docID + "/download"} {
			if !seen[w] {
				t.Errorf("access log lacks the professional's %s (has %v)", w, seen)
			}
		}
		c.Validate(t)
	})
}

func recConceptOf(t *testing.T, raw json.RawMessage) recConcept {
	t.Helper()
	var c recConcept
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatalf("not a CodeableConcept: %s", raw)
	}
	return c
}

func recAPIKey(t *testing.T, h *harness.H, admin harness.Account, scopes ...string) string {
	t.Helper()
	var k struct {
		Secret string `json:"secret"`
	}
	h.Post(t, "/v1/companies/"+admin.CompanyID+"/api-keys", admin.Token, map[string]any{"name": "integração", "scopes": scopes}).
		Want(t, http.StatusCreated).JSON(t, &k)
	if k.Secret == "" {
		t.Fatal("API key without secret")
	}
	return k.Secret
}
