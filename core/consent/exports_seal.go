package consent

import (
	"bufio"
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Envelope encryption of an export archive, streamed: a fresh AES-256 data key
// from ports.KeyManager bound to the encryption context, wrapped in the header;
// the archive sealed with AES-256-GCM in chunks of sealChunk bytes, so neither
// side holds more than one chunk. Layout:
//
//	"MSEXP" | 0x01 | u16 len(keyID) | keyID | u16 len(wrapped) | wrapped | 8-byte nonce prefix | chunks...
//
// Chunk i is GCM-sealed with nonce = prefix | u32 i and additional data =
// SHA-256(header) | final flag. Every chunk but the last holds exactly
// sealChunk bytes; the last holds fewer (possibly none), so truncation,
// reordering or extension does not authenticate.
const (
	sealMagic   = "MSEXP"
	sealVersion = 1
	sealChunk   = 64 * 1024
	sealTag     = 16
)

var errSealTampered = errors.New("the sealed export does not authenticate")

func exportEncContext(e Export) map[string]string {
	return map[string]string{"export_id": e.ID, "owner_id": e.OwnerID, "purpose": "data_subject_export"}
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, kernel.Internal(err, "bad data key")
	}
	return cipher.NewGCM(block)
}

// sealWriter encrypts what is written to it into out; Close seals the final chunk.
type sealWriter struct {
	out    io.Writer
	aead   cipher.AEAD
	prefix [8]byte
	aad    [33]byte
	index  uint32
	buf    []byte
	closed bool
}

