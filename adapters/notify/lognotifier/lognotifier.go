// Package lognotifier is the local profile's ports.Notifier: it logs one line
// per notification (ID, template and channel; never the address or the body,
// which are personal data) and, when given a mail drop folder, writes each
// message there as an .eml file a developer can open to follow a link such as
// a password reset.
package lognotifier

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

var _ ports.Notifier = (*Notifier)(nil)

// Config configures the notifier.
type Config struct {
	MailDir string // folder for .eml files; empty: log only
	From    string // From header of dropped mail; default "multisaude <no-reply@multisaude.local>"
}

// Notifier logs notifications and optionally drops them as .eml files.
type Notifier struct {
	log *slog.Logger
	cfg Config
}

// New builds a notifier, creating the mail drop folder if one is set.
func New(log *slog.Logger, cfg Config) (*Notifier, error) {
	if cfg.From == "" {
		cfg.From = "multisaude <no-reply@multisaude.local>"
	}
	if cfg.MailDir != "" {
		if err := os.MkdirAll(cfg.MailDir, 0o750); err != nil {
			return nil, fmt.Errorf("create the mail drop folder %s: %w", cfg.MailDir, err)
		}
	}
	return &Notifier{log: log, cfg: cfg}, nil
}

// Notify validates n, logs it without personal data and drops it in the mail folder.
func (n *Notifier) Notify(ctx context.Context, msg ports.Notification) error {
	if err := ports.CheckNotification(msg); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return kernel.Unavailable(err, "the request was cancelled")
	}
	if msg.ID == "" {
		msg.ID = kernel.NewID()
	}
	attrs := []any{"notification_id", msg.ID, "template", msg.Template, "channel", msg.Channel}
	if n.cfg.MailDir != "" {
		name, err := n.drop(msg)
		if err != nil {
			return kernel.Unavailable(err, "cannot write to the mail drop folder")
		}
		attrs = append(attrs, "file", name)
	}
	n.log.InfoContext(ctx, "notification sent", attrs...)
	return nil
}

// drop writes msg as an .eml file atomically and returns its base name.
func (n *Notifier) drop(msg ports.Notification) (string, error) {
	now := time.Now().UTC()
	name := fmt.Sprintf("%s-%s.eml", now.Format("20060102T150405.000000000Z"), safeName(msg.ID))
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", n.cfg.From)
	header("To", msg.To)
	header("Subject", mime.QEncoding.Encode("utf-8", oneLine(msg.Subject)))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", "<"+safeName(msg.ID)+"@multisaude.local>")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	header("X-Multisaude-Notification-ID", oneLine(msg.ID))
	header("X-Multisaude-Channel", msg.Channel)
	header("X-Multisaude-Template", mime.QEncoding.Encode("utf-8", oneLine(msg.Template)))
	keys := make([]string, 0, len(msg.Data))
	for k := range msg.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		header("X-Multisaude-Data", mime.QEncoding.Encode("utf-8", oneLine(k+"="+msg.Data[k])))
	}
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(msg.Body, "\r\n", "\n"), "\n", "\r\n"))); err != nil {
		return "", err
	}
	if err := qp.Close(); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(n.cfg.MailDir, ".tmp-*")
	if err != nil {
		return "", err
	}
	if _, err := tmp.Write(b.Bytes()); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(n.cfg.MailDir, name)); err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return name, nil
}

func oneLine(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}
