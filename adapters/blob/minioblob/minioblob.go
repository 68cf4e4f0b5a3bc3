// Package minioblob stores blobs in a MinIO (or other S3-compatible) bucket
// through minio-go v7: streaming multipart uploads and presigned GETs. It is
// the blob store of the on-premises profile.
package minioblob

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Config configures the bucket. Environment variables are given per field.
type Config struct {
	Endpoint     string // MULTISAUDE_MINIO_ENDPOINT: URL such as http://127.0.0.1:9000 (required)
	Bucket       string // MULTISAUDE_MINIO_BUCKET (required)
	AccessKey    string // MULTISAUDE_MINIO_ACCESS_KEY (required)
	SecretKey    string // MULTISAUDE_MINIO_SECRET_KEY (required)
	Region       string // MULTISAUDE_MINIO_REGION, default us-east-1
	CreateBucket bool   // MULTISAUDE_MINIO_CREATE_BUCKET: create the bucket at start when missing
	PartSize     uint64 // MULTISAUDE_MINIO_PART_SIZE: multipart part size for streams of unknown length, default 16 MiB
}

// Bucket is a ports.BlobStore over one MinIO bucket.
type Bucket struct {
	client   *minio.Client
	bucket   string
	partSize uint64
}

var _ ports.BlobStore = (*Bucket)(nil)

// New builds the client, and creates the bucket when cfg.CreateBucket is set.
func New(ctx context.Context, cfg Config) (*Bucket, func(), error) {
	var p kernel.Problems
	p.Require("endpoint", cfg.Endpoint)
	p.Require("bucket", cfg.Bucket)
	p.Require("access_key", cfg.AccessKey)
	p.Require("secret_key", cfg.SecretKey)
	u, err := url.Parse(cfg.Endpoint)
	if cfg.Endpoint != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		p.Add("endpoint", "must be an http or https URL")
	}
	if err := p.Err(); err != nil {
		return nil, nil, err
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.PartSize == 0 {
		cfg.PartSize = 16 << 20
	}
	client, err := minio.New(u.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:       u.Scheme == "https",
		Region:       cfg.Region,
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		return nil, nil, kernel.Internal(err, "minioblob: new client")
	}
	b := &Bucket{client: client, bucket: cfg.Bucket, partSize: cfg.PartSize}
	if cfg.CreateBucket {
		ok, err := client.BucketExists(ctx, cfg.Bucket)
		if err != nil {
			return nil, nil, translate(err, "check bucket")
		}
		if !ok {
			if err := client.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region}); err != nil {
				return nil, nil, translate(err, "create bucket")
			}
		}
	}
	return b, func() {}, nil
}

// Put stores r under key; minio-go streams it in parts when its length is unknown or large.
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
	size := opts.Size
	if size <= 0 {
		size = -1
		// An empty stream of unknown length would go out as a chunked request,
		// which S3 refuses (MissingContentLength): say it is empty.
		br := bufio.NewReader(r)
		if _, err := br.Peek(1); err == io.EOF {
			size, r = 0, bytes.NewReader(nil)
		} else {
			r = br
		}
	}
	_, err := b.client.PutObject(ctx, b.bucket, key, r, size, minio.PutObjectOptions{
		ContentType:  ct,
		UserMetadata: opts.Metadata,
		PartSize:     b.partSize,
		// Over plain HTTP minio-go would sign the payload in aws-chunked
		// streaming form, which S3-compatible servers other than MinIO (the
		// gofakes3 dev server among them) store verbatim. Unsigned payload
		// with a checksum is accepted everywhere; over HTTPS nothing changes.
		DisableContentSha256: true,
	})
	if err != nil {
		return ports.BlobInfo{}, translate(err, "put")
	}
	return b.Stat(ctx, key)
}

// Get opens the object.
func (b *Bucket) Get(ctx context.Context, key string) (io.ReadCloser, ports.BlobInfo, error) {
	info, err := b.Stat(ctx, key)
	if err != nil {
		return nil, ports.BlobInfo{}, err
	}
	obj, err := b.client.GetObject(ctx, b.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, ports.BlobInfo{}, translate(err, "get")
	}
	return obj, info, nil
}

// Stat describes the object.
func (b *Bucket) Stat(ctx context.Context, key string) (ports.BlobInfo, error) {
	if err := ports.CheckBlobKey(key); err != nil {
		return ports.BlobInfo{}, err
	}
	oi, err := b.client.StatObject(ctx, b.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return ports.BlobInfo{}, translate(err, "stat")
	}
	return infoOf(oi), nil
}

