// Package clinicalapi holds the clinical routes: evaluations, treatment plans,
// prescriptions (with public verification and a PDF), encrypted documents, the
// health history, record shares, break-the-glass and the access log.
package clinicalapi

import (
	"context"

	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/kernel"
)

type kernelProblems = kernel.Problems

// Module registers the clinical routes.
type Module struct{ svc *clinical.Service }

var _ httpapi.Module = (*Module)(nil)

// New returns the module.
func New(svc *clinical.Service) *Module { return &Module{svc: svc} }

const tag = "clinical"

var (
	pageParams = httpapi.PageParams
	ifMatch    = []httpapi.Param{{Name: "If-Match", Type: "string", Description: "the ETag of the version read", Required: true}}
)

var ok = httpapi.Answers

var etag = []string{"ETag"}

// Register adds the routes.
func (m *Module) Register(r *httpapi.Router) {
	type L[T any] = httpapi.ListResponse[T]
	// shares, break-the-glass, access log
	r.Handle(fiber.MethodPost, "/v1/me/record-shares", httpapi.Op{ID: "grantRecordShare", Summary: "Grant a professional access to my record until a time", Tag: tag, Auth: httpapi.User,
		Request: ShareRequest{}, Responses: ok(201, ShareResponse{}, 422)}, m.grantShare)
	r.Handle(fiber.MethodGet, "/v1/me/record-shares", httpapi.Op{ID: "listRecordShares", Summary: "My record shares and emergency grants", Tag: tag, Auth: httpapi.User,
		Query: pageParams, Responses: ok(200, L[ShareResponse]{})}, m.listShares)
	r.Handle(fiber.MethodDelete, "/v1/me/record-shares/:id", httpapi.Op{ID: "revokeRecordShare", Summary: "Revoke a record share", Tag: tag, Auth: httpapi.User,
		Responses: []httpapi.Response{{Status: 204}}}, m.revokeShare)
	r.Handle(fiber.MethodGet, "/v1/me/access-log", httpapi.Op{ID: "myAccessLog", Summary: "Who looked at my record", Tag: tag, Auth: httpapi.User,
		Query: pageParams, Responses: ok(200, L[AccessEntryResponse]{})}, m.accessLog)
	r.Handle(fiber.MethodPost, "/v1/patients/:id/break-the-glass", httpapi.Op{ID: "breakTheGlass", Summary: "Open a record in an emergency (logged; the patient is notified)", Tag: tag, Auth: httpapi.User,
		Request: BreakGlassRequest{}, Responses: ok(201, ShareResponse{})}, m.breakGlass)

	// evaluations
	r.Handle(fiber.MethodPost, "/v1/patients/:id/evaluations", httpapi.Op{ID: "createEvaluation", Summary: "Record an evaluation (optionally tied to an appointment and signed)", Tag: tag, Auth: httpapi.User,
		Request: EvaluationRequest{}, ResponseHeaders: etag, Responses: ok(201, EvaluationResponse{}, 422)}, m.createEvaluation)
	r.Handle(fiber.MethodGet, "/v1/patients/:id/evaluations", httpapi.Op{ID: "listEvaluations", Summary: "A patient's evaluations (current versions)", Tag: tag, Auth: httpapi.User,
		Query: pageParams, Responses: ok(200, L[EvaluationResponse]{})}, m.listEvaluations)
	r.Handle(fiber.MethodGet, "/v1/evaluations/:id", httpapi.Op{ID: "getEvaluation", Summary: "An evaluation (current version, or ?version=)", Tag: tag, Auth: httpapi.User,
		Query: []httpapi.Param{{Name: "version", Type: "integer"}}, ResponseHeaders: etag, Responses: ok(200, EvaluationResponse{})}, m.getEvaluation)
	r.Handle(fiber.MethodGet, "/v1/evaluations/:id/versions", httpapi.Op{ID: "listEvaluationVersions", Summary: "Every version of an evaluation, oldest first", Tag: tag, Auth: httpapi.User,
		Responses: ok(200, VersionsResponse{})}, m.evaluationVersions)
	r.Handle(fiber.MethodPut, "/v1/evaluations/:id", httpapi.Op{ID: "amendEvaluation", Summary: "Amend an evaluation: a new version; the old stays readable", Tag: tag, Auth: httpapi.User,
		Headers: ifMatch, Request: AmendEvaluationRequest{}, ResponseHeaders: etag, Responses: ok(200, EvaluationResponse{}, 422)}, m.amendEvaluation)
	r.Handle(fiber.MethodPost, "/v1/evaluations/:id/sign", httpapi.Op{ID: "signEvaluation", Summary: "Sign the current version (completes a tied appointment)", Tag: tag, Auth: httpapi.User,
		ResponseHeaders: etag, Responses: ok(200, EvaluationResponse{}, 409)}, m.signEvaluation)

	// treatment plans
	r.Handle(fiber.MethodPost, "/v1/patients/:id/treatment-plans", httpapi.Op{ID: "createTreatmentPlan", Summary: "Write a treatment plan", Tag: tag, Auth: httpapi.User,
		Request: PlanRequest{}, ResponseHeaders: etag, Responses: ok(201, PlanResponse{}, 422)}, m.createPlan)
	r.Handle(fiber.MethodGet, "/v1/patients/:id/treatment-plans", httpapi.Op{ID: "listTreatmentPlans", Summary: "A patient's treatment plans", Tag: tag, Auth: httpapi.User,
		Query: append([]httpapi.Param{{Name: "status", Type: "string", Enum: clinical.PlanStatuses()}}, pageParams...), Responses: ok(200, L[PlanResponse]{})}, m.listPlans)
	r.Handle(fiber.MethodGet, "/v1/treatment-plans/:id", httpapi.Op{ID: "getTreatmentPlan", Summary: "A treatment plan", Tag: tag, Auth: httpapi.User,
		ResponseHeaders: etag, Responses: ok(200, PlanResponse{})}, m.getPlan)
	r.Handle(fiber.MethodPut, "/v1/treatment-plans/:id", httpapi.Op{ID: "updateTreatmentPlan", Summary: "Replace a treatment plan (author; If-Match)", Tag: tag, Auth: httpapi.User,
		Headers: ifMatch, Request: PlanRequest{}, ResponseHeaders: etag, Responses: ok(200, PlanResponse{}, 422)}, m.updatePlan)
	r.Handle(fiber.MethodPost, "/v1/treatment-plans/:id/progress", httpapi.Op{ID: "addPlanProgress", Summary: "Mark progress on a plan item (patient)", Tag: tag, Auth: httpapi.User,
		Request: ProgressRequest{}, Responses: ok(201, ProgressResponse{}, 409)}, m.addProgress)
	r.Handle(fiber.MethodGet, "/v1/treatment-plans/:id/progress", httpapi.Op{ID: "listPlanProgress", Summary: "A plan's progress marks", Tag: tag, Auth: httpapi.User,
		Query: pageParams, Responses: ok(200, L[ProgressResponse]{})}, m.listProgress)

	// prescriptions; the public verification has its own collection
	r.Handle(fiber.MethodGet, "/v1/prescription-verifications/:code", httpapi.Op{ID: "verifyPrescription", Summary: "Verify a prescription by its code (public; minimum data)", Tag: tag, Auth: httpapi.Public,
		Responses: ok(200, VerifyResponse{})}, m.verify)
	r.Handle(fiber.MethodPost, "/v1/prescription-verifications/:code/dispense", httpapi.Op{ID: "dispensePrescription", Summary: "Mark a prescription dispensed (verified pharmacy; once)", Tag: tag, Auth: httpapi.Any,
		Request: DispenseRequest{}, Responses: ok(200, VerifyResponse{}, 409)}, m.dispense)
	r.Handle(fiber.MethodPost, "/v1/patients/:id/prescriptions", httpapi.Op{ID: "issuePrescription", Summary: "Issue and sign a prescription (physicians and dentists)", Tag: tag, Auth: httpapi.User,
		Request: PrescriptionRequest{}, Responses: ok(201, PrescriptionResponse{})}, m.issue)
	r.Handle(fiber.MethodGet, "/v1/patients/:id/prescriptions", httpapi.Op{ID: "listPrescriptions", Summary: "A patient's prescriptions", Tag: tag, Auth: httpapi.User,
		Query: pageParams, Responses: ok(200, L[PrescriptionResponse]{})}, m.listRx)
	r.Handle(fiber.MethodGet, "/v1/prescriptions/:id", httpapi.Op{ID: "getPrescription", Summary: "A prescription", Tag: tag, Auth: httpapi.User,
		Responses: ok(200, PrescriptionResponse{})}, m.getRx)
	r.Handle(fiber.MethodGet, "/v1/prescriptions/:id/pdf", httpapi.Op{ID: "prescriptionPDF", Summary: "A prescription as PDF", Tag: tag, Auth: httpapi.User,
		ResponseHeaders: []string{"Content-Disposition"}, Responses: []httpapi.Response{{Status: 200, Body: []byte{}, ContentType: "application/pdf"}}}, m.rxPDF)
	r.Handle(fiber.MethodPost, "/v1/prescriptions/:id/cancel", httpapi.Op{ID: "cancelPrescription", Summary: "Cancel a prescription (its author)", Tag: tag, Auth: httpapi.User,
		Request: CancelRequest{}, Responses: ok(200, PrescriptionResponse{}, 409)}, m.cancelRx)

	// documents
	r.Handle(fiber.MethodPost, "/v1/patients/:id/documents", httpapi.Op{ID: "uploadDocument", Summary: "Upload a medical document (multipart: kind, title, file)", Tag: tag, Auth: httpapi.User,
		Upload: true, Request: UploadForm{}, RequestType: "multipart/form-data", Responses: ok(201, DocumentResponse{})}, m.upload)
	r.Handle(fiber.MethodGet, "/v1/patients/:id/documents", httpapi.Op{ID: "listDocuments", Summary: "A patient's documents", Tag: tag, Auth: httpapi.User,
		Query: pageParams, Responses: ok(200, L[DocumentResponse]{})}, m.listDocuments)
	r.Handle(fiber.MethodGet, "/v1/documents/:id", httpapi.Op{ID: "getDocument", Summary: "A document's metadata", Tag: tag, Auth: httpapi.User,
		Responses: ok(200, DocumentResponse{})}, m.getDocument)
	r.Handle(fiber.MethodGet, "/v1/documents/:id/content", httpapi.Op{ID: "downloadDocument", Summary: "Download a document (decrypted, checksum verified)", Tag: tag, Auth: httpapi.User,
		ResponseHeaders: []string{"Content-Disposition"}, Responses: []httpapi.Response{{Status: 200, Body: []byte{}, ContentType: "application/pdf, image/jpeg, image/png, image/webp, application/dicom"}}}, m.download)

	// history and patients
	r.Handle(fiber.MethodGet, "/v1/patients/:id/history", httpapi.Op{ID: "patientHistory", Summary: "A patient's timeline, newest first", Tag: tag, Auth: httpapi.User,
		Query: append([]httpapi.Param{{Name: "kind", Type: "string", Enum: clinical.HistoryKinds()}, httpapi.DateOrTime("from", "entries at or after: a date (from its midnight UTC) or an RFC 3339 time", false),
			httpapi.DateOrTime("to", "entries before: a date (its midnight UTC) or an RFC 3339 time", false)}, pageParams...),
		Responses: ok(200, L[HistoryEntryResponse]{})}, m.history)
	r.Handle(fiber.MethodGet, "/v1/professionals/me/patients", httpapi.Op{ID: "myPatients", Summary: "The patients I attended, with last visit and open plans", Tag: tag, Auth: httpapi.User,
		Query: pageParams, Responses: ok(200, L[PatientSummaryResponse]{})}, m.myPatients)
}

