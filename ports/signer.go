package ports

import "context"

// Signature is a detached signature over a document.
type Signature struct {
	Algorithm string // e.g. "Ed25519"
	KeyID     string
	Value     []byte
}

// DocumentSigner signs documents issued by the platform (prescriptions).
type DocumentSigner interface {
	Sign(ctx context.Context, doc []byte) (Signature, error)
	// Verify returns kernel.KindForbidden when the signature does not match.
	Verify(ctx context.Context, doc []byte, sig Signature) error
}
