// Package memblob is an in-memory ports.BlobStore for tests and demos. Its
// signed URLs are served by a small HTTP server on the loopback interface,
// started on the first SignedURL call, so they download with a plain GET.
package memblob

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

var _ ports.BlobStore = (*Bucket)(nil)

type object struct {
	data []byte
	info ports.BlobInfo
}

// Bucket holds objects in memory.
type Bucket struct {
	mu      sync.RWMutex
	objects map[string]object
	secret  []byte

	srvOnce sync.Once
	srv     *http.Server
	base    string
	srvErr  error
}

// New returns an empty bucket and a cleanup that stops its signed-URL server.
func New() (*Bucket, func(), error) {
	b := &Bucket{objects: map[string]object{}, secret: make([]byte, 32)}
	if _, err := rand.Read(b.secret); err != nil {
		return nil, nil, err
	}
	return b, b.Close, nil
}

// Close stops the signed-URL server, if it was started.
func (b *Bucket) Close() {
	b.srvOnce.Do(func() {}) // no server may start after Close
	if b.srv != nil {
		_ = b.srv.Close()
	}
}

// ctxReader fails a read once its context has ended.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func cancelled(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return kernel.Unavailable(err, "the request was cancelled")
	}
	return nil
}

// Put stores the whole of r under key.
func (b *Bucket) Put(ctx context.Context, key string, r io.Reader, opts ports.PutOptions) (ports.BlobInfo, error) {
	if err := ports.CheckBlobKey(key); err != nil {
		return ports.BlobInfo{}, err
	}
	if err := cancelled(ctx); err != nil {
		return ports.BlobInfo{}, err
	}
	data, err := io.ReadAll(ctxReader{ctx, r})
	if err != nil {
		if ctx.Err() != nil {
			return ports.BlobInfo{}, kernel.Unavailable(err, "the upload was cancelled")
		}
		return ports.BlobInfo{}, kernel.Internal(err, "read the object")
	}
	sum := sha256.Sum256(data)
	ct := opts.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	info := ports.BlobInfo{
		Key:         key,
		Size:        int64(len(data)),
		ContentType: ct,
		ETag:        `"` + hex.EncodeToString(sum[:16]) + `"`,
		ModTime:     time.Now().UTC(),
		Metadata:    lowerKeys(opts.Metadata),
	}
	b.mu.Lock()
	b.objects[key] = object{data: data, info: info}
	b.mu.Unlock()
	return cloneInfo(info), nil
}

func lowerKeys(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

func cloneInfo(i ports.BlobInfo) ports.BlobInfo {
	i.Metadata = maps.Clone(i.Metadata)
	return i
}

func (b *Bucket) lookup(ctx context.Context, key string) (object, error) {
	if err := ports.CheckBlobKey(key); err != nil {
		return object{}, err
	}
	if err := cancelled(ctx); err != nil {
		return object{}, err
	}
	b.mu.RLock()
	o, ok := b.objects[key]
	b.mu.RUnlock()
	if !ok {
		return object{}, kernel.NotFound("objeto %q não encontrado", key)
	}
	return o, nil
}

// Get opens the object for reading.
func (b *Bucket) Get(ctx context.Context, key string) (io.ReadCloser, ports.BlobInfo, error) {
	o, err := b.lookup(ctx, key)
	if err != nil {
		return nil, ports.BlobInfo{}, err
	}
	return io.NopCloser(bytes.NewReader(o.data)), cloneInfo(o.info), nil
}

// Stat describes the object.
func (b *Bucket) Stat(ctx context.Context, key string) (ports.BlobInfo, error) {
	o, err := b.lookup(ctx, key)
	return cloneInfo(o.info), err
}

// Delete removes the object.
func (b *Bucket) Delete(ctx context.Context, key string) error {
	if _, err := b.lookup(ctx, key); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.objects[key]; !ok {
		return kernel.NotFound("objeto %q não encontrado", key)
	}
	delete(b.objects, key)
	return nil
}

// List returns keys starting with prefix after the cursor, in lexical order.
func (b *Bucket) List(ctx context.Context, prefix, cursor string, limit int) (ports.BlobPage, error) {
	if limit < 1 || limit > 1000 {
		return ports.BlobPage{}, kernel.Invalid("limit", "deve estar entre 1 e 1000")
	}
	after := ""
	if cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil {
			return ports.BlobPage{}, kernel.Invalid("cursor", "não é um cursor fornecido por este armazenamento")
		}
		after = string(raw)
	}
	if err := cancelled(ctx); err != nil {
		return ports.BlobPage{}, err
	}
	b.mu.RLock()
	keys := make([]string, 0)
	for k := range b.objects {
		if strings.HasPrefix(k, prefix) && k > after {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	page := ports.BlobPage{Items: make([]ports.BlobInfo, 0, min(limit, len(keys)))}
	for _, k := range keys[:min(limit, len(keys))] {
		page.Items = append(page.Items, cloneInfo(b.objects[k].info))
	}
	b.mu.RUnlock()
	if len(keys) > limit {
		page.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(keys[limit-1]))
	}
	return page, nil
}

// SignedURL returns a URL on the bucket's loopback server valid until expiry.
func (b *Bucket) SignedURL(ctx context.Context, key string, expiry time.Duration) (string, error) {
	if _, err := b.lookup(ctx, key); err != nil {
		return "", err
	}
	if expiry <= 0 {
		return "", kernel.Invalid("expiry", "deve ser positivo")
	}
	b.srvOnce.Do(b.startServer)
	if b.srvErr != nil {
		return "", kernel.Unavailable(b.srvErr, "cannot serve signed URLs")
	}
	if b.srv == nil {
		return "", kernel.Unavailable(errors.New("closed"), "the bucket is closed")
	}
	exp := time.Now().Add(expiry).UnixMilli()
	q := url.Values{"key": {key}, "exp": {strconv.FormatInt(exp, 10)}, "sig": {b.sign(key, exp)}}
	return b.base + "/blob?" + q.Encode(), nil
}

func (b *Bucket) sign(key string, exp int64) string {
	m := hmac.New(sha256.New, b.secret)
	m.Write([]byte(strconv.FormatInt(exp, 10) + "\n" + key))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (b *Bucket) startServer() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.srvErr = err
		return
	}
	b.base = "http://" + ln.Addr().String()
	b.srv = &http.Server{Handler: http.HandlerFunc(b.serveSigned), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = b.srv.Serve(ln) }()
}

func (b *Bucket) serveSigned(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	key, sig := q.Get("key"), q.Get("sig")
	exp, err := strconv.ParseInt(q.Get("exp"), 10, 64)
	if err != nil || !hmac.Equal([]byte(sig), []byte(b.sign(key, exp))) {
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	if time.Now().UnixMilli() > exp {
		http.Error(w, "the link has expired", http.StatusGone)
		return
	}
	b.mu.RLock()
	o, ok := b.objects[key]
	b.mu.RUnlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", o.info.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(o.data)))
	w.Header().Set("ETag", o.info.ETag)
	_, _ = w.Write(o.data)
}

// Ping always succeeds.
func (b *Bucket) Ping(ctx context.Context) error { return cancelled(ctx) }
