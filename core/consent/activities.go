package consent

import (
	"context"
	"slices"
	"strconv"

	"github.com/multisaude/multisaude/core/kernel"
)

// Activity is one entry of the record of processing activities (LGPD art. 37),
// generated from a DataClass and the purposes' terms.
type Activity struct {
	Class           DataClass
	PurposeTitles   []string // pt-BR titles of the purposes with a consent term
	ConsentRequired []string // purposes among Class.Purposes that need a current consent
	Measures        []string // pt-BR, the security measures the code applies to this class
	Retention       string   // pt-BR
}

// consentGated are the purposes the platform refuses processing for without a
// current consent (see Gate.Require's callers); care is processed under
// tutela da saúde and is only recorded.
var consentGated = []string{"telemedicine", "partner_sharing", "marketing", "research"}

// measures the code applies, by class. Kept next to the classes they describe
// so a new class without measures shows the common ones only.
func measuresFor(c DataClass) []string {
	ms := []string{"acesso autenticado e autorização por objeto em toda rota", "conexões cifradas (TLS) entre cliente e plataforma",
		"registros (logs) sem dados pessoais"}
	switch c.Code {
	case ClassClinical:
		ms = append(ms, "documentos cifrados em repouso (envelope AES-256-GCM, chave mestra no gerenciador de chaves)",
			"registro de cada acesso ao prontuário, visível ao paciente", "trilha de auditoria encadeada por SHA-256",
			"bloqueio após pedido de eliminação até o fim da guarda legal")
	case ClassAppointments:
		ms = append(ms, "registro de acesso e trilha de auditoria", "bloqueio após pedido de eliminação até o fim da guarda legal")
	case ClassExports:
		ms = append(ms, "arquivo cifrado em repouso (envelope AES-256-GCM)", "disponível só ao titular e apagado após 7 dias")
	case ClassAudit:
		ms = append(ms, "entradas encadeadas por SHA-256; o banco recusa UPDATE e DELETE", "resumo diário gravado fora do banco")
	case ClassConsents:
		ms = append(ms, "livro só de inclusão: o banco recusa UPDATE e DELETE")
	case ClassAccount, ClassProfessional, ClassCompanyStaff:
		ms = append(ms, "senhas com Argon2id", "anonimização a pedido do titular")
	case ClassCareMessages:
		ms = append(ms, "anexos cifrados em repouso (envelope AES-256-GCM, como os documentos)", "cada acesso do profissional à conversa entra no registro de acessos do prontuário",
			"bloqueio após pedido de eliminação até o fim da guarda legal", "texto e anexos apagados ao fim da guarda")
	case ClassOrderMessages:
		ms = append(ms, "anexos cifrados em repouso (envelope AES-256-GCM)", "texto e anexos apagados a pedido do titular ou ao fim da guarda")
	case ClassOrders, ClassPayments:
		ms = append(ms, "compartilhamento com o parceiro registrado no relatório do titular", "dados de cartão nunca passam pela plataforma (provedor de pagamentos)")
	}
	return ms
}

// ProcessingActivities returns the record of processing activities (admins only).
func (s *Service) ProcessingActivities(ctx context.Context, p kernel.Principal) ([]Activity, error) {
	if err := requirePlatformAdmin(p); err != nil {
		return nil, err
	}
	return ProcessingActivities(), nil
}

// ProcessingActivities builds the record from DataClasses and Terms.
func ProcessingActivities() []Activity {
	titles := map[string]string{}
	for _, t := range Terms() {
		titles[t.Purpose] = t.Title
	}
	classes := DataClasses()
	out := make([]Activity, 0, len(classes))
	for _, c := range classes {
		a := Activity{Class: c, Measures: measuresFor(c), Retention: retentionPT(c)}
		for _, p := range c.Purposes {
			if t, ok := titles[p]; ok {
				a.PurposeTitles = append(a.PurposeTitles, t)
			}
			if slices.Contains(consentGated, p) {
				a.ConsentRequired = append(a.ConsentRequired, p)
			}
		}
		out = append(out, a)
	}
	return out
}

func retentionPT(c DataClass) string {
	if c.RetentionYears == 0 {
		return c.RetentionAnchor
	}
	s := strconv.Itoa(c.RetentionYears) + " anos após " + c.RetentionAnchor
	if c.RetentionLaw != "" {
		s += " (" + c.RetentionLaw + ")"
	}
	return s
}
