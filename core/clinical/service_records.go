package clinical

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// --- evaluations ---

// CreateEvaluation records an evaluation written by the calling professional,
// optionally tied to one of their appointments with the patient and signed at once.
func (s *Service) CreateEvaluation(ctx context.Context, p kernel.Principal, patientID kernel.ID, in NewEvaluationInput) (Evaluation, error) {
	acc, _, err := s.writer(ctx, p, patientID)
	if err != nil {
		return Evaluation{}, err
	}
	if err := in.Content.Validate(); err != nil {
		return Evaluation{}, err
	}
	if in.AppointmentID != "" {
		if err := s.checkAppointment(ctx, p.AccountID, patientID, in.AppointmentID); err != nil {
			return Evaluation{}, err
		}
	}
	now := s.now()
	e := Evaluation{ID: kernel.NewID(), Version: 1, PatientID: patientID, AuthorID: p.AccountID,
		AppointmentID: in.AppointmentID, Content: in.Content, CreatedAt: now}
	var events []kernel.Event
	if in.Sign {
		e.SignedAt = &now
		events = append(events, signedEvent(e))
	}
	if err := s.Store.CreateEvaluation(ctx, e, events...); err != nil {
		return Evaluation{}, err
	}
	return e, s.record(ctx, p, acc, "evaluation", e.ID, "create")
}

func (s *Service) checkAppointment(ctx context.Context, proID, patientID, apptID kernel.ID) error {
	bad := kernel.Unprocessable("a consulta não é sua com este paciente",
		kernel.FieldError{Field: "appointment_id", Message: "não corresponde a nenhuma consulta sua com este paciente"})
	if !kernel.ValidID(apptID) {
		return kernel.Invalid("appointment_id", "deve ser um ID")
	}
	a, err := s.Care.Appointment(ctx, apptID)
	if err != nil {
		if kernel.KindOf(err) == kernel.KindNotFound {
			return bad
		}
		return err
	}
	if a.PatientID != patientID || a.ProfessionalID != proID {
		return bad
	}
	switch a.Status {
	case "cancelled", "canceled", "no_show", "rejected":
		return kernel.Unprocessable("a consulta está com status "+a.Status,
			kernel.FieldError{Field: "appointment_id", Message: "corresponde a uma consulta com status " + a.Status})
	}
	return nil
}

func signedEvent(e Evaluation) kernel.Event {
	return kernel.NewEvent(TopicEvaluationSigned, e.ID, map[string]string{
		"evaluation_id": e.ID, "version": fmt.Sprint(e.Version), "patient_id": e.PatientID,
		"professional_id": e.AuthorID, "appointment_id": e.AppointmentID,
		"signed_at": e.SignedAt.UTC().Format(time.RFC3339Nano)}, *e.SignedAt)
}

// Evaluation returns a version (0: current) of an evaluation the caller may see.
func (s *Service) Evaluation(ctx context.Context, p kernel.Principal, id kernel.ID, version int) (Evaluation, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return Evaluation{}, err
	}
	if !kernel.ValidID(id) || version < 0 {
		return Evaluation{}, kernel.NotFound("avaliação não encontrada")
	}
	e, err := s.Store.Evaluation(ctx, id, version)
	if err != nil {
		return Evaluation{}, hide(err, "evaluation")
	}
	acc, err := s.access(ctx, p, e.PatientID)
	if err != nil {
		return Evaluation{}, hide(err, "evaluation")
	}
	if !acc.Content() {
		e = e.Meta()
	}
	return e, s.record(ctx, p, acc, "evaluation", e.ID, "read")
}

// EvaluationVersions lists every version of an evaluation, oldest first.
func (s *Service) EvaluationVersions(ctx context.Context, p kernel.Principal, id kernel.ID) ([]Evaluation, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return nil, err
	}
	if !kernel.ValidID(id) {
		return nil, kernel.NotFound("avaliação não encontrada")
	}
	cur, err := s.Store.Evaluation(ctx, id, 0)
	if err != nil {
		return nil, hide(err, "evaluation")
	}
	acc, err := s.access(ctx, p, cur.PatientID)
	if err != nil {
		return nil, hide(err, "evaluation")
	}
	vs, err := s.Store.EvaluationVersions(ctx, id)
	if err != nil {
		return nil, err
	}
	if !acc.Content() {
		for i := range vs {
			vs[i] = vs[i].Meta()
		}
	}
	return vs, s.record(ctx, p, acc, "evaluation", id, "read_versions")
}

