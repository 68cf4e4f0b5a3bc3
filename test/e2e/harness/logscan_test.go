package harness

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// A log line as the server writes it, with msg and extra attributes.
func logLine(msg, extra string) string {
	return fmt.Sprintf(`{"time":"2026-11-30T18:42:53.123456789Z","level":"INFO","msg":%q,"request_id":"019ad6a1-7c2e-7b3a-9f10-3e5d2c1b0a99"%s}`+"\n", msg, extra)
}

func TestLogScannerCatchesEachKind(t *testing.T) {
	cases := []struct{ name, line, want string }{
		{"e-mail", logLine("request failed", `,"err":"internal: no account maria.souza-123@example.test"`), "an e-mail address"},
		{"e-mail with plus", logLine("x", `,"to":"a+b@clinica.com.br"`), "an e-mail address"},
		{"CPF formatted", logLine("x", `,"err":"cpf 529.982.247-25 already used"`), "a CPF"},
		{"CPF bare", logLine("x", `,"cpf":"52998224725"`), "a CPF"},
		{"CPF bare in text", logLine("x", `,"err":"duplicate 52998224725 found"`), "a CPF"},
		{"CNPJ formatted", logLine("x", `,"err":"cnpj 11.222.333/0001-81"`), "a CNPJ"},
		{"CNPJ bare", logLine("x", `,"cnpj":"11222333000181"`), "a CNPJ"},
		{"CNPJ alphanumeric", logLine("x", `,"cnpj":"12ABC34501DE35"`), "a CNPJ"},
		{"CNPJ alphanumeric formatted", logLine("x", `,"cnpj":"12.ABC.345/01DE-35"`), "a CNPJ"},
		{"phone +55", logLine("x", `,"phone":"+5511987654321"`), "a phone number"},
		{"phone +55 spaced", logLine("x", `,"phone":"+55 (11) 98765-4321"`), "a phone number"},
		{"phone formatted", logLine("x", `,"err":"call (11) 98765-4321"`), "a phone number"},
		{"phone landline formatted", logLine("x", `,"err":"call (21) 3456-7890"`), "a phone number"},
		{"phone E.164 without plus", logLine("x", `,"msisdn":"5511987654321"`), "a phone number"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := NewLogScanner()
			_, _ = io.WriteString(s, c.line)
			leaks, n := s.Leaks()
			if n != 1 || len(leaks) != 1 || !strings.Contains(leaks[0], c.want) {
				t.Fatalf("want one leak naming %q, got %d: %q", c.want, n, leaks)
			}
		})
	}
}

func TestLogScannerLeavesIDsTimesAndAmounts(t *testing.T) {
	lines := []string{
		logLine("request", `,"method":"POST","route":"/v1/orders/:id/payments","status":201,"duration_ms":12.345,"bytes":1048576`),
		logLine("request", `,"request_id":"client-req-42"`),
		logLine("payment created", `,"payment_id":"019ad6a1-7c2e-7b3a-9f10-3e5d2c1b0a99","amount":12345,"currency":"BRL","fee_bp":250`),
		logLine("migrations applied", `,"count":42,"names":"20261130120000_commerce_orders.tx.up.sql"`),
		logLine("x", `,"at":"2026-11-30T15:42:53-03:00","unix_ms":1796052173123,"unix":1796052173,"ns":1796052173123456789`),
		logLine("x", `,"sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"`),
		logLine("x", `,"elapsed":12345678900,"n":52998224724`), // 11 digits that fail the CPF check
		logLine("x", `,"prescription_code":"RX7K2M9P4Q8W","key":"mk_live_ABCDEFGH"`),
		logLine("x", `,"module":"github.com/gofiber/fiber/v2@v2.52.5/app.go:412"`),
		logLine("x", `,"from":"no-reply at multisaude","addr":"127.0.0.1:43581","version":"v1.2.3"`),
	}
	s := NewLogScanner()
	// A value sent and a value that is too generic to watch.
	s.Watch("name", "Maria Souza")
	s.Watch("reason", "patient_request")
	for _, l := range lines {
		_, _ = io.WriteString(s, l)
	}
	if leaks, n := s.Leaks(); n != 0 {
		t.Fatalf("false positives (%d): %q", n, leaks)
	}
	if s.Lines() != len(lines) {
		t.Fatalf("scanned %d lines, want %d", s.Lines(), len(lines))
	}
}

