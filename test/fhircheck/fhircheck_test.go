package fhircheck

import (
	"strings"
	"testing"
)

// The validator must catch what it is there to catch: a code outside a
// required value set, an element R4 does not have, a missing required
// element, a searchset entry whose fullUrl names another resource and a
// relative next link; and pass what is valid.
func TestValidatorCatchesErrors(t *testing.T) {
	node := validator(t)
	bodies := map[string]string{
		"patient-ok": `{"resourceType":"Patient","id":"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b","active":true,
			"name":[{"family":"Silva","given":["Ana"]}],"gender":"female","birthDate":"1990-01-02"}`,
		"appointment-ok": `{"resourceType":"Appointment","id":"a1","status":"booked",
			"start":"2030-01-02T10:00:00-03:00","end":"2030-01-02T10:30:00-03:00",
			"participant":[{"actor":{"reference":"Patient/p1"},"status":"accepted"}]}`,
		"searchset-ok": `{"resourceType":"Bundle","type":"searchset","total":1,
			"link":[{"relation":"self","url":"https://api.example/fhir/R4/Patient"},{"relation":"next","url":"https://api.example/fhir/R4/Patient?_cursor=x"}],
			"entry":[{"fullUrl":"https://api.example/fhir/R4/Patient/p1","resource":{"resourceType":"Patient","id":"p1"},"search":{"mode":"match"}}]}`,
		"patient-bad":     `{"resourceType":"Patient","id":"p2","gender":"xyz","foo":"bar"}`,
		"observation-bad": `{"resourceType":"Observation","id":"o1","code":{"text":"peso"}}`,
		"searchset-bad": `{"resourceType":"Bundle","type":"searchset",
			"link":[{"relation":"next","url":"/fhir/R4/Patient?_cursor=x"}],
			"entry":[{"fullUrl":"https://api.example/fhir/R4/Patient/p9","resource":{"resourceType":"Patient","id":"p1","gender":"xyz"},"search":{"mode":"match"}}]}`,
	}
	want := map[string][]string{ // problems each bad body must show (file: path: ...message)
		"patient-bad":     {"Patient.gender: error: code \"xyz\"", "Patient.foo: error: Invalid additional property"},
		"observation-bad": {"Observation.status: error: Missing required property"},
		"searchset-bad": {"Bundle.entry[0].resource.gender: error: code \"xyz\"", "Bundle.entry[0].fullUrl:",
			"Bundle.link[0].url: next link"},
	}

	// All together through a Collector: each bad body's problems are
	// reported, and no line names a valid one.
	c := New(t)
	for name, body := range bodies {
		c.Add(t, name, []byte(body))
	}
	if c.Count() != len(bodies) {
		t.Fatalf("Count = %d, want %d", c.Count(), len(bodies))
	}
	out, err := run(node, c.dir)
	if err == nil {
		t.Fatalf("the validator passed bodies with errors:\n%s", out)
	}
	for name, ws := range want {
		for _, w := range ws {
			if !strings.Contains(out, name+".json: "+w) {
				t.Errorf("%s: the validator did not report %q; it said:\n%s", name, w, out)
			}
		}
	}
	lines := strings.Split(out, "\n")
	for _, line := range lines[:len(lines)-1] { // the last is the count
		if !strings.Contains(line, "-bad.json: ") {
			t.Errorf("a valid body was reported: %s", line)
		}
	}

	// The valid ones alone pass.
	ok := New(t)
	for name, body := range bodies {
		if want[name] == nil {
			ok.Add(t, name, []byte(body))
		}
	}
	if out, err := run(node, ok.dir); err != nil || !strings.Contains(out, "3 bodies, 4 resources valid") {
		t.Errorf("the valid bodies: err=%v, out:\n%s", err, out)
	}
}

// A valid collection passes through Validate and the summary counts the
// Bundle's entries as resources.
func TestValidateValid(t *testing.T) {
	node := validator(t)
	c := New(t)
	c.Add(t, "outcome", []byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found","diagnostics":"Appointment/x não foi encontrado"}]}`))
	c.Add(t, "bundle", []byte(`{"resourceType":"Bundle","type":"searchset","total":0,"link":[{"relation":"self","url":"http://127.0.0.1:1/fhir/R4/Appointment"}]}`))
	out, err := run(node, c.dir)
	if err != nil || !strings.Contains(out, "2 bodies, 2 resources valid") {
		t.Fatalf("err=%v, out:\n%s", err, out)
	}
	c.Validate(t)
}
