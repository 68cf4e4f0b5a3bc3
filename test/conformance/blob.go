package conformance

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// RunBlobStore runs the BlobStore contract against stores made by newStore. Each
// subtest gets its own store (newStore is called with the subtest's t, so it may
// register cleanups); a store must start empty.
func RunBlobStore(t *testing.T, newStore func(t *testing.T) ports.BlobStore) {
	report(t, "BlobStore")
	t.Run("PutGetRoundTrip", func(t *testing.T) { blobRoundTrip(t, newStore(t)) })
	t.Run("DefaultContentType", func(t *testing.T) { blobDefaultContentType(t, newStore(t)) })
	t.Run("Stat", func(t *testing.T) { blobStat(t, newStore(t)) })
	t.Run("Overwrite", func(t *testing.T) { blobOverwrite(t, newStore(t)) })
	t.Run("Delete", func(t *testing.T) { blobDelete(t, newStore(t)) })
	t.Run("MissingIsNotFound", func(t *testing.T) { blobMissing(t, newStore(t)) })
	t.Run("InvalidKeys", func(t *testing.T) { blobInvalidKeys(t, newStore(t)) })
	t.Run("OddButValidKeys", func(t *testing.T) { blobOddKeys(t, newStore(t)) })
	t.Run("LargeObjectUnknownSize", func(t *testing.T) { blobLarge(t, newStore(t)) })
	t.Run("ListPages", func(t *testing.T) { blobList(t, newStore(t)) })
	t.Run("ListSmallPagesAndLimits", func(t *testing.T) { blobListSmall(t, newStore(t)) })
	t.Run("SignedURL", func(t *testing.T) { blobSignedURL(t, newStore(t)) })
	t.Run("ConcurrentPutGet", func(t *testing.T) { blobConcurrent(t, newStore(t)) })
	t.Run("ConcurrentOverwriteIsAtomic", func(t *testing.T) { blobConcurrentOverwrite(t, newStore(t)) })
	t.Run("ContextCancelled", func(t *testing.T) { blobCancelled(t, newStore(t)) })
	t.Run("Ping", func(t *testing.T) { noErr(t, "Ping", newStore(t).Ping(context.Background())) })
}

func putBytes(t *testing.T, s ports.BlobStore, key string, data []byte, opts ports.PutOptions) ports.BlobInfo {
	t.Helper()
	if opts.Size == 0 {
		opts.Size = int64(len(data))
	}
	info, err := s.Put(context.Background(), key, bytes.NewReader(data), opts)
	noErr(t, "Put "+key, err)
	return info
}

func getBytes(t *testing.T, s ports.BlobStore, key string) ([]byte, ports.BlobInfo) {
	t.Helper()
	rc, info, err := s.Get(context.Background(), key)
	noErr(t, "Get "+key, err)
	defer rc.Close()
	data, err := io.ReadAll(rc)
	noErr(t, "read "+key, err)
	return data, info
}

