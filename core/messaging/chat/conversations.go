package chat

import (
	"context"

	"github.com/multisaude/multisaude/core/kernel"
)

// NewConversation asks for a conversation: a patient names ProfessionalID or
// OrderID, a professional names PatientID, a company member names OrderID.
type NewConversation struct {
	ProfessionalID kernel.ID
	PatientID      kernel.ID
	OrderID        kernel.ID
}

// NewMessage is a message to send: text, an attachment, or both.
type NewMessage struct {
	Text       string
	Attachment *NewAttachment
}

// NewAttachment is a file sent with a message.
type NewAttachment struct {
	Name        string
	ContentType string
	Data        []byte
}

var (
	errNoConversation = kernel.NotFound("conversa não encontrada")
	errNoMessage      = kernel.NotFound("mensagem não encontrada")
)

// StartConversation opens (or returns, created false) the conversation p may
// have: a patient with a professional who attends them (the clinical record's
// rule) or about one of their orders; a professional with a patient they
// attend; a company member about an order of their company. Anyone else, and
// any object p may not name, gets KindNotFound (existence is not revealed).
func (s *Service) StartConversation(ctx context.Context, p kernel.Principal, in NewConversation) (ConversationView, bool, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return ConversationView{}, false, err
	}
	c, err := s.conversationFor(ctx, p, in)
	if err != nil {
		return ConversationView{}, false, err
	}
	c.ID, c.CreatedAt = kernel.NewID(), s.now()
	out, created, err := s.d.Store.CreateConversation(ctx, c)
	if err != nil {
		return ConversationView{}, false, err
	}
	if created {
		if err := s.logAccess(ctx, p, out, "create"); err != nil {
			return ConversationView{}, false, err
		}
	}
	v, err := s.view(ctx, p, out)
	return v, created, err
}

// conversationFor decides the conversation p asks for, or answers not found.
func (s *Service) conversationFor(ctx context.Context, p kernel.Principal, in NewConversation) (Conversation, error) {
	var probs kernel.Problems
	set := 0
	for _, f := range []struct{ name, v string }{{"professional_id", in.ProfessionalID}, {"patient_id", in.PatientID}, {"order_id", in.OrderID}} {
		if f.v == "" {
			continue
		}
		set++
		if !kernel.ValidID(f.v) {
			probs.Add(f.name, "deve ser um ID")
		}
	}
	if set != 1 {
		probs.Add("professional_id", "informe exatamente um de professional_id, patient_id ou order_id")
	}
	if err := probs.Err(); err != nil {
		return Conversation{}, err
	}
	switch {
	case p.Kind == kernel.KindPatient && in.ProfessionalID != "":
		if err := s.mustAttend(ctx, in.ProfessionalID, p.AccountID, "profissional não encontrado"); err != nil {
			return Conversation{}, err
		}
		return Conversation{Kind: ConversationCare, PatientID: p.AccountID, ProfessionalID: in.ProfessionalID}, nil
	case p.Kind == kernel.KindProfessional && in.PatientID != "":
		if err := s.mustAttend(ctx, p.AccountID, in.PatientID, "paciente não encontrado"); err != nil {
			return Conversation{}, err
		}
		return Conversation{Kind: ConversationCare, PatientID: in.PatientID, ProfessionalID: p.AccountID}, nil
	case (p.Kind == kernel.KindPatient || p.Kind == kernel.KindCompanyMember) && in.OrderID != "":
		o, err := s.d.Relations.Order(ctx, in.OrderID)
		if err != nil && kernel.KindOf(err) != kernel.KindNotFound {
			return Conversation{}, kernel.Wrap(err, "read the order")
		}
		mine := err == nil && ((p.Kind == kernel.KindPatient && o.PatientID == p.AccountID) ||
			(p.Kind == kernel.KindCompanyMember && p.CompanyID != "" && o.CompanyID == p.CompanyID))
		if !mine {
			return Conversation{}, kernel.NotFound("pedido não encontrado")
		}
		return Conversation{Kind: ConversationOrder, PatientID: o.PatientID, CompanyID: o.CompanyID, OrderID: o.ID}, nil
	}
	switch {
	case in.ProfessionalID != "":
		return Conversation{}, kernel.NotFound("profissional não encontrado")
	case in.PatientID != "":
		return Conversation{}, kernel.NotFound("paciente não encontrado")
	}
	return Conversation{}, kernel.NotFound("pedido não encontrado")
}

