package fhirapi

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/kernel"
)

// MedicationRequestResource is one prescribed item of a prescription.
type MedicationRequestResource struct {
	Base
	Identifier                []Identifier      `json:"identifier,omitempty"`
	Status                    string            `json:"status"`
	StatusReason              *CodeableConcept  `json:"statusReason,omitempty"`
	Intent                    string            `json:"intent"`
	Category                  []CodeableConcept `json:"category,omitempty"`
	MedicationCodeableConcept *CodeableConcept  `json:"medicationCodeableConcept"`
	Subject                   *Reference        `json:"subject"`
	AuthoredOn                string            `json:"authoredOn,omitempty"`
	Requester                 *Reference        `json:"requester,omitempty"`
	GroupIdentifier           *Identifier       `json:"groupIdentifier,omitempty"`
	DosageInstruction         []Dosage          `json:"dosageInstruction,omitempty"`
	DispenseRequest           *DispenseRequest  `json:"dispenseRequest,omitempty"`
}

// Dosage is how the drug is taken, as the prescriber wrote it.
type Dosage struct {
	Text  string           `json:"text,omitempty"`
	Route *CodeableConcept `json:"route,omitempty"`
}

// DispenseRequest is when the prescription may be dispensed.
type DispenseRequest struct {
	ValidityPeriod *Period `json:"validityPeriod,omitempty"`
}

// SystemRxVerification names the verification codes printed on our
// prescriptions (checked at /v1/prescription-verifications/{code}).
const SystemRxVerification = "https://multisaude.com.br/fhir/sid/verificacao-receita"

// medicationRequestID is the id of the n-th (from 1) item of a prescription.
func medicationRequestID(rxID kernel.ID, n int) string { return rxID + "." + strconv.Itoa(n) }

func (f *Facade) medicationRequestType() *resourceType {
	return &resourceType{Name: "MedicationRequest",
		Doc: "Receitas: um recurso por item prescrito, id {receita}.{n}; o identifier é o código de verificação da receita.",
		Params: append(append([]Param{}, recordParams...),
			Param{Name: "status", Type: "token", Doc: "active, cancelled, completed (dispensada) ou stopped (vencida)"},
			Param{Name: "identifier", Type: "token", Doc: "o código de verificação (" + SystemRxVerification + "|XXXX-XXXX-XXXX)"},
			Param{Name: "authoredon", Type: "date", Doc: "a emissão, com prefixos (ge, lt, ...)"}),
		Read: func(ctx context.Context, p kernel.Principal, id string) (Resource, error) {
			rxID, _, ok := splitID(id)
			if !ok {
				return nil, kernel.NotFound("MedicationRequest/%s não foi encontrado", id)
			}
			rx, _, err := f.d.Clinical.Prescription(ctx, p, rxID)
			if err != nil {
				return nil, err
			}
			for _, r := range medicationRequests(rx, f.now()) {
				if r.ID == id {
					return r, nil
				}
			}
			return nil, kernel.NotFound("MedicationRequest/%s não foi encontrado", id)
		},
		Search: func(ctx context.Context, p kernel.Principal, q Query) (Found, error) {
			pat, err := recordPatient(p, q)
			if err != nil {
				return Found{}, err
			}
			l, err := f.d.Clinical.Prescriptions(ctx, p, pat, q.page())
			if err != nil {
				return unseen(err)
			}
			out := Found{Next: l.NextCursor}
			for _, rx := range l.Items {
				if !q.DateMatch("authoredon", rx.IssuedAt) {
					continue
				}
				for _, r := range medicationRequests(rx, f.now()) {
					if q.TokenMatch("status", Coding{Code: r.Status}) && q.TokenMatch("identifier", identifierCodings(r.Identifier)...) {
						out.Matches = append(out.Matches, r)
					}
				}
			}
			return out, nil
		},
	}
}