// Evaluations lists the current versions of a patient's evaluations.
func (s *Service) Evaluations(ctx context.Context, p kernel.Principal, patientID kernel.ID, page kernel.Page) (kernel.List[Evaluation], error) {
	acc, err := s.access(ctx, p, patientID)
	if err != nil {
		return kernel.List[Evaluation]{}, err
	}
	if page, err = page.Normalize(); err != nil {
		return kernel.List[Evaluation]{}, err
	}
	l, err := s.Store.Evaluations(ctx, patientID, page)
	if err != nil {
		return l, err
	}
	if !acc.Content() {
		for i := range l.Items {
			l.Items[i] = l.Items[i].Meta()
		}
	}
	return l, s.record(ctx, p, acc, "evaluation", "", "list")
}

// AmendEvaluation adds a new version of an evaluation by its author; the old
// stays readable. expected (the If-Match version), when not 0, must be current.
func (s *Service) AmendEvaluation(ctx context.Context, p kernel.Principal, id kernel.ID, expected int, content EvaluationContent, reason string) (Evaluation, error) {
	cur, err := s.Evaluation(ctx, p, id, 0)
	if err != nil {
		return Evaluation{}, err
	}
	if cur.AuthorID != p.AccountID {
		return Evaluation{}, kernel.Forbidden("só o autor pode retificar uma avaliação")
	}
	acc, _, err := s.writer(ctx, p, cur.PatientID)
	if err != nil {
		return Evaluation{}, err
	}
	if err := validReason("amend_reason", reason); err != nil {
		return Evaluation{}, err
	}
	if err := content.Validate(); err != nil {
		return Evaluation{}, err
	}
	now := s.now()
	e, err := s.Store.UpdateEvaluation(ctx, id, func(c Evaluation) (Evaluation, []kernel.Event, error) {
		if expected != 0 && c.Version != expected {
			return c, nil, kernel.PreconditionFailed("a avaliação mudou: a versão atual é %d", c.Version)
		}
		n := c
		n.Version, n.Content, n.SignedAt, n.CreatedAt, n.AmendReason = c.Version+1, content, nil, now, strings.TrimSpace(reason)
		return n, nil, nil
	})
	if err != nil {
		return Evaluation{}, err
	}
	return e, s.record(ctx, p, acc, "evaluation", id, "amend")
}

// SignEvaluation signs the current version by its author. If the evaluation is
// tied to an appointment, clinical.evaluation.signed tells scheduling to
// complete it.
func (s *Service) SignEvaluation(ctx context.Context, p kernel.Principal, id kernel.ID) (Evaluation, error) {
	cur, err := s.Evaluation(ctx, p, id, 0)
	if err != nil {
		return Evaluation{}, err
	}
	if cur.AuthorID != p.AccountID {
		return Evaluation{}, kernel.Forbidden("só o autor pode assinar uma avaliação")
	}
	acc, _, err := s.writer(ctx, p, cur.PatientID)
	if err != nil {
		return Evaluation{}, err
	}
	now := s.now()
	e, err := s.Store.UpdateEvaluation(ctx, id, func(c Evaluation) (Evaluation, []kernel.Event, error) {
		if c.SignedAt != nil {
			return c, nil, kernel.Conflict("a versão %d já está assinada", c.Version)
		}
		c.SignedAt = &now
		return c, []kernel.Event{signedEvent(c)}, nil
	})
	if err != nil {
		return Evaluation{}, err
	}
	return e, s.record(ctx, p, acc, "evaluation", id, "sign")
}

// --- treatment plans ---

