package smtpnotifier_test

import (
	"context"
	"strings"
	"testing"

	"github.com/multisaude/multisaude/adapters/notify/smtpnotifier"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
	"github.com/multisaude/multisaude/test/fakes/smtpfake"
)

func notifier(t *testing.T, srv *smtpfake.Server, mutate func(*smtpnotifier.Config)) *smtpnotifier.Notifier {
	cfg := smtpnotifier.Config{Host: srv.Host(), Port: srv.Port(), From: "MultiSaúde <nao-responda@multisaude.com.br>", RootCAs: srv.CertPool()}
	if mutate != nil {
		mutate(&cfg)
	}
	n, err := smtpnotifier.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// delivered decodes what the fake server accepted.
func delivered(srv *smtpfake.Server) func(t *testing.T) []ports.Notification {
	return func(t *testing.T) []ports.Notification {
		var out []ports.Notification
		for _, m := range srv.Messages() {
			d, err := m.Decode()
			if err != nil {
				t.Fatalf("undecodable message: %v\n%s", err, m.Data)
			}
			for _, to := range m.To {
				out = append(out, ports.Notification{To: to, Channel: "email", Subject: d.Subject, Body: d.Body})
			}
		}
		return out
	}
}

func TestConformanceStartTLS(t *testing.T) {
	conformance.RunNotifier(t, func(t *testing.T) (ports.Notifier, func(t *testing.T) []ports.Notification) {
		srv := smtpfake.New(t, smtpfake.Options{RequireTLS: true, Users: map[string]string{"app": "pw"}})
		return notifier(t, srv, func(c *smtpnotifier.Config) { c.Username, c.Password = "app", "pw" }), delivered(srv)
	})
}

func TestConformanceNoTLS(t *testing.T) {
	conformance.RunNotifier(t, func(t *testing.T) (ports.Notifier, func(t *testing.T) []ports.Notification) {
		srv := smtpfake.New(t, smtpfake.Options{NoTLS: true})
		return notifier(t, srv, func(c *smtpnotifier.Config) { c.TLS = smtpnotifier.TLSNone }), delivered(srv)
	})
}

func TestMessageOverTLS(t *testing.T) {
	srv := smtpfake.New(t, smtpfake.Options{RequireTLS: true, Users: map[string]string{"app": "pw"}})
	n := notifier(t, srv, func(c *smtpnotifier.Config) { c.Username, c.Password = "app", "pw" })
	id := kernel.NewID()
	err := n.Notify(context.Background(), ports.Notification{ID: id, To: "maria@example.com", Channel: "email",
		Template: "password_reset", Subject: "Sua consulta", Body: ".começa com ponto\nlinha longa " + strings.Repeat("á", 100)})
	if err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || !msgs[0].TLS || msgs[0].AuthUser != "app" || msgs[0].From != "nao-responda@multisaude.com.br" {
		t.Fatalf("messages %+v", msgs)
	}
	d, err := msgs[0].Decode()
	if err != nil {
		t.Fatal(err)
	}
	if d.Header.Get("Message-ID") != "<"+id+"@multisaude.com.br>" || d.Header.Get("X-Multisaude-Template") != "password_reset" {
		t.Errorf("headers %v", d.Header)
	}
	if !strings.HasPrefix(d.Body, ".começa com ponto\r\nlinha longa á") {
		t.Errorf("body %q", d.Body)
	}
	for _, line := range strings.Split(string(msgs[0].Data), "\r\n") {
		if len(line) > 78 {
			t.Errorf("line longer than 78 octets: %q", line)
		}
	}
}

func TestStartTLSRequired(t *testing.T) {
	srv := smtpfake.New(t, smtpfake.Options{NoTLS: true})
	n := notifier(t, srv, nil)
	err := n.Notify(context.Background(), ports.Notification{ID: "1", To: "a@example.com", Channel: "email", Subject: "s", Body: "b"})
	if kernel.KindOf(err) != kernel.KindUnavailable {
		t.Fatalf("relay without STARTTLS: %v, want unavailable", err)
	}
	if len(srv.Messages()) != 0 {
		t.Fatal("a message went out in clear text")
	}
	// An untrusted certificate fails too.
	srv2 := smtpfake.New(t, smtpfake.Options{})
	n2 := notifier(t, srv2, func(c *smtpnotifier.Config) { c.RootCAs = nil })
	if err := n2.Notify(context.Background(), ports.Notification{ID: "2", To: "a@example.com", Channel: "email", Subject: "s", Body: "b"}); kernel.KindOf(err) != kernel.KindUnavailable {
		t.Fatalf("untrusted certificate: %v", err)
	}
}

func TestErrors(t *testing.T) {
	srv := smtpfake.New(t, smtpfake.Options{Reject: func(a string) bool { return strings.HasPrefix(a, "gone@") }, Users: map[string]string{"app": "pw"}})
	ok := notifier(t, srv, func(c *smtpnotifier.Config) { c.Username, c.Password = "app", "pw" })
	err := ok.Notify(context.Background(), ports.Notification{ID: "1", To: "gone@example.com", Channel: "email", Subject: "s", Body: "b"})
	if kernel.KindOf(err) != kernel.KindInvalid {
		t.Errorf("rejected recipient: %v, want invalid", err)
	}
	badAuth := notifier(t, srv, func(c *smtpnotifier.Config) { c.Username, c.Password = "app", "wrong" })
	if err := badAuth.Notify(context.Background(), ports.Notification{ID: "1", To: "a@example.com", Channel: "email", Subject: "s", Body: "b"}); kernel.KindOf(err) != kernel.KindUnavailable {
		t.Errorf("bad credentials: %v", err)
	}
	port := srv.Port()
	srv.Close()
	down, _ := smtpnotifier.New(smtpnotifier.Config{Host: "127.0.0.1", Port: port, From: "a@b.com"})
	if err := down.Notify(context.Background(), ports.Notification{ID: "1", To: "a@example.com", Channel: "email", Subject: "s", Body: "b"}); kernel.KindOf(err) != kernel.KindUnavailable {
		t.Errorf("relay down: %v", err)
	}
	for _, c := range []smtpnotifier.Config{{}, {Host: "h", From: "not an address"}, {Host: "h", From: "a@b.com", TLS: "ssl"}} {
		if _, err := smtpnotifier.New(c); err == nil {
			t.Errorf("New(%+v) accepted", c)
		}
	}
}

// Portuguese subjects travel as RFC 2047 encoded words the mail client decodes back.
func TestPortugueseSubjectsAreEncoded(t *testing.T) {
	srv := smtpfake.New(t, smtpfake.Options{NoTLS: true})
	n := notifier(t, srv, func(c *smtpnotifier.Config) { c.TLS = smtpnotifier.TLSNone })
	for i, subject := range conformance.PortugueseSubjects {
		if err := n.Notify(context.Background(), ports.Notification{ID: kernel.NewID(), To: "maria@example.com", Channel: "email",
			Template: "password_reset", Subject: subject, Body: "corpo"}); err != nil {
			t.Fatal(err)
		}
		conformance.CheckSubjectHeader(t, srv.Messages()[i].Data, subject)
	}
}
