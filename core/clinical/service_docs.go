package clinical

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

func encContext(d Document) map[string]string {
	return map[string]string{"document_id": d.ID, "patient_id": d.PatientID}
}

// UploadDocument stores a file for a patient, uploaded by the patient or by a
// professional who may write to the record. The type is decided by sniffing the
// bytes; the content is sealed (envelope encryption) before it reaches the blob store.
func (s *Service) UploadDocument(ctx context.Context, p kernel.Principal, patientID kernel.ID, in UploadInput) (Document, error) {
	acc, err := s.access(ctx, p, patientID)
	if err != nil {
		return Document{}, err
	}
	if acc.Basis != BasisSelf {
		if acc, _, err = s.writer(ctx, p, patientID); err != nil {
			return Document{}, err
		}
	}
	var probs kernel.Problems
	if in.Kind == "" {
		probs.Add("kind", "é obrigatório")
	} else if !in.Kind.valid() {
		probs.Add("kind", "deve ser exam_result, report, image, certificate ou other")
	}
	if len(in.Title) > MaxDocTitleLen {
		probs.Add("title", "deve ter no máximo %d caracteres", MaxDocTitleLen)
	}
	ct, problem := CheckFile(in.Content, s.cfg.MaxDocumentBytes)
	if problem != "" {
		probs.Add("file", "%s", problem)
	}
	if err := probs.Err(); err != nil {
		return Document{}, err
	}
	sum := sha256.Sum256(in.Content)
	d := Document{ID: kernel.NewID(), PatientID: patientID, UploaderID: p.AccountID, UploaderKind: p.Kind, Kind: in.Kind,
		Title: strings.TrimSpace(in.Title), FileName: CleanFileName(in.FileName, ct), ContentType: ct, Size: int64(len(in.Content)),
		Checksum: hex.EncodeToString(sum[:]), CreatedAt: s.now()}
	d.BlobKey = "clinical/documents/" + patientID + "/" + d.ID
	sealed, err := s.Sealer.Seal(ctx, bytes.NewReader(in.Content), encContext(d))
	if err != nil {
		return Document{}, kernel.Wrap(err, "seal the document")
	}
	if _, err := s.Blobs.Put(ctx, d.BlobKey, bytes.NewReader(sealed), ports.PutOptions{
		ContentType: "application/octet-stream", Size: int64(len(sealed)),
		Metadata: map[string]string{"sealed": "1"}}); err != nil {
		return Document{}, kernel.Wrap(err, "store the document")
	}
	ev := kernel.NewEvent("clinical.document.uploaded", d.ID, map[string]string{"document_id": d.ID, "patient_id": patientID, "kind": string(d.Kind)}, d.CreatedAt)
	if err := s.Store.CreateDocument(ctx, d, ev); err != nil {
		_ = s.Blobs.Delete(context.WithoutCancel(ctx), d.BlobKey)
		return Document{}, err
	}
	return d, s.record(ctx, p, acc, "document", d.ID, "upload")
}

// Document returns a document's metadata.
func (s *Service) Document(ctx context.Context, p kernel.Principal, id kernel.ID) (Document, Access, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return Document{}, Access{}, err
	}
	if !kernel.ValidID(id) {
		return Document{}, Access{}, kernel.NotFound("documento não encontrado")
	}
	d, err := s.Store.Document(ctx, id)
	if err != nil {
		return Document{}, Access{}, hide(err, "document")
	}
	acc, err := s.access(ctx, p, d.PatientID)
	if err != nil {
		return Document{}, Access{}, hide(err, "document")
	}
	if !acc.Content() {
		d = d.Meta()
	}
	return d, acc, s.record(ctx, p, acc, "document", id, "read")
}

// Documents lists a patient's documents.
func (s *Service) Documents(ctx context.Context, p kernel.Principal, patientID kernel.ID, page kernel.Page) (kernel.List[Document], error) {
	acc, err := s.access(ctx, p, patientID)
	if err != nil {
		return kernel.List[Document]{}, err
	}
	if page, err = page.Normalize(); err != nil {
		return kernel.List[Document]{}, err
	}
	l, err := s.Store.Documents(ctx, patientID, page)
	if err != nil {
		return l, err
	}
	if !acc.Content() {
		for i := range l.Items {
			l.Items[i] = l.Items[i].Meta()
		}
	}
	return l, s.record(ctx, p, acc, "document", "", "list")
}

