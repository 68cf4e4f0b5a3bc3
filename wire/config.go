// Package wire holds the application's configuration, the google/wire provider
// sets (one small set per adapter, in sets.go) and the App they build. Each
// profile (local, aws, onprem) is a sub-package with its injector and its
// generated wire_gen.go.
package wire

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Profiles the binary can run with.
const (
	ProfileLocal  = "local"
	ProfileAWS    = "aws"
	ProfileOnprem = "onprem"
)

// Config is every setting, read from MULTISAUDE_* environment variables (and an
// optional file of KEY=VALUE lines named by MULTISAUDE_CONFIG_FILE; the
// environment wins). Each field's tag names its variable and default.
type Config struct {
	Profile         string        `env:"MULTISAUDE_PROFILE" default:"local" help:"local, aws or onprem"`
	HTTPAddr        string        `env:"MULTISAUDE_HTTP_ADDR" default:":8080" help:"listen address"`
	PublicURL       string        `env:"MULTISAUDE_PUBLIC_URL" default:"http://localhost:8080" help:"external base URL, used in links and signed URLs"`
	DataDir         string        `env:"MULTISAUDE_DATA_DIR" default:"./data" help:"local profile: folder for the SQLite database, files and keys"`
	DatabaseURL     string        `env:"MULTISAUDE_DATABASE_URL" default:"" help:"postgres://... (required for aws and onprem); local default sqlite:$DATA_DIR/multisaude.db"`
	DBMaxConns      int           `env:"MULTISAUDE_DB_MAX_CONNS" default:"20" help:"most PostgreSQL connections this process opens"`
	AutoMigrate     string        `env:"MULTISAUDE_AUTO_MIGRATE" default:"" help:"run migrations at start: true or false; default true for local, false otherwise"`
	BodyLimit       int           `env:"MULTISAUDE_BODY_LIMIT" default:"1048576" help:"maximum JSON body in bytes"`
	UploadLimit     int           `env:"MULTISAUDE_UPLOAD_LIMIT" default:"20971520" help:"maximum upload (multipart) body in bytes"`
	ReadTimeout     time.Duration `env:"MULTISAUDE_READ_TIMEOUT" default:"15s" help:"HTTP read timeout"`
	WriteTimeout    time.Duration `env:"MULTISAUDE_WRITE_TIMEOUT" default:"30s" help:"HTTP write timeout"`
	ShutdownTimeout time.Duration `env:"MULTISAUDE_SHUTDOWN_TIMEOUT" default:"15s" help:"how long SIGTERM waits for in-flight requests"`
	CORSOrigins     []string      `env:"MULTISAUDE_CORS_ORIGINS" default:"" help:"comma-separated allowed origins; empty disables CORS"`
	TrustedProxies  []string      `env:"MULTISAUDE_TRUSTED_PROXIES" default:"" help:"comma-separated proxy IPs whose X-Forwarded-For is trusted"`
	LogLevel        string        `env:"MULTISAUDE_LOG_LEVEL" default:"info" help:"debug, info, warn or error"`
	RunWorker       bool          `env:"MULTISAUDE_RUN_WORKER" default:"true" help:"serve also runs the background worker in-process"`
	AdminEmail      string        `env:"MULTISAUDE_ADMIN_EMAIL" default:"" help:"platform admin created at start when none exists"`
	AdminPassword   string        `env:"MULTISAUDE_ADMIN_PASSWORD" default:"" help:"its password"`
	Version         string        `env:"-"`

	LocalKeysMasterKeys     string `env:"MULTISAUDE_LOCALKEYS_MASTER_KEYS" default:"" help:"local/onprem key manager: id=BASE64(32 bytes) list, newest first; local default: generated into $DATA_DIR"`
	LocalKeysMasterKeysFile string `env:"MULTISAUDE_LOCALKEYS_MASTER_KEYS_FILE" default:"" help:"a file with the same list, one key a line"`
	LocalKeysCurrent        string `env:"MULTISAUDE_LOCALKEYS_CURRENT" default:"" help:"ID of the master key that wraps new data keys; default the first listed"`
	SignerSeed              string `env:"MULTISAUDE_SIGNER_SEED" default:"" help:"base64 Ed25519 seed signing prescriptions; local default: generated into $DATA_DIR/signing-key"`
	Secret                  string `env:"MULTISAUDE_SECRET" default:"" help:"HMAC secret for signed URLs; local default: generated into $DATA_DIR/secret"`

	AuthAccessTTL        time.Duration `env:"MULTISAUDE_AUTH_ACCESS_TTL" default:"15m" help:"lifetime of access tokens (local provider)"`
	AuthRefreshTTL       time.Duration `env:"MULTISAUDE_AUTH_REFRESH_TTL" default:"720h" help:"lifetime of refresh tokens; each use rotates them"`
	AuthResetTTL         time.Duration `env:"MULTISAUDE_AUTH_RESET_TTL" default:"1h" help:"lifetime of password-reset links"`
	AuthLockoutThreshold int           `env:"MULTISAUDE_AUTH_LOCKOUT_THRESHOLD" default:"5" help:"failed sign-ins in a row that lock an account"`
	AuthLockoutDuration  time.Duration `env:"MULTISAUDE_AUTH_LOCKOUT_DURATION" default:"15m" help:"how long a locked account stays locked"`
	AuthLoginPerIP       int           `env:"MULTISAUDE_AUTH_LOGIN_PER_IP" default:"300" help:"sign-in attempts per client IP per window (a whole clinic may share one address)"`
	AuthLoginPerAccount  int           `env:"MULTISAUDE_AUTH_LOGIN_PER_ACCOUNT" default:"10" help:"sign-in attempts per e-mail per window"`
	AuthRateWindow       time.Duration `env:"MULTISAUDE_AUTH_RATE_WINDOW" default:"1m" help:"the sign-in rate-limit window"`
	AuthIssuer           string        `env:"MULTISAUDE_AUTH_ISSUER" default:"" help:"iss claim of access tokens; default MULTISAUDE_PUBLIC_URL"`
	AuthKeyFile          string        `env:"MULTISAUDE_AUTH_KEY_FILE" default:"" help:"Ed25519 PEM key signing access tokens, created when missing; default $DATA_DIR/auth/jwt-ed25519.pem; share it between instances"`
	AuthResetURL         string        `env:"MULTISAUDE_AUTH_RESET_URL" default:"" help:"link base of password-reset e-mails, the token is appended; default $PUBLIC_URL/reset-password?token="`
	AuthArgon2MemoryKiB  int           `env:"MULTISAUDE_AUTH_ARGON2_MEMORY_KIB" default:"19456" help:"argon2id memory per password hash, KiB"`
	AuthArgon2Time       int           `env:"MULTISAUDE_AUTH_ARGON2_TIME" default:"2" help:"argon2id passes"`

	ClinicalCareWindow   time.Duration `env:"MULTISAUDE_CLINICAL_CARE_WINDOW" default:"4320h" help:"how long after the last confirmed or completed appointment a professional may still open the patient's record"`
	ClinicalEmergencyTTL time.Duration `env:"MULTISAUDE_CLINICAL_EMERGENCY_TTL" default:"4h" help:"how long a break-the-glass access lasts"`
}

