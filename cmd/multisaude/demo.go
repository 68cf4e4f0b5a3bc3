//go:build !lambda

package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/multisaude/multisaude/core/identity"
	appwire "github.com/multisaude/multisaude/wire"
)

func init() {
	register("demo", "fill the local database with demonstration data (pt-BR) and print the logins (--force on aws/onprem)", demoCmd)
}

const demoAdminEmail = "admin" + demoDomain

// demoClock is the app's clock during seeding: the real time shifted by an
// offset, so the history is written (and dated) as it would have happened.
type demoClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *demoClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().UTC().Add(c.offset)
}

// at moves the clock to t (t may be in the past; zero offset is the real time).
func (c *demoClock) at(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = time.Until(t)
}

func (c *demoClock) real() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = 0
}

func demoCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	profile := fs.String("profile", "", "local, aws or onprem (overrides MULTISAUDE_PROFILE)")
	force := fs.Bool("force", false, "seed also on the aws or onprem profile (never on a production database)")
	scale := fs.Float64("scale", 0, "instead of the demonstration, the national-size fixture (PostgreSQL) at this scale: 1 = 1,000,000 patients, 5,000,000 appointments")
	scalePassword := fs.String("password", scaleDefaultPassword, "with --scale: the one password of every fixture account")
	if err := fs.Parse(args); err != nil {
		return err
	}
	getenv := os.Getenv
	if *profile != "" {
		getenv = func(k string) string {
			if k == "MULTISAUDE_PROFILE" {
				return *profile
			}
			return os.Getenv(k)
		}
	}
	// refused before the configuration is even read: a production profile's
	// settings are no business of a demonstration
	if p := strings.TrimSpace(getenv("MULTISAUDE_PROFILE")); p != "" && p != appwire.ProfileLocal && !*force {
		return fmt.Errorf("recusado: o perfil %q pode ser um banco de produção; os dados de demonstração só são gravados no perfil local (use --force se tiver certeza)", p)
	}
	cfg, err := appwire.Load(getenv)
	if err != nil {
		return err
	}
	cfg.Version = version
	if *scale != 0 {
		return demoScale(ctx, cfg, *scale, *scalePassword, stdout, stderr)
	}
	adminEmail, adminPassword := cfg.AdminEmail, cfg.AdminPassword
	if adminEmail == "" { // the start hook creates this admin when none exists
		adminEmail, adminPassword = demoAdminEmail, demoPassword
		cfg.AdminEmail, cfg.AdminPassword = adminEmail, adminPassword
	}
	clock := &demoClock{}
	cfg.Clock = clock
	cfg.AuthAccessTTL = 400 * 24 * time.Hour // the seeding's tokens live across its moving clock; they are never handed out
	cfg.LogLevel = "error"
	cfg.LogOutput = stderr

	// The seeding talks to the app as a client would: its own HTTP API on the
	// configured address, the one MULTISAUDE_PUBLIC_URL names (the payment
	// simulator's webhooks come back there).
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("não foi possível ouvir em %s (MULTISAUDE_HTTP_ADDR): pare o `multisaude serve` antes de rodar o demo: %w", cfg.HTTPAddr, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	app, cleanup, err := build(ctx, cfg)
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer cleanup()
	if err := app.Start(ctx); err != nil {
		_ = ln.Close()
		return err
	}
	var wg sync.WaitGroup
	app.RunWorkers(ctx, &wg) // the outbox relay and the payment webhooks' consumers
	served := make(chan error, 1)
	go func() { served <- app.Server.Serve(ctx, ln) }()
	defer func() {
		cancel()
		<-served
		waitTimeout(&wg, cfg.ShutdownTimeout)
	}()

	s := &seeder{base: "http://" + loopback(ln.Addr()), clock: clock, http: &http.Client{Timeout: 60 * time.Second},
		adminEmail: adminEmail, adminPassword: adminPassword, ctx: ctx}
	if err := s.waitReady(); err != nil {
		return err
	}
	exists, err := s.exists()
	if err != nil {
		return err
	}
	if exists {
		fmt.Fprintln(stdout, "Os dados de demonstração já existem; nada foi criado de novo.")
	} else {
		fmt.Fprintln(stderr, "Criando os dados de demonstração (profissionais, pacientes, empresas e histórico)...")
		if err := s.seed(); err != nil {
			return fmt.Errorf("os dados de demonstração ficaram incompletos (apague a pasta MULTISAUDE_DATA_DIR, ou o banco, e rode de novo): %w", err)
		}
		// let the relay publish what the seeding raised before the app stops
		clock.real()
		fmt.Fprintf(stdout, "Dados de demonstração criados: %d profissionais, %d pacientes, %d empresas, %d consultas e exames, %d avaliações, %d planos de tratamento, %d receitas, %d pedidos, %d mensagens.\n",
			len(demoProfessionals), len(demoPatients), len(demoCompanies), s.count.appointments, s.count.evaluations, s.count.plans,
			s.count.prescriptions, s.count.orders, s.count.messages)
	}
	printLogins(stdout, adminEmail, adminPassword == demoPassword)
	return nil
}