// CreatePlan writes a treatment plan for a patient.
func (s *Service) CreatePlan(ctx context.Context, p kernel.Principal, patientID kernel.ID, in PlanInput) (Plan, error) {
	acc, _, err := s.writer(ctx, p, patientID)
	if err != nil {
		return Plan{}, err
	}
	if err := in.validate(); err != nil {
		return Plan{}, err
	}
	if in.Status != PlanDraft && in.Status != PlanActive {
		return Plan{}, kernel.Unprocessable("um novo plano deve ser draft ou active", kernel.FieldError{Field: "status", Message: "deve ser draft ou active para um novo plano"})
	}
	now := s.now()
	pl := Plan{ID: kernel.NewID(), PatientID: patientID, AuthorID: p.AccountID, Title: in.Title, Goals: nonNil(in.Goals),
		Start: in.Start, End: in.End, Status: in.Status, Items: withItemIDs(in.Items, nil), Version: 1, CreatedAt: now, UpdatedAt: now}
	ev := kernel.NewEvent("clinical.plan.created", pl.ID, map[string]string{"plan_id": pl.ID, "patient_id": patientID, "status": string(pl.Status)}, now)
	if err := s.Store.CreatePlan(ctx, pl, ev); err != nil {
		return Plan{}, err
	}
	return pl, s.record(ctx, p, acc, "treatment_plan", pl.ID, "create")
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// withItemIDs gives new items an ID and keeps the IDs of items that name one of old's.
func withItemIDs(items []PlanItem, old []PlanItem) []PlanItem {
	known := map[kernel.ID]bool{}
	for _, it := range old {
		known[it.ID] = true
	}
	out := make([]PlanItem, len(items))
	for i, it := range items {
		if !known[it.ID] {
			it.ID = kernel.NewID()
		}
		it.Tags = nonNil(it.Tags)
		out[i] = it
	}
	return out
}

// Plan returns a plan the caller may see.
func (s *Service) Plan(ctx context.Context, p kernel.Principal, id kernel.ID) (Plan, Access, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return Plan{}, Access{}, err
	}
	if !kernel.ValidID(id) {
		return Plan{}, Access{}, kernel.NotFound("plano de tratamento não encontrado")
	}
	pl, err := s.Store.Plan(ctx, id)
	if err != nil {
		return Plan{}, Access{}, hide(err, "treatment plan")
	}
	acc, err := s.access(ctx, p, pl.PatientID)
	if err != nil {
		return Plan{}, Access{}, hide(err, "treatment plan")
	}
	if !acc.Content() {
		pl = pl.Meta()
	}
	return pl, acc, s.record(ctx, p, acc, "treatment_plan", pl.ID, "read")
}

// Plans lists a patient's plans (of one status if given).
func (s *Service) Plans(ctx context.Context, p kernel.Principal, patientID kernel.ID, status PlanStatus, page kernel.Page) (kernel.List[Plan], error) {
	acc, err := s.access(ctx, p, patientID)
	if err != nil {
		return kernel.List[Plan]{}, err
	}
	var probs kernel.Problems
	switch status {
	case "", PlanDraft, PlanActive, PlanCompleted, PlanCancelled:
	default:
		probs.Add("status", "deve ser draft, active, completed ou cancelled")
	}
	if page, err = page.Normalize(); err != nil {
		return kernel.List[Plan]{}, err
	}
	if err := probs.Err(); err != nil {
		return kernel.List[Plan]{}, err
	}
	l, err := s.Store.Plans(ctx, patientID, status, page)
	if err != nil {
		return l, err
	}
	if !acc.Content() {
		for i := range l.Items {
			l.Items[i] = l.Items[i].Meta()
		}
	}
	return l, s.record(ctx, p, acc, "treatment_plan", "", "list")
}

// ActivePlans returns a patient's active plans, for the dashboard.
func (s *Service) ActivePlans(ctx context.Context, p kernel.Principal, patientID kernel.ID) ([]Plan, error) {
	l, err := s.Plans(ctx, p, patientID, PlanActive, kernel.Page{Limit: kernel.MaxLimit})
	if err != nil {
		return nil, err
	}
	return nonNil(l.Items), nil
}

