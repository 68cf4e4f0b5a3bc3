package consent

import (
	"slices"
	"time"

	"github.com/multisaude/multisaude/ports"
)

// Term is one version of the text a data subject accepts for a purpose.
type Term struct {
	Purpose     string
	Version     string
	Title       string // pt-BR
	Summary     string // pt-BR, one paragraph
	Text        string // pt-BR, the whole term
	LegalBasis  string // pt-BR
	PublishedAt time.Time
	// Required is false for a purpose processed on another legal basis (care,
	// under tutela da saúde): its consent is recorded but nothing is refused
	// without it.
	Required bool
}

// Purposes are the consent purposes, in the order terms are listed.
var Purposes = []string{ports.PurposeCare, ports.PurposeTelemedicine, ports.PurposePartnerSharing, ports.PurposeResearch, ports.PurposeMarketing}

// KnownPurpose reports whether purpose is one of Purposes.
func KnownPurpose(purpose string) bool { return slices.Contains(Purposes, purpose) }

// TermPath is where a purpose's current term is read.
func TermPath(purpose string) string { return "/v1/consent-terms/" + purpose }

func published(day string) time.Time {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// termVersions is every published version of every purpose's term, oldest
// first. A new version is appended, never edited: grants name the version the
// person read.
var termVersions = map[string][]Term{
	ports.PurposeCare: {{
		Purpose: ports.PurposeCare, Version: "2026-11-30", PublishedAt: published("2026-11-30"),
		Title: "Cuidado em saúde pelos profissionais que você agenda",
		Summary: "Seus dados pessoais e de saúde são tratados pelos profissionais e estabelecimentos com quem você agenda, " +
			"para prestar o atendimento. Este tratamento se apoia na tutela da saúde (LGPD, art. 11, II, f) e não depende " +
			"do seu consentimento: registramos a sua manifestação, mas nenhum atendimento é recusado sem ela.",
		Text: "1. O que tratamos: dados de cadastro, agendamentos, avaliações, planos de tratamento, prescrições, documentos " +
			"e histórico de saúde que você ou os profissionais registram na plataforma.\n" +
			"2. Para quê: prestar o atendimento que você agenda, registrar o prontuário e permitir a continuidade do cuidado " +
			"pelos profissionais com quem você tem relação de cuidado.\n" +
			"3. Base legal: tutela da saúde, em procedimento realizado por profissionais de saúde ou serviços de saúde " +
			"(Lei 13.709/2018, art. 11, II, f). Por isso este tratamento não depende de consentimento: a plataforma registra " +
			"a sua manifestação neste termo, mas nenhum agendamento ou atendimento é recusado sem ela, e revogá-la não apaga " +
			"o prontuário, que deve ser guardado por 20 anos (Lei 13.787/2018).\n" +
			"4. Quem acessa: somente os profissionais e estabelecimentos com quem você agenda ou a quem você compartilha " +
			"seus dados; cada acesso fica registrado e você pode consultá-lo.\n" +
			"5. Seus direitos: acesso, correção, portabilidade, informação sobre compartilhamentos e eliminação nos limites " +
			"da lei (LGPD, art. 18), pela própria plataforma.",
		LegalBasis: "Tutela da saúde (LGPD, art. 11, II, f); o registro da manifestação não condiciona o atendimento.",
	}},
	ports.PurposeTelemedicine: {{
		Purpose: ports.PurposeTelemedicine, Version: "2026-11-30", PublishedAt: published("2026-11-30"), Required: true,
		Title: "Termo de consentimento para atendimento por telemedicina",
		Summary: "Para agendar uma teleconsulta, você declara estar ciente dos limites do atendimento a distância, de que " +
			"pode pedir atendimento presencial a qualquer momento, de como os dados da teleconsulta são registrados e " +
			"protegidos e de como identificar o profissional que o atende (Resolução CFM 2.314/2022).",
		Text: "1. Limites do atendimento a distância: a teleconsulta não permite exame físico completo; o profissional pode " +
			"concluir que o seu caso exige atendimento presencial e, nesse caso, deve orientá-lo a buscá-lo. Em urgência ou " +
			"emergência, procure o serviço presencial mais próximo ou ligue 192 (SAMU).\n" +
			"2. Atendimento presencial a qualquer momento: você pode recusar a teleconsulta ou interrompê-la e pedir " +
			"atendimento presencial a qualquer momento, sem prejuízo do seu cuidado.\n" +
			"3. Registro e segurança dos dados: a teleconsulta é registrada no seu prontuário (data, hora, tecnologia usada, " +
			"dados clínicos e conduta), guardado por 20 anos (Lei 13.787/2018); a comunicação é criptografada, o acesso ao " +
			"prontuário é restrito aos profissionais com quem você tem relação de cuidado e cada acesso fica registrado. " +
			"A sessão de vídeo não é gravada sem o seu consentimento expresso.\n" +
			"4. Identificação do profissional: antes da teleconsulta a plataforma mostra o nome, o número de registro no " +
			"conselho profissional (CRM e UF, ou equivalente) e a especialidade do profissional; você pode conferi-los no " +
			"conselho.\n" +
			"5. Revogação: você pode revogar este consentimento a qualquer momento pela plataforma; a revogação vale a partir " +
			"dela e não atinge as teleconsultas já realizadas. Sem este consentimento, só é possível agendar atendimento " +
			"presencial.",
		LegalBasis: "Consentimento livre e esclarecido do paciente (Resolução CFM 2.314/2022, art. 15; LGPD, art. 11, I).",
	}},
	ports.PurposePartnerSharing: {{
		Purpose: ports.PurposePartnerSharing, Version: "2026-11-30", PublishedAt: published("2026-11-30"), Required: true,
		Title: "Compartilhamento de dados com empresas parceiras para pedidos",
		Summary: "Para fazer um pedido a uma farmácia, laboratório ou outra empresa parceira, enviamos a ela somente os dados " +
			"mínimos para atender o pedido. Cada envio fica registrado e aparece no seu relatório de compartilhamentos.",
		Text: "1. O que é enviado: os itens e quantidades do pedido; a forma de entrega ou retirada; para entrega, o seu " +
			"primeiro nome e o endereço de entrega; quando o pedido é feito com uma receita, o código de verificação da " +
			"receita, para que a farmácia a confira. Não enviamos CPF, histórico de saúde nem outros documentos.\n" +
			"2. A quem: somente à empresa a quem você faz o pedido.\n" +
			"3. Para quê: separar, conferir, entregar ou disponibilizar para retirada e cobrar o pedido.\n" +
			"4. Registro: cada envio fica registrado (empresa, categoria de dado, data e base) e você pode consultá-lo em " +
			"\"meus compartilhamentos\".\n" +
			"5. Revogação: você pode revogar este consentimento a qualquer momento; novos pedidos deixam de ser possíveis, " +
			"e os dados já enviados para pedidos anteriores continuam com a empresa pelo prazo legal de guarda.",
		LegalBasis: "Consentimento específico e destacado do titular (LGPD, art. 11, I) para o compartilhamento com a empresa do pedido.",
	}},
	ports.PurposeResearch: {{
		Purpose: ports.PurposeResearch, Version: "2026-11-30", PublishedAt: published("2026-11-30"), Required: true,
		Title: "Uso de dados anonimizados em pesquisa",
		Summary: "Seus dados podem ser usados em estudos e pesquisas somente depois de anonimizados, sem que seja " +
			"possível identificá-lo.",
		Text: "1. O que: dados de agendamentos, pedidos e registros clínicos, depois de anonimizados (sem nome, CPF, contato, " +
			"endereço ou qualquer dado que permita identificá-lo, nem combinados com outros dados).\n" +
			"2. Para quê: estudos sobre acesso a serviços de saúde e qualidade do atendimento, realizados pela plataforma ou " +
			"por órgãos de pesquisa, sempre com dados anonimizados (LGPD, art. 7º, IV, e art. 13).\n" +
			"3. O que não fazemos: não vendemos dados, não enviamos dados identificáveis a pesquisadores e não usamos os " +
			"dados para decisões sobre você.\n" +
			"4. Revogação: você pode revogar a qualquer momento; seus dados deixam de entrar em novos estudos a partir dela.",
		LegalBasis: "Consentimento do titular (LGPD, art. 11, I), com anonimização sempre que possível (LGPD, arts. 11, II, c, e 13).",
	}},
	ports.PurposeMarketing: {{
		Purpose: ports.PurposeMarketing, Version: "2026-11-30", PublishedAt: published("2026-11-30"), Required: true,
		Title: "Comunicações promocionais",
		Summary: "Com o seu consentimento, podemos enviar novidades, ofertas e campanhas de saúde por e-mail ou notificação. " +
			"Mensagens sobre seus atendimentos e pedidos não dependem deste consentimento.",
		Text: "1. O que: mensagens promocionais da plataforma e de campanhas de saúde, por e-mail ou notificação.\n" +
			"2. Dados usados: nome e contato; nunca dados de saúde para escolher o que enviar.\n" +
			"3. O que não depende deste termo: avisos sobre consultas, pedidos, pagamentos e segurança da sua conta.\n" +
			"4. Revogação: você pode revogar a qualquer momento, pela plataforma; nenhuma mensagem promocional é enviada " +
			"depois da revogação.",
		LegalBasis: "Consentimento do titular (LGPD, art. 7º, I).",
	}},
}

// Terms returns the current version of every purpose's term, in Purposes' order.
func Terms() []Term {
	out := make([]Term, 0, len(Purposes))
	for _, p := range Purposes {
		t, _ := CurrentTerm(p)
		out = append(out, t)
	}
	return out
}

// CurrentTerm returns purpose's current term; false for an unknown purpose.
func CurrentTerm(purpose string) (Term, bool) {
	vs := termVersions[purpose]
	if len(vs) == 0 {
		return Term{}, false
	}
	return vs[len(vs)-1], true
}

// TermVersions returns every published version of purpose's term, oldest first.
func TermVersions(purpose string) []Term { return slices.Clone(termVersions[purpose]) }

// TermVersion returns one published version of purpose's term.
func TermVersion(purpose, version string) (Term, bool) {
	for _, t := range termVersions[purpose] {
		if t.Version == version {
			return t, true
		}
	}
	return Term{}, false
}
