package kmskeys_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmsconfig "github.com/nsmithuk/local-kms/src/config"
	"github.com/nsmithuk/local-kms/src/data"

	localkms "github.com/nsmithuk/local-kms/src"

	"github.com/multisaude/multisaude/adapters/keys/envelope"
	"github.com/multisaude/multisaude/adapters/keys/kmskeys"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
)

var configOnce sync.Once

// startKMS serves an in-process local-kms and returns the SDK configuration for it.
func startKMS(t *testing.T) (aws.Config, string) {
	configOnce.Do(func() {
		kmsconfig.AWSRegion = "sa-east-1"
		kmsconfig.AWSAccountId = "111122223333"
	})
	db := data.NewDatabase(t.TempDir())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { localkms.HandleRequest(w, r, db) }))
	t.Cleanup(func() { srv.Close(); db.Close() })
	cfg := aws.Config{Region: "sa-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")}
	return cfg, srv.URL
}

func createKey(t *testing.T, cfg aws.Config, endpoint string) string {
	api := kms.NewFromConfig(cfg, func(o *kms.Options) { o.BaseEndpoint = aws.String(endpoint) })
	out, err := api.CreateKey(context.Background(), &kms.CreateKeyInput{Description: aws.String("multisaude test")})
	if err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	return aws.ToString(out.KeyMetadata.Arn)
}

func newKeys(t *testing.T, cfg aws.Config, endpoint, keyID string) *kmskeys.Keys {
	k, err := kmskeys.New(context.Background(), kmskeys.Config{KeyID: keyID, Endpoint: endpoint, AWS: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestConformance(t *testing.T) {
	conformance.RunKeyManager(t, func(t *testing.T) conformance.KeyManagerFixture {
		cfg, endpoint := startKMS(t)
		first := createKey(t, cfg, endpoint)
		return conformance.KeyManagerFixture{
			Keys: newKeys(t, cfg, endpoint, first),
			Rotate: func(t *testing.T) ports.KeyManager {
				return newKeys(t, cfg, endpoint, createKey(t, cfg, endpoint))
			},
		}
	})
}

func TestUnknownKeyAndUnreachable(t *testing.T) {
	ctx := context.Background()
	cfg, endpoint := startKMS(t)
	k := newKeys(t, cfg, endpoint, "arn:aws:kms:sa-east-1:111122223333:key/00000000-0000-4000-8000-000000000000")
	_, err := k.GenerateDataKey(ctx, nil)
	if kernel.KindOf(err) != kernel.KindForbidden {
		t.Errorf("GenerateDataKey under a missing key: %v", err)
	}
	cfg.RetryMaxAttempts = 1
	down := newKeys(t, cfg, "http://127.0.0.1:1", "alias/x")
	_, err = down.GenerateDataKey(ctx, nil)
	if kernel.KindOf(err) != kernel.KindUnavailable {
		t.Errorf("GenerateDataKey with KMS down: %v, want unavailable", err)
	}
}

func TestEnvelopeOverKMS(t *testing.T) {
	ctx := context.Background()
	cfg, endpoint := startKMS(t)
	k := newKeys(t, cfg, endpoint, createKey(t, cfg, endpoint))
	c := map[string]string{"document_id": "d1"}
	plain := bytes.Repeat([]byte("exame de sangue "), 10000)
	ct, err := envelope.SealBytes(ctx, k, plain, c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := envelope.OpenBytes(ctx, k, ct, c)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("round trip: %v", err)
	}
	if _, err := envelope.OpenBytes(ctx, k, ct, map[string]string{"document_id": "d2"}); kernel.KindOf(err) != kernel.KindForbidden {
		t.Fatalf("wrong context: %v", err)
	}
}
