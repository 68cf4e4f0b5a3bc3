package consent

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// ErasureStatus is where an erasure request stands.
type ErasureStatus string

const (
	ErasurePending ErasureStatus = "pending" // stored, waiting for the worker
	ErasureRunning ErasureStatus = "running" // the worker started; some steps are done
	ErasureDone    ErasureStatus = "done"
)

// ErasureConfirmation is what the subject types to confirm an erasure request.
const ErasureConfirmation = "ELIMINAR"

// Erasure steps besides the data classes, run first and in this order.
const (
	StepAccess  = "access"  // sign-in disabled, sessions and refresh tokens revoked
	StepPending = "pending" // future appointments and open orders cancelled
)

// ErasureRequest is a data subject's request to anonymise, block or delete
// their personal data (LGPD art. 18, IV and VI), with the decision per class
// taken when it was made. It holds IDs and codes only.
type ErasureRequest struct {
	ID          kernel.ID
	SubjectID   kernel.ID
	SubjectKind kernel.AccountKind
	Status      ErasureStatus
	Decisions   []ErasureDecision
	// Pending says, in pt-BR, what happens to the subject's pending things.
	Pending string
	// Done lists the steps carried out (StepAccess, StepPending, class codes).
	Done        []string
	Attempts    int
	CreatedAt   time.Time
	UpdatedAt   time.Time
	CompletedAt time.Time
	RequestID   string
}

// Steps are the steps the worker carries out, in order.
func (r ErasureRequest) Steps() []string {
	steps := []string{StepAccess, StepPending}
	for _, d := range r.Decisions {
		steps = append(steps, d.Class)
	}
	return steps
}

// ErasureStore keeps erasure requests.
type ErasureStore interface {
	// CreateErasure stores r with events in one transaction (the outbox).
	// kernel.KindConflict when the subject already has an unfinished request.
	CreateErasure(ctx context.Context, r ErasureRequest, events ...kernel.Event) error
	// GetErasure returns a request; kernel.KindNotFound when absent.
	GetErasure(ctx context.Context, id kernel.ID) (ErasureRequest, error)
	// UpdateErasure runs fn on the request inside a transaction on the locked
	// row and saves what it changed (status, done steps, attempts, completion);
	// fn's error is returned and nothing is saved. kernel.KindNotFound when absent.
	UpdateErasure(ctx context.Context, id kernel.ID, fn func(*ErasureRequest) error) (ErasureRequest, error)
	// ListErasures lists every request, newest first, paged.
	ListErasures(ctx context.Context, page kernel.Page) (kernel.List[ErasureRequest], error)
	// ErasedSubjects lists subjects whose erasure is done, at most limit, after
	// the subject ID after (ordered by subject ID), for the retention purge.
	ErasedSubjects(ctx context.Context, after kernel.ID, limit int) ([]kernel.ID, error)
}

// Eraser carries out erasure in the other contexts, through their public use
// cases. Every method is idempotent: running it again after a crash changes
// nothing more.
type Eraser interface {
	// ErasureFacts gathers what DecideErasure needs about the subject (all but Kind and Now).
	ErasureFacts(ctx context.Context, subjectID kernel.ID, kind SubjectKind) (ErasureFacts, error)
	// RevokeAccess disables the account's sign-in and ends its sessions, refresh
	// tokens and access tokens.
	RevokeAccess(ctx context.Context, subjectID kernel.ID, kind SubjectKind) error
	// CancelPending cancels the subject's future appointments and open orders
	// with the usual rules (refunds as the cancellation policy says).
	CancelPending(ctx context.Context, subjectID kernel.ID, kind SubjectKind) error
	// Erase carries out one class's decision; classes the subject has nothing
	// in, or that another class's step covers, are no-ops.
	Erase(ctx context.Context, subjectID kernel.ID, kind SubjectKind, d ErasureDecision, now time.Time) error
	// PurgeClinical deletes the clinical records (and their documents) of at
	// most limit patients whose last entry is before cutoff; it returns how
	// many patients it purged.
	PurgeClinical(ctx context.Context, cutoff time.Time, limit int) (int, error)
	// AnonymiseOrders anonymises the delivery data of the subject's orders
	// placed before cutoff; it returns how many it changed.
	AnonymiseOrders(ctx context.Context, subjectID kernel.ID, cutoff time.Time) (int, error)
	// PurgeMessages erases the text and attachments of chat messages past
	// their retention at now (care conversations 20 years, order
	// conversations 5 years after their last message), at most limit
	// messages; it returns how many it erased.
	PurgeMessages(ctx context.Context, now time.Time, limit int) (int, error)
}

// ErasureInput is the body of an erasure request.
type ErasureInput struct {
	Confirm string // must be ErasureConfirmation
}

