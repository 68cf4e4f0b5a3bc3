// Package localkeys is the on-premises ports.KeyManager: data keys are wrapped
// with AES-256-GCM by master keys held in configuration (an environment
// variable or a file), with the encryption context as additional authenticated
// data. A keyring keeps old master keys so that data wrapped before a rotation
// still decrypts; new data keys use the current one.
package localkeys

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Config configures the keyring.
//
// Keys are written "id=BASE64" (32 bytes of key, standard or URL base64),
// separated by commas, semicolons or new lines.
type Config struct {
	MasterKeys     string // MULTISAUDE_LOCALKEYS_MASTER_KEYS: "k2=BASE64,k1=BASE64"
	MasterKeysFile string // MULTISAUDE_LOCALKEYS_MASTER_KEYS_FILE: a file in the same format, one key a line
	CurrentKeyID   string // MULTISAUDE_LOCALKEYS_CURRENT: the key that wraps new data keys; default the first listed
	// DataDir: when no key is configured, a key is generated into DataDir/master-keys
	// (mode 0600) on first start and reused afterwards. Empty means no key is an error.
	DataDir string // MULTISAUDE_DATA_DIR
}

// Keyring implements ports.KeyManager.
type Keyring struct {
	current string
	aeads   map[string]cipher.AEAD
}

var _ ports.KeyManager = (*Keyring)(nil)

const (
	magic       = "LK"
	version     = 1
	maxKeyIDLen = 64
)

var keyIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// New builds a keyring from the configuration.
func New(cfg Config) (*Keyring, error) {
	text := cfg.MasterKeys
	if cfg.MasterKeysFile != "" {
		b, err := os.ReadFile(cfg.MasterKeysFile)
		if err != nil {
			return nil, fmt.Errorf("localkeys: reading MULTISAUDE_LOCALKEYS_MASTER_KEYS_FILE: %w", err)
		}
		text = strings.TrimSpace(text + "\n" + string(b))
	}
	if strings.TrimSpace(text) == "" && cfg.DataDir != "" {
		var err error
		if text, err = generatedKeys(cfg.DataDir); err != nil {
			return nil, err
		}
	}
	ids, keys, err := ParseKeys(text)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, errors.New("localkeys: no master key: set MULTISAUDE_LOCALKEYS_MASTER_KEYS or MULTISAUDE_LOCALKEYS_MASTER_KEYS_FILE")
	}
	k := &Keyring{current: ids[0], aeads: make(map[string]cipher.AEAD, len(ids))}
	if cfg.CurrentKeyID != "" {
		k.current = cfg.CurrentKeyID
	}
	for _, id := range ids {
		block, err := aes.NewCipher(keys[id])
		if err != nil {
			return nil, fmt.Errorf("localkeys: key %q: %w", id, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("localkeys: key %q: %w", id, err)
		}
		k.aeads[id] = aead
		clear(keys[id])
	}
	if _, ok := k.aeads[k.current]; !ok {
		return nil, fmt.Errorf("localkeys: current key %q is not among the configured keys", k.current)
	}
	return k, nil
}

// ParseKeys reads "id=BASE64" entries in order; each key must be 32 bytes.
func ParseKeys(text string) (ids []string, keys map[string][]byte, err error) {
	keys = map[string][]byte{}
	fields := strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' })
	for _, f := range fields {
		f = strings.TrimSpace(f)
		if f == "" || strings.HasPrefix(f, "#") {
			continue
		}
		id, b64, ok := strings.Cut(f, "=")
		id = strings.TrimSpace(id)
		if !ok || !keyIDPattern.MatchString(id) {
			return nil, nil, fmt.Errorf("localkeys: a master key entry must be id=BASE64 with an id of [A-Za-z0-9._:-]{1,64}")
		}
		key, err := decodeKey(strings.TrimSpace(b64))
		if err != nil {
			return nil, nil, fmt.Errorf("localkeys: key %q: %w", id, err)
		}
		if _, dup := keys[id]; dup {
			return nil, nil, fmt.Errorf("localkeys: key %q is listed twice", id)
		}
		ids = append(ids, id)
		keys[id] = key
	}
	return ids, keys, nil
}

func decodeKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != 32 {
				return nil, fmt.Errorf("is %d bytes, want 32", len(b))
			}
			return b, nil
		}
	}
	return nil, errors.New("is not base64")
}

// GenerateKey returns a fresh entry "id=BASE64" for configuration.
func GenerateKey(id string) string {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return id + "=" + base64.StdEncoding.EncodeToString(key)
}

func generatedKeys(dir string) (string, error) {
	path := filepath.Join(dir, "master-keys")
	b, err := os.ReadFile(path)
	if err == nil {
		return string(b), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("localkeys: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("localkeys: %w", err)
	}
	entry := GenerateKey("local-1") + "\n"
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) { // another process won the race
		b, err := os.ReadFile(path)
		return string(b), err
	}
	if err != nil {
		return "", fmt.Errorf("localkeys: %w", err)
	}
	if _, err := f.WriteString(entry); err != nil {
		f.Close()
		return "", fmt.Errorf("localkeys: %w", err)
	}
	return entry, f.Close()
}

// CurrentKeyID names the master key that wraps new data keys.
func (k *Keyring) CurrentKeyID() string { return k.current }

// GenerateDataKey makes a random 32-byte key and wraps it with the current master key.
func (k *Keyring) GenerateDataKey(_ context.Context, encContext map[string]string) (ports.DataKey, error) {
	plain := make([]byte, 32)
	if _, err := rand.Read(plain); err != nil {
		return ports.DataKey{}, kernel.Internal(err, "no randomness")
	}
	aead := k.aeads[k.current]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return ports.DataKey{}, kernel.Internal(err, "no randomness")
	}
	// blob: "LK" | version | len(id) | id | nonce | sealed key
	hdr := make([]byte, 0, 4+len(k.current)+len(nonce)+len(plain)+aead.Overhead())
	hdr = append(hdr, magic...)
	hdr = append(hdr, version, byte(len(k.current)))
	hdr = append(hdr, k.current...)
	hdr = append(hdr, nonce...)
	out := aead.Seal(hdr, nonce, plain, aad(hdr[:4+len(k.current)], encContext))
	return ports.DataKey{Plaintext: plain, Wrapped: out, KeyID: k.current}, nil
}

// Decrypt unwraps a key made by GenerateDataKey under any key of the ring.
func (k *Keyring) Decrypt(_ context.Context, wrapped []byte, encContext map[string]string) ([]byte, error) {
	if len(wrapped) < 4 || string(wrapped[:2]) != magic || wrapped[2] != version {
		return nil, kernel.Forbidden("a chave encapsulada não é válida")
	}
	idLen := int(wrapped[3])
	if idLen == 0 || idLen > maxKeyIDLen || len(wrapped) < 4+idLen {
		return nil, kernel.Forbidden("a chave encapsulada não é válida")
	}
	aead, ok := k.aeads[string(wrapped[4:4+idLen])]
	if !ok {
		return nil, kernel.Forbidden("a chave encapsulada indica uma chave mestra desconhecida")
	}
	rest := wrapped[4+idLen:]
	if len(rest) < aead.NonceSize()+32+aead.Overhead() {
		return nil, kernel.Forbidden("a chave encapsulada não é válida")
	}
	nonce, sealed := rest[:aead.NonceSize()], rest[aead.NonceSize():]
	plain, err := aead.Open(nil, nonce, sealed, aad(wrapped[:4+idLen], encContext))
	if err != nil {
		return nil, kernel.Forbidden("a chave encapsulada não corresponde ao seu contexto de criptografia ou foi alterada")
	}
	return plain, nil
}

// aad binds the blob header and the encryption context, canonically encoded
// (sorted keys, each string length-prefixed) so that no two contexts collide.
func aad(header []byte, encContext map[string]string) []byte {
	keys := make([]string, 0, len(encContext))
	for key := range encContext {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	b.Write(header)
	var n [4]byte
	put := func(s string) {
		binary.BigEndian.PutUint32(n[:], uint32(len(s)))
		b.Write(n[:])
		b.WriteString(s)
	}
	binary.BigEndian.PutUint32(n[:], uint32(len(keys)))
	b.Write(n[:])
	for _, key := range keys {
		put(key)
		put(encContext[key])
	}
	return b.Bytes()
}
