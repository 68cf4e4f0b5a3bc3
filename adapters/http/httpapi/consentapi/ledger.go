package consentapi

import (
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/kernel"
)

// TermResponse is one version of a consent term.
type TermResponse struct {
	Purpose     string    `json:"purpose"`
	Version     string    `json:"version"`
	Title       string    `json:"title"`
	Summary     string    `json:"summary"`
	Text        string    `json:"text"`
	LegalBasis  string    `json:"legal_basis"`
	Required    bool      `json:"required"`
	PublishedAt time.Time `json:"published_at"`
}

// TermListResponse is the current term of every purpose.
type TermListResponse struct {
	Items []TermResponse `json:"items"`
}

// SchemaName names the schema.
func (TermListResponse) SchemaName() string { return "ConsentTermList" }

// SchemaName names the schema.
func (TermResponse) SchemaName() string { return "ConsentTerm" }

func termOf(t consent.Term) TermResponse {
	return TermResponse{Purpose: t.Purpose, Version: t.Version, Title: t.Title, Summary: t.Summary, Text: t.Text,
		LegalBasis: t.LegalBasis, Required: t.Required, PublishedAt: t.PublishedAt}
}

// ConsentRequest is the body of POST /v1/me/consents.
type ConsentRequest struct {
	Purpose     string `json:"purpose"`
	Decision    string `json:"decision"`
	TermVersion string `json:"term_version"`
}

// Limits documents what Record checks.
func (ConsentRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"purpose": {Length: 40, Enum: consent.Purposes},
		"decision":     {Length: 20, Enum: []string{string(consent.Granted), string(consent.Revoked)}},
		"term_version": {Length: 40}}
}

// Example grants the telemedicine term.
func (ConsentRequest) Example() any {
	t, _ := consent.CurrentTerm("telemedicine")
	return ConsentRequest{Purpose: t.Purpose, Decision: string(consent.Granted), TermVersion: t.Version}
}

// ConsentRecordResponse is one line of the consent ledger.
type ConsentRecordResponse struct {
	ID          string    `json:"id"`
	Purpose     string    `json:"purpose"`
	Decision    string    `json:"decision"`
	TermVersion string    `json:"term_version"`
	Channel     string    `json:"channel"`
	RequestID   string    `json:"request_id"`
	At          time.Time `json:"at"`
}

// SchemaName names the schema.
func (ConsentRecordResponse) SchemaName() string { return "ConsentRecord" }

func recordOf(r consent.ConsentRecord) ConsentRecordResponse {
	return ConsentRecordResponse{ID: r.ID, Purpose: r.Purpose, Decision: string(r.Decision), TermVersion: r.TermVersion,
		Channel: r.Channel, RequestID: r.RequestID, At: r.At}
}

// ConsentStateResponse is where one purpose stands.
type ConsentStateResponse struct {
	Purpose string `json:"purpose"`
	// Decision of the latest record; absent when the person never decided.
	Decision       string     `json:"decision,omitempty"`
	TermVersion    string     `json:"term_version,omitempty"`
	At             *time.Time `json:"at,omitempty"`
	CurrentVersion string     `json:"current_version"`
	// Effective: a grant of the current version, so processing under this purpose may go ahead.
	Effective bool   `json:"effective"`
	TermURL   string `json:"term_url"`
}

// SchemaName names the schema.
func (ConsentStateResponse) SchemaName() string { return "ConsentState" }

// MyConsentsResponse is the caller's consents: state per purpose and history, newest first.
type MyConsentsResponse struct {
	States  []ConsentStateResponse  `json:"states"`
	History []ConsentRecordResponse `json:"history"`
}

// SchemaName names the schema.
func (MyConsentsResponse) SchemaName() string { return "MyConsents" }