func page(c *fiber.Ctx) (kernel.Page, error) {
	q := httpapi.NewQuery(c)
	p := q.Page()
	return p, q.Err()
}

// --- shares ---

func (m *Module) grantShare(c *fiber.Ctx) error {
	var req ShareRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	var until time.Time
	if req.Until != "" {
		t, err := time.Parse(time.RFC3339, req.Until)
		if err != nil {
			return kernel.Invalid("until", "deve ser um horário RFC 3339 com fuso, por exemplo 2026-12-01T08:00:00-03:00")
		}
		until = t
	}
	sh, err := m.svc.GrantShare(c.UserContext(), httpapi.PrincipalOf(c), clinical.NewShareInput{ProfessionalID: req.ProfessionalID, Until: until})
	if err != nil {
		return err
	}
	return httpapi.Created(c, "/v1/me/record-shares/"+sh.ID, shareOut(sh))
}

func (m *Module) listShares(c *fiber.Ctx) error {
	pg, err := page(c)
	if err != nil {
		return err
	}
	l, err := m.svc.Shares(c.UserContext(), httpapi.PrincipalOf(c), pg)
	if err != nil {
		return err
	}
	return httpapi.OK(c, httpapi.NewList(l, shareOut))
}

func (m *Module) revokeShare(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return kernel.NotFound("compartilhamento não encontrado")
	}
	if err := m.svc.RevokeShare(c.UserContext(), httpapi.PrincipalOf(c), id); err != nil {
		return err
	}
	return httpapi.NoContent(c)
}