// erasureMsg is the body of TopicErasureRequested.
type erasureMsg struct {
	ErasureID kernel.ID `json:"erasure_id"`
}

// Caps of the retention purge (one run).
const (
	PurgeBatch        = 200   // patients purged per call
	MaxPurgePatients  = 10000 // patients one run purges at most; the next run goes on
	MaxPurgeSubjects  = 10000 // erased subjects whose orders one run anonymises at most
	MaxPurgeMessages  = 50000 // chat messages one run erases at most; the next run goes on
	erasedSubjectPage = 500
)

func notFoundErasure() error { return kernel.NotFound("pedido de eliminação não encontrado") }

func subjectKindOf(k kernel.AccountKind) (SubjectKind, bool) {
	switch k {
	case kernel.KindPatient:
		return SubjectPatient, true
	case kernel.KindProfessional:
		return SubjectProfessional, true
	case kernel.KindCompanyMember:
		return SubjectCompany, true
	}
	return "", false
}

func erasureOwner(p kernel.Principal) (SubjectKind, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return "", err
	}
	k, ok := subjectKindOf(p.Kind)
	if !ok {
		return "", kernel.Forbidden("somente pacientes, profissionais e membros de empresas pedem a eliminação dos próprios dados")
	}
	return k, nil
}

// pendingNote says what happens to the subject's pending things.
func pendingNote(k SubjectKind) string {
	switch k {
	case SubjectPatient:
		return "Suas consultas e exames futuros são cancelados pelas regras usuais de cancelamento (com reembolso quando a política prevê), " +
			"e os profissionais são avisados. Pedidos ainda não enviados pelo parceiro são cancelados e, se pagos, reembolsados; " +
			"pedidos já enviados seguem até a entrega e ficam sob a guarda fiscal descrita acima."
	case SubjectProfessional:
		return "Suas consultas futuras são canceladas pelas regras usuais (os pacientes são avisados e reembolsados quando pagaram) " +
			"e seu perfil sai da busca. Os prontuários que você escreveu pertencem aos pacientes e seguem guardados pelo prazo legal, " +
			"com a sua autoria identificada só pelo registro no conselho."
	default:
		return "Seu acesso à conta da empresa é encerrado; os pedidos e o catálogo são da empresa e continuam com os demais membros."
	}
}

// RequestErasure records the caller's erasure request, decided per data class
// now, with its TopicErasureRequested event in the same transaction; the
// worker carries it out. in.Confirm must be ErasureConfirmation. One
// unfinished request per person (KindConflict).
func (s *Service) RequestErasure(ctx context.Context, p kernel.Principal, in ErasureInput, requestID string) (ErasureRequest, error) {
	kind, err := erasureOwner(p)
	if err != nil {
		return ErasureRequest{}, err
	}
	if strings.TrimSpace(in.Confirm) != ErasureConfirmation {
		return ErasureRequest{}, kernel.Invalid("confirm", "para confirmar, envie exatamente %q; a eliminação não pode ser desfeita", ErasureConfirmation)
	}
	now := s.now()
	facts := ErasureFacts{}
	if s.Eraser != nil {
		if facts, err = s.Eraser.ErasureFacts(ctx, p.AccountID, kind); err != nil {
			return ErasureRequest{}, err
		}
	}
	facts.Kind, facts.Now = kind, now
	r := ErasureRequest{ID: kernel.NewID(), SubjectID: p.AccountID, SubjectKind: p.Kind, Status: ErasurePending,
		Decisions: DecideErasure(DataClasses(), facts), Pending: pendingNote(kind), Done: []string{},
		CreatedAt: now, UpdatedAt: now, RequestID: requestID}
	ev := kernel.NewEvent(TopicErasureRequested, r.ID, erasureMsg{ErasureID: r.ID}, now)
	if err := s.Erasures.CreateErasure(ctx, r, ev); err != nil {
		return ErasureRequest{}, err
	}
	s.audit(ctx, ports.AuditRecord{At: now, ActorID: p.AccountID, ActorKind: string(p.Kind), Action: "erasure.request",
		ObjectType: "erasure_request", ObjectID: r.ID, SubjectID: p.AccountID, RequestID: requestID})
	return r, nil
}

// GetErasure returns one of the caller's erasure requests; anyone else's
// (an admin's call included) is KindNotFound.
func (s *Service) GetErasure(ctx context.Context, p kernel.Principal, id kernel.ID) (ErasureRequest, error) {
	if _, err := erasureOwner(p); err != nil {
		if kernel.KindOf(err) == kernel.KindForbidden {
			return ErasureRequest{}, notFoundErasure()
		}
		return ErasureRequest{}, err
	}
	if !kernel.ValidID(id) {
		return ErasureRequest{}, notFoundErasure()
	}
	r, err := s.Erasures.GetErasure(ctx, id)
	if kernel.KindOf(err) == kernel.KindNotFound || err == nil && r.SubjectID != p.AccountID {
		return ErasureRequest{}, notFoundErasure()
	}
	return r, err
}

