package awssecrets

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeSecrets speaks Secrets Manager's JSON protocol (X-Amz-Target:
// secretsmanager.GetSecretValue) for the secrets it holds.
type fakeSecrets struct {
	mu      sync.Mutex
	secrets map[string]string // ID -> SecretString
	seen    []*http.Request
}

func (f *fakeSecrets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.seen = append(f.seen, r)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	fail := func(status int, kind, msg string) {
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": kind, "message": msg})
	}
	if r.Method != http.MethodPost || r.Header.Get("X-Amz-Target") != "secretsmanager.GetSecretValue" {
		fail(http.StatusBadRequest, "InvalidRequestException", "unexpected call "+r.Header.Get("X-Amz-Target"))
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		fail(http.StatusForbidden, "AccessDeniedException", "unsigned request")
		return
	}
	var in struct{ SecretId string }
	if err := json.Unmarshal(body, &in); err != nil {
		fail(http.StatusBadRequest, "InvalidRequestException", "bad body")
		return
	}
	if in.SecretId == "arn:aws:secretsmanager:sa-east-1:111122223333:secret:forbidden" {
		fail(http.StatusBadRequest, "AccessDeniedException", "User is not authorized to perform secretsmanager:GetSecretValue")
		return
	}
	s, ok := f.secrets[in.SecretId]
	if !ok {
		fail(http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"ARN": in.SecretId, "Name": "db", "SecretString": s, "VersionId": "v1",
		"VersionStages": []string{"AWSCURRENT"}, "CreatedDate": 1.7e9})
}

func serve(t *testing.T, secrets map[string]string) (*fakeSecrets, string) {
	t.Helper()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	f := &fakeSecrets{secrets: secrets}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

const (
	managed  = "arn:aws:secretsmanager:sa-east-1:111122223333:secret:rds!db-1234"
	attached = "arn:aws:secretsmanager:sa-east-1:111122223333:secret:multisaude-db-AbCdEf"
	broken   = "arn:aws:secretsmanager:sa-east-1:111122223333:secret:broken"
	noPass   = "arn:aws:secretsmanager:sa-east-1:111122223333:secret:nopass"
	badPort  = "arn:aws:secretsmanager:sa-east-1:111122223333:secret:badport"
)

func TestDatabaseURL(t *testing.T) {
	f, endpoint := serve(t, map[string]string{
		// RDS-managed secret: only the credentials; the password has characters a URL must escape.
		managed: `{"username":"multisaude","password":"p@ss:w/rd?#1"}`,
		// Attached to the instance: host and port (a number) as well.
		attached: `{"username":"app","password":"s3nha","engine":"postgres","host":"db.abc.sa-east-1.rds.amazonaws.com","port":5432,"dbname":"clinic","dbInstanceIdentifier":"x"}`,
		broken:   `{"username":"multisaude","password":"hunter2-very-secret"`,
		noPass:   `{"username":"multisaude"}`,
		badPort:  `{"username":"u","password":"p","port":"http"}`,
	})
	ctx := context.Background()
	base := "postgres://db.internal:5432/multisaude?sslmode=require"

	got, err := DatabaseURL(ctx, Config{SecretID: managed, Endpoint: endpoint}, base)
	if err != nil {
		t.Fatal(err)
	}
	if want := "postgres://multisaude:p%40ss%3Aw%2Frd%3F%231@db.internal:5432/multisaude?sslmode=require"; got != want {
		t.Errorf("managed secret: %s, want %s", got, want)
	}
	got, err = DatabaseURL(ctx, Config{SecretID: attached, Endpoint: endpoint}, "postgres://placeholder/multisaude?sslmode=require")
	if err != nil {
		t.Fatal(err)
	}
	if want := "postgres://app:s3nha@db.abc.sa-east-1.rds.amazonaws.com:5432/clinic?sslmode=require"; got != want {
		t.Errorf("attached secret: %s, want %s", got, want)
	}
	// The region comes from the ARN: the request is signed for sa-east-1.
	if auth := f.seen[0].Header.Get("Authorization"); !strings.Contains(auth, "/sa-east-1/secretsmanager/aws4_request") {
		t.Errorf("request not signed for the ARN's region: %s", auth)
	}

	for _, c := range []struct {
		id, base string
		want     []string
		never    string
	}{
		{id: "arn:aws:secretsmanager:sa-east-1:111122223333:secret:missing", base: base,
			want: []string{"MULTISAUDE_DATABASE_SECRET_ARN", "has no secret", "secret:missing"}},
		{id: broken, base: base, want: []string{"MULTISAUDE_DATABASE_SECRET_ARN", "is not JSON with username and password", "syntax error"}, never: "hunter2"},
		{id: noPass, base: base, want: []string{"lacks password"}},
		{id: badPort, base: base, want: []string{"port that is not a number"}},
		{id: "arn:aws:secretsmanager:sa-east-1:111122223333:secret:forbidden", base: base, want: []string{"not allowed to read", "secretsmanager:GetSecretValue"}},
		{id: managed, base: "mysql://h/db", want: []string{"MULTISAUDE_DATABASE_URL: must be a postgres:// URL"}},
		{id: managed, base: "postgres:///multisaude", want: []string{"names the database host"}},
		{id: " ", base: base, want: []string{"MULTISAUDE_DATABASE_SECRET_ARN is empty"}},
	} {
		_, err := DatabaseURL(ctx, Config{SecretID: c.id, Endpoint: endpoint}, c.base)
		if err == nil {
			t.Errorf("%s: no error", c.id)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.id, err, w)
			}
		}
		if c.never != "" && strings.Contains(err.Error(), c.never) {
			t.Errorf("%s: the error shows the secret: %v", c.id, err)
		}
	}
}
