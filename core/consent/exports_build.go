package consent

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

var errExportNoop = errors.New("nothing to do")

// ManifestFile is one file of an archive as manifest.json lists it.
type ManifestFile struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Manifest is manifest.json: every other file of the archive with its size
// and SHA-256, and whose archive it is.
type Manifest struct {
	Format           string         `json:"format"`
	ExportID         kernel.ID      `json:"export_id"`
	OwnerID          kernel.ID      `json:"owner_id"`
	OwnerKind        string         `json:"owner_kind"`
	GeneratedAt      string         `json:"generated_at"` // RFC 3339, São Paulo time
	Files            []ManifestFile `json:"files"`
	DocumentsOmitted bool           `json:"documents_omitted,omitempty"` // more than MaxExportDocuments documents
	Note             string         `json:"note"`
}

// ManifestFormat names the archive's layout version.
const ManifestFormat = "multisaude-export/1"

// counter counts bytes written.
type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// archive writes the ZIP, recording each file for the manifest.
type archive struct {
	zw    *zip.Writer
	files []ManifestFile
	at    time.Time
}

// add writes one file through write, hashing and counting it on the way.
func (a *archive) add(name string, write func(w io.Writer) error) error {
	fw, err := a.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: a.at})
	if err != nil {
		return err
	}
	h, c := sha256.New(), &counter{}
	if err := write(io.MultiWriter(fw, h, c)); err != nil {
		return err
	}
	a.files = append(a.files, ManifestFile{Path: name, Size: c.n, SHA256: hex.EncodeToString(h.Sum(nil))})
	return nil
}

// BuildManifest is the manifest of files (pure; the archive's last file).
func BuildManifest(e Export, files []ManifestFile, omitted bool, at time.Time) Manifest {
	fs := make([]ManifestFile, len(files))
	copy(fs, files)
	return Manifest{Format: ManifestFormat, ExportID: e.ID, OwnerID: e.OwnerID, OwnerKind: string(e.OwnerKind),
		GeneratedAt: at.In(saoPaulo()).Format(time.RFC3339), Files: fs, DocumentsOmitted: omitted,
		Note: "Arquivo gerado a pedido do titular (LGPD, art. 18, II e V). Cada arquivo listado traz seu tamanho em bytes e seu SHA-256."}
}

// documentPath is where a document goes in the archive: its ID keeps names
// unique; the file name is reduced to one safe path segment.
func documentPath(d ExportDocument) string {
	name := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < 0x20 || r == 0x7f {
			return '_'
		}
		return r
	}, d.FileName)
	name = strings.TrimLeft(name, ".")
	if name == "" {
		name = "documento"
	}
	folder := d.Folder
	if folder == "" {
		folder = FolderDocuments
	}
	return folder + "/" + d.ID + "_" + name
}

// exportResult is what a finished build hands back.
type exportResult struct {
	files int
	size  int64
	sum   string
}

// HandleExportRequested consumes TopicExportRequested: it builds the archive
// (never in the request), stores it sealed under a key of this build, and
// marks the job ready with an expiry job at ExpiresAt. A failed build is
// returned to the queue (retried); on the last attempt the job ends failed
// with a pt-BR reason. Two deliveries building at once both finish; the
// first to mark the job ready wins and the other deletes its own object.
//
// Memory: the archive streams from the sources through ZIP, hashing and
// sealing into the blob store; the build holds one page of a list (at most
// kernel.MaxLimit items), one document (clinical's size limit, 20 MiB by
// default, while it is decrypted) and one 64 KiB chunk, never the archive.
func (s *Service) HandleExportRequested(ctx context.Context, d ports.Delivery) error {
	var m exportMsg
	if err := json.Unmarshal(d.Body, &m); err != nil || !kernel.ValidID(m.ExportID) {
		s.Log.Error("bad consent.export.requested message; dropped", "message_id", d.ID)
		return nil
	}
	e, err := s.Exports.UpdateExport(ctx, m.ExportID, func(x *Export) error {
		if !x.Status.Unfinished() {
			return errExportNoop
		}
		x.Progress = 0
		return x.Move(ExportBuilding, s.now())
	})
	switch {
	case errors.Is(err, errExportNoop), kernel.KindOf(err) == kernel.KindNotFound:
		return nil
	case err != nil:
		return err
	}
	key := "consent/exports/" + e.OwnerID + "/" + e.ID + "/" + kernel.NewID()
	res, stored, err := s.buildExport(ctx, e, key)
	if err != nil {
		s.dropBlob(ctx, key)
		if d.Attempt >= s.cfg.ExportAttempts {
			s.failExport(ctx, e.ID, err)
			return nil
		}
		s.Log.Warn("export build failed; the queue retries it", "export_id", e.ID, "attempt", d.Attempt, "kind", kernel.KindOf(err))
		return err
	}
	now := s.now()
	out, err := s.Exports.UpdateExport(ctx, e.ID, func(x *Export) error {
		if x.Status != ExportBuilding {
			return errExportNoop
		}
		x.Files, x.Size, x.Stored, x.SHA256, x.BlobKey = res.files, res.size, stored, res.sum, key
		x.ReadyAt, x.ExpiresAt = now, now.Add(s.cfg.ExportTTL)
		return x.Move(ExportReady, now)
	})
	if err != nil {
		s.dropBlob(ctx, key)
		if errors.Is(err, errExportNoop) {
			return nil
		}
		return err
	}
	s.scheduleExpiry(ctx, out)
	s.Log.Info("export ready", "export_id", out.ID, "files", out.Files, "bytes", out.Size)
	return nil
}

