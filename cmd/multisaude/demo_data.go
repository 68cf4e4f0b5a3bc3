//go:build !lambda

package main

// The demonstration's cast: people, companies and what they sell. Every
// address is a real street of its city; CPFs and CNPJs are generated with
// valid check digits at seed time; e-mails end in @demo.multisaude.com.br.

const demoDomain = "@demo.multisaude.com.br"

// demoPassword is the one password of every demo account.
const demoPassword = "Demo-MultiSaude-2026!"

type demoAddress struct {
	CEP, Street, Number, District, City, UF, Zone, DDD string
}

func (a demoAddress) body() map[string]any {
	return map[string]any{"cep": a.CEP, "street": a.Street, "number": a.Number, "district": a.District, "city": a.City, "uf": a.UF}
}

var (
	addrSaoPaulo    = demoAddress{"01310-100", "Avenida Paulista", "1578", "Bela Vista", "São Paulo", "SP", "America/Sao_Paulo", "11"}
	addrSaoPaulo2   = demoAddress{"05422-030", "Rua dos Pinheiros", "870", "Pinheiros", "São Paulo", "SP", "America/Sao_Paulo", "11"}
	addrSaoPaulo3   = demoAddress{"04101-300", "Rua Vergueiro", "2253", "Vila Mariana", "São Paulo", "SP", "America/Sao_Paulo", "11"}
	addrRio         = demoAddress{"22071-000", "Avenida Nossa Senhora de Copacabana", "680", "Copacabana", "Rio de Janeiro", "RJ", "America/Sao_Paulo", "21"}
	addrRio2        = demoAddress{"22410-003", "Rua Visconde de Pirajá", "330", "Ipanema", "Rio de Janeiro", "RJ", "America/Sao_Paulo", "21"}
	addrBH          = demoAddress{"30130-170", "Avenida Afonso Pena", "1500", "Centro", "Belo Horizonte", "MG", "America/Sao_Paulo", "31"}
	addrBH2         = demoAddress{"30140-071", "Rua da Bahia", "1148", "Lourdes", "Belo Horizonte", "MG", "America/Sao_Paulo", "31"}
	addrRecife      = demoAddress{"51020-000", "Avenida Boa Viagem", "3200", "Boa Viagem", "Recife", "PE", "America/Recife", "81"}
	addrRecife2     = demoAddress{"50070-000", "Rua da Aurora", "295", "Boa Vista", "Recife", "PE", "America/Recife", "81"}
	addrPortoAlegre = demoAddress{"90035-001", "Avenida Independência", "925", "Independência", "Porto Alegre", "RS", "America/Sao_Paulo", "51"}
	addrPOA2        = demoAddress{"90570-020", "Rua Padre Chagas", "196", "Moinhos de Vento", "Porto Alegre", "RS", "America/Sao_Paulo", "51"}
	addrManaus      = demoAddress{"69005-040", "Avenida Eduardo Ribeiro", "520", "Centro", "Manaus", "AM", "America/Manaus", "92"}
	addrManaus2     = demoAddress{"69053-000", "Avenida Djalma Batista", "1661", "Chapada", "Manaus", "AM", "America/Manaus", "92"}
)

type demoProfessional struct {
	Key, Name, Email, Profession string
	Specialties, Modes           []string
	Price                        int64 // centavos
	Bio                          string
	Addr                         demoAddress
}

var demoProfessionals = []demoProfessional{
	{"camila", "Dra. Camila Rocha Andrade", "camila.andrade", "physician", []string{"clinical_medicine"}, []string{"in_person", "telemedicine"}, 28000,
		"Clínica médica com foco em prevenção e acompanhamento de doenças crônicas.", addrSaoPaulo},
	{"rafael", "Dr. Rafael Nogueira Lima", "rafael.lima", "physician", []string{"cardiology"}, []string{"in_person", "telemedicine"}, 42000,
		"Cardiologista; hipertensão, arritmias e check-up cardiológico.", addrSaoPaulo2},
	{"beatriz", "Dra. Beatriz Carvalho Menezes", "beatriz.menezes", "physician", []string{"pediatrics"}, []string{"in_person", "telemedicine"}, 35000,
		"Pediatra; puericultura e acompanhamento do crescimento.", addrRio},
	{"eduardo", "Dr. Eduardo Tavares Pinheiro", "eduardo.pinheiro", "physician", []string{"dermatology"}, []string{"in_person"}, 38000,
		"Dermatologia clínica: acne, dermatites e prevenção do câncer de pele.", addrBH},
	{"luana", "Dra. Luana Figueiredo Brandão", "luana.brandao", "physician", []string{"clinical_medicine"}, []string{"in_person", "telemedicine"}, 25000,
		"Clínica geral em Manaus; atendimento também por telemedicina.", addrManaus},
	{"marcelo", "Dr. Marcelo Albuquerque Cavalcanti", "marcelo.cavalcanti", "physician", []string{"cardiology"}, []string{"in_person", "telemedicine"}, 40000,
		"Cardiologia clínica e reabilitação cardiovascular.", addrRecife},
	{"fernanda", "Fernanda Lopes Teixeira", "fernanda.teixeira", "nutritionist", []string{"clinical_nutrition"}, []string{"in_person", "telemedicine"}, 22000,
		"Nutrição clínica: reeducação alimentar, diabetes e hipertensão.", addrPortoAlegre},
	{"juliana", "Juliana Martins Coelho", "juliana.coelho", "nutritionist", []string{"sports_nutrition"}, []string{"telemedicine"}, 20000,
		"Nutrição esportiva para corredores e praticantes de musculação.", addrSaoPaulo3},
	{"thiago", "Thiago Ribeiro Moura", "thiago.moura", "physiotherapist", []string{"orthopedic_physiotherapy"}, []string{"in_person"}, 18000,
		"Fisioterapia ortopédica e reabilitação pós-operatória.", addrRio2},
	{"patricia", "Patrícia Gomes Amaral", "patricia.amaral", "physiotherapist", []string{"respiratory_physiotherapy"}, []string{"in_person", "telemedicine"}, 17000,
		"Fisioterapia respiratória adulto e infantil.", addrBH2},
	{"diego", "Diego Fontes Barreto", "diego.barreto", "physical_educator", []string{"strength_training"}, []string{"in_person", "telemedicine"}, 15000,
		"Treinamento de força e condicionamento para iniciantes.", addrRecife2},
	{"renata", "Renata Vasconcelos Dias", "renata.dias", "psychologist", []string{"cognitive_behavioral_therapy"}, []string{"telemedicine", "in_person"}, 23000,
		"Psicoterapia cognitivo-comportamental para ansiedade e estresse.", addrPOA2},
}

