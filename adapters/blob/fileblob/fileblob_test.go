package fileblob_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/blob/fileblob"
	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/adapters/http/httpapi/blobapi"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
)

// serve starts the HTTP API with the blob module on a free port and returns
// a store whose signed URLs point at it.
func serve(t *testing.T, root string, secret []byte) *fileblob.Store {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	store, err := fileblob.New(fileblob.Config{Root: root, BaseURL: "http://" + ln.Addr().String(), Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	srv := httpapi.New(httpapi.Config{}, slog.New(slog.DiscardHandler), nil, nil, blobapi.New(store))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	// Wait until it answers: a shutdown racing the start of Serve would hang.
	for i := 0; ; i++ {
		resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i == 200 {
			t.Fatalf("the test server did not start: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return store
}

func TestConformance(t *testing.T) {
	conformance.RunBlobStore(t, func(t *testing.T) ports.BlobStore {
		return serve(t, t.TempDir(), nil)
	})
}

func TestObjectAndNestedKeysCoexist(t *testing.T) {
	s := serve(t, t.TempDir(), []byte("0123456789abcdef0123456789abcdef"))
	ctx := context.Background()
	for _, k := range []string{"a", "a/b", "a/b/c"} {
		if _, err := s.Put(ctx, k, strings.NewReader(k), ports.PutOptions{}); err != nil {
			t.Fatalf("Put %s: %v", k, err)
		}
	}
	for _, k := range []string{"a", "a/b", "a/b/c"} {
		rc, _, err := s.Get(ctx, k)
		if err != nil {
			t.Fatalf("Get %s: %v", k, err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if string(b) != k {
			t.Errorf("Get %s = %q", k, b)
		}
	}
	page, err := s.List(ctx, "a", "", 10)
	if err != nil || len(page.Items) != 3 {
		t.Fatalf("List = %v, %v; want 3 keys", page.Items, err)
	}
	// Deleting the nested objects prunes their folders but keeps "a".
	if err := s.Delete(ctx, "a/b/c"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "a/b"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stat(ctx, "a"); err != nil {
		t.Errorf("Stat a after deleting a/b: %v", err)
	}
}

func TestLayoutAndNoTempFilesLeft(t *testing.T) {
	root := t.TempDir()
	s := serve(t, root, nil)
	ctx := context.Background()
	if _, err := s.Put(ctx, "patients/p1/photo.jpg", bytes.NewReader([]byte("jpeg")), ports.PutOptions{ContentType: "image/jpeg"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"patients.d/p1.d/photo.jpg.b", "patients.d/p1.d/photo.jpg.m", ".signing-key"} {
		if _, err := os.Stat(filepath.Join(root, p)); err != nil {
			t.Errorf("want %s: %v", p, err)
		}
	}
	side, _ := os.ReadFile(filepath.Join(root, "patients.d/p1.d/photo.jpg.m"))
	if !strings.Contains(string(side), `"content_type":"image/jpeg"`) {
		t.Errorf("sidecar = %s", side)
	}
	tmp, _ := os.ReadDir(filepath.Join(root, ".tmp"))
	if len(tmp) != 0 {
		t.Errorf("%d temporary files left behind", len(tmp))
	}
	// The generated signing key is reused after a restart, so old links still work.
	u, err := s.SignedURL(ctx, "patients/p1/photo.jpg", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := fileblob.New(fileblob.Config{Root: root, BaseURL: "http://unused"})
	if err != nil {
		t.Fatal(err)
	}
	exp, sig := queryOf(t, u)
	rc, _, err := s2.OpenSigned(ctx, "patients/p1/photo.jpg", exp, sig)
	if err != nil {
		t.Fatalf("a restarted store refuses its own link: %v", err)
	}
	rc.Close()
}

func queryOf(t *testing.T, u string) (exp, sig string) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req.URL.Query().Get("exp"), req.URL.Query().Get("sig")
}

func TestSignedURLTampering(t *testing.T) {
	s := serve(t, t.TempDir(), nil)
	ctx := context.Background()
	for _, k := range []string{"x/secret.pdf", "x/other.pdf"} {
		if _, err := s.Put(ctx, k, strings.NewReader("data of "+k), ports.PutOptions{ContentType: "text/html"}); err != nil {
			t.Fatal(err)
		}
	}
	u, err := s.SignedURL(ctx, "x/secret.pdf", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(u, fileblob.SignedPath+"x%2Fsecret.pdf?") {
		t.Errorf("signed URL %s does not have the documented shape", u)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "data of x/secret.pdf" {
		t.Fatalf("GET = %d %q", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/html" {
		t.Errorf("Content-Type %q", ct)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") {
		t.Errorf("CSP %q: user HTML must be sandboxed", csp)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, "secret.pdf") {
		t.Errorf("Content-Disposition %q", cd)
	}
	exp, sig := queryOf(t, u)
	base := u[:strings.Index(u, fileblob.SignedPath)]
	cases := map[string]string{
		"other key, same signature": base + fileblob.SignedPath + "x%2Fother.pdf?exp=" + exp + "&sig=" + sig,
		"later expiry":              base + fileblob.SignedPath + "x%2Fsecret.pdf?exp=9999999999&sig=" + sig,
		"no signature":              base + fileblob.SignedPath + "x%2Fsecret.pdf?exp=" + exp,
		"bad signature":             base + fileblob.SignedPath + "x%2Fsecret.pdf?exp=" + exp + "&sig=AAAA" + sig[4:],
		"bad expiry":                base + fileblob.SignedPath + "x%2Fsecret.pdf?exp=soon&sig=" + sig,
	}
	for name, bad := range cases {
		resp, err := http.Get(bad)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(resp.Header.Get("Content-Type"), "application/problem+json") ||
			strings.Contains(string(body), "data of") {
			t.Errorf("%s: status %d %s %q, want a 403 problem", name, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
	// Signed, then deleted: 404.
	u2, _ := s.SignedURL(ctx, "x/other.pdf", time.Minute)
	if err := s.Delete(ctx, "x/other.pdf"); err != nil {
		t.Fatal(err)
	}
	resp, err = http.Get(u2)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("deleted object: status %d, want 404", resp.StatusCode)
	}
	// A traversal attempt in the path is refused as invalid input.
	resp, err = http.Get(base + fileblob.SignedPath + "..%2F..%2Fetc%2Fpasswd?exp=" + exp + "&sig=" + sig)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("traversal: status %d, want 400", resp.StatusCode)
	}
	_, err = s.SignedURL(ctx, "x/secret.pdf", 0)
	if kernel.KindOf(err) != kernel.KindInvalid {
		t.Errorf("SignedURL with no expiry: %v, want invalid", err)
	}
}