// Field describes one configuration variable, for the README and `multisaude config`.
type Field struct{ Env, Default, Help string }

// Fields lists every variable of Config.
func Fields() []Field {
	t := reflect.TypeOf(Config{})
	out := make([]Field, 0, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Tag.Get("env") == "-" {
			continue
		}
		out = append(out, Field{Env: f.Tag.Get("env"), Default: f.Tag.Get("default"), Help: f.Tag.Get("help")})
	}
	return out
}

// Load reads the configuration from the environment (and file) and validates it.
// Every problem is reported, each naming its variable.
func Load(getenv func(string) string) (Config, error) {
	file := map[string]string{}
	if path := getenv("MULTISAUDE_CONFIG_FILE"); path != "" {
		var err error
		if file, err = readEnvFile(path); err != nil {
			return Config{}, fmt.Errorf("MULTISAUDE_CONFIG_FILE: %w", err)
		}
	}
	lookup := func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return file[k]
	}
	var cfg Config
	var problems []string
	v := reflect.ValueOf(&cfg).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := f.Tag.Get("env")
		if name == "-" {
			continue
		}
		raw := lookup(name)
		if raw == "" {
			raw = f.Tag.Get("default")
		}
		if err := setField(v.Field(i), raw); err != nil {
			problems = append(problems, fmt.Sprintf("%s=%q: %v", name, raw, err))
		}
	}
	problems = append(problems, cfg.validate()...)
	if len(problems) > 0 {
		sort.Strings(problems)
		return cfg, fmt.Errorf("invalid configuration:\n  %s", strings.Join(problems, "\n  "))
	}
	return cfg, nil
}

