package clinical

import (
	"bytes"
	"fmt"
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

// SniffContentType decides a file's type from its magic numbers (the header
// the client sent is not trusted). It returns "" when the type is not allowed.
// The core imports no net/http, so the few signatures are checked here.
func SniffContentType(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return "application/pdf"
	case len(b) >= 132 && string(b[128:132]) == "DICM":
		return "application/dicom"
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return "image/jpeg"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case len(b) >= 14 && string(b[0:4]) == "RIFF" && string(b[8:14]) == "WEBPVP":
		return "image/webp"
	}
	return ""
}

// CheckFile is the rule for an uploaded file (documents, chat attachments): not
// empty, at most maxBytes, and of an allowed type decided by sniffing. It
// returns the sniffed content type, or a problem in pt-BR ("" when the file is
// acceptable).
func CheckFile(content []byte, maxBytes int64) (contentType, problem string) {
	switch {
	case len(content) == 0:
		return "", "é obrigatório e não pode estar vazio"
	case int64(len(content)) > maxBytes:
		return "", fmt.Sprintf("deve ter no máximo %d bytes", maxBytes)
	}
	if ct := SniffContentType(content); ct != "" {
		return ct, ""
	}
	return "", "deve ser um arquivo PDF, JPEG, PNG, WebP ou DICOM"
}

// CheckFile applies CheckFile with the service's size limit.
func (s *Service) CheckFile(content []byte) (contentType, problem string) {
	return CheckFile(content, s.cfg.MaxDocumentBytes)
}
