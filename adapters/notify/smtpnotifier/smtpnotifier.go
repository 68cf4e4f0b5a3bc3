// Package smtpnotifier is the on-premises ports.Notifier for e-mail: it sends
// through an SMTP relay with net/smtp, requiring STARTTLS unless configured
// otherwise. Messages are plain-text UTF-8, quoted-printable, with the
// notification ID in the Message-ID so that duplicates can be recognised.
// SMS is not supported here (kernel.KindInvalid on the channel).
package smtpnotifier

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// TLS modes.
const (
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS, which must be offered (default)
	TLSImplicit = "implicit" // TLS from the first byte (SMTPS, port 465)
	TLSNone     = "none"     // no TLS: only for a relay on the same host or a trusted network
)

// Config configures the relay.
type Config struct {
	Host      string         // MULTISAUDE_SMTP_HOST
	Port      int            // MULTISAUDE_SMTP_PORT; default 587 (465 with implicit TLS)
	Username  string         // MULTISAUDE_SMTP_USERNAME; empty means no AUTH
	Password  string         // MULTISAUDE_SMTP_PASSWORD
	From      string         // MULTISAUDE_SMTP_FROM, e.g. "MultiSaúde <nao-responda@multisaude.com.br>"
	TLS       string         // MULTISAUDE_SMTP_TLS: starttls (default), implicit or none
	Timeout   time.Duration  // MULTISAUDE_SMTP_TIMEOUT; default 15s for the whole exchange
	HelloName string         // MULTISAUDE_SMTP_HELO; default "localhost"
	RootCAs   *x509.CertPool // trusted roots; default the system's
	Logger    *slog.Logger   // default slog.Default()
}

// Notifier implements ports.Notifier over SMTP.
type Notifier struct {
	cfg    Config
	from   *mail.Address
	domain string
}

var _ ports.Notifier = (*Notifier)(nil)

