package aws_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	localkms "github.com/nsmithuk/local-kms/src"
	kmsconfig "github.com/nsmithuk/local-kms/src/config"
	"github.com/nsmithuk/local-kms/src/data"

	"github.com/multisaude/multisaude/adapters/blob/devs3"
	"github.com/multisaude/multisaude/test/e2e/harness"
	"github.com/multisaude/multisaude/test/fakes/oidcfake"
	"github.com/multisaude/multisaude/test/fakes/schedulerfake"
	"github.com/multisaude/multisaude/test/fakes/sqsfake"
	"github.com/multisaude/multisaude/test/testdb"
	appwire "github.com/multisaude/multisaude/wire"
	"github.com/multisaude/multisaude/wire/aws"
)

// recorder answers every request with a fixed JSON body and remembers what it saw.
type recorder struct {
	mu    sync.Mutex
	seen  []string // "host path"
	reply func(r *http.Request) (int, string)
}

func (f *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	f.mu.Lock()
	f.seen = append(f.seen, r.Host+" "+r.URL.Path)
	f.mu.Unlock()
	status, body := f.reply(r)
	if status != http.StatusOK {
		w.Header().Set("X-Amzn-ErrorType", "BadRequestException")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func (f *recorder) saw(prefix string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.seen {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

func key32() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// TestBuildAgainstFakes assembles the aws profile with every default AWS
// adapter (S3, SQS, Cognito, KMS, SES, Amazon Location, EventBridge Scheduler)
// against in-process servers speaking their protocols, and drives it: /readyz,
// sign-up (geocoded by Location), a Cognito token, a document sealed with a
// KMS data key in S3, the outbox event in SQS, a reset e-mail through SES.
func TestBuildAgainstFakes(t *testing.T) {
	// The SDK puts "places." before Amazon Location's host, so the Location fake
	// is reached as an HTTP proxy for a made-up host; loopback endpoints (all
	// the other fakes) are never proxied. Set before any request of this process.
	location := &recorder{reply: func(r *http.Request) (int, string) {
		if r.Method == http.MethodPost && r.URL.Path == "/places/v0/indexes/multisaude-places/search/text" {
			return http.StatusOK, `{"Results":[{"Place":{"Geometry":{"Point":[-46.6527,-23.5613]},"Label":"Avenida Paulista, São Paulo"},"Relevance":0.98}],"Summary":{"Text":"x","DataSource":"Esri"}}`
		}
		return http.StatusBadRequest, `{"message":"unexpected request"}`
	}}
	proxy := httptest.NewServer(location)
	t.Cleanup(proxy.Close)
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "sa-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")

	s3srv := httptest.NewServer(devs3.NewHandler(true))
	t.Cleanup(s3srv.Close)
	sqs := sqsfake.New()
	t.Cleanup(sqs.Close)
	sched := schedulerfake.New(sqs)
	t.Cleanup(sched.Close)

	kmsconfig.AWSRegion = "sa-east-1"
	kmsconfig.AWSAccountId = "111122223333"
	kmsDB := data.NewDatabase(t.TempDir())
	kmsSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { localkms.HandleRequest(w, r, kmsDB) }))
	t.Cleanup(func() { kmsSrv.Close(); kmsDB.Close() })
	sdkCfg := sdkaws.Config{Region: "sa-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")}
	created, err := kms.NewFromConfig(sdkCfg, func(o *kms.Options) { o.BaseEndpoint = sdkaws.String(kmsSrv.URL) }).
		CreateKey(context.Background(), &kms.CreateKeyInput{Description: sdkaws.String("multisaude documents")})
	if err != nil {
		t.Fatalf("CreateKey: %v", err)
	}

	cognito := oidcfake.New(t, oidcfake.Options{Path: "/sa-east-1_Test"})
	// The Cognito API (JSON protocol, X-Amz-Target) as cognitoauth uses it:
	// AdminCreateUser answers the user with a "sub"; the other admin calls succeed.
	cognitoAPI := &recorder{reply: func(r *http.Request) (int, string) {
		switch strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.") {
		case "AdminCreateUser":
			return http.StatusOK, `{"User":{"Username":"u","Enabled":true,"UserStatus":"FORCE_CHANGE_PASSWORD","Attributes":[{"Name":"sub","Value":"` + key32()[:20] + `"}]}}`
		case "AdminSetUserPassword", "AdminAddUserToGroup", "AdminDeleteUser":
			return http.StatusOK, `{}`
		}
		return http.StatusBadRequest, `{"__type":"InvalidParameterException","message":"unexpected call"}`
	}}
	cognitoSrv := httptest.NewServer(cognitoAPI)
	t.Cleanup(cognitoSrv.Close)
	ses := &recorder{reply: func(r *http.Request) (int, string) {
		if r.Method == http.MethodPost && r.URL.Path == "/v2/email/outbound-emails" {
			return http.StatusOK, `{"MessageId":"m-1"}`
		}
		return http.StatusBadRequest, `{"message":"unexpected request"}`
	}}
	sesSrv := httptest.NewServer(ses)
	t.Cleanup(sesSrv.Close)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	dbURL := "postgres://placeholder/db" // the aws profile wants PostgreSQL; SQLite stands in when it is not configured
	if testdb.PostgresURL() != "" {
		dbURL = testdb.URL(t, "postgres")
	}
	env := map[string]string{
		"MULTISAUDE_PROFILE": "aws", "MULTISAUDE_DATABASE_URL": dbURL, "MULTISAUDE_AUTO_MIGRATE": "true", "MULTISAUDE_DB_MAX_CONNS": "6",
		"MULTISAUDE_HTTP_ADDR": ln.Addr().String(), "MULTISAUDE_PUBLIC_URL": base, "MULTISAUDE_DATA_DIR": t.TempDir(),
		"MULTISAUDE_LOG_LEVEL": "error", "MULTISAUDE_SIGNER_SEED": key32(),
		"MULTISAUDE_S3_BUCKET": "multisaude-docs", "MULTISAUDE_S3_ENDPOINT": s3srv.URL, "MULTISAUDE_S3_PATH_STYLE": "true",
		"MULTISAUDE_SQS_ENDPOINT": sqs.URL(), "MULTISAUDE_SQS_QUEUE_PREFIX": "ms-", "MULTISAUDE_SQS_WAIT_TIME": "1s",
		"MULTISAUDE_SCHEDULER_ENDPOINT": sched.URL(), "MULTISAUDE_SCHEDULER_ROLE_ARN": "arn:aws:iam::111122223333:role/multisaude-scheduler",
		"MULTISAUDE_STRIPE_SECRET_KEY": "sk_test_build", "MULTISAUDE_STRIPE_WEBHOOK_SECRET": "whsec_build",
		"MULTISAUDE_COGNITO_USER_POOL_ID": "sa-east-1_Test", "MULTISAUDE_COGNITO_CLIENT_ID": "app-client",
		"MULTISAUDE_COGNITO_ISSUER": cognito.URL(), "MULTISAUDE_COGNITO_ENDPOINT": cognitoSrv.URL,
		"MULTISAUDE_KMS_KEY_ID": sdkaws.ToString(created.KeyMetadata.Arn), "MULTISAUDE_KMS_ENDPOINT": kmsSrv.URL,
		"MULTISAUDE_SES_FROM": "nao-responda@multisaude.test", "MULTISAUDE_SES_ENDPOINT": sesSrv.URL,
		"MULTISAUDE_LOCATION_PLACE_INDEX": "multisaude-places", "MULTISAUDE_LOCATION_ENDPOINT": "http://geo.aws.test",
	}
	cfg, err := appwire.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if testdb.PostgresURL() == "" {
		cfg.DatabaseURL = "sqlite:" + filepath.Join(t.TempDir(), "aws.db")
	}

	ctx, cancel := context.WithCancel(context.Background())
	app, cleanup, err := aws.Build(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatalf("aws.Build: %v", err)
	}
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	app.RunWorkers(ctx, &wg)
	served := make(chan error, 1)
	go func() { served <- app.Server.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-served
		wg.Wait()
		cleanup()
	})

	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{Proxy: nil}}
	do := func(method, path, token, ct string, body io.Reader, want int) []byte {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, body)
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, res.StatusCode, want, b)
		}
		return b
	}
	jsonBody := func(v any) io.Reader { b, _ := json.Marshal(v); return bytes.NewReader(b) }

	ready := do(http.MethodGet, "/readyz", "", "", nil, http.StatusOK)
	for _, part := range []string{"database", "schema", "blob_store", "queue"} {
		if !bytes.Contains(ready, []byte(`"`+part+`":"ok"`)) {
			t.Fatalf("readyz does not report %s ok: %s", part, ready)
		}
	}

	body := harness.PatientBody()
	var patient struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(do(http.MethodPost, "/v1/patients", "", "application/json", jsonBody(body), http.StatusCreated), &patient)
	if !location.saw("places.geo.aws.test /places/v0/indexes/multisaude-places/search/text") {
		t.Fatalf("sign-up did not geocode through Amazon Location: %v", location.seen)
	}
	if !cognitoAPI.saw(strings.TrimPrefix(cognitoSrv.URL, "http://")) {
		t.Fatal("sign-up did not create the user at Cognito")
	}
	refused := do(http.MethodPost, "/v1/auth/token", "", "application/json",
		jsonBody(map[string]any{"grant_type": "password", "email": body["email"], "password": body["password"]}), http.StatusBadRequest)
	if !bytes.Contains(refused, []byte(`"field":"grant_type"`)) {
		t.Fatalf("password sign-in refusal does not name grant_type: %s", refused)
	}

	token := cognito.Mint(map[string]any{"sub": "cognito-sub-1", "token_use": "id", "aud": "app-client",
		"custom:account_id": patient.ID, "cognito:groups": []string{"patient"}})
	var me struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(do(http.MethodGet, "/v1/me", token, "", nil, http.StatusOK), &me)
	if me.ID != patient.ID {
		t.Fatalf("me = %q, want %q", me.ID, patient.ID)
	}
	do(http.MethodGet, "/v1/me", cognito.Mint(map[string]any{"token_use": "id", "aud": "other-client", "custom:account_id": patient.ID,
		"cognito:groups": []string{"patient"}}), "", nil, http.StatusUnauthorized)

	plain := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("Colesterol total: 180 mg/dL\n"), 100)...)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("kind", "exam_result")
	_ = mw.WriteField("title", "colesterol")
	fw, _ := mw.CreateFormFile("file", "colesterol.pdf")
	_, _ = fw.Write(plain)
	_ = mw.Close()
	var doc struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(do(http.MethodPost, "/v1/patients/"+patient.ID+"/documents", token, mw.FormDataContentType(), &buf, http.StatusCreated), &doc)
	if got := do(http.MethodGet, "/v1/documents/"+doc.ID+"/content", token, "", nil, http.StatusOK); !bytes.Equal(got, plain) {
		t.Fatal("download differs from the upload")
	}

	s3c := s3.NewFromConfig(sdkCfg, func(o *s3.Options) { o.BaseEndpoint = sdkaws.String(s3srv.URL); o.UsePathStyle = true })
	list, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: sdkaws.String("multisaude-docs")})
	if err != nil || len(list.Contents) != 1 {
		t.Fatalf("bucket: %v, %v", list, err)
	}
	obj, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: sdkaws.String("multisaude-docs"), Key: list.Contents[0].Key})
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if len(stored) == 0 || bytes.Contains(stored, []byte("Colesterol")) {
		t.Fatalf("the object in S3 is empty or plaintext (%d bytes)", len(stored))
	}

	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); !ok(); time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s did not happen", what)
			}
		}
	}
	waitFor("the document event in SQS", func() bool { return sqs.Count("ms-clinical-document-uploaded.fifo") >= 1 })
	waitFor("the sign-up event in SQS", func() bool { return sqs.Count("ms-identity-patient-registered.fifo") >= 1 })

	do(http.MethodPost, "/v1/auth/password-reset", "", "application/json", jsonBody(map[string]any{"email": body["email"]}), http.StatusAccepted)
	waitFor("a reset e-mail through SES", func() bool { return ses.saw(strings.TrimPrefix(sesSrv.URL, "http://") + " /v2/email/outbound-emails") })
}
