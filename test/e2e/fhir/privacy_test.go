package fhir_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/multisaude/multisaude/adapters/http/fhirapi"
	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/test/e2e/harness"
	"github.com/multisaude/multisaude/test/fhircheck"
)

var saoPaulo, _ = time.LoadLocation("America/Sao_Paulo")

// fhirBundle is what the tests read of a Bundle.
type fhirBundle struct {
	ResourceType string `json:"resourceType"`
	Type         string `json:"type"`
	Total        *int   `json:"total"`
	Entry        []struct {
		FullURL  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
	} `json:"entry"`
}

// resources returns the entries' resources decoded as maps.
func (b fhirBundle) resources(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, e := range b.Entry {
		var m map[string]any
		if err := json.Unmarshal(e.Resource, &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// get reads a FHIR path, wants status and keeps the body for the validator.
func get(t *testing.T, h *harness.H, c *fhircheck.Collector, name, path, token string, status int) []byte {
	t.Helper()
	r := h.Get(t, path, token).Want(t, status)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/fhir+json") {
		t.Errorf("%s: content type %q", path, ct)
	}
	c.Add(t, name, r.Body)
	return r.Body
}

func search(t *testing.T, h *harness.H, c *fhircheck.Collector, name, path, token string) fhirBundle {
	t.Helper()
	var b fhirBundle
	if err := json.Unmarshal(get(t, h, c, name, path, token, http.StatusOK), &b); err != nil {
		t.Fatal(err)
	}
	if b.ResourceType != "Bundle" || b.Type != "searchset" {
		t.Fatalf("%s: %s %s", path, b.ResourceType, b.Type)
	}
	return b
}

func str(m map[string]any, path ...any) string {
	var v any = m
	for _, p := range path {
		switch k := p.(type) {
		case string:
			mm, _ := v.(map[string]any)
			v = mm[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return ""
			}
			v = l[k]
		}
	}
	s, _ := v.(string)
	return s
}

func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// bookInPerson gives pat an in-person appointment with pro in two days.
func bookInPerson(t *testing.T, h *harness.H, pat, pro harness.Account) string {
	t.Helper()
	var weekly []map[string]any
	for _, d := range []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
		weekly = append(weekly, map[string]any{"weekday": d, "start": "00:00", "end": "24:00", "mode": "in_person"})
	}
	h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/professionals/" + pro.ID + "/availability", Token: pro.Token,
		Body: map[string]any{"time_zone": "America/Sao_Paulo", "slot_minutes": 30, "buffer_minutes": 0, "min_notice_hours": 2,
			"horizon_days": 30, "cancel_until_hours": 0, "weekly": weekly, "exceptions": []any{}}}).Want(t, http.StatusOK)
	day := time.Now().In(saoPaulo).AddDate(0, 0, 2).Format("2006-01-02")
	var slots struct {
		Items []struct {
			Start time.Time `json:"start"`
		} `json:"items"`
	}
	h.Get(t, "/v1/professionals/"+pro.ID+"/slots?from="+day+"&to="+day, "").Want(t, http.StatusOK).JSON(t, &slots)
	if len(slots.Items) < 3 {
		t.Fatalf("slots = %d", len(slots.Items))
	}
	a := h.Post(t, "/v1/appointments", pat.Token, map[string]any{"professional_id": pro.ID, "start": slots.Items[2].Start.Format(time.RFC3339),
		"mode": "in_person", "reason": "rotina"}).Want(t, http.StatusCreated).Map(t)
	return a["id"].(string)
}