type demoPatient struct {
	Key, Name, Email, Birth string
	Addr                    demoAddress
}

var demoPatients = []demoPatient{
	{"ana", "Ana Clara Souza Ribeiro", "ana.ribeiro", "1986-03-14", addrSaoPaulo},
	{"joao", "João Pedro Almeida Santos", "joao.santos", "1979-11-02", addrSaoPaulo2},
	{"mariana", "Mariana Costa Ferreira", "mariana.ferreira", "1992-07-23", addrBH},
	{"lucas", "Lucas Henrique Barbosa", "lucas.barbosa", "2001-01-30", addrRecife},
	{"gabriela", "Gabriela Nunes Oliveira", "gabriela.oliveira", "1995-09-18", addrPortoAlegre},
	{"antonio", "Antônio Carlos Pereira", "antonio.pereira", "1956-05-07", addrManaus2},
}

type demoItem struct {
	SKU, Name, Kind string
	Tags            []string
	Price           int64
	Stock           int
	Ingredient      string // medications
	Concentration   string
	Form            string
	Rx              bool
}

type demoExam struct {
	Name, Code, Preparation string
	Minutes, Capacity       int
	Price                   int64
}

type demoCompany struct {
	Key, Legal, Trade, Type, Email, Admin string
	Addr                                  demoAddress
	Items                                 []demoItem
	Exams                                 []demoExam
}