func newSealWriter(ctx context.Context, km ports.KeyManager, out io.Writer, encContext map[string]string) (*sealWriter, error) {
	dk, err := km.GenerateDataKey(ctx, encContext)
	if err != nil {
		return nil, kernel.Wrap(err, "generate a data key")
	}
	defer clear(dk.Plaintext)
	if len(dk.KeyID) > 0xffff || len(dk.Wrapped) > 0xffff {
		return nil, kernel.Internal(nil, "the wrapped data key is too large")
	}
	aead, err := newGCM(dk.Plaintext)
	if err != nil {
		return nil, err
	}
	w := &sealWriter{out: out, aead: aead, buf: make([]byte, 0, sealChunk)}
	if _, err := rand.Read(w.prefix[:]); err != nil {
		return nil, kernel.Internal(err, "no randomness")
	}
	var hdr bytes.Buffer
	hdr.WriteString(sealMagic)
	hdr.WriteByte(sealVersion)
	putU16(&hdr, dk.KeyID)
	putU16(&hdr, string(dk.Wrapped))
	hdr.Write(w.prefix[:])
	sum := sha256.Sum256(hdr.Bytes())
	copy(w.aad[:], sum[:])
	if _, err := out.Write(hdr.Bytes()); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *sealWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		k := copy(w.buf[len(w.buf):cap(w.buf)], p)
		w.buf = w.buf[:len(w.buf)+k]
		p, n = p[k:], n+k
		if len(w.buf) == sealChunk && len(p) > 0 { // a full chunk followed by more: not the last
			if err := w.seal(false); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// Close seals what is left as the final chunk (a full buffer is sealed as a
// full chunk first, so the final one is always short).
func (w *sealWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	if len(w.buf) == sealChunk {
		if err := w.seal(false); err != nil {
			return err
		}
	}
	return w.seal(true)
}

func (w *sealWriter) seal(final bool) error {
	nonce := sealNonce(w.prefix, w.index)
	w.index++
	aad := w.aad
	if final {
		aad[32] = 1
	}
	_, err := w.out.Write(w.aead.Seal(nil, nonce[:], w.buf, aad[:]))
	w.buf = w.buf[:0]
	return err
}

// openReader decrypts a sealed archive as a stream. A Read that returns
// io.EOF has authenticated every chunk; altered, truncated or extended data
// fails with an integrity error (kernel.ErrIntegrity).
type openReader struct {
	src    *bufio.Reader
	aead   cipher.AEAD
	prefix [8]byte
	aad    [33]byte
	index  uint32
	buf    []byte
	out    []byte
	done   bool
	err    error
	id     kernel.ID
}

func openSealed(ctx context.Context, km ports.KeyManager, src io.Reader, encContext map[string]string, id kernel.ID) (*openReader, error) {
	br := bufio.NewReaderSize(src, sealChunk+sealTag)
	tampered := func(cause error) error {
		return kernel.IntegrityFailure(cause, "export %s: the sealed archive's header is not valid", id)
	}
	var hdr bytes.Buffer
	head := make([]byte, len(sealMagic)+1)
	if _, err := io.ReadFull(br, head); err != nil {
		return nil, tampered(err)
	}
	if string(head[:len(sealMagic)]) != sealMagic || head[len(sealMagic)] != sealVersion {
		return nil, tampered(errSealTampered)
	}
	hdr.Write(head)
	if _, err := readU16(br, &hdr); err != nil { // key ID: the key manager finds it in the wrapped key
		return nil, tampered(err)
	}
	wrapped, err := readU16(br, &hdr)
	if err != nil {
		return nil, tampered(err)
	}
	o := &openReader{src: br, buf: make([]byte, sealChunk+sealTag), id: id}
	if _, err := io.ReadFull(br, o.prefix[:]); err != nil {
		return nil, tampered(err)
	}
	hdr.Write(o.prefix[:])
	key, err := km.Decrypt(ctx, wrapped, encContext)
	if err != nil {
		if kernel.KindOf(err) == kernel.KindForbidden {
			return nil, kernel.IntegrityFailure(err, "export %s: the data key does not unwrap", id)
		}
		return nil, kernel.Wrap(err, "unwrap the export's data key")
	}
	defer clear(key)
	if o.aead, err = newGCM(key); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(hdr.Bytes())
	copy(o.aad[:], sum[:])
	return o, nil
}

func (o *openReader) Read(p []byte) (int, error) {
	for len(o.out) == 0 {
		if o.err != nil {
			return 0, o.err
		}
		if o.done {
			return 0, io.EOF
		}
		o.next()
	}
	n := copy(p, o.out)
	o.out = o.out[n:]
	return n, nil
}

func (o *openReader) next() {
	n, err := io.ReadFull(o.src, o.buf)
	final := false
	switch {
	case err == io.ErrUnexpectedEOF || err == io.EOF:
		final = true
	case err != nil:
		o.err = kernel.Wrap(err, "read the sealed export")
		return
	default: // a full chunk: there must be more
		if _, perr := o.src.Peek(1); perr == io.EOF {
			o.err = kernel.IntegrityFailure(errSealTampered, "export %s: the sealed archive is truncated", o.id)
			return
		}
	}
	aad := o.aad
	if final {
		aad[32] = 1
	}
	nonce := sealNonce(o.prefix, o.index)
	o.index++
	plain, oerr := o.aead.Open(o.buf[:0], nonce[:], o.buf[:n], aad[:])
	if oerr != nil {
		o.err = kernel.IntegrityFailure(oerr, "export %s: chunk %d does not authenticate", o.id, o.index-1)
		return
	}
	o.out, o.done = plain, final
}

func sealNonce(prefix [8]byte, i uint32) [12]byte {
	var n [12]byte
	copy(n[:], prefix[:])
	binary.BigEndian.PutUint32(n[8:], i)
	return n
}

func putU16(b *bytes.Buffer, s string) {
	var n [2]byte
	binary.BigEndian.PutUint16(n[:], uint16(len(s)))
	b.Write(n[:])
	b.WriteString(s)
}

func readU16(r io.Reader, hdr *bytes.Buffer) ([]byte, error) {
	var n [2]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, err
	}
	s := make([]byte, binary.BigEndian.Uint16(n[:]))
	if _, err := io.ReadFull(r, s); err != nil {
		return nil, err
	}
	hdr.Write(n[:])
	hdr.Write(s)
	return s, nil
}