// New checks the configuration. It does not connect.
func New(cfg Config) (*Notifier, error) {
	if cfg.Host == "" {
		return nil, errors.New("smtpnotifier: MULTISAUDE_SMTP_HOST is required")
	}
	switch cfg.TLS {
	case "":
		cfg.TLS = TLSStartTLS
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		return nil, fmt.Errorf("smtpnotifier: MULTISAUDE_SMTP_TLS is %q, want starttls, implicit or none", cfg.TLS)
	}
	if cfg.Port == 0 {
		cfg.Port = 587
		if cfg.TLS == TLSImplicit {
			cfg.Port = 465
		}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	if cfg.HelloName == "" {
		cfg.HelloName = "localhost"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("smtpnotifier: MULTISAUDE_SMTP_FROM: %w", err)
	}
	_, domain, _ := strings.Cut(from.Address, "@")
	return &Notifier{cfg: cfg, from: from, domain: domain}, nil
}

// Validate checks an e-mail notification; bad fields are kernel.KindInvalid naming them.
func Validate(n ports.Notification) error {
	var p kernel.Problems
	if n.Channel != "email" {
		p.Add("channel", "must be email for this notifier")
	}
	if p.Require("to", n.To) {
		a, err := mail.ParseAddress(n.To)
		if err != nil || a.Name != "" || a.Address != n.To || strings.ContainsAny(n.To, "\r\n<>") {
			p.Add("to", "is not a bare e-mail address")
		}
	}
	if strings.ContainsAny(n.Subject, "\r\n") {
		p.Add("subject", "must be one line")
	}
	if strings.TrimSpace(n.Body) == "" {
		p.Add("body", "is required")
	}
	return p.Err()
}

// Notify sends one e-mail.
func (s *Notifier) Notify(ctx context.Context, n ports.Notification) error {
	if err := Validate(n); err != nil {
		return err
	}
	msg := s.message(n)
	deadline := time.Now().Add(s.cfg.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	err := s.send(ctx, deadline, n.To, msg)
	if err != nil {
		// Relay replies may quote the recipient: log the reply code, never its text.
		code := 0
		var te *textproto.Error
		if errors.As(err, &te) {
			code = te.Code
		}
		s.cfg.Logger.WarnContext(ctx, "smtp send failed", "notification_id", n.ID, "template", n.Template,
			"kind", string(kernel.KindOf(err)), "smtp_code", code)
	}
	return err
}

func (s *Notifier) send(ctx context.Context, deadline time.Time, to string, msg []byte) error {
	addr := net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port))
	dialer := &net.Dialer{Deadline: deadline}
	tlsCfg := &tls.Config{ServerName: s.cfg.Host, RootCAs: s.cfg.RootCAs, MinVersion: tls.VersionTLS12}
	var conn net.Conn
	var err error
	if s.cfg.TLS == TLSImplicit {
		conn, err = (&tls.Dialer{NetDialer: dialer, Config: tlsCfg}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = dialer.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return kernel.Unavailable(err, "the mail relay cannot be reached")
	}
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		conn.Close()
		return translate(err, "greeting")
	}
	defer c.Close()
	if err := c.Hello(s.cfg.HelloName); err != nil {
		return translate(err, "EHLO")
	}
	if s.cfg.TLS == TLSStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return kernel.Unavailable(errors.New("the relay does not offer STARTTLS"), "the mail relay does not offer TLS")
		}
		if err := c.StartTLS(tlsCfg); err != nil {
			return kernel.Unavailable(err, "TLS with the mail relay failed")
		}
	}
	if s.cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.cfg.Host)); err != nil {
			return kernel.Unavailable(err, "the mail relay refused our credentials")
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return translate(err, "MAIL FROM")
	}
	if err := c.Rcpt(to); err != nil {
		var te *textproto.Error
		if errors.As(err, &te) && te.Code >= 500 {
			return kernel.Invalid("to", "the mail relay refused this address")
		}
		return translate(err, "RCPT TO")
	}
	w, err := c.Data()
	if err != nil {
		return translate(err, "DATA")
	}
	if _, err := w.Write(msg); err != nil {
		return translate(err, "DATA")
	}
	if err := w.Close(); err != nil {
		return translate(err, "end of DATA")
	}
	_ = c.Quit()
	return nil
}

// message builds the RFC 5322 message with CRLF line endings.
func (s *Notifier) message(n ports.Notification) []byte {
	var b bytes.Buffer
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", s.from.String())
	h("To", n.To)
	h("Subject", mime.QEncoding.Encode("utf-8", n.Subject))
	h("Date", time.Now().UTC().Format(time.RFC1123Z))
	id := n.ID
	if id == "" {
		id = kernel.NewID()
	}
	h("Message-ID", "<"+id+"@"+s.domain+">")
	if n.Template != "" && !strings.ContainsAny(n.Template, "\r\n") {
		h("X-Multisaude-Template", n.Template)
	}
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=UTF-8")
	h("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	body := strings.ReplaceAll(strings.ReplaceAll(n.Body, "\r\n", "\n"), "\n", "\r\n")
	_, _ = qp.Write([]byte(body))
	_ = qp.Close()
	b.WriteString("\r\n")
	return b.Bytes()
}

// translate maps an SMTP exchange failure: 4xx replies and broken connections
// are unavailable (try again later), 5xx replies a permanent refusal.
//
// A reply's text may quote the recipient ("550 5.1.1 <maria@...>: user
// unknown") and the error is logged by whoever retries the message (a queue
// consumer logs its handler's error): only the reply's code is kept.
func translate(err error, step string) error {
	var te *textproto.Error
	if errors.As(err, &te) {
		cause := fmt.Errorf("smtp %s: %w", step, &textproto.Error{Code: te.Code, Msg: "(reply text withheld: it may quote the recipient)"})
		if te.Code >= 500 {
			return kernel.Internal(cause, "the mail relay refused the message")
		}
		return kernel.Unavailable(cause, "the mail relay is unavailable")
	}
	return kernel.Unavailable(fmt.Errorf("smtp %s: %w", step, err), "the mail relay is unavailable")
}
