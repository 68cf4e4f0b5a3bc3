// Package s3blob stores blobs in an Amazon S3 bucket (or any S3-compatible
// service) through aws-sdk-go-v2: optional SSE-KMS, presigned GETs, and
// multipart uploads for objects larger than one part.
package s3blob

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// MinPartSize is the smallest part S3 accepts in a multipart upload (except the last).
const MinPartSize = 5 << 20

// Config configures the bucket. Environment variables are given per field.
type Config struct {
	Bucket          string // MULTISAUDE_S3_BUCKET (required)
	Region          string // MULTISAUDE_S3_REGION, default AWS_REGION or us-east-1
	Endpoint        string // MULTISAUDE_S3_ENDPOINT: custom endpoint URL (S3-compatible services); empty for AWS
	PathStyle       bool   // MULTISAUDE_S3_PATH_STYLE: path-style addressing (needed by most S3-compatible services)
	KMSKeyID        string // MULTISAUDE_S3_KMS_KEY_ID: when set, objects are written with SSE-KMS under this key
	AccessKeyID     string // MULTISAUDE_S3_ACCESS_KEY_ID: static credentials; empty uses the default AWS chain
	SecretAccessKey string // MULTISAUDE_S3_SECRET_ACCESS_KEY
	PartSize        int64  // MULTISAUDE_S3_PART_SIZE: bytes per multipart part, default 8 MiB, minimum 5 MiB
	MaxAttempts     int    // MULTISAUDE_S3_MAX_ATTEMPTS: SDK retry attempts for throttling and 5xx, default 3
	// APIOptions is SDK middleware added to the client (the tracing's spans); none by default.
	APIOptions []func(*middleware.Stack) error
}

// Bucket is a ports.BlobStore over one S3 bucket.
type Bucket struct {
	client   *s3.Client
	presign  *s3.PresignClient
	bucket   string
	kmsKeyID string
	partSize int64
}

var _ ports.BlobStore = (*Bucket)(nil)

// New builds the client. It does not contact S3; Ping does.
func New(ctx context.Context, cfg Config) (*Bucket, func(), error) {
	var p kernel.Problems
	p.Require("bucket", cfg.Bucket)
	if cfg.PartSize != 0 && cfg.PartSize < MinPartSize {
		p.Add("part_size", "must be at least %d bytes", MinPartSize)
	}
	if err := p.Err(); err != nil {
		return nil, nil, err
	}
	if cfg.PartSize == 0 {
		cfg.PartSize = 8 << 20
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 3
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = cfg.MaxAttempts })
		}),
	}
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	if cfg.AccessKeyID != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, "")))
	}
	opts = append(opts, config.WithAPIOptions(cfg.APIOptions))
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, nil, kernel.Internal(err, "s3blob: load AWS configuration")
	}
	if awsCfg.Region == "" {
		awsCfg.Region = "us-east-1"
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		o.UsePathStyle = cfg.PathStyle
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
			// S3-compatible services rarely accept the newer default checksums.
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		}
	})
	b := &Bucket{
		client:   client,
		presign:  s3.NewPresignClient(client),
		bucket:   cfg.Bucket,
		kmsKeyID: cfg.KMSKeyID,
		partSize: cfg.PartSize,
	}
	return b, func() {}, nil
}

// Client exposes the SDK client (tests create the bucket with it).
func (b *Bucket) Client() *s3.Client { return b.client }

func checkKey(key string) error { return ports.CheckBlobKey(key) }