func infoOf(oi minio.ObjectInfo) ports.BlobInfo {
	meta := make(map[string]string, len(oi.UserMetadata))
	for k, v := range oi.UserMetadata {
		meta[strings.ToLower(k)] = v
	}
	// Older servers only send the raw X-Amz-Meta-* headers.
	for k, v := range oi.Metadata {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-amz-meta-") && len(v) > 0 {
			meta[strings.TrimPrefix(lk, "x-amz-meta-")] = v[0]
		}
	}
	return ports.BlobInfo{
		Key:         oi.Key,
		Size:        oi.Size,
		ContentType: oi.ContentType,
		ETag:        strings.Trim(oi.ETag, `"`),
		ModTime:     oi.LastModified.UTC(),
		Metadata:    meta,
	}
}

// Delete removes the object; S3 deletes silently, so absence is checked first.
func (b *Bucket) Delete(ctx context.Context, key string) error {
	if _, err := b.Stat(ctx, key); err != nil {
		return err
	}
	if err := b.client.RemoveObject(ctx, b.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		return translate(err, "delete")
	}
	return nil
}

// List pages through keys with prefix. The cursor is the last key returned, encoded.
func (b *Bucket) List(ctx context.Context, prefix, cursor string, limit int) (ports.BlobPage, error) {
	if limit < 1 || limit > 1000 {
		return ports.BlobPage{}, kernel.Invalid("limit", "deve estar entre 1 e 1000")
	}
	opts := minio.ListObjectsOptions{Prefix: prefix, Recursive: true, MaxKeys: limit + 1}
	if cursor != "" {
		k, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || len(k) == 0 {
			return ports.BlobPage{}, kernel.Invalid("cursor", "não é um cursor fornecido por este armazenamento")
		}
		opts.StartAfter = string(k)
	}
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	page := ports.BlobPage{Items: []ports.BlobInfo{}}
	more := false
	for oi := range b.client.ListObjects(lctx, b.bucket, opts) {
		if oi.Err != nil {
			return ports.BlobPage{}, translate(oi.Err, "list")
		}
		if len(page.Items) == limit {
			more = true
			break
		}
		page.Items = append(page.Items, infoOf(oi))
	}
	if more {
		page.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(page.Items[len(page.Items)-1].Key))
	}
	return page, nil
}

// SignedURL presigns a GET of an existing object.
func (b *Bucket) SignedURL(ctx context.Context, key string, expiry time.Duration) (string, error) {
	if expiry < time.Second || expiry > 7*24*time.Hour {
		return "", kernel.Invalid("expiry", "deve estar entre 1 segundo e 7 dias")
	}
	if _, err := b.Stat(ctx, key); err != nil {
		return "", err
	}
	u, err := b.client.PresignedGetObject(ctx, b.bucket, key, expiry, nil)
	if err != nil {
		return "", translate(err, "presign")
	}
	return u.String(), nil
}

// Ping checks that the bucket exists and is reachable.
func (b *Bucket) Ping(ctx context.Context) error {
	ok, err := b.client.BucketExists(ctx, b.bucket)
	if err != nil {
		return translate(err, "ping")
	}
	if !ok {
		return kernel.Unavailable(nil, "minioblob: bucket %q does not exist", b.bucket)
	}
	return nil
}

func translate(err error, op string) error {
	msg := "minioblob: " + op
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return kernel.Unavailable(err, "%s", msg)
	}
	resp := minio.ToErrorResponse(err)
	switch resp.Code {
	case "NoSuchKey", "NotFound":
		return &kernel.Error{Kind: kernel.KindNotFound, Message: "objeto não encontrado", Err: err}
	case "NoSuchBucket":
		return kernel.Unavailable(err, "%s: bucket does not exist", msg)
	case "SlowDown", "SlowDownRead", "SlowDownWrite", "ServiceUnavailable", "InternalError", "XMinioServerNotInitialized":
		return kernel.Unavailable(err, "%s", msg)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return &kernel.Error{Kind: kernel.KindNotFound, Message: "objeto não encontrado", Err: err}
	case resp.StatusCode >= 500, resp.StatusCode == http.StatusTooManyRequests:
		return kernel.Unavailable(err, "%s", msg)
	}
	var ne net.Error
	var ue *url.Error
	if errors.As(err, &ne) || errors.As(err, &ue) {
		return kernel.Unavailable(err, "%s", msg)
	}
	return kernel.Internal(err, "%s", msg)
}
