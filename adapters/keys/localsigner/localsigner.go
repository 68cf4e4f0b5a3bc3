// Package localsigner is the platform's ports.DocumentSigner with an Ed25519
// key, given in configuration as a base64 seed or generated on first start into
// a file under the data folder. An ICP-Brasil signer can later take its place
// behind the same port.
package localsigner

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Algorithm is the value of ports.Signature.Algorithm.
const Algorithm = "Ed25519"

// Config says where the key comes from: Seed when set, else the file
// DataDir/signing-key (created with mode 0600 when missing).
type Config struct {
	Seed    string // MULTISAUDE_SIGNER_SEED: base64 of a 32-byte Ed25519 seed
	DataDir string // MULTISAUDE_DATA_DIR
}

// Signer implements ports.DocumentSigner.
type Signer struct {
	priv  ed25519.PrivateKey
	pub   ed25519.PublicKey
	keyID string
}

var _ ports.DocumentSigner = (*Signer)(nil)

// New loads or creates the key.
func New(cfg Config) (*Signer, error) {
	var seed []byte
	var err error
	switch {
	case strings.TrimSpace(cfg.Seed) != "":
		seed, err = decodeSeed(cfg.Seed)
		if err != nil {
			return nil, fmt.Errorf("localsigner: MULTISAUDE_SIGNER_SEED %w", err)
		}
	case cfg.DataDir != "":
		seed, err = seedFile(filepath.Join(cfg.DataDir, "signing-key"))
		if err != nil {
			return nil, err
		}
	default:
		return nil, errors.New("localsigner: set MULTISAUDE_SIGNER_SEED or MULTISAUDE_DATA_DIR")
	}
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	sum := sha256.Sum256(pub)
	return &Signer{priv: priv, pub: pub, keyID: "ed25519:" + hex.EncodeToString(sum[:8])}, nil
}

// NewSeed returns a fresh base64 seed for configuration.
func NewSeed() string {
	seed := make([]byte, ed25519.SeedSize)
	_, _ = rand.Read(seed)
	return base64.StdEncoding.EncodeToString(seed)
}

func decodeSeed(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != ed25519.SeedSize {
				return nil, fmt.Errorf("is %d bytes, want %d", len(b), ed25519.SeedSize)
			}
			return b, nil
		}
	}
	return nil, errors.New("is not base64")
}

func seedFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		seed, err := decodeSeed(string(b))
		if err != nil {
			return nil, fmt.Errorf("localsigner: %s %w", path, err)
		}
		return seed, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("localsigner: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("localsigner: %w", err)
	}
	enc := NewSeed()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) { // created meanwhile by another process
		return seedFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("localsigner: %w", err)
	}
	if _, err := f.WriteString(enc + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("localsigner: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("localsigner: %w", err)
	}
	return decodeSeed(enc)
}

// KeyID identifies the public key: "ed25519:" and 16 hex digits of its SHA-256.
func (s *Signer) KeyID() string { return s.keyID }

// PublicKey is the verification key, for publishing.
func (s *Signer) PublicKey() ed25519.PublicKey { return s.pub }

// Sign signs doc.
func (s *Signer) Sign(_ context.Context, doc []byte) (ports.Signature, error) {
	return ports.Signature{Algorithm: Algorithm, KeyID: s.keyID, Value: ed25519.Sign(s.priv, doc)}, nil
}

// Verify checks sig over doc; any mismatch is kernel.KindForbidden.
func (s *Signer) Verify(_ context.Context, doc []byte, sig ports.Signature) error {
	if sig.Algorithm != Algorithm || sig.KeyID != s.keyID {
		return kernel.Forbidden("a assinatura não foi feita com a chave desta plataforma")
	}
	if len(sig.Value) != ed25519.SignatureSize || !ed25519.Verify(s.pub, doc, sig.Value) {
		return kernel.Forbidden("a assinatura não corresponde ao documento")
	}
	return nil
}
