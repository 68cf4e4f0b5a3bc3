package ports

import "context"

// DataKey is a fresh data key: the plaintext to encrypt with (zero it after use)
// and the same key wrapped by the master key, to store beside the ciphertext.
type DataKey struct {
	Plaintext []byte // 32 bytes, AES-256
	Wrapped   []byte
	KeyID     string // which master key wrapped it
}

// KeyManager does envelope encryption's key half.
type KeyManager interface {
	// GenerateDataKey makes a data key bound to the encryption context.
	GenerateDataKey(ctx context.Context, encContext map[string]string) (DataKey, error)
	// Decrypt unwraps a wrapped data key; a different encryption context, a tampered
	// key or an unknown master key is kernel.KindForbidden.
	Decrypt(ctx context.Context, wrapped []byte, encContext map[string]string) ([]byte, error)
}