// Put stores r under key: one PutObject when the object fits in one part,
// a multipart upload otherwise (r is read one part at a time, never whole).
func (b *Bucket) Put(ctx context.Context, key string, r io.Reader, opts ports.PutOptions) (ports.BlobInfo, error) {
	if err := checkKey(key); err != nil {
		return ports.BlobInfo{}, err
	}
	if r == nil {
		return ports.BlobInfo{}, kernel.Invalid("body", "é obrigatório")
	}
	ct := opts.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	meta := lowerKeys(opts.Metadata)
	first, err := readPart(r, b.partSize)
	if err != nil {
		return ports.BlobInfo{}, kernel.Invalid("body", "não pôde ser lido: %v", err)
	}
	if int64(len(first)) < b.partSize {
		in := &s3.PutObjectInput{
			Bucket:        aws.String(b.bucket),
			Key:           aws.String(key),
			Body:          bytes.NewReader(first),
			ContentLength: aws.Int64(int64(len(first))),
			ContentType:   aws.String(ct),
			Metadata:      meta,
		}
		if b.kmsKeyID != "" {
			in.ServerSideEncryption = types.ServerSideEncryptionAwsKms
			in.SSEKMSKeyId = aws.String(b.kmsKeyID)
		}
		if _, err := b.client.PutObject(ctx, in); err != nil {
			return ports.BlobInfo{}, translate(err, "put %q", key)
		}
	} else if err := b.multipart(ctx, key, ct, meta, first, r); err != nil {
		return ports.BlobInfo{}, err
	}
	return b.Stat(ctx, key)
}

func (b *Bucket) multipart(ctx context.Context, key, ct string, meta map[string]string, first []byte, r io.Reader) error {
	in := &s3.CreateMultipartUploadInput{
		Bucket:      aws.String(b.bucket),
		Key:         aws.String(key),
		ContentType: aws.String(ct),
		Metadata:    meta,
	}
	if b.kmsKeyID != "" {
		in.ServerSideEncryption = types.ServerSideEncryptionAwsKms
		in.SSEKMSKeyId = aws.String(b.kmsKeyID)
	}
	up, err := b.client.CreateMultipartUpload(ctx, in)
	if err != nil {
		return translate(err, "start multipart upload of %q", key)
	}
	abort := func() {
		// A fresh context: the caller's may be the reason we abort.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_, _ = b.client.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{
			Bucket: aws.String(b.bucket), Key: aws.String(key), UploadId: up.UploadId,
		})
	}
	var parts []types.CompletedPart
	part := first
	for n := int32(1); len(part) > 0; n++ {
		out, err := b.client.UploadPart(ctx, &s3.UploadPartInput{
			Bucket:        aws.String(b.bucket),
			Key:           aws.String(key),
			UploadId:      up.UploadId,
			PartNumber:    aws.Int32(n),
			Body:          bytes.NewReader(part),
			ContentLength: aws.Int64(int64(len(part))),
		})
		if err != nil {
			abort()
			return translate(err, "upload part %d of %q", n, key)
		}
		parts = append(parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(n)})
		if int64(len(part)) < b.partSize {
			break
		}
		if part, err = readPart(r, b.partSize); err != nil {
			abort()
			return kernel.Invalid("body", "não pôde ser lido: %v", err)
		}
	}
	_, err = b.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket:          aws.String(b.bucket),
		Key:             aws.String(key),
		UploadId:        up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
	if err != nil {
		abort()
		return translate(err, "complete multipart upload of %q", key)
	}
	return nil
}

// readPart reads up to n bytes; fewer only at the end of r.
func readPart(r io.Reader, n int64) ([]byte, error) {
	var buf bytes.Buffer
	_, err := io.Copy(&buf, io.LimitReader(r, n))
	return buf.Bytes(), err
}

// Get opens the object.
func (b *Bucket) Get(ctx context.Context, key string) (io.ReadCloser, ports.BlobInfo, error) {
	if err := checkKey(key); err != nil {
		return nil, ports.BlobInfo{}, err
	}
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)})
	if err != nil {
		return nil, ports.BlobInfo{}, translate(err, "get %q", key)
	}
	return out.Body, ports.BlobInfo{
		Key:         key,
		Size:        aws.ToInt64(out.ContentLength),
		ContentType: aws.ToString(out.ContentType),
		ETag:        strings.Trim(aws.ToString(out.ETag), `"`),
		ModTime:     aws.ToTime(out.LastModified).UTC(),
		Metadata:    lowerKeys(out.Metadata),
	}, nil
}