func (s *Service) dropBlob(ctx context.Context, key string) {
	if err := s.Blobs.Delete(context.WithoutCancel(ctx), key); err != nil && kernel.KindOf(err) != kernel.KindNotFound {
		s.Log.Warn("a partial export object was not deleted", "key", key, "kind", kernel.KindOf(err))
	}
}

// FailureReason is the pt-BR reason a failed export shows its owner.
func FailureReason(err error) string {
	switch {
	case errors.Is(err, kernel.ErrIntegrity):
		return "um documento armazenado não passou na verificação de integridade; a equipe técnica foi alertada. Peça uma nova exportação mais tarde."
	case kernel.KindOf(err) == kernel.KindUnavailable:
		return "um serviço necessário ficou indisponível durante a geração do arquivo. Peça uma nova exportação em alguns minutos."
	}
	return "não foi possível gerar o arquivo depois de várias tentativas. Peça uma nova exportação; se o erro continuar, fale com o suporte."
}

func (s *Service) failExport(ctx context.Context, id kernel.ID, cause error) {
	s.Log.Error("export failed after its last attempt", "export_id", id, "kind", kernel.KindOf(cause), "err", cause.Error())
	_, err := s.Exports.UpdateExport(context.WithoutCancel(ctx), id, func(x *Export) error {
		if x.Status != ExportBuilding && x.Status != ExportPending {
			return errExportNoop
		}
		x.Reason = FailureReason(cause)
		return x.Move(ExportFailed, s.now())
	})
	if err != nil && !errors.Is(err, errExportNoop) {
		s.Log.Error("the failed export could not be marked failed", "export_id", id, "kind", kernel.KindOf(err))
	}
}

// buildExport streams the archive into the blob store under key and returns
// what the archive holds and the stored (encrypted) size.
func (s *Service) buildExport(ctx context.Context, e Export, key string) (exportResult, int64, error) {
	pr, pw := io.Pipe()
	done := make(chan struct {
		res exportResult
		err error
	}, 1)
	go func() {
		res, err := s.writeArchive(ctx, e, pw)
		pw.CloseWithError(err) // nil: the reader sees io.EOF
		done <- struct {
			res exportResult
			err error
		}{res, err}
	}()
	info, perr := s.Blobs.Put(ctx, key, pr, ports.PutOptions{ContentType: "application/octet-stream",
		Metadata: map[string]string{"sealed": "1", "export-id": e.ID}})
	if perr != nil {
		pr.CloseWithError(perr) // unblock the writer
	} else {
		pr.Close()
	}
	w := <-done
	if w.err != nil {
		return exportResult{}, 0, w.err
	}
	if perr != nil {
		return exportResult{}, 0, kernel.Wrap(perr, "store the export")
	}
	return w.res, info.Size, nil
}