// AdminListErasures lists every erasure request, newest first (admins only).
// Requests hold IDs and codes only, never the subject's personal data.
func (s *Service) AdminListErasures(ctx context.Context, p kernel.Principal, page kernel.Page) (kernel.List[ErasureRequest], error) {
	if err := p.RequireAuthenticated(); err != nil {
		return kernel.List[ErasureRequest]{}, err
	}
	if p.Kind != kernel.KindAdmin {
		return kernel.List[ErasureRequest]{}, kernel.Forbidden("somente administradores veem os pedidos de eliminação")
	}
	page, err := page.Normalize()
	if err != nil {
		return kernel.List[ErasureRequest]{}, err
	}
	return s.Erasures.ListErasures(ctx, page)
}

func (s *Service) erasureConsumers() []Consumer {
	return []Consumer{
		{Name: "consent-erasure", Topic: TopicErasureRequested, Handle: s.HandleErasureRequested},
		{Name: "consent-retention-purge", Topic: TopicRetentionPurge, Handle: s.HandleRetentionPurge},
	}
}

// HandleErasureRequested consumes TopicErasureRequested: see ExecuteErasure.
func (s *Service) HandleErasureRequested(ctx context.Context, d ports.Delivery) error {
	var m erasureMsg
	if err := json.Unmarshal(d.Body, &m); err != nil || !kernel.ValidID(m.ErasureID) {
		s.Log.Error("bad consent.erasure.requested message; dropped", "message_id", d.ID)
		return nil
	}
	return s.ExecuteErasure(ctx, m.ErasureID)
}

// ExecuteErasure carries out an erasure request step by step (access, pending
// things, then each class's decision), recording each step once done, so a
// run that fails midway resumes where it stopped and a repeated delivery
// changes nothing. The platform's own action.
func (s *Service) ExecuteErasure(ctx context.Context, id kernel.ID) error {
	r, err := s.Erasures.UpdateErasure(ctx, id, func(x *ErasureRequest) error {
		if x.Status == ErasureDone {
			return errErasureNoop
		}
		x.Status, x.Attempts, x.UpdatedAt = ErasureRunning, x.Attempts+1, s.now()
		return nil
	})
	if err == errErasureNoop || kernel.KindOf(err) == kernel.KindNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if s.Eraser == nil {
		return kernel.Unavailable(nil, "nenhum executor de eliminação configurado")
	}
	kind, _ := subjectKindOf(r.SubjectKind)
	for _, step := range r.Steps() {
		if slices.Contains(r.Done, step) {
			continue
		}
		if err := s.eraseStep(ctx, r, kind, step); err != nil {
			s.Log.Warn("erasure step failed; it will be retried", "erasure_id", r.ID, "step", step, "kind", kernel.KindOf(err))
			return err
		}
		if r, err = s.Erasures.UpdateErasure(ctx, id, func(x *ErasureRequest) error {
			if !slices.Contains(x.Done, step) {
				x.Done = append(x.Done, step)
			}
			x.UpdatedAt = s.now()
			return nil
		}); err != nil {
			return err
		}
	}
	now := s.now()
	if _, err := s.Erasures.UpdateErasure(ctx, id, func(x *ErasureRequest) error {
		x.Status, x.CompletedAt, x.UpdatedAt = ErasureDone, now, now
		return nil
	}); err != nil {
		return err
	}
	s.audit(ctx, ports.AuditRecord{At: now, ActorKind: "system", Action: "erasure.execute", ObjectType: "erasure_request",
		ObjectID: r.ID, SubjectID: r.SubjectID, Details: map[string]string{"subject_kind": string(r.SubjectKind)}, RequestID: r.RequestID})
	s.Log.Info("erasure carried out", "erasure_id", r.ID, "steps", len(r.Steps()))
	return nil
}

var errErasureNoop = kernel.Conflict("nada a fazer")

func (s *Service) eraseStep(ctx context.Context, r ErasureRequest, kind SubjectKind, step string) error {
	switch step {
	case StepAccess:
		return s.Eraser.RevokeAccess(ctx, r.SubjectID, kind)
	case StepPending:
		return s.Eraser.CancelPending(ctx, r.SubjectID, kind)
	}
	for _, d := range r.Decisions {
		if d.Class == step {
			return s.Eraser.Erase(ctx, r.SubjectID, kind, d, s.now())
		}
	}
	return nil
}