func identifierCodings(ids []Identifier) []Coding {
	out := make([]Coding, 0, len(ids))
	for _, id := range ids {
		out = append(out, Coding{System: id.System, Code: id.Value})
	}
	return out
}

// medicationRequestStatus: issued is active until it expires (stopped),
// dispensed is completed.
func medicationRequestStatus(rx clinical.Prescription, now time.Time) string {
	switch rx.Status {
	case clinical.RxCancelled:
		return "cancelled"
	case clinical.RxDispensed:
		return "completed"
	}
	if rx.Expired(now) {
		return "stopped"
	}
	return "active"
}

// medicationRequests maps a prescription's items (none for an admin, who
// reads no content).
func medicationRequests(rx clinical.Prescription, now time.Time) []*MedicationRequestResource {
	var out []*MedicationRequestResource
	status := medicationRequestStatus(rx, now)
	var ids []Identifier
	var group *Identifier
	if rx.VerificationCode != "" {
		code := Identifier{Use: "official", System: SystemRxVerification, Value: rx.VerificationCode}
		ids, group = []Identifier{code}, &code
	}
	for i, it := range rx.Items {
		r := &MedicationRequestResource{
			Base:                      Base{ResourceType: "MedicationRequest", ID: medicationRequestID(rx.ID, i+1), Meta: meta(rx.IssuedAt, "")},
			Identifier:                ids,
			Status:                    status,
			Intent:                    "order",
			MedicationCodeableConcept: &CodeableConcept{Text: drugText(it)},
			Subject:                   ref("Patient", rx.PatientID),
			AuthoredOn:                instant(rx.IssuedAt),
			Requester:                 ref("Practitioner", rx.Prescriber.ID),
			GroupIdentifier:           group,
		}
		if rx.Type == clinical.RxSpecialControl {
			r.Category = []CodeableConcept{{Coding: []Coding{{System: SystemMultisaude + "prescription-type", Code: string(rx.Type),
				Display: "Controle especial"}}, Text: "Receita de controle especial"}}
		} else {
			r.Category = []CodeableConcept{{Coding: []Coding{{System: SystemMultisaude + "prescription-type", Code: string(rx.Type),
				Display: "Simples"}}, Text: "Receita simples"}}
		}
		if rx.Status == clinical.RxCancelled && rx.CancelReason != "" {
			r.StatusReason = &CodeableConcept{Text: rx.CancelReason}
		}
		if d := dosageText(it); d != "" || it.Route != "" {
			ds := Dosage{Text: d}
			if it.Route != "" {
				ds.Route = &CodeableConcept{Text: it.Route}
			}
			r.DosageInstruction = []Dosage{ds}
		}
		if rx.ValidUntil != nil {
			r.DispenseRequest = &DispenseRequest{ValidityPeriod: &Period{Start: instant(rx.IssuedAt), End: instant(*rx.ValidUntil)}}
		}
		out = append(out, r)
	}
	return out
}

// drugText names the drug as the prescription does: "Losartana (losartana
// potássica) 50 mg, comprimido".
func drugText(it clinical.RxItem) string {
	s := strings.TrimSpace(it.Drug)
	if it.ActiveIngredient != "" && !strings.EqualFold(it.ActiveIngredient, it.Drug) {
		s += " (" + strings.TrimSpace(it.ActiveIngredient) + ")"
	}
	if it.Concentration != "" {
		s += " " + strings.TrimSpace(it.Concentration)
	}
	if it.Form != "" {
		s += ", " + strings.TrimSpace(it.Form)
	}
	return s
}

func dosageText(it clinical.RxItem) string {
	var parts []string
	for _, p := range []struct{ label, v string }{{"", it.Dosage}, {"Quantidade: ", it.Quantity}, {"", it.Instructions}} {
		if v := strings.TrimSpace(p.v); v != "" {
			parts = append(parts, p.label+v)
		}
	}
	return strings.Join(parts, ". ")
}