func TestLogScannerCatchesWhatTheTestSent(t *testing.T) {
	var srv *httptest.Server
	var got []byte
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
	}))
	defer srv.Close()
	s := NewLogScanner()
	c := &http.Client{Transport: scanningTransport{base: http.DefaultTransport, scan: s}}

	body := `{"name":"Joana D'Arc Prado","address":{"street":"Rua das Acácias","number":"1000","city":"São Paulo","uf":"SP"},` +
		`"phone":"(11) 98765-4321","anamnesis":{"chief_complaint":"Dor torácica há três dias","allergies":["penicilina G"]},` +
		`"birth_date":"1990-04-12","kind":"patient","patient_id":"019ad6a1-7c2e-7b3a-9f10-3e5d2c1b0a99","notes":"ok"}`
	res, err := c.Post(srv.URL+"/v1/x?q=Fulano+de+Tal&limit=10&from=2026-12-01&to=2026-12-08", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if string(got) != body {
		t.Fatalf("the server got %q, want the body unchanged", got)
	}

	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	fw, _ := mw.CreateFormFile("file", "laudo-joana-prado.pdf")
	_, _ = fw.Write([]byte("%PDF-1.4 ..."))
	_ = mw.WriteField("title", "Ultrassom abdominal")
	_ = mw.Close()
	res, err = c.Post(srv.URL+"/v1/docs", mw.FormDataContentType(), bytes.NewReader(mp.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	res, err = c.PostForm(srv.URL+"/v1/token", url.Values{"username": {"JoanaPrado85"}, "password": {"Segredo-Forte-2026"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()

	leaking := map[string]string{
		"name":            "Joana D'Arc Prado",
		"birth_date":      "1990-04-12",
		"street":          "rua das acácias", // case does not hide it
		"phone":           "11987654321",     // as the server stores it: digits
		"chief_complaint": "Dor torácica há três dias",
		"allergies":       "penicilina G",
		"q":               "Fulano de Tal",
		"filename":        "laudo-joana-prado.pdf",
		"title":           "Ultrassom abdominal",
		"username":        "JoanaPrado85",
		"password":        "Segredo-Forte-2026",
	}
	for key, v := range leaking {
		_, _ = io.WriteString(s, logLine("oops", fmt.Sprintf(`,"err":"bad input %s here"`, v)))
		leaks, n := s.Leaks()
		if n != 1 || !strings.Contains(leaks[0], fmt.Sprintf("sent as %q", key)) {
			t.Errorf("%s: want one leak naming the key, got %d: %q", key, n, leaks)
			continue
		}
		if strings.Contains(leaks[0], v) {
			t.Errorf("%s: the report shows the value unmasked: %s", key, leaks[0])
		}
		s.leaks, s.leaked = nil, 0
	}
	// Not personal on their own: the street number, the city, a UF, enum
	// codes, IDs, short values.
	for _, v := range []string{`"number":"1000"`, "São Paulo", `"uf":"SP"`, "patient", "019ad6a1-7c2e-7b3a-9f10-3e5d2c1b0a99", `"notes":"ok"`, "limit=10",
		"2026-12-01", "2026-12-08T00:00:00Z"} {
		_, _ = io.WriteString(s, logLine("fine", fmt.Sprintf(`,"v":%q`, v)))
	}
	if leaks, n := s.Leaks(); n != 0 {
		t.Errorf("false positives (%d): %q", n, leaks)
	}
}

// A JSON log line escapes quotes: the scanner looks for the escaped form too.
func TestLogScannerFindsEscapedValues(t *testing.T) {
	s := NewLogScanner()
	s.Watch("name", `José "Zé" Silva`)
	_, _ = io.WriteString(s, logLine("x", `,"err":"no José \"Zé\" Silva"`))
	if _, n := s.Leaks(); n != 1 {
		t.Fatalf("escaped value not found")
	}
}

// Lines may arrive in pieces; a last line without a newline is scanned at Report.
func TestLogScannerSplitsLines(t *testing.T) {
	s := NewLogScanner()
	line := logLine("x", `,"err":"ana@example.test"`)
	_, _ = io.WriteString(s, line[:30])
	_, _ = io.WriteString(s, line[30:]+logLine("y", "")[:40])
	if s.Lines() != 1 {
		t.Fatalf("%d lines, want 1", s.Lines())
	}
	rec := &recorder{TB: t}
	s.Report(rec)
	if s.Lines() != 2 || len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "log line 1 holds an e-mail address") {
		t.Fatalf("lines %d, errors %q", s.Lines(), rec.errors)
	}
	if strings.Contains(rec.errors[0], "ana@example.test") {
		t.Fatalf("the report shows the e-mail: %s", rec.errors[0])
	}
	if !strings.Contains(strings.Join(rec.logs, "\n"), "last 2 server log lines") {
		t.Fatalf("no tail printed on failure: %q", rec.logs)
	}
}

// recorder is a testing.TB that records what Report says.
type recorder struct {
	testing.TB
	errors, logs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, a ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, a...))
}
func (r *recorder) Logf(format string, a ...any) { r.logs = append(r.logs, fmt.Sprintf(format, a...)) }
func (r *recorder) Failed() bool                 { return len(r.errors) > 0 }

// BenchmarkLogScanner: the cost of one request-log line with a hundred values watched.
func BenchmarkLogScanner(b *testing.B) {
	s := NewLogScanner()
	for i := 0; i < 100; i++ {
		s.Watch("name", fmt.Sprintf("Paciente Número %d da Silva", i))
	}
	line := []byte(logLine("request", `,"method":"POST","route":"/v1/orders/:id/payments","status":201,"duration_ms":12.345,"bytes":1048576`))
	b.SetBytes(int64(len(line)))
	for i := 0; i < b.N; i++ {
		_, _ = s.Write(line)
	}
}
