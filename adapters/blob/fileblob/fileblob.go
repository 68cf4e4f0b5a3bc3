// Package fileblob is a ports.BlobStore on the local file system, for the local
// profile. Each object is a data file plus a JSON sidecar holding its content
// type, metadata, size and ETag; both are written to a temporary file and
// renamed into place, so a reader sees a whole object or none.
//
// A key "a/b/c" lives in ROOT/a.d/b.d/c.b with its sidecar ROOT/a.d/b.d/c.m:
// every name carries a suffix saying what it is, so an object "a" and an
// object "a/b" coexist, and no key can name a sidecar or a temporary file.
//
// Signed URLs are {BaseURL}/v1/blobs/signed/{key}?exp={unix seconds}&sig={HMAC-SHA256},
// served by adapters/http/httpapi/blobapi through OpenSigned.
package fileblob

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

var _ ports.BlobStore = (*Store)(nil)

const (
	dataSuffix = ".b"
	metaSuffix = ".m"
	dirSuffix  = ".d"
	tmpDir     = ".tmp"
	secretFile = ".signing-key"
	maxSegment = 255 - 2
)

// Config configures a Store.
type Config struct {
	Root    string // folder holding the objects; created if missing
	BaseURL string // public base URL of the API serving signed URLs, e.g. "http://localhost:8080"
	// Secret signs URLs. Empty: a random key kept in ROOT/.signing-key (created on
	// first use), so links survive a restart.
	Secret []byte
}

// Store keeps objects under a root folder.
type Store struct {
	root    string
	baseURL string
	secret  []byte
	locks   [64]sync.RWMutex // striped by key: a Put's two renames look atomic to Get
}

type sidecar struct {
	ContentType string            `json:"content_type"`
	Metadata    map[string]string `json:"metadata,omitempty"`
	Size        int64             `json:"size"`
	ETag        string            `json:"etag"`
	ModTime     time.Time         `json:"mod_time"`
}

// New opens (creating if needed) the store at cfg.Root. There is nothing to close.
func New(cfg Config) (*Store, error) {
	if cfg.Root == "" {
		return nil, errors.New("fileblob: the root folder is required")
	}
	root, err := filepath.Abs(cfg.Root)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(root, tmpDir), 0o750); err != nil {
		return nil, fmt.Errorf("fileblob: create %s: %w", root, err)
	}
	if _, err := url.Parse(cfg.BaseURL); err != nil {
		return nil, fmt.Errorf("fileblob: base URL: %w", err)
	}
	s := &Store{root: root, baseURL: strings.TrimRight(cfg.BaseURL, "/"), secret: cfg.Secret}
	if len(s.secret) == 0 {
		if s.secret, err = loadOrCreateSecret(filepath.Join(root, secretFile)); err != nil {
			return nil, fmt.Errorf("fileblob: signing key: %w", err)
		}
	}
	return s, nil
}

func loadOrCreateSecret(path string) ([]byte, error) {
	if b, err := os.ReadFile(path); err == nil && len(b) >= 32 {
		return b, nil
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) { // another process won the race
		time.Sleep(10 * time.Millisecond)
		return os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.Write(secret); err != nil {
		return nil, err
	}
	return secret, f.Sync()
}

// paths returns the data and sidecar file names of key, after checking it.
func (s *Store) paths(key string) (data, meta string, err error) {
	if err := ports.CheckBlobKey(key); err != nil {
		return "", "", err
	}
	segs := strings.Split(key, "/")
	parts := make([]string, 0, len(segs)+1)
	parts = append(parts, s.root)
	for i, seg := range segs {
		if len(seg) > maxSegment {
			return "", "", kernel.Invalid("key", "tem um segmento de caminho com mais de %d bytes", maxSegment)
		}
		if i < len(segs)-1 {
			parts = append(parts, seg+dirSuffix)
		}
	}
	dir := filepath.Join(parts...)
	last := segs[len(segs)-1]
	return filepath.Join(dir, last+dataSuffix), filepath.Join(dir, last+metaSuffix), nil
}

func (s *Store) lock(key string) *sync.RWMutex {
	h := fnv.New32a()
	h.Write([]byte(key))
	return &s.locks[h.Sum32()%uint32(len(s.locks))]
}

func cancelled(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return kernel.Unavailable(err, "the request was cancelled")
	}
	return nil
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

// Put stores the whole of r under key.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, opts ports.PutOptions) (ports.BlobInfo, error) {
	dataPath, metaPath, err := s.paths(key)
	if err != nil {
		return ports.BlobInfo{}, err
	}
	if err := cancelled(ctx); err != nil {
		return ports.BlobInfo{}, err
	}
	tmp, err := os.CreateTemp(filepath.Join(s.root, tmpDir), "put-*")
	if err != nil {
		return ports.BlobInfo{}, kernel.Unavailable(err, "cannot write to the blob folder")
	}
	committed := false
	defer func() {
		if !committed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), ctxReader{ctx, r})
	if err != nil {
		if ctx.Err() != nil {
			return ports.BlobInfo{}, kernel.Unavailable(err, "the upload was cancelled")
		}
		return ports.BlobInfo{}, kernel.Unavailable(err, "cannot store the object")
	}
	if err := tmp.Sync(); err != nil {
		return ports.BlobInfo{}, kernel.Unavailable(err, "cannot store the object")
	}
	if err := tmp.Close(); err != nil {
		return ports.BlobInfo{}, kernel.Unavailable(err, "cannot store the object")
	}
	ct := opts.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	sum := h.Sum(nil)
	side := sidecar{ContentType: ct, Metadata: lowerKeys(opts.Metadata), Size: n,
		ETag: `"` + hex.EncodeToString(sum[:16]) + `"`, ModTime: time.Now().UTC()}
	metaJSON, err := json.Marshal(side)
	if err != nil {
		return ports.BlobInfo{}, kernel.Internal(err, "encode the sidecar")
	}
	metaTmp, err := writeTemp(filepath.Join(s.root, tmpDir), metaJSON)
	if err != nil {
		return ports.BlobInfo{}, kernel.Unavailable(err, "cannot store the object")
	}
	defer os.Remove(metaTmp) // a no-op once renamed
	if err := cancelled(ctx); err != nil {
		return ports.BlobInfo{}, err
	}

	l := s.lock(key)
	l.Lock()
	defer l.Unlock()
	if err := renameInto(tmp.Name(), dataPath); err != nil {
		return ports.BlobInfo{}, kernel.Unavailable(err, "cannot store the object")
	}
	committed = true
	if err := renameInto(metaTmp, metaPath); err != nil {
		os.Remove(dataPath)
		return ports.BlobInfo{}, kernel.Unavailable(err, "cannot store the object")
	}
	return side.info(key), nil
}

