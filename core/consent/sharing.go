package consent

import (
	"context"
	"sort"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// MaxSharingAccesses caps the access-log entries one sharing report reads
// (the newest ones); the report says when it was cut.
const MaxSharingAccesses = 5000

// AccessRecord is one entry of a patient's record access log, as the sharing
// report reads it from the clinical context.
type AccessRecord struct {
	ActorID    kernel.ID
	ActorKind  kernel.AccountKind
	ActorName  string // the professional's name, if known
	ObjectType string
	Basis      string // care, share, emergency, metadata, self
	At         time.Time
}

// SharingSource is what the sharing report reads from other contexts.
type SharingSource interface {
	// AccessLog returns the patient's access log, newest first, at most max
	// entries, and whether there were more.
	AccessLog(ctx context.Context, p kernel.Principal, max int) ([]AccessRecord, bool, error)
	// RecipientName returns the public name of a professional or company, or ""
	// when it is unknown (an erased account).
	RecipientName(ctx context.Context, kind string, id kernel.ID) string
}

// Recipient is who received a subject's data.
type Recipient struct {
	Kind string // professional, company, api_key, platform
	ID   kernel.ID
	Name string
}

// SharingLine is one recipient, one category and one basis, with when and how often.
type SharingLine struct {
	Recipient Recipient
	Category  string // a data class code
	Basis     string // care, share, emergency, order, api_key, metadata, or a purpose
	First     time.Time
	Last      time.Time
	Count     int
}

// SharingReport is GET /v1/me/sharing.
type SharingReport struct {
	Lines       []SharingLine
	Truncated   bool // the access log had more than MaxSharingAccesses entries
	GeneratedAt time.Time
}

// categoryOf maps an access-log object type to a data class.
func categoryOf(objectType string) string {
	switch objectType {
	case "appointment":
		return ClassAppointments
	case "order":
		return ClassOrders
	case "payment":
		return ClassPayments
	case "conversation":
		return ClassCareMessages
	default: // record, history, evaluation, treatment_plan, prescription, document, ...
		return ClassClinical
	}
}

func recipientKind(k kernel.AccountKind) string {
	switch k {
	case kernel.KindProfessional:
		return "professional"
	case kernel.KindCompanyMember:
		return "company"
	case kernel.KindAPIKey:
		return "api_key"
	default:
		return "platform"
	}
}

// MySharing builds the calling patient's sharing report: every professional,
// company and partner that received which category of their data, when and on
// what basis. Their own reads are left out.
func (s *Service) MySharing(ctx context.Context, p kernel.Principal) (SharingReport, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return SharingReport{}, err
	}
	if p.Kind != kernel.KindPatient {
		return SharingReport{}, kernel.Forbidden("o relatório de compartilhamento é dos pacientes")
	}
	rep := SharingReport{GeneratedAt: s.now()}
	type key struct{ kind, id, cat, basis string }
	lines := map[key]*SharingLine{}
	add := func(r Recipient, cat, basis string, at time.Time) {
		k := key{r.Kind, r.ID, cat, basis}
		l, ok := lines[k]
		if !ok {
			l = &SharingLine{Recipient: r, Category: cat, Basis: basis, First: at, Last: at}
			lines[k] = l
		}
		l.Count++
		if at.Before(l.First) {
			l.First = at
		}
		if at.After(l.Last) {
			l.Last = at
		}
		if l.Recipient.Name == "" {
			l.Recipient.Name = r.Name
		}
	}
	if s.Sharing != nil {
		acc, more, err := s.Sharing.AccessLog(ctx, p, MaxSharingAccesses)
		if err != nil {
			return SharingReport{}, err
		}
		rep.Truncated = more
		for _, a := range acc {
			if a.ActorID == p.AccountID || a.ActorKind == kernel.KindPatient {
				continue
			}
			add(Recipient{Kind: recipientKind(a.ActorKind), ID: a.ActorID, Name: a.ActorName}, categoryOf(a.ObjectType), a.Basis, a.At)
		}
	}
	if s.Disclosures != nil {
		ds, err := s.Disclosures.ListDisclosures(ctx, p.AccountID)
		if err != nil {
			return SharingReport{}, err
		}
		names := map[string]string{}
		for _, d := range ds {
			nk := d.RecipientKind + "/" + d.RecipientID
			name, ok := names[nk]
			if !ok && s.Sharing != nil {
				name = s.Sharing.RecipientName(ctx, d.RecipientKind, d.RecipientID)
				names[nk] = name
			}
			add(Recipient{Kind: d.RecipientKind, ID: d.RecipientID, Name: name}, d.Category, d.Basis, d.At)
		}
	}
	for _, l := range lines {
		rep.Lines = append(rep.Lines, *l)
	}
	sort.Slice(rep.Lines, func(i, j int) bool {
		a, b := rep.Lines[i], rep.Lines[j]
		if !a.Last.Equal(b.Last) {
			return a.Last.After(b.Last)
		}
		return a.Recipient.ID+a.Category+a.Basis < b.Recipient.ID+b.Category+b.Basis
	})
	return rep, nil
}
