package wire

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadDefaults(t *testing.T) {
	cfg, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Profile != "local" || cfg.HTTPAddr != ":8080" || cfg.DatabaseURL != "sqlite:data/multisaude.db" || !cfg.Migrate() ||
		cfg.BodyLimit != 1<<20 || cfg.ShutdownTimeout != 15*time.Second || !cfg.RunWorker {
		t.Fatalf("%+v", cfg)
	}
}

func TestLoadNamesEveryBadVariable(t *testing.T) {
	_, err := Load(env(map[string]string{
		"MULTISAUDE_PROFILE": "onprem", "MULTISAUDE_BODY_LIMIT": "big", "MULTISAUDE_SHUTDOWN_TIMEOUT": "soon",
		"MULTISAUDE_LOG_LEVEL": "loud", "MULTISAUDE_ADMIN_EMAIL": "a@b.c", "MULTISAUDE_PUBLIC_URL": "ftp://x",
	}))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, v := range []string{"MULTISAUDE_DATABASE_URL", "MULTISAUDE_BODY_LIMIT", "MULTISAUDE_SHUTDOWN_TIMEOUT",
		"MULTISAUDE_LOG_LEVEL", "MULTISAUDE_ADMIN_PASSWORD", "MULTISAUDE_PUBLIC_URL"} {
		if !strings.Contains(err.Error(), v) {
			t.Errorf("error does not name %s:\n%v", v, err)
		}
	}
}

func TestConfigFileAndEnvironmentWins(t *testing.T) {
	f := filepath.Join(t.TempDir(), "multisaude.env")
	if err := os.WriteFile(f, []byte("# comment\nMULTISAUDE_HTTP_ADDR=:9090\nMULTISAUDE_LOG_LEVEL=debug\nMULTISAUDE_CORS_ORIGINS=https://a.example, https://b.example\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(env(map[string]string{"MULTISAUDE_CONFIG_FILE": f, "MULTISAUDE_LOG_LEVEL": "warn"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTPAddr != ":9090" || cfg.LogLevel != "warn" || len(cfg.CORSOrigins) != 2 || cfg.CORSOrigins[1] != "https://b.example" {
		t.Fatalf("%+v", cfg)
	}
	if err := os.WriteFile(f, []byte("not a pair\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(env(map[string]string{"MULTISAUDE_CONFIG_FILE": f})); err == nil || !strings.Contains(err.Error(), ":1") {
		t.Fatalf("bad file line not reported: %v", err)
	}
}

func TestEveryVariableIsInTheREADME(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range Fields() {
		if !strings.Contains(string(b), f.Env) {
			t.Errorf("README does not document %s", f.Env)
		}
	}
}

func TestMetricsAddr(t *testing.T) {
	for in, want := range map[string]string{"": "127.0.0.1:9090", ":9191": ":9191", "off": "", "OFF": ""} {
		cfg, err := Load(env(map[string]string{"MULTISAUDE_METRICS_ADDR": in}))
		if err != nil || cfg.MetricsAddr != want {
			t.Errorf("MULTISAUDE_METRICS_ADDR=%q: %q, %v; want %q", in, cfg.MetricsAddr, err, want)
		}
	}
	if _, err := Load(env(map[string]string{"MULTISAUDE_METRICS_ADDR": "9090"})); err == nil || !strings.Contains(err.Error(), "MULTISAUDE_METRICS_ADDR") {
		t.Errorf("a port without colon: %v", err)
	}
}
