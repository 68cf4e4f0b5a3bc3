// Package gcsblob stores blobs in a Google Cloud Storage bucket through
// cloud.google.com/go/storage: resumable uploads in chunks for large objects,
// V4 signed URLs, and generation-pinned reads so that a Get never mixes two
// versions of an object being overwritten.
package gcsblob

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"cloud.google.com/go/storage"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Config configures the bucket. Environment variables are given per field.
type Config struct {
	Bucket string // MULTISAUDE_GCS_BUCKET (required)
	// Endpoint (MULTISAUDE_GCS_ENDPOINT) is a JSON API endpoint such as
	// http://127.0.0.1:4443/storage/v1/ for an emulator; empty for Google.
	// With an endpoint no credentials are sent.
	Endpoint string
	// CredentialsFile (MULTISAUDE_GCS_CREDENTIALS_FILE) is a service-account JSON
	// key; empty uses Application Default Credentials.
	CredentialsFile string
	// SignerEmail and SignerKeyFile (MULTISAUDE_GCS_SIGNER_EMAIL,
	// MULTISAUDE_GCS_SIGNER_KEY_FILE: a PEM RSA private key) sign URLs. Empty:
	// the client signs with the service-account key of the credentials, or asks
	// IAM to sign (iam.serviceAccounts.signBlob) on GCE/GKE/Cloud Run.
	SignerEmail   string
	SignerKeyFile string
	SignerKeyPEM  []byte // the key itself, instead of SignerKeyFile (tests)
	// ChunkSize (MULTISAUDE_GCS_CHUNK_SIZE) is the resumable-upload chunk in bytes,
	// default 8 MiB; objects that fit in one chunk go in a single request.
	ChunkSize int
}

// Bucket is a ports.BlobStore over one GCS bucket.
type Bucket struct {
	client    *storage.Client
	bucket    *storage.BucketHandle
	name      string
	chunkSize int
	signer    *storage.SignedURLOptions // identity and key, when configured
	host      string                    // signed URLs' host when an endpoint is set
	insecure  bool
}

var _ ports.BlobStore = (*Bucket)(nil)

// New builds the client; it does not contact GCS (Ping does).
func New(ctx context.Context, cfg Config) (*Bucket, func(), error) {
	var p kernel.Problems
	p.Require("bucket", cfg.Bucket)
	if cfg.ChunkSize < 0 {
		p.Add("chunk_size", "must not be negative")
	}
	var ep *url.URL
	if cfg.Endpoint != "" {
		u, err := url.Parse(cfg.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p.Add("endpoint", "must be an http or https URL")
		}
		ep = u
	}
	key := cfg.SignerKeyPEM
	if cfg.SignerKeyFile != "" {
		b, err := os.ReadFile(cfg.SignerKeyFile)
		if err != nil {
			p.Add("signer_key_file", "cannot be read")
		}
		key = b
	}
	if (cfg.SignerEmail == "") != (len(key) == 0) {
		p.Add("signer_email", "and the signer key go together")
	}
	if err := p.Err(); err != nil {
		return nil, nil, err
	}
	if cfg.ChunkSize == 0 {
		cfg.ChunkSize = 8 << 20
	}
	var opts []option.ClientOption
	switch {
	case ep != nil:
		// JSON reads: emulators honour generation-pinned reads only there.
		opts = append(opts, option.WithEndpoint(cfg.Endpoint), option.WithoutAuthentication(), storage.WithJSONReads())
	case cfg.CredentialsFile != "":
		// The file is read as what the variable documents: a service-account key.
		opts = append(opts, option.WithAuthCredentialsFile(option.ServiceAccount, cfg.CredentialsFile))
	}
	client, err := storage.NewClient(ctx, opts...)
	if err != nil {
		return nil, nil, kernel.Internal(err, "gcsblob: new client")
	}
	b := &Bucket{client: client, bucket: client.Bucket(cfg.Bucket), name: cfg.Bucket, chunkSize: cfg.ChunkSize}
	if cfg.SignerEmail != "" {
		b.signer = &storage.SignedURLOptions{GoogleAccessID: cfg.SignerEmail, PrivateKey: key}
	}
	if ep != nil {
		b.host, b.insecure = ep.Host, ep.Scheme == "http"
	}
	return b, func() { _ = client.Close() }, nil
}

// Client exposes the SDK client (tests create the bucket with it).
func (b *Bucket) Client() *storage.Client { return b.client }

// Put stores r under key, in one request when it fits in a chunk, else as a
// resumable upload of ChunkSize pieces.
func (b *Bucket) Put(ctx context.Context, key string, r io.Reader, opts ports.PutOptions) (ports.BlobInfo, error) {
	if err := ports.CheckBlobKey(key); err != nil {
		return ports.BlobInfo{}, err
	}
	if r == nil {
		return ports.BlobInfo{}, kernel.Invalid("body", "é obrigatório")
	}
	ct := opts.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w := b.bucket.Object(key).NewWriter(wctx)
	w.ContentType = ct
	w.Metadata = lowerKeys(opts.Metadata)
	w.ChunkSize = b.chunkSize
	if _, err := io.Copy(w, r); err != nil {
		cancel() // abandons the upload
		_ = w.Close()
		if kernel.KindOf(err) != kernel.KindInternal {
			return ports.BlobInfo{}, err
		}
		return ports.BlobInfo{}, translate(err, "put")
	}
	if err := w.Close(); err != nil {
		return ports.BlobInfo{}, translate(err, "put")
	}
	return infoOf(w.Attrs()), nil
}

