package conformance

import (
	"context"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// RunNotifier runs the Notifier contract. newNotifier returns the notifier and
// delivered, which reads back what actually reached the other side (a mail drop
// folder, a fake SMTP or HTTP server) as notifications; the suite polls it.
func RunNotifier(t *testing.T, newNotifier func(t *testing.T) (ports.Notifier, func(t *testing.T) []ports.Notification)) {
	report(t, "Notifier")
	t.Run("EmailDelivered", func(t *testing.T) {
		n, delivered := newNotifier(t)
		want := ports.Notification{
			ID: kernel.NewID(), To: "paciente.teste@example.com", Channel: "email", Template: "password_reset",
			Subject: "Redefinição de senha",
			Body:    "Olá,\n\nUse este link para redefinir sua senha:\nhttps://app.example.com/reset?token=abc123\n",
			Data:    map[string]string{"link": "https://app.example.com/reset?token=abc123"},
		}
		noErr(t, "Notify", n.Notify(context.Background(), want))
		var got []ports.Notification
		if !eventually(10*time.Second, func() bool { got = delivered(t); return len(got) >= 1 }) {
			t.Fatal("nothing was delivered within 10 s")
		}
		if len(got) != 1 {
			t.Fatalf("delivered %d notifications, want 1", len(got))
		}
		g := got[0]
		if g.To != want.To || g.Subject != want.Subject || normalizeBody(g.Body) != normalizeBody(want.Body) {
			t.Errorf("delivered to %q subject %q body %q\nwant to %q subject %q body %q", g.To, g.Subject, g.Body, want.To, want.Subject, want.Body)
		}
	})
	t.Run("SMSDelivered", func(t *testing.T) {
		n, delivered := newNotifier(t)
		want := ports.Notification{ID: kernel.NewID(), To: "+5511987654321", Channel: "sms", Template: "appointment_reminder",
			Body: "Lembrete: consulta amanhã às 10:00."}
		err := n.Notify(context.Background(), want)
		if kernel.KindOf(err) == kernel.KindInvalid {
			t.Skipf("this notifier does not send SMS: %v", err)
		}
		noErr(t, "Notify", err)
		var got []ports.Notification
		if !eventually(10*time.Second, func() bool { got = delivered(t); return len(got) >= 1 }) {
			t.Fatal("nothing was delivered within 10 s")
		}
		if got[0].To != want.To || normalizeBody(got[0].Body) != normalizeBody(want.Body) {
			t.Errorf("delivered %+v, want %+v", got[0], want)
		}
	})
	t.Run("InvalidAddressOrChannel", func(t *testing.T) {
		n, delivered := newNotifier(t)
		ctx := context.Background()
		for _, bad := range []ports.Notification{
			{ID: kernel.NewID(), To: "not-an-email", Channel: "email", Subject: "s", Body: "b"},
			{ID: kernel.NewID(), To: "Name <a@example.com>", Channel: "email", Subject: "s", Body: "b"},
			{ID: kernel.NewID(), To: "a@example.com\r\nBcc: victim@example.com", Channel: "email", Subject: "s", Body: "b"},
			{ID: kernel.NewID(), To: "", Channel: "email", Subject: "s", Body: "b"},
			{ID: kernel.NewID(), To: "11987654321", Channel: "sms", Body: "b"},
			{ID: kernel.NewID(), To: "a@example.com", Channel: "pigeon", Body: "b"},
			{ID: kernel.NewID(), To: "a@example.com", Channel: "", Body: "b"},
		} {
			wantKind(t, "Notify "+bad.Channel+" "+bad.To, n.Notify(ctx, bad), kernel.KindInvalid)
		}
		time.Sleep(200 * time.Millisecond)
		if got := delivered(t); len(got) != 0 {
			t.Errorf("delivered %d invalid notifications", len(got))
		}
	})
}

// normalizeBody ignores line-ending differences that mail transports introduce.
func normalizeBody(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '\r' {
			out = append(out, s[i])
		}
	}
	for len(out) > 0 && out[len(out)-1] == '\n' {
		out = out[:len(out)-1]
	}
	return string(out)
}
