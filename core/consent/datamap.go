package consent

import "time"

// SubjectKind is whose personal data a class holds.
type SubjectKind string

const (
	SubjectPatient      SubjectKind = "patient"
	SubjectProfessional SubjectKind = "professional"
	SubjectCompany      SubjectKind = "company_member"
)

// ErasureRule says what an erasure request does to a data class.
type ErasureRule string

const (
	// EraseAnonymise replaces personal data with non-identifying values at once.
	EraseAnonymise ErasureRule = "anonymise"
	// EraseDelete removes the data at once.
	EraseDelete ErasureRule = "delete"
	// EraseBlock keeps the data for its legal retention, blocked from every use
	// but legal requests, then purges it.
	EraseBlock ErasureRule = "block"
	// EraseRetain keeps the data for its legal retention, then anonymises it.
	EraseRetain ErasureRule = "retain_then_anonymise"
	// EraseKeep keeps the data: it holds no personal data beyond IDs, or it is
	// the controller's proof (consents, the audit trail).
	EraseKeep ErasureRule = "keep"
)

// Year is 365 days; retention periods count whole calendar years from their
// anchor (see AddYears).
const Year = 365 * 24 * time.Hour

// DataClass is one class of personal data the platform processes, with why,
// for how long, and what an erasure request does to it. The record of
// processing activities (Art. 37) and the erasure decision table are built
// from this list; nothing about them is written by hand elsewhere.
type DataClass struct {
	Code        string
	Name        string        // pt-BR
	Description string        // pt-BR, what it holds
	Subjects    []SubjectKind // whose data it is
	Context     string        // the bounded context that stores it
	Sensitive   bool          // sensitive personal data (Art. 5 II, Art. 11)
	Purposes    []string      // consent purposes or processing purposes (codes)
	LegalBasis  string        // pt-BR, with the article of LGPD or the law that requires it
	// RetentionYears after RetentionAnchor; 0 means "while the account exists".
	RetentionYears  int
	RetentionAnchor string // pt-BR, e.g. "último registro no prontuário"
	RetentionLaw    string // pt-BR, the law that sets the period, if any
	OnErasure       ErasureRule
	Recipients      []string // pt-BR, who may receive it
}

// Data class codes.
const (
	ClassAccount       = "account"
	ClassClinical      = "clinical_records"
	ClassAppointments  = "appointments"
	ClassOrders        = "orders"
	ClassPayments      = "payments"
	ClassNotifications = "notifications"
	ClassMarketing     = "marketing"
	ClassConsents      = "consents"
	ClassAudit         = "audit_trail"
	ClassProfessional  = "professional_profile"
	ClassCompanyStaff  = "company_staff"
	ClassExports       = "exports"
	ClassIncidents     = "incidents"
	ClassCareMessages  = "care_messages"
	ClassOrderMessages = "order_messages"
)

// Retention periods the law sets.
const (
	ClinicalRetentionYears = 20 // Lei 13.787/2018, art. 6º
	TaxRetentionYears      = 5  // CTN, arts. 173 e 174
	IncidentRetentionYears = 5  // Resolução CD/ANPD 15/2024, art. 10
	// OrderMessageRetentionYears: messages about an order, kept for claims
	// about the order (CDC, art. 27) unless the patient asks for erasure.
	OrderMessageRetentionYears = 5
	ExportTTL                  = 7 * 24 * time.Hour
)

