package conformance

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// KeyManagerFixture is what RunKeyManager needs from an adapter's test.
type KeyManagerFixture struct {
	Keys ports.KeyManager
	// Rotate makes a new master key current while keeping the old ones for
	// decryption, and returns the key manager configured that way (it may be Keys itself).
	// Nil skips the rotation checks.
	Rotate func(t *testing.T) ports.KeyManager
}

// RunKeyManager checks the KeyManager contract: round trip, encryption context
// binding, tamper detection, rotation and concurrent use.
func RunKeyManager(t *testing.T, newFixture func(t *testing.T) KeyManagerFixture) {
	report(t, "KeyManager")
	ctx := context.Background()
	encCtx := map[string]string{"patient_id": "p-1", "document_id": "d-1"}

	t.Run("RoundTrip", func(t *testing.T) {
		km := newFixture(t).Keys
		dk, err := km.GenerateDataKey(ctx, encCtx)
		mustNoErr(t, "GenerateDataKey", err)
		if len(dk.Plaintext) != 32 {
			t.Fatalf("data key is %d bytes, want 32", len(dk.Plaintext))
		}
		if dk.KeyID == "" {
			t.Error("DataKey.KeyID is empty")
		}
		if len(dk.Wrapped) == 0 || bytes.Contains(dk.Wrapped, dk.Plaintext) {
			t.Fatal("wrapped key is empty or contains the plaintext key")
		}
		got, err := km.Decrypt(ctx, dk.Wrapped, encCtx)
		mustNoErr(t, "Decrypt", err)
		if !bytes.Equal(got, dk.Plaintext) {
			t.Fatal("Decrypt returned a different key")
		}
		// The same context given as a different map instance (order-independent).
		same := map[string]string{"document_id": "d-1", "patient_id": "p-1"}
		got, err = km.Decrypt(ctx, dk.Wrapped, same)
		mustNoErr(t, "Decrypt with an equal context", err)
		if !bytes.Equal(got, dk.Plaintext) {
			t.Fatal("Decrypt with an equal context returned a different key")
		}
		dk2, err := km.GenerateDataKey(ctx, encCtx)
		mustNoErr(t, "second GenerateDataKey", err)
		if bytes.Equal(dk2.Plaintext, dk.Plaintext) {
			t.Fatal("two data keys are equal")
		}
	})

	t.Run("WrongContextIsForbidden", func(t *testing.T) {
		km := newFixture(t).Keys
		dk, err := km.GenerateDataKey(ctx, encCtx)
		mustNoErr(t, "GenerateDataKey", err)
		for name, c := range map[string]map[string]string{
			"other value":   {"patient_id": "p-2", "document_id": "d-1"},
			"missing entry": {"patient_id": "p-1"},
			"extra entry":   {"patient_id": "p-1", "document_id": "d-1", "x": "y"},
			"empty":         nil,
		} {
			_, err := km.Decrypt(ctx, dk.Wrapped, c)
			mustKind(t, "Decrypt with "+name+" context", err, kernel.KindForbidden)
		}
	})

	t.Run("TamperedKeyIsForbidden", func(t *testing.T) {
		km := newFixture(t).Keys
		dk, err := km.GenerateDataKey(ctx, encCtx)
		mustNoErr(t, "GenerateDataKey", err)
		// Flip a bit near the start, in the middle and at the end.
		for _, i := range []int{0, len(dk.Wrapped) / 2, len(dk.Wrapped) - 1} {
			bad := bytes.Clone(dk.Wrapped)
			bad[i] ^= 0x01
			_, err := km.Decrypt(ctx, bad, encCtx)
			mustKind(t, "Decrypt of a tampered key", err, kernel.KindForbidden)
		}
		_, err = km.Decrypt(ctx, dk.Wrapped[:len(dk.Wrapped)-1], encCtx)
		mustKind(t, "Decrypt of a truncated key", err, kernel.KindForbidden)
		_, err = km.Decrypt(ctx, nil, encCtx)
		mustKind(t, "Decrypt of nothing", err, kernel.KindForbidden)
		_, err = km.Decrypt(ctx, []byte("garbage that is not a wrapped key at all"), encCtx)
		mustKind(t, "Decrypt of garbage", err, kernel.KindForbidden)
	})

	t.Run("Rotation", func(t *testing.T) {
		f := newFixture(t)
		if f.Rotate == nil {
			t.Skip("the adapter's fixture does not rotate keys")
		}
		old, err := f.Keys.GenerateDataKey(ctx, encCtx)
		mustNoErr(t, "GenerateDataKey before rotation", err)
		km := f.Rotate(t)
		fresh, err := km.GenerateDataKey(ctx, encCtx)
		mustNoErr(t, "GenerateDataKey after rotation", err)
		if fresh.KeyID == old.KeyID {
			t.Errorf("after rotation new data keys are still wrapped by %q", old.KeyID)
		}
		got, err := km.Decrypt(ctx, old.Wrapped, encCtx)
		mustNoErr(t, "Decrypt of a key wrapped before rotation", err)
		if !bytes.Equal(got, old.Plaintext) {
			t.Error("a key wrapped before rotation decrypts to different bytes")
		}
		got, err = km.Decrypt(ctx, fresh.Wrapped, encCtx)
		mustNoErr(t, "Decrypt of a key wrapped after rotation", err)
		if !bytes.Equal(got, fresh.Plaintext) {
			t.Error("a key wrapped after rotation decrypts to different bytes")
		}
		_, err = km.Decrypt(ctx, old.Wrapped, map[string]string{"patient_id": "p-2"})
		mustKind(t, "Decrypt of an old key with a wrong context", err, kernel.KindForbidden)
	})

	t.Run("Concurrent", func(t *testing.T) {
		km := newFixture(t).Keys
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := map[string]string{"n": kernel.NewID()}
				dk, err := km.GenerateDataKey(ctx, c)
				if err != nil {
					errs <- err
					return
				}
				got, err := km.Decrypt(ctx, dk.Wrapped, c)
				if err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(got, dk.Plaintext) {
					errs <- errors.New("concurrent round trip returned a different key")
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}

// mustKind fails the test unless err is a *kernel.Error of kind k.
func mustKind(t testing.TB, what string, err error, k kernel.Kind) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: got no error, want kind %s", what, k)
		return
	}
	var ke *kernel.Error
	if !errors.As(err, &ke) {
		t.Errorf("%s: got %T %v, want a *kernel.Error of kind %s", what, err, err, k)
		return
	}
	if ke.Kind != k {
		t.Errorf("%s: got kind %s (%v), want %s", what, ke.Kind, err, k)
	}
}

// mustNoErr stops the test when err is not nil.
func mustNoErr(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
