//go:build !lambda

package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// devPay is `multisaude dev pay <charge-id> [--fail] [--reason r] [--url base]`:
// it acts as the payer of a charge of the local payment simulator through the
// local server's development route, which then sends the signed webhook.
func devPay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dev pay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fail := fs.Bool("fail", false, "make the payment fail instead of paying")
	reason := fs.String("reason", "", "failure reason with --fail (default simulated_failure)")
	base := fs.String("url", "http://127.0.0.1:8080", "base URL of the local server")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: multisaude dev pay <charge-id> [--fail] [--reason motivo] [--url http://127.0.0.1:8080]")
		fs.PrintDefaults()
	}
	// The charge ID may come before or after the flags.
	if err := fs.Parse(args); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fs.Usage()
		return errors.New("informe o identificador da cobrança")
	}
	id := rest[0]
	if err := fs.Parse(rest[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("argumentos a mais: %s", strings.Join(fs.Args(), " "))
	}
	action := "pay"
	if *fail {
		action = "fail"
	}
	u := strings.TrimRight(*base, "/") + "/dev/localpay/charges/" + url.PathEscape(id) + "/" + action
	if *fail && *reason != "" {
		u += "?reason=" + url.QueryEscape(*reason)
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return fmt.Errorf("endereço inválido: %w", err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("o servidor local não respondeu em %s (ele está rodando com o perfil local?): %w", *base, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if res.StatusCode != http.StatusOK {
		var p struct {
			Title  string `json:"title"`
			Detail string `json:"detail"`
		}
		if json.Unmarshal(body, &p) == nil && (p.Detail != "" || p.Title != "") {
			msg := p.Detail
			if msg == "" {
				msg = p.Title
			}
			return fmt.Errorf("a cobrança %s não foi %s: %s (HTTP %d)", id, map[bool]string{false: "paga", true: "recusada"}[*fail], msg, res.StatusCode)
		}
		if res.StatusCode == http.StatusNotFound {
			return fmt.Errorf("rota não encontrada em %s: o servidor está rodando com o perfil local e o simulador localpay? (HTTP 404)", *base)
		}
		return fmt.Errorf("o servidor respondeu HTTP %d: %s", res.StatusCode, strings.TrimSpace(string(body)))
	}
	var c struct {
		ID            string `json:"id"`
		Reference     string `json:"reference"`
		Status        string `json:"status"`
		Amount        int64  `json:"amount"`
		FailureReason string `json:"failure_reason"`
	}
	if err := json.Unmarshal(body, &c); err != nil {
		return fmt.Errorf("resposta inesperada do servidor: %w", err)
	}
	valor := fmt.Sprintf("R$ %s,%02d", thousands(c.Amount/100), c.Amount%100)
	if *fail {
		fmt.Fprintf(stdout, "Pagamento recusado: cobrança %s de %s (motivo: %s). O aviso foi enviado ao webhook.\n", c.ID, valor, c.FailureReason)
	} else {
		fmt.Fprintf(stdout, "Pagamento confirmado: cobrança %s de %s está paga. O aviso foi enviado ao webhook.\n", c.ID, valor)
	}
	return nil
}

// thousands writes n with dots between thousands: 1234567 -> 1.234.567.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	return b.String()
}
