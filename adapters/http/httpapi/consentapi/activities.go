package consentapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/consent"
)

// ActivityResponse is one entry of the record of processing activities (LGPD art. 37).
type ActivityResponse struct {
	DataClass       string   `json:"data_class"`
	Name            string   `json:"name"`
	Description     string   `json:"description"`
	Subjects        []string `json:"subjects"`
	Context         string   `json:"context"`
	Sensitive       bool     `json:"sensitive"`
	Purposes        []string `json:"purposes"`
	PurposeTitles   []string `json:"purpose_titles"`
	ConsentRequired []string `json:"consent_required"`
	LegalBasis      string   `json:"legal_basis"`
	RetentionYears  int      `json:"retention_years"` // 0: while the account exists (see retention)
	Retention       string   `json:"retention"`
	OnErasure       string   `json:"on_erasure"`
	Recipients      []string `json:"recipients"`
	Measures        []string `json:"security_measures"`
}

// Limits documents the formats.
func (ActivityResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"data_class": {Enum: classCodes()},
		"on_erasure": {Enum: []string{string(consent.EraseAnonymise), string(consent.EraseDelete), string(consent.EraseBlock), string(consent.EraseRetain), string(consent.EraseKeep)}}}
}

// ActivitiesResponse is the whole record (one entry per data class; no paging).
type ActivitiesResponse struct {
	Items []ActivityResponse `json:"items"`
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (m *Module) registerActivities(r *httpapi.Router) {
	r.Handle(fiber.MethodGet, "/v1/admin/processing-activities", httpapi.Op{ID: "listProcessingActivities", Tag: tag, Auth: httpapi.User,
		Summary:     "The record of processing activities (LGPD art. 37), generated from the data classes the code declares (platform admins)",
		Description: "One entry per class of personal data: purposes, legal basis, subjects, recipients, retention and what an erasure request does. Generated from `core/consent/datamap.go`, never written by hand.",
		Responses:   ok(200, ActivitiesResponse{}, 401, 403)}, m.listProcessingActivities)
}

func (m *Module) listProcessingActivities(c *fiber.Ctx) error {
	acts, err := m.svc.ProcessingActivities(c.UserContext(), httpapi.PrincipalOf(c))
	if err != nil {
		return err
	}
	out := ActivitiesResponse{Items: make([]ActivityResponse, 0, len(acts))}
	for _, a := range acts {
		subjects := make([]string, 0, len(a.Class.Subjects))
		for _, s := range a.Class.Subjects {
			subjects = append(subjects, string(s))
		}
		out.Items = append(out.Items, ActivityResponse{DataClass: a.Class.Code, Name: a.Class.Name, Description: a.Class.Description,
			Subjects: subjects, Context: a.Class.Context, Sensitive: a.Class.Sensitive, Purposes: nonNil(a.Class.Purposes),
			PurposeTitles: nonNil(a.PurposeTitles), ConsentRequired: nonNil(a.ConsentRequired), LegalBasis: a.Class.LegalBasis,
			RetentionYears: a.Class.RetentionYears, Retention: a.Retention, OnErasure: string(a.Class.OnErasure),
			Recipients: nonNil(a.Class.Recipients), Measures: nonNil(a.Measures)})
	}
	return httpapi.OK(c, out)
}
