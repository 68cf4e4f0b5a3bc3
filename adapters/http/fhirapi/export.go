package fhirapi

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/kernel"
)

// exportTypes are the types of the LGPD export's Bundle, searched for the
// patient in this order after their Patient resource.
var exportTypes = []string{"Appointment", "Encounter", "Observation", "Condition", "CarePlan", "MedicationRequest",
	"DocumentReference", "Consent", "AuditEvent", "Provenance"}

// referencedTypes are followed from what the export wrote (one resource each,
// read as the patient): who attended them and where.
var referencedTypes = regexp.MustCompile(`"reference":"((?:Practitioner|PractitionerRole|Organization|Location)/[A-Za-z0-9.\-]{1,64})"`)

// WriteExportBundle writes the FHIR Bundle (type collection) of the LGPD
// export to w: the owner's Patient, then every resource of exportTypes that
// their search finds for them, then the Practitioners, PractitionerRoles,
// Organizations and Locations those reference. Every read is a search or
// read of the type with the owner's own principal, so it sees what the
// owner sees through /fhir/R4 and nothing more. It streams: one page
// (kernel.MaxLimit resources) at a time, consent.MaxExportPages pages at most
// per type, plus the set of references to follow. Anyone but a patient gets
// an empty collection. Any error
// fails the export (which the worker retries).
func (f *Facade) WriteExportBundle(ctx context.Context, p kernel.Principal, w io.Writer) error {
	bw := bufio.NewWriter(w)
	bs := &bundleStream{w: bw, base: f.exportBase(), written: map[string]bool{}, queued: map[string]bool{}}
	head, err := json.Marshal(struct {
		ResourceType string `json:"resourceType"`
		ID           string `json:"id"`
		Type         string `json:"type"`
		Timestamp    string `json:"timestamp"`
	}{"Bundle", kernel.NewID(), "collection", instant(f.now())})
	if err != nil {
		return err
	}
	bs.raw(string(head[:len(head)-1]))
	if p.Kind == kernel.KindPatient && !p.IsAnonymous() {
		if err := f.exportResources(ctx, p, bs); err != nil {
			return err
		}
	}
	if bs.entries > 0 {
		bs.raw("]")
	}
	bs.raw("}\n")
	if bs.err != nil {
		return bs.err
	}
	return bw.Flush()
}

func (f *Facade) exportResources(ctx context.Context, p kernel.Principal, bs *bundleStream) error {
	if rt := f.types["Patient"]; rt != nil {
		r, err := rt.Read(ctx, p, p.AccountID)
		switch {
		case err == nil:
			bs.add(r)
		case kernel.KindOf(err) == kernel.KindNotFound: // a record blocked at its erasure request
		default:
			return kernel.Wrap(err, "export Patient")
		}
	}
	for _, name := range exportTypes {
		if err := f.exportType(ctx, p, name, bs); err != nil {
			return err
		}
	}
	// the referenced resources, and what those reference in turn
	for len(bs.pending) > 0 && bs.err == nil {
		next := bs.pending[0]
		bs.pending = bs.pending[1:]
		typ, id, _ := strings.Cut(next, "/")
		rt := f.types[typ]
		if rt == nil {
			continue
		}
		r, err := rt.Read(ctx, p, id)
		switch k := kernel.KindOf(err); {
		case err == nil:
			bs.add(r)
		case k == kernel.KindNotFound, k == kernel.KindForbidden:
		default:
			return kernel.Wrap(err, "export %s", typ)
		}
	}
	return bs.err
}

// exportType writes every page of name's search for the patient p.
func (f *Facade) exportType(ctx context.Context, p kernel.Principal, name string, bs *bundleStream) error {
	rt := f.types[name]
	if rt == nil {
		return nil
	}
	q := Query{Count: kernel.MaxLimit, Params: map[string][][]string{}}
	for _, param := range []string{"patient", "subject"} {
		if rt.param(param).Type == "reference" {
			q.Params[param] = [][]string{{"Patient/" + p.AccountID}}
			break
		}
	}
	for range consent.MaxExportPages {
		found, err := rt.Search(ctx, p, q)
		if err != nil {
			return kernel.Wrap(err, "export %s", name)
		}
		for _, r := range found.Matches {
			bs.add(r)
		}
		if bs.err != nil || found.Next == "" {
			return bs.err
		}
		q.Cursor = found.Next
	}
	// cut, as the other sections of the archive are: the Bundle says so
	bs.add(&OperationOutcome{Base: Base{ResourceType: "OperationOutcome", ID: kernel.NewID()}, Issue: []Issue{{
		Severity: "warning", Code: "too-costly",
		Diagnostics: fmt.Sprintf("%s: o arquivo traz os primeiros %d recursos; os demais podem ser lidos em /fhir/R4/%s",
			name, consent.MaxExportPages*kernel.MaxLimit, name)}}})
	return bs.err
}

// exportBase is the fullUrl base of the Bundle's entries; "" (no fullUrl)
// when the public URL is not configured.
func (f *Facade) exportBase() string {
	if f.d.BaseURL == "" {
		return ""
	}
	return strings.TrimRight(f.d.BaseURL, "/") + Prefix
}

// bundleStream writes a collection Bundle's entries as they come; the first
// error sticks.
type bundleStream struct {
	w       *bufio.Writer
	base    string
	entries int
	written map[string]bool // "Type/id" written
	queued  map[string]bool // "Type/id" written or queued
	pending []string        // references still to read
	err     error
}

func (b *bundleStream) raw(s string) {
	if b.err == nil {
		_, b.err = b.w.WriteString(s)
	}
}

// add writes r as one entry (once per Type/id) and queues the references it
// makes to the referenced types.
func (b *bundleStream) add(r Resource) {
	if b.err != nil || r == nil {
		return
	}
	rb := r.base()
	key := rb.ResourceType + "/" + rb.ID
	if b.written[key] {
		return
	}
	b.written[key], b.queued[key] = true, true
	body, err := json.Marshal(r)
	if err != nil {
		b.err = err
		return
	}
	e := struct {
		FullURL  string          `json:"fullUrl,omitempty"`
		Resource json.RawMessage `json:"resource"`
	}{Resource: body}
	if b.base != "" {
		e.FullURL = b.base + "/" + key
	}
	entry, err := json.Marshal(e)
	if err != nil {
		b.err = err
		return
	}
	if b.entries == 0 {
		b.raw(`,"entry":[`)
	} else {
		b.raw(",\n")
	}
	b.raw(string(entry))
	b.entries++
	for _, m := range referencedTypes.FindAllSubmatch(body, -1) {
		ref := string(m[1])
		if !b.queued[ref] {
			b.queued[ref] = true
			b.pending = append(b.pending, ref)
		}
	}
}
