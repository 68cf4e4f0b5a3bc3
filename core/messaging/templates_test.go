package messaging

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
)

var (
	saoPaulo = Zone("America/Sao_Paulo")
	manaus   = Zone("America/Manaus")
	start    = time.Date(2026, 12, 4, 11, 30, 0, 0, time.UTC) // a Friday; 08:30 in São Paulo, 07:30 in Manaus
	pro      = Professional{Name: "Ana Souza", CouncilType: "CRM", CouncilNumber: "12345", CouncilUF: "SP"}
)

// every template, rendered with the values the table test checks
func rendered() []struct {
	name string
	got  Message
	want Message
} {
	return []struct {
		name string
		got  Message
		want Message
	}{
		{"cancelled consultation", AppointmentCancelled(Consultation, start, saoPaulo), Message{TemplateAppointmentCancelled,
			"Consulta cancelada",
			"Sua consulta marcada para sexta-feira, 04/12/2026 às 08:30 foi cancelada. Se quiser, agende outro horário pelo aplicativo."}},
		{"cancelled exam", AppointmentCancelled(Exam, start, manaus), Message{TemplateAppointmentCancelled,
			"Exame cancelado",
			"Seu exame marcado para sexta-feira, 04/12/2026 às 07:30 foi cancelado. Se quiser, agende outro horário pelo aplicativo."}},
		{"reminder consultation", AppointmentReminder(Consultation, start, saoPaulo), Message{TemplateAppointmentReminder,
			"Lembrete: consulta em 04/12/2026 às 08:30",
			"Você tem uma consulta marcada para sexta-feira, 04/12/2026 às 08:30. Se não puder comparecer, cancele ou remarque pelo aplicativo."}},
		{"reminder exam", AppointmentReminder(Exam, start, saoPaulo), Message{TemplateAppointmentReminder,
			"Lembrete: exame em 04/12/2026 às 08:30",
			"Você tem um exame marcado para sexta-feira, 04/12/2026 às 08:30. Se não puder comparecer, cancele ou remarque pelo aplicativo."}},
		{"waitlist offer", WaitlistOffer(start, start.Add(-22*time.Hour), saoPaulo), Message{TemplateWaitlistOffer,
			"Abriu um horário para você",
			"Abriu um horário que você aguardava na lista de espera: sexta-feira, 04/12/2026 às 08:30. Ele fica reservado para você até 03/12/2026 às 10:30; confirme o agendamento pelo aplicativo antes disso."}},
		{"password reset", PasswordReset("https://app.multisaude.com.br/reset-password?token=abc", time.Hour), Message{TemplatePasswordReset,
			"Redefinição de senha",
			"Recebemos um pedido para redefinir a senha da sua conta na MultiSaúde.\n\nUse este link em até 1 hora para escolher uma nova senha:\nhttps://app.multisaude.com.br/reset-password?token=abc\n\nSe você não fez esse pedido, ignore esta mensagem: sua senha continua a mesma."}},
		{"member invitation", MemberInvitation("https://x/r?token=t", 72*time.Hour), Message{TemplateMemberInvitation,
			"Convite para a MultiSaúde",
			"Você foi adicionado(a) a uma empresa na MultiSaúde.\n\nUse este link em até 3 dias para criar sua senha:\nhttps://x/r?token=t"}},
		{"emergency access", EmergencyAccess(pro, start, start.Add(4*time.Hour), "paciente inconsciente no pronto-socorro.", saoPaulo), Message{TemplateEmergencyAccess,
			"Seu prontuário foi aberto em uma emergência",
			"O(a) profissional Ana Souza (CRM 12345/SP) abriu seu prontuário em 04/12/2026 às 08:30 alegando emergência. Motivo informado: paciente inconsciente no pronto-socorro.\n\nO acesso vale até 04/12/2026 às 12:30. Você pode ver quem acessou seu prontuário no registro de acessos do aplicativo."}},
	}
}

func TestTemplatesRenderExactly(t *testing.T) {
	for _, tc := range rendered() {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got\n%#v\nwant\n%#v", tc.got, tc.want)
			}
		})
	}
}