// TestFHIRPrivacy: Patient, Consent and AuditEvent through /fhir/R4 with the
// record's rules (the patient; a professional with a booking; nobody else),
// every professional's read in the patient's access log, and the LGPD
// export's fhir_bundle.json read back by a FHIR client library.
func TestFHIRPrivacy(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		c := fhircheck.New(t)
		pat := harness.SignUpPatient(t, h)
		otherPat := harness.SignUpPatient(t, h)
		pro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dra. Helena Prado"})
		stranger := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dr. Sem Vínculo"})
		apptID := bookInPerson(t, h, pat, pro)
		patientPath := "/fhir/R4/Patient/" + pat.ID

		// the patient reads their own Patient: CPF with the RNDS system, digits only
		var p map[string]any
		if err := json.Unmarshal(get(t, h, c, "Patient-self", patientPath, pat.Token, http.StatusOK), &p); err != nil {
			t.Fatal(err)
		}
		if p["resourceType"] != "Patient" || p["id"] != pat.ID || str(p, "identifier", 0, "system") != fhirapi.SystemCPF ||
			str(p, "identifier", 0, "value") != onlyDigits(pat.CPF) || len(onlyDigits(pat.CPF)) != 11 {
			t.Fatalf("Patient identifier: %v", p["identifier"])
		}
		if str(p, "name", 0, "use") != "official" || str(p, "name", 0, "text") != pat.Name || str(p, "birthDate") != "1990-04-12" ||
			str(p, "address", 0, "postalCode") != "01310-100" || str(p, "address", 0, "state") != "SP" || str(p, "address", 0, "country") != "BR" ||
			str(p, "address", 0, "district") != "Bela Vista" || p["meta"] != nil && str(p, "meta", "profile", 0) != "" {
			t.Fatalf("Patient: %v", p)
		}

		// a professional with a booking reads it; an unrelated one, another
		// patient and an admin get 404; anonymous 401; a key without fhir:read 403
		var byPro map[string]any
		_ = json.Unmarshal(get(t, h, c, "Patient-by-pro", patientPath, pro.Token, http.StatusOK), &byPro)
		if byPro["id"] != pat.ID || str(byPro, "identifier", 0, "value") != onlyDigits(pat.CPF) {
			t.Fatalf("professional's read: %v", byPro)
		}
		oo := get(t, h, c, "Patient-stranger", patientPath, stranger.Token, http.StatusNotFound)
		if !bytes.Contains(oo, []byte(`"OperationOutcome"`)) || !bytes.Contains(oo, []byte(`"not-found"`)) || bytes.Contains(oo, []byte(onlyDigits(pat.CPF))) {
			t.Fatalf("stranger: %s", oo)
		}
		get(t, h, c, "Patient-other-patient", patientPath, otherPat.Token, http.StatusNotFound)
		admin := harness.AdminLogin(t, h)
		get(t, h, c, "Patient-admin", patientPath, admin.Token, http.StatusNotFound)
		get(t, h, c, "Patient-anonymous", patientPath, "", http.StatusUnauthorized)
		co := harness.SignUpVerifiedCompany(t, h, "hospital")
		var key struct{ Secret string }
		h.Post(t, "/v1/companies/"+co.CompanyID+"/api-keys", co.Token, map[string]any{"name": "ERP", "scopes": []string{"orders:read"}}).
			Want(t, http.StatusCreated).JSON(t, &key)
		get(t, h, c, "Patient-key", patientPath, key.Secret, http.StatusForbidden)
		if b := search(t, h, c, "Patient-search-admin", "/fhir/R4/Patient", admin.Token); len(b.Entry) != 0 {
			t.Fatalf("an admin finds %d patients", len(b.Entry))
		}

		// search: the patient finds themself (by CPF too); a professional finds
		// the patients they wrote about, by CPF; the stranger nobody
		cpfToken := url.QueryEscape(fhirapi.SystemCPF + "|" + onlyDigits(pat.CPF))
		if b := search(t, h, c, "Patient-search-self", "/fhir/R4/Patient?identifier="+cpfToken, pat.Token); len(b.Entry) != 1 || b.resources(t)[0]["id"] != pat.ID {
			t.Fatalf("self search: %d", len(b.Entry))
		}
		if b := search(t, h, c, "Patient-search-self-other-cpf", "/fhir/R4/Patient?identifier="+url.QueryEscape(fhirapi.SystemCPF+"|"+onlyDigits(otherPat.CPF)), pat.Token); len(b.Entry) != 0 {
			t.Fatal("a patient finds another CPF")
		}
		h.Post(t, "/v1/patients/"+pat.ID+"/evaluations", pro.Token, map[string]any{"kind": "simplified", "reason": "check-up anual"}).Want(t, http.StatusCreated)
		if b := search(t, h, c, "Patient-search-pro", "/fhir/R4/Patient?identifier="+cpfToken+"&name=maria", pro.Token); len(b.Entry) != 1 || b.resources(t)[0]["id"] != pat.ID {
			t.Fatalf("professional's search: %d", len(b.Entry))
		}
		if b := search(t, h, c, "Patient-search-stranger", "/fhir/R4/Patient?identifier="+cpfToken, stranger.Token); len(b.Entry) != 0 {
			t.Fatalf("the stranger finds %d", len(b.Entry))
		}
		get(t, h, c, "Patient-search-bad-param", "/fhir/R4/Patient?gender=female", pat.Token, http.StatusBadRequest)

		// the access log (REST and AuditEvent) shows the professional's reads of the Patient
		var log struct {
			Items []struct {
				ActorID    string `json:"actor_id"`
				ObjectType string `json:"object_type"`
				Action     string `json:"action"`
			} `json:"items"`
		}
		h.Get(t, "/v1/me/access-log?limit=100", pat.Token).Want(t, http.StatusOK).JSON(t, &log)
		proReads := 0
		for _, e := range log.Items {
			if e.ActorID == pro.ID && e.ObjectType == "patient" && e.Action == "read" {
				proReads++
			}
			if e.ActorID == stranger.ID {
				t.Fatalf("the stranger's refused read is logged: %+v", e)
			}
		}
		if proReads != 2 { // the read and the search match
			t.Fatalf("professional's Patient reads in the access log: %d (%+v)", proReads, log.Items)
		}
		ae := search(t, h, c, "AuditEvent-search", "/fhir/R4/AuditEvent?patient=Patient/"+pat.ID+"&_count=100", pat.Token)
		var proEvent map[string]any
		for _, r := range ae.resources(t) {
			if str(r, "agent", 0, "who", "reference") == "Practitioner/"+pro.ID && str(r, "subtype", 0, "code") == "read" &&
				str(r, "entity", 0, "description") == "dados cadastrais" {
				proEvent = r
			}
		}
		if proEvent == nil || str(proEvent, "type", "code") != "110110" || str(proEvent, "action") != "R" || str(proEvent, "outcome") != "0" ||
			str(proEvent, "entity", 0, "what", "reference") != "Patient/"+pat.ID || str(proEvent, "agent", 0, "who", "display") != "Dra. Helena Prado" {
			t.Fatalf("no AuditEvent of the professional's read: %v", proEvent)
		}
		if len(ae.Entry) != len(log.Items) {
			t.Fatalf("AuditEvents %d, access log %d", len(ae.Entry), len(log.Items))
		}
		eventPath := "/fhir/R4/AuditEvent/" + str(proEvent, "id")
		var one map[string]any
		_ = json.Unmarshal(get(t, h, c, "AuditEvent-read", eventPath, pat.Token, http.StatusOK), &one)
		if one["id"] != proEvent["id"] || str(one, "recorded") != str(proEvent, "recorded") {
			t.Fatalf("AuditEvent read: %v", one)
		}
		get(t, h, c, "AuditEvent-read-pro", eventPath, pro.Token, http.StatusNotFound)
		get(t, h, c, "AuditEvent-read-other", eventPath, otherPat.Token, http.StatusNotFound)
		if b := search(t, h, c, "AuditEvent-search-pro", "/fhir/R4/AuditEvent?patient=Patient/"+pat.ID, pro.Token); len(b.Entry) != 0 {
			t.Fatal("a professional reads the patient's access log")
		}
		future := time.Now().AddDate(1, 0, 0).Format("2006-01-02")
		if b := search(t, h, c, "AuditEvent-search-date", "/fhir/R4/AuditEvent?date=ge"+future, pat.Token); len(b.Entry) != 0 {
			t.Fatalf("date=ge%s finds %d", future, len(b.Entry))
		}

		// Consent: grant then withdraw research; the sign-up's grants stay active
		harness.GrantConsents(t, h, pat, "research")
		harness.RevokeConsents(t, h, pat, "research")
		cs := search(t, h, c, "Consent-search", "/fhir/R4/Consent?patient=Patient/"+pat.ID, pat.Token)
		byID := map[string]map[string]any{}
		for _, r := range cs.resources(t) {
			byID[str(r, "id")] = r
		}
		research, tele := byID[pat.ID+".research"], byID[pat.ID+".telemedicine"]
		if len(byID) != 3 || research == nil || tele == nil || byID[pat.ID+".partner-sharing"] == nil {
			t.Fatalf("consents: %v", byID)
		}
		term, _ := consent.CurrentTerm("research")
		if str(research, "status") != "inactive" || str(research, "provision", "type") != "deny" || str(research, "provision", "purpose", 0, "code") != "research" ||
			str(research, "scope", "coding", 0, "code") != "patient-privacy" || str(research, "category", 0, "coding", 0, "code") != "59284-0" ||
			str(research, "patient", "reference") != "Patient/"+pat.ID || !strings.Contains(str(research, "policyRule", "text"), term.Version) {
			t.Fatalf("withdrawn research consent: %v", research)
		}
		if str(tele, "status") != "active" || str(tele, "provision", "type") != "permit" {
			t.Fatalf("telemedicine consent: %v", tele)
		}
		if b := search(t, h, c, "Consent-search-active", "/fhir/R4/Consent?status=active", pat.Token); len(b.Entry) != 2 {
			t.Fatalf("active consents: %d", len(b.Entry))
		}
		get(t, h, c, "Consent-read", "/fhir/R4/Consent/"+pat.ID+".research", pat.Token, http.StatusOK)
		get(t, h, c, "Consent-read-pro", "/fhir/R4/Consent/"+pat.ID+".research", pro.Token, http.StatusNotFound)
		get(t, h, c, "Consent-read-other", "/fhir/R4/Consent/"+pat.ID+".research", otherPat.Token, http.StatusNotFound)
		get(t, h, c, "Consent-read-undecided", "/fhir/R4/Consent/"+pat.ID+".marketing", pat.Token, http.StatusNotFound)
		if b := search(t, h, c, "Consent-search-pro", "/fhir/R4/Consent?patient=Patient/"+pat.ID, pro.Token); len(b.Entry) != 0 {
			t.Fatal("a professional reads the patient's consents")
		}
		get(t, h, c, "Consent-search-bad-status", "/fhir/R4/Consent?status=granted", pat.Token, http.StatusBadRequest)

		// the export: fhir_bundle.json is a collection with the Patient and the Appointment
		files := exportFiles(t, h, pat)
		raw, ok := files["fhir_bundle.json"]
		if !ok {
			t.Fatalf("no fhir_bundle.json among %d files", len(files))
		}
		c.Add(t, "export-bundle", raw)
		var eb fhirBundle
		if err := json.Unmarshal(raw, &eb); err != nil || eb.ResourceType != "Bundle" || eb.Type != "collection" || eb.Total != nil {
			t.Fatalf("export bundle: %v %.300s", err, raw)
		}
		have := map[string]bool{}
		for _, r := range eb.resources(t) {
			have[str(r, "resourceType")+"/"+str(r, "id")] = true
		}
		for _, want := range []string{"Patient/" + pat.ID, "Appointment/" + apptID, "Consent/" + pat.ID + ".research", "AuditEvent/" + str(proEvent, "id")} {
			if !have[want] {
				t.Errorf("the export bundle lacks %s (has %v)", want, have)
			}
		}
		for k := range have {
			if strings.Contains(k, otherPat.ID) {
				t.Errorf("the export holds another patient's %s", k)
			}
		}
		roundTrip(t, raw, pat)

		// a professional's export: an empty collection
		pf := exportFiles(t, h, pro)
		var pb fhirBundle
		if err := json.Unmarshal(pf["fhir_bundle.json"], &pb); err != nil || pb.Type != "collection" || len(pb.Entry) != 0 {
			t.Fatalf("professional's bundle: %v %s", err, pf["fhir_bundle.json"])
		}
		c.Add(t, "export-bundle-professional", pf["fhir_bundle.json"])
		c.Validate(t)
	})
}

