package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/test/e2e/harness"
)

// TestServeHonoursItsVariables runs `multisaude serve` with the variables the
// binary itself reads (the configuration walk in wire names this test for
// them): it listens on MULTISAUDE_HTTP_ADDR, bootstraps the admin of
// MULTISAUDE_ADMIN_EMAIL / MULTISAUDE_ADMIN_PASSWORD, and runs the worker (the
// outbox relay) only when MULTISAUDE_RUN_WORKER is true.
func TestServeHonoursItsVariables(t *testing.T) {
	for _, runWorker := range []string{"true", "false"} {
		t.Run("run_worker="+runWorker, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := ln.Addr().String()
			ln.Close()
			dir := t.TempDir()
			t.Setenv("MULTISAUDE_PROFILE", "local")
			t.Setenv("MULTISAUDE_DATA_DIR", dir)
			t.Setenv("MULTISAUDE_LOG_LEVEL", "error")
			t.Setenv("MULTISAUDE_HTTP_ADDR", addr)
			t.Setenv("MULTISAUDE_PUBLIC_URL", "http://"+addr)
			t.Setenv("MULTISAUDE_RUN_WORKER", runWorker)
			t.Setenv("MULTISAUDE_ADMIN_EMAIL", "root@multisaude.test")
			t.Setenv("MULTISAUDE_ADMIN_PASSWORD", "Root-Password-2026!")
			t.Setenv("MULTISAUDE_AUTH_ARGON2_MEMORY_KIB", "64")
			t.Setenv("MULTISAUDE_AUTH_ARGON2_TIME", "1")
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan int, 1)
			var stderr bytes.Buffer
			go func() { done <- run(ctx, []string{"serve"}, io.Discard, &stderr) }()
			defer func() {
				cancel()
				select {
				case <-done:
				case <-time.After(20 * time.Second):
					t.Error("serve did not stop")
				}
			}()

			base := "http://" + addr
			for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				res, err := http.Get(base + "/healthz")
				if err == nil {
					res.Body.Close()
					if res.StatusCode == http.StatusOK {
						break
					}
				}
				if time.Now().After(deadline) {
					t.Fatalf("serve is not answering on MULTISAUDE_HTTP_ADDR %s: %v\n%s", addr, err, stderr.String())
				}
			}
			post := func(path string, body any) int {
				b, _ := json.Marshal(body)
				res, err := http.Post(base+path, "application/json", bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				return res.StatusCode
			}
			if code := post("/v1/auth/token", map[string]any{"grant_type": "password", "email": "root@multisaude.test",
				"password": "Root-Password-2026!", "account_kind": "admin"}); code != http.StatusOK {
				t.Fatalf("the bootstrapped admin signs in: %d", code)
			}

			// a sign-up raises an event; only a running worker relays it from the outbox
			if code := post("/v1/patients", harness.PatientBody()); code != http.StatusCreated {
				t.Fatalf("sign-up: %d", code)
			}
			db, err := sqlstore.Open(context.Background(), "sqlite:"+filepath.Join(dir, "multisaude.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			pending := func() int {
				n, err := db.NewSelect().TableExpr("outbox").Where("published_at IS NULL").Count(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				return int(n)
			}
			deadline := time.Now().Add(3 * time.Second)
			for pending() > 0 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			switch n := pending(); {
			case runWorker == "true" && n != 0:
				t.Errorf("with the worker, %d events still unpublished after 3 s", n)
			case runWorker == "false" && n == 0:
				t.Error("without the worker, the outbox was relayed anyway")
			}
		})
	}
}