// loopback turns a wildcard listen address into one a client can dial.
func loopback(a net.Addr) string {
	host, port, _ := net.SplitHostPort(a.String())
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func printLogins(out io.Writer, adminEmail string, adminDemoPassword bool) {
	fmt.Fprintln(out)
	fmt.Fprintln(out, "Acesse http://localhost:8080/ (depois de `go run ./cmd/multisaude serve`) com uma destas contas.")
	fmt.Fprintf(out, "Senha de todas as contas de demonstração: %s\n\n", demoPassword)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "LADO\tE-MAIL\tQUEM")
	for _, p := range demoPatients {
		fmt.Fprintf(w, "paciente\t%s\t%s (%s/%s)\n", p.Email+demoDomain, p.Name, p.Addr.City, p.Addr.UF)
	}
	for _, p := range demoProfessionals {
		what := professionPT[p.Profession]
		if sp := specialtyPT[p.Specialties[0]]; sp != "" {
			what += ", " + sp
		}
		fmt.Fprintf(w, "profissional\t%s\t%s, %s (%s/%s)\n", p.Email+demoDomain, p.Name, what, p.Addr.City, p.Addr.UF)
	}
	for _, c := range demoCompanies {
		fmt.Fprintf(w, "empresa\t%s\t%s, %s (%s)\n", c.Email+demoDomain, c.Admin, c.Trade, companyTypePT[c.Type])
	}
	admin := "administrador da plataforma"
	if !adminDemoPassword {
		admin += " (senha: a de MULTISAUDE_ADMIN_PASSWORD)"
	}
	fmt.Fprintf(w, "admin\t%s\t%s\n", adminEmail, admin)
	_ = w.Flush()
}

var professionPT = map[string]string{"physician": "médico(a)", "nutritionist": "nutricionista", "physiotherapist": "fisioterapeuta",
	"physical_educator": "educador(a) físico(a)", "psychologist": "psicólogo(a)"}

var specialtyPT = map[string]string{"clinical_medicine": "clínica médica", "cardiology": "cardiologia", "pediatrics": "pediatria",
	"dermatology": "dermatologia", "clinical_nutrition": "nutrição clínica", "sports_nutrition": "nutrição esportiva",
	"orthopedic_physiotherapy": "ortopédica", "respiratory_physiotherapy": "respiratória", "strength_training": "treinamento de força",
	"cognitive_behavioral_therapy": "terapia cognitivo-comportamental"}

var companyTypePT = map[string]string{"hospital": "hospital", "pharmacy": "farmácia", "market": "mercado", "sports_store": "loja de esportes", "gym": "academia"}

// demoCPF returns a random CPF with valid check digits.
func demoCPF() string {
	for {
		base := demoDigits(9)
		if strings.Trim(base, base[:1]) == "" {
			continue
		}
		return base + identity.CPFCheckDigits(base)
	}
}

// demoCNPJ returns a random numeric CNPJ (head office, 0001) with valid check digits.
func demoCNPJ() string {
	base := demoDigits(8) + "0001"
	return base + identity.CNPJCheckDigits(base)
}

func demoDigits(n int) string {
	var b strings.Builder
	for range n {
		d, _ := rand.Int(rand.Reader, big.NewInt(10))
		b.WriteByte(byte('0' + d.Int64()))
	}
	return b.String()
}

// apiError is an answer the seeding did not expect.
type apiError struct {
	method, path string
	status       int
	body         string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s %s respondeu HTTP %d: %s", e.method, e.path, e.status, strings.TrimSpace(e.body))
}

// do sends a JSON request to the app and decodes a 2xx answer into out.
func (s *seeder) do(method, path, token string, body, out any, headers ...string) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(s.ctx, method, s.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if method == http.MethodPost {
		s.keys++
		req.Header.Set("Idempotency-Key", fmt.Sprintf("demo-%d-%d", time.Now().UnixNano(), s.keys))
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := s.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if res.StatusCode/100 != 2 {
		return &apiError{method: method, path: path, status: res.StatusCode, body: string(b)}
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: resposta inesperada: %w", method, path, err)
		}
	}
	return nil
}

func (s *seeder) waitReady() error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := s.do(http.MethodGet, "/healthz", "", nil, nil)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("a aplicação não respondeu: %w", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// login signs in with the demo password grant and returns the access token.
func (s *seeder) login(email, password, kind string) (string, error) {
	var out struct {
		AccessToken string `json:"access_token"`
	}
	err := s.do(http.MethodPost, "/v1/auth/token", "", map[string]any{"grant_type": "password", "email": email, "password": password,
		"account_kind": kind}, &out)
	return out.AccessToken, err
}

// exists tells whether the demo data is there: the first account the seeding
// creates (a professional) signs in. It is an error when an earlier run
// stopped halfway (the last step, João's orders, is missing).
func (s *seeder) exists() (bool, error) {
	_, err := s.login(demoProfessionals[0].Email+demoDomain, demoPassword, "professional")
	var ae *apiError
	switch {
	case errors.As(err, &ae) && (ae.status == http.StatusUnauthorized || ae.status == http.StatusBadRequest):
		return false, nil
	case err != nil:
		return false, err
	}
	last := demoPatients[1]
	tok, err := s.login(last.Email+demoDomain, demoPassword, "patient")
	var orders struct {
		Items []struct{} `json:"items"`
	}
	if err == nil {
		err = s.do(http.MethodGet, "/v1/me/orders", tok, nil, &orders)
	}
	if err != nil || len(orders.Items) < 2 {
		return true, errors.New("os dados de demonstração de uma execução anterior estão incompletos (ela foi interrompida): " +
			"apague a pasta MULTISAUDE_DATA_DIR (ou o banco de MULTISAUDE_DATABASE_URL) e rode `multisaude demo` de novo")
	}
	return true, nil
}
