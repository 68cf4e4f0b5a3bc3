package messaging

import (
	"strings"
	"time"
)

// Message is one rendered template: Subject is the e-mail subject and the
// in-app notification's title.
type Message struct {
	Template string // the template's name, e.g. "appointment_reminder"
	Subject  string
	Body     string
}

// Template names, as ports.Notification.Template and the in-app kind carry them.
const (
	TemplateAppointmentCancelled = "appointment_cancelled"
	TemplateAppointmentReminder  = "appointment_reminder"
	TemplateWaitlistOffer        = "waitlist_offer"
	TemplatePasswordReset        = "password_reset"
	TemplateMemberInvitation     = "member_invitation"
	TemplateEmergencyAccess      = "record_emergency_access"
)

// Visit names what was booked, with its grammatical gender: a consultation
// ("consulta", feminine) or an exam ("exame", masculine).
type Visit bool

const (
	Consultation Visit = false
	Exam         Visit = true
)

func (v Visit) noun() string {
	if v == Exam {
		return "exame"
	}
	return "consulta"
}

// agree picks the feminine or masculine form for v.
func (v Visit) agree(fem, masc string) string {
	if v == Exam {
		return masc
	}
	return fem
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// AppointmentCancelled tells the patient an appointment starting at start
// (shown in loc, the appointment's time zone) was cancelled.
func AppointmentCancelled(v Visit, start time.Time, loc *time.Location) Message {
	return Message{
		Template: TemplateAppointmentCancelled,
		Subject:  capitalize(v.noun()) + " " + v.agree("cancelada", "cancelado"),
		Body: v.agree("Sua ", "Seu ") + v.noun() + " " + v.agree("marcada", "marcado") + " para " + LongDateTime(start, loc) +
			" foi " + v.agree("cancelada", "cancelado") + ". Se quiser, agende outro horário pelo aplicativo.",
	}
}

// AppointmentReminder reminds the patient of an appointment starting at start.
func AppointmentReminder(v Visit, start time.Time, loc *time.Location) Message {
	return Message{
		Template: TemplateAppointmentReminder,
		Subject:  "Lembrete: " + v.noun() + " em " + DateTime(start, loc),
		Body: "Você tem " + v.agree("uma ", "um ") + v.noun() + " " + v.agree("marcada", "marcado") + " para " + LongDateTime(start, loc) +
			". Se não puder comparecer, cancele ou remarque pelo aplicativo.",
	}
}

// WaitlistOffer tells a waiting patient a slot starting at start is held for
// them until holdUntil.
func WaitlistOffer(start, holdUntil time.Time, loc *time.Location) Message {
	return Message{
		Template: TemplateWaitlistOffer,
		Subject:  "Abriu um horário para você",
		Body: "Abriu um horário que você aguardava na lista de espera: " + LongDateTime(start, loc) +
			". Ele fica reservado para você até " + DateTime(holdUntil, loc) + "; confirme o agendamento pelo aplicativo antes disso.",
	}
}

// PasswordReset carries the link that chooses a new password, valid for ttl.
func PasswordReset(link string, ttl time.Duration) Message {
	return Message{
		Template: TemplatePasswordReset,
		Subject:  "Redefinição de senha",
		Body: "Recebemos um pedido para redefinir a senha da sua conta na MultiSaúde.\n\n" +
			"Use este link em até " + Duration(ttl) + " para escolher uma nova senha:\n" + link + "\n\n" +
			"Se você não fez esse pedido, ignore esta mensagem: sua senha continua a mesma.",
	}
}

// MemberInvitation carries the link with which a new company member chooses
// their password, valid for ttl.
func MemberInvitation(link string, ttl time.Duration) Message {
	return Message{
		Template: TemplateMemberInvitation,
		Subject:  "Convite para a MultiSaúde",
		Body: "Você foi adicionado(a) a uma empresa na MultiSaúde.\n\n" +
			"Use este link em até " + Duration(ttl) + " para criar sua senha:\n" + link,
	}
}

// Professional is how a message names a professional: "Ana Souza (CRM 12345/SP)".
type Professional struct {
	Name, CouncilType, CouncilNumber, CouncilUF string
}

func (p Professional) String() string {
	s := p.Name
	if s == "" {
		s = "um(a) profissional"
	}
	if p.CouncilType != "" && p.CouncilNumber != "" {
		reg := p.CouncilType + " " + p.CouncilNumber
		if p.CouncilUF != "" {
			reg += "/" + p.CouncilUF
		}
		s += " (" + reg + ")"
	}
	return s
}

// EmergencyAccess tells a patient that pro opened their record at `at`,
// claiming an emergency, with access until `until`.
func EmergencyAccess(pro Professional, at, until time.Time, reason string, loc *time.Location) Message {
	body := "O(a) profissional " + pro.String() + " abriu seu prontuário em " + DateTime(at, loc) + " alegando emergência"
	if r := strings.TrimSpace(reason); r != "" {
		body += ". Motivo informado: " + strings.TrimSuffix(r, ".")
	}
	body += ".\n\nO acesso vale até " + DateTime(until, loc) + ". Você pode ver quem acessou seu prontuário no registro de acessos do aplicativo."
	return Message{
		Template: TemplateEmergencyAccess,
		Subject:  "Seu prontuário foi aberto em uma emergência",
		Body:     body,
	}
}
