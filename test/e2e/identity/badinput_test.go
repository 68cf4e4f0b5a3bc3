package identity_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

// mutation changes one field of a valid body; the answer must be status and name field.
type mutation struct {
	name   string
	change func(b map[string]any)
	status int
	field  string
}

func set(path string, v any) func(map[string]any) {
	return func(b map[string]any) {
		parts := strings.Split(path, ".")
		m := b
		for _, p := range parts[:len(parts)-1] {
			m = m[p].(map[string]any)
		}
		m[parts[len(parts)-1]] = v
	}
}

func del(path string) func(map[string]any) {
	return func(b map[string]any) {
		parts := strings.Split(path, ".")
		m := b
		for _, p := range parts[:len(parts)-1] {
			m = m[p].(map[string]any)
		}
		delete(m, parts[len(parts)-1])
	}
}

// clone deep-copies a JSON-able body.
func clone(b map[string]any) map[string]any {
	raw, _ := json.Marshal(b)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return out
}

var addressMutations = []mutation{
	{"cep missing", del("address.cep"), 400, "address.cep"},
	{"cep letters", set("address.cep", "ABCDE-FGH"), 400, "address.cep"},
	{"street missing", set("address.street", " "), 400, "address.street"},
	{"number missing", del("address.number"), 400, "address.number"},
	{"district missing", del("address.district"), 400, "address.district"},
	{"city missing", del("address.city"), 400, "address.city"},
	{"uf unknown", set("address.uf", "XX"), 400, "address.uf"},
	{"uf wrong type", set("address.uf", 35), 400, "address.uf"},
	{"complement too long", set("address.complement", strings.Repeat("a", 101)), 400, "address.complement"},
}

func runMutations(t *testing.T, h *harness.H, path string, base func() map[string]any, ms []mutation) {
	t.Helper()
	for _, m := range ms {
		b := clone(base())
		m.change(b)
		r := h.Post(t, path, "", b)
		if r.Status != m.status {
			t.Errorf("%s %s: status %d, want %d: %s", path, m.name, r.Status, m.status, r.Body)
			continue
		}
		if p := r.Problem(t); !p.HasField(m.field) {
			t.Errorf("%s %s: problem names %v, want %q", path, m.name, p.Fields(), m.field)
		}
	}
}

func TestSignUpBadInput(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		patient := append([]mutation{
			{"name missing", del("name"), 400, "name"},
			{"name too long", set("name", strings.Repeat("x", 151)), 400, "name"},
			{"name with control characters", set("name", "Maria\x00"), 400, "name"},
			{"email missing", del("email"), 400, "email"},
			{"email malformed", set("email", "maria-at-example"), 400, "email"},
			{"email with display name", set("email", "Maria <m@example.com>"), 400, "email"},
			{"password missing", del("password"), 400, "password"},
			{"password short", set("password", "abc123"), 400, "password"},
			{"password one character", set("password", "aaaaaaaaaaaaaa"), 400, "password"},
			{"password too long", set("password", strings.Repeat("ab", 100)), 400, "password"},
			{"cpf missing", del("cpf"), 400, "cpf"},
			{"cpf check digits", set("cpf", "52998224724"), 400, "cpf"},
			{"cpf all equal", set("cpf", "111.111.111-11"), 400, "cpf"},
			{"cpf as number", set("cpf", 52998224725), 400, "cpf"},
			{"birth date format", set("birth_date", "12/04/1990"), 400, "birth_date"},
			{"birth date future", set("birth_date", "2999-01-01"), 400, "birth_date"},
			{"birth date missing", del("birth_date"), 400, "birth_date"},
			{"phone malformed", set("phone", "12"), 400, "phone"},
			{"phone missing", del("phone"), 400, "phone"},
			{"unknown field", set("nickname", "x"), 400, "nickname"},
			{"social name too long", set("social_name", strings.Repeat("x", 151)), 400, "social_name"},
		}, addressMutations...)
		runMutations(t, h, "/v1/patients", harness.PatientBody, patient)

		professional := append([]mutation{
			{"profession unknown", set("profession", "wizard"), 400, "profession"},
			{"profession missing", del("profession"), 400, "profession"},
			{"council type mismatched", set("council.type", "CRO"), 400, "council.type"},
			{"council number letters", set("council.number", "ABC"), 400, "council.number"},
			{"council number missing", set("council.number", ""), 400, "council.number"},
			{"council uf unknown", set("council.uf", "ZZ"), 400, "council.uf"},
			{"specialty malformed", set("specialties", []string{"Cardio logy!"}), 400, "specialties"},
			{"price negative", set("price.amount", -1), 400, "price.amount"},
			{"price currency", set("price.currency", "real"), 400, "price.currency"},
			{"price missing", del("price"), 400, "price"},
			{"price float", set("price.amount", 250.5), 400, "price.amount"},
			{"modes empty", set("modes", []string{}), 400, "modes"},
			{"mode unknown", set("modes", []string{"carrier_pigeon"}), 400, "modes"},
			{"in person without address", del("address"), 400, "address"},
			{"bio too long", set("bio", strings.Repeat("b", 2001)), 400, "bio"},
			{"cpf check digits", set("cpf", "12345678900"), 400, "cpf"},
			{"email malformed", set("email", "x@"), 400, "email"},
			{"password short", set("password", "short"), 400, "password"},
		}, addressMutations...)
		runMutations(t, h, "/v1/professionals", func() map[string]any { return harness.ProfessionalBody(harness.ProfessionalOptions{}) }, professional)

		company := append([]mutation{
			{"legal name missing", del("legal_name"), 400, "legal_name"},
			{"trade name missing", del("trade_name"), 400, "trade_name"},
			{"cnpj check digits", set("cnpj", "11.222.333/0001-82"), 400, "cnpj"},
			{"cnpj alphanumeric check digits", set("cnpj", "12.ABC.345/01DE-36"), 400, "cnpj"},
			{"cnpj missing", del("cnpj"), 400, "cnpj"},
			{"type unknown", set("type", "casino"), 400, "type"},
			{"phone malformed", set("phone", "abc"), 400, "phone"},
			{"contact email malformed", set("email", "nope"), 400, "email"},
			{"admin name missing", del("admin.name"), 400, "admin.name"},
			{"admin email malformed", set("admin.email", "nope"), 400, "admin.email"},
			{"admin password short", set("admin.password", "short"), 400, "admin.password"},
			{"admin missing", del("admin"), 400, "admin.email"},
		}, addressMutations...)
		runMutations(t, h, "/v1/companies", func() map[string]any { return harness.CompanyBody("hospital") }, company)

		// Not JSON at all, and the wrong content type.
		r := h.Do(t, harness.Req{Method: http.MethodPost, Path: "/v1/patients", Body: []byte(`{"name": `)})
		if r.Want(t, http.StatusBadRequest); !r.Problem(t).HasField("body") {
			t.Errorf("malformed JSON: %s", r.Body)
		}
		r = h.Do(t, harness.Req{Method: http.MethodPost, Path: "/v1/patients", Body: strings.NewReader("name=x"),
			Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
		r.Want(t, http.StatusUnsupportedMediaType)
	})
}

