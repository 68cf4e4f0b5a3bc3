package keycloakauth

import (
	"strings"
	"testing"
)

// An admin API error is logged: its message is kept, the params that echo the
// values sent are not.
func TestErrorOfDropsTheEchoedValues(t *testing.T) {
	got := result{status: 400, body: `{"field":"email","errorMessage":"invalidEmailMessage","params":["email","maria.souza@example.test"]}`}.unexpected("creating a user").Error()
	if strings.Contains(got, "maria") || !strings.Contains(got, "invalidEmailMessage") {
		t.Errorf("got %q", got)
	}
	if got := errorOf("<html>Maria Souza</html>"); strings.Contains(got, "Maria") {
		t.Errorf("got %q", got)
	}
}
