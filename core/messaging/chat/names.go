package chat

import (
	"context"

	"github.com/multisaude/multisaude/core/kernel"
)

// namer looks display names up once per request.
type namer struct {
	s     *Service
	cache map[string]string
}

func (s *Service) namer() *namer { return &namer{s: s, cache: map[string]string{}} }

// name is an account's (or, for company members, the company's) display
// name; "" when unknown or when the lookup fails (names are decoration: a
// failure is logged and does not fail the request).
func (n *namer) name(ctx context.Context, kind kernel.AccountKind, id kernel.ID) string {
	if id == "" {
		return ""
	}
	k := string(kind) + "/" + id
	if v, ok := n.cache[k]; ok {
		return v
	}
	v, err := n.s.d.Relations.DisplayName(ctx, kind, id)
	if err != nil {
		n.s.d.Log.Warn("chat display name lookup failed", "account_kind", string(kind), "account_id", id, "kind", string(kernel.KindOf(err)))
		v = ""
	}
	n.cache[k] = v
	return v
}

func (n *namer) fill(ctx context.Context, v *ConversationView) {
	v.PatientName = n.name(ctx, kernel.KindPatient, v.PatientID)
	v.ProfessionalName = n.name(ctx, kernel.KindProfessional, v.ProfessionalID)
	v.CompanyName = n.name(ctx, kernel.KindCompanyMember, v.CompanyID)
}

// sender fills m's SenderName; a company member is shown by the company's
// trade name (companyID is the conversation's company).
func (n *namer) sender(ctx context.Context, m *Message, companyID kernel.ID) {
	if m.SenderKind == kernel.KindCompanyMember {
		m.SenderName = n.name(ctx, kernel.KindCompanyMember, companyID)
		return
	}
	m.SenderName = n.name(ctx, m.SenderKind, m.SenderID)
}

// WithNames fills the SenderName of messages of one conversation c (for the
// live feed, which sends the same shape as the routes).
func (s *Service) WithNames(ctx context.Context, c Conversation, msgs []Message) {
	n := s.namer()
	for i := range msgs {
		n.sender(ctx, &msgs[i], c.CompanyID)
	}
}
