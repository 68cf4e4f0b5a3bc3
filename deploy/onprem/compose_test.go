package onprem_test

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/golang-jwt/jwt/v5"

	"github.com/multisaude/multisaude/adapters/identity/jwks"
	"github.com/multisaude/multisaude/adapters/video/jitsivideo"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	appwire "github.com/multisaude/multisaude/wire"
)

// filledSecrets are what an operator writes into the empty values of .env.example.
var filledSecrets = map[string]string{
	"POSTGRES_PASSWORD":                "4f1c2e0d9b8a7f6e5d4c3b2a1f0e9d8c",
	"APP_DB_PASSWORD":                  "8d7c6b5a4f3e2d1c0b9a8f7e",
	"KEYCLOAK_DB_PASSWORD":             "5a4f3e2d1c0b9a8f7e6d",
	"MINIO_ROOT_USER":                  "minioadmin-hospital",
	"MINIO_ROOT_PASSWORD":              "9e8d7c6b5a4f3e2d1c0b",
	"MINIO_APP_ACCESS_KEY":             "multisaude-app",
	"MINIO_APP_SECRET_KEY":             "0a1b2c3d4e5f6a7b8c9d",
	"RABBITMQ_USER":                    "multisaude",
	"RABBITMQ_PASSWORD":                "1b2c3d4e5f6a7b8c",
	"KEYCLOAK_ADMIN_PASSWORD":          "kc-bootstrap-7f6e5d",
	"KEYCLOAK_ADMIN_CLIENT_SECRET":     "kc-client-secret-3c2b1a",
	"JITSI_APP_SECRET":                 "jitsi-secret-0123456789abcdef0123456789",
	"JICOFO_AUTH_PASSWORD":             "jicofo-pw",
	"JVB_AUTH_PASSWORD":                "jvb-pw",
	"MULTISAUDE_LOCALKEYS_MASTER_KEYS": "k1=" + strings.Repeat("A", 43) + "=",
	"MULTISAUDE_SIGNER_SEED":           "c2VlZC1zZWVkLXNlZWQtc2VlZC1zZWVkLXNlZWQtMTI=",
	"MULTISAUDE_STRIPE_SECRET_KEY":     "sk_test_123",
	"MULTISAUDE_STRIPE_WEBHOOK_SECRET": "whsec_123",
	"JVB_ADVERTISE_IPS":                "192.168.10.20",
}

func envExample(t *testing.T) map[string]string {
	t.Helper()
	env, err := dotenv.GetEnvFromFile(map[string]string{}, []string{".env.example"})
	if err != nil {
		t.Fatalf(".env.example: %v", err)
	}
	return env
}

func loadCompose(env map[string]string) (*types.Project, error) {
	return loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  ".",
		ConfigFiles: []types.ConfigFile{{Filename: "compose.yaml"}},
		Environment: env,
	}, func(o *loader.Options) { o.SetProjectName("multisaude", true) })
}

func composeProject(t *testing.T) *types.Project {
	t.Helper()
	env := envExample(t)
	for k, v := range filledSecrets {
		env[k] = v
	}
	p, err := loadCompose(env)
	if err != nil {
		t.Fatalf("compose.yaml with a filled .env: %v", err)
	}
	return p
}

func serviceEnv(t *testing.T, s types.ServiceConfig) map[string]string {
	t.Helper()
	out := map[string]string{}
	for k, v := range s.Environment {
		if v == nil {
			t.Fatalf("%s: %s has no value", s.Name, k)
		}
		out[k] = *v
	}
	return out
}

