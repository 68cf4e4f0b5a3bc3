// Package envelope encrypts documents at rest with envelope encryption: a
// fresh AES-256 data key per document, wrapped by a ports.KeyManager and stored
// in the ciphertext's header; the content is sealed with AES-256-GCM in chunks
// so that large files stream in constant memory, and a SHA-256 checksum of the
// plaintext travels inside the last chunk.
//
// Layout (version 1):
//
//	"MSENV" | 0x01 | u16 len(keyID) | keyID | u16 len(wrapped) | wrapped |
//	u32 chunkSize | 8-byte nonce prefix | chunks...
//
// Chunk i is GCM-sealed with nonce = prefix | u32 i and additional data =
// SHA-256(header) | final flag; the final chunk's plaintext ends with the
// SHA-256 of the whole plaintext. Reordering, truncating, extending or
// changing any byte is detected and reported as kernel.KindForbidden.
package envelope

import (
	"bufio"
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash"
	"io"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

const (
	magic = "MSENV"
	// Version of the layout written by Seal.
	Version = 1
	// ChunkSize is the plaintext size of every chunk but the last.
	ChunkSize    = 64 * 1024
	maxChunkSize = 4 << 20
	sumSize      = sha256.Size
	tagSize      = 16
)

var errTampered = kernel.Forbidden("o documento criptografado foi alterado ou não é válido")

// Sealer is the ciphertext of one document as a stream. Read it to the end
// (for example by handing it to ports.BlobStore.Put).
type Sealer struct {
	src     io.Reader
	aead    cipher.AEAD
	prefix  [8]byte
	hdrSum  [32]byte
	sum     hash.Hash
	index   uint32
	out     bytes.Buffer // ciphertext not yet read
	in      []byte       // plaintext buffer
	done    bool
	eof     bool
	err     error
	keyID   string
	chunkSz int
}

// Seal starts encrypting plaintext under a new data key bound to encContext.
// Errors while reading plaintext surface from Read.
func Seal(ctx context.Context, km ports.KeyManager, plaintext io.Reader, encContext map[string]string) (*Sealer, error) {
	return sealSize(ctx, km, plaintext, encContext, ChunkSize)
}

func sealSize(ctx context.Context, km ports.KeyManager, plaintext io.Reader, encContext map[string]string, chunk int) (*Sealer, error) {
	dk, err := km.GenerateDataKey(ctx, encContext)
	if err != nil {
		return nil, kernel.Wrap(err, "generating a data key")
	}
	defer clear(dk.Plaintext)
	if len(dk.KeyID) > 0xffff || len(dk.Wrapped) > 0xffff {
		return nil, kernel.Internal(nil, "the wrapped data key is too large")
	}
	aead, err := newAEAD(dk.Plaintext)
	if err != nil {
		return nil, err
	}
	s := &Sealer{src: plaintext, aead: aead, sum: sha256.New(), keyID: dk.KeyID, chunkSz: chunk}
	if _, err := rand.Read(s.prefix[:]); err != nil {
		return nil, kernel.Internal(err, "no randomness")
	}
	var hdr bytes.Buffer
	hdr.WriteString(magic)
	hdr.WriteByte(Version)
	writeU16(&hdr, dk.KeyID)
	writeU16(&hdr, string(dk.Wrapped))
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(chunk))
	hdr.Write(n[:])
	hdr.Write(s.prefix[:])
	s.hdrSum = sha256.Sum256(hdr.Bytes())
	s.out.Write(hdr.Bytes())
	s.in = make([]byte, 0, 2*chunk+sumSize)
	return s, nil
}

// KeyID names the master key that wrapped this document's data key.
func (s *Sealer) KeyID() string { return s.keyID }

// Checksum is the hex SHA-256 of the plaintext; valid once Read returned io.EOF.
func (s *Sealer) Checksum() string { return hex.EncodeToString(s.sum.Sum(nil)) }

