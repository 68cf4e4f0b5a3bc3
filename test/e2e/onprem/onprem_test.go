// Package onprem runs the real binary with the on-premises profile against this
// machine's PostgreSQL and RabbitMQ, with MinIO-compatible storage served by
// devs3, and drives it through the HTTP API as users do.
//
// Identity: MULTISAUDE_IDENTITY=local. With Keycloak the tokens are issued by
// Keycloak itself: our sign-up creates the Keycloak user, but POST
// /v1/auth/token refuses the password grant (400 naming grant_type; clients
// sign in at Keycloak), so "sign up, then sign in through our API" needs the
// local provider. TestKeycloakTokens covers the Keycloak wiring separately:
// the same binary with MULTISAUDE_IDENTITY=keycloak creates the user through
// the admin API at sign-up and accepts a token minted by an in-process issuer
// for that account.
package onprem

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/multisaude/multisaude/adapters/queue/rabbitqueue"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/e2e/harness"
	"github.com/multisaude/multisaude/test/fakes/oidcfake"
	"github.com/multisaude/multisaude/test/procs"
)

func requireServices(t *testing.T) string {
	t.Helper()
	return procs.RequireServices(t, "the onprem end-to-end test")
}

// stack is what one onprem run talks to (test/procs).
type stack struct{ *procs.Stack }

func newStack(t *testing.T, amqpURL string) *stack { return &stack{procs.NewStack(t, amqpURL)} }

func (st *stack) run(t *testing.T, args ...string) string {
	t.Helper()
	return st.Run(t, args...)
}

type server struct{ *procs.Proc }

// serve starts `multisaude serve --profile onprem` and waits for /healthz.
func (st *stack) serve(t *testing.T, extra map[string]string) *server {
	t.Helper()
	return &server{st.Serve(t, extra)}
}

type resp struct {
	status int
	body   []byte
}

func (r resp) want(t *testing.T, what string, status int) resp {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, r.status, status, r.body)
	}
	return r
}

func (r resp) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (s *server) do(t *testing.T, method, path, token, contentType string, body io.Reader) resp {
	t.Helper()
	req, err := http.NewRequest(method, s.Base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, body: b}
}

func (s *server) postJSON(t *testing.T, path, token string, v any) resp {
	t.Helper()
	b, _ := json.Marshal(v)
	return s.do(t, http.MethodPost, path, token, "application/json", bytes.NewReader(b))
}

func eventually(t *testing.T, timeout time.Duration, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

var examPDF = append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("Hemoglobina glicada: 5,4%\n"), 200)...)