// Copied as is, .env.example does not start anything: every secret is empty,
// and Compose names the first it misses instead of running with a default.
func TestEnvExampleHasNoWorkingSecrets(t *testing.T) {
	env := envExample(t)
	for k := range filledSecrets {
		if strings.HasPrefix(k, "JVB_") {
			continue
		}
		v, ok := env[k]
		if !ok {
			t.Errorf(".env.example does not list %s", k)
		} else if v != "" {
			t.Errorf(".env.example gives %s a value (%q): a secret that works silently", k, v)
		}
	}
	_, err := loadCompose(env)
	if err == nil || !strings.Contains(err.Error(), "defina ") {
		t.Fatalf("compose.yaml loaded with the empty secrets of .env.example: %v", err)
	}
	// Each secret is required on its own, not only the first one checked.
	for _, k := range []string{"POSTGRES_PASSWORD", "JITSI_APP_SECRET", "MULTISAUDE_LOCALKEYS_MASTER_KEYS", "KEYCLOAK_ADMIN_CLIENT_SECRET", "MINIO_APP_SECRET_KEY"} {
		env := envExample(t)
		for s, v := range filledSecrets {
			env[s] = v
		}
		env[k] = ""
		if _, err := loadCompose(env); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("without %s: %v", k, err)
		}
	}
}

func TestComposeServices(t *testing.T) {
	p := composeProject(t)
	want := []string{"api", "jitsi-jicofo", "jitsi-jvb", "jitsi-prosody", "jitsi-web", "keycloak", "migrate",
		"minio", "minio-init", "postgres", "rabbitmq", "smtp", "worker"}
	got := p.ServiceNames()
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("services %v, want %v", got, want)
	}
	oneShot := map[string]bool{"migrate": true, "minio-init": true}
	for name, s := range p.Services {
		if oneShot[name] {
			if s.Restart != "no" {
				t.Errorf("%s runs once but restarts %q", name, s.Restart)
			}
			continue
		}
		if s.HealthCheck == nil || s.HealthCheck.Disable || len(s.HealthCheck.Test) < 2 {
			t.Errorf("%s runs for good without a health check", name)
		}
		if s.Restart != "unless-stopped" {
			t.Errorf("%s restarts %q", name, s.Restart)
		}
		// Every service_healthy dependency has a health check to wait for.
		for dep, d := range s.DependsOn {
			target, ok := p.Services[dep]
			if !ok {
				t.Errorf("%s depends on unknown %s", name, dep)
				continue
			}
			switch d.Condition {
			case types.ServiceConditionHealthy:
				if target.HealthCheck == nil {
					t.Errorf("%s waits for %s to be healthy, which has no health check", name, dep)
				}
			case types.ServiceConditionCompletedSuccessfully:
				if !oneShot[dep] {
					t.Errorf("%s waits for %s to complete, which never does", name, dep)
				}
			default:
				t.Errorf("%s depends on %s with condition %q", name, dep, d.Condition)
			}
		}
	}

	for _, name := range []string{"api", "worker"} {
		s := p.Services[name]
		for dep, cond := range map[string]string{"migrate": types.ServiceConditionCompletedSuccessfully,
			"minio-init": types.ServiceConditionCompletedSuccessfully, "postgres": types.ServiceConditionHealthy,
			"rabbitmq": types.ServiceConditionHealthy, "keycloak": types.ServiceConditionHealthy, "smtp": types.ServiceConditionHealthy} {
			if s.DependsOn[dep].Condition != cond {
				t.Errorf("%s depends on %s: %q, want %q", name, dep, s.DependsOn[dep].Condition, cond)
			}
		}
		if s.ReadOnly != true || !slices.Contains(s.CapDrop, "ALL") {
			t.Errorf("%s: writable root or capabilities kept", name)
		}
	}
	if c := p.Services["migrate"].DependsOn["postgres"].Condition; c != types.ServiceConditionHealthy {
		t.Errorf("migrate waits for postgres: %q", c)
	}
	for name, args := range map[string][]string{"api": {"serve", "--no-worker"}, "worker": {"worker"}, "migrate": {"migrate", "up"}} {
		s := p.Services[name]
		if !slices.Equal([]string(s.Command), args) {
			t.Errorf("%s runs %q, want %q", name, s.Command, args)
		}
		if s.Image != p.Services["api"].Image || s.Build == nil || s.Build.Dockerfile != "deploy/onprem/Dockerfile" {
			t.Errorf("%s: image %q, build %+v: not the multisaude image built from deploy/onprem/Dockerfile", name, s.Image, s.Build)
		}
	}
	if _, err := os.Stat(p.Services["api"].Build.Context + "/deploy/onprem/Dockerfile"); err != nil {
		t.Errorf("build context %s holds no deploy/onprem/Dockerfile: %v", p.Services["api"].Build.Context, err)
	}
	// The distroless image has no shell: its checks run the binary.
	for name, test := range map[string][]string{"api": {"CMD", "/usr/local/bin/multisaude", "healthcheck"},
		"worker": {"CMD", "/usr/local/bin/multisaude", "healthcheck", "--worker"}} {
		if got := []string(p.Services[name].HealthCheck.Test); !slices.Equal(got, test) {
			t.Errorf("%s health check %q, want %q", name, got, test)
		}
	}
}

