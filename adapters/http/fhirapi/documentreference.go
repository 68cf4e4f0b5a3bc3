package fhirapi

import (
	"context"
	"strings"

	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/kernel"
)

// DocumentReferenceResource is a medical document; its content is not
// inline: the attachment's url is the REST download, which decrypts, checks
// the checksum and writes the access log like any other download.
type DocumentReferenceResource struct {
	Base
	Status      string            `json:"status"`
	Type        *CodeableConcept  `json:"type,omitempty"`
	Category    []CodeableConcept `json:"category,omitempty"`
	Subject     *Reference        `json:"subject,omitempty"`
	Date        string            `json:"date,omitempty"`
	Author      []Reference       `json:"author,omitempty"`
	Description string            `json:"description,omitempty"`
	Content     []DocumentContent `json:"content"`
}

// DocumentContent is where the document's bytes are.
type DocumentContent struct {
	Attachment Attachment `json:"attachment"`
}

var documentKindText = map[clinical.DocumentKind]string{
	clinical.DocExamResult:  "Resultado de exame",
	clinical.DocReport:      "Laudo ou relatório",
	clinical.DocImage:       "Imagem",
	clinical.DocCertificate: "Atestado",
	clinical.DocOther:       "Outro documento",
}

const systemDocumentKind = SystemMultisaude + "document-kind"

func (f *Facade) documentReferenceType() *resourceType {
	return &resourceType{Name: "DocumentReference",
		Doc: "Documentos médicos do prontuário; o conteúdo vem pelo download da API REST (content.attachment.url), cifrado em repouso e registrado no log de acesso.",
		Params: append(append([]Param{}, recordParams...),
			Param{Name: "date", Type: "date", Doc: "o envio, com prefixos (ge, lt, ...)"},
			Param{Name: "type", Type: "token", Doc: "o tipo (" + systemDocumentKind + "|exam_result, report, image, certificate, other)"}),
		Read: func(ctx context.Context, p kernel.Principal, id string) (Resource, error) {
			d, _, err := f.d.Clinical.Document(ctx, p, id)
			if err != nil {
				return nil, err
			}
			return documentReference(d, f.d.BaseURL), nil
		},
		Search: func(ctx context.Context, p kernel.Principal, q Query) (Found, error) {
			pat, err := recordPatient(p, q)
			if err != nil {
				return Found{}, err
			}
			l, err := f.d.Clinical.Documents(ctx, p, pat, q.page())
			if err != nil {
				return unseen(err)
			}
			out := Found{Next: l.NextCursor}
			for _, d := range l.Items {
				r := documentReference(d, f.d.BaseURL)
				if q.DateMatch("date", d.CreatedAt) && q.TokenMatch("type", r.Type.Coding...) {
					out.Matches = append(out.Matches, r)
				}
			}
			return out, nil
		},
	}
}

// documentReference maps a document's metadata as the caller may read it (an
// admin's has no title or file name). base is the API's public base URL; the
// download URL is relative when it is not known.
func documentReference(d clinical.Document, base string) *DocumentReferenceResource {
	r := &DocumentReferenceResource{
		Base:        Base{ResourceType: "DocumentReference", ID: d.ID, Meta: meta(d.CreatedAt, "")},
		Status:      "current",
		Type:        &CodeableConcept{Coding: []Coding{{System: systemDocumentKind, Code: string(d.Kind), Display: documentKindText[d.Kind]}}, Text: documentKindText[d.Kind]},
		Category:    []CodeableConcept{{Text: "Documento do prontuário"}},
		Subject:     ref("Patient", d.PatientID),
		Date:        instant(d.CreatedAt),
		Description: d.Title,
	}
	switch d.UploaderKind {
	case kernel.KindPatient:
		r.Author = []Reference{*ref("Patient", d.UploaderID)}
	case kernel.KindProfessional:
		r.Author = []Reference{*ref("Practitioner", d.UploaderID)}
	}
	title := d.Title
	if title == "" {
		title = d.FileName
	}
	// Attachment.hash is a SHA-1; the platform keeps a SHA-256 only, so none is given.
	r.Content = []DocumentContent{{Attachment: Attachment{ContentType: d.ContentType, Size: d.Size, Title: title,
		Creation: instant(d.CreatedAt), URL: strings.TrimRight(base, "/") + "/v1/documents/" + d.ID + "/content"}}}
	return r
}