// Stat describes the object.
func (b *Bucket) Stat(ctx context.Context, key string) (ports.BlobInfo, error) {
	if err := checkKey(key); err != nil {
		return ports.BlobInfo{}, err
	}
	out, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)})
	if err != nil {
		return ports.BlobInfo{}, translate(err, "stat %q", key)
	}
	return ports.BlobInfo{
		Key:         key,
		Size:        aws.ToInt64(out.ContentLength),
		ContentType: aws.ToString(out.ContentType),
		ETag:        strings.Trim(aws.ToString(out.ETag), `"`),
		ModTime:     aws.ToTime(out.LastModified).UTC(),
		Metadata:    lowerKeys(out.Metadata),
	}, nil
}

// Delete removes the object; S3 deletes silently, so absence is checked first.
func (b *Bucket) Delete(ctx context.Context, key string) error {
	if _, err := b.Stat(ctx, key); err != nil {
		return err
	}
	if _, err := b.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)}); err != nil {
		return translate(err, "delete %q", key)
	}
	return nil
}

// List pages through keys with prefix. The cursor is the last key returned, encoded.
func (b *Bucket) List(ctx context.Context, prefix, cursor string, limit int) (ports.BlobPage, error) {
	if limit < 1 || limit > 1000 {
		return ports.BlobPage{}, kernel.Invalid("limit", "deve estar entre 1 e 1000")
	}
	in := &s3.ListObjectsV2Input{
		Bucket:  aws.String(b.bucket),
		MaxKeys: aws.Int32(int32(limit)),
	}
	if prefix != "" {
		in.Prefix = aws.String(prefix)
	}
	if cursor != "" {
		after, err := decodeCursor(cursor)
		if err != nil {
			return ports.BlobPage{}, err
		}
		in.StartAfter = aws.String(after)
	}
	out, err := b.client.ListObjectsV2(ctx, in)
	if err != nil {
		return ports.BlobPage{}, translate(err, "list %q", prefix)
	}
	page := ports.BlobPage{Items: make([]ports.BlobInfo, 0, len(out.Contents))}
	for _, o := range out.Contents {
		page.Items = append(page.Items, ports.BlobInfo{
			Key:     aws.ToString(o.Key),
			Size:    aws.ToInt64(o.Size),
			ETag:    strings.Trim(aws.ToString(o.ETag), `"`),
			ModTime: aws.ToTime(o.LastModified).UTC(),
		})
	}
	if aws.ToBool(out.IsTruncated) && len(page.Items) > 0 {
		page.NextCursor = encodeCursor(page.Items[len(page.Items)-1].Key)
	}
	return page, nil
}

func encodeCursor(key string) string { return base64.RawURLEncoding.EncodeToString([]byte(key)) }

func decodeCursor(c string) (string, error) {
	k, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(k) == 0 {
		return "", kernel.Invalid("cursor", "não é um cursor fornecido por este armazenamento")
	}
	return string(k), nil
}

// SignedURL presigns a GET of an existing object.
func (b *Bucket) SignedURL(ctx context.Context, key string, expiry time.Duration) (string, error) {
	if expiry <= 0 || expiry > 7*24*time.Hour {
		return "", kernel.Invalid("expiry", "deve estar entre 1 segundo e 7 dias")
	}
	if _, err := b.Stat(ctx, key); err != nil {
		return "", err
	}
	req, err := b.presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)},
		s3.WithPresignExpires(expiry))
	if err != nil {
		return "", translate(err, "presign %q", key)
	}
	return req.URL, nil
}

// Ping checks that the bucket exists and is reachable.
func (b *Bucket) Ping(ctx context.Context) error {
	if _, err := b.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(b.bucket)}); err != nil {
		var nf *types.NotFound
		if errors.As(err, &nf) || isStatus(err, http.StatusNotFound) {
			return kernel.Unavailable(err, "s3blob: bucket %q does not exist", b.bucket)
		}
		return translate(err, "ping bucket %q", b.bucket)
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
