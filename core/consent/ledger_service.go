package consent

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Channels is how a consent may be given; ChannelAPI is the default.
var Channels = []string{ChannelAPI, "portal", "app", "in_person", "phone"}

// ChannelAPI is the channel of a consent recorded through the API without a stated channel.
const ChannelAPI = "api"

// MaxRequestIDLen caps the request id kept with a record.
const MaxRequestIDLen = 128

// ConsentInput is one decision a data subject records.
type ConsentInput struct {
	Purpose     string
	Decision    Decision
	TermVersion string
	Channel     string // one of Channels; empty is ChannelAPI
	RequestID   string // the request that carried it
}

// ConsentState is where one purpose stands for a subject.
type ConsentState struct {
	Purpose        string
	Decision       Decision // "" when the subject never decided
	TermVersion    string   // of the latest record
	At             time.Time
	CurrentVersion string // the term's current version
	// Effective: the latest record is a grant of the current version, so
	// processing that needs this purpose may go ahead.
	Effective bool
}

// MyConsentsView is a subject's consents: the state per purpose (Purposes'
// order) and the history, newest first.
type MyConsentsView struct {
	States  []ConsentState
	History []ConsentRecord
}

// mayHoldConsents: people decide for themselves; API keys and admins have no
// personal consent to give.
func mayHoldConsents(p kernel.Principal) error {
	if err := p.RequireAuthenticated(); err != nil {
		return err
	}
	switch p.Kind {
	case kernel.KindPatient, kernel.KindProfessional, kernel.KindCompanyMember:
		return nil
	}
	return kernel.Forbidden("somente pacientes, profissionais e membros de empresas registram os próprios consentimentos")
}

// Terms returns the current term of every purpose (public).
func (s *Service) Terms() []Term { return Terms() }

// Term returns purpose's current term; kernel.KindNotFound for an unknown purpose.
func (s *Service) Term(purpose string) (Term, error) {
	t, ok := CurrentTerm(purpose)
	if !ok {
		return Term{}, kernel.NotFound("finalidade de consentimento desconhecida")
	}
	return t, nil
}

// Record appends the caller's decision about a purpose to the ledger. A grant
// must name the current version of the term; a revocation may name any
// published version. Bad input is kernel.KindInvalid, field by field.
func (s *Service) Record(ctx context.Context, p kernel.Principal, in ConsentInput) (ConsentRecord, error) {
	if err := mayHoldConsents(p); err != nil {
		return ConsentRecord{}, err
	}
	if err := in.validate(); err != nil {
		return ConsentRecord{}, err
	}
	if in.Channel == "" {
		in.Channel = ChannelAPI
	}
	r := ConsentRecord{ID: kernel.NewID(), SubjectID: p.AccountID, SubjectKind: p.Kind, Purpose: in.Purpose,
		Decision: in.Decision, TermVersion: in.TermVersion, Channel: in.Channel, RequestID: in.RequestID, At: s.now()}
	if err := s.Ledger.AppendConsent(ctx, r); err != nil {
		return ConsentRecord{}, kernel.Wrap(err, "append consent")
	}
	s.Log.Info("consent recorded", "consent_id", r.ID, "subject_id", r.SubjectID, "purpose", r.Purpose,
		"decision", string(r.Decision), "term_version", r.TermVersion, "request_id", r.RequestID)
	return r, nil
}

func (in *ConsentInput) validate() error {
	in.Purpose, in.TermVersion = strings.TrimSpace(in.Purpose), strings.TrimSpace(in.TermVersion)
	in.Channel = strings.TrimSpace(in.Channel)
	if len(in.RequestID) > MaxRequestIDLen {
		in.RequestID = in.RequestID[:MaxRequestIDLen]
	}
	var pr kernel.Problems
	known := false
	if pr.Require("purpose", in.Purpose) {
		if known = KnownPurpose(in.Purpose); !known {
			pr.Add("purpose", "deve ser uma destas finalidades: %s", strings.Join(Purposes, ", "))
		}
	}
	switch in.Decision {
	case Granted, Revoked:
	case "":
		pr.Add("decision", "é obrigatório")
	default:
		pr.Add("decision", "deve ser granted (consentir) ou revoked (revogar)")
	}
	if in.Channel != "" && !slices.Contains(Channels, in.Channel) {
		pr.Add("channel", "deve ser um destes canais: %s", strings.Join(Channels, ", "))
	}
	if pr.Require("term_version", in.TermVersion) && known {
		cur, _ := CurrentTerm(in.Purpose)
		_, published := TermVersion(in.Purpose, in.TermVersion)
		switch {
		case in.Decision == Granted && in.TermVersion != cur.Version:
			pr.Add("term_version", "não é a versão vigente do termo; leia e aceite a versão %s em %s", cur.Version, TermPath(in.Purpose))
		case in.Decision == Revoked && !published:
			pr.Add("term_version", "não é uma versão publicada do termo; a vigente é %s (%s)", cur.Version, TermPath(in.Purpose))
		}
	}
	return pr.Err()
}

// MyConsents returns the caller's state per purpose and history, newest first.
func (s *Service) MyConsents(ctx context.Context, p kernel.Principal) (MyConsentsView, error) {
	if err := mayHoldConsents(p); err != nil {
		return MyConsentsView{}, err
	}
	var v MyConsentsView
	for _, purpose := range Purposes {
		st, err := stateOf(ctx, s.Ledger, p.AccountID, purpose)
		if err != nil {
			return MyConsentsView{}, err
		}
		v.States = append(v.States, st)
	}
	h, err := s.Ledger.ConsentHistory(ctx, p.AccountID)
	if err != nil {
		return MyConsentsView{}, kernel.Wrap(err, "read consent history")
	}
	if len(h) > MaxLedgerHistory {
		h = h[len(h)-MaxLedgerHistory:]
	}
	slices.Reverse(h)
	v.History = h
	return v, nil
}

// stateOf is purpose's state for subjectID from its latest record.
func stateOf(ctx context.Context, l LedgerStore, subjectID kernel.ID, purpose string) (ConsentState, error) {
	cur, _ := CurrentTerm(purpose)
	st := ConsentState{Purpose: purpose, CurrentVersion: cur.Version}
	r, err := l.LatestConsent(ctx, subjectID, purpose)
	switch {
	case kernel.KindOf(err) == kernel.KindNotFound:
		return st, nil
	case err != nil:
		return ConsentState{}, kernel.Wrap(err, "read latest consent")
	}
	st.Decision, st.TermVersion, st.At = r.Decision, r.TermVersion, r.At
	st.Effective = r.Decision == Granted && r.TermVersion == cur.Version
	return st, nil
}

// consentRequired is the conflict Require answers: the term to accept.
func consentRequired(purpose string) error {
	cur, _ := CurrentTerm(purpose)
	return &kernel.Error{Kind: kernel.KindConflict,
		Message: "é preciso aceitar o termo de consentimento \"" + cur.Title + "\" (finalidade " + purpose + ", versão " +
			cur.Version + ", disponível em " + TermPath(purpose) + ") antes de continuar",
		Err: &ports.ConsentRequired{Purpose: purpose, TermVersion: cur.Version, TermURL: TermPath(purpose)}}
}
