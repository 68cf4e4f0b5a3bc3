package messaging

import "testing"

func TestNotFound(t *testing.T) {
	for what, want := range map[string]string{
		"appointment":    "consulta não encontrada",
		"treatment plan": "plano de tratamento não encontrado",
		"widget":         "não encontrado: widget",
	} {
		if got := NotFound(what); got != want {
			t.Errorf("NotFound(%q) = %q, want %q", what, got, want)
		}
	}
}
