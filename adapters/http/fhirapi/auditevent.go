package fhirapi

import (
	"context"

	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/kernel"
)

// AuditEventResource is one line of a patient's access log: who read or wrote
// what in their record, when, and on what basis.
type AuditEventResource struct {
	Base
	Type     Coding        `json:"type"`
	Subtype  []Coding      `json:"subtype,omitempty"`
	Action   string        `json:"action,omitempty"`
	Recorded string        `json:"recorded"`
	Outcome  string        `json:"outcome,omitempty"`
	Agent    []AuditAgent  `json:"agent"`
	Source   AuditSource   `json:"source"`
	Entity   []AuditEntity `json:"entity,omitempty"`
}

// AuditAgent is who acted.
type AuditAgent struct {
	Type         *CodeableConcept  `json:"type,omitempty"`
	Who          *Reference        `json:"who,omitempty"`
	Requestor    bool              `json:"requestor"`
	PurposeOfUse []CodeableConcept `json:"purposeOfUse,omitempty"`
}

// AuditSource is the system that recorded the event.
type AuditSource struct {
	Site     string    `json:"site,omitempty"`
	Observer Reference `json:"observer"`
	Type     []Coding  `json:"type,omitempty"`
}

// AuditEntity is what was acted on.
type AuditEntity struct {
	What        *Reference `json:"what,omitempty"`
	Type        *Coding    `json:"type,omitempty"`
	Role        *Coding    `json:"role,omitempty"`
	Description string     `json:"description,omitempty"`
}

// Code systems of AuditEvent.
const (
	SystemAuditEntityType = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
	SystemObjectRole      = "http://terminology.hl7.org/CodeSystem/object-role"
	SystemSecuritySource  = "http://terminology.hl7.org/CodeSystem/security-source-type"
)

// auditAction is the R4 action code (C, R, U, D, E) of an access-log action.
func auditAction(action string) string {
	switch action {
	case "create", "upload", "issue":
		return "C"
	case "update", "amend", "sign", "cancel":
		return "U"
	case "delete":
		return "D"
	case "break_the_glass":
		return "E"
	}
	return "R" // read, list, download, read_versions, ...
}

var actionText = map[string]string{
	"read": "leitura", "list": "listagem", "download": "download", "read_versions": "leitura das versões",
	"create": "criação", "upload": "envio", "update": "alteração", "amend": "retificação", "sign": "assinatura",
	"cancel": "cancelamento", "delete": "exclusão", "break_the_glass": "acesso de emergência",
}

var objectText = map[string]string{
	"patient": "dados cadastrais", "evaluation": "avaliação", "treatment_plan": "plano de tratamento",
	"prescription": "prescrição", "document": "documento", "history": "histórico", "record": "prontuário",
	"conversation": "conversa",
}

var basisText = map[clinical.Basis]string{
	clinical.BasisSelf: "o próprio paciente", clinical.BasisCare: "relação de cuidado",
	clinical.BasisShare: "compartilhamento concedido pelo paciente", clinical.BasisEmergency: "acesso de emergência",
	clinical.BasisMetadata: "administração da plataforma (somente metadados)",
}

func (f *Facade) auditEventType() *resourceType {
	return &resourceType{Name: "AuditEvent",
		Doc: "O registro de acessos ao prontuário do paciente: quem leu ou escreveu o quê, quando e com que base (relação de cuidado, compartilhamento, emergência). Só o próprio paciente o lê.",
		Params: []Param{
			{Name: "patient", Type: "reference", Doc: "o paciente (Patient/{id}): só o próprio"},
			{Name: "date", Type: "date", Doc: "quando o acesso foi registrado, com prefixos (ge, lt, ...)"},
		},
		Read: func(ctx context.Context, p kernel.Principal, id string) (Resource, error) {
			e, err := f.d.Clinical.AccessLogEntry(ctx, p, id)
			if err != nil {
				return nil, err
			}
			return auditEventOf(e), nil
		},
		Search: f.searchAuditEvents,
	}
}

// searchAuditEvents pages the calling patient's access log (newest first);
// date filters the page. Anyone else finds none.
func (f *Facade) searchAuditEvents(ctx context.Context, p kernel.Principal, q Query) (Found, error) {
	patientID, err := q.Ref("patient", "Patient")
	if err != nil {
		return Found{}, err
	}
	if p.Kind != kernel.KindPatient || (patientID != "" && patientID != p.AccountID) {
		return Found{}, nil
	}
	l, err := f.d.Clinical.AccessLog(ctx, p, q.page())
	if err != nil {
		return Found{}, err
	}
	out := Found{Next: l.NextCursor}
	for _, e := range l.Items {
		if q.DateMatch("date", e.At) {
			out.Matches = append(out.Matches, auditEventOf(e))
		}
	}
	return out, nil
}

func auditEventOf(e clinical.AccessEntry) *AuditEventResource {
	r := &AuditEventResource{
		Base:     Base{ResourceType: "AuditEvent", ID: e.ID},
		Type:     Coding{System: SystemAuditType, Code: "110110", Display: "Patient Record"},
		Subtype:  []Coding{{System: SystemMultisaude + "record-action", Code: e.Action, Display: textOr(actionText, e.Action)}},
		Action:   auditAction(e.Action),
		Recorded: instant(e.At),
		Outcome:  "0",
		Source: AuditSource{Site: "multisaude", Observer: Reference{Display: "Multisaúde (plataforma)"},
			Type: []Coding{{System: SystemSecuritySource, Code: "4", Display: "Application Server"}}},
	}
	agent := AuditAgent{Requestor: true,
		Type: concept(SystemMultisaude+"access-basis", string(e.Basis), basisText[e.Basis])}
	switch e.ActorKind {
	case kernel.KindProfessional:
		agent.Who = &Reference{Reference: "Practitioner/" + e.ActorID, Display: e.ActorName}
	case kernel.KindPatient:
		agent.Who = &Reference{Reference: "Patient/" + e.ActorID}
	case kernel.KindAdmin:
		agent.Who = &Reference{Display: "Administração da plataforma"}
	default:
		agent.Who = &Reference{Display: "Sistema"}
	}
	if e.Basis == clinical.BasisEmergency {
		agent.PurposeOfUse = []CodeableConcept{{Coding: []Coding{{System: SystemActReason, Code: "BTG", Display: "break the glass"}},
			Text: "acesso de emergência (quebra de vidro)"}}
	}
	r.Agent = []AuditAgent{agent}
	r.Entity = []AuditEntity{{What: ref("Patient", e.PatientID),
		Type: &Coding{System: SystemAuditEntityType, Code: "1", Display: "Person"},
		Role: &Coding{System: SystemObjectRole, Code: "1", Display: "Patient"}}}
	if e.ObjectType == "patient" && e.ObjectID == e.PatientID {
		r.Entity[0].Description = textOr(objectText, e.ObjectType) // the demographics themselves
	} else if e.ObjectType != "" {
		obj := AuditEntity{Type: &Coding{System: SystemAuditEntityType, Code: "2", Display: "System Object"},
			Description: textOr(objectText, e.ObjectType)}
		if e.ObjectID != "" {
			obj.What = &Reference{Identifier: &Identifier{System: SystemMultisaude + "record-object/" + e.ObjectType, Value: e.ObjectID},
				Display: textOr(objectText, e.ObjectType) + " " + e.ObjectID}
			obj.Description += " " + e.ObjectID
		}
		r.Entity = append(r.Entity, obj)
	}
	return r
}

func textOr(m map[string]string, k string) string {
	if t, ok := m[k]; ok {
		return t
	}
	return k
}
