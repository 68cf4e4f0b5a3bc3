package devs3_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/blob/devs3"
	"github.com/multisaude/multisaude/adapters/blob/minioblob"
	"github.com/multisaude/multisaude/ports"
)

func TestServeWithMinioClient(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- devs3.Serve(ctx, addr, t.TempDir()) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("server did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	b, _, err := minioblob.New(ctx, minioblob.Config{Endpoint: "http://" + addr, Bucket: "multisaude-dev", AccessKey: "dev", SecretKey: "devdevdev", CreateBucket: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Put(ctx, "a.txt", strings.NewReader("hi"), ports.PutOptions{Metadata: map[string]string{"x": "1"}}); err != nil {
		t.Fatal(err)
	}
	// A PUT replaces metadata (s3mem alone would merge it).
	if _, err := b.Put(ctx, "a.txt", strings.NewReader("hi2"), ports.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	info, err := b.Stat(ctx, "a.txt")
	if err != nil || len(info.Metadata) != 0 || info.Size != 3 {
		t.Fatalf("stat %+v %v", info, err)
	}
	u, err := b.SignedURL(ctx, "a.txt", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "hi2" {
		t.Fatalf("signed GET %d %q", resp.StatusCode, body)
	}
	time.Sleep(2100 * time.Millisecond)
	resp, err = http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("expired signed GET: %d, want 403", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return")
	}
}
