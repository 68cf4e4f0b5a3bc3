package consent

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Risk is the controller's assessment of an incident's risk to data subjects.
type Risk string

const (
	RiskLow    Risk = "low"
	RiskMedium Risk = "medium"
	RiskHigh   Risk = "high"
)

// NotifyBusinessDays is ANPD's deadline to communicate an incident to the
// authority and to the data subjects (Resolução CD/ANPD 15/2024, art. 6º).
const NotifyBusinessDays = 3

// Limits of an incident's fields.
const (
	MaxIncidentTitle    = 200
	MaxIncidentText     = 5000
	MaxSubjectsAffected = 1_000_000_000
)

// Incident is one entry of the security incident register.
type Incident struct {
	ID                 kernel.ID
	Title              string
	Description        string
	OccurredAt         *time.Time
	DetectedAt         time.Time
	Categories         []string // data class codes
	SubjectsAffected   int64
	SubjectsEstimated  bool
	Risk               Risk
	RiskReasoning      string
	Measures           string
	ANPDNotifiedAt     *time.Time
	SubjectsNotifiedAt *time.Time
	CreatedBy          kernel.ID
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Version            int
}

// Deadline is when ANPD and the data subjects must have been told.
func (i Incident) Deadline() time.Time { return BusinessDeadline(i.DetectedAt, NotifyBusinessDays) }

// NotificationRequired: an incident that may bring relevant risk or damage to
// data subjects must be communicated (art. 48 LGPD; Res. 15/2024, art. 5º); a
// low risk, reasoned in the register, need not be.
func (i Incident) NotificationRequired() bool { return i.Risk != RiskLow }

// RetainUntil is the end of the incident's 5-year retention.
func (i Incident) RetainUntil() time.Time { return AddYears(i.CreatedAt, IncidentRetentionYears) }

// IncidentStore keeps the incident register. Rows are never deleted within
// their retention (the database refuses it).
type IncidentStore interface {
	CreateIncident(ctx context.Context, in Incident) error
	// Incident returns kernel.KindNotFound if there is none.
	Incident(ctx context.Context, id kernel.ID) (Incident, error)
	// ListIncidents pages the register, newest first.
	ListIncidents(ctx context.Context, page kernel.Page) (kernel.List[Incident], error)
	// UpdateIncident runs fn on the locked incident and saves it; kernel.KindNotFound if absent.
	UpdateIncident(ctx context.Context, id kernel.ID, fn func(*Incident) error) (Incident, error)
}

// NewIncident is what an admin registers.
type NewIncident struct {
	Title             string
	Description       string
	OccurredAt        *time.Time
	DetectedAt        time.Time
	Categories        []string
	SubjectsAffected  int64
	SubjectsEstimated bool
	Risk              Risk
	RiskReasoning     string
	Measures          string
}

// IncidentPatch changes an incident; nil fields are left as they are.
type IncidentPatch struct {
	Description        *string
	Categories         *[]string
	SubjectsAffected   *int64
	SubjectsEstimated  *bool
	Risk               *Risk
	RiskReasoning      *string
	Measures           *string
	ANPDNotifiedAt     *time.Time
	SubjectsNotifiedAt *time.Time
}

func requirePlatformAdmin(p kernel.Principal) error {
	if err := p.RequireAuthenticated(); err != nil {
		return err
	}
	if p.Kind != kernel.KindAdmin {
		return kernel.Forbidden("somente administradores da plataforma têm acesso a este registro")
	}
	return nil
}

func checkIncidentText(pr *kernel.Problems, field, v string, required bool, max int) {
	switch {
	case strings.TrimSpace(v) == "" && required:
		pr.Add(field, "é obrigatório")
	case utf8.RuneCountInString(v) > max:
		pr.Add(field, "deve ter no máximo %d caracteres", max)
	}
}

