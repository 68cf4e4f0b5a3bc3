package fhirapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

func TestPatientOf(t *testing.T) {
	pt := identity.Patient{ID: kernel.NewID(), Name: "Maria da Silva", SocialName: "Mia", CPF: "529.982.247-25", Email: "m@x.br",
		Phone: "+5511999990000", BirthDate: time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC),
		Address: identity.Address{CEP: "01310100", Street: "Av. Paulista", Number: "1000", Complement: "ap 12", District: "Bela Vista", City: "São Paulo", UF: "sp"}}
	r := patientOf(pt)
	if len(r.Identifier) != 1 || r.Identifier[0].System != SystemCPF || r.Identifier[0].Value != "52998224725" {
		t.Fatalf("identifier %+v", r.Identifier)
	}
	if len(r.Name) != 2 || r.Name[0].Use != "official" || r.Name[0].Text != pt.Name || r.Name[1].Use != "usual" || r.Name[1].Text != "Mia" {
		t.Fatalf("names %+v", r.Name)
	}
	a := r.Address[0]
	if a.PostalCode != "01310-100" || a.State != "SP" || a.Country != "BR" || a.District != "Bela Vista" || strings.Join(a.Line, "|") != "Av. Paulista, 1000|ap 12" {
		t.Fatalf("address %+v", a)
	}
	if r.BirthDate != "1990-05-17" || len(r.Telecom) != 2 || r.Meta != nil && len(r.Meta.Profile) != 0 {
		t.Fatalf("patient %+v", r)
	}
	if r := patientOf(identity.Patient{ID: kernel.NewID(), Name: "X"}); r.Address != nil || r.Identifier != nil || len(r.Name) != 1 {
		t.Fatalf("sparse patient %+v", r)
	}
}

func TestConsentOf(t *testing.T) {
	pid := kernel.NewID()
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	c := consentOf(pid, consent.ConsentState{Purpose: ports.PurposePartnerSharing, Decision: consent.Granted, TermVersion: "2026-11-30", CurrentVersion: "2026-11-30", At: at})
	if c.ID != pid+".partner-sharing" || !validID(c.ID) || c.Status != "active" || c.Provision.Type != "permit" || c.Patient.Reference != "Patient/"+pid {
		t.Fatalf("granted %+v", c)
	}
	if c.Scope.Coding[0].Code != "patient-privacy" || c.Category[0].Coding[0].Code != "59284-0" || c.PolicyRule == nil || !strings.Contains(c.PolicyRule.Text, "2026-11-30") {
		t.Fatalf("codes %+v", c)
	}
	r := consentOf(pid, consent.ConsentState{Purpose: ports.PurposeResearch, Decision: consent.Revoked, TermVersion: "2026-11-30", At: at})
	if r.Status != "inactive" || r.Provision.Type != "deny" || len(r.Provision.Purpose) != 2 || r.Provision.Purpose[1].Code != "HRESCH" {
		t.Fatalf("revoked %+v", r)
	}
}

func TestAuditEventOf(t *testing.T) {
	e := clinical.AccessEntry{ID: kernel.NewID(), PatientID: kernel.NewID(), ActorID: kernel.NewID(), ActorKind: kernel.KindProfessional,
		ObjectType: "evaluation", ObjectID: kernel.NewID(), Action: "read", Basis: clinical.BasisEmergency, At: time.Now(), ActorName: "Dra. X"}
	a := auditEventOf(e)
	if a.ID != e.ID || a.Type.Code != "110110" || a.Action != "R" || a.Outcome != "0" || a.Recorded == "" {
		t.Fatalf("event %+v", a)
	}
	ag := a.Agent[0]
	if !ag.Requestor || ag.Who.Reference != "Practitioner/"+e.ActorID || len(ag.PurposeOfUse) != 1 || ag.PurposeOfUse[0].Coding[0].Code != "BTG" {
		t.Fatalf("agent %+v", ag)
	}
	if len(a.Entity) != 2 || a.Entity[0].What.Reference != "Patient/"+e.PatientID || a.Entity[1].What.Identifier.Value != e.ObjectID {
		t.Fatalf("entities %+v", a.Entity)
	}
	for action, code := range map[string]string{"create": "C", "amend": "U", "break_the_glass": "E", "download": "R", "delete": "D"} {
		if auditAction(action) != code {
			t.Errorf("%s -> %s", action, auditAction(action))
		}
	}
	self := auditEventOf(clinical.AccessEntry{ID: kernel.NewID(), PatientID: e.PatientID, ActorID: e.PatientID, ActorKind: kernel.KindPatient,
		ObjectType: "patient", ObjectID: e.PatientID, Action: "read", Basis: clinical.BasisSelf, At: time.Now()})
	if len(self.Entity) != 1 || self.Agent[0].Who.Reference != "Patient/"+e.PatientID || self.Agent[0].PurposeOfUse != nil {
		t.Fatalf("self read %+v", self)
	}
}

