package lognotifier_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/multisaude/multisaude/adapters/notify/lognotifier"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
)

func TestConformance(t *testing.T) {
	conformance.RunNotifier(t, func(t *testing.T) (ports.Notifier, func(*testing.T) []ports.Notification) {
		dir := t.TempDir()
		n, err := lognotifier.New(slog.New(slog.DiscardHandler), lognotifier.Config{MailDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		return n, func(t *testing.T) []ports.Notification {
			got, err := lognotifier.ReadMailDrop(dir)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
	})
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestLogsNoPersonalData(t *testing.T) {
	var buf syncBuffer
	dir := t.TempDir()
	n, err := lognotifier.New(slog.New(slog.NewJSONHandler(&buf, nil)), lognotifier.Config{MailDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	msg := ports.Notification{ID: "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", To: "maria.silva@example.com", Channel: "email",
		Template: "password_reset", Subject: "Sua senha, Maria", Body: "Maria, seu CPF 123.456.789-09; link https://x/reset?token=s3cr3t",
		Data: map[string]string{"link": "https://x/reset?token=s3cr3t"}}
	if err := n.Notify(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	line := buf.String()
	if strings.Count(line, "\n") != 1 {
		t.Errorf("want one log line, got %q", line)
	}
	for _, want := range []string{msg.ID, "password_reset", `"channel":"email"`} {
		if !strings.Contains(line, want) {
			t.Errorf("log line %q lacks %q", line, want)
		}
	}
	for _, pii := range []string{"maria", "Maria", "example.com", "123.456", "s3cr3t", "senha"} {
		if strings.Contains(line, pii) {
			t.Errorf("log line %q leaks %q", line, pii)
		}
	}
	got, err := lognotifier.ReadMailDrop(dir)
	if err != nil || len(got) != 1 {
		t.Fatalf("mail drop: %v, %d messages", err, len(got))
	}
	g := got[0]
	if g.ID != msg.ID || g.Template != msg.Template || g.Channel != "email" || g.Data["link"] != msg.Data["link"] || g.Body != msg.Body {
		t.Errorf("dropped %+v\nwant %+v", g, msg)
	}
}

func TestSubjectCannotInjectHeaders(t *testing.T) {
	dir := t.TempDir()
	n, _ := lognotifier.New(slog.New(slog.DiscardHandler), lognotifier.Config{MailDir: dir})
	err := n.Notify(context.Background(), ports.Notification{ID: "x", To: "a@example.com", Channel: "email",
		Subject: "hi\r\nBcc: victim@example.com", Body: "b"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := lognotifier.ReadMailDrop(dir)
	if len(got) != 1 || strings.Contains(got[0].To, "victim") || strings.ContainsAny(got[0].Subject, "\r\n") {
		t.Errorf("header injection: %+v", got)
	}
}

func TestLogOnly(t *testing.T) {
	var buf syncBuffer
	n, err := lognotifier.New(slog.New(slog.NewJSONHandler(&buf, nil)), lognotifier.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Notify(context.Background(), ports.Notification{ID: "1", To: "+5511987654321", Channel: "sms", Template: "reminder", Body: "b"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"template":"reminder"`) || strings.Contains(buf.String(), "5511") {
		t.Errorf("log %q", buf.String())
	}
}

// The mail drop's .eml files carry Portuguese subjects as RFC 2047 encoded words.
func TestMailDropEncodesPortugueseSubjects(t *testing.T) {
	for _, subject := range conformance.PortugueseSubjects {
		d := t.TempDir()
		n, err := lognotifier.New(slog.New(slog.DiscardHandler), lognotifier.Config{MailDir: d})
		if err != nil {
			t.Fatal(err)
		}
		if err := n.Notify(context.Background(), ports.Notification{ID: kernel.NewID(), To: "maria@example.com", Channel: "email",
			Template: "password_reset", Subject: subject, Body: "corpo"}); err != nil {
			t.Fatal(err)
		}
		files, _ := filepath.Glob(filepath.Join(d, "*.eml"))
		if len(files) != 1 {
			t.Fatalf("%d files", len(files))
		}
		raw, err := os.ReadFile(files[0])
		if err != nil {
			t.Fatal(err)
		}
		conformance.CheckSubjectHeader(t, raw, subject)
	}
}