// Read implements io.Reader.
func (s *Sealer) Read(p []byte) (int, error) {
	for s.out.Len() == 0 {
		if s.err != nil {
			return 0, s.err
		}
		if s.done {
			return 0, io.EOF
		}
		s.fill()
	}
	return s.out.Read(p)
}

// fill seals the next chunk into out. A chunk is the last one only when the
// source ends within it, so fill reads one byte beyond a chunk before sealing it.
func (s *Sealer) fill() {
	for len(s.in) <= s.chunkSz && !s.eof {
		n, err := s.src.Read(s.in[len(s.in):cap(s.in)])
		s.in = s.in[:len(s.in)+n]
		if err == io.EOF {
			s.eof = true
		} else if err != nil {
			s.err = kernel.Wrap(err, "reading the document")
			return
		}
	}
	if len(s.in) > s.chunkSz {
		s.sum.Write(s.in[:s.chunkSz])
		s.sealChunk(s.in[:s.chunkSz], false)
		s.in = s.in[:copy(s.in, s.in[s.chunkSz:])]
		return
	}
	s.sum.Write(s.in)
	s.sealChunk(append(s.in, s.sum.Sum(nil)...), true)
	s.done = true
}

func (s *Sealer) sealChunk(plain []byte, final bool) {
	nonce := chunkNonce(s.prefix, s.index)
	s.index++
	s.out.Write(s.aead.Seal(nil, nonce[:], plain, chunkAAD(s.hdrSum, final)))
}

// SealBytes encrypts plaintext whole.
func SealBytes(ctx context.Context, km ports.KeyManager, plaintext []byte, encContext map[string]string) ([]byte, error) {
	s, err := Seal(ctx, km, bytes.NewReader(plaintext), encContext)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(s)
}

// Opener is the plaintext of a sealed document as a stream. A Read that
// returns io.EOF has verified every chunk and the checksum; a tampered or
// truncated document makes Read fail with kernel.KindForbidden. Callers that
// stream to a client must treat such an error as the download failing.
type Opener struct {
	src     *bufio.Reader
	aead    cipher.AEAD
	prefix  [8]byte
	hdrSum  [32]byte
	sum     hash.Hash
	index   uint32
	chunkSz int
	buf     []byte
	out     []byte
	done    bool
	err     error
	keyID   string
}

// Open reads the header of a sealed document, unwraps its data key with km
// (a wrong encryption context is kernel.KindForbidden) and returns the plaintext stream.
func Open(ctx context.Context, km ports.KeyManager, ciphertext io.Reader, encContext map[string]string) (*Opener, error) {
	br := bufio.NewReaderSize(ciphertext, 64*1024)
	hdr := bytes.Buffer{}
	head := make([]byte, len(magic)+1)
	if _, err := io.ReadFull(br, head); err != nil {
		return nil, readErr(err)
	}
	if string(head[:len(magic)]) != magic {
		return nil, errTampered
	}
	if head[len(magic)] != Version {
		return nil, kernel.Forbidden("versão de documento criptografado desconhecida: %d", head[len(magic)])
	}
	hdr.Write(head)
	keyID, err := readU16(br, &hdr)
	if err != nil {
		return nil, err
	}
	wrapped, err := readU16(br, &hdr)
	if err != nil {
		return nil, err
	}
	var tail [12]byte
	if _, err := io.ReadFull(br, tail[:]); err != nil {
		return nil, readErr(err)
	}
	hdr.Write(tail[:])
	chunk := int(binary.BigEndian.Uint32(tail[:4]))
	if chunk <= 0 || chunk > maxChunkSize {
		return nil, errTampered
	}
	key, err := km.Decrypt(ctx, []byte(wrapped), encContext)
	if err != nil {
		return nil, kernel.Wrap(err, "unwrapping the data key")
	}
	defer clear(key)
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	o := &Opener{src: br, aead: aead, sum: sha256.New(), chunkSz: chunk, keyID: keyID}
	copy(o.prefix[:], tail[4:])
	o.hdrSum = sha256.Sum256(hdr.Bytes())
	o.buf = make([]byte, chunk+sumSize+tagSize)
	return o, nil
}

