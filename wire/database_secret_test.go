package wire

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestDatabaseURLFromSecret: with MULTISAUDE_DATABASE_SECRET_ARN the URL the
// database is opened with carries the secret's user and password, read from
// Secrets Manager (its JSON protocol, served here); without it the URL is
// MULTISAUDE_DATABASE_URL as given; a missing secret stops the start naming
// the variable; a password in the URL beside the secret is refused.
func TestDatabaseURLFromSecret(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	const arn = "arn:aws:secretsmanager:sa-east-1:111122223333:secret:multisaude-db"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ SecretId string }
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &in)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if r.Header.Get("X-Amz-Target") != "secretsmanager.GetSecretValue" || in.SecretId != arn {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"ResourceNotFoundException","message":"Secrets Manager can't find the specified secret."}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"ARN": arn, "Name": "multisaude-db",
			"SecretString": `{"username":"multisaude","password":"s3nh@","host":"db.internal","port":5432}`})
	}))
	defer srv.Close()
	env := map[string]string{}
	for k, v := range awsEnv {
		env[k] = v
	}
	env["MULTISAUDE_DATABASE_URL"] = "postgres://placeholder/multisaude?sslmode=require"
	env["MULTISAUDE_SECRETSMANAGER_ENDPOINT"] = srv.URL

	cfg, err := Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if got, err := DatabaseURL(context.Background(), cfg); err != nil || got != cfg.DatabaseURL {
		t.Fatalf("without a secret: %q, %v", got, err)
	}
	env["MULTISAUDE_DATABASE_SECRET_ARN"] = arn
	if cfg, err = Load(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	got, err := DatabaseURL(context.Background(), cfg)
	if want := "postgres://multisaude:s3nh%40@db.internal:5432/multisaude?sslmode=require"; err != nil || got != want {
		t.Fatalf("with the secret: %q, %v; want %q", got, err, want)
	}

	env["MULTISAUDE_DATABASE_SECRET_ARN"] = arn + "-gone"
	cfg, _ = Load(func(k string) string { return env[k] })
	if _, err := DatabaseURL(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "MULTISAUDE_DATABASE_SECRET_ARN: Secrets Manager has no secret") {
		t.Errorf("missing secret: %v", err)
	}
	if _, _, err := ProvideDB(context.Background(), cfg, ProvideLogger(cfg, io.Discard), nil); err == nil || !strings.Contains(err.Error(), "has no secret") {
		t.Errorf("ProvideDB with a missing secret: %v", err)
	}

	env["MULTISAUDE_DATABASE_URL"] = "postgres://u:pw@db/multisaude"
	if _, err := Load(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "leave the password out") {
		t.Errorf("password in the URL beside the secret: %v", err)
	}
	local := map[string]string{"MULTISAUDE_DATA_DIR": t.TempDir(), "MULTISAUDE_DATABASE_SECRET_ARN": arn}
	if _, err := Load(func(k string) string { return local[k] }); err == nil || !strings.Contains(err.Error(), "only the aws profile") {
		t.Errorf("secret with the local profile: %v", err)
	}
}
