package consentapi

import (
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/consent"
)

// ErasureRequestBody confirms an erasure request.
type ErasureRequestBody struct {
	// Confirm must be "ELIMINAR": the erasure cannot be undone.
	Confirm string `json:"confirm"`
}

// Limits bounds the request.
func (ErasureRequestBody) Limits() httpapi.Limits {
	return httpapi.Limits{"confirm": {Length: 20}}
}

// Example implements httpapi.Exemplified.
func (ErasureRequestBody) Example() any {
	return ErasureRequestBody{Confirm: consent.ErasureConfirmation}
}

// ErasureDecisionResponse is what the erasure does to one data class.
type ErasureDecisionResponse struct {
	Class string `json:"class"`
	Name  string `json:"name"`
	// Action: anonymise_now, delete_now, block_until (then purged), retain_until (then anonymised) or keep.
	Action      string     `json:"action"`
	Until       *time.Time `json:"until,omitempty"`
	Explanation string     `json:"explanation"`
}

// ErasureResponse is an erasure request with its decision per data class.
type ErasureResponse struct {
	ID          string                    `json:"id"`
	SubjectID   string                    `json:"subject_id"`
	SubjectKind string                    `json:"subject_kind"`
	Status      string                    `json:"status"`
	Decisions   []ErasureDecisionResponse `json:"decisions"`
	Pending     string                    `json:"pending"`
	Done        []string                  `json:"done_steps"`
	CreatedAt   time.Time                 `json:"created_at"`
	CompletedAt *time.Time                `json:"completed_at,omitempty"`
}

// Example implements httpapi.Exemplified.
func (ErasureResponse) Example() any {
	now := time.Date(2026, 12, 1, 12, 30, 0, 0, time.UTC)
	f := consent.ErasureFacts{Kind: consent.SubjectPatient, LastClinicalEntry: now.AddDate(0, -3, 0), LastOrderAt: now.AddDate(0, -1, 0), Now: now}
	return erasureOut(consent.ErasureRequest{ID: "019d3f4e-8a2b-7c11-9e0f-5a6b7c8d9e0f", SubjectID: "019d3f4e-1111-7c11-9e0f-5a6b7c8d9e0f",
		SubjectKind: "patient", Status: consent.ErasurePending, Decisions: consent.DecideErasure(consent.DataClasses(), f),
		Pending: "Suas consultas e exames futuros são cancelados pelas regras usuais de cancelamento.", Done: []string{}, CreatedAt: now})
}