func (m *Module) accessLog(c *fiber.Ctx) error {
	pg, err := page(c)
	if err != nil {
		return err
	}
	l, err := m.svc.AccessLog(c.UserContext(), httpapi.PrincipalOf(c), pg)
	if err != nil {
		return err
	}
	return httpapi.OK(c, httpapi.NewList(l, accessOut))
}

func (m *Module) breakGlass(c *fiber.Ctx) error {
	var req BreakGlassRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	sh, err := m.svc.BreakTheGlass(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"), req.Reason)
	if err != nil {
		return err
	}
	return httpapi.Created(c, "", shareOut(sh))
}

// --- evaluations ---

func (m *Module) createEvaluation(c *fiber.Ctx) error {
	var req EvaluationRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	e, err := m.svc.CreateEvaluation(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"),
		clinical.NewEvaluationInput{AppointmentID: req.AppointmentID, Content: req.content().toDomain(), Sign: req.Sign})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, httpapi.ETag(int64(e.Version)))
	return httpapi.Created(c, "/v1/evaluations/"+e.ID, evaluationOut(e))
}

func (m *Module) listEvaluations(c *fiber.Ctx) error {
	return listOf(c, m.svc.Evaluations, evaluationOut)
}

func (m *Module) getEvaluation(c *fiber.Ctx) error {
	q := httpapi.NewQuery(c)
	v := q.Int("version", 0)
	if v < 0 {
		q.Fail("version", "must be a positive integer")
	}
	if err := q.Err(); err != nil {
		return err
	}
	e, err := m.svc.Evaluation(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"), v)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, httpapi.ETag(int64(e.Version)))
	return httpapi.OK(c, evaluationOut(e))
}

func (m *Module) evaluationVersions(c *fiber.Ctx) error {
	vs, err := m.svc.EvaluationVersions(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	out := VersionsResponse{Items: make([]EvaluationResponse, 0, len(vs))}
	for _, e := range vs {
		out.Items = append(out.Items, evaluationOut(e))
	}
	return httpapi.OK(c, out)
}

func requireIfMatch(c *fiber.Ctx) (int64, error) {
	v, present, err := httpapi.IfMatch(c)
	if err != nil {
		return 0, err
	}
	if !present {
		return 0, kernel.Invalid("If-Match", "é obrigatório: envie o ETag da versão que você leu")
	}
	return v, nil
}

func (m *Module) amendEvaluation(c *fiber.Ctx) error {
	v, err := requireIfMatch(c)
	if err != nil {
		return err
	}
	var req AmendEvaluationRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	if v < 1 {
		return kernel.PreconditionFailed("versão não encontrada")
	}
	e, err := m.svc.AmendEvaluation(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"), int(v), req.content().toDomain(), req.AmendReason)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, httpapi.ETag(int64(e.Version)))
	return httpapi.OK(c, evaluationOut(e))
}

func (m *Module) signEvaluation(c *fiber.Ctx) error {
	e, err := m.svc.SignEvaluation(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, httpapi.ETag(int64(e.Version)))
	return httpapi.OK(c, evaluationOut(e))
}

// --- plans ---

func (req PlanRequest) toDomain() (clinical.PlanInput, error) {
	var probs kernel.Problems
	start := parseDate("start", req.Start, true, &probs)
	end := parseDate("end", req.End, false, &probs)
	if err := probs.Err(); err != nil {
		return clinical.PlanInput{}, err
	}
	in := clinical.PlanInput{Title: req.Title, Goals: req.Goals, Start: *start, End: end, Status: clinical.PlanStatus(req.Status)}
	for _, it := range req.Items {
		in.Items = append(in.Items, clinical.PlanItem{ID: it.ID, Kind: clinical.ItemKind(it.Kind), Name: it.Name, Description: it.Description,
			Dosage: it.Dosage, Frequency: it.Frequency, Duration: it.Duration, Quantity: it.Quantity, Intensity: it.Intensity,
			NeedsGym: it.NeedsGym, Equipment: it.Equipment, Tags: it.Tags})
	}
	return in, nil
}

func (m *Module) createPlan(c *fiber.Ctx) error {
	var req PlanRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	in, err := req.toDomain()
	if err != nil {
		return err
	}
	pl, err := m.svc.CreatePlan(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"), in)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, httpapi.ETag(pl.Version))
	return httpapi.Created(c, "/v1/treatment-plans/"+pl.ID, planOut(pl))
}

func (m *Module) listPlans(c *fiber.Ctx) error {
	pg, err := page(c)
	if err != nil {
		return err
	}
	l, err := m.svc.Plans(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"), clinical.PlanStatus(c.Query("status")), pg)
	if err != nil {
		return err
	}
	return httpapi.OK(c, httpapi.NewList(l, planOut))
}

func (m *Module) getPlan(c *fiber.Ctx) error {
	pl, _, err := m.svc.Plan(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, httpapi.ETag(pl.Version))
	return httpapi.OK(c, planOut(pl))
}

func (m *Module) updatePlan(c *fiber.Ctx) error {
	v, err := requireIfMatch(c)
	if err != nil {
		return err
	}
	var req PlanRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	in, err := req.toDomain()
	if err != nil {
		return err
	}
	pl, err := m.svc.UpdatePlan(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"), v, in)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, httpapi.ETag(pl.Version))
	return httpapi.OK(c, planOut(pl))
}

func (m *Module) addProgress(c *fiber.Ctx) error {
	var req ProgressRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	var probs kernel.Problems
	d := parseDate("date", req.Date, true, &probs)
	if err := probs.Err(); err != nil {
		return err
	}
	pr, err := m.svc.AddProgress(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"),
		clinical.ProgressInput{ItemID: req.ItemID, Date: *d, Done: req.Done, Note: req.Note})
	if err != nil {
		return err
	}
	return httpapi.Created(c, "", progressOut(pr))
}

func (m *Module) listProgress(c *fiber.Ctx) error {
	return listOf(c, m.svc.Progress, progressOut)
}

// --- prescriptions ---

func (m *Module) issue(c *fiber.Ctx) error {
	var req PrescriptionRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	in := clinical.NewPrescriptionInput{Type: clinical.PrescriptionType(req.Type), PatientAddress: req.PatientAddress}
	for _, it := range req.Items {
		in.Items = append(in.Items, clinical.RxItem(it))
	}
	rx, err := m.svc.IssuePrescription(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"), in)
	if err != nil {
		return err
	}
	return httpapi.Created(c, "/v1/prescriptions/"+rx.ID, rxOut(rx))
}

// listOf answers one page of the objects fetch finds for the path's {id}, converted by conv.
func listOf[D, T any](c *fiber.Ctx, fetch func(context.Context, kernel.Principal, kernel.ID, kernel.Page) (kernel.List[D], error), conv func(D) T) error {
	pg, err := page(c)
	if err != nil {
		return err
	}
	l, err := fetch(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"), pg)
	if err != nil {
		return err
	}
	return httpapi.OK(c, httpapi.NewList(l, conv))
}

func (m *Module) listRx(c *fiber.Ctx) error {
	return listOf(c, m.svc.Prescriptions, rxOut)
}

func (m *Module) getRx(c *fiber.Ctx) error {
	rx, _, err := m.svc.Prescription(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	return httpapi.OK(c, rxOut(rx))
}

func (m *Module) rxPDF(c *fiber.Ctx) error {
	rx, acc, err := m.svc.Prescription(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	if !acc.Content() {
		return kernel.Forbidden("administradores veem apenas metadados")
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("inline", map[string]string{"filename": "receita-" + rx.VerificationCode + ".pdf"}))
	return c.Status(http.StatusOK).Send(PrescriptionPDF(rx))
}

func (m *Module) cancelRx(c *fiber.Ctx) error {
	var req CancelRequest
	if len(c.Body()) > 0 {
		if err := httpapi.Bind(c, &req); err != nil {
			return err
		}
	}
	rx, err := m.svc.CancelPrescription(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"), req.Reason)
	if err != nil {
		return err
	}
	return httpapi.OK(c, rxOut(rx))
}

func (m *Module) verify(c *fiber.Ctx) error {
	v, err := m.svc.VerifyPrescription(c.UserContext(), c.Params("code"))
	if err != nil {
		return err
	}
	return httpapi.OK(c, verifyOut(v))
}

func (m *Module) dispense(c *fiber.Ctx) error {
	var req DispenseRequest
	if len(c.Body()) > 0 {
		if err := httpapi.Bind(c, &req); err != nil {
			return err
		}
	}
	if _, err := m.svc.Dispense(c.UserContext(), httpapi.PrincipalOf(c), c.Params("code"),
		clinical.DispenseInput{BuyerName: req.BuyerName, BuyerDocument: req.BuyerDocument}); err != nil {
		return err
	}
	v, err := m.svc.VerifyPrescription(c.UserContext(), c.Params("code"))
	if err != nil {
		return err
	}
	return httpapi.OK(c, verifyOut(v))
}

// --- documents ---

func (m *Module) upload(c *fiber.Ctx) error {
	ct, _, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if ct != "multipart/form-data" {
		return kernel.Invalid("body", "deve ser multipart/form-data com os campos kind, title e file")
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return kernel.Invalid("file", "é obrigatório")
	}
	f, err := fh.Open()
	if err != nil {
		return kernel.Invalid("file", "não pôde ser lido")
	}
	defer f.Close()
	limit := m.svc.Config().MaxDocumentBytes
	content, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return kernel.Invalid("file", "não pôde ser lido")
	}
	if int64(len(content)) > limit {
		return kernel.Invalid("file", "deve ter no máximo %d bytes", limit)
	}
	d, err := m.svc.UploadDocument(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"), clinical.UploadInput{
		Kind: clinical.DocumentKind(c.FormValue("kind")), Title: c.FormValue("title"), FileName: fh.Filename, Content: content})
	if err != nil {
		return err
	}
	return httpapi.Created(c, "/v1/documents/"+d.ID, documentOut(d))
}

func (m *Module) listDocuments(c *fiber.Ctx) error {
	return listOf(c, m.svc.Documents, documentOut)
}

func (m *Module) getDocument(c *fiber.Ctx) error {
	d, _, err := m.svc.Document(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	return httpapi.OK(c, documentOut(d))
}

func (m *Module) download(c *fiber.Ctx) error {
	d, content, err := m.svc.DownloadDocument(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	name := clinical.CleanFileName(d.FileName, d.ContentType) // names stored before cleaning, too
	c.Set(fiber.HeaderContentType, d.ContentType)
	c.Set(fiber.HeaderContentLength, strconv.Itoa(len(content)))
	c.Set(fiber.HeaderContentDisposition, httpapi.ContentDisposition("attachment", name))
	c.Set("X-Checksum-SHA256", d.Checksum)
	return c.Status(http.StatusOK).Send(content)
}

// --- history ---

func (m *Module) history(c *fiber.Ctx) error {
	q := httpapi.NewQuery(c)
	tq := clinical.TimelineQuery{Kind: clinical.HistoryKind(strings.TrimSpace(q.String("kind"))), From: q.Time("from", nil), To: q.Time("to", nil)}
	pg := q.Page()
	if err := q.Err(); err != nil {
		return err
	}
	l, err := m.svc.History(c.UserContext(), httpapi.PrincipalOf(c), c.Params("id"), tq, pg)
	if err != nil {
		return err
	}
	return httpapi.OK(c, httpapi.NewList(l, historyOut))
}

func (m *Module) myPatients(c *fiber.Ctx) error {
	pg, err := page(c)
	if err != nil {
		return err
	}
	l, err := m.svc.MyPatients(c.UserContext(), httpapi.PrincipalOf(c), pg)
	if err != nil {
		return err
	}
	return httpapi.OK(c, httpapi.NewList(l, patientOut))
}