func blobRoundTrip(t *testing.T, s ports.BlobStore) {
	data := []byte("hello, multisaude\n")
	meta := map[string]string{"owner-id": "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "kind": "exam-result"}
	info := putBytes(t, s, "patients/p1/exam.txt", data, ports.PutOptions{ContentType: "text/plain; charset=utf-8", Metadata: meta})
	if info.Key != "patients/p1/exam.txt" || info.Size != int64(len(data)) {
		t.Errorf("Put returned key %q size %d, want %q %d", info.Key, info.Size, "patients/p1/exam.txt", len(data))
	}
	got, ginfo := getBytes(t, s, "patients/p1/exam.txt")
	if !bytes.Equal(got, data) {
		t.Errorf("Get returned %q, want %q", got, data)
	}
	if ginfo.Key != "patients/p1/exam.txt" || ginfo.Size != int64(len(data)) {
		t.Errorf("Get info key %q size %d, want %q %d", ginfo.Key, ginfo.Size, "patients/p1/exam.txt", len(data))
	}
	if ginfo.ContentType != "text/plain; charset=utf-8" {
		t.Errorf("Get content type %q, want %q", ginfo.ContentType, "text/plain; charset=utf-8")
	}
	if !mapsEqual(ginfo.Metadata, meta) {
		t.Errorf("Get metadata %v, want %v", ginfo.Metadata, meta)
	}
	// An empty object is an object.
	putBytes(t, s, "empty", nil, ports.PutOptions{Size: -1})
	got, ginfo = getBytes(t, s, "empty")
	if len(got) != 0 || ginfo.Size != 0 {
		t.Errorf("empty object: got %d bytes, size %d", len(got), ginfo.Size)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func blobDefaultContentType(t *testing.T, s ports.BlobStore) {
	putBytes(t, s, "raw.bin", []byte{0, 1, 2, 3}, ports.PutOptions{})
	info, err := s.Stat(context.Background(), "raw.bin")
	noErr(t, "Stat", err)
	if info.ContentType != "application/octet-stream" {
		t.Errorf("content type %q, want application/octet-stream when none is given", info.ContentType)
	}
}

func blobStat(t *testing.T, s ports.BlobStore) {
	before := time.Now().Add(-2 * time.Minute) // allow for a store whose clock is a little off
	data := bytes.Repeat([]byte("x"), 1000)
	put := putBytes(t, s, "docs/a.pdf", data, ports.PutOptions{ContentType: "application/pdf", Metadata: map[string]string{"k": "v"}})
	info, err := s.Stat(context.Background(), "docs/a.pdf")
	noErr(t, "Stat", err)
	if info.Key != "docs/a.pdf" || info.Size != 1000 || info.ContentType != "application/pdf" {
		t.Errorf("Stat = %+v, want key docs/a.pdf, size 1000, application/pdf", info)
	}
	if !mapsEqual(info.Metadata, map[string]string{"k": "v"}) {
		t.Errorf("Stat metadata %v, want map[k:v]", info.Metadata)
	}
	if info.ModTime.Before(before) || info.ModTime.After(time.Now().Add(2*time.Minute)) {
		t.Errorf("Stat ModTime %v is not about now", info.ModTime)
	}
	if info.ETag == "" || info.ETag != put.ETag {
		t.Errorf("Stat ETag %q, Put ETag %q: want equal and non-empty", info.ETag, put.ETag)
	}
}

func blobOverwrite(t *testing.T, s ports.BlobStore) {
	first := putBytes(t, s, "k", []byte("first version"), ports.PutOptions{ContentType: "text/plain", Metadata: map[string]string{"v": "1"}})
	second := putBytes(t, s, "k", []byte("second"), ports.PutOptions{ContentType: "application/json"})
	got, info := getBytes(t, s, "k")
	if string(got) != "second" || info.Size != 6 || info.ContentType != "application/json" {
		t.Errorf("after overwrite got %q size %d type %q, want %q 6 application/json", got, info.Size, info.ContentType, "second")
	}
	if len(info.Metadata) != 0 {
		t.Errorf("after overwrite metadata %v, want none (a Put replaces the whole object)", info.Metadata)
	}
	if first.ETag == second.ETag {
		t.Errorf("ETag did not change after overwrite with other bytes: %q", first.ETag)
	}
}

func blobDelete(t *testing.T, s ports.BlobStore) {
	ctx := context.Background()
	putBytes(t, s, "a/b/c", []byte("c"), ports.PutOptions{})
	putBytes(t, s, "a/b/d", []byte("d"), ports.PutOptions{})
	noErr(t, "Delete", s.Delete(ctx, "a/b/c"))
	_, err := s.Stat(ctx, "a/b/c")
	wantKind(t, "Stat after Delete", err, kernel.KindNotFound)
	wantKind(t, "Delete twice", s.Delete(ctx, "a/b/c"), kernel.KindNotFound)
	if got, _ := getBytes(t, s, "a/b/d"); string(got) != "d" {
		t.Errorf("sibling a/b/d = %q after deleting a/b/c", got)
	}
	page, err := s.List(ctx, "a/", "", 100)
	noErr(t, "List", err)
	if len(page.Items) != 1 || page.Items[0].Key != "a/b/d" {
		t.Errorf("List after Delete = %v, want only a/b/d", keysOf(page.Items))
	}
}

func blobMissing(t *testing.T, s ports.BlobStore) {
	ctx := context.Background()
	putBytes(t, s, "present/x", []byte("x"), ports.PutOptions{})
	for _, key := range []string{"absent", "present", "present/x/y", "present/"} {
		rc, _, err := s.Get(ctx, key)
		if rc != nil {
			rc.Close()
		}
		wantKind(t, "Get "+key, err, kernel.KindNotFound)
		_, err = s.Stat(ctx, key)
		wantKind(t, "Stat "+key, err, kernel.KindNotFound)
		wantKind(t, "Delete "+key, s.Delete(ctx, key), kernel.KindNotFound)
		_, err = s.SignedURL(ctx, key, time.Minute)
		wantKind(t, "SignedURL "+key, err, kernel.KindNotFound)
	}
}

func blobInvalidKeys(t *testing.T, s ports.BlobStore) {
	ctx := context.Background()
	for _, key := range []string{"", "../x", "/x", "a/../b", "a/..", "./a", strings.Repeat("k", ports.MaxBlobKeyLen+1), "bad\x00nul"} {
		name := fmt.Sprintf("%.40q", key)
		_, err := s.Put(ctx, key, strings.NewReader("x"), ports.PutOptions{})
		wantKind(t, "Put "+name, err, kernel.KindInvalid)
		rc, _, err := s.Get(ctx, key)
		if rc != nil {
			rc.Close()
		}
		wantKind(t, "Get "+name, err, kernel.KindInvalid)
		_, err = s.Stat(ctx, key)
		wantKind(t, "Stat "+name, err, kernel.KindInvalid)
		wantKind(t, "Delete "+name, s.Delete(ctx, key), kernel.KindInvalid)
		_, err = s.SignedURL(ctx, key, time.Minute)
		wantKind(t, "SignedURL "+name, err, kernel.KindInvalid)
	}
}

func blobOddKeys(t *testing.T, s ports.BlobStore) {
	keys := []string{
		"dir/sub/file name with spaces.txt",
		"acentuação/relatório ç.pdf",
		"a+b=c&d?e#f%20g.txt",
		"x.b", "x.m", "x.d", "x.tmp", ".hidden", "a..b", "trailing/",
		strings.Repeat("s", 200) + "/" + strings.Repeat("t", 200),
	}
	for i, key := range keys {
		putBytes(t, s, key, []byte(fmt.Sprint("v", i)), ports.PutOptions{ContentType: "text/plain"})
	}
	for i, key := range keys {
		got, info := getBytes(t, s, key)
		if string(got) != fmt.Sprint("v", i) || info.Key != key {
			t.Errorf("Get %q = %q (key %q), want %q", key, got, info.Key, fmt.Sprint("v", i))
		}
	}
	var listed []string
	cursor := ""
	for {
		page, err := s.List(context.Background(), "", cursor, 1000)
		noErr(t, "List", err)
		listed = append(listed, keysOf(page.Items)...)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	want := append([]string(nil), keys...)
	sort.Strings(want)
	if strings.Join(listed, "\n") != strings.Join(want, "\n") {
		t.Errorf("List all = %q\nwant %q", listed, want)
	}
}

// unknownSizeReader hides the length of its data from io.Copy and SDKs.
type unknownSizeReader struct{ r io.Reader }

func (u *unknownSizeReader) Read(p []byte) (int, error) { return u.r.Read(p) }

func blobLarge(t *testing.T, s ports.BlobStore) {
	const size = 12 << 20
	data := make([]byte, size)
	rng := rand.NewChaCha8([32]byte{1, 2, 3})
	_, _ = rng.Read(data)
	want := sha256.Sum256(data)
	info, err := s.Put(context.Background(), "large/scan.dcm", &unknownSizeReader{bytes.NewReader(data)}, ports.PutOptions{ContentType: "application/dicom", Size: -1})
	noErr(t, "Put large", err)
	if info.Size != size {
		t.Errorf("Put large size %d, want %d", info.Size, size)
	}
	rc, ginfo, err := s.Get(context.Background(), "large/scan.dcm")
	noErr(t, "Get large", err)
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	noErr(t, "read large", err)
	if n != size || ginfo.Size != size {
		t.Errorf("read %d bytes, info size %d, want %d", n, ginfo.Size, size)
	}
	if got := h.Sum(nil); !bytes.Equal(got, want[:]) {
		t.Errorf("SHA-256 of the large object differs after the round trip")
	}
}

func keysOf(items []ports.BlobInfo) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Key
	}
	return out
}

func blobList(t *testing.T, s ports.BlobStore) {
	const n = 1200
	want := make([]string, 0, n)
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	errs := make(chan error, n+10)
	for i := 0; i < n; i++ {
		// Keys that sort differently as numbers and as strings, in nested folders.
		key := fmt.Sprintf("list/%d/item-%d", i%7, i)
		mu.Lock()
		want = append(want, key)
		mu.Unlock()
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			_, err := s.Put(context.Background(), key, strings.NewReader(key), ports.PutOptions{ContentType: "text/plain"})
			if err != nil {
				errs <- err
			}
		}()
	}
	for _, other := range []string{"lis", "list", "listing/x", "other/list/y", "lisz"} {
		putBytes(t, s, other, []byte("o"), ports.PutOptions{})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Put: %v", err)
	}
	sort.Strings(want)

	for _, limit := range []int{1000, 250} {
		var got []string
		seen := map[string]bool{}
		cursor := ""
		pages := 0
		for {
			page, err := s.List(context.Background(), "list/", cursor, limit)
			noErr(t, "List", err)
			pages++
			if len(page.Items) > limit {
				t.Fatalf("page of %d items, limit %d", len(page.Items), limit)
			}
			for _, it := range page.Items {
				if seen[it.Key] {
					t.Fatalf("key %q listed twice (limit %d)", it.Key, limit)
				}
				seen[it.Key] = true
				if it.Size != int64(len(it.Key)) {
					t.Errorf("listed %q with size %d, want %d", it.Key, it.Size, len(it.Key))
				}
			}
			got = append(got, keysOf(page.Items)...)
			if page.NextCursor == "" {
				break
			}
			if page.NextCursor == cursor || pages > n {
				t.Fatalf("listing does not advance (cursor %q)", cursor)
			}
			cursor = page.NextCursor
		}
		if len(got) != n {
			t.Errorf("limit %d: listed %d keys, want %d", limit, len(got), n)
		}
		if !sort.StringsAreSorted(got) {
			t.Errorf("limit %d: keys are not in lexical order", limit)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("limit %d: listed keys differ from the keys put", limit)
		}
		if minPages := (n + limit - 1) / limit; pages < minPages {
			t.Errorf("limit %d: %d pages, want at least %d", limit, pages, minPages)
		}
	}

	page, err := s.List(context.Background(), "list/3/item-10", "", 1000)
	noErr(t, "List narrow prefix", err)
	var narrow []string
	for _, k := range want {
		if strings.HasPrefix(k, "list/3/item-10") {
			narrow = append(narrow, k)
		}
	}
	if strings.Join(keysOf(page.Items), ",") != strings.Join(narrow, ",") {
		t.Errorf("List(list/3/item-10) = %v, want %v", keysOf(page.Items), narrow)
	}
	page, err = s.List(context.Background(), "nothing/", "", 10)
	noErr(t, "List empty prefix", err)
	if len(page.Items) != 0 || page.NextCursor != "" {
		t.Errorf("List(nothing/) = %v cursor %q, want empty", keysOf(page.Items), page.NextCursor)
	}
}

func blobListSmall(t *testing.T, s ports.BlobStore) {
	ctx := context.Background()
	var want []string
	for i := 0; i < 20; i++ {
		key := fmt.Sprintf("p/%02d", i)
		want = append(want, key)
		putBytes(t, s, key, []byte{byte(i)}, ports.PutOptions{})
	}
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 20 {
			t.Fatal("listing does not end")
		}
		page, err := s.List(ctx, "p/", cursor, 7)
		noErr(t, "List", err)
		got = append(got, keysOf(page.Items)...)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("paged listing = %v, want %v", got, want)
	}
	for _, limit := range []int{0, -1, 1001} {
		_, err := s.List(ctx, "p/", "", limit)
		wantKind(t, fmt.Sprintf("List limit %d", limit), err, kernel.KindInvalid)
	}
}