var (
	rfc3339 = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}`)
	english = map[string]bool{"your": true, "you": true, "appointment": true, "cancelled": true, "canceled": true, "reminder": true,
		"slot": true, "opened": true, "password": true, "reset": true, "this": true, "within": true, "was": true,
		"the": true, "on": true, "at": true, "has": true, "held": true, "until": true, "emergency": true, "record": true}
)

// No template shows an RFC 3339 instant or an English word: the previous
// messages read "Your appointment on 2026-12-04T11:30:00Z was cancelled".
func TestTemplatesArePortugueseWithoutMachineTimes(t *testing.T) {
	for _, tc := range rendered() {
		for _, s := range []string{tc.got.Subject, tc.got.Body} {
			// the link of the reset e-mails is a URL, not prose
			prose := regexp.MustCompile(`https?://\S+`).ReplaceAllString(s, "")
			if m := rfc3339.FindString(prose); m != "" {
				t.Errorf("%s: RFC 3339 time %q in %q", tc.name, m, s)
			}
			for _, w := range strings.FieldsFunc(prose, func(r rune) bool { return !unicode.IsLetter(r) }) {
				if english[strings.ToLower(w)] {
					t.Errorf("%s: English word %q in %q", tc.name, w, s)
				}
			}
			if strings.Contains(prose, "UTC") || strings.Contains(prose, "Z ") {
				t.Errorf("%s: time zone name in %q", tc.name, s)
			}
		}
	}
}

func TestTimesAreShownInTheAppointmentsZone(t *testing.T) {
	cases := []struct {
		zone string
		at   time.Time
		want string
	}{
		{"America/Sao_Paulo", start, "sexta-feira, 04/12/2026 às 08:30"},
		{"America/Manaus", start, "sexta-feira, 04/12/2026 às 07:30"},
		{"America/Noronha", start, "sexta-feira, 04/12/2026 às 09:30"},
		{"", start, "sexta-feira, 04/12/2026 às 08:30"},          // default: São Paulo
		{"Not/AZone", start, "sexta-feira, 04/12/2026 às 08:30"}, // unknown: São Paulo
		{"America/Manaus", time.Date(2026, 12, 5, 3, 59, 0, 0, time.UTC), // crosses midnight: still Friday in Manaus
			"sexta-feira, 04/12/2026 às 23:59"},
		{"America/Sao_Paulo", time.Date(2026, 12, 6, 13, 0, 0, 0, time.UTC), "domingo, 06/12/2026 às 10:00"},
	}
	for _, tc := range cases {
		if got := LongDateTime(tc.at, Zone(tc.zone)); got != tc.want {
			t.Errorf("%s %s: got %q, want %q", tc.zone, tc.at.Format(time.RFC3339), got, tc.want)
		}
	}
	if got := AppointmentReminder(Consultation, start, manaus).Subject; got != "Lembrete: consulta em 04/12/2026 às 07:30" {
		t.Errorf("Manaus reminder subject: %q", got)
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Hour: "1 hora", 2 * time.Hour: "2 horas", 30 * time.Minute: "30 minutos", time.Minute: "1 minuto",
		90 * time.Minute: "1 hora e 30 minutos", 24 * time.Hour: "1 dia", 72 * time.Hour: "3 dias", 0: "alguns instantes",
	} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%s) = %q, want %q", d, got, want)
		}
	}
}

// Every template constant has at least one case in rendered(), so a new
// template cannot skip the exact-text and the no-English checks.
func TestEveryTemplateIsRendered(t *testing.T) {
	src, err := os.ReadFile("templates.go")
	if err != nil {
		t.Fatal(err)
	}
	consts := regexp.MustCompile(`(?m)^\s+Template\w+\s+= "(\w+)"`).FindAllStringSubmatch(string(src), -1)
	if len(consts) < 6 {
		t.Fatalf("found %d template constants", len(consts))
	}
	covered := map[string]bool{}
	for _, tc := range rendered() {
		covered[tc.got.Template] = true
	}
	for _, c := range consts {
		if !covered[c[1]] {
			t.Errorf("template %s has no case in rendered()", c[1])
		}
	}
}

func TestMoney(t *testing.T) {
	for _, c := range []struct {
		c    int64
		cur  string
		want string
	}{{0, "BRL", "R$ 0,00"}, {5, "BRL", "R$ 0,05"}, {123456, "BRL", "R$ 1.234,56"}, {-100000000, "BRL", "-R$ 1.000.000,00"}, {1200, "USD", "USD 12,00"}} {
		if got := Money(c.c, c.cur); got != c.want {
			t.Errorf("Money(%d, %s) = %q, want %q", c.c, c.cur, got, c.want)
		}
	}
}