// exportFacade is a facade over fake types: Patient, Appointment (two pages,
// referencing a Practitioner), a Practitioner.
func exportFacade(appErr error) (*Facade, *int) {
	f := &Facade{d: Deps{Clock: kernel.SystemClock{}, BaseURL: "https://api.example/"}, types: map[string]*resourceType{}}
	reads := 0
	f.types["Patient"] = &resourceType{Name: "Patient", Read: func(_ context.Context, p kernel.Principal, id string) (Resource, error) {
		return &PatientResource{Base: Base{ResourceType: "Patient", ID: id}, Active: true}, nil
	}}
	pro := kernel.NewID()
	f.types["Appointment"] = &resourceType{Name: "Appointment", Params: []Param{{Name: "patient", Type: "reference"}},
		Search: func(_ context.Context, p kernel.Principal, q Query) (Found, error) {
			if appErr != nil {
				return Found{}, appErr
			}
			if id, _ := q.Ref("patient", "Patient"); id != p.AccountID || q.Count != kernel.MaxLimit {
				return Found{}, errors.New("not searched for the patient")
			}
			a := &AppointmentResource{Base: Base{ResourceType: "Appointment", ID: kernel.NewID()}, Status: "booked",
				Participant: []AppointmentParticipant{{Actor: ref("Patient", p.AccountID), Status: "accepted"}, {Actor: ref("Practitioner", pro), Status: "accepted"}}}
			if q.Cursor == "" {
				return Found{Matches: []Resource{a}, Next: "page2"}, nil
			}
			return Found{Matches: []Resource{a}}, nil
		}}
	f.types["Practitioner"] = &resourceType{Name: "Practitioner", Read: func(_ context.Context, _ kernel.Principal, id string) (Resource, error) {
		reads++
		return &PatientResource{Base: Base{ResourceType: "Practitioner", ID: id}}, nil
	}}
	return f, &reads
}

func TestWriteExportBundle(t *testing.T) {
	ctx := context.Background()
	f, reads := exportFacade(nil)
	p := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindPatient}
	var buf bytes.Buffer
	if err := f.WriteExportBundle(ctx, p, &buf); err != nil {
		t.Fatal(err)
	}
	var b struct {
		ResourceType, Type string
		Entry              []struct {
			FullURL  string
			Resource struct{ ResourceType, ID string }
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &b); err != nil {
		t.Fatalf("%v: %s", err, buf.Bytes())
	}
	var kinds []string
	for _, e := range b.Entry {
		kinds = append(kinds, e.Resource.ResourceType)
		if e.FullURL != "https://api.example/fhir/R4/"+e.Resource.ResourceType+"/"+e.Resource.ID {
			t.Errorf("fullUrl %s", e.FullURL)
		}
	}
	if b.ResourceType != "Bundle" || b.Type != "collection" || strings.Join(kinds, ",") != "Patient,Appointment,Appointment,Practitioner" || *reads != 1 {
		t.Fatalf("bundle %s; practitioner reads %d: %s", kinds, *reads, buf.Bytes())
	}
	if b.Entry[0].Resource.ID != p.AccountID {
		t.Fatal("the patient is not the owner")
	}

	// not a patient: an empty collection, with no empty entry array
	buf.Reset()
	if err := f.WriteExportBundle(ctx, kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindProfessional}, &buf); err != nil {
		t.Fatal(err)
	}
	if s := buf.String(); strings.Contains(s, "entry") || !json.Valid(buf.Bytes()) || !strings.Contains(s, `"type":"collection"`) {
		t.Fatalf("non-patient bundle %s", s)
	}

	// a real type answering 501 is an error, never skipped
	f, _ = exportFacade(notSupported(http.StatusNotImplemented, "x"))
	if err := f.WriteExportBundle(ctx, p, &bytes.Buffer{}); err == nil {
		t.Fatal("a failing search was skipped")
	}
}

// A list longer than the export takes is cut as the archive's other
// sections are, and the Bundle says so in an OperationOutcome entry.
func TestWriteExportBundleSaysWhenCut(t *testing.T) {
	f := &Facade{d: Deps{Clock: kernel.SystemClock{}}, types: map[string]*resourceType{}}
	pages := 0
	f.types["Appointment"] = &resourceType{Name: "Appointment", Params: []Param{{Name: "patient", Type: "reference"}},
		Search: func(_ context.Context, p kernel.Principal, q Query) (Found, error) {
			pages++
			a := &AppointmentResource{Base: Base{ResourceType: "Appointment", ID: kernel.NewID()}, Status: "booked",
				Participant: []AppointmentParticipant{{Actor: ref("Patient", p.AccountID), Status: "accepted"}}}
			return Found{Matches: []Resource{a}, Next: "more"}, nil
		}}
	var buf bytes.Buffer
	if err := f.WriteExportBundle(context.Background(), kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindPatient}, &buf); err != nil {
		t.Fatal(err)
	}
	var b struct {
		Entry []struct {
			Resource struct {
				ResourceType string
				Issue        []struct{ Severity, Code, Diagnostics string }
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &b); err != nil {
		t.Fatal(err)
	}
	last := b.Entry[len(b.Entry)-1].Resource
	if pages != consent.MaxExportPages || len(b.Entry) != consent.MaxExportPages+1 || last.ResourceType != "OperationOutcome" ||
		last.Issue[0].Code != "too-costly" || !strings.Contains(last.Issue[0].Diagnostics, "Appointment") {
		t.Fatalf("pages %d, entries %d, last %+v", pages, len(b.Entry), last)
	}
}