func (s *Service) mustAttend(ctx context.Context, professionalID, patientID kernel.ID, notFound string) error {
	ok, err := s.d.Relations.Care(ctx, professionalID, patientID)
	if err != nil {
		return kernel.Wrap(err, "care relation")
	}
	if !ok {
		return kernel.NotFound("%s", notFound)
	}
	return nil
}

// Conversations lists p's conversations, the most recently active first.
func (s *Service) Conversations(ctx context.Context, p kernel.Principal, page kernel.Page) (kernel.List[ConversationView], error) {
	if err := p.RequireAuthenticated(); err != nil {
		return kernel.List[ConversationView]{}, err
	}
	f, ok := filterOf(p)
	if !ok {
		return kernel.List[ConversationView]{}, kernel.Forbidden("só pacientes, profissionais e membros de empresas parceiras têm conversas")
	}
	page, err := page.Normalize()
	if err != nil {
		return kernel.List[ConversationView]{}, err
	}
	l, err := s.d.Store.ListConversations(ctx, f, p.AccountID, page)
	if err != nil {
		return l, err
	}
	names := s.namer()
	for i := range l.Items {
		names.fill(ctx, &l.Items[i])
	}
	return l, nil
}

// Conversation returns one of p's conversations.
func (s *Service) Conversation(ctx context.Context, p kernel.Principal, id kernel.ID) (ConversationView, error) {
	c, err := s.conversation(ctx, p, id)
	if err != nil {
		return ConversationView{}, err
	}
	return s.view(ctx, p, c)
}

// filterOf is the side of conversations p takes part in.
func filterOf(p kernel.Principal) (ConversationFilter, bool) {
	switch p.Kind {
	case kernel.KindPatient:
		return ConversationFilter{PatientID: p.AccountID}, true
	case kernel.KindProfessional:
		return ConversationFilter{ProfessionalID: p.AccountID}, true
	case kernel.KindCompanyMember:
		if p.CompanyID != "" {
			return ConversationFilter{CompanyID: p.CompanyID}, true
		}
	}
	return ConversationFilter{}, false
}

// Participant reports whether p takes part in c (a company's members all do
// in its order conversations). Admins and API keys take part in none.
func Participant(p kernel.Principal, c Conversation) bool {
	if p.IsAnonymous() {
		return false
	}
	switch p.Kind {
	case kernel.KindPatient:
		return c.PatientID == p.AccountID
	case kernel.KindProfessional:
		return c.Kind == ConversationCare && c.ProfessionalID == p.AccountID
	case kernel.KindCompanyMember:
		return c.Kind == ConversationOrder && p.CompanyID != "" && c.CompanyID == p.CompanyID
	}
	return false
}

// conversation loads id for p: KindNotFound when absent or when p does not
// take part in it.
func (s *Service) conversation(ctx context.Context, p kernel.Principal, id kernel.ID) (Conversation, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return Conversation{}, err
	}
	if !kernel.ValidID(id) {
		return Conversation{}, errNoConversation
	}
	c, err := s.d.Store.GetConversation(ctx, id)
	if err != nil {
		if kernel.KindOf(err) == kernel.KindNotFound {
			return Conversation{}, errNoConversation
		}
		return Conversation{}, err
	}
	if !Participant(p, c) {
		return Conversation{}, errNoConversation
	}
	return c, nil
}

// view is c as p sees it (unread count, marker, names).
func (s *Service) view(ctx context.Context, p kernel.Principal, c Conversation) (ConversationView, error) {
	f, ok := filterOf(p)
	if !ok {
		return ConversationView{}, errNoConversation
	}
	f.ID = c.ID
	l, err := s.d.Store.ListConversations(ctx, f, p.AccountID, kernel.Page{Limit: 1})
	if err != nil {
		return ConversationView{}, err
	}
	v := ConversationView{Conversation: c}
	if len(l.Items) == 1 {
		v = l.Items[0]
	}
	s.namer().fill(ctx, &v)
	return v, nil
}

// logAccess writes a professional's access to a care conversation into the
// clinical access log (no-op for others).
func (s *Service) logAccess(ctx context.Context, p kernel.Principal, c Conversation, action string) error {
	if s.d.Records == nil || p.Kind != kernel.KindProfessional || c.Kind != ConversationCare {
		return nil
	}
	if err := s.d.Records.LogConversationAccess(ctx, RecordAccess{PatientID: c.PatientID, ProfessionalID: p.AccountID,
		ConversationID: c.ID, Action: action, At: s.now()}); err != nil {
		return kernel.Wrap(err, "log the conversation access")
	}
	return nil
}
