package consentapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/consent"
)

// ExportResponse is an export job.
type ExportResponse struct {
	ID        string     `json:"id"`
	OwnerID   string     `json:"owner_id"`
	OwnerKind string     `json:"owner_kind"`
	Status    string     `json:"status"`
	Progress  int        `json:"progress"`
	Files     int        `json:"files"`
	Size      int64      `json:"size"`
	SHA256    string     `json:"sha256,omitempty"`
	Reason    string     `json:"reason,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	ReadyAt   *time.Time `json:"ready_at,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	Download  string     `json:"download_url,omitempty"`
}

// Example implements httpapi.Exemplified.
func (ExportResponse) Example() any {
	at := time.Date(2026, 12, 1, 12, 30, 0, 0, time.UTC)
	ready, exp := at.Add(2*time.Minute), at.Add(2*time.Minute+consent.ExportTTL)
	const id = "019d3f4e-8a2b-7c11-9e0f-5a6b7c8d9e0f"
	return ExportResponse{ID: id, OwnerID: "019d3f4e-1111-7c11-9e0f-5a6b7c8d9e0f", OwnerKind: "patient", Status: "ready", Progress: 100,
		Files: 9, Size: 482133, SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		CreatedAt: at, ReadyAt: &ready, ExpiresAt: &exp, Download: "/v1/me/exports/" + id + "/download"}
}

func opt(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func exportOut(e consent.Export) ExportResponse {
	r := ExportResponse{ID: e.ID, OwnerID: e.OwnerID, OwnerKind: string(e.OwnerKind), Status: string(e.Status), Progress: e.Progress,
		Files: e.Files, Size: e.Size, SHA256: e.SHA256, Reason: e.Reason, CreatedAt: e.CreatedAt.UTC(), ReadyAt: opt(e.ReadyAt),
		ExpiresAt: opt(e.ExpiresAt)}
	if e.Status == consent.ExportReady {
		r.Download = exportPath(e.ID) + "/download"
	}
	return r
}

func exportPath(id string) string { return "/v1/me/exports/" + id }

func (m *Module) registerExports(r *httpapi.Router) {
	type L[T any] = httpapi.ListResponse[T]
	r.Handle(fiber.MethodPost, "/v1/me/exports", httpapi.Op{ID: "requestExport", Summary: "Ask for an archive of all my data (LGPD art. 18, II and V)", Tag: tag, Auth: httpapi.User,
		Description: "Starts a job; the worker builds one ZIP (a JSON file per context, the clinical documents decrypted, a manifest with the SHA-256 of each file), " +
			"stored encrypted and downloadable by its owner for 7 days. One unfinished export per person (409) and at most " +
			strconv.Itoa(consent.MaxExportsPerDay) + " a day (429).",
		ResponseHeaders: []string{"Location"}, Responses: ok(http.StatusAccepted, ExportResponse{}, 409, 429)}, m.requestExport)
	r.Handle(fiber.MethodGet, "/v1/me/exports", httpapi.Op{ID: "listExports", Summary: "My exports, newest first", Tag: tag, Auth: httpapi.User,
		Query: httpapi.PageParams, Responses: ok(200, L[ExportResponse]{})}, m.listExports)
	r.Handle(fiber.MethodGet, "/v1/me/exports/:id", httpapi.Op{ID: "getExport", Summary: "One of my exports, with its progress", Tag: tag, Auth: httpapi.User,
		Responses: ok(200, ExportResponse{})}, m.getExport)
	r.Handle(fiber.MethodGet, "/v1/me/exports/:id/download", httpapi.Op{ID: "downloadExport", Summary: "Download my export's archive (ZIP) while it is ready", Tag: tag, Auth: httpapi.User,
		Description:     "Streams the decrypted ZIP. 409 while it is not ready; 410 once it expired (the archive is deleted).",
		ResponseHeaders: []string{"Content-Disposition"},
		Responses:       append([]httpapi.Response{{Status: 200, Body: []byte{}, ContentType: "application/zip"}}, problems(409, 410)...)}, m.downloadExport)
}

func (m *Module) requestExport(c *fiber.Ctx) error {
	e, err := m.svc.RequestExport(c.UserContext(), httpapi.PrincipalOf(c), httpapi.RequestID(c))
	if err != nil {
		return err
	}
	c.Location(exportPath(e.ID))
	return c.Status(http.StatusAccepted).JSON(exportOut(e))
}

func (m *Module) listExports(c *fiber.Ctx) error {
	q := httpapi.NewQuery(c)
	pg := q.Page()
	if err := q.Err(); err != nil {
		return err
	}
	l, err := m.svc.ListExports(c.UserContext(), httpapi.PrincipalOf(c), pg)
	if err != nil {
		return err
	}
	return httpapi.OK(c, httpapi.NewList(l, exportOut))
}

func (m *Module) getExport(c *fiber.Ctx) error {
	e, err := m.svc.GetExport(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	return httpapi.OK(c, exportOut(e))
}

func (m *Module) downloadExport(c *fiber.Ctx) error {
	e, rc, err := m.svc.OpenExport(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"), httpapi.RequestID(c))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/zip")
	c.Set(fiber.HeaderContentDisposition, httpapi.ContentDisposition("attachment", consent.ExportFileName(e)))
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Checksum-SHA256", e.SHA256)
	// fiber closes rc once the body is written; a stream that fails its
	// integrity check midway cuts the answer short (the size will not match).
	return c.Status(http.StatusOK).SendStream(rc, int(e.Size))
}