// The environment of api, worker and migrate is what the binary accepts:
// every MULTISAUDE_* name is a configuration variable and nothing required is missing.
func TestComposeConfiguration(t *testing.T) {
	p := composeProject(t)
	known := knownVars()
	for name, s := range p.Services {
		for k := range s.Environment {
			if strings.HasPrefix(k, "MULTISAUDE_") {
				if _, ok := known[k]; !ok {
					t.Errorf("%s sets %s, which is not a configuration variable", name, k)
				}
			}
		}
	}
	for _, name := range []string{"api", "worker"} {
		env := serviceEnv(t, p.Services[name])
		cfg, err := loadConfig(env)
		if err != nil {
			t.Fatalf("%s would not start: %v", name, err)
		}
		if cfg.Profile != appwire.ProfileOnprem || cfg.Blob != appwire.BlobMinio || cfg.Queue != appwire.QueueRabbitMQ ||
			cfg.Identity != appwire.IdentityKeycloak || cfg.Keys != appwire.KeysLocal || cfg.Notifier != appwire.NotifierSMTP ||
			cfg.Video != appwire.VideoJitsi || cfg.Migrate() {
			t.Errorf("%s: not the onprem adapters, or migrating at start: %+v", name, cfg)
		}
		if cfg.KeycloakAdminClientID == "" || cfg.KeycloakAdminClientSecret == "" {
			t.Errorf("%s: no Keycloak admin client", name)
		}
	}
	menv := serviceEnv(t, p.Services["migrate"])
	if _, err := appwire.LoadDatabase(func(k string) string { return menv[k] }); err != nil {
		t.Errorf("migrate would not start: %v", err)
	}

	env := serviceEnv(t, p.Services["api"])
	pg := serviceEnv(t, p.Services["postgres"])
	db, err := url.Parse(env["MULTISAUDE_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	// The init script makes the roles and databases from the postgres service's environment.
	initSQL, err := os.ReadFile("postgres/init-databases.sh")
	if err != nil {
		t.Fatal(err)
	}
	mounted := false
	for _, v := range p.Services["postgres"].Volumes {
		mounted = mounted || (strings.HasSuffix(v.Source, "postgres/init-databases.sh") && strings.HasPrefix(v.Target, "/docker-entrypoint-initdb.d/"))
	}
	if !mounted {
		t.Error("the init script is not mounted into /docker-entrypoint-initdb.d")
	}
	for _, want := range []string{`-v app_pw="$APP_DB_PASSWORD"`, "CREATE ROLE multisaude LOGIN PASSWORD :'app_pw';", "CREATE DATABASE multisaude OWNER multisaude;",
		`-v kc_pw="$KEYCLOAK_DB_PASSWORD"`, "CREATE ROLE keycloak LOGIN PASSWORD :'kc_pw';", "CREATE DATABASE keycloak OWNER keycloak;"} {
		if !strings.Contains(string(initSQL), want) {
			t.Errorf("the init script lacks %s", want)
		}
	}
	if pw, _ := db.User.Password(); db.Host != "postgres:5432" || db.User.Username() != "multisaude" || pw != pg["APP_DB_PASSWORD"] || db.Path != "/multisaude" {
		t.Errorf("database URL %s is not the role and database the init script makes", db.Redacted())
	}
	if db.User.Username() == pg["POSTGRES_USER"] {
		t.Error("multisaude connects as PostgreSQL's superuser")
	}
	kc := serviceEnv(t, p.Services["keycloak"])
	if kc["KC_DB_USERNAME"] != "keycloak" || kc["KC_DB_PASSWORD"] != pg["KEYCLOAK_DB_PASSWORD"] || kc["KC_DB_URL"] != "jdbc:postgresql://postgres:5432/keycloak" {
		t.Errorf("Keycloak's database settings are not the role and database the init script makes: %s %s", kc["KC_DB_USERNAME"], kc["KC_DB_URL"])
	}
	mq := serviceEnv(t, p.Services["rabbitmq"])
	amqp, err := url.Parse(env["MULTISAUDE_AMQP_URL"])
	if err != nil {
		t.Fatal(err)
	}
	if pw, _ := amqp.User.Password(); amqp.Hostname() != "rabbitmq" || amqp.User.Username() != mq["RABBITMQ_DEFAULT_USER"] || pw != mq["RABBITMQ_DEFAULT_PASS"] {
		t.Errorf("AMQP URL %s does not match the rabbitmq service", amqp.Redacted())
	}
	mi := p.Services["minio-init"]
	mienv := serviceEnv(t, mi)
	script := strings.Join(mi.Command, "\n")
	if env["MULTISAUDE_MINIO_ACCESS_KEY"] != mienv["MINIO_APP_ACCESS_KEY"] || env["MULTISAUDE_MINIO_SECRET_KEY"] != mienv["MINIO_APP_SECRET_KEY"] ||
		!strings.Contains(script, `mc admin user add local "$MINIO_APP_ACCESS_KEY" "$MINIO_APP_SECRET_KEY"`) {
		t.Error("the platform's MinIO credentials are not the user minio-init creates")
	}
	if !strings.Contains(script, "mc mb --ignore-existing local/"+env["MULTISAUDE_MINIO_BUCKET"]+"\n") ||
		!strings.Contains(script, "mc version enable local/"+env["MULTISAUDE_MINIO_BUCKET"]+"\n") {
		t.Errorf("minio-init does not create and version the bucket %q", env["MULTISAUDE_MINIO_BUCKET"])
	}
	if h, _ := url.Parse(env["MULTISAUDE_MINIO_ENDPOINT"]); h == nil || h.Hostname() != "minio" {
		t.Errorf("MinIO endpoint %q is not the minio service", env["MULTISAUDE_MINIO_ENDPOINT"])
	}
	if env["MULTISAUDE_SMTP_HOST"] != "smtp" {
		t.Errorf("SMTP host %q is not the smtp service", env["MULTISAUDE_SMTP_HOST"])
	}
}

// Keycloak issues tokens whose issuer is the URL the API discovers it at:
// browsers and the API reach it by the same name and port.
func TestComposeKeycloakIssuer(t *testing.T) {
	p := composeProject(t)
	env := serviceEnv(t, p.Services["api"])
	kc := p.Services["keycloak"]
	kenv := serviceEnv(t, kc)
	if kenv["KC_HOSTNAME"] != env["MULTISAUDE_KEYCLOAK_URL"] {
		t.Errorf("Keycloak's hostname %q is not MULTISAUDE_KEYCLOAK_URL %q: discovery would name another issuer", kenv["KC_HOSTNAME"], env["MULTISAUDE_KEYCLOAK_URL"])
	}
	u, err := url.Parse(env["MULTISAUDE_KEYCLOAK_URL"])
	if err != nil {
		t.Fatal(err)
	}
	if n := kc.Networks["default"]; n == nil || !slices.Contains(n.Aliases, u.Hostname()) {
		t.Errorf("inside the network %s does not reach the keycloak service", u.Hostname())
	}
	if kenv["KC_HTTP_PORT"] != u.Port() || len(kc.Ports) != 1 || kc.Ports[0].Published != u.Port() || kc.Ports[0].Target != uint32(mustAtoi(t, u.Port())) {
		t.Errorf("Keycloak listens on %s, publishes %+v; the URL says port %s", kenv["KC_HTTP_PORT"], kc.Ports, u.Port())
	}
	if !slices.Equal([]string(kc.Command), []string{"start", "--import-realm"}) {
		t.Errorf("keycloak runs %q", kc.Command)
	}
	for _, v := range kc.Volumes {
		if v.Target == "/opt/keycloak/data/import/multisaude-realm.json" && strings.HasSuffix(v.Source, "keycloak/multisaude-realm.json") {
			return
		}
	}
	t.Error("the realm file is not mounted into Keycloak's import folder")
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("%q is not a port", s)
		}
		n = n*10 + int(c-'0')
	}
	return n
}

