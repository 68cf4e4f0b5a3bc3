package fhirapi

import (
	"context"
	"encoding/hex"
	"strings"
	"time"

	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
)

// The clinical record's resource types (Encounter, Observation, Condition,
// CarePlan, MedicationRequest, DocumentReference, Provenance) read through
// clinical's use cases with the caller's principal: those decide who may see
// what (self, care relationship, share, emergency, admin metadata only) and
// write the access-log line of every read, here as in the REST API.

// recordParams are the parameters naming the patient whose record is searched.
var recordParams = []Param{
	{Name: "patient", Type: "reference", Doc: "o paciente (Patient/{id}); obrigatório, exceto para o próprio paciente"},
	{Name: "subject", Type: "reference", Doc: "o mesmo que patient (Patient/{id})"},
}

// recordPatient is the patient a record search is about: the patient or
// subject parameter, or the calling patient themself; any other caller must
// name one (a search never runs over every patient's record).
func recordPatient(p kernel.Principal, q Query) (kernel.ID, error) {
	pat, err := q.Ref("patient", "Patient")
	if err != nil {
		return "", err
	}
	subj, err := q.Ref("subject", "Patient")
	if err != nil {
		return "", err
	}
	switch {
	case pat != "" && subj != "" && pat != subj:
		return "", kernel.Invalid("subject", "deve ser o mesmo paciente de patient")
	case pat != "":
		return pat, nil
	case subj != "":
		return subj, nil
	case p.Kind == kernel.KindPatient:
		return p.AccountID, nil
	}
	return "", kernel.Invalid("patient", "é obrigatório: informe patient=Patient/{id} (ou subject)")
}

// unseen turns a not-found answer of a list use case (a patient the caller
// may not see, or who does not exist) into an empty page, as FHIR searches
// answer: no match, and nothing said about whether the patient exists.
func unseen(err error) (Found, error) {
	if kernel.KindOf(err) == kernel.KindNotFound {
		return Found{}, nil
	}
	return Found{}, err
}

// splitID splits a derived id ("{objectID}.{part}") into the object's id and
// the part; ok is false when id is not of that shape.
func splitID(id string) (obj, part string, ok bool) {
	obj, part, ok = strings.Cut(id, ".")
	if !ok || !kernel.ValidID(obj) || part == "" {
		return "", "", false
	}
	return obj, part, true
}

// idTime is when a UUIDv7 was made (its first 48 bits are Unix milliseconds):
// the creation of an object whose current version's time is a later
// amendment's. Zero when id is not a UUIDv7.
func idTime(id kernel.ID) time.Time {
	if !kernel.ValidID(id) || id[14] != '7' {
		return time.Time{}
	}
	b, err := hex.DecodeString(id[0:8] + id[9:13])
	if err != nil {
		return time.Time{}
	}
	var ms int64
	for _, x := range b {
		ms = ms<<8 | int64(x)
	}
	return time.UnixMilli(ms).UTC()
}

// encounterInfo is what an evaluation's Encounter, Observations and
// Conditions share: when it happened and whether it was a teleconsultation.
type encounterInfo struct {
	When    time.Time
	Virtual bool
}

// encounterOf reads the evaluation's appointment, when it has one the caller
// may see, for when it happened and its mode; otherwise the evaluation's
// first version's time, in person (ambulatory).
func (f *Facade) encounterOf(ctx context.Context, p kernel.Principal, e clinical.Evaluation) encounterInfo {
	in := encounterInfo{When: idTime(e.ID)}
	if in.When.IsZero() {
		in.When = e.CreatedAt
	}
	if e.AppointmentID != "" && f.d.Scheduling != nil {
		if a, err := f.d.Scheduling.GetAppointment(ctx, p, e.AppointmentID); err == nil {
			in.When, in.Virtual = a.Start, a.Mode == scheduling.Telemedicine
		}
	}
	return in
}

// evaluationPage reads one page of the patient's evaluations (the use case
// checks access and logs the list); a patient the caller may not see is an
// empty page.
func (f *Facade) evaluationPage(ctx context.Context, p kernel.Principal, q Query) (kernel.List[clinical.Evaluation], error) {
	pat, err := recordPatient(p, q)
	if err != nil {
		return kernel.List[clinical.Evaluation]{}, err
	}
	l, err := f.d.Clinical.Evaluations(ctx, p, pat, q.page())
	if kernel.KindOf(err) == kernel.KindNotFound {
		return kernel.List[clinical.Evaluation]{}, nil
	}
	return l, err
}

// evaluationsFor is the evaluations a search of Observation or Condition
// runs over: the one its encounter parameter names (read through the use
// case, so a patient parameter is not needed then), or one page of the
// patient's.
func (f *Facade) evaluationsFor(ctx context.Context, p kernel.Principal, q Query) ([]clinical.Evaluation, string, error) {
	enc, err := q.Ref("encounter", "Encounter")
	if err != nil {
		return nil, "", err
	}
	if enc != "" {
		e, err := f.d.Clinical.Evaluation(ctx, p, enc, 0)
		if kernel.KindOf(err) == kernel.KindNotFound {
			return nil, "", nil
		}
		if err != nil {
			return nil, "", err
		}
		if q.Has("patient") || q.Has("subject") {
			pat, err := recordPatient(p, q)
			if err != nil {
				return nil, "", err
			}
			if pat != e.PatientID {
				return nil, "", nil
			}
		}
		return []clinical.Evaluation{e}, "", nil
	}
	l, err := f.evaluationPage(ctx, p, q)
	if err != nil {
		return nil, "", err
	}
	return l.Items, l.NextCursor, nil
}

// signedAt is an evaluation's signature time, zero when unsigned.
func signedAt(e clinical.Evaluation) time.Time {
	if e.SignedAt == nil {
		return time.Time{}
	}
	return *e.SignedAt
}

// readEvaluationPart reads one of the resources derived from an evaluation
// (an Observation or a Condition, id "{evaluationID}.{part}") through the
// evaluation's use case, so the read is checked and access-logged as one.
func readEvaluationPart[R Resource](ctx context.Context, f *Facade, p kernel.Principal, typ, id string,
	parts func(clinical.Evaluation, encounterInfo) []R) (Resource, error) {
	evID, _, ok := splitID(id)
	if !ok {
		return nil, kernel.NotFound("%s/%s não foi encontrado", typ, id)
	}
	e, err := f.d.Clinical.Evaluation(ctx, p, evID, 0)
	if err != nil {
		return nil, err
	}
	for _, r := range parts(e, f.encounterOf(ctx, p, e)) {
		if r.base().ID == id {
			return r, nil
		}
	}
	return nil, kernel.NotFound("%s/%s não foi encontrado", typ, id)
}
