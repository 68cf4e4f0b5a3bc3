package consent

import (
	"fmt"
	"slices"
	"time"
)

// ErasureAction is what an erasure request does to one data class of one
// subject, decided by DecideErasure.
type ErasureAction string

const (
	// ActionAnonymiseNow replaces the personal data with non-identifying values at once.
	ActionAnonymiseNow ErasureAction = "anonymise_now"
	// ActionDeleteNow removes the data at once.
	ActionDeleteNow ErasureAction = "delete_now"
	// ActionBlockUntil blocks the data from every use but legal requests until
	// the decision's date, then purges it.
	ActionBlockUntil ErasureAction = "block_until"
	// ActionRetainUntil keeps the data for its legal retention until the
	// decision's date, then anonymises it.
	ActionRetainUntil ErasureAction = "retain_until"
	// ActionKeep keeps the data: the controller's proof, with IDs only.
	ActionKeep ErasureAction = "keep"
)

// ErasureFacts are what the decision needs to know about a subject. Zero
// times mean "none".
type ErasureFacts struct {
	Kind SubjectKind
	// LastClinicalEntry is the newest entry of the patient's record (the
	// anchor of clinical retention); zero when the patient has no record.
	LastClinicalEntry time.Time
	// LastOrderAt and LastPaymentAt are the newest order and payment of the subject.
	LastOrderAt   time.Time
	LastPaymentAt time.Time
	// LastCareMessageAt and LastOrderMessageAt are the newest messages of the
	// patient's care and order conversations (the anchors of their retention).
	LastCareMessageAt  time.Time
	LastOrderMessageAt time.Time
	Now                time.Time
}

// ErasureDecision is the decision for one data class.
type ErasureDecision struct {
	Class  string
	Name   string // pt-BR
	Action ErasureAction
	// Until is when a block or a retention ends; zero for the other actions.
	Until time.Time
	// Explanation says what happens and why, citing the law (pt-BR).
	Explanation string
}

// DecideErasure decides, for each data class holding personal data of the
// subject's kind (DataClasses order), what an erasure request does to it. It
// is a pure function of the data map and the facts.
//
//   - account, contact, professional profile, company staff: anonymised at once;
//   - notifications, marketing, exports: deleted at once;
//   - clinical records and appointments: blocked until 20 years after the
//     record's last entry (Lei 13.787/2018), then purged; already past, or no
//     record at all: deleted at once;
//   - orders and payments: kept until 5 years after the newest one (CTN), then
//     anonymised; those older are anonymised at once;
//   - consents, audit trail, incidents: kept as the controller's proof, IDs only;
//   - messages with professionals (care conversations): part of the record,
//     blocked until 20 years after the newest message, then erased;
//   - messages with partners (order conversations): text and attachments
//     erased at once, both sides.
func DecideErasure(classes []DataClass, f ErasureFacts) []ErasureDecision {
	out := make([]ErasureDecision, 0, len(classes))
	for _, c := range classes {
		if !slices.Contains(c.Subjects, f.Kind) {
			continue
		}
		out = append(out, decideClass(c, f))
	}
	return out
}