func infoOf(a *storage.ObjectAttrs) ports.BlobInfo {
	return ports.BlobInfo{
		Key:         a.Name,
		Size:        a.Size,
		ContentType: a.ContentType,
		ETag:        strings.Trim(a.Etag, `"`),
		ModTime:     a.Updated.UTC(),
		Metadata:    lowerKeys(a.Metadata),
	}
}

// Get opens the object at the generation Stat saw, so that a concurrent
// overwrite cannot mix two versions; it tries again if that generation has just
// been replaced.
func (b *Bucket) Get(ctx context.Context, key string) (io.ReadCloser, ports.BlobInfo, error) {
	if err := ports.CheckBlobKey(key); err != nil {
		return nil, ports.BlobInfo{}, err
	}
	for try := 0; ; try++ {
		attrs, err := b.bucket.Object(key).Attrs(ctx)
		if err != nil {
			return nil, ports.BlobInfo{}, translate(err, "get")
		}
		rc, err := b.bucket.Object(key).Generation(attrs.Generation).NewReader(ctx)
		if err == nil {
			return rc, infoOf(attrs), nil
		}
		if !errors.Is(err, storage.ErrObjectNotExist) || try == 4 {
			return nil, ports.BlobInfo{}, translate(err, "get")
		}
	}
}

// Stat describes the object.
func (b *Bucket) Stat(ctx context.Context, key string) (ports.BlobInfo, error) {
	if err := ports.CheckBlobKey(key); err != nil {
		return ports.BlobInfo{}, err
	}
	attrs, err := b.bucket.Object(key).Attrs(ctx)
	if err != nil {
		return ports.BlobInfo{}, translate(err, "stat")
	}
	return infoOf(attrs), nil
}

// Delete removes the object.
func (b *Bucket) Delete(ctx context.Context, key string) error {
	if err := ports.CheckBlobKey(key); err != nil {
		return err
	}
	if err := b.bucket.Object(key).Delete(ctx); err != nil {
		return translate(err, "delete")
	}
	return nil
}

// List pages through keys with prefix; the cursor is the last key returned, encoded.
func (b *Bucket) List(ctx context.Context, prefix, cursor string, limit int) (ports.BlobPage, error) {
	if limit < 1 || limit > 1000 {
		return ports.BlobPage{}, kernel.Invalid("limit", "deve estar entre 1 e 1000")
	}
	q := &storage.Query{Prefix: prefix}
	if cursor != "" {
		after, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || len(after) == 0 {
			return ports.BlobPage{}, kernel.Invalid("cursor", "não é um cursor fornecido por este armazenamento")
		}
		q.StartOffset = string(after) + "\x00" // the first key after it
	}
	if err := q.SetAttrSelection([]string{"Name", "Size", "ContentType", "Etag", "Updated", "Metadata"}); err != nil {
		return ports.BlobPage{}, kernel.Internal(err, "gcsblob: list")
	}
	it := b.bucket.Objects(ctx, q)
	it.PageInfo().MaxSize = limit + 1
	page := ports.BlobPage{Items: []ports.BlobInfo{}}
	for {
		a, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return page, nil
		}
		if err != nil {
			return ports.BlobPage{}, translate(err, "list")
		}
		if len(page.Items) == limit {
			page.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(page.Items[limit-1].Key))
			return page, nil
		}
		page.Items = append(page.Items, infoOf(a))
	}
}

// SignedURL returns a V4 signed GET URL for an existing object.
func (b *Bucket) SignedURL(ctx context.Context, key string, expiry time.Duration) (string, error) {
	if expiry < time.Second || expiry > 7*24*time.Hour {
		return "", kernel.Invalid("expiry", "deve estar entre 1 segundo e 7 dias")
	}
	if _, err := b.Stat(ctx, key); err != nil {
		return "", err
	}
	// The signer truncates to whole seconds from its own clock: round up instead.
	opts := &storage.SignedURLOptions{Method: http.MethodGet, Expires: time.Now().Add(expiry + time.Second - time.Nanosecond), Scheme: storage.SigningSchemeV4}
	if b.signer != nil {
		opts.GoogleAccessID, opts.PrivateKey = b.signer.GoogleAccessID, b.signer.PrivateKey
	}
	if b.host != "" {
		opts.Hostname, opts.Insecure, opts.Style = b.host, b.insecure, storage.PathStyle()
	}
	u, err := b.bucket.SignedURL(key, opts)
	if err != nil {
		return "", kernel.Internal(err, "gcsblob: sign URL (configure MULTISAUDE_GCS_SIGNER_EMAIL and key, or credentials that can sign)")
	}
	return u, nil
}

// Ping checks that the bucket exists and is reachable.
func (b *Bucket) Ping(ctx context.Context) error {
	if _, err := b.bucket.Attrs(ctx); err != nil {
		return translate(err, "ping")
	}
	return nil
}

func lowerKeys(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

func translate(err error, op string) error {
	msg := "gcsblob: " + op
	var (
		ge *googleapi.Error
		ne net.Error
	)
	switch {
	case errors.Is(err, storage.ErrObjectNotExist):
		return &kernel.Error{Kind: kernel.KindNotFound, Message: "objeto não encontrado", Err: err}
	case errors.Is(err, storage.ErrBucketNotExist):
		return kernel.Unavailable(err, "%s: bucket does not exist", msg)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return kernel.Unavailable(err, "%s", msg)
	case errors.As(err, &ge) && ge.Code == http.StatusNotFound:
		return &kernel.Error{Kind: kernel.KindNotFound, Message: "objeto não encontrado", Err: err}
	case errors.As(err, &ge) && (ge.Code >= 500 || ge.Code == http.StatusTooManyRequests):
		return kernel.Unavailable(err, "%s", msg)
	case errors.As(err, &ne):
		return kernel.Unavailable(err, "%s", msg)
	}
	return kernel.Internal(err, "%s", msg)
}