func myConsentsOf(v consent.MyConsentsView) MyConsentsResponse {
	out := MyConsentsResponse{States: make([]ConsentStateResponse, 0, len(v.States)), History: make([]ConsentRecordResponse, 0, len(v.History))}
	for _, s := range v.States {
		st := ConsentStateResponse{Purpose: s.Purpose, Decision: string(s.Decision), TermVersion: s.TermVersion,
			CurrentVersion: s.CurrentVersion, Effective: s.Effective, TermURL: consent.TermPath(s.Purpose)}
		if !s.At.IsZero() {
			at := s.At
			st.At = &at
		}
		out.States = append(out.States, st)
	}
	for _, r := range v.History {
		out.History = append(out.History, recordOf(r))
	}
	return out
}

// channelHeader names how the consent was given (the portal, the app, ...).
var channelHeader = httpapi.Param{Name: "X-Consent-Channel", MaxLength: 20, Enum: consent.Channels,
	Description: "how the consent was given (default api)"}

func (m *Module) registerLedger(r *httpapi.Router) {
	r.Handle(fiber.MethodGet, "/v1/consent-terms", httpapi.Op{ID: "listConsentTerms", Summary: "The current consent term of every purpose (pt-BR)", Tag: tag,
		Auth: httpapi.Public, Responses: ok(200, TermListResponse{})}, m.listTerms)
	r.Handle(fiber.MethodGet, "/v1/consent-terms/:purpose", httpapi.Op{ID: "getConsentTerm", Summary: "The current consent term of one purpose (pt-BR)", Tag: tag,
		Auth: httpapi.Public, Responses: ok(200, TermResponse{}, 404)}, m.getTerm)
	r.Handle(fiber.MethodPost, "/v1/me/consents", httpapi.Op{ID: "recordConsent", Summary: "Grant or revoke a purpose (appended to the ledger; nothing is updated in place)", Tag: tag,
		Description: "A grant names the current version of the purpose's term; a revocation may name any published version. " +
			"Patients, professionals and company members record their own consents; API keys and admins may not.",
		Auth: httpapi.User, Request: ConsentRequest{}, Headers: []httpapi.Param{channelHeader},
		Responses: ok(201, ConsentRecordResponse{}, 400, 401, 403, 415)}, m.recordConsent)
	r.Handle(fiber.MethodGet, "/v1/me/consents", httpapi.Op{ID: "myConsents", Summary: "The caller's consents: the state per purpose and the history, newest first", Tag: tag,
		Auth: httpapi.User, Responses: ok(200, MyConsentsResponse{}, 401, 403)}, m.myConsents)
}

func (m *Module) listTerms(c *fiber.Ctx) error {
	ts := m.svc.Terms()
	out := TermListResponse{Items: make([]TermResponse, 0, len(ts))}
	for _, t := range ts {
		out.Items = append(out.Items, termOf(t))
	}
	return httpapi.OK(c, out)
}

func (m *Module) getTerm(c *fiber.Ctx) error {
	t, err := m.svc.Term(strings.Clone(c.Params("purpose")))
	if err != nil {
		return err
	}
	return httpapi.OK(c, termOf(t))
}

func (m *Module) recordConsent(c *fiber.Ctx) error {
	var req ConsentRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	channel := strings.TrimSpace(c.Get(channelHeader.Name))
	if channel != "" && !slices.Contains(consent.Channels, channel) {
		return kernel.Invalid(channelHeader.Name, "deve ser um destes canais: %s", strings.Join(consent.Channels, ", "))
	}
	rec, err := m.svc.Record(c.UserContext(), httpapi.PrincipalOf(c), consent.ConsentInput{Purpose: req.Purpose,
		Decision: consent.Decision(req.Decision), TermVersion: req.TermVersion, Channel: strings.Clone(channel),
		RequestID: strings.Clone(httpapi.RequestID(c))})
	if err != nil {
		return err
	}
	return httpapi.Created(c, "/v1/me/consents", recordOf(rec))
}

func (m *Module) myConsents(c *fiber.Ctx) error {
	v, err := m.svc.MyConsents(c.UserContext(), httpapi.PrincipalOf(c))
	if err != nil {
		return err
	}
	return httpapi.OK(c, myConsentsOf(v))
}