func checkCategories(pr *kernel.Problems, cats []string) {
	if len(cats) == 0 {
		pr.Add("categories", "informe ao menos uma categoria de dados")
		return
	}
	if len(cats) > len(DataClasses()) {
		pr.Add("categories", "tem mais categorias do que as %d existentes", len(DataClasses()))
		return
	}
	for i, c := range cats {
		if _, ok := Class(c); !ok {
			pr.Add(fmt.Sprintf("categories[%d]", i), "não é uma categoria de dados conhecida (veja /v1/admin/processing-activities)")
		}
	}
}

func checkRisk(pr *kernel.Problems, r Risk) {
	if r != RiskLow && r != RiskMedium && r != RiskHigh {
		pr.Add("risk", "deve ser low, medium ou high")
	}
}

func checkSubjects(pr *kernel.Problems, n int64) {
	if n < 0 || n > MaxSubjectsAffected {
		pr.Add("subjects_affected", "deve estar entre 0 e %d", MaxSubjectsAffected)
	}
}

func (in NewIncident) validate(now time.Time) error {
	var pr kernel.Problems
	checkIncidentText(&pr, "title", in.Title, true, MaxIncidentTitle)
	checkIncidentText(&pr, "description", in.Description, true, MaxIncidentText)
	checkIncidentText(&pr, "risk_reasoning", in.RiskReasoning, true, MaxIncidentText)
	checkIncidentText(&pr, "measures", in.Measures, false, MaxIncidentText)
	switch {
	case in.DetectedAt.IsZero():
		pr.Add("detected_at", "é obrigatório")
	case in.DetectedAt.After(now.Add(5 * time.Minute)):
		pr.Add("detected_at", "não pode estar no futuro")
	}
	if in.OccurredAt != nil && !in.DetectedAt.IsZero() && in.OccurredAt.After(in.DetectedAt) {
		pr.Add("occurred_at", "não pode ser depois de detected_at")
	}
	checkCategories(&pr, in.Categories)
	checkSubjects(&pr, in.SubjectsAffected)
	checkRisk(&pr, in.Risk)
	return pr.Err()
}

func normCategories(cs []string) []string {
	out := slices.Clone(cs)
	slices.Sort(out)
	return slices.Compact(out)
}