// TestOnpremEndToEnd: sign up, sign in, upload a document; the object lands in
// the bucket sealed, the outbox events cross RabbitMQ, /readyz reports every
// dependency, and a password-reset e-mail leaves through SMTP.
func TestOnpremEndToEnd(t *testing.T) {
	amqpURL := requireServices(t)
	st := newStack(t, amqpURL)
	if out := st.run(t, "migrate", "--profile", "onprem", "up"); !strings.Contains(out, "applied") {
		t.Fatalf("migrate up applied nothing:\n%s", out)
	}
	srv := st.serve(t, nil)

	// readyz: every dependency of the onprem profile answers
	r := srv.do(t, http.MethodGet, "/readyz", "", "", nil).want(t, "readyz", http.StatusOK)
	for _, part := range []string{"database", "schema", "blob_store", "queue"} {
		if !bytes.Contains(r.body, []byte(`"`+part+`":"ok"`)) {
			t.Fatalf("readyz does not report %s ok: %s", part, r.body)
		}
	}

	// sign up and sign in as a patient
	body := harness.PatientBody()
	var patient struct {
		ID string `json:"id"`
	}
	srv.postJSON(t, "/v1/patients", "", body).want(t, "sign up", http.StatusCreated).decode(t, &patient)
	var tokens struct {
		AccessToken string `json:"access_token"`
	}
	srv.postJSON(t, "/v1/auth/token", "", map[string]any{"grant_type": "password", "email": body["email"], "password": body["password"]}).
		want(t, "sign in", http.StatusOK).decode(t, &tokens)
	if patient.ID == "" || tokens.AccessToken == "" {
		t.Fatalf("patient %q token %q", patient.ID, tokens.AccessToken)
	}

	// upload a medical document
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("kind", "exam_result")
	_ = mw.WriteField("title", "hemoglobina")
	fw, _ := mw.CreateFormFile("file", "hba1c.pdf")
	_, _ = fw.Write(examPDF)
	_ = mw.Close()
	var doc struct {
		ID          string `json:"id"`
		ContentType string `json:"content_type"`
	}
	srv.do(t, http.MethodPost, "/v1/patients/"+patient.ID+"/documents", tokens.AccessToken, mw.FormDataContentType(), &buf).
		want(t, "upload", http.StatusCreated).decode(t, &doc)
	if doc.ContentType != "application/pdf" {
		t.Fatalf("document = %+v", doc)
	}

	// (a) the object is in the devs3 bucket, and it is not the plaintext
	mc, err := minio.New(strings.TrimPrefix(st.S3.URL, "http://"), &minio.Options{Creds: credentials.NewStaticV4("devs3", "devs3-secret", ""), BucketLookup: minio.BucketLookupPath})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	objects := 0
	for obj := range mc.ListObjects(ctx, st.Bucket, minio.ListObjectsOptions{Recursive: true}) {
		if obj.Err != nil {
			t.Fatalf("list bucket: %v", obj.Err)
		}
		o, err := mc.GetObject(ctx, st.Bucket, obj.Key, minio.GetObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		stored, err := io.ReadAll(o)
		o.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(stored) == 0 || bytes.Contains(stored, []byte("Hemoglobina glicada")) || bytes.Contains(stored, []byte("%PDF")) {
			t.Fatalf("object %s is empty or holds the plaintext (%d bytes)", obj.Key, len(stored))
		}
		objects++
	}
	if objects != 1 {
		t.Fatalf("bucket %s holds %d objects, want 1", st.Bucket, objects)
	}
	got := srv.do(t, http.MethodGet, "/v1/documents/"+doc.ID+"/content", tokens.AccessToken, "", nil).want(t, "download", http.StatusOK)
	if !bytes.Equal(got.body, examPDF) {
		t.Fatalf("download differs from the upload (%d bytes, want %d)", len(got.body), len(examPDF))
	}

	// (b) the relay published the outbox events through RabbitMQ: consume them
	// with the same exchange and prefix
	q, closeQ, err := rabbitqueue.New(ctx, rabbitqueue.Config{URL: amqpURL, Exchange: st.Exchange, QueuePrefix: st.Prefix})
	if err != nil {
		t.Fatal(err)
	}
	defer closeQ()
	consumeOne(t, q, "identity.patient.registered", patient.ID)
	consumeOne(t, q, "clinical.document.uploaded", doc.ID)

	// the onprem notifier: a password-reset e-mail goes out through SMTP
	srv.postJSON(t, "/v1/auth/password-reset", "", map[string]any{"email": body["email"]}).want(t, "password reset", http.StatusAccepted)
	eventually(t, 15*time.Second, "password-reset mail through SMTP", func() error {
		for _, m := range st.SMTP.Messages() {
			if len(m.To) == 1 && m.To[0] == body["email"] {
				return nil
			}
		}
		return fmt.Errorf("%d messages, none to the patient", len(st.SMTP.Messages()))
	})

	// what the server logged never holds the patient's e-mail or CPF
	out := srv.Out.String()
	for _, secret := range []string{body["email"].(string), body["cpf"].(string)} {
		if strings.Contains(out, secret) {
			t.Fatalf("the log holds personal data %q", secret)
		}
	}
}

// consumeOne waits for a message on topic whose key is key.
func consumeOne(t *testing.T, q ports.Queue, topic, key string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	found := make(chan ports.Message, 1)
	done := make(chan error, 1)
	go func() {
		done <- q.Consume(ctx, topic, func(_ context.Context, d ports.Delivery) error {
			if d.Key == key {
				select {
				case found <- d.Message:
				default:
				}
				cancel()
			}
			return nil
		})
	}()
	select {
	case m := <-found:
		if m.Topic != topic || len(m.Body) == 0 {
			t.Fatalf("%s: message %+v", topic, m)
		}
	case <-ctx.Done():
		select {
		case m := <-found:
			if m.Topic != topic || len(m.Body) == 0 {
				t.Fatalf("%s: message %+v", topic, m)
			}
		default:
			t.Fatalf("no %s message with key %s crossed RabbitMQ", topic, key)
		}
	}
	<-done
}

// TestKeycloakTokens: the same binary with MULTISAUDE_IDENTITY=keycloak (the
// onprem default) verifies tokens of the realm's issuer (an in-process OIDC
// issuer standing in for Keycloak) and maps them to our accounts; password
// sign-in through our API is refused, since Keycloak issues the tokens.
func TestKeycloakTokens(t *testing.T) {
	amqpURL := requireServices(t)
	st := newStack(t, amqpURL)
	kc, admin := newKeycloak(t, "multisaude", "multisaude-admin", "admin-secret")
	st.run(t, "migrate", "--profile", "onprem", "up")
	srv := st.serve(t, map[string]string{"MULTISAUDE_IDENTITY": "", "MULTISAUDE_KEYCLOAK_URL": kc.Server().URL,
		"MULTISAUDE_KEYCLOAK_CLIENT_ID": "multisaude-api", "MULTISAUDE_KEYCLOAK_ADMIN_CLIENT_ID": "multisaude-admin",
		"MULTISAUDE_KEYCLOAK_ADMIN_CLIENT_SECRET": "admin-secret"})

	body := harness.PatientBody()
	var patient struct {
		ID string `json:"id"`
	}
	srv.postJSON(t, "/v1/patients", "", body).want(t, "sign up", http.StatusCreated).decode(t, &patient)
	refused := srv.postJSON(t, "/v1/auth/token", "", map[string]any{"grant_type": "password", "email": body["email"], "password": body["password"]}).
		want(t, "password sign-in with Keycloak", http.StatusBadRequest)
	if !bytes.Contains(refused.body, []byte(`"field":"grant_type"`)) {
		t.Fatalf("password sign-in refusal does not name grant_type: %s", refused.body)
	}
	if ids := admin.accountIDs(); len(ids) != 1 || ids[0] != patient.ID {
		t.Fatalf("sign-up created Keycloak users naming accounts %v, want [%s]", ids, patient.ID)
	}

	claims := map[string]any{"sub": kernel.NewID(), "typ": "Bearer", "azp": "multisaude-api", "account_id": patient.ID,
		"realm_access": map[string]any{"roles": []string{"patient"}}}
	var me struct {
		ID string `json:"id"`
	}
	srv.do(t, http.MethodGet, "/v1/me", kc.Mint(claims), "", nil).want(t, "me with a Keycloak token", http.StatusOK).decode(t, &me)
	if me.ID != patient.ID {
		t.Fatalf("me = %q, want %q", me.ID, patient.ID)
	}
	claims["azp"] = "another-client"
	srv.do(t, http.MethodGet, "/v1/me", kc.Mint(claims), "", nil).want(t, "token of another client", http.StatusUnauthorized)
	claims["azp"] = "multisaude-api"
	srv.do(t, http.MethodGet, "/v1/me", kc.MintWith(claims, oidcfake.MintOptions{Tamper: true}), "", nil).want(t, "tampered token", http.StatusUnauthorized)
	srv.do(t, http.MethodGet, "/.well-known/jwks.json", "", "", nil).want(t, "no local JWKS with Keycloak", http.StatusNotFound)
}
