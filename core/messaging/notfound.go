package messaging

// NotFound is the pt-BR "no such <what>" a client reads, for the English noun
// the stores and use cases name the missing object with (the noun also names
// internal errors, so it stays English there).
func NotFound(what string) string {
	if m, ok := notFound[what]; ok {
		return m
	}
	return "não encontrado: " + what
}

var notFound = map[string]string{
	"API key":                     "chave de API não encontrada",
	"account":                     "conta não encontrada",
	"appointment":                 "consulta não encontrada",
	"company":                     "empresa não encontrada",
	"document":                    "documento não encontrado",
	"evaluation":                  "avaliação não encontrada",
	"member":                      "membro não encontrado",
	"patient":                     "paciente não encontrado",
	"prescription":                "receita não encontrada",
	"prescription with this code": "nenhuma receita tem este código",
	"professional":                "profissional não encontrado",
	"refresh token":               "token de renovação não encontrado",
	"reset token":                 "token de redefinição não encontrado",
	"share":                       "compartilhamento não encontrado",
	"treatment plan":              "plano de tratamento não encontrado",
}
