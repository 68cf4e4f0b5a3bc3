// Package devs3 runs an S3-compatible server (gofakes3, in memory) for
// development: `multisaude dev s3` serves it so that the on-premises profile's
// minioblob (or s3blob with a custom endpoint) has a bucket to talk to. Tests of
// the S3 adapters use the same handler. Two gaps of gofakes3 are closed so that
// it behaves as S3 does where our adapters care: a PUT replaces the object's
// metadata instead of merging it, and a presigned URL stops working once its
// X-Amz-Expires has passed (signatures themselves are not verified; nor is any
// other authentication: this is not a server for real data).
package devs3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// NewHandler returns an in-memory S3 server as an http.Handler. Buckets are
// created on first use when autoBucket is true.
func NewHandler(autoBucket bool) http.Handler {
	backend := &replacingBackend{Backend: s3mem.New()}
	fake := gofakes3.New(backend, gofakes3.WithAutoBucket(autoBucket), gofakes3.WithoutVersioning())
	return expiringURLs(fake.Server())
}

// Serve listens on addr (e.g. "127.0.0.1:9000") until ctx ends. Buckets are
// created on first use. Objects live in memory: gofakes3's file backends need
// modules this build does not carry, so dir is accepted for the command's sake
// and only logged; restarting the server empties it.
func Serve(ctx context.Context, addr, dir string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("devs3: listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: NewHandler(true), ReadHeaderTimeout: 10 * time.Second}
	slog.InfoContext(ctx, "dev S3 server listening", "addr", ln.Addr().String(), "storage", "memory", "dir_ignored", dir)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("devs3: %w", err)
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			return fmt.Errorf("devs3: shutdown: %w", err)
		}
		if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("devs3: %w", err)
		}
		return nil
	}
}

// replacingBackend makes PutObject replace the object whole: s3mem merges the
// new metadata into the old object's, which S3 never does. The delete and the
// put happen under a lock that readers take too, so nobody sees the gap.
type replacingBackend struct {
	gofakes3.Backend
	mu sync.RWMutex
}

func (b *replacingBackend) GetObject(bucket, key string, rng *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.Backend.GetObject(bucket, key, rng)
}

func (b *replacingBackend) HeadObject(bucket, key string) (*gofakes3.Object, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.Backend.HeadObject(bucket, key)
}

func (b *replacingBackend) ListBucket(name string, prefix *gofakes3.Prefix, page gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.Backend.ListBucket(name, prefix, page)
}

func (b *replacingBackend) PutObject(bucket, key string, meta map[string]string, input io.Reader, size int64, cond *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	data, err := gofakes3.ReadAll(input, size)
	if err != nil {
		return gofakes3.PutObjectResult{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if cond == nil {
		// Conditional PUTs keep the object for their checks; others start afresh.
		if _, err := b.Backend.HeadObject(bucket, key); err == nil {
			if _, err := b.Backend.DeleteObject(bucket, key); err != nil {
				return gofakes3.PutObjectResult{}, err
			}
		}
	}
	return b.Backend.PutObject(bucket, key, meta, bytes.NewReader(data), int64(len(data)), cond)
}

// expiringURLs refuses a presigned request whose X-Amz-Date plus X-Amz-Expires
// has passed, with S3's 403 AccessDenied answer.
func expiringURLs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("X-Amz-Signature") != "" {
			signed, err1 := time.Parse("20060102T150405Z", q.Get("X-Amz-Date"))
			secs, err2 := strconv.Atoi(q.Get("X-Amz-Expires"))
			if err1 != nil || err2 != nil || secs < 1 || secs > 604800 {
				denied(w, "AuthorizationQueryParametersError", "X-Amz-Date and X-Amz-Expires must be valid")
				return
			}
			if time.Now().After(signed.Add(time.Duration(secs) * time.Second)) {
				denied(w, "AccessDenied", "Request has expired")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func denied(w http.ResponseWriter, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusForbidden)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n<Error><Code>%s</Code><Message>%s</Message></Error>", code, msg)
}
