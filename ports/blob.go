package ports

import (
	"context"
	"io"
	"time"
)

// BlobInfo describes a stored object.
type BlobInfo struct {
	Key         string
	Size        int64
	ContentType string
	ETag        string
	ModTime     time.Time
	Metadata    map[string]string // user metadata; keys are lower-case
}

// PutOptions are the optional attributes of a Put.
type PutOptions struct {
	ContentType string            // defaults to application/octet-stream
	Metadata    map[string]string // lower-case keys, ASCII values
	Size        int64             // -1 or 0 when unknown; adapters may stream in parts above a threshold
}

// BlobPage is one page of a listing.
type BlobPage struct {
	Items      []BlobInfo
	NextCursor string // empty at the end
}

// BlobStore stores opaque objects by key.
//
// Keys are non-empty, at most 1024 bytes, without a leading "/" and without "..";
// an invalid key is kernel.KindInvalid.
type BlobStore interface {
	// Put stores the whole of r under key, replacing any object there.
	Put(ctx context.Context, key string, r io.Reader, opts PutOptions) (BlobInfo, error)
	// Get opens the object for reading; the caller closes it. kernel.KindNotFound if absent.
	Get(ctx context.Context, key string) (io.ReadCloser, BlobInfo, error)
	// Stat describes the object. kernel.KindNotFound if absent.
	Stat(ctx context.Context, key string) (BlobInfo, error)
	// Delete removes the object. kernel.KindNotFound if absent.
	Delete(ctx context.Context, key string) error
	// List returns keys starting with prefix in lexical order, at most limit (1..1000) per page.
	List(ctx context.Context, prefix, cursor string, limit int) (BlobPage, error)
	// SignedURL returns a URL that downloads the object without other credentials until expiry.
	// kernel.KindNotFound if absent.
	SignedURL(ctx context.Context, key string, expiry time.Duration) (string, error)
	// Ping checks that the store is reachable (for /readyz).
	Ping(ctx context.Context) error
}