func TestSignUpEachKindAndDuplicates(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		// Patient: 201 with the normalised fields; same e-mail or CPF again is 409 naming the field.
		pb := harness.PatientBody()
		pb["cpf"] = "529.982.247-25"
		var p struct {
			ID, Kind, Email, CPF string
			Address              struct{ CEP, UF string }
		}
		r := h.Post(t, "/v1/patients", "", pb).Want(t, http.StatusCreated)
		r.JSON(t, &p)
		if p.ID == "" || p.Kind != "patient" || p.CPF != "52998224725" || p.Address.CEP != "01310100" || p.Address.UF != "SP" {
			t.Errorf("patient = %+v", p)
		}
		dupEmail := harness.PatientBody()
		dupEmail["email"] = strings.ToUpper(pb["email"].(string))
		if pr := h.Post(t, "/v1/patients", "", dupEmail).Want(t, http.StatusConflict).Problem(t); !pr.HasField("email") {
			t.Errorf("duplicate e-mail names %v", pr.Fields())
		}
		dupCPF := harness.PatientBody()
		dupCPF["cpf"] = "52998224725"
		if pr := h.Post(t, "/v1/patients", "", dupCPF).Want(t, http.StatusConflict).Problem(t); !pr.HasField("cpf") {
			t.Errorf("duplicate CPF names %v", pr.Fields())
		}
		// The same e-mail may be a professional too (unique per account type).
		prb := harness.ProfessionalBody(harness.ProfessionalOptions{})
		prb["email"] = pb["email"]
		var pro struct{ ID, Status string }
		h.Post(t, "/v1/professionals", "", prb).Want(t, http.StatusCreated).JSON(t, &pro)
		if pro.Status != "pending_verification" {
			t.Errorf("professional status %q", pro.Status)
		}
		dupPro := harness.ProfessionalBody(harness.ProfessionalOptions{})
		dupPro["email"] = prb["email"]
		if pr := h.Post(t, "/v1/professionals", "", dupPro).Want(t, http.StatusConflict).Problem(t); !pr.HasField("email") {
			t.Errorf("duplicate professional e-mail names %v", pr.Fields())
		}
		dupCouncil := harness.ProfessionalBody(harness.ProfessionalOptions{})
		dupCouncil["council"] = prb["council"]
		if pr := h.Post(t, "/v1/professionals", "", dupCouncil).Want(t, http.StatusConflict).Problem(t); !pr.HasField("council.number") {
			t.Errorf("duplicate council names %v", pr.Fields())
		}
		// A telemedicine-only professional needs no address.
		tele := harness.ProfessionalBody(harness.ProfessionalOptions{Profession: "psychologist", Modes: []string{"telemedicine"}})
		delete(tele, "address")
		h.Post(t, "/v1/professionals", "", tele).Want(t, http.StatusCreated)

		// Company with the alphanumeric CNPJ.
		cb := harness.CompanyBody("gym")
		cb["cnpj"] = "12.abc.345/01de-35"
		var co struct {
			ID, CNPJ, Status string
			AdminAccountID   string `json:"admin_account_id"`
		}
		h.Post(t, "/v1/companies", "", cb).Want(t, http.StatusCreated).JSON(t, &co)
		if co.CNPJ != "12ABC34501DE35" || co.Status != "pending_verification" || co.AdminAccountID == "" {
			t.Errorf("company = %+v", co)
		}
		dupCNPJ := harness.CompanyBody("gym")
		dupCNPJ["cnpj"] = "12ABC34501DE35"
		if pr := h.Post(t, "/v1/companies", "", dupCNPJ).Want(t, http.StatusConflict).Problem(t); !pr.HasField("cnpj") {
			t.Errorf("duplicate CNPJ names %v", pr.Fields())
		}
		dupAdmin := harness.CompanyBody("gym")
		dupAdmin["admin"] = cb["admin"]
		if pr := h.Post(t, "/v1/companies", "", dupAdmin).Want(t, http.StatusConflict).Problem(t); !pr.HasField("admin.email") {
			t.Errorf("duplicate admin e-mail names %v", pr.Fields())
		}
	})
}