// UpdatePlan replaces a plan's content by its author; version is the If-Match
// version and must be current (KindPrecondition otherwise).
func (s *Service) UpdatePlan(ctx context.Context, p kernel.Principal, id kernel.ID, version int64, in PlanInput) (Plan, error) {
	cur, _, err := s.Plan(ctx, p, id)
	if err != nil {
		return Plan{}, err
	}
	acc, _, err := s.writer(ctx, p, cur.PatientID)
	if err != nil {
		return Plan{}, err
	}
	if cur.AuthorID != p.AccountID {
		return Plan{}, kernel.Forbidden("só o autor pode atualizar um plano")
	}
	if err := in.validate(); err != nil {
		return Plan{}, err
	}
	now := s.now()
	pl, err := s.Store.UpdatePlan(ctx, id, func(pl *Plan) ([]kernel.Event, error) {
		if pl.Version != version {
			return nil, kernel.PreconditionFailed("o plano mudou: a versão atual é %d", pl.Version)
		}
		if !pl.Status.CanMove(in.Status) {
			return nil, kernel.Unprocessable("um plano não pode passar de "+string(pl.Status)+" para "+string(in.Status),
				kernel.FieldError{Field: "status", Message: "não pode passar de " + string(pl.Status) + " para " + string(in.Status)})
		}
		var evs []kernel.Event
		if pl.Status != in.Status {
			evs = append(evs, kernel.NewEvent("clinical.plan."+string(in.Status), pl.ID,
				map[string]string{"plan_id": pl.ID, "patient_id": pl.PatientID, "status": string(in.Status)}, now))
		}
		pl.Title, pl.Goals, pl.Start, pl.End, pl.Status = in.Title, nonNil(in.Goals), in.Start, in.End, in.Status
		pl.Items = withItemIDs(in.Items, pl.Items)
		pl.UpdatedAt = now
		return evs, nil
	})
	if err != nil {
		return Plan{}, err
	}
	return pl, s.record(ctx, p, acc, "treatment_plan", id, "update")
}

// AddProgress lets the patient mark progress on an item of an active plan.
func (s *Service) AddProgress(ctx context.Context, p kernel.Principal, planID kernel.ID, in ProgressInput) (Progress, error) {
	pl, acc, err := s.Plan(ctx, p, planID)
	if err != nil {
		return Progress{}, err
	}
	if acc.Basis != BasisSelf {
		return Progress{}, kernel.Forbidden("só o paciente pode registrar o progresso")
	}
	var probs kernel.Problems
	if probs.Require("item_id", in.ItemID) {
		if _, ok := pl.Item(in.ItemID); !ok {
			probs.Add("item_id", "não corresponde a nenhum item deste plano")
		}
	}
	day := in.Date.UTC().Truncate(24 * time.Hour)
	now := s.now()
	switch {
	case in.Date.IsZero():
		probs.Add("date", "é obrigatório")
	case day.After(now):
		probs.Add("date", "não pode estar no futuro")
	case day.Before(pl.Start.Truncate(24 * time.Hour)):
		probs.Add("date", "não pode ser anterior ao início do plano")
	}
	if len(in.Note) > MaxNoteLen {
		probs.Add("note", "deve ter no máximo %d caracteres", MaxNoteLen)
	}
	if err := probs.Err(); err != nil {
		return Progress{}, err
	}
	if pl.Status != PlanActive {
		return Progress{}, kernel.Conflict("o plano está com status %s, não active", pl.Status)
	}
	pr := Progress{ID: kernel.NewID(), PlanID: planID, ItemID: in.ItemID, PatientID: pl.PatientID, Date: day,
		Done: in.Done, Note: in.Note, CreatedAt: now}
	return pr, s.Store.AddProgress(ctx, pr)
}

// Progress lists a plan's progress marks.
func (s *Service) Progress(ctx context.Context, p kernel.Principal, planID kernel.ID, page kernel.Page) (kernel.List[Progress], error) {
	_, acc, err := s.Plan(ctx, p, planID)
	if err != nil {
		return kernel.List[Progress]{}, err
	}
	if !acc.Content() {
		return kernel.List[Progress]{}, kernel.Forbidden("administradores veem apenas metadados")
	}
	if page, err = page.Normalize(); err != nil {
		return kernel.List[Progress]{}, err
	}
	return s.Store.Progress(ctx, planID, page)
}