// CreateIncident registers an incident (admins only).
func (s *Service) CreateIncident(ctx context.Context, p kernel.Principal, in NewIncident, requestID string) (Incident, error) {
	if err := requirePlatformAdmin(p); err != nil {
		return Incident{}, err
	}
	now := s.now()
	if err := in.validate(now); err != nil {
		return Incident{}, err
	}
	inc := Incident{ID: kernel.NewID(), Title: strings.TrimSpace(in.Title), Description: strings.TrimSpace(in.Description),
		OccurredAt: utcPtr(in.OccurredAt), DetectedAt: in.DetectedAt.UTC(), Categories: normCategories(in.Categories),
		SubjectsAffected: in.SubjectsAffected, SubjectsEstimated: in.SubjectsEstimated, Risk: in.Risk,
		RiskReasoning: strings.TrimSpace(in.RiskReasoning), Measures: strings.TrimSpace(in.Measures),
		CreatedBy: p.AccountID, CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := s.Incidents.CreateIncident(ctx, inc); err != nil {
		return Incident{}, err
	}
	s.audit(ctx, ports.AuditRecord{At: now, ActorID: p.AccountID, ActorKind: string(p.Kind), Action: "incident.create",
		ObjectType: "incident", ObjectID: inc.ID, Details: map[string]string{"risk": string(inc.Risk)}, RequestID: requestID})
	return inc, nil
}

// Incident returns one incident (admins only).
func (s *Service) Incident(ctx context.Context, p kernel.Principal, id kernel.ID) (Incident, error) {
	if err := requirePlatformAdmin(p); err != nil {
		return Incident{}, err
	}
	return s.Incidents.Incident(ctx, id)
}

// ListIncidents pages the register, newest first (admins only).
func (s *Service) ListIncidents(ctx context.Context, p kernel.Principal, page kernel.Page) (kernel.List[Incident], error) {
	if err := requirePlatformAdmin(p); err != nil {
		return kernel.List[Incident]{}, err
	}
	page, err := page.Normalize()
	if err != nil {
		return kernel.List[Incident]{}, err
	}
	return s.Incidents.ListIncidents(ctx, page)
}

// UpdateIncident applies a patch when the incident is still at version
// ifVersion (0: no check); a stale version is kernel.KindPreconditionFailed.
func (s *Service) UpdateIncident(ctx context.Context, p kernel.Principal, id kernel.ID, ifVersion int, in IncidentPatch, requestID string) (Incident, error) {
	if err := requirePlatformAdmin(p); err != nil {
		return Incident{}, err
	}
	now := s.now()
	var pr kernel.Problems
	if in.Description != nil {
		checkIncidentText(&pr, "description", *in.Description, true, MaxIncidentText)
	}
	if in.RiskReasoning != nil {
		checkIncidentText(&pr, "risk_reasoning", *in.RiskReasoning, true, MaxIncidentText)
	}
	if in.Measures != nil {
		checkIncidentText(&pr, "measures", *in.Measures, false, MaxIncidentText)
	}
	if in.Categories != nil {
		checkCategories(&pr, *in.Categories)
	}
	if in.SubjectsAffected != nil {
		checkSubjects(&pr, *in.SubjectsAffected)
	}
	if in.Risk != nil {
		checkRisk(&pr, *in.Risk)
	}
	for f, t := range map[string]*time.Time{"anpd_notified_at": in.ANPDNotifiedAt, "subjects_notified_at": in.SubjectsNotifiedAt} {
		if t != nil && t.After(now.Add(5*time.Minute)) {
			pr.Add(f, "não pode estar no futuro")
		}
	}
	if err := pr.Err(); err != nil {
		return Incident{}, err
	}
	out, err := s.Incidents.UpdateIncident(ctx, id, func(inc *Incident) error {
		if ifVersion != 0 && inc.Version != ifVersion {
			return kernel.PreconditionFailed("o incidente mudou: a versão atual é %d", inc.Version)
		}
		var pr kernel.Problems
		for f, t := range map[string]*time.Time{"anpd_notified_at": in.ANPDNotifiedAt, "subjects_notified_at": in.SubjectsNotifiedAt} {
			if t != nil && t.Before(inc.DetectedAt) {
				pr.Add(f, "não pode ser antes da detecção do incidente")
			}
		}
		if err := pr.Err(); err != nil {
			return err
		}
		if in.Description != nil {
			inc.Description = strings.TrimSpace(*in.Description)
		}
		if in.Categories != nil {
			inc.Categories = normCategories(*in.Categories)
		}
		if in.SubjectsAffected != nil {
			inc.SubjectsAffected = *in.SubjectsAffected
		}
		if in.SubjectsEstimated != nil {
			inc.SubjectsEstimated = *in.SubjectsEstimated
		}
		if in.Risk != nil {
			inc.Risk = *in.Risk
		}
		if in.RiskReasoning != nil {
			inc.RiskReasoning = strings.TrimSpace(*in.RiskReasoning)
		}
		if in.Measures != nil {
			inc.Measures = strings.TrimSpace(*in.Measures)
		}
		if in.ANPDNotifiedAt != nil {
			inc.ANPDNotifiedAt = utcPtr(in.ANPDNotifiedAt)
		}
		if in.SubjectsNotifiedAt != nil {
			inc.SubjectsNotifiedAt = utcPtr(in.SubjectsNotifiedAt)
		}
		inc.UpdatedAt = now
		inc.Version++
		return nil
	})
	if err != nil {
		return Incident{}, err
	}
	s.audit(ctx, ports.AuditRecord{At: now, ActorID: p.AccountID, ActorKind: string(p.Kind), Action: "incident.update",
		ObjectType: "incident", ObjectID: out.ID, Details: map[string]string{"version": fmt.Sprint(out.Version)}, RequestID: requestID})
	return out, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