func writeTemp(dir string, b []byte) (string, error) {
	f, err := os.CreateTemp(dir, "meta-*")
	if err != nil {
		return "", err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// renameInto renames src to dst, creating dst's folder; it retries when a
// concurrent Delete pruned that folder in between.
func renameInto(src, dst string) error {
	var err error
	for i := 0; i < 5; i++ {
		if err = os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
			continue
		}
		if err = os.Rename(src, dst); err == nil || !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return err
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

func (sc sidecar) info(key string) ports.BlobInfo {
	md := make(map[string]string, len(sc.Metadata))
	for k, v := range sc.Metadata {
		md[k] = v
	}
	if len(md) == 0 {
		md = nil
	}
	return ports.BlobInfo{Key: key, Size: sc.Size, ContentType: sc.ContentType, ETag: sc.ETag, ModTime: sc.ModTime, Metadata: md}
}

func readSidecar(path string) (sidecar, error) {
	var sc sidecar
	b, err := os.ReadFile(path)
	if err != nil {
		return sc, err
	}
	return sc, json.Unmarshal(b, &sc)
}

func notFoundOr(err error, key string) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscallNotDir) {
		return kernel.NotFound("objeto %q não encontrado", key)
	}
	return kernel.Unavailable(err, "cannot read the blob folder")
}

// Get opens the object for reading.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, ports.BlobInfo, error) {
	dataPath, metaPath, err := s.paths(key)
	if err != nil {
		return nil, ports.BlobInfo{}, err
	}
	if err := cancelled(ctx); err != nil {
		return nil, ports.BlobInfo{}, err
	}
	l := s.lock(key)
	l.RLock()
	defer l.RUnlock()
	sc, err := readSidecar(metaPath)
	if err != nil {
		return nil, ports.BlobInfo{}, notFoundOr(err, key)
	}
	f, err := os.Open(dataPath)
	if err != nil {
		return nil, ports.BlobInfo{}, notFoundOr(err, key)
	}
	return f, sc.info(key), nil
}

// Stat describes the object.
func (s *Store) Stat(ctx context.Context, key string) (ports.BlobInfo, error) {
	dataPath, metaPath, err := s.paths(key)
	if err != nil {
		return ports.BlobInfo{}, err
	}
	if err := cancelled(ctx); err != nil {
		return ports.BlobInfo{}, err
	}
	l := s.lock(key)
	l.RLock()
	defer l.RUnlock()
	sc, err := readSidecar(metaPath)
	if err != nil {
		return ports.BlobInfo{}, notFoundOr(err, key)
	}
	if _, err := os.Stat(dataPath); err != nil {
		return ports.BlobInfo{}, notFoundOr(err, key)
	}
	return sc.info(key), nil
}