func setField(v reflect.Value, raw string) error {
	switch v.Interface().(type) {
	case string:
		v.SetString(raw)
	case int:
		if raw == "" {
			return nil
		}
		n, err := strconv.Atoi(raw)
		if err != nil {
			return fmt.Errorf("must be a whole number")
		}
		v.SetInt(int64(n))
	case bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return fmt.Errorf("must be true or false")
		}
		v.SetBool(b)
	case time.Duration:
		d, err := time.ParseDuration(raw)
		if err != nil {
			return fmt.Errorf("must be a duration such as 15s or 2m")
		}
		v.SetInt(int64(d))
	case []string:
		var list []string
		for _, s := range strings.Split(raw, ",") {
			if s = strings.TrimSpace(s); s != "" {
				list = append(list, s)
			}
		}
		v.Set(reflect.ValueOf(list))
	default:
		return fmt.Errorf("unsupported type %s", v.Type())
	}
	return nil
}

func (c *Config) validate() []string {
	var p []string
	switch c.Profile {
	case ProfileLocal:
		if c.DatabaseURL == "" {
			c.DatabaseURL = "sqlite:" + filepath.Join(c.DataDir, "multisaude.db")
		}
	case ProfileAWS, ProfileOnprem:
		if !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
			p = append(p, fmt.Sprintf("MULTISAUDE_DATABASE_URL: the %s profile needs a PostgreSQL URL (postgres://user:pass@host:5432/db)", c.Profile))
		}
	default:
		p = append(p, fmt.Sprintf("MULTISAUDE_PROFILE=%q: must be local, aws or onprem", c.Profile))
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "sqlite:") &&
		!strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		p = append(p, "MULTISAUDE_DATABASE_URL: must start with sqlite:, postgres:// or postgresql://")
	}
	switch c.AutoMigrate {
	case "":
		if c.Profile == ProfileLocal {
			c.AutoMigrate = "true"
		} else {
			c.AutoMigrate = "false"
		}
	case "true", "false":
	default:
		p = append(p, "MULTISAUDE_AUTO_MIGRATE: must be true or false")
	}
	if c.BodyLimit < 1024 {
		p = append(p, "MULTISAUDE_BODY_LIMIT: must be at least 1024 bytes")
	}
	if c.UploadLimit < c.BodyLimit {
		p = append(p, "MULTISAUDE_UPLOAD_LIMIT: must be at least MULTISAUDE_BODY_LIMIT")
	}
	if c.ShutdownTimeout <= 0 {
		p = append(p, "MULTISAUDE_SHUTDOWN_TIMEOUT: must be positive")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		p = append(p, "MULTISAUDE_LOG_LEVEL: must be debug, info, warn or error")
	}
	if !strings.HasPrefix(c.PublicURL, "http://") && !strings.HasPrefix(c.PublicURL, "https://") {
		p = append(p, "MULTISAUDE_PUBLIC_URL: must be an http:// or https:// URL")
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		p = append(p, "MULTISAUDE_ADMIN_EMAIL and MULTISAUDE_ADMIN_PASSWORD: set both or neither")
	}
	return p
}

// Migrate reports whether migrations run at start.
func (c Config) Migrate() bool { return c.AutoMigrate == "true" }

func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: expected KEY=VALUE", path, n)
		}
		out[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"'`)
	}
	return out, sc.Err()
}