// ErasureSummaryResponse is an erasure request as an admin sees it: IDs,
// status and dates, never the subject's personal data.
type ErasureSummaryResponse struct {
	ID          string     `json:"id"`
	SubjectID   string     `json:"subject_id"`
	SubjectKind string     `json:"subject_kind"`
	Status      string     `json:"status"`
	Steps       int        `json:"steps"`
	DoneSteps   int        `json:"done_steps"`
	Attempts    int        `json:"attempts"`
	CreatedAt   time.Time  `json:"created_at"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
}

// Example implements httpapi.Exemplified.
func (ErasureSummaryResponse) Example() any {
	at := time.Date(2026, 12, 1, 12, 30, 0, 0, time.UTC)
	done := at.Add(time.Minute)
	return ErasureSummaryResponse{ID: "019d3f4e-8a2b-7c11-9e0f-5a6b7c8d9e0f", SubjectID: "019d3f4e-1111-7c11-9e0f-5a6b7c8d9e0f",
		SubjectKind: "patient", Status: "done", Steps: 13, DoneSteps: 13, Attempts: 1, CreatedAt: at, CompletedAt: &done}
}

func optUTC(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func erasureOut(r consent.ErasureRequest) ErasureResponse {
	out := ErasureResponse{ID: r.ID, SubjectID: r.SubjectID, SubjectKind: string(r.SubjectKind), Status: string(r.Status),
		Decisions: make([]ErasureDecisionResponse, 0, len(r.Decisions)), Pending: r.Pending, Done: r.Done,
		CreatedAt: r.CreatedAt.UTC(), CompletedAt: optUTC(r.CompletedAt)}
	if out.Done == nil {
		out.Done = []string{}
	}
	for _, d := range r.Decisions {
		out.Decisions = append(out.Decisions, ErasureDecisionResponse{Class: d.Class, Name: d.Name, Action: string(d.Action),
			Until: optUTC(d.Until), Explanation: d.Explanation})
	}
	return out
}

func erasureSummary(r consent.ErasureRequest) ErasureSummaryResponse {
	return ErasureSummaryResponse{ID: r.ID, SubjectID: r.SubjectID, SubjectKind: string(r.SubjectKind), Status: string(r.Status),
		Steps: len(r.Steps()), DoneSteps: len(r.Done), Attempts: r.Attempts, CreatedAt: r.CreatedAt.UTC(), CompletedAt: optUTC(r.CompletedAt)}
}

func erasurePath(id string) string { return "/v1/me/erasure-requests/" + id }

func (m *Module) registerErasure(r *httpapi.Router) {
	r.Handle(fiber.MethodPost, "/v1/me/erasure-requests", httpapi.Op{ID: "requestErasure",
		Summary: "Ask for the anonymisation, blocking and erasure of my data (LGPD art. 18, IV and VI)", Tag: tag, Auth: httpapi.User,
		Description: "Needs `{\"confirm\": \"ELIMINAR\"}`: it cannot be undone. Answers 202 with the decision per data class, explained in Portuguese: " +
			"clinical records are blocked for 20 years after the last entry (Lei 13.787/2018) and then purged; orders and payments are kept 5 years " +
			"for tax (CTN) and then anonymised; account, contact, notifications and marketing data are anonymised or deleted at once; consents and " +
			"the audit trail are kept as the controller's proof, with IDs only. The worker then carries it out: the account can no longer sign in, " +
			"its tokens stop working, future appointments and open orders are cancelled with the usual rules. One unfinished request per person (409).",
		Request: ErasureRequestBody{}, ResponseHeaders: []string{"Location"},
		Responses: ok(http.StatusAccepted, ErasureResponse{}, 400, 401, 403, 409, 415, 422)}, m.requestErasure)
	r.Handle(fiber.MethodGet, "/v1/me/erasure-requests/:id", httpapi.Op{ID: "getErasure", Summary: "One of my erasure requests, with its decisions and progress",
		Tag: tag, Auth: httpapi.User, Responses: ok(200, ErasureResponse{}, 401, 403, 404)}, m.getErasure)
	r.Handle(fiber.MethodGet, "/v1/admin/erasure-requests", httpapi.Op{ID: "adminListErasures", Summary: "Every erasure request, newest first (admins; IDs and status only)",
		Tag: tag, Auth: httpapi.User, Query: httpapi.PageParams,
		Responses: ok(200, httpapi.ListResponse[ErasureSummaryResponse]{}, 400, 401, 403)}, m.adminListErasures)
}

func (m *Module) requestErasure(c *fiber.Ctx) error {
	var req ErasureRequestBody
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	e, err := m.svc.RequestErasure(c.UserContext(), httpapi.PrincipalOf(c), consent.ErasureInput{Confirm: req.Confirm}, httpapi.RequestID(c))
	if err != nil {
		return err
	}
	c.Location(erasurePath(e.ID))
	return c.Status(http.StatusAccepted).JSON(erasureOut(e))
}

func (m *Module) getErasure(c *fiber.Ctx) error {
	e, err := m.svc.GetErasure(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	return httpapi.OK(c, erasureOut(e))
}

func (m *Module) adminListErasures(c *fiber.Ctx) error {
	q := httpapi.NewQuery(c)
	pg := q.Page()
	if err := q.Err(); err != nil {
		return err
	}
	l, err := m.svc.AdminListErasures(c.UserContext(), httpapi.PrincipalOf(c), pg)
	if err != nil {
		return err
	}
	return httpapi.OK(c, httpapi.NewList(l, erasureSummary))
}
