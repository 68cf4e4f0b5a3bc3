package consentapi

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/kernel"
)

// The incident register (platform admins only).

// IncidentRequest registers a security incident.
type IncidentRequest struct {
	Title             string     `json:"title"`
	Description       string     `json:"description"`
	OccurredAt        *time.Time `json:"occurred_at,omitempty"`
	DetectedAt        time.Time  `json:"detected_at"`
	Categories        []string   `json:"categories"`
	SubjectsAffected  int64      `json:"subjects_affected"`
	SubjectsEstimated bool       `json:"subjects_estimated"`
	Risk              string     `json:"risk"`
	RiskReasoning     string     `json:"risk_reasoning"`
	Measures          string     `json:"measures,omitempty"`
}

func classCodes() []string {
	cs := consent.DataClasses()
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Code
	}
	return out
}

// timeLimit documents an RFC 3339 instant.
var timeLimit = httpapi.Limit{Length: 40, Format: "date-time"}

var risks = []string{string(consent.RiskLow), string(consent.RiskMedium), string(consent.RiskHigh)}

// Limits bounds the request.
func (IncidentRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"title": {Length: consent.MaxIncidentTitle}, "description": {Length: consent.MaxIncidentText},
		"risk_reasoning": {Length: consent.MaxIncidentText}, "measures": {Length: consent.MaxIncidentText},
		"categories": {Items: len(consent.DataClasses()), Length: 40, Enum: classCodes()}, "risk": {Length: 10, Enum: risks},
		"detected_at": timeLimit, "occurred_at": timeLimit}
}

// IncidentPatchRequest changes an incident; absent fields are kept.
type IncidentPatchRequest struct {
	Description        *string    `json:"description,omitempty"`
	Categories         *[]string  `json:"categories,omitempty"`
	SubjectsAffected   *int64     `json:"subjects_affected,omitempty"`
	SubjectsEstimated  *bool      `json:"subjects_estimated,omitempty"`
	Risk               *string    `json:"risk,omitempty"`
	RiskReasoning      *string    `json:"risk_reasoning,omitempty"`
	Measures           *string    `json:"measures,omitempty"`
	ANPDNotifiedAt     *time.Time `json:"anpd_notified_at,omitempty"`
	SubjectsNotifiedAt *time.Time `json:"subjects_notified_at,omitempty"`
}

// Limits bounds the request.
func (IncidentPatchRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"description": {Length: consent.MaxIncidentText}, "risk_reasoning": {Length: consent.MaxIncidentText},
		"measures": {Length: consent.MaxIncidentText}, "categories": {Items: len(consent.DataClasses()), Length: 40, Enum: classCodes()},
		"risk": {Length: 10, Enum: risks}, "anpd_notified_at": timeLimit, "subjects_notified_at": timeLimit}
}

// IncidentResponse is an incident with its deadline and the drafts of both notices.
type IncidentResponse struct {
	ID                   string     `json:"id"`
	Title                string     `json:"title"`
	Description          string     `json:"description"`
	OccurredAt           *time.Time `json:"occurred_at"`
	DetectedAt           time.Time  `json:"detected_at"`
	Categories           []string   `json:"categories"`
	SubjectsAffected     int64      `json:"subjects_affected"`
	SubjectsEstimated    bool       `json:"subjects_estimated"`
	Risk                 string     `json:"risk"`
	RiskReasoning        string     `json:"risk_reasoning"`
	Measures             string     `json:"measures"`
	NotificationRequired bool       `json:"notification_required"`
	NotifyDeadline       time.Time  `json:"notify_deadline"` // end of the 3rd business day after detection, Brasília
	ANPDNotifiedAt       *time.Time `json:"anpd_notified_at"`
	SubjectsNotifiedAt   *time.Time `json:"subjects_notified_at"`
	ANPDNoticeDraft      string     `json:"anpd_notice_draft"`
	SubjectNoticeDraft   string     `json:"subject_notice_draft"`
	RetainUntil          time.Time  `json:"retain_until"`
	CreatedBy            string     `json:"created_by"`
	CreatedAt            time.Time  `json:"created_at"`
	UpdatedAt            time.Time  `json:"updated_at"`
	Version              int        `json:"version"`
}

// Limits documents the response's formats.
func (IncidentResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"id": {Format: "uuid"}, "created_by": {Format: "uuid"}, "risk": {Enum: risks},
		"categories": {Items: len(consent.DataClasses()), Enum: classCodes()}}
}

func brt(t time.Time) time.Time {
	if loc, err := time.LoadLocation("America/Sao_Paulo"); err == nil {
		return t.In(loc)
	}
	return t
}

func incidentOf(i consent.Incident) IncidentResponse {
	cats := i.Categories
	if cats == nil {
		cats = []string{}
	}
	return IncidentResponse{ID: i.ID, Title: i.Title, Description: i.Description, OccurredAt: i.OccurredAt, DetectedAt: i.DetectedAt,
		Categories: cats, SubjectsAffected: i.SubjectsAffected, SubjectsEstimated: i.SubjectsEstimated, Risk: string(i.Risk),
		RiskReasoning: i.RiskReasoning, Measures: i.Measures, NotificationRequired: i.NotificationRequired(),
		NotifyDeadline: brt(i.Deadline()), ANPDNotifiedAt: i.ANPDNotifiedAt, SubjectsNotifiedAt: i.SubjectsNotifiedAt,
		ANPDNoticeDraft: i.ANPDNotice(), SubjectNoticeDraft: i.SubjectNotice(), RetainUntil: i.RetainUntil(),
		CreatedBy: i.CreatedBy, CreatedAt: i.CreatedAt, UpdatedAt: i.UpdatedAt, Version: i.Version}
}

