package fhirapi

import (
	"context"
	"encoding/base64"
	"strings"

	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/kernel"
)

// ProvenanceResource is a signature that exists: of a signed evaluation (its
// Encounter) or of a prescription (its MedicationRequests).
type ProvenanceResource struct {
	Base
	Target    []Reference       `json:"target"`
	Recorded  string            `json:"recorded"`
	Agent     []ProvenanceAgent `json:"agent"`
	Signature []Signature       `json:"signature,omitempty"`
}

// ProvenanceAgent is who signed.
type ProvenanceAgent struct {
	Type *CodeableConcept `json:"type,omitempty"`
	Who  *Reference       `json:"who"`
}

const (
	systemProvAgentType = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
	sigAuthor           = "1.2.840.10065.1.12.1.1" // Author's Signature (ASTM E1762-95)
	provenanceSuffix    = ".sig"
)

func (f *Facade) provenanceType() *resourceType {
	return &resourceType{Name: "Provenance",
		Doc: "Assinaturas: uma por avaliação assinada (alvo Encounter) e por receita (alvo cada MedicationRequest, com os bytes da assinatura); o id é {objeto}.sig.",
		Params: []Param{
			{Name: "patient", Type: "reference", Doc: "o paciente (Patient/{id}); obrigatório sem target, exceto para o próprio paciente"},
			{Name: "target", Type: "reference", Doc: "o recurso assinado (Encounter/{id} ou MedicationRequest/{id})"},
		},
		Read: func(ctx context.Context, p kernel.Principal, id string) (Resource, error) {
			obj, ok := strings.CutSuffix(id, provenanceSuffix)
			if !ok || !kernel.ValidID(obj) {
				return nil, kernel.NotFound("Provenance/%s não foi encontrado", id)
			}
			r, _, err := f.provenanceOf(ctx, p, "", obj)
			return r, err
		},
		Search: f.searchProvenance,
	}
}

// provenanceOf reads the signature of the object id: an evaluation when typ
// is Encounter, a prescription when MedicationRequest, either when "". It
// returns the patient too; kernel.NotFound when there is none the caller may see.
func (f *Facade) provenanceOf(ctx context.Context, p kernel.Principal, typ string, id kernel.ID) (*ProvenanceResource, kernel.ID, error) {
	if typ == "" || typ == "Encounter" {
		e, err := f.d.Clinical.Evaluation(ctx, p, id, 0)
		switch {
		case err == nil:
			if r := evaluationProvenance(e); r != nil {
				return r, e.PatientID, nil
			}
			return nil, "", kernel.NotFound("a avaliação não está assinada")
		case kernel.KindOf(err) != kernel.KindNotFound || typ != "":
			return nil, "", err
		}
	}
	rx, _, err := f.d.Clinical.Prescription(ctx, p, id)
	if err != nil {
		return nil, "", err
	}
	if r := prescriptionProvenance(rx); r != nil {
		return r, rx.PatientID, nil
	}
	return nil, "", kernel.NotFound("Provenance/%s não foi encontrado", id+provenanceSuffix)
}

func (f *Facade) searchProvenance(ctx context.Context, p kernel.Principal, q Query) (Found, error) {
	if q.Has("target") {
		pat, err := q.Ref("patient", "Patient")
		if err != nil {
			return Found{}, err
		}
		var out Found
		seen := map[string]bool{}
		for _, alt := range q.Params["target"] {
			for _, v := range alt {
				typ, id := targetOf(v)
				if id == "" || seen[id] {
					continue
				}
				seen[id] = true
				r, patient, err := f.provenanceOf(ctx, p, typ, id)
				if kernel.KindOf(err) == kernel.KindNotFound {
					continue
				}
				if err != nil {
					return Found{}, err
				}
				if pat == "" || pat == patient {
					out.Matches = append(out.Matches, r)
				}
			}
		}
		return out, nil
	}
	pat, err := recordPatient(p, q)
	if err != nil {
		return Found{}, err
	}
	// One list a page: the evaluations first ("e:" cursors), then the
	// prescriptions ("r:"); the cursor says which and where.
	phase, cursor, _ := strings.Cut(q.Cursor, ":")
	if q.Cursor == "" {
		phase = "e"
	}
	page := q.page()
	page.Cursor = cursor
	var out Found
	switch phase {
	case "e":
		l, err := f.d.Clinical.Evaluations(ctx, p, pat, page)
		if err != nil {
			return unseen(err)
		}
		for _, e := range l.Items {
			if r := evaluationProvenance(e); r != nil {
				out.Matches = append(out.Matches, r)
			}
		}
		out.Next = "r:"
		if l.NextCursor != "" {
			out.Next = "e:" + l.NextCursor
		}
	case "r":
		l, err := f.d.Clinical.Prescriptions(ctx, p, pat, page)
		if err != nil {
			return unseen(err)
		}
		for _, rx := range l.Items {
			if r := prescriptionProvenance(rx); r != nil {
				out.Matches = append(out.Matches, r)
			}
		}
		if l.NextCursor != "" {
			out.Next = "r:" + l.NextCursor
		}
	default:
		return Found{}, kernel.Invalid(pCursor, "não é um cursor fornecido por este servidor")
	}
	return out, nil
}