// DataClasses is every class of personal data the platform processes.
func DataClasses() []DataClass {
	return []DataClass{
		{Code: ClassAccount, Name: "Dados cadastrais", Description: "nome, e-mail, telefone, CPF, data de nascimento e endereço",
			Subjects: []SubjectKind{SubjectPatient, SubjectProfessional, SubjectCompany}, Context: "identity",
			Purposes: []string{"account"}, LegalBasis: "execução de contrato (LGPD, art. 7º, V)",
			RetentionAnchor: "enquanto a conta existir", OnErasure: EraseAnonymise,
			Recipients: []string{"profissionais e empresas com quem o titular se relaciona, no mínimo necessário"}},
		{Code: ClassClinical, Name: "Prontuário", Description: "avaliações, planos de tratamento, prescrições e documentos clínicos",
			Subjects: []SubjectKind{SubjectPatient}, Context: "clinical", Sensitive: true,
			Purposes: []string{"care"}, LegalBasis: "tutela da saúde, por profissionais de saúde (LGPD, art. 11, II, f)",
			RetentionYears: ClinicalRetentionYears, RetentionAnchor: "último registro no prontuário",
			RetentionLaw: "Lei 13.787/2018, art. 6º", OnErasure: EraseBlock,
			Recipients: []string{"profissionais com relação de cuidado, compartilhamento ou acesso de emergência"}},
		{Code: ClassAppointments, Name: "Agendamentos", Description: "consultas e exames marcados, com modalidade, local e motivo",
			Subjects: []SubjectKind{SubjectPatient}, Context: "scheduling", Sensitive: true,
			Purposes: []string{"care", "telemedicine"}, LegalBasis: "tutela da saúde (LGPD, art. 11, II, f)",
			RetentionYears: ClinicalRetentionYears, RetentionAnchor: "último registro no prontuário",
			RetentionLaw: "Lei 13.787/2018, art. 6º", OnErasure: EraseBlock,
			Recipients: []string{"o profissional ou hospital do agendamento"}},
		{Code: ClassOrders, Name: "Pedidos", Description: "itens comprados de parceiros, entrega e receitas apresentadas",
			Subjects: []SubjectKind{SubjectPatient}, Context: "commerce", Sensitive: true,
			Purposes: []string{"partner_sharing"}, LegalBasis: "consentimento específico (LGPD, art. 11, I) e obrigação legal fiscal (art. 7º, II)",
			RetentionYears: TaxRetentionYears, RetentionAnchor: "data do pedido", RetentionLaw: "CTN, arts. 173 e 174",
			OnErasure: EraseRetain, Recipients: []string{"a empresa parceira do pedido"}},
		{Code: ClassPayments, Name: "Pagamentos", Description: "cobranças, reembolsos e comprovantes",
			Subjects: []SubjectKind{SubjectPatient}, Context: "commerce",
			Purposes: []string{"partner_sharing", "care"}, LegalBasis: "obrigação legal fiscal (LGPD, art. 7º, II)",
			RetentionYears: TaxRetentionYears, RetentionAnchor: "data do pagamento", RetentionLaw: "CTN, arts. 173 e 174",
			OnErasure: EraseRetain, Recipients: []string{"o provedor de pagamentos", "a empresa parceira do pedido"}},
		{Code: ClassNotifications, Name: "Notificações", Description: "mensagens enviadas ao titular (lembretes, avisos)",
			Subjects: []SubjectKind{SubjectPatient, SubjectProfessional, SubjectCompany}, Context: "scheduling",
			Purposes: []string{"account"}, LegalBasis: "execução de contrato (LGPD, art. 7º, V)",
			RetentionAnchor: "enquanto a conta existir", OnErasure: EraseDelete,
			Recipients: []string{"o provedor de e-mail e SMS"}},
		{Code: ClassMarketing, Name: "Comunicações de marketing", Description: "preferências e envios de comunicações promocionais",
			Subjects: []SubjectKind{SubjectPatient}, Context: "consent",
			Purposes: []string{"marketing"}, LegalBasis: "consentimento (LGPD, art. 7º, I)",
			RetentionAnchor: "até a revogação do consentimento", OnErasure: EraseDelete},
		{Code: ClassConsents, Name: "Consentimentos", Description: "concessões e revogações, com versão do termo, canal e data",
			Subjects: []SubjectKind{SubjectPatient, SubjectProfessional, SubjectCompany}, Context: "consent",
			Purposes: []string{"compliance"}, LegalBasis: "cumprimento de obrigação legal: prova do consentimento (LGPD, art. 8º, § 2º)",
			RetentionYears: TaxRetentionYears, RetentionAnchor: "última decisão registrada", OnErasure: EraseKeep},
		{Code: ClassAudit, Name: "Trilha de auditoria", Description: "quem acessou qual registro e ações administrativas, só com identificadores",
			Subjects: []SubjectKind{SubjectPatient, SubjectProfessional, SubjectCompany}, Context: "consent",
			Purposes: []string{"compliance"}, LegalBasis: "cumprimento de obrigação legal e exercício regular de direitos (LGPD, art. 7º, II e VI; art. 37)",
			RetentionYears: ClinicalRetentionYears, RetentionAnchor: "data do registro", RetentionLaw: "Lei 13.787/2018, art. 6º",
			OnErasure: EraseKeep},
		{Code: ClassProfessional, Name: "Perfil profissional", Description: "registro no conselho, especialidades, endereço de atendimento e agenda",
			Subjects: []SubjectKind{SubjectProfessional}, Context: "identity",
			Purposes: []string{"account", "care"}, LegalBasis: "execução de contrato (LGPD, art. 7º, V)",
			RetentionAnchor: "enquanto a conta existir", OnErasure: EraseAnonymise,
			Recipients: []string{"pacientes que buscam profissionais"}},
		{Code: ClassCompanyStaff, Name: "Equipe de empresas parceiras", Description: "nome, e-mail e papel de quem opera a conta da empresa",
			Subjects: []SubjectKind{SubjectCompany}, Context: "identity",
			Purposes: []string{"account"}, LegalBasis: "execução de contrato (LGPD, art. 7º, V)",
			RetentionAnchor: "enquanto a conta existir", OnErasure: EraseAnonymise},
		{Code: ClassExports, Name: "Exportações do titular", Description: "arquivos gerados a pedido do titular (acesso e portabilidade)",
			Subjects: []SubjectKind{SubjectPatient, SubjectProfessional, SubjectCompany}, Context: "consent", Sensitive: true,
			Purposes: []string{"data_subject_rights"}, LegalBasis: "direitos do titular (LGPD, art. 18, II e V)",
			RetentionAnchor: "7 dias após a geração", OnErasure: EraseDelete},
		{Code: ClassIncidents, Name: "Incidentes de segurança", Description: "registro de incidentes, categorias de dados e titulares afetados",
			Subjects: []SubjectKind{SubjectPatient, SubjectProfessional, SubjectCompany}, Context: "consent",
			Purposes: []string{"compliance"}, LegalBasis: "cumprimento de obrigação legal (LGPD, art. 48; Resolução CD/ANPD 15/2024)",
			RetentionYears: IncidentRetentionYears, RetentionAnchor: "data do registro", RetentionLaw: "Resolução CD/ANPD 15/2024, art. 10",
			OnErasure: EraseKeep},
		// A conversation with a professional about care is clinical
		// communication: part of the record (Res. CFM 1.821/2007; Lei
		// 13.787/2018), under its basis, retention and block. Each
		// conversation's retention counts from its own last message, which is
		// a record entry like any other.
		{Code: ClassCareMessages, Name: "Mensagens com profissionais",
			Description: "conversas com profissionais de saúde sobre o seu cuidado: textos, anexos e horários, dos dois lados",
			Subjects:    []SubjectKind{SubjectPatient}, Context: "messaging", Sensitive: true,
			Purposes: []string{"care", "telemedicine"}, LegalBasis: "tutela da saúde, por profissionais de saúde (LGPD, art. 11, II, f): comunicação clínica que integra o prontuário",
			RetentionYears: ClinicalRetentionYears, RetentionAnchor: "última mensagem da conversa",
			RetentionLaw: "Lei 13.787/2018, art. 6º; Resolução CFM 1.821/2007", OnErasure: EraseBlock,
			Recipients: []string{"o profissional da conversa, com relação de cuidado"}},
		// A conversation with a partner about an order is the execution of the
		// order's contract; the order's tax data stay in the orders class, so no
		// law requires keeping the messages once the patient asks.
		{Code: ClassOrderMessages, Name: "Mensagens com empresas parceiras",
			Description: "conversas com empresas parceiras sobre os seus pedidos: textos, anexos e horários, dos dois lados",
			Subjects:    []SubjectKind{SubjectPatient}, Context: "messaging", Sensitive: true,
			Purposes: []string{"partner_sharing"}, LegalBasis: "execução de contrato (LGPD, art. 7º, V) e consentimento específico para o compartilhamento com o parceiro (art. 11, I)",
			RetentionYears: OrderMessageRetentionYears, RetentionAnchor: "última mensagem da conversa",
			RetentionLaw: "CDC (Lei 8.078/1990), art. 27", OnErasure: EraseDelete,
			Recipients: []string{"a empresa parceira do pedido (seus membros)"}},
	}
}

// Class returns the data class with code, and whether it exists.
func Class(code string) (DataClass, bool) {
	for _, c := range DataClasses() {
		if c.Code == code {
			return c, true
		}
	}
	return DataClass{}, false
}

// AddYears adds whole calendar years to t (29 February becomes 1 March).
func AddYears(t time.Time, years int) time.Time { return t.AddDate(years, 0, 0) }
