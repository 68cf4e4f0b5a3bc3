package clinical

import (
	"bytes"
	"net/http"
	"strings"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// DocumentKind is what a medical document is.
type DocumentKind string

const (
	DocExamResult  DocumentKind = "exam_result"
	DocReport      DocumentKind = "report"
	DocImage       DocumentKind = "image"
	DocCertificate DocumentKind = "certificate"
	DocOther       DocumentKind = "other"
)

func (k DocumentKind) valid() bool {
	switch k {
	case DocExamResult, DocReport, DocImage, DocCertificate, DocOther:
		return true
	}
	return false
}

// Document is a stored, encrypted medical file.
type Document struct {
	ID           kernel.ID
	PatientID    kernel.ID
	UploaderID   kernel.ID
	UploaderKind kernel.AccountKind
	Kind         DocumentKind
	Title        string
	FileName     string
	ContentType  string // sniffed, never the client's claim
	Size         int64  // plaintext bytes
	Checksum     string // SHA-256 of the plaintext, hex
	BlobKey      string
	CreatedAt    time.Time
}

// Meta is the document without its title and file name, for admins.
func (d Document) Meta() Document {
	d.Title, d.FileName = "", ""
	return d
}

// UploadInput is one uploaded file; Content holds it whole (the HTTP layer
// limits its size).
type UploadInput struct {
	Kind     DocumentKind
	Title    string
	FileName string
	Content  []byte
}

// AllowedContentTypes are the file types accepted, decided by content sniffing.
var AllowedContentTypes = []string{"application/pdf", "image/jpeg", "image/png", "image/webp", "application/dicom"}

// SniffContentType decides a file's type from its bytes: PDF and DICOM by their
// magic numbers, images through net/http's sniffer. It returns "" when the type
// is not allowed.
func SniffContentType(b []byte) string {
	if bytes.HasPrefix(b, []byte("%PDF-")) {
		return "application/pdf"
	}
	if len(b) >= 132 && string(b[128:132]) == "DICM" {
		return "application/dicom"
	}
	ct := strings.Split(http.DetectContentType(b), ";")[0]
	for _, a := range AllowedContentTypes {
		if ct == a && strings.HasPrefix(ct, "image/") {
			return ct
		}
	}
	return ""
}