// DownloadDocument decrypts a document and checks its checksum. Any tampering
// with the stored bytes is an error (never altered bytes). Admins may not download.
func (s *Service) DownloadDocument(ctx context.Context, p kernel.Principal, id kernel.ID) (Document, []byte, error) {
	d, err := s.Store.Document(ctx, id)
	if err != nil || !kernel.ValidID(id) {
		if err == nil {
			err = kernel.NotFound("documento não encontrado")
		}
		return Document{}, nil, hide(err, "document")
	}
	if err := p.RequireAuthenticated(); err != nil {
		return Document{}, nil, err
	}
	acc, err := s.access(ctx, p, d.PatientID)
	if err != nil {
		return Document{}, nil, hide(err, "document")
	}
	if !acc.Content() {
		return Document{}, nil, kernel.Forbidden("administradores veem apenas metadados")
	}
	rc, _, err := s.Blobs.Get(ctx, d.BlobKey)
	if err != nil {
		return Document{}, nil, kernel.Wrap(err, "read the document")
	}
	defer rc.Close()
	plain, err := s.Sealer.Open(ctx, rc, encContext(d))
	if err != nil {
		// The sealer reports a ciphertext or wrapped key that does not
		// authenticate as KindForbidden (ports.KeyManager's contract).
		if kernel.KindOf(err) == kernel.KindUnavailable {
			return Document{}, nil, err
		}
		if kernel.KindOf(err) == kernel.KindForbidden {
			s.Log.Error("document failed its integrity check", "alert", true, "document_id", d.ID, "reason", "decrypt", "kind", kernel.KindOf(err))
			return Document{}, nil, kernel.IntegrityFailure(err, "document %s failed to decrypt", d.ID)
		}
		return Document{}, nil, kernel.Internal(err, "document %s could not be opened", d.ID)
	}
	sum := sha256.Sum256(plain)
	if hex.EncodeToString(sum[:]) != d.Checksum || int64(len(plain)) != d.Size {
		s.Log.Error("document failed its integrity check", "alert", true, "document_id", d.ID, "reason", "checksum")
		return Document{}, nil, kernel.IntegrityFailure(nil, "document %s does not match its checksum", d.ID)
	}
	return d, plain, s.record(ctx, p, acc, "document", id, "download")
}

// --- history and patients attended ---

// HistoryCursor is the keyset position in a timeline.
type HistoryCursor struct {
	At time.Time
	ID string
}

// History returns a patient's timeline, newest first.
func (s *Service) History(ctx context.Context, p kernel.Principal, patientID kernel.ID, q TimelineQuery, page kernel.Page) (kernel.List[HistoryEntry], error) {
	acc, err := s.access(ctx, p, patientID)
	if err != nil {
		return kernel.List[HistoryEntry]{}, err
	}
	var probs kernel.Problems
	switch q.Kind {
	case "", HistAppointment, HistEvaluation, HistPlan, HistPrescription, HistDocument:
	default:
		probs.Add("kind", "deve ser appointment, evaluation, treatment_plan, prescription ou document")
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From) {
		probs.Add("to", "deve ser posterior a from")
	}
	page, err = page.Normalize()
	if err != nil {
		return kernel.List[HistoryEntry]{}, err
	}
	if err := probs.Err(); err != nil {
		return kernel.List[HistoryEntry]{}, err
	}
	if page.Cursor != "" {
		var c HistoryCursor
		if err := kernel.DecodeCursor(page.Cursor, &c); err != nil {
			return kernel.List[HistoryEntry]{}, err
		}
		q.Before, q.BeforeID = c.At, c.ID
	}
	q.Limit = page.Limit + 1
	var entries []HistoryEntry
	if q.Kind != HistAppointment {
		if entries, err = s.Store.Timeline(ctx, patientID, q); err != nil {
			return kernel.List[HistoryEntry]{}, err
		}
	}
	if q.Kind == "" || q.Kind == HistAppointment {
		appts, err := s.Care.PatientAppointments(ctx, patientID)
		if err != nil {
			return kernel.List[HistoryEntry]{}, kernel.Wrap(err, "appointments")
		}
		for _, a := range appts {
			e := HistoryEntry{Kind: HistAppointment, ID: a.ID, At: a.Start.UTC(), AuthorID: a.ProfessionalID, Status: a.Status}
			if q.admits(e) {
				entries = append(entries, e)
			}
		}
	}
	slices.SortFunc(entries, newerFirst)
	out := kernel.List[HistoryEntry]{Items: []HistoryEntry{}}
	if len(entries) > page.Limit {
		last := entries[page.Limit-1]
		out.NextCursor = kernel.EncodeCursor(HistoryCursor{At: last.At, ID: last.ID})
		entries = entries[:page.Limit]
	}
	for _, e := range entries {
		if !acc.Content() {
			e.Summary = ""
		}
		out.Items = append(out.Items, e)
	}
	return out, s.record(ctx, p, acc, "history", "", "list")
}

