package blobapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/blob/fileblob"
	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/adapters/http/httpapi/blobapi"
	"github.com/multisaude/multisaude/ports"
)

func TestDownloadThroughTheServer(t *testing.T) {
	store, err := fileblob.New(fileblob.Config{Root: t.TempDir(), BaseURL: "http://api.example", Secret: []byte("k0123456789abcdef0123456789abcdef")})
	if err != nil {
		t.Fatal(err)
	}
	srv := httpapi.New(httpapi.Config{}, slog.New(slog.DiscardHandler), nil, nil, blobapi.New(store))
	if !slices.ContainsFunc(srv.Spec().Routes(), func(r string) bool { return strings.Contains(r, "/v1/blobs/signed/{key}") }) {
		t.Errorf("the route is not in the OpenAPI document: %v", srv.Spec().Routes())
	}
	ctx := context.Background()
	if _, err := store.Put(ctx, "exams/e1/result.pdf", strings.NewReader("%PDF result"), ports.PutOptions{ContentType: "application/pdf"}); err != nil {
		t.Fatal(err)
	}
	signed, err := store.SignedURL(ctx, "exams/e1/result.pdf", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(signed)
	resp, err := srv.App().Test(httptest.NewRequest("GET", u.RequestURI(), nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != "%PDF result" || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("GET = %d %q %s", resp.StatusCode, body, resp.Header.Get("Content-Type"))
	}
	// Expired: a 403 problem naming the reason.
	q := u.Query()
	q.Set("exp", "1700000000")
	u.RawQuery = q.Encode()
	resp, err = srv.App().Test(httptest.NewRequest("GET", u.RequestURI(), nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	var p httpapi.Problem
	_ = json.NewDecoder(resp.Body).Decode(&p)
	if resp.StatusCode != 403 || p.Status != 403 || p.Detail == "" {
		t.Errorf("tampered expiry: %d %+v, want a 403 problem", resp.StatusCode, p)
	}
}