var demoCompanies = []demoCompany{
	{Key: "santahelena", Legal: "Hospital Santa Helena S.A.", Trade: "Hospital Santa Helena", Type: "hospital", Email: "hospital.santahelena",
		Admin: "Cláudia Regina Matos", Addr: addrSaoPaulo3, Exams: []demoExam{
			{"Hemograma completo", "40304361", "Jejum não obrigatório.", 15, 4, 3500},
			{"Eletrocardiograma", "40101010", "Evite cremes no tórax no dia do exame.", 20, 2, 9000},
			{"Ultrassonografia de abdome total", "40901122", "Jejum de 8 horas; bexiga cheia.", 30, 1, 24000},
		}},
	{Key: "saolucas", Legal: "Hospital São Lucas do Recife Ltda.", Trade: "Hospital São Lucas", Type: "hospital", Email: "hospital.saolucas",
		Admin: "Ricardo Lins Cavalcanti", Addr: addrRecife2, Exams: []demoExam{
			{"Raio-X de tórax (PA e perfil)", "40805026", "Retire objetos metálicos.", 15, 2, 8000},
			{"Ecocardiograma transtorácico", "40901300", "Sem preparo.", 40, 1, 32000},
			{"Glicemia de jejum", "40302040", "Jejum de 8 a 12 horas.", 10, 6, 1500},
		}},
	{Key: "vidanova", Legal: "Drogaria Vida Nova Ltda.", Trade: "Drogaria Vida Nova", Type: "pharmacy", Email: "drogaria.vidanova",
		Admin: "Paulo Sérgio Antunes", Addr: addrSaoPaulo, Items: []demoItem{
			{"LOS-50-30", "Losartana Potássica 50 mg, 30 comprimidos", "medication", []string{"drug:losartana"}, 1890, 60, "losartana potássica", "50 mg", "comprimido", true},
			{"HCTZ-25-30", "Hidroclorotiazida 25 mg, 30 comprimidos", "medication", []string{"drug:hidroclorotiazida"}, 890, 40, "hidroclorotiazida", "25 mg", "comprimido", true},
			{"DIP-500-10", "Dipirona Sódica 500 mg, 10 comprimidos", "medication", []string{"drug:dipirona"}, 1290, 80, "dipirona sódica", "500 mg", "comprimido", false},
			{"PARA-750-20", "Paracetamol 750 mg, 20 comprimidos", "medication", []string{"drug:paracetamol"}, 1590, 70, "paracetamol", "750 mg", "comprimido", false},
			{"MET-850-30", "Cloridrato de Metformina 850 mg, 30 comprimidos", "medication", []string{"drug:metformina"}, 1190, 50, "cloridrato de metformina", "850 mg", "comprimido", true},
			{"VITD-2000", "Vitamina D3 2.000 UI, 30 cápsulas", "product", []string{"supplement:vitamina-d"}, 3990, 25, "", "", "", false},
			{"PROT-FPS50", "Protetor solar FPS 50, 200 ml", "product", []string{"product:protetor-solar"}, 5990, 30, "", "", "", false},
		}},
	{Key: "bemestar", Legal: "Farmácia Bem Estar Comércio de Medicamentos Ltda.", Trade: "Farmácia Bem Estar", Type: "pharmacy", Email: "farmacia.bemestar",
		Admin: "Simone Arruda Barros", Addr: addrRio, Items: []demoItem{
			{"AMOX-500-21", "Amoxicilina 500 mg, 21 cápsulas", "medication", []string{"drug:amoxicilina"}, 2890, 30, "amoxicilina", "500 mg", "cápsula", true},
			{"IBU-600-20", "Ibuprofeno 600 mg, 20 comprimidos", "medication", []string{"drug:ibuprofeno"}, 1790, 45, "ibuprofeno", "600 mg", "comprimido", false},
			{"LOS-50-30", "Losartana Potássica 50 mg, 30 comprimidos", "medication", []string{"drug:losartana"}, 1750, 40, "losartana potássica", "50 mg", "comprimido", true},
			{"SORO-500", "Soro fisiológico 0,9%, 500 ml", "product", []string{"product:soro-fisiologico"}, 790, 60, "", "", "", false},
		}},
	{Key: "bomdia", Legal: "Hortifruti Bom Dia Comércio de Alimentos Ltda.", Trade: "Mercado Bom Dia", Type: "market", Email: "mercado.bomdia",
		Admin: "Jorge Luiz Fagundes", Addr: addrSaoPaulo2, Items: []demoItem{
			{"AVEIA-500", "Aveia em flocos finos 500 g", "food", []string{"food:aveia"}, 1249, 80, "", "", "", false},
			{"BANANA-KG", "Banana prata (kg)", "food", []string{"food:banana"}, 699, 120, "", "", "", false},
			{"PEITO-FRANGO-1KG", "Filé de peito de frango 1 kg", "food", []string{"food:frango"}, 2490, 40, "", "", "", false},
			{"ARROZ-INT-1KG", "Arroz integral 1 kg", "food", []string{"food:arroz-integral"}, 899, 60, "", "", "", false},
			{"AZEITE-500", "Azeite de oliva extravirgem 500 ml", "food", []string{"food:azeite"}, 3290, 30, "", "", "", false},
			{"IOGURTE-NAT", "Iogurte natural integral 170 g", "food", []string{"food:iogurte"}, 359, 90, "", "", "", false},
		}},
	{Key: "esportetotal", Legal: "Esporte Total Artigos Esportivos Ltda.", Trade: "Esporte Total", Type: "sports_store", Email: "esporte.total",
		Admin: "Vanessa Prado Moreira", Addr: addrSaoPaulo3, Items: []demoItem{
			{"TENIS-CORRIDA", "Tênis de corrida amortecido", "equipment", []string{"equipment:tenis-corrida"}, 39990, 15, "", "", "", false},
			{"HALTER-2X5", "Par de halteres emborrachados 5 kg", "equipment", []string{"equipment:halter"}, 18990, 10, "", "", "", false},
			{"TAPETE-YOGA", "Tapete de yoga antiderrapante", "equipment", []string{"equipment:tapete"}, 8990, 20, "", "", "", false},
			{"FAIXA-ELAST", "Kit de faixas elásticas (3 intensidades)", "equipment", []string{"equipment:faixa-elastica"}, 5990, 25, "", "", "", false},
		}},
	{Key: "movimento", Legal: "Academia Movimento Fitness Ltda.", Trade: "Academia Movimento", Type: "gym", Email: "academia.movimento",
		Admin: "Rodrigo Siqueira Campos", Addr: addrSaoPaulo, Items: []demoItem{
			{"PLANO-MENSAL", "Plano mensal de musculação", "gym_plan", []string{"activity:musculacao"}, 12990, -1, "", "", "", false},
			{"NATACAO-MENSAL", "Plano mensal de natação (3x por semana)", "gym_plan", []string{"activity:natacao"}, 18900, -1, "", "", "", false},
			{"PLANO-ANUAL", "Plano anual completo (musculação e aulas)", "gym_plan", []string{"activity:musculacao", "activity:aulas-coletivas"}, 119900, -1, "", "", "", false},
		}},
}