type realmFile struct {
	Realm string `json:"realm"`
	Roles struct {
		Realm []struct {
			Name string `json:"name"`
		} `json:"realm"`
	} `json:"roles"`
	Clients []struct {
		ClientID               string `json:"clientId"`
		PublicClient           bool   `json:"publicClient"`
		BearerOnly             bool   `json:"bearerOnly"`
		Secret                 string `json:"secret"`
		ServiceAccountsEnabled bool   `json:"serviceAccountsEnabled"`
		DefaultClientScopes    []string
		ProtocolMappers        []struct {
			ProtocolMapper string            `json:"protocolMapper"`
			Config         map[string]string `json:"config"`
		} `json:"protocolMappers"`
	} `json:"clients"`
	Users []struct {
		Username               string              `json:"username"`
		ServiceAccountClientID string              `json:"serviceAccountClientId"`
		ClientRoles            map[string][]string `json:"clientRoles"`
	} `json:"users"`
	Components map[string][]struct {
		Config map[string][]string `json:"config"`
	} `json:"components"`
}

// The realm gives what keycloakauth reads: the client the tokens must name,
// the account and company claims, the kind and company roles, and a service
// account that may create users and grant roles.
func TestKeycloakRealm(t *testing.T) {
	raw, err := os.ReadFile("keycloak/multisaude-realm.json")
	if err != nil {
		t.Fatal(err)
	}
	var realm realmFile
	if err := json.Unmarshal(raw, &realm); err != nil {
		t.Fatalf("the realm file is not JSON: %v", err)
	}
	p := composeProject(t)
	env := serviceEnv(t, p.Services["api"])
	kenv := serviceEnv(t, p.Services["keycloak"])

	if realm.Realm != env["MULTISAUDE_KEYCLOAK_REALM"] || realm.Realm != defaultOf(t, "MULTISAUDE_KEYCLOAK_REALM") {
		t.Errorf("realm %q; MULTISAUDE_KEYCLOAK_REALM %q, default %q", realm.Realm, env["MULTISAUDE_KEYCLOAK_REALM"], defaultOf(t, "MULTISAUDE_KEYCLOAK_REALM"))
	}
	// Every role keycloakauth grants (jwks.Groups) and reads back (jwks.PrincipalOf).
	var roles []string
	for _, r := range realm.Roles.Realm {
		roles = append(roles, r.Name)
	}
	need := slices.Concat(jwks.Groups(kernel.KindPatient, nil), jwks.Groups(kernel.KindProfessional, nil),
		jwks.Groups(kernel.KindAdmin, nil), jwks.Groups(kernel.KindCompanyMember, identity.Roles()))
	for _, r := range need {
		if !slices.Contains(roles, r) {
			t.Errorf("realm role %q is missing (CreateUser grants it)", r)
		}
	}
	for _, r := range roles {
		pr, err := jwks.PrincipalOf(kernel.NewID(), kernel.NewID(), []string{r, string(kernel.KindCompanyMember)}, nil)
		if err != nil {
			t.Errorf("role %q: %v", r, err)
		} else if !slices.Contains(need, r) {
			t.Errorf("realm role %q is not one the platform reads (principal %+v)", r, pr)
		}
	}

	clients := map[string]int{}
	for i, c := range realm.Clients {
		clients[c.ClientID] = i
	}
	apiClient := env["MULTISAUDE_KEYCLOAK_CLIENT_ID"]
	if _, ok := clients[apiClient]; !ok {
		t.Fatalf("no client %q (MULTISAUDE_KEYCLOAK_CLIENT_ID)", apiClient)
	}
	accountClaim, companyClaim := env["MULTISAUDE_KEYCLOAK_ACCOUNT_ID_CLAIM"], env["MULTISAUDE_KEYCLOAK_COMPANY_ID_CLAIM"]
	if accountClaim != defaultOf(t, "MULTISAUDE_KEYCLOAK_ACCOUNT_ID_CLAIM") || companyClaim != defaultOf(t, "MULTISAUDE_KEYCLOAK_COMPANY_ID_CLAIM") {
		t.Errorf("claims %q/%q differ from the configuration's defaults", accountClaim, companyClaim)
	}
	// A client browsers sign in with puts the API client in aud and the two
	// user attributes (written by CreateUser under the claim names) in the access token.
	signIn := 0
	for _, c := range realm.Clients {
		var aud, account, company bool
		for _, m := range c.ProtocolMappers {
			switch {
			case m.ProtocolMapper == "oidc-audience-mapper" && m.Config["included.client.audience"] == apiClient && m.Config["access.token.claim"] == "true":
				aud = true
			case m.ProtocolMapper == "oidc-usermodel-attribute-mapper" && m.Config["access.token.claim"] == "true" &&
				m.Config["user.attribute"] == accountClaim && m.Config["claim.name"] == accountClaim:
				account = true
			case m.ProtocolMapper == "oidc-usermodel-attribute-mapper" && m.Config["access.token.claim"] == "true" &&
				m.Config["user.attribute"] == companyClaim && m.Config["claim.name"] == companyClaim:
				company = true
			}
		}
		if aud && account && company {
			signIn++
			if !slices.Contains(c.DefaultClientScopes, "roles") {
				t.Errorf("client %s leaves out the roles scope: tokens would carry no realm_access", c.ClientID)
			}
		}
	}
	if signIn == 0 {
		t.Error("no client issues tokens with the API audience and the account_id and company_id claims")
	}
	// The user profile keeps the attributes the admin API writes (Keycloak drops undeclared ones).
	up := realm.Components["org.keycloak.userprofile.UserProfileProvider"]
	if len(up) != 1 || len(up[0].Config["kc.user.profile.config"]) != 1 {
		t.Fatal("no declarative user profile")
	}
	var profile struct {
		Attributes []struct {
			Name string `json:"name"`
		} `json:"attributes"`
	}
	if err := json.Unmarshal([]byte(up[0].Config["kc.user.profile.config"][0]), &profile); err != nil {
		t.Fatalf("user profile: %v", err)
	}
	for _, claim := range []string{accountClaim, companyClaim} {
		if !slices.ContainsFunc(profile.Attributes, func(a struct {
			Name string `json:"name"`
		}) bool {
			return a.Name == claim
		}) {
			t.Errorf("the user profile does not declare %s", claim)
		}
	}

	// The admin client: confidential, a service account that manages users,
	// its secret the one the API is given.
	adminID := env["MULTISAUDE_KEYCLOAK_ADMIN_CLIENT_ID"]
	i, ok := clients[adminID]
	if !ok {
		t.Fatalf("no client %q (MULTISAUDE_KEYCLOAK_ADMIN_CLIENT_ID)", adminID)
	}
	admin := realm.Clients[i]
	if admin.PublicClient || !admin.ServiceAccountsEnabled {
		t.Errorf("admin client: public %v, service account %v", admin.PublicClient, admin.ServiceAccountsEnabled)
	}
	placeholder := regexp.MustCompile(`^\$\{([A-Z0-9_]+)\}$`).FindStringSubmatch(admin.Secret)
	if placeholder == nil || kenv[placeholder[1]] != env["MULTISAUDE_KEYCLOAK_ADMIN_CLIENT_SECRET"] {
		t.Errorf("admin client secret %q does not resolve, in Keycloak's environment, to MULTISAUDE_KEYCLOAK_ADMIN_CLIENT_SECRET", admin.Secret)
	}
	sa := false
	for _, u := range realm.Users {
		if u.ServiceAccountClientID == adminID {
			rm := u.ClientRoles["realm-management"]
			sa = slices.Contains(rm, "manage-users") && slices.Contains(rm, "view-realm")
		}
	}
	if !sa {
		t.Error("the admin client's service account lacks realm-management manage-users and view-realm")
	}
	// Every placeholder the import resolves is set in Keycloak's environment.
	for _, m := range regexp.MustCompile(`\$\{([A-Z][A-Z0-9_]*)\}`).FindAllStringSubmatch(string(raw), -1) {
		if kenv[m[1]] == "" {
			t.Errorf("the realm file reads ${%s}, which the keycloak service does not set", m[1])
		}
	}
}

