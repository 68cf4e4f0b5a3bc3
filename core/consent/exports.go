package consent

import (
	"context"
	"io"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// ExportStatus is where an export job stands.
type ExportStatus string

const (
	ExportPending  ExportStatus = "pending"  // asked for; waiting for the worker
	ExportBuilding ExportStatus = "building" // the worker is writing the archive
	ExportReady    ExportStatus = "ready"    // downloadable by its owner until ExpiresAt
	ExportFailed   ExportStatus = "failed"   // every attempt failed; Reason says why (pt-BR)
	ExportExpired  ExportStatus = "expired"  // past its TTL; the archive is deleted
)

// ExportStatuses lists the statuses (for the API document).
func ExportStatuses() []string {
	return []string{string(ExportPending), string(ExportBuilding), string(ExportReady), string(ExportFailed), string(ExportExpired)}
}

// exportMoves is the state machine: pending → building → ready → expired, and
// pending or building → failed. building → building is a retry of the build.
var exportMoves = map[ExportStatus][]ExportStatus{
	ExportPending:  {ExportBuilding, ExportFailed},
	ExportBuilding: {ExportBuilding, ExportReady, ExportFailed},
	ExportReady:    {ExportExpired},
}

// Bounds of exports.
const (
	// MaxExportsPerDay is how many exports one person may ask for in 24 hours.
	MaxExportsPerDay = 3
	// MaxExportDocuments caps the clinical documents one archive holds
	// (past it, the archive's manifest says how many were left out).
	MaxExportDocuments = 2000
	// MaxExportPages caps the pages the bridge reads of any one list
	// (kernel.MaxLimit items each): 100 pages, 10,000 items per list.
	MaxExportPages = 100
	// DefaultExportAttempts is how many builds are tried when the queue's
	// maximum is not known (Config.ExportAttempts).
	DefaultExportAttempts = 5
)

// Unfinished reports whether the job is still to be built.
func (s ExportStatus) Unfinished() bool { return s == ExportPending || s == ExportBuilding }

// CanMove reports whether the state machine allows s → next.
func (s ExportStatus) CanMove(next ExportStatus) bool {
	for _, n := range exportMoves[s] {
		if n == next {
			return true
		}
	}
	return false
}

// Export is one access-and-portability job (LGPD art. 18, II and V): an
// archive of everything the platform holds about its owner.
type Export struct {
	ID        kernel.ID
	OwnerID   kernel.ID
	OwnerKind kernel.AccountKind
	Status    ExportStatus
	Progress  int    // percent, 0 to 100
	Files     int    // files in the archive
	Size      int64  // bytes of the ZIP archive (what the owner downloads)
	Stored    int64  // bytes of the encrypted object in the blob store
	SHA256    string // hex SHA-256 of the ZIP archive
	BlobKey   string // the encrypted archive; empty until ready and after expiry
	Reason    string // pt-BR, why it failed
	Attempts  int    // builds started
	CreatedAt time.Time
	UpdatedAt time.Time
	ReadyAt   time.Time // zero until ready
	ExpiresAt time.Time // zero until ready
}

// Move applies the state machine; an illegal move is KindConflict.
func (e *Export) Move(next ExportStatus, at time.Time) error {
	if !e.Status.CanMove(next) {
		return kernel.Conflict("a exportação está %s e não pode passar a %s", e.Status, next)
	}
	e.Status, e.UpdatedAt = next, at.UTC()
	switch next {
	case ExportBuilding:
		e.Attempts++
	case ExportReady:
		e.Progress, e.Reason = 100, ""
	case ExportExpired:
		e.BlobKey = ""
	}
	return nil
}

// Downloadable returns nil when the owner may download the archive at now:
// KindGone once it expired (by status or by the clock), KindConflict while it
// is not ready.
func (e Export) Downloadable(now time.Time) error {
	switch {
	case e.Status == ExportExpired, e.Status == ExportReady && !now.Before(e.ExpiresAt):
		return kernel.Gone("a exportação expirou e o arquivo foi apagado; peça uma nova")
	case e.Status == ExportFailed:
		return kernel.Conflict("a exportação falhou: %s", e.Reason)
	case e.Status != ExportReady:
		return kernel.Conflict("a exportação ainda não está pronta (%d%%)", e.Progress)
	}
	return nil
}

// ExportStore keeps export jobs.
type ExportStore interface {
	// CreateExport inserts e with its events (the outbox) atomically.
	// KindConflict when the owner has an unfinished export (pending or
	// building); KindTooMany when the owner created MaxExportsPerDay exports
	// at or after since. Nothing is written then.
	CreateExport(ctx context.Context, e Export, since time.Time, events ...kernel.Event) error
	// GetExport returns a job; KindNotFound when there is none.
	GetExport(ctx context.Context, id kernel.ID) (Export, error)
	// UpdateExport runs fn on the locked job inside a transaction and saves
	// what it leaves; an error from fn is returned and nothing is saved.
	UpdateExport(ctx context.Context, id kernel.ID, fn func(*Export) error) (Export, error)
	// ListExports returns one page of the owner's jobs, newest first.
	ListExports(ctx context.Context, ownerID kernel.ID, page kernel.Page) (kernel.List[Export], error)
}

// Export sections: one JSON file each in the archive, named section+".json"
// (consent.json is consent's own and is written by the service).
// SectionFHIR is fhir_bundle.json: a FHIR R4 Bundle (type collection) of
// everything the patient has, for systems that speak FHIR (LGPD art. 18, V).
const (
	SectionIdentity   = "identity"
	SectionScheduling = "scheduling"
	SectionClinical   = "clinical"
	SectionCommerce   = "commerce"
	SectionAccessLog  = "access_log"
	SectionMessages   = "messages"
	SectionFHIR       = "fhir_bundle"
)

// ExportSections are the sections ExportSource writes, in archive order.
func ExportSections() []string {
	return []string{SectionIdentity, SectionScheduling, SectionClinical, SectionCommerce, SectionAccessLog, SectionMessages, SectionFHIR}
}

// ExportDocument is one file to put in the archive: a clinical document
// (under documents/) or a message's attachment (under attachments/).
type ExportDocument struct {
	ID       kernel.ID // the document's, or the message's for an attachment
	FileName string    // clean base name
	Size     int64
	Folder   string // FolderDocuments ("" too) or FolderAttachments
}

// Archive folders of ExportDocument.
const (
	FolderDocuments   = "documents"
	FolderAttachments = "attachments"
)

// ExportSource reads what the other contexts hold about an owner, through
// their public use cases, as the owner (p is the owner's own principal). It
// never reads anyone else's data: a professional gets their account and
// profile, not their patients' records.
type ExportSource interface {
	// WriteSection writes one section (Section*) as a JSON document to w,
	// streaming long lists page by page. A section with nothing for this
	// kind of owner writes a document that says so, never an error.
	WriteSection(ctx context.Context, p kernel.Principal, section string, w io.Writer) error
	// Documents lists the owner's clinical documents (patients only; others
	// get none), oldest first, then the attachments of the messages in the
	// owner's export, at most limit in all, and whether there were more.
	Documents(ctx context.Context, p kernel.Principal, limit int) ([]ExportDocument, bool, error)
	// OpenDocument returns a document's (or an attachment's) decrypted,
	// checksum-verified content. It holds at most one file (its context's
	// size limit) in memory.
	OpenDocument(ctx context.Context, p kernel.Principal, d ExportDocument) (io.ReadCloser, error)
}
