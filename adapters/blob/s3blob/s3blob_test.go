package s3blob_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/multisaude/multisaude/adapters/blob/devs3"
	"github.com/multisaude/multisaude/adapters/blob/s3blob"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// newBucket starts gofakes3 and returns a Bucket on a fresh bucket there.
func newBucket(t *testing.T, mod func(*s3blob.Config)) (*s3blob.Bucket, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(devs3.NewHandler(false))
	t.Cleanup(srv.Close)
	cfg := s3blob.Config{
		Bucket: "multisaude-test", Region: "us-east-1", Endpoint: srv.URL, PathStyle: true,
		AccessKeyID: "test", SecretAccessKey: "test",
	}
	if mod != nil {
		mod(&cfg)
	}
	b, cleanup, err := s3blob.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)
	if _, err := b.Client().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(cfg.Bucket)}); err != nil {
		t.Fatal(err)
	}
	return b, srv
}

func TestRoundTripAndKinds(t *testing.T) {
	ctx := context.Background()
	b, _ := newBucket(t, nil)
	if err := b.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
	info, err := b.Put(ctx, "docs/a.pdf", strings.NewReader("%PDF-1.7"), ports.PutOptions{
		ContentType: "application/pdf", Metadata: map[string]string{"Owner-Kind": "patient"}})
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != 8 || info.ContentType != "application/pdf" || info.ETag == "" || info.ModTime.IsZero() {
		t.Fatalf("info = %+v", info)
	}
	rc, got, err := b.Get(ctx, "docs/a.pdf")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(rc)
	rc.Close()
	if string(body) != "%PDF-1.7" || got.Metadata["owner-kind"] != "patient" {
		t.Fatalf("body %q meta %v", body, got.Metadata)
	}
	for name, err := range map[string]error{
		"get":    func() error { _, _, err := b.Get(ctx, "nope"); return err }(),
		"stat":   func() error { _, err := b.Stat(ctx, "nope"); return err }(),
		"delete": b.Delete(ctx, "nope"),
		"signed": func() error { _, err := b.SignedURL(ctx, "nope", time.Minute); return err }(),
	} {
		if kernel.KindOf(err) != kernel.KindNotFound {
			t.Errorf("%s of a missing key: %v, want not_found", name, err)
		}
	}
	for _, key := range []string{"", "/abs", "a/../b"} {
		if _, err := b.Stat(ctx, key); kernel.KindOf(err) != kernel.KindInvalid {
			t.Errorf("stat %q: %v, want invalid", key, err)
		}
	}
	if err := b.Delete(ctx, "docs/a.pdf"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Stat(ctx, "docs/a.pdf"); kernel.KindOf(err) != kernel.KindNotFound {
		t.Fatalf("after delete: %v", err)
	}
}

func TestMultipartAboveThreshold(t *testing.T) {
	ctx := context.Background()
	var parts atomic.Int32
	b, srv := newBucket(t, func(c *s3blob.Config) { c.PartSize = s3blob.MinPartSize })
	inner := srv.Config.Handler
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && r.URL.Query().Get("partNumber") != "" {
			parts.Add(1)
		}
		inner.ServeHTTP(w, r)
	})
	data := make([]byte, 2*s3blob.MinPartSize+12345)
	_, _ = rand.Read(data)
	// An io.Reader of unknown length: only a plain reader, not a bytes.Reader.
	info, err := b.Put(ctx, "big.bin", io.MultiReader(bytes.NewReader(data)), ports.PutOptions{Size: -1})
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != int64(len(data)) {
		t.Fatalf("size %d, want %d", info.Size, len(data))
	}
	if n := parts.Load(); n != 3 {
		t.Fatalf("%d parts uploaded, want 3", n)
	}
	rc, _, err := b.Get(ctx, "big.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, _ := io.ReadAll(rc)
	if !bytes.Equal(got, data) {
		t.Fatal("multipart object differs from what was written")
	}
}

func TestSignedURLDownloads(t *testing.T) {
	ctx := context.Background()
	b, srv := newBucket(t, nil)
	if _, err := b.Put(ctx, "x/y.txt", strings.NewReader("hello"), ports.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	u, err := b.SignedURL(ctx, "x/y.txt", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u, srv.URL+"/multisaude-test/x/y.txt?") || !strings.Contains(u, "X-Amz-Signature=") {
		t.Fatalf("url %s", u)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != "hello" {
		t.Fatalf("GET signed URL: %d %q", resp.StatusCode, body)
	}
	if _, err := b.SignedURL(ctx, "x/y.txt", 0); kernel.KindOf(err) != kernel.KindInvalid {
		t.Fatalf("zero expiry: %v", err)
	}
}

func TestListPages(t *testing.T) {
	ctx := context.Background()
	b, _ := newBucket(t, nil)
	for _, k := range []string{"p/c", "p/a", "q/z", "p/b", "p/d"} {
		if _, err := b.Put(ctx, k, strings.NewReader(k), ports.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	var keys []string
	cursor := ""
	for i := 0; i < 10; i++ {
		page, err := b.List(ctx, "p/", cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			keys = append(keys, it.Key)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if strings.Join(keys, ",") != "p/a,p/b,p/c,p/d" {
		t.Fatalf("keys %v", keys)
	}
	if _, err := b.List(ctx, "", "", 0); kernel.KindOf(err) != kernel.KindInvalid {
		t.Fatalf("limit 0: %v", err)
	}
	if _, err := b.List(ctx, "", "!!!", 10); kernel.KindOf(err) != kernel.KindInvalid {
		t.Fatalf("bad cursor: %v", err)
	}
}

func TestUnavailable(t *testing.T) {
	ctx := context.Background()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, `<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>slow down</Message></Error>`)
	}))
	defer srv.Close()
	b, _, err := s3blob.New(ctx, s3blob.Config{Bucket: "bkt", Region: "us-east-1", Endpoint: srv.URL, PathStyle: true,
		AccessKeyID: "a", SecretAccessKey: "b", MaxAttempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Stat(ctx, "k"); kernel.KindOf(err) != kernel.KindUnavailable {
		t.Fatalf("stat on 503: %v", err)
	}
	if calls.Load() != 2 {
		t.Fatalf("%d calls, want 2 (retried once)", calls.Load())
	}
	if _, err := b.Put(ctx, "k", strings.NewReader("x"), ports.PutOptions{}); kernel.KindOf(err) != kernel.KindUnavailable {
		t.Fatalf("put on 503: %v", err)
	}
	// A missing bucket makes the store not ready.
	_, fake := newBucket(t, nil)
	missing, _, _ := s3blob.New(ctx, s3blob.Config{Bucket: "absent-bucket", Region: "us-east-1", Endpoint: fake.URL, PathStyle: true, AccessKeyID: "a", SecretAccessKey: "b"})
	if err := missing.Ping(ctx); kernel.KindOf(err) != kernel.KindUnavailable {
		t.Fatalf("ping of a missing bucket: %v", err)
	}
	if _, _, err := missing.Get(ctx, "k"); kernel.KindOf(err) != kernel.KindUnavailable {
		t.Fatalf("get in a missing bucket must not look like a missing object: %v", err)
	}
}

func TestConfigRequiresBucket(t *testing.T) {
	_, _, err := s3blob.New(context.Background(), s3blob.Config{})
	var ke *kernel.Error
	if kernel.KindOf(err) != kernel.KindInvalid || !asKernel(err, &ke) || ke.Fields[0].Field != "bucket" {
		t.Fatalf("err = %v", err)
	}
}

func asKernel(err error, out **kernel.Error) bool {
	e, ok := err.(*kernel.Error)
	*out = e
	return ok
}