// Prosody accepts the tokens jitsivideo signs with the API's settings.
func TestComposeJitsiAcceptsOurTokens(t *testing.T) {
	p := composeProject(t)
	env := serviceEnv(t, p.Services["api"])
	prosody := serviceEnv(t, p.Services["jitsi-prosody"])
	web := serviceEnv(t, p.Services["jitsi-web"])
	if prosody["ENABLE_AUTH"] != "1" || prosody["AUTH_TYPE"] != "jwt" || prosody["JWT_ALLOW_EMPTY"] != "0" || prosody["ENABLE_GUESTS"] != "0" {
		t.Errorf("prosody does not require tokens: %v", prosody)
	}
	if prosody["JWT_APP_ID"] != env["MULTISAUDE_JITSI_APP_ID"] || prosody["JWT_APP_SECRET"] != env["MULTISAUDE_JITSI_SECRET"] {
		t.Error("prosody's app id/secret are not MULTISAUDE_JITSI_APP_ID/SECRET")
	}
	if web["PUBLIC_URL"] != env["MULTISAUDE_JITSI_URL"] {
		t.Errorf("Jitsi serves %q, multisaude links to %q", web["PUBLIC_URL"], env["MULTISAUDE_JITSI_URL"])
	}
	for _, s := range []string{"jitsi-web", "jitsi-jicofo", "jitsi-jvb"} {
		if e := serviceEnv(t, p.Services[s]); e["XMPP_DOMAIN"] != prosody["XMPP_DOMAIN"] || e["JICOFO_AUTH_PASSWORD"] != prosody["JICOFO_AUTH_PASSWORD"] {
			t.Errorf("%s and prosody disagree on the XMPP domain or passwords", s)
		}
	}
	cfg, err := loadConfig(env)
	if err != nil {
		t.Fatal(err)
	}
	rooms, err := jitsivideo.New(jitsivideo.Config{BaseURL: cfg.JitsiURL, AppID: cfg.JitsiAppID, Secret: []byte(cfg.JitsiSecret)})
	if err != nil {
		t.Fatalf("jitsivideo refuses the Compose settings: %v", err)
	}
	room, err := rooms.CreateRoom(context.Background(), ports.VideoRoomSpec{AppointmentID: kernel.NewID(), Start: time.Now().Add(time.Hour), End: time.Now().Add(90 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	cred, err := rooms.Join(context.Background(), room, ports.VideoParticipant{AccountID: kernel.NewID(), DisplayName: "Dra. Ana"}, now.Add(-time.Minute), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var claims jitsivideo.Claims
	if _, err := jwt.ParseWithClaims(cred.Token, &claims, func(*jwt.Token) (any, error) { return []byte(prosody["JWT_APP_SECRET"]), nil },
		jwt.WithValidMethods([]string{"HS256"})); err != nil {
		t.Fatalf("a token signed by multisaude fails prosody's secret: %v", err)
	}
	if !slices.Contains(strings.Split(prosody["JWT_ACCEPTED_ISSUERS"], ","), claims.Issuer) {
		t.Errorf("iss %q not in JWT_ACCEPTED_ISSUERS %q", claims.Issuer, prosody["JWT_ACCEPTED_ISSUERS"])
	}
	if !slices.ContainsFunc(claims.Audience, func(a string) bool { return slices.Contains(strings.Split(prosody["JWT_ACCEPTED_AUDIENCES"], ","), a) }) {
		t.Errorf("aud %q not in JWT_ACCEPTED_AUDIENCES %q", claims.Audience, prosody["JWT_ACCEPTED_AUDIENCES"])
	}
	if claims.Subject != prosody["XMPP_DOMAIN"] && prosody["JWT_ENABLE_DOMAIN_VERIFICATION"] != "false" {
		t.Errorf("sub %q is not the XMPP domain %q and domain verification is on", claims.Subject, prosody["XMPP_DOMAIN"])
	}
}
