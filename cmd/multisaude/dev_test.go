//go:build !lambda

package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestDevS3(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	var stderr bytes.Buffer
	go func() { code <- run(ctx, []string{"dev", "s3", "--addr", addr}, io.Discard, &stderr) }()

	url := "http://" + addr + "/bucket-one/notes.txt"
	var res *http.Response
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		req, _ := http.NewRequest(http.MethodPut, url, strings.NewReader("olá"))
		if res, err = http.DefaultClient.Do(req); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("dev s3 did not start: %v", err)
		}
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("PUT: %d", res.StatusCode)
	}
	res, err = http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || string(b) != "olá" {
		t.Fatalf("GET: %d %q", res.StatusCode, b)
	}
	cancel()
	select {
	case c := <-code:
		if c != 0 {
			t.Fatalf("exit code %d: %s", c, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("dev s3 did not stop")
	}
	if got := run(context.Background(), []string{"dev", "redis"}, io.Discard, io.Discard); got == 0 {
		t.Fatal("an unknown dev server was accepted")
	}
}
