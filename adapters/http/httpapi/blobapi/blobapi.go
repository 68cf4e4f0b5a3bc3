// Package blobapi serves the signed download URLs of the file blob store
// (adapters/blob/fileblob): GET /v1/blobs/signed/{key}?exp=&sig= streams the object
// to anyone holding a valid, unexpired link. A bad or expired signature is a
// 403 problem; the link is the credential, so the route is anonymous.
package blobapi

import (
	"context"
	"io"
	"mime"
	"net/url"
	"path"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// SignedOpener checks a signed link and opens its object; *fileblob.Store is one.
type SignedOpener interface {
	OpenSigned(ctx context.Context, key, exp, sig string) (io.ReadCloser, ports.BlobInfo, error)
}

// Module is the httpapi.Module serving signed blob downloads.
type Module struct{ store SignedOpener }

var _ httpapi.Module = (*Module)(nil)

// New builds the module over the store that signed the links.
func New(store SignedOpener) *Module { return &Module{store: store} }

// Register adds GET /v1/blobs/signed/:key.
func (m *Module) Register(r *httpapi.Router) {
	r.Handle(fiber.MethodGet, "/v1/blobs/signed/:key", httpapi.Op{
		ID:              "downloadSignedBlob",
		Summary:         "Download a stored file through a signed, expiring link",
		Tag:             "blobs",
		Auth:            httpapi.Public,
		ResponseHeaders: []string{"ETag", "Content-Disposition"},
		Query: []httpapi.Param{
			{Name: "exp", Type: "integer", Description: "expiry, Unix seconds", Required: true},
			{Name: "sig", Type: "string", Description: "signature", Required: true},
		},
		Responses: []httpapi.Response{
			{Status: 200, Description: "the file", Body: "", ContentType: "application/octet-stream"},
			{Status: 400, Description: "malformed link", Body: httpapi.Problem{}, ContentType: "application/problem+json"},
			{Status: 403, Description: "bad or expired signature", Body: httpapi.Problem{}, ContentType: "application/problem+json"},
			{Status: 404, Description: "the file was deleted", Body: httpapi.Problem{}, ContentType: "application/problem+json"},
		},
	}, m.download)
}

func (m *Module) download(c *fiber.Ctx) error {
	key, err := url.PathUnescape(c.Params("key"))
	if err != nil {
		return kernel.Invalid("key", "não é uma chave codificada válida")
	}
	if err := ports.CheckBlobKey(key); err != nil {
		return err
	}
	rc, info, err := m.store.OpenSigned(c.UserContext(), key, c.Query("exp"), c.Query("sig"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, info.ContentType)
	c.Set(fiber.HeaderETag, info.ETag)
	// The bytes are the user's: never let a browser run them on our origin.
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; sandbox")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	disp := mime.FormatMediaType("attachment", map[string]string{"filename": path.Base(key)})
	if disp == "" {
		disp = "attachment"
	}
	c.Set(fiber.HeaderContentDisposition, disp)
	c.Status(fiber.StatusOK)
	return c.SendStream(rc, int(info.Size))
}
