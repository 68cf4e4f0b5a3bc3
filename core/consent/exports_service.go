package consent

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// exportMsg is the body of TopicExportRequested and TopicExportExpire.
type exportMsg struct {
	ExportID kernel.ID `json:"export_id"`
}

func notFoundExport() error { return kernel.NotFound("exportação não encontrada") }

// exportOwner checks that p is a person who may export their own data.
func exportOwner(p kernel.Principal) error {
	if err := p.RequireAuthenticated(); err != nil {
		return err
	}
	switch p.Kind {
	case kernel.KindPatient, kernel.KindProfessional, kernel.KindCompanyMember:
		return nil
	}
	return kernel.Forbidden("somente pacientes, profissionais e membros de empresas exportam os próprios dados")
}

// RequestExport starts an export of the caller's own data: the job is stored
// with its TopicExportRequested event in one transaction, and the worker
// builds the archive. One unfinished export per person (KindConflict) and at
// most MaxExportsPerDay in 24 hours (KindTooMany).
func (s *Service) RequestExport(ctx context.Context, p kernel.Principal, requestID string) (Export, error) {
	if err := exportOwner(p); err != nil {
		return Export{}, err
	}
	now := s.now()
	e := Export{ID: kernel.NewID(), OwnerID: p.AccountID, OwnerKind: p.Kind, Status: ExportPending, CreatedAt: now, UpdatedAt: now}
	ev := kernel.NewEvent(TopicExportRequested, e.ID, exportMsg{ExportID: e.ID}, now)
	if err := s.Exports.CreateExport(ctx, e, now.Add(-24*time.Hour), ev); err != nil {
		return Export{}, err
	}
	s.audit(ctx, ports.AuditRecord{At: now, ActorID: p.AccountID, ActorKind: string(p.Kind), Action: "export.create",
		ObjectType: "export", ObjectID: e.ID, SubjectID: p.AccountID, RequestID: requestID})
	return e, nil
}

// audit appends to the trail; a failure is logged (the action already happened).
func (s *Service) audit(ctx context.Context, r ports.AuditRecord) {
	if s.Trail == nil {
		return
	}
	if err := s.Trail.Append(context.WithoutCancel(ctx), r); err != nil {
		s.Log.Error("audit append failed", "action", r.Action, "object_id", r.ObjectID, "kind", kernel.KindOf(err))
	}
}

// ListExports lists the caller's exports, newest first.
func (s *Service) ListExports(ctx context.Context, p kernel.Principal, page kernel.Page) (kernel.List[Export], error) {
	if err := exportOwner(p); err != nil {
		return kernel.List[Export]{}, err
	}
	page, err := page.Normalize()
	if err != nil {
		return kernel.List[Export]{}, err
	}
	return s.Exports.ListExports(ctx, p.AccountID, page)
}

// GetExport returns one of the caller's exports; anyone else's is KindNotFound.
func (s *Service) GetExport(ctx context.Context, p kernel.Principal, id kernel.ID) (Export, error) {
	if err := exportOwner(p); err != nil {
		return Export{}, err
	}
	if !kernel.ValidID(id) {
		return Export{}, notFoundExport()
	}
	e, err := s.Exports.GetExport(ctx, id)
	if kernel.KindOf(err) == kernel.KindNotFound || err == nil && e.OwnerID != p.AccountID {
		return Export{}, notFoundExport()
	}
	return e, err
}

// ExportFileName is the archive's name for its owner.
func ExportFileName(e Export) string {
	return fmt.Sprintf("multisaude-dados-%s.zip", e.CreatedAt.In(saoPaulo()).Format("2006-01-02"))
}

func saoPaulo() *time.Location {
	if loc, err := time.LoadLocation("America/Sao_Paulo"); err == nil {
		return loc
	}
	return time.FixedZone("BRT", -3*3600)
}