// writeArchive writes the sealed ZIP to out.
func (s *Service) writeArchive(ctx context.Context, e Export, out io.Writer) (exportResult, error) {
	sw, err := newSealWriter(ctx, s.Keys, out, exportEncContext(e))
	if err != nil {
		return exportResult{}, err
	}
	var sum hash.Hash = sha256.New()
	size := &counter{}
	at := s.now()
	a := &archive{zw: zip.NewWriter(io.MultiWriter(sw, sum, size)), at: at}
	p := kernel.Principal{AccountID: e.OwnerID, Kind: e.OwnerKind}

	sections := ExportSections()
	var docs []ExportDocument
	more := false
	if s.Source != nil {
		if docs, more, err = s.Source.Documents(ctx, p, MaxExportDocuments); err != nil {
			return exportResult{}, kernel.Wrap(err, "list the documents")
		}
	}
	steps, done := len(sections)+1+len(docs), 0
	lastShown := 0
	step := func() {
		done++
		pct := done * 99 / steps
		if pct-lastShown < 10 && done < steps {
			return
		}
		lastShown = pct
		if _, err := s.Exports.UpdateExport(ctx, e.ID, func(x *Export) error {
			if x.Status != ExportBuilding || x.Progress >= pct {
				return errExportNoop
			}
			x.Progress, x.UpdatedAt = pct, s.now()
			return nil
		}); err != nil && !errors.Is(err, errExportNoop) {
			s.Log.Warn("export progress not saved", "export_id", e.ID, "kind", kernel.KindOf(err))
		}
	}

	for _, sec := range sections {
		if err := a.add(sec+".json", func(w io.Writer) error {
			if s.Source == nil {
				_, err := io.WriteString(w, "{}\n")
				return err
			}
			return s.Source.WriteSection(ctx, p, sec, w)
		}); err != nil {
			return exportResult{}, kernel.Wrap(err, "write %s", sec)
		}
		step()
	}
	if err := a.add("consent.json", func(w io.Writer) error { return s.writeConsent(ctx, p, w) }); err != nil {
		return exportResult{}, kernel.Wrap(err, "write consent")
	}
	step()
	for _, d := range docs {
		if err := a.add(documentPath(d), func(w io.Writer) error {
			rc, err := s.Source.OpenDocument(ctx, p, d)
			if err != nil {
				return err
			}
			defer rc.Close()
			_, err = io.Copy(w, rc)
			return err
		}); err != nil {
			return exportResult{}, kernel.Wrap(err, "write document %s", d.ID)
		}
		step()
	}
	m := BuildManifest(e, a.files, more, at)
	fw, err := a.zw.CreateHeader(&zip.FileHeader{Name: "manifest.json", Method: zip.Deflate, Modified: at})
	if err != nil {
		return exportResult{}, err
	}
	enc := json.NewEncoder(fw)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return exportResult{}, err
	}
	if err := a.zw.Close(); err != nil {
		return exportResult{}, err
	}
	if err := sw.Close(); err != nil {
		return exportResult{}, err
	}
	return exportResult{files: len(a.files) + 1, size: size.n, sum: hex.EncodeToString(sum.Sum(nil))}, nil
}

// consentFile is consent.json.
type consentFile struct {
	SubjectID   kernel.ID         `json:"subject_id"`
	Consents    []consentEntry    `json:"consents"`
	Disclosures []disclosureEntry `json:"disclosures"`
	Terms       map[string]string `json:"current_term_versions"`
	Note        string            `json:"note"`
}

type consentEntry struct {
	ID          kernel.ID `json:"id"`
	Purpose     string    `json:"purpose"`
	Decision    string    `json:"decision"`
	TermVersion string    `json:"term_version"`
	Channel     string    `json:"channel"`
	RequestID   string    `json:"request_id,omitempty"`
	At          string    `json:"at"`
}

type disclosureEntry struct {
	RecipientKind string    `json:"recipient_kind"`
	RecipientID   kernel.ID `json:"recipient_id"`
	Category      string    `json:"category"`
	Basis         string    `json:"basis"`
	ObjectType    string    `json:"object_type,omitempty"`
	ObjectID      kernel.ID `json:"object_id,omitempty"`
	At            string    `json:"at"`
}

func showTime(t time.Time) string { return t.In(saoPaulo()).Format(time.RFC3339) }

// writeConsent writes consent.json: the owner's consent ledger (oldest first)
// and the disclosures of their data (newest first).
func (s *Service) writeConsent(ctx context.Context, p kernel.Principal, w io.Writer) error {
	f := consentFile{SubjectID: p.AccountID, Consents: []consentEntry{}, Disclosures: []disclosureEntry{}, Terms: map[string]string{},
		Note: "Histórico de consentimentos (nada é alterado no lugar) e registro de compartilhamentos dos seus dados."}
	if s.Ledger != nil {
		rs, err := s.Ledger.ConsentHistory(ctx, p.AccountID)
		if err != nil {
			return err
		}
		for _, r := range rs {
			f.Consents = append(f.Consents, consentEntry{ID: r.ID, Purpose: r.Purpose, Decision: string(r.Decision),
				TermVersion: r.TermVersion, Channel: r.Channel, RequestID: r.RequestID, At: showTime(r.At)})
		}
	}
	if s.Disclosures != nil {
		ds, err := s.Disclosures.ListDisclosures(ctx, p.AccountID)
		if err != nil {
			return err
		}
		for _, d := range ds {
			f.Disclosures = append(f.Disclosures, disclosureEntry{RecipientKind: d.RecipientKind, RecipientID: d.RecipientID,
				Category: d.Category, Basis: d.Basis, ObjectType: d.ObjectType, ObjectID: d.ObjectID, At: showTime(d.At)})
		}
	}
	for _, t := range Terms() {
		f.Terms[t.Purpose] = t.Version
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("encode consent.json: %w", err)
	}
	return nil
}