// exportFiles asks for acct's export, waits until it is ready and returns the ZIP's files.
func exportFiles(t *testing.T, h *harness.H, acct harness.Account) map[string][]byte {
	t.Helper()
	var e struct{ ID, Status, Reason string }
	h.Post(t, "/v1/me/exports", acct.Token, nil).Want(t, http.StatusAccepted).JSON(t, &e)
	harness.Eventually(t, 60*time.Second, func() error {
		h.Get(t, "/v1/me/exports/"+e.ID, acct.Token).Want(t, http.StatusOK).JSON(t, &e)
		if e.Status == "failed" {
			t.Fatalf("export failed: %s", e.Reason)
		}
		if e.Status != "ready" {
			return fmt.Errorf("status %s", e.Status)
		}
		return nil
	})
	dl := h.Do(t, harness.Req{Method: http.MethodGet, Path: "/v1/me/exports/" + e.ID + "/download", Token: acct.Token}).Want(t, http.StatusOK)
	zr, err := zip.NewReader(bytes.NewReader(dl.Body), int64(len(dl.Body)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = b
	}
	return files
}

// roundTrip reads the exported Bundle with a FHIR client library's typed
// models: the Bundle, then each entry as its own type, with no error; the
// Patient's CPF survives.
func roundTrip(t *testing.T, raw []byte, pat harness.Account) {
	t.Helper()
	b, err := fhir.UnmarshalBundle(raw)
	if err != nil {
		t.Fatalf("fhir.UnmarshalBundle: %v", err)
	}
	if b.Type != fhir.BundleTypeCollection {
		t.Fatalf("bundle type %v", b.Type)
	}
	unmarshal := map[string]func([]byte) error{
		"Appointment":       func(b []byte) error { _, err := fhir.UnmarshalAppointment(b); return err },
		"Encounter":         func(b []byte) error { _, err := fhir.UnmarshalEncounter(b); return err },
		"Observation":       func(b []byte) error { _, err := fhir.UnmarshalObservation(b); return err },
		"Condition":         func(b []byte) error { _, err := fhir.UnmarshalCondition(b); return err },
		"CarePlan":          func(b []byte) error { _, err := fhir.UnmarshalCarePlan(b); return err },
		"MedicationRequest": func(b []byte) error { _, err := fhir.UnmarshalMedicationRequest(b); return err },
		"DocumentReference": func(b []byte) error { _, err := fhir.UnmarshalDocumentReference(b); return err },
		"Consent":           func(b []byte) error { _, err := fhir.UnmarshalConsent(b); return err },
		"AuditEvent":        func(b []byte) error { _, err := fhir.UnmarshalAuditEvent(b); return err },
		"Provenance":        func(b []byte) error { _, err := fhir.UnmarshalProvenance(b); return err },
		"Practitioner":      func(b []byte) error { _, err := fhir.UnmarshalPractitioner(b); return err },
		"PractitionerRole":  func(b []byte) error { _, err := fhir.UnmarshalPractitionerRole(b); return err },
		"Organization":      func(b []byte) error { _, err := fhir.UnmarshalOrganization(b); return err },
		"Location":          func(b []byte) error { _, err := fhir.UnmarshalLocation(b); return err },
	}
	cpfOK := false
	for i, e := range b.Entry {
		var head struct {
			ResourceType string `json:"resourceType"`
		}
		if err := json.Unmarshal(e.Resource, &head); err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		if head.ResourceType == "Patient" {
			p, err := fhir.UnmarshalPatient(e.Resource)
			if err != nil {
				t.Fatalf("fhir.UnmarshalPatient: %v", err)
			}
			for _, id := range p.Identifier {
				if id.System != nil && *id.System == fhirapi.SystemCPF && id.Value != nil && *id.Value == onlyDigits(pat.CPF) &&
					id.Use != nil && *id.Use == fhir.IdentifierUseOfficial {
					cpfOK = true
				}
			}
			continue
		}
		fn := unmarshal[head.ResourceType]
		if fn == nil {
			t.Fatalf("entry %d: unexpected %s in the export", i, head.ResourceType)
		}
		if err := fn(e.Resource); err != nil {
			t.Fatalf("entry %d: fhir.Unmarshal%s: %v", i, head.ResourceType, err)
		}
	}
	if !cpfOK {
		t.Fatal("the Patient's CPF did not survive the round trip")
	}
}
