package envelope

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"testing"

	"github.com/multisaude/multisaude/adapters/keys/localkeys"
	"github.com/multisaude/multisaude/core/kernel"
)

var encCtx = map[string]string{"patient_id": "p1", "document_id": "d1"}

func keyring(t *testing.T) *localkeys.Keyring {
	t.Helper()
	km, err := localkeys.New(localkeys.Config{MasterKeys: localkeys.GenerateKey("k1")})
	if err != nil {
		t.Fatal(err)
	}
	return km
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func wantForbidden(t *testing.T, what string, err error) {
	t.Helper()
	if kernel.KindOf(err) != kernel.KindForbidden {
		t.Errorf("%s: got %v, want kind forbidden", what, err)
	}
}

func TestRoundTripSizes(t *testing.T) {
	ctx := context.Background()
	km := keyring(t)
	const chunk = 64
	for _, n := range []int{0, 1, chunk - sumSize - 1, chunk - sumSize, chunk - 1, chunk, chunk + 1, 2 * chunk, 2*chunk + 17, 10*chunk + 40} {
		plain := randomBytes(n)
		s, err := sealSize(ctx, km, bytes.NewReader(plain), encCtx, chunk)
		if err != nil {
			t.Fatal(err)
		}
		ct, err := io.ReadAll(iotestOneByte(s))
		if err != nil {
			t.Fatal(err)
		}
		if n >= 16 && bytes.Contains(ct, plain) {
			t.Fatalf("n=%d: ciphertext contains the plaintext", n)
		}
		sum := sha256.Sum256(plain)
		if s.Checksum() != hex.EncodeToString(sum[:]) {
			t.Errorf("n=%d: sealer checksum differs", n)
		}
		o, err := Open(ctx, km, bytes.NewReader(ct), encCtx)
		if err != nil {
			t.Fatalf("n=%d: Open: %v", n, err)
		}
		got, err := io.ReadAll(o)
		if err != nil {
			t.Fatalf("n=%d: read: %v", n, err)
		}
		if !bytes.Equal(got, plain) {
			t.Fatalf("n=%d: round trip differs", n)
		}
		if o.Checksum() != s.Checksum() || o.KeyID() != "k1" {
			t.Errorf("n=%d: opener checksum %s key %s", n, o.Checksum(), o.KeyID())
		}
		// Every single changed byte, a truncation at every length and an extension are detected.
		for i := range ct {
			bad := bytes.Clone(ct)
			bad[i] ^= 0x80
			_, err := OpenBytes(ctx, km, bad, encCtx)
			wantForbidden(t, "flipped byte", err)
		}
		for cut := 0; cut < len(ct); cut++ {
			_, err := OpenBytes(ctx, km, ct[:cut], encCtx)
			wantForbidden(t, "truncated", err)
		}
		_, err = OpenBytes(ctx, km, append(bytes.Clone(ct), 0), encCtx)
		wantForbidden(t, "extended", err)
	}
}

func TestLargeInputStreams(t *testing.T) {
	ctx := context.Background()
	km := keyring(t)
	const size = 20<<20 + 12345
	src := io.LimitReader(rand.Reader, size)
	h := sha256.New()
	s, err := Seal(ctx, km, io.TeeReader(src, h), encCtx)
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	go func() { _, err := io.Copy(pw, s); pw.CloseWithError(err) }()
	o, err := Open(ctx, km, pr, encCtx)
	if err != nil {
		t.Fatal(err)
	}
	h2 := sha256.New()
	n, err := io.Copy(h2, o)
	if err != nil || n != size {
		t.Fatalf("copied %d, %v", n, err)
	}
	if !bytes.Equal(h.Sum(nil), h2.Sum(nil)) || o.Checksum() != hex.EncodeToString(h.Sum(nil)) {
		t.Fatal("large round trip differs")
	}
}

func TestReorderedChunksAndWrongContext(t *testing.T) {
	ctx := context.Background()
	km := keyring(t)
	plain := randomBytes(3 * 100)
	s, _ := sealSize(ctx, km, bytes.NewReader(plain), encCtx, 100)
	ct, _ := io.ReadAll(s)
	hdrLen := len(ct) - (2*(100+tagSize) + 100 + sumSize + tagSize)
	c1 := ct[hdrLen : hdrLen+116]
	c2 := ct[hdrLen+116 : hdrLen+232]
	swapped := append(append(append(bytes.Clone(ct[:hdrLen]), c2...), c1...), ct[hdrLen+232:]...)
	_, err := OpenBytes(ctx, km, swapped, encCtx)
	wantForbidden(t, "swapped chunks", err)
	// Dropping a middle chunk.
	dropped := append(bytes.Clone(ct[:hdrLen+116]), ct[hdrLen+232:]...)
	_, err = OpenBytes(ctx, km, dropped, encCtx)
	wantForbidden(t, "dropped chunk", err)

	_, err = OpenBytes(ctx, km, ct, map[string]string{"patient_id": "p2", "document_id": "d1"})
	wantForbidden(t, "wrong context", err)
	other := keyring(t)
	_, err = OpenBytes(ctx, other, ct, encCtx)
	wantForbidden(t, "another keyring", err)
	_, err = OpenBytes(ctx, km, []byte("plain text, never sealed"), encCtx)
	wantForbidden(t, "not sealed", err)
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestSourceErrorSurfaces(t *testing.T) {
	s, err := Seal(context.Background(), keyring(t), io.MultiReader(bytes.NewReader(randomBytes(10)), failingReader{}), encCtx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(s); err == nil {
		t.Fatal("a failing source sealed without error")
	}
}

func TestSealBytes(t *testing.T) {
	ctx := context.Background()
	km := keyring(t)
	ct, err := SealBytes(ctx, km, []byte("laudo"), encCtx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := OpenBytes(ctx, km, ct, encCtx)
	if err != nil || string(got) != "laudo" {
		t.Fatalf("%q %v", got, err)
	}
}

// iotestOneByte reads one byte at a time, to exercise buffering.
func iotestOneByte(r io.Reader) io.Reader { return oneByte{r} }

type oneByte struct{ r io.Reader }

func (o oneByte) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}