// Delete removes the object and prunes folders left empty.
func (s *Store) Delete(ctx context.Context, key string) error {
	dataPath, metaPath, err := s.paths(key)
	if err != nil {
		return err
	}
	if err := cancelled(ctx); err != nil {
		return err
	}
	l := s.lock(key)
	l.Lock()
	defer l.Unlock()
	if err := os.Remove(dataPath); err != nil {
		return notFoundOr(err, key)
	}
	if err := os.Remove(metaPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return kernel.Unavailable(err, "cannot delete the object")
	}
	for dir := filepath.Dir(dataPath); dir != s.root && strings.HasPrefix(dir, s.root); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil { // not empty (or gone): stop
			break
		}
	}
	return nil
}

// List returns keys starting with prefix after cursor, in lexical order.
func (s *Store) List(ctx context.Context, prefix, cursor string, limit int) (ports.BlobPage, error) {
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
	// Start at the deepest folder the prefix names in full.
	segs := strings.Split(prefix, "/")
	dir := s.root
	keyDir := ""
	for _, seg := range segs[:len(segs)-1] {
		dir = filepath.Join(dir, seg+dirSuffix)
		keyDir += seg + "/"
	}
	var keys []string
	if err := s.walk(ctx, dir, keyDir, prefix, after, &keys); err != nil {
		return ports.BlobPage{}, err
	}
	sort.Strings(keys)
	page := ports.BlobPage{Items: make([]ports.BlobInfo, 0, min(limit, len(keys)))}
	for _, k := range keys[:min(limit, len(keys))] {
		_, metaPath, _ := s.paths(k)
		sc, err := readSidecar(metaPath)
		if err != nil {
			continue // deleted meanwhile
		}
		page.Items = append(page.Items, sc.info(k))
	}
	if len(keys) > limit {
		page.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(keys[limit-1]))
	}
	return page, nil
}

// walk collects the keys under dir (whose keys start with keyDir) that start
// with prefix and sort after after.
func (s *Store) walk(ctx context.Context, dir, keyDir, prefix, after string, keys *[]string) error {
	if err := cancelled(ctx); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscallNotDir) {
			return nil
		}
		return kernel.Unavailable(err, "cannot list the blob folder")
	}
	for _, e := range entries {
		name := e.Name()
		if dir == s.root && (name == tmpDir || name == secretFile) {
			continue
		}
		switch {
		case e.IsDir() && strings.HasSuffix(name, dirSuffix):
			sub := keyDir + strings.TrimSuffix(name, dirSuffix) + "/"
			// Descend only where keys can still start with prefix.
			if strings.HasPrefix(sub, prefix) || strings.HasPrefix(prefix, sub) {
				if err := s.walk(ctx, filepath.Join(dir, name), sub, prefix, after, keys); err != nil {
					return err
				}
			}
		case !e.IsDir() && strings.HasSuffix(name, dataSuffix):
			k := keyDir + strings.TrimSuffix(name, dataSuffix)
			if strings.HasPrefix(k, prefix) && k > after {
				*keys = append(*keys, k)
			}
		}
	}
	return nil
}

// SignedURL returns {BaseURL}/v1/blobs/signed/{key}?exp=...&sig=..., valid until
// expiry (rounded up to a whole second).
func (s *Store) SignedURL(ctx context.Context, key string, expiry time.Duration) (string, error) {
	if _, err := s.Stat(ctx, key); err != nil {
		return "", err
	}
	if expiry <= 0 || expiry > 7*24*time.Hour {
		return "", kernel.Invalid("expiry", "deve estar entre 1 segundo e 7 dias")
	}
	exp := time.Now().Add(expiry + time.Second - 1).Unix()
	q := url.Values{"exp": {strconv.FormatInt(exp, 10)}, "sig": {s.sign(key, exp)}}
	return s.baseURL + SignedPath + url.PathEscape(key) + "?" + q.Encode(), nil
}

// SignedPath is the path prefix of signed URLs; the key follows, path-escaped
// as one segment ("/" as %2F).
const SignedPath = "/v1/blobs/signed/"

func (s *Store) sign(key string, exp int64) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("fileblob/v1\n" + strconv.FormatInt(exp, 10) + "\n" + key))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// OpenSigned checks a signed URL's key, exp and sig and opens the object.
// A bad signature and an expired link are kernel.KindForbidden; a deleted
// object kernel.KindNotFound.
func (s *Store) OpenSigned(ctx context.Context, key, exp, sig string) (io.ReadCloser, ports.BlobInfo, error) {
	e, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || sig == "" || !hmac.Equal([]byte(sig), []byte(s.sign(key, e))) {
		return nil, ports.BlobInfo{}, kernel.Forbidden("a assinatura do link não é válida")
	}
	if time.Now().After(time.Unix(e, 0)) {
		return nil, ports.BlobInfo{}, kernel.Forbidden("o link expirou")
	}
	return s.Get(ctx, key)
}

// Ping checks that the root folder is there and writable.
func (s *Store) Ping(ctx context.Context) error {
	f, err := os.CreateTemp(filepath.Join(s.root, tmpDir), "ping-*")
	if err != nil {
		return kernel.Unavailable(err, "the blob folder is not writable")
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

var syscallNotDir = syscall.ENOTDIR
