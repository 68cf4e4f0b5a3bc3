package conformance

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// RunDocumentSigner checks the DocumentSigner contract: a signature verifies
// over the same bytes, any changed byte of document or signature is
// kernel.KindForbidden, and the key ID is stable.
func RunDocumentSigner(t *testing.T, newSigner func(t *testing.T) ports.DocumentSigner) {
	report(t, "DocumentSigner")
	ctx := context.Background()
	doc := []byte(`{"prescription":"0190d4f2","items":[{"drug":"Losartana","dosage":"50 mg"}]}`)

	t.Run("SignVerify", func(t *testing.T) {
		s := newSigner(t)
		sig, err := s.Sign(ctx, doc)
		mustNoErr(t, "Sign", err)
		if sig.Algorithm == "" || sig.KeyID == "" || len(sig.Value) == 0 {
			t.Fatalf("incomplete signature %+v", sig)
		}
		mustNoErr(t, "Verify", s.Verify(ctx, doc, sig))
		mustNoErr(t, "Verify of a copy", s.Verify(ctx, bytes.Clone(doc), sig))
		empty, err := s.Sign(ctx, nil)
		mustNoErr(t, "Sign of an empty document", err)
		mustNoErr(t, "Verify of an empty document", s.Verify(ctx, []byte{}, empty))
		mustKind(t, "Verify of the empty document's signature over another", s.Verify(ctx, doc, empty), kernel.KindForbidden)
	})

	t.Run("AnyChangedByteIsForbidden", func(t *testing.T) {
		s := newSigner(t)
		sig, err := s.Sign(ctx, doc)
		mustNoErr(t, "Sign", err)
		for i := range doc {
			bad := bytes.Clone(doc)
			bad[i] ^= 0x01
			if err := s.Verify(ctx, bad, sig); kernel.KindOf(err) != kernel.KindForbidden {
				t.Fatalf("Verify with byte %d of the document changed: %v, want forbidden", i, err)
			}
		}
		mustKind(t, "Verify of a longer document", s.Verify(ctx, append(bytes.Clone(doc), ' '), sig), kernel.KindForbidden)
		mustKind(t, "Verify of a shorter document", s.Verify(ctx, doc[:len(doc)-1], sig), kernel.KindForbidden)
		for i := range sig.Value {
			bad := sig
			bad.Value = bytes.Clone(sig.Value)
			bad.Value[i] ^= 0x01
			if err := s.Verify(ctx, doc, bad); kernel.KindOf(err) != kernel.KindForbidden {
				t.Fatalf("Verify with byte %d of the signature changed: %v, want forbidden", i, err)
			}
		}
		short := sig
		short.Value = sig.Value[:len(sig.Value)-1]
		mustKind(t, "Verify of a short signature", s.Verify(ctx, doc, short), kernel.KindForbidden)
		none := sig
		none.Value = nil
		mustKind(t, "Verify of an empty signature", s.Verify(ctx, doc, none), kernel.KindForbidden)
		otherKey := sig
		otherKey.KeyID = "not-" + sig.KeyID
		mustKind(t, "Verify naming another key", s.Verify(ctx, doc, otherKey), kernel.KindForbidden)
		otherAlg := sig
		otherAlg.Algorithm = "none"
		mustKind(t, "Verify naming another algorithm", s.Verify(ctx, doc, otherAlg), kernel.KindForbidden)
	})

	t.Run("KeyIDStable", func(t *testing.T) {
		s := newSigner(t)
		a, err := s.Sign(ctx, doc)
		mustNoErr(t, "Sign", err)
		b, err := s.Sign(ctx, []byte("another document"))
		mustNoErr(t, "Sign", err)
		if a.KeyID != b.KeyID || a.Algorithm != b.Algorithm {
			t.Errorf("key ID or algorithm changed between signatures: %q/%q, %q/%q", a.KeyID, b.KeyID, a.Algorithm, b.Algorithm)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		s := newSigner(t)
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := []byte(kernel.NewID())
				sig, err := s.Sign(ctx, d)
				if err != nil {
					t.Error(err)
					return
				}
				if err := s.Verify(ctx, d, sig); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	})
}
