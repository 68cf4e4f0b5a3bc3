//go:build !lambda

package main

// demoVisits is the patients' past: completed appointments with their
// evaluations (vital signs), plans, prescriptions and messages.
func demoVisits() []demoVisit {
	vs := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	losartana := map[string]any{"type": "simple", "items": []any{map[string]any{"drug": "Losartana potássica", "active_ingredient": "Losartana potássica",
		"concentration": "50 mg", "form": "comprimido", "dosage": "1 comprimido pela manhã", "quantity": "30 comprimidos", "route": "oral"}}}
	return []demoVisit{
		{Patient: "ana", Pro: "rafael", DaysAgo: 75, Mode: "in_person", Reason: "Dor de cabeça frequente e pressão alta em medições na farmácia.",
			Eval: vs("kind", "detailed", "chief_complaint", "Cefaleia occipital e pressão 150x95 aferida na farmácia.",
				"history_of_present_illness", "Há dois meses com cefaleia no fim do dia; mãe hipertensa.",
				"physical_examination", "Bom estado geral; ausculta cardíaca sem sopros.", "assessment", "Hipertensão arterial sistêmica estágio 1.",
				"icd10", []string{"I10"}, "plan", "Iniciar losartana 50 mg; dieta com pouco sal; atividade física regular; MAPA em 30 dias.",
				"vital_signs", vs("systolic_mmhg", 152, "diastolic_mmhg", 96, "heart_rate_bpm", 82, "weight_kg", 71.4, "height_cm", 164, "spo2_pct", 98)),
			Plan: vs("title", "Controle da hipertensão arterial", "items", []any{
				vs("kind", "medication", "name", "Losartana 50 mg", "dosage", "1 comprimido", "frequency", "1x ao dia, pela manhã", "tags", []string{"drug:losartana"}),
				vs("kind", "diet", "name", "Aveia em flocos", "quantity", "3 colheres de sopa por dia", "tags", []string{"food:aveia"}),
				vs("kind", "diet", "name", "Banana", "quantity", "1 unidade por dia", "tags", []string{"food:banana"}),
				vs("kind", "exercise", "name", "Natação", "frequency", "3x por semana, 45 minutos", "needs_gym", true, "tags", []string{"activity:natacao"}),
			}),
			Rx: losartana,
			Messages: []string{"Doutor, comecei a losartana hoje. Posso tomar junto com o café da manhã?",
				"Pode sim, Ana. Tome todos os dias no mesmo horário e anote a pressão duas vezes por semana.",
				"Combinado, obrigada!"}},
		{Patient: "antonio", Pro: "luana", DaysAgo: 70, Mode: "in_person", Reason: "Sede excessiva e cansaço.",
			Eval: vs("kind", "detailed", "chief_complaint", "Polidipsia e fadiga há um mês.", "assessment", "Diabetes mellitus tipo 2 e hipertensão controlada.",
				"icd10", []string{"E11.9", "I10"}, "plan", "Metformina 850 mg; glicemia de jejum em 60 dias; orientação nutricional.",
				"medications_in_use", "Hidroclorotiazida 25 mg", "vital_signs", vs("systolic_mmhg", 138, "diastolic_mmhg", 84, "heart_rate_bpm", 76,
					"weight_kg", 88.2, "height_cm", 171, "glucose_mg_dl", 182, "waist_cm", 104)),
			Plan: vs("title", "Controle do diabetes tipo 2", "items", []any{
				vs("kind", "medication", "name", "Metformina 850 mg", "dosage", "1 comprimido", "frequency", "2x ao dia, após as refeições", "tags", []string{"drug:metformina"}),
				vs("kind", "diet", "name", "Arroz integral", "quantity", "no lugar do arroz branco", "tags", []string{"food:arroz-integral"}),
				vs("kind", "exercise", "name", "Caminhada", "frequency", "30 minutos, 5x por semana", "tags", []string{"activity:caminhada"}),
			}),
			Rx: map[string]any{"type": "simple", "items": []any{map[string]any{"drug": "Cloridrato de metformina", "active_ingredient": "Cloridrato de metformina",
				"concentration": "850 mg", "form": "comprimido", "dosage": "1 comprimido após o almoço e o jantar", "quantity": "60 comprimidos", "route": "oral"}}}},
		{Patient: "joao", Pro: "juliana", DaysAgo: 60, Mode: "telemedicine", Reason: "Quero ganhar massa magra com acompanhamento.",
			Eval: vs("kind", "simplified", "reason", "Consulta de nutrição esportiva.", "notes", "Treina musculação 4x por semana; baixa ingestão de proteína.",
				"vital_signs", vs("weight_kg", 78.6, "height_cm", 180, "waist_cm", 86)),
			Plan: vs("title", "Ganho de massa magra", "items", []any{
				vs("kind", "diet", "name", "Peito de frango", "quantity", "150 g no almoço e no jantar", "tags", []string{"food:frango"}),
				vs("kind", "diet", "name", "Arroz integral", "quantity", "4 colheres de sopa por refeição", "tags", []string{"food:arroz-integral"}),
				vs("kind", "diet", "name", "Aveia em flocos", "quantity", "40 g no café da manhã", "tags", []string{"food:aveia"}),
				vs("kind", "exercise", "name", "Musculação", "frequency", "4x por semana", "needs_gym", true, "tags", []string{"activity:musculacao"}),
			})},
		{Patient: "gabriela", Pro: "fernanda", DaysAgo: 55, Mode: "in_person", Reason: "Reeducação alimentar.",
			Eval: vs("kind", "simplified", "reason", "Avaliação nutricional inicial.", "notes", "Belisca doces à tarde; pouca fibra na dieta.",
				"vital_signs", vs("weight_kg", 68.3, "height_cm", 162, "waist_cm", 82)),
			Plan: vs("title", "Reeducação alimentar", "items", []any{
				vs("kind", "diet", "name", "Iogurte natural", "quantity", "1 pote no lanche da tarde", "tags", []string{"food:iogurte"}),
				vs("kind", "diet", "name", "Azeite de oliva", "quantity", "1 colher de sopa no almoço", "tags", []string{"food:azeite"}),
			})},
		{Patient: "mariana", Pro: "eduardo", DaysAgo: 50, Reason: "Acne no rosto e nas costas.",
			Eval: vs("kind", "detailed", "chief_complaint", "Lesões de acne há seis meses.", "assessment", "Acne vulgar moderada.", "icd10", []string{"L70.0"},
				"plan", "Sabonete com ácido salicílico, protetor solar diário; reavaliar em 8 semanas.", "vital_signs", vs("weight_kg", 59.0, "height_cm", 166))},
		{Patient: "lucas", Pro: "marcelo", DaysAgo: 45, Mode: "in_person", Reason: "Palpitações depois do treino.",
			Eval: vs("kind", "detailed", "chief_complaint", "Palpitações ocasionais após exercício intenso.", "assessment", "Extrassístoles supraventriculares isoladas; investigar.",
				"icd10", []string{"R00.2"}, "plan", "Ecocardiograma e Holter 24 h; evitar estimulantes.",
				"vital_signs", vs("systolic_mmhg", 122, "diastolic_mmhg", 78, "heart_rate_bpm", 88, "spo2_pct", 99, "weight_kg", 74.0, "height_cm", 178))},
		{Patient: "ana", Pro: "camila", DaysAgo: 40, Mode: "telemedicine", Reason: "Check-up anual.",
			Eval: vs("kind", "simplified", "reason", "Check-up anual.", "notes", "Sem queixas novas; pressão controlada com losartana.",
				"vital_signs", vs("systolic_mmhg", 134, "diastolic_mmhg", 86, "heart_rate_bpm", 74))},
		{Patient: "joao", Pro: "camila", DaysAgo: 20, Mode: "in_person", Reason: "Dor lombar após treino.",
			Eval: vs("kind", "detailed", "chief_complaint", "Dor lombar após levantamento de peso.", "assessment", "Lombalgia mecânica.", "icd10", []string{"M54.5"},
				"plan", "Sem sinais de alarme; analgesia e fisioterapia se persistir.", "vital_signs", vs("systolic_mmhg", 124, "diastolic_mmhg", 80, "temperature_c", 36.4)),
			Rx: map[string]any{"type": "simple", "items": []any{map[string]any{"drug": "Dipirona sódica", "active_ingredient": "Dipirona sódica",
				"concentration": "500 mg", "form": "comprimido", "dosage": "1 comprimido até de 6 em 6 horas, se dor", "quantity": "10 comprimidos", "route": "oral"}}}},
		{Patient: "mariana", Pro: "patricia", DaysAgo: 15, Mode: "in_person", Reason: "Falta de ar ao subir escadas depois de uma gripe.",
			Eval: vs("kind", "simplified", "reason", "Avaliação respiratória pós-infecção viral.", "notes", "Exercícios respiratórios; retorno em 2 semanas.",
				"vital_signs", vs("spo2_pct", 96, "respiratory_rate_bpm", 20, "heart_rate_bpm", 84))},
		{Patient: "gabriela", Pro: "renata", DaysAgo: 12, Mode: "telemedicine", Reason: "Ansiedade no trabalho.",
			Eval:     vs("kind", "simplified", "reason", "Primeira sessão.", "notes", "Relata insônia e preocupação excessiva; iniciar TCC semanal."),
			Messages: []string{"Oi, Renata. Fiz o registro de pensamentos que combinamos.", "Ótimo, Gabriela! Vamos conversar sobre ele na próxima sessão."}},
		{Patient: "lucas", Pro: "diego", DaysAgo: 10, Mode: "in_person", Reason: "Montar um treino de força seguro.",
			Eval: vs("kind", "simplified", "reason", "Avaliação física inicial.", "notes", "Boa mobilidade; iniciar treino de força 3x por semana com progressão.",
				"vital_signs", vs("weight_kg", 74.3, "heart_rate_bpm", 64, "waist_cm", 80))},
		{Patient: "ana", Pro: "rafael", DaysAgo: 8, Mode: "telemedicine", Reason: "Retorno com as medições de pressão.", keepRx: "ana-losartana",
			Eval: vs("kind", "simplified", "reason", "Retorno por telemedicina.", "notes", "Média das medições domiciliares 128x82; manter losartana.",
				"vital_signs", vs("systolic_mmhg", 128, "diastolic_mmhg", 82, "heart_rate_bpm", 72)),
			Rx:       losartana,
			Messages: []string{"Doutor, a receita nova já está no aplicativo?", "Está sim, Ana. Já pode pedir na farmácia parceira."}},
		{Patient: "antonio", Pro: "luana", DaysAgo: 5, Mode: "telemedicine", Reason: "Retorno: adaptação à metformina.",
			Eval: vs("kind", "simplified", "reason", "Retorno por telemedicina.", "notes", "Glicemias capilares entre 110 e 140; leve desconforto gástrico no início, já melhorou.",
				"vital_signs", vs("glucose_mg_dl", 128, "weight_kg", 86.9)),
			Messages: []string{"Doutora, as glicemias de hoje foram 118 em jejum e 135 depois do almoço.", "Muito bem, seu Antônio! Continue assim e faça o exame de jejum antes do retorno."}},
	}
}