func blobSignedURL(t *testing.T, s ports.BlobStore) {
	ctx := context.Background()
	data := []byte("%PDF-1.7 signed download test")
	putBytes(t, s, "signed/report v1.pdf", data, ports.PutOptions{ContentType: "application/pdf"})
	const expiry = 2 * time.Second
	issued := time.Now()
	u, err := s.SignedURL(ctx, "signed/report v1.pdf", expiry)
	noErr(t, "SignedURL", err)
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(u)
	noErr(t, "GET signed URL", err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, data) {
		t.Fatalf("GET signed URL: status %d body %q, want 200 %q", resp.StatusCode, body, data)
	}
	if time.Since(issued) > expiry {
		t.Fatalf("the first download took longer than the expiry; the machine is too slow for this test")
	}
	// Adapters may round the expiry up to a whole second: wait well past it.
	time.Sleep(time.Until(issued.Add(expiry + 1500*time.Millisecond)))
	resp, err = client.Get(u)
	noErr(t, "GET expired signed URL", err)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode < 400 || resp.StatusCode >= 500 || bytes.Equal(body, data) {
		t.Errorf("GET expired signed URL: status %d, want a 4xx without the object", resp.StatusCode)
	}
}

func blobConcurrent(t *testing.T, s ports.BlobStore) {
	const workers = 20
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			for i := 0; i < 5; i++ {
				key := fmt.Sprintf("conc/%02d/%d", w, i)
				want := bytes.Repeat([]byte{byte(w), byte(i)}, 1000+w*10+i)
				if _, err := s.Put(ctx, key, bytes.NewReader(want), ports.PutOptions{Size: int64(len(want))}); err != nil {
					errs <- fmt.Errorf("put %s: %w", key, err)
					return
				}
				rc, _, err := s.Get(ctx, key)
				if err != nil {
					errs <- fmt.Errorf("get %s: %w", key, err)
					return
				}
				got, err := io.ReadAll(rc)
				rc.Close()
				if err != nil || !bytes.Equal(got, want) {
					errs <- fmt.Errorf("get %s returned %d bytes (err %v), want %d", key, len(got), err, len(want))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	total := 0
	cursor := ""
	for {
		page, err := s.List(context.Background(), "conc/", cursor, 1000)
		noErr(t, "List", err)
		total += len(page.Items)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if total != workers*5 {
		t.Errorf("listed %d objects, want %d", total, workers*5)
	}
}

func blobConcurrentOverwrite(t *testing.T, s ports.BlobStore) {
	const workers = 20
	var wg sync.WaitGroup
	errs := make(chan error, 2*workers)
	payload := func(w int) []byte { return bytes.Repeat([]byte{byte('A' + w)}, 64<<10) }
	for w := 0; w < workers; w++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if _, err := s.Put(context.Background(), "same", bytes.NewReader(payload(w)), ports.PutOptions{Size: 64 << 10}); err != nil {
				errs <- err
			}
		}()
		go func() { // readers see a whole object or none, never a torn one
			defer wg.Done()
			rc, _, err := s.Get(context.Background(), "same")
			if err != nil {
				if kernel.KindOf(err) != kernel.KindNotFound {
					errs <- err
				}
				return
			}
			got, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				errs <- err
				return
			}
			if len(got) != 64<<10 || !bytes.Equal(got, bytes.Repeat(got[:1], 64<<10)) {
				errs <- fmt.Errorf("read a torn object of %d bytes", len(got))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got, info := getBytes(t, s, "same")
	if len(got) != 64<<10 || info.Size != 64<<10 || !bytes.Equal(got, bytes.Repeat(got[:1], 64<<10)) {
		t.Errorf("final object is torn (%d bytes)", len(got))
	}
}

// cancellingReader cancels a context after handing out some bytes, like a
// client that goes away in the middle of an upload.
type cancellingReader struct {
	cancel func()
	sent   int
}

func (c *cancellingReader) Read(p []byte) (int, error) {
	if c.sent >= 1<<20 {
		c.cancel()
		time.Sleep(10 * time.Millisecond)
	}
	if c.sent >= 16<<20 {
		return 0, io.EOF
	}
	n := min(len(p), 32<<10)
	for i := range p[:n] {
		p[i] = 'z'
	}
	c.sent += n
	return n, nil
}

func blobCancelled(t *testing.T, s ports.BlobStore) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Put(ctx, "cancelled/before", strings.NewReader("x"), ports.PutOptions{})
	if err == nil {
		t.Errorf("Put with a cancelled context succeeded")
	}
	if _, err := s.Stat(context.Background(), "cancelled/before"); kernel.KindOf(err) != kernel.KindNotFound {
		t.Errorf("Stat after a cancelled Put: %v, want not found", err)
	}
	putBytes(t, s, "cancelled/present", []byte("x"), ports.PutOptions{})
	if rc, _, err := s.Get(ctx, "cancelled/present"); err == nil {
		// Some stores open lazily; reading must then fail.
		_, rerr := io.ReadAll(rc)
		rc.Close()
		if rerr == nil {
			t.Errorf("Get with a cancelled context succeeded")
		}
	}

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	_, err = s.Put(ctx, "cancelled/midway", &cancellingReader{cancel: cancel}, ports.PutOptions{Size: -1})
	if err == nil {
		t.Errorf("Put whose context ended midway succeeded")
	}
	if _, err := s.Stat(context.Background(), "cancelled/midway"); kernel.KindOf(err) != kernel.KindNotFound {
		t.Errorf("Stat after a Put cancelled midway: %v, want not found (no partial object)", err)
	}
}
