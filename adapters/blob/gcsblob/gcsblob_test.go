package gcsblob_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cloud.google.com/go/storage"
	"github.com/fsouza/fake-gcs-server/fakestorage"

	"github.com/multisaude/multisaude/adapters/blob/gcsblob"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
)

var signerKey = func() []byte {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
}()

// gcsServer is fake-gcs-server behind a proxy that, as GCS does, refuses a V4
// signed URL once X-Goog-Date plus X-Goog-Expires has passed (fake-gcs-server
// serves signed URLs without looking at the signature or the expiry).
type gcsServer struct {
	fake    *fakestorage.Server
	proxy   *httptest.Server
	uploads atomic.Int32 // resumable upload requests
}

func newServer(t *testing.T) *gcsServer {
	t.Helper()
	s := &gcsServer{}
	var rp http.Handler
	s.proxy = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("uploadType") == "resumable" {
			s.uploads.Add(1) // the session's start and each chunk
		}
		if q.Get("X-Goog-Signature") != "" {
			signed, err1 := time.Parse("20060102T150405Z", q.Get("X-Goog-Date"))
			secs, err2 := strconv.Atoi(q.Get("X-Goog-Expires"))
			if err1 != nil || err2 != nil || time.Now().After(signed.Add(time.Duration(secs)*time.Second)) {
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, `<?xml version='1.0' encoding='UTF-8'?><Error><Code>ExpiredToken</Code><Message>Invalid argument.</Message></Error>`)
				return
			}
			r.Host = "storage.googleapis.com" // where fake-gcs-server serves XML-style object reads
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(s.proxy.Close)
	fake, err := fakestorage.NewServerWithOptions(fakestorage.Options{Scheme: "http", Host: "127.0.0.1", Writer: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Stop)
	s.fake = fake
	target, _ := url.Parse(fake.URL())
	rp = httputil.NewSingleHostReverseProxy(target)
	return s
}

func newBucket(t *testing.T, s *gcsServer, chunk int) *gcsblob.Bucket {
	t.Helper()
	name := "multisaude-" + strings.ReplaceAll(kernel.NewID(), "-", "")[20:]
	s.fake.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: name})
	b, cleanup, err := gcsblob.New(context.Background(), gcsblob.Config{
		Bucket: name, Endpoint: s.proxy.URL + "/storage/v1/", ChunkSize: chunk,
		SignerEmail: "multisaude@test-project.iam.gserviceaccount.com", SignerKeyPEM: signerKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)
	return b
}

func TestConformance(t *testing.T) {
	s := newServer(t)
	conformance.RunBlobStore(t, func(t *testing.T) ports.BlobStore { return newBucket(t, s, 0) })
}

func TestResumableUploadInChunks(t *testing.T) {
	s := newServer(t)
	b := newBucket(t, s, 256<<10)
	data := make([]byte, 256<<10*3+100)
	_, _ = rand.Read(data)
	info, err := b.Put(context.Background(), "big.bin", io.MultiReader(bytes.NewReader(data)), ports.PutOptions{Size: -1})
	if err != nil {
		t.Fatal(err)
	}
	// One request starts the session, then four chunks of 256 KiB or less.
	if info.Size != int64(len(data)) || s.uploads.Load() != 5 {
		t.Fatalf("size %d, %d resumable requests; want %d, 5", info.Size, s.uploads.Load(), len(data))
	}
	small, err := b.Put(context.Background(), "small.bin", strings.NewReader("abc"), ports.PutOptions{})
	if err != nil || small.Size != 3 || s.uploads.Load() != 5 {
		t.Fatalf("a small object should go in one request: %v, %d sessions", err, s.uploads.Load())
	}
	rc, _, err := b.Get(context.Background(), "big.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, _ := io.ReadAll(rc)
	if !bytes.Equal(got, data) {
		t.Fatal("object differs")
	}
}

func TestSignedURLShapeAndErrors(t *testing.T) {
	s := newServer(t)
	b := newBucket(t, s, 0)
	ctx := context.Background()
	if _, err := b.Put(ctx, "a b.txt", strings.NewReader("x"), ports.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	u, err := b.SignedURL(ctx, "a b.txt", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	pu, _ := url.Parse(u)
	q := pu.Query()
	if q.Get("X-Goog-Algorithm") != "GOOG4-RSA-SHA256" || !strings.HasPrefix(q.Get("X-Goog-Credential"), "multisaude@test-project.iam.gserviceaccount.com/") ||
		q.Get("X-Goog-Expires") != "60" || len(q.Get("X-Goog-Signature")) != 512 {
		t.Fatalf("signed URL %s", u)
	}
	if err := b.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	missing, _, _ := gcsblob.New(ctx, gcsblob.Config{Bucket: "absent-bucket", Endpoint: s.proxy.URL + "/storage/v1/"})
	if err := missing.Ping(ctx); kernel.KindOf(err) != kernel.KindUnavailable {
		t.Fatalf("ping of a missing bucket: %v", err)
	}
	_, _, err = gcsblob.New(ctx, gcsblob.Config{SignerEmail: "x@y"})
	if ke, ok := err.(*kernel.Error); !ok || ke.Kind != kernel.KindInvalid || len(ke.Fields) != 2 {
		t.Fatalf("config: %v", err)
	}
	_ = storage.ErrObjectNotExist
}

// TestCredentialsFile: MULTISAUDE_GCS_CREDENTIALS_FILE takes a service-account
// key; an unreadable file stops the start.
func TestCredentialsFile(t *testing.T) {
	sa, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "test-project", "private_key_id": "k1",
		"private_key": string(signerKey), "client_email": "multisaude@test-project.iam.gserviceaccount.com",
		"client_id": "1", "token_uri": "https://oauth2.googleapis.com/token",
	})
	file := filepath.Join(t.TempDir(), "sa.json")
	if err := os.WriteFile(file, sa, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, closeFn, err := gcsblob.New(ctx, gcsblob.Config{Bucket: "multisaude", CredentialsFile: file})
	if err != nil {
		t.Fatalf("a service-account key was refused: %v", err)
	}
	closeFn()
	if _, _, err := gcsblob.New(ctx, gcsblob.Config{Bucket: "multisaude", CredentialsFile: file + ".absent"}); err == nil {
		t.Fatal("a credentials file that does not exist was accepted")
	}
}
