package consent

import (
	"fmt"
	"strings"
	"time"
)

// The drafts follow Resolução CD/ANPD 15/2024, art. 6º (what the communication
// to ANPD holds) and art. 9º (the communication to data subjects, in clear and
// simple language). They are drafts: the data protection officer completes and
// sends them.

func brDateTime(t time.Time) string {
	return t.In(brasilia()).Format("02/01/2006 às 15h04 (horário de Brasília)")
}

func categoryNames(codes []string) string {
	names := make([]string, 0, len(codes))
	for _, c := range codes {
		if dc, ok := Class(c); ok {
			names = append(names, strings.ToLower(dc.Name[:1])+dc.Name[1:])
		}
	}
	return strings.Join(names, ", ")
}

func sensitiveAmong(codes []string) bool {
	for _, c := range codes {
		if dc, ok := Class(c); ok && dc.Sensitive {
			return true
		}
	}
	return false
}

var riskPT = map[Risk]string{RiskLow: "baixo", RiskMedium: "médio", RiskHigh: "alto"}

func subjectsPT(i Incident) string {
	n := fmt.Sprintf("%d", i.SubjectsAffected)
	if i.SubjectsEstimated {
		return "aproximadamente " + n + " titulares (estimativa)"
	}
	return n + " titulares"
}

// ANPDNotice drafts the communication of the incident to ANPD.
func (i Incident) ANPDNotice() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Comunicação de incidente de segurança à Autoridade Nacional de Proteção de Dados (ANPD)\n\n")
	fmt.Fprintf(&b, "Controlador: multisaude. Incidente %s: %s.\n\n", i.ID, i.Title)
	fmt.Fprintf(&b, "1. Natureza do incidente: %s\n", i.Description)
	fmt.Fprintf(&b, "2. Categorias de dados pessoais afetados: %s", categoryNames(i.Categories))
	if sensitiveAmong(i.Categories) {
		b.WriteString(" (inclui dados pessoais sensíveis referentes à saúde)")
	}
	fmt.Fprintf(&b, ".\n3. Número de titulares afetados: %s.\n", subjectsPT(i))
	if i.OccurredAt != nil {
		fmt.Fprintf(&b, "4. Data da ocorrência: %s. ", brDateTime(*i.OccurredAt))
	} else {
		b.WriteString("4. Data da ocorrência: ainda não determinada. ")
	}
	fmt.Fprintf(&b, "Data do conhecimento pelo controlador: %s.\n", brDateTime(i.DetectedAt))
	fmt.Fprintf(&b, "5. Avaliação do risco aos titulares: risco %s. %s\n", riskPT[i.Risk], i.RiskReasoning)
	b.WriteString("6. Medidas técnicas e de segurança aplicadas aos dados: documentos clínicos e exportações cifrados em repouso " +
		"(criptografia de envelope com chaves gerenciadas), registro de acesso ao prontuário e trilha de auditoria encadeada por hash.\n")
	measures := i.Measures
	if measures == "" {
		measures = "a completar pelo encarregado."
	}
	fmt.Fprintf(&b, "7. Medidas adotadas para reverter ou mitigar os efeitos: %s\n", measures)
	fmt.Fprintf(&b, "8. Prazo para esta comunicação: %s (%d dias úteis a partir do conhecimento, Resolução CD/ANPD 15/2024, art. 6º). "+
		"Se enviada depois, informar os motivos da demora.\n", brDateTime(i.Deadline()), NotifyBusinessDays)
	b.WriteString("9. Encarregado pelo tratamento de dados pessoais: nome e contato a completar.\n")
	return b.String()
}

// SubjectNotice drafts the communication to the affected data subjects.
func (i Incident) SubjectNotice() string {
	var b strings.Builder
	b.WriteString("Aviso sobre um incidente de segurança com seus dados pessoais\n\n")
	fmt.Fprintf(&b, "Em %s, a multisaude identificou um incidente de segurança que pode ter afetado seus dados. ", brDateTime(i.DetectedAt))
	fmt.Fprintf(&b, "O que aconteceu: %s\n\n", i.Description)
	fmt.Fprintf(&b, "Quais dados: %s.", categoryNames(i.Categories))
	if sensitiveAmong(i.Categories) {
		b.WriteString(" Entre eles há dados de saúde, que a lei considera sensíveis.")
	}
	fmt.Fprintf(&b, "\n\nO risco para você, na nossa avaliação, é %s. ", riskPT[i.Risk])
	if i.Measures != "" {
		fmt.Fprintf(&b, "O que já fizemos: %s ", i.Measures)
	}
	b.WriteString("\n\nO que você pode fazer: desconfie de mensagens que peçam senhas ou códigos em nome da multisaude, " +
		"troque sua senha se a usa em outros serviços e acompanhe quem acessou seu prontuário na Central de Privacidade.\n\n")
	b.WriteString("Você pode pedir informações, a exportação ou a eliminação dos seus dados a qualquer momento pela Central de Privacidade " +
		"ou falar com o nosso encarregado de dados.\n")
	return b.String()
}