// KeyID names the master key that wrapped this document's data key.
func (o *Opener) KeyID() string { return o.keyID }

// Checksum is the hex SHA-256 of the plaintext; valid once Read returned io.EOF.
func (o *Opener) Checksum() string { return hex.EncodeToString(o.sum.Sum(nil)) }

// Read implements io.Reader.
func (o *Opener) Read(p []byte) (int, error) {
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

func (o *Opener) next() {
	full := o.chunkSz + tagSize
	n, err := io.ReadFull(o.src, o.buf[:full])
	if err != nil && err != io.ErrUnexpectedEOF {
		if err == io.EOF {
			o.err = errTampered // the final chunk is missing
		} else {
			o.err = readErr(err)
		}
		return
	}
	final := err == io.ErrUnexpectedEOF
	if !final {
		// A full-size chunk is the last one when nothing follows it, or when it
		// is followed by fewer bytes than a checksum and a tag: then it belongs to
		// a final chunk that holds the checksum.
		peek, perr := o.src.Peek(sumSize + tagSize)
		switch {
		case len(peek) == 0 && perr == io.EOF:
			final = true
		case perr != nil && perr != io.EOF:
			o.err = readErr(perr)
			return
		case len(peek) < sumSize+tagSize:
			m, _ := io.ReadFull(o.src, o.buf[full:])
			n += m
			final = true
		}
	}
	nonce := chunkNonce(o.prefix, o.index)
	o.index++
	plain, oerr := o.aead.Open(o.buf[:0], nonce[:], o.buf[:n], chunkAAD(o.hdrSum, final))
	if oerr != nil {
		o.err = errTampered
		return
	}
	if !final {
		o.sum.Write(plain)
		o.out = plain
		return
	}
	if len(plain) < sumSize {
		o.err = errTampered
		return
	}
	data, want := plain[:len(plain)-sumSize], plain[len(plain)-sumSize:]
	o.sum.Write(data)
	if !bytes.Equal(o.sum.Sum(nil), want) {
		o.err = errTampered
		return
	}
	if _, err := o.src.Peek(1); err != io.EOF {
		o.err = errTampered // bytes after the final chunk
		return
	}
	o.out = data
	o.done = true
}

// OpenBytes decrypts a whole sealed document.
func OpenBytes(ctx context.Context, km ports.KeyManager, ciphertext []byte, encContext map[string]string) ([]byte, error) {
	o, err := Open(ctx, km, bytes.NewReader(ciphertext), encContext)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(o)
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, kernel.Internal(err, "bad data key")
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, kernel.Internal(err, "bad data key")
	}
	return aead, nil
}

func chunkNonce(prefix [8]byte, i uint32) [12]byte {
	var n [12]byte
	copy(n[:], prefix[:])
	binary.BigEndian.PutUint32(n[8:], i)
	return n
}

func chunkAAD(hdrSum [32]byte, final bool) []byte {
	a := make([]byte, 33)
	copy(a, hdrSum[:])
	if final {
		a[32] = 1
	}
	return a
}

func writeU16(b *bytes.Buffer, s string) {
	var n [2]byte
	binary.BigEndian.PutUint16(n[:], uint16(len(s)))
	b.Write(n[:])
	b.WriteString(s)
}

func readU16(r io.Reader, hdr *bytes.Buffer) (string, error) {
	var n [2]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return "", readErr(err)
	}
	s := make([]byte, binary.BigEndian.Uint16(n[:]))
	if _, err := io.ReadFull(r, s); err != nil {
		return "", readErr(err)
	}
	hdr.Write(n[:])
	hdr.Write(s)
	return string(s), nil
}

func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errTampered
	}
	return kernel.Wrap(err, "reading the encrypted document")
}