// MyPatients lists the patients the calling professional has attended (a
// completed appointment) or written about, with the last visit and open plans.
func (s *Service) MyPatients(ctx context.Context, p kernel.Principal, page kernel.Page) (kernel.List[PatientSummary], error) {
	if err := p.RequireAuthenticated(); err != nil {
		return kernel.List[PatientSummary]{}, err
	}
	if p.Kind != kernel.KindProfessional {
		return kernel.List[PatientSummary]{}, kernel.Forbidden("só profissionais têm pacientes")
	}
	page, err := page.Normalize()
	if err != nil {
		return kernel.List[PatientSummary]{}, err
	}
	// a professional whose registration is not (or no longer) verified keeps
	// no care relationship: they see no patient (as access decides)
	pro, err := s.Dir.Professional(ctx, p.AccountID)
	if err != nil && kernel.KindOf(err) != kernel.KindNotFound {
		return kernel.List[PatientSummary]{}, kernel.Wrap(err, "professional")
	}
	if err != nil || !pro.Verified {
		return kernel.List[PatientSummary]{Items: []PatientSummary{}}, nil
	}
	offset := 0
	if page.Cursor != "" {
		if err := kernel.DecodeCursor(page.Cursor, &offset); err != nil || offset < 0 {
			return kernel.List[PatientSummary]{}, kernel.Invalid("cursor", "não é um cursor fornecido por esta API")
		}
	}
	visits, err := s.Care.AttendedPatients(ctx, p.AccountID)
	if err != nil {
		return kernel.List[PatientSummary]{}, kernel.Wrap(err, "attended patients")
	}
	authored, err := s.Store.AuthoredPatients(ctx, p.AccountID)
	if err != nil {
		return kernel.List[PatientSummary]{}, err
	}
	byID := map[kernel.ID]*PatientSummary{}
	var order []*PatientSummary
	get := func(id kernel.ID) *PatientSummary {
		if ps, ok := byID[id]; ok {
			return ps
		}
		ps := &PatientSummary{PatientID: id}
		byID[id] = ps
		order = append(order, ps)
		return ps
	}
	for _, v := range visits {
		ps := get(v.PatientID)
		if ps.LastVisit == nil || v.LastVisit.After(*ps.LastVisit) {
			t := v.LastVisit.UTC()
			ps.LastVisit = &t
		}
	}
	sortKey := map[kernel.ID]time.Time{}
	for _, a := range authored {
		get(a.PatientID).ActivePlans = a.ActivePlans
		sortKey[a.PatientID] = a.LastWritten
	}
	for _, ps := range order {
		if ps.LastVisit != nil && ps.LastVisit.After(sortKey[ps.PatientID]) {
			sortKey[ps.PatientID] = *ps.LastVisit
		}
	}
	slices.SortFunc(order, func(a, b *PatientSummary) int {
		if c := sortKey[b.PatientID].Compare(sortKey[a.PatientID]); c != 0 {
			return c
		}
		return strings.Compare(a.PatientID, b.PatientID)
	})
	out := kernel.List[PatientSummary]{Items: []PatientSummary{}}
	if offset > len(order) {
		offset = len(order)
	}
	end := min(offset+page.Limit, len(order))
	for _, ps := range order[offset:end] {
		if info, err := s.Dir.Patient(ctx, ps.PatientID); err == nil {
			ps.Name = info.Name
		}
		out.Items = append(out.Items, *ps)
	}
	if end < len(order) {
		out.NextCursor = kernel.EncodeCursor(end)
	}
	return out, nil
}