var (
	incidentIfMatch = []httpapi.Param{{Name: "If-Match", Type: "string", Description: "the ETag of the version read", Required: true}}
	etagHeader      = []string{"ETag"}
)

func (m *Module) registerIncidents(r *httpapi.Router) {
	const base = "/v1/admin/incidents"
	r.Handle(fiber.MethodPost, base, httpapi.Op{ID: "createIncident", Tag: tag, Auth: httpapi.User,
		Summary:     "Register a security incident (platform admins); the answer carries the ANPD deadline and both notice drafts",
		Description: "The deadline to communicate ANPD and the data subjects is the end of the 3rd business day after detection in Brasília (Resolução CD/ANPD 15/2024, art. 6º), national holidays excluded. Incidents are kept 5 years and cannot be deleted.",
		Request:     IncidentRequest{}, ResponseHeaders: etagHeader,
		Responses: ok(201, IncidentResponse{}, 400, 401, 403, 415)}, m.createIncident)
	r.Handle(fiber.MethodGet, base, httpapi.Op{ID: "listIncidents", Tag: tag, Auth: httpapi.User,
		Summary: "The incident register, newest first (platform admins)", Query: httpapi.PageParams,
		Responses: ok(200, httpapi.ListResponse[IncidentResponse]{}, 400, 401, 403)}, m.listIncidents)
	r.Handle(fiber.MethodGet, base+"/:id", httpapi.Op{ID: "getIncident", Tag: tag, Auth: httpapi.User,
		Summary: "An incident with its deadline and notice drafts (platform admins)", ResponseHeaders: etagHeader,
		Responses: ok(200, IncidentResponse{}, 401, 403, 404)}, m.getIncident)
	r.Handle(fiber.MethodPatch, base+"/:id", httpapi.Op{ID: "updateIncident", Tag: tag, Auth: httpapi.User,
		Summary: "Update an incident: assessment, measures, when ANPD and the data subjects were told (platform admins)",
		Headers: incidentIfMatch, Request: IncidentPatchRequest{}, ResponseHeaders: etagHeader,
		Responses: ok(200, IncidentResponse{}, 400, 401, 403, 404, 412, 415)}, m.updateIncident)
}

func (m *Module) createIncident(c *fiber.Ctx) error {
	var req IncidentRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	in, err := m.svc.CreateIncident(c.UserContext(), httpapi.PrincipalOf(c), consent.NewIncident{Title: req.Title, Description: req.Description,
		OccurredAt: req.OccurredAt, DetectedAt: req.DetectedAt, Categories: req.Categories, SubjectsAffected: req.SubjectsAffected,
		SubjectsEstimated: req.SubjectsEstimated, Risk: consent.Risk(req.Risk), RiskReasoning: req.RiskReasoning, Measures: req.Measures},
		httpapi.RequestID(c))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, httpapi.ETag(int64(in.Version)))
	return httpapi.Created(c, "/v1/admin/incidents/"+in.ID, incidentOf(in))
}

func (m *Module) listIncidents(c *fiber.Ctx) error {
	q := httpapi.NewQuery(c)
	page := q.Page()
	if err := q.Err(); err != nil {
		return err
	}
	l, err := m.svc.ListIncidents(c.UserContext(), httpapi.PrincipalOf(c), page)
	if err != nil {
		return err
	}
	return httpapi.OK(c, httpapi.NewList(l, incidentOf))
}

func (m *Module) getIncident(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return kernel.NotFound("incidente não encontrado")
	}
	in, err := m.svc.Incident(c.UserContext(), httpapi.PrincipalOf(c), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, httpapi.ETag(int64(in.Version)))
	return httpapi.OK(c, incidentOf(in))
}

func (m *Module) updateIncident(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return kernel.NotFound("incidente não encontrado")
	}
	v, present, err := httpapi.IfMatch(c)
	if err != nil {
		return err
	}
	if !present {
		return kernel.Invalid("If-Match", "é obrigatório: envie o ETag da versão que você leu")
	}
	var req IncidentPatchRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	patch := consent.IncidentPatch{Description: req.Description, Categories: req.Categories, SubjectsAffected: req.SubjectsAffected,
		SubjectsEstimated: req.SubjectsEstimated, RiskReasoning: req.RiskReasoning, Measures: req.Measures,
		ANPDNotifiedAt: req.ANPDNotifiedAt, SubjectsNotifiedAt: req.SubjectsNotifiedAt}
	if req.Risk != nil {
		r := consent.Risk(*req.Risk)
		patch.Risk = &r
	}
	if v < 1 {
		v = -1 // never a current version
	}
	in, err := m.svc.UpdateIncident(c.UserContext(), httpapi.PrincipalOf(c), id, int(v), patch, httpapi.RequestID(c))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, httpapi.ETag(int64(in.Version)))
	return httpapi.OK(c, incidentOf(in))
}
