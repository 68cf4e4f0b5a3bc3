//go:build !lambda

package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/adapters/http/httpapi/localpayapi"
	"github.com/multisaude/multisaude/adapters/payments/localpay"
	"github.com/multisaude/multisaude/ports"
)

func TestDevPay(t *testing.T) {
	sim, err := localpay.New(localpay.Settings{WebhookSecret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	srv := httpapi.New(httpapi.Config{}, slog.New(slog.DiscardHandler), nil, nil, localpayapi.New(sim))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = srv.Serve(ctx, ln); close(done) }()
	defer func() { cancel(); <-done }()
	base := "http://" + ln.Addr().String()

	c, _ := sim.CreateCharge(ctx, ports.ChargeRequest{Amount: 123456, Method: ports.PayPix})
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"dev", "pay", c.ID, "--url", base}, &out, &errb); code != 0 {
		t.Fatalf("dev pay: exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "Pagamento confirmado") || !strings.Contains(out.String(), "R$ 1.234,56") {
		t.Errorf("output = %q", out.String())
	}
	if got, _ := sim.Charge(ctx, c.ID); got.Status != ports.ChargeSucceeded {
		t.Errorf("status = %s", got.Status)
	}
	errb.Reset()
	if code := run(ctx, []string{"dev", "pay", "--url", base, c.ID}, io.Discard, &errb); code != 1 || !strings.Contains(errb.String(), "não está aguardando pagamento") {
		t.Errorf("paying twice: exit %d, %q", code, errb.String())
	}

	d, _ := sim.CreateCharge(ctx, ports.ChargeRequest{Amount: 500, Method: ports.PayPix})
	out.Reset()
	if code := run(ctx, []string{"dev", "pay", "--fail", "--reason", "insufficient_funds", "--url", base, d.ID}, &out, io.Discard); code != 0 {
		t.Fatalf("dev pay --fail: exit %d", code)
	}
	if !strings.Contains(out.String(), "Pagamento recusado") || !strings.Contains(out.String(), "insufficient_funds") {
		t.Errorf("output = %q", out.String())
	}
	errb.Reset()
	if code := run(ctx, []string{"dev", "pay"}, io.Discard, &errb); code == 0 || !strings.Contains(errb.String(), "identificador da cobrança") {
		t.Errorf("no charge ID: exit %d %q", code, errb.String())
	}
	errb.Reset()
	sctx, scancel := context.WithTimeout(ctx, 5*time.Second)
	defer scancel()
	if code := run(sctx, []string{"dev", "pay", "ch_x", "--url", "http://127.0.0.1:1"}, io.Discard, &errb); code == 0 || !strings.Contains(errb.String(), "não respondeu") {
		t.Errorf("server down: exit %d %q", code, errb.String())
	}
}