// targetOf reads a target value: "Encounter/{id}" (an evaluation),
// "MedicationRequest/{rx}.{n}" (a prescription) or a bare object id.
func targetOf(v string) (typ string, id kernel.ID) {
	parts := strings.Split(strings.TrimRight(v, "/"), "/")
	last := parts[len(parts)-1]
	if len(parts) >= 2 {
		typ = parts[len(parts)-2]
	}
	switch typ {
	case "Encounter", "":
	case "MedicationRequest":
		if obj, _, ok := splitID(last); ok {
			last = obj
		}
	default:
		return "", ""
	}
	if !kernel.ValidID(last) {
		return "", ""
	}
	return typ, last
}

func signer(role, display, text string, who *Reference) ProvenanceAgent {
	return ProvenanceAgent{Type: &CodeableConcept{Coding: []Coding{{System: systemProvAgentType, Code: role, Display: display}}, Text: text}, Who: who}
}

func authorSignature() []Coding {
	return []Coding{{System: SystemSignatureType, Code: sigAuthor, Display: "Author's Signature"}}
}

// evaluationProvenance is the signature of a signed evaluation's current
// version; nil when it is not signed.
func evaluationProvenance(e clinical.Evaluation) *ProvenanceResource {
	if e.SignedAt == nil || e.AuthorID == "" {
		return nil
	}
	who := ref("Practitioner", e.AuthorID)
	return &ProvenanceResource{
		Base:      Base{ResourceType: "Provenance", ID: e.ID + provenanceSuffix},
		Target:    []Reference{*ref("Encounter", e.ID)},
		Recorded:  instant(*e.SignedAt),
		Agent:     []ProvenanceAgent{signer("author", "Author", "Profissional que assinou a avaliação", who)},
		Signature: []Signature{{Type: authorSignature(), When: instant(*e.SignedAt), Who: who}},
	}
}

// prescriptionProvenance is a prescription's signature over its canonical
// text (the bytes, base64, when the caller may read them); nil when the
// caller reads no items (an admin).
func prescriptionProvenance(rx clinical.Prescription) *ProvenanceResource {
	if len(rx.Items) == 0 || rx.Prescriber.ID == "" || rx.IssuedAt.IsZero() {
		return nil
	}
	who := ref("Practitioner", rx.Prescriber.ID)
	r := &ProvenanceResource{
		Base:     Base{ResourceType: "Provenance", ID: rx.ID + provenanceSuffix},
		Recorded: instant(rx.IssuedAt),
		Agent:    []ProvenanceAgent{signer("author", "Author", "Profissional que prescreveu", who)},
	}
	for i := range rx.Items {
		r.Target = append(r.Target, *ref("MedicationRequest", medicationRequestID(rx.ID, i+1)))
	}
	sig := Signature{Type: authorSignature(), When: instant(rx.IssuedAt), Who: who}
	if len(rx.Signature.Value) > 0 {
		sig.TargetFormat = "text/plain" // the prescription's canonical text is what was signed
		sig.SigFormat = "application/octet-stream"
		sig.Data = base64.StdEncoding.EncodeToString(rx.Signature.Value)
	}
	r.Signature = []Signature{sig}
	return r
}