func decideClass(c DataClass, f ErasureFacts) ErasureDecision {
	d := ErasureDecision{Class: c.Code, Name: c.Name}
	now := f.Now.UTC()
	switch c.Code {
	case ClassCareMessages, ClassOrderMessages:
		return decideMessages(c, f, d)
	}
	switch c.OnErasure {
	case EraseAnonymise:
		d.Action = ActionAnonymiseNow
		d.Explanation = fmt.Sprintf("%s: anonimizados agora; os dados pessoais (%s) são substituídos por valores que não identificam ninguém e a conta não entra mais (LGPD, art. 18, IV e VI).", c.Name, c.Description)
	case EraseDelete:
		d.Action = ActionDeleteNow
		d.Explanation = fmt.Sprintf("%s: eliminados agora (LGPD, art. 18, VI); nenhuma lei exige guardá-los.", c.Name)
	case EraseBlock:
		last := f.LastClinicalEntry
		if last.IsZero() {
			d.Action = ActionDeleteNow
			d.Explanation = fmt.Sprintf("%s: não há registro no prontuário; nada a guardar, eliminados agora (LGPD, art. 18, VI).", c.Name)
			break
		}
		until := AddYears(last.UTC(), c.RetentionYears)
		if !now.Before(until) {
			d.Action = ActionDeleteNow
			d.Explanation = fmt.Sprintf("%s: o último registro no prontuário foi em %s; o prazo de guarda de %d anos (%s) terminou, então são eliminados agora.",
				c.Name, brDate(last), c.RetentionYears, c.RetentionLaw)
			break
		}
		d.Action, d.Until = ActionBlockUntil, until
		d.Explanation = fmt.Sprintf("%s: a lei exige guardá-los por %d anos após o último registro no prontuário (%s), isto é, até %s. Até lá ficam bloqueados: "+
			"nenhum profissional, nem você, os acessa pela plataforma; só atendem a requisições legais (LGPD, art. 16, I, e art. 18, IV). Depois disso são eliminados.",
			c.Name, c.RetentionYears, c.RetentionLaw, brDate(until))
	case EraseRetain:
		anchor := f.LastOrderAt
		if c.Code == ClassPayments {
			anchor = f.LastPaymentAt
		}
		if anchor.IsZero() {
			d.Action = ActionAnonymiseNow
			d.Explanation = fmt.Sprintf("%s: nenhum em período de guarda fiscal; o que houver é anonimizado agora (LGPD, art. 18, IV).", c.Name)
			break
		}
		until := AddYears(anchor.UTC(), c.RetentionYears)
		if !now.Before(until) {
			d.Action = ActionAnonymiseNow
			d.Explanation = fmt.Sprintf("%s: todos têm mais de %d anos; o prazo de guarda fiscal (%s) terminou, então são anonimizados agora.",
				c.Name, c.RetentionYears, c.RetentionLaw)
			break
		}
		d.Action, d.Until = ActionRetainUntil, until
		d.Explanation = fmt.Sprintf("%s: a lei fiscal exige guardá-los por %d anos (%s; LGPD, art. 16, I). Os dados de entrega (destinatário e endereço) "+
			"saem agora e os com mais de %d anos são anonimizados agora; itens, valores e datas dos demais ficam, só com identificadores e só para fins fiscais, "+
			"até %s, e então são anonimizados.",
			c.Name, c.RetentionYears, c.RetentionLaw, c.RetentionYears, brDate(until))
	default: // EraseKeep
		d.Action = ActionKeep
		d.Explanation = fmt.Sprintf("%s: guardados como prova do controlador (%s), só com identificadores, sem nome nem dados de contato.", c.Name, c.LegalBasis)
	}
	return d
}

// decideMessages decides for the two classes of chat messages (see DataClasses).
func decideMessages(c DataClass, f ErasureFacts, d ErasureDecision) ErasureDecision {
	now := f.Now.UTC()
	if c.Code == ClassOrderMessages {
		d.Action = ActionDeleteNow
		if f.LastOrderMessageAt.IsZero() {
			d.Explanation = fmt.Sprintf("%s: não há conversas sobre pedidos; nada a guardar (LGPD, art. 18, VI).", c.Name)
			return d
		}
		d.Explanation = fmt.Sprintf("%s: o texto e os anexos das conversas sobre os seus pedidos, dos dois lados, são apagados agora (LGPD, art. 18, VI); "+
			"fica só o registro de que houve cada mensagem, sem conteúdo. Nenhuma lei exige guardá-los: os dados fiscais do pedido seguem a regra dos Pedidos.", c.Name)
		return d
	}
	last := f.LastCareMessageAt
	if last.IsZero() {
		d.Action = ActionDeleteNow
		d.Explanation = fmt.Sprintf("%s: não há conversas com profissionais; nada a guardar (LGPD, art. 18, VI).", c.Name)
		return d
	}
	until := AddYears(last.UTC(), c.RetentionYears)
	if !now.Before(until) {
		d.Action = ActionDeleteNow
		d.Explanation = fmt.Sprintf("%s: a última mensagem foi em %s; o prazo de guarda de %d anos (%s) terminou, então o texto e os anexos são apagados agora.",
			c.Name, brDate(last), c.RetentionYears, c.RetentionLaw)
		return d
	}
	d.Action, d.Until = ActionBlockUntil, until
	d.Explanation = fmt.Sprintf("%s: as conversas com profissionais sobre o seu cuidado fazem parte do prontuário, que a lei manda guardar por %d anos (%s), "+
		"contados da última mensagem: até %s. Até lá ficam bloqueadas como o prontuário: nenhum profissional, nem você, as acessa pela plataforma; "+
		"só atendem a requisições legais (LGPD, art. 16, I, e art. 18, IV). Depois disso o texto e os anexos são apagados.",
		c.Name, c.RetentionYears, c.RetentionLaw, brDate(until))
	return d
}

// brDate is a date as a person in Brazil reads it (dd/mm/aaaa, São Paulo time).
func brDate(t time.Time) string { return t.In(brt()).Format("02/01/2006") }

func brt() *time.Location {
	if loc, err := time.LoadLocation("America/Sao_Paulo"); err == nil {
		return loc
	}
	return time.FixedZone("BRT", -3*3600)
}
