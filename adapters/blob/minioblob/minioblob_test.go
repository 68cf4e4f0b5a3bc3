package minioblob_test

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

	"github.com/multisaude/multisaude/adapters/blob/devs3"
	"github.com/multisaude/multisaude/adapters/blob/minioblob"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

type counting struct {
	parts atomic.Int32
	h     http.Handler
}

func (c *counting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPut && r.URL.Query().Get("partNumber") != "" {
		c.parts.Add(1)
	}
	c.h.ServeHTTP(w, r)
}

func newBucket(t *testing.T) (*minioblob.Bucket, *counting, string) {
	t.Helper()
	h := &counting{h: devs3.NewHandler(false)}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	b, cleanup, err := minioblob.New(context.Background(), minioblob.Config{
		Endpoint: srv.URL, Bucket: "multisaude-test", AccessKey: "test", SecretKey: "testtest",
		CreateBucket: true, PartSize: 5 << 20,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)
	return b, h, srv.URL
}

func TestRoundTripAndKinds(t *testing.T) {
	ctx := context.Background()
	b, _, _ := newBucket(t)
	if err := b.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	info, err := b.Put(ctx, "docs/a.pdf", strings.NewReader("%PDF-1.7"), ports.PutOptions{
		ContentType: "application/pdf", Metadata: map[string]string{"owner-kind": "patient"}, Size: 8})
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != 8 || info.ContentType != "application/pdf" || info.ETag == "" || info.Metadata["owner-kind"] != "patient" {
		t.Fatalf("info = %+v", info)
	}
	rc, _, err := b.Get(ctx, "docs/a.pdf")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(rc)
	rc.Close()
	if string(body) != "%PDF-1.7" {
		t.Fatalf("body %q", body)
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
	if _, err := b.Put(ctx, "../x", strings.NewReader(""), ports.PutOptions{}); kernel.KindOf(err) != kernel.KindInvalid {
		t.Errorf("put ../x: %v", err)
	}
	if err := b.Delete(ctx, "docs/a.pdf"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Stat(ctx, "docs/a.pdf"); kernel.KindOf(err) != kernel.KindNotFound {
		t.Fatalf("after delete: %v", err)
	}
}

func TestStreamedInParts(t *testing.T) {
	ctx := context.Background()
	b, h, _ := newBucket(t)
	data := make([]byte, 2*(5<<20)+777)
	_, _ = rand.Read(data)
	info, err := b.Put(ctx, "big.bin", io.MultiReader(bytes.NewReader(data)), ports.PutOptions{Size: -1})
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != int64(len(data)) || h.parts.Load() != 3 {
		t.Fatalf("size %d, %d parts; want %d, 3", info.Size, h.parts.Load(), len(data))
	}
	rc, _, err := b.Get(ctx, "big.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, _ := io.ReadAll(rc)
	if !bytes.Equal(got, data) {
		t.Fatal("object differs from what was written")
	}
}

func TestSignedURLAndList(t *testing.T) {
	ctx := context.Background()
	b, _, base := newBucket(t)
	for _, k := range []string{"p/c", "p/a", "q/z", "p/b"} {
		if _, err := b.Put(ctx, k, strings.NewReader("v-"+k), ports.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	u, err := b.SignedURL(ctx, "p/a", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u, base+"/multisaude-test/p/a?") {
		t.Fatalf("url %s", u)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "v-p/a" {
		t.Fatalf("GET signed URL: %d %q", resp.StatusCode, body)
	}
	var keys []string
	cursor := ""
	for i := 0; i < 5; i++ {
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
	if strings.Join(keys, ",") != "p/a,p/b,p/c" {
		t.Fatalf("keys %v", keys)
	}
}

func TestMissingBucketAndBadConfig(t *testing.T) {
	ctx := context.Background()
	_, _, base := newBucket(t)
	b, _, err := minioblob.New(ctx, minioblob.Config{Endpoint: base, Bucket: "absent", AccessKey: "a", SecretKey: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Ping(ctx); kernel.KindOf(err) != kernel.KindUnavailable {
		t.Fatalf("ping: %v", err)
	}
	_, _, err = minioblob.New(ctx, minioblob.Config{Endpoint: "127.0.0.1:9000", Bucket: "b"})
	e, ok := err.(*kernel.Error)
	if !ok || e.Kind != kernel.KindInvalid || len(e.Fields) != 3 || e.Fields[0].Field != "access_key" || e.Fields[1].Field != "endpoint" {
		t.Fatalf("config errors: %v", err)
	}
}