// OpenExport opens the caller's ready archive for download, decrypting it as
// it is read (Read fails with an integrity error if the stored object was
// altered). KindGone once expired; KindConflict while not ready. The caller
// closes the reader.
func (s *Service) OpenExport(ctx context.Context, p kernel.Principal, id kernel.ID, requestID string) (Export, io.ReadCloser, error) {
	e, err := s.GetExport(ctx, p, id)
	if err != nil {
		return Export{}, nil, err
	}
	now := s.now()
	if err := e.Downloadable(now); err != nil {
		return Export{}, nil, err
	}
	rc, _, err := s.Blobs.Get(ctx, e.BlobKey)
	if kernel.KindOf(err) == kernel.KindNotFound {
		return Export{}, nil, kernel.Gone("o arquivo da exportação não existe mais; peça uma nova")
	}
	if err != nil {
		return Export{}, nil, kernel.Wrap(err, "read the export")
	}
	o, err := openSealed(ctx, s.Keys, rc, exportEncContext(e), e.ID)
	if err != nil {
		rc.Close()
		if kernel.KindOf(err) == kernel.KindInternal {
			s.Log.Error("export failed its integrity check", "alert", true, "export_id", e.ID)
		}
		return Export{}, nil, err
	}
	s.audit(ctx, ports.AuditRecord{At: now, ActorID: p.AccountID, ActorKind: string(p.Kind), Action: "export.download",
		ObjectType: "export", ObjectID: e.ID, SubjectID: p.AccountID, RequestID: requestID})
	return e, struct {
		io.Reader
		io.Closer
	}{o, rc}, nil
}

func (s *Service) exportConsumers() []Consumer {
	return []Consumer{
		{Name: "consent-export-build", Topic: TopicExportRequested, Handle: s.HandleExportRequested},
		{Name: "consent-export-expire", Topic: TopicExportExpire, Handle: s.HandleExportExpire},
	}
}

// scheduleExpiry asks the scheduler to expire the export at its ExpiresAt.
func (s *Service) scheduleExpiry(ctx context.Context, e Export) {
	if s.Scheduler == nil {
		s.Log.Warn("no scheduler: the export expires only on download checks", "export_id", e.ID)
		return
	}
	body, _ := json.Marshal(exportMsg{ExportID: e.ID})
	err := s.Scheduler.Schedule(context.WithoutCancel(ctx), ports.Job{ID: "export-expire:" + e.ID, At: e.ExpiresAt,
		Msg: ports.Message{ID: kernel.NewID(), Topic: TopicExportExpire, Key: e.ID, Body: body}})
	if err != nil {
		s.Log.Error("export expiry not scheduled", "export_id", e.ID, "kind", kernel.KindOf(err))
	}
}

// HandleExportExpire consumes TopicExportExpire: a ready export past its
// ExpiresAt loses its archive (deleted from the blob store) and is marked
// expired; one fired early is scheduled again. Delivering it again changes nothing.
func (s *Service) HandleExportExpire(ctx context.Context, d ports.Delivery) error {
	var m exportMsg
	if err := json.Unmarshal(d.Body, &m); err != nil || !kernel.ValidID(m.ExportID) {
		s.Log.Error("bad consent.export.expire message; dropped", "message_id", d.ID)
		return nil
	}
	return s.ExpireExport(ctx, m.ExportID)
}

// ExpireExport deletes a ready export's archive once its TTL has passed and
// marks it expired (the expiry job's work; the platform's own action).
func (s *Service) ExpireExport(ctx context.Context, id kernel.ID) error {
	e, err := s.Exports.GetExport(ctx, id)
	if kernel.KindOf(err) == kernel.KindNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	now := s.now()
	if e.Status != ExportReady {
		return nil
	}
	if now.Before(e.ExpiresAt) { // fired early (clock skew): again at ExpiresAt
		s.scheduleExpiry(ctx, e)
		return nil
	}
	if e.BlobKey != "" {
		if err := s.Blobs.Delete(ctx, e.BlobKey); err != nil && kernel.KindOf(err) != kernel.KindNotFound {
			return kernel.Wrap(err, "delete the export's archive")
		}
	}
	_, err = s.Exports.UpdateExport(ctx, id, func(x *Export) error {
		if x.Status != ExportReady {
			return errExportNoop
		}
		return x.Move(ExportExpired, now)
	})
	if err == errExportNoop {
		return nil
	}
	return err
}
