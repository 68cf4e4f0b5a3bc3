package wire

import (
	"strings"
	"testing"
)

func TestAdapterDefaultsByProfile(t *testing.T) {
	base := map[string]string{"MULTISAUDE_DATABASE_URL": "postgres://u@h/db", "MULTISAUDE_SIGNER_SEED": "c2VlZA==",
		"MULTISAUDE_STRIPE_SECRET_KEY": "sk_test_x", "MULTISAUDE_STRIPE_WEBHOOK_SECRET": "whsec_x"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	aws, err := Load(env(with(map[string]string{"MULTISAUDE_PROFILE": "aws", "MULTISAUDE_S3_BUCKET": "b", "MULTISAUDE_COGNITO_USER_POOL_ID": "p",
		"MULTISAUDE_COGNITO_CLIENT_ID": "c", "MULTISAUDE_KMS_KEY_ID": "alias/k", "MULTISAUDE_SES_FROM": "a@b.c",
		"MULTISAUDE_LOCATION_PLACE_INDEX": "i", "MULTISAUDE_SCHEDULER_ROLE_ARN": "arn:aws:iam::1:role/r"})))
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{aws.Blob, aws.Queue, aws.Identity, aws.Keys, aws.Notifier, aws.Geocoder, aws.Scheduler, aws.Payments}; strings.Join(got, ",") !=
		"s3,sqs,cognito,kms,ses,awslocation,eventbridge,stripe" {
		t.Fatalf("aws defaults = %v", got)
	}
	prem, err := Load(env(with(map[string]string{"MULTISAUDE_PROFILE": "onprem", "MULTISAUDE_MINIO_ENDPOINT": "http://m:9000",
		"MULTISAUDE_MINIO_ACCESS_KEY": "a", "MULTISAUDE_MINIO_SECRET_KEY": "s", "MULTISAUDE_AMQP_URL": "amqp://r",
		"MULTISAUDE_KEYCLOAK_URL": "http://k", "MULTISAUDE_KEYCLOAK_CLIENT_ID": "api", "MULTISAUDE_LOCALKEYS_MASTER_KEYS": "k1=x",
		"MULTISAUDE_SMTP_HOST": "smtp", "MULTISAUDE_SMTP_FROM": "a@b.c", "MULTISAUDE_JITSI_URL": "https://meet.example",
		"MULTISAUDE_JITSI_APP_ID": "multisaude", "MULTISAUDE_JITSI_SECRET": "jitsi-secret-jitsi-secret-jitsi-secret"})))
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{prem.Blob, prem.Queue, prem.Identity, prem.Keys, prem.Notifier, prem.Geocoder, prem.Scheduler, prem.Payments}; strings.Join(got, ",") !=
		"minio,rabbitmq,keycloak,local,smtp,offline,sql,stripe" {
		t.Fatalf("onprem defaults = %v", got)
	}
	prem, err = Load(env(with(map[string]string{"MULTISAUDE_PROFILE": "onprem", "MULTISAUDE_BLOB": "file", "MULTISAUDE_QUEUE": "sql",
		"MULTISAUDE_IDENTITY": "local", "MULTISAUDE_LOCALKEYS_MASTER_KEYS": "k1=x", "MULTISAUDE_NOTIFIER": "log",
		"MULTISAUDE_NOMINATIM_URL": "http://n", "MULTISAUDE_VIDEO": "webrtc", "MULTISAUDE_VIDEO_SECRET": "video-secret-video-secret-video-secret"})))
	if err != nil {
		t.Fatal(err)
	}
	if prem.Geocoder != "nominatim" || prem.Blob != "file" || prem.Identity != "local" {
		t.Fatalf("overrides = %+v", prem)
	}
}

func TestAdapterValidationNamesMissingVariables(t *testing.T) {
	_, err := Load(env(map[string]string{"MULTISAUDE_PROFILE": "aws", "MULTISAUDE_DATABASE_URL": "postgres://u@h/db"}))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{
		"MULTISAUDE_S3_BUCKET is required for the aws profile",
		"MULTISAUDE_COGNITO_USER_POOL_ID is required for the aws profile",
		"MULTISAUDE_COGNITO_CLIENT_ID is required for the aws profile",
		"MULTISAUDE_KMS_KEY_ID is required for the aws profile",
		"MULTISAUDE_SES_FROM is required for the aws profile",
		"MULTISAUDE_LOCATION_PLACE_INDEX is required for the aws profile",
		"MULTISAUDE_SCHEDULER_ROLE_ARN is required for the aws profile",
		"MULTISAUDE_SIGNER_SEED is required for the aws profile",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	_, err = Load(env(map[string]string{"MULTISAUDE_PROFILE": "onprem", "MULTISAUDE_DATABASE_URL": "postgres://u@h/db",
		"MULTISAUDE_QUEUE": "rabbit", "MULTISAUDE_SCHEDULER": "eventbridge"}))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{
		"MULTISAUDE_MINIO_ENDPOINT is required for the onprem profile (MULTISAUDE_BLOB=minio)",
		"MULTISAUDE_MINIO_ACCESS_KEY is required", "MULTISAUDE_KEYCLOAK_URL is required",
		"MULTISAUDE_LOCALKEYS_MASTER_KEYS", "MULTISAUDE_SMTP_HOST is required", `MULTISAUDE_QUEUE="rabbit": must be`,
		"MULTISAUDE_SCHEDULER=eventbridge needs MULTISAUDE_QUEUE=sqs",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if _, err := Load(env(map[string]string{"MULTISAUDE_BLOB": "s3"})); err == nil || !strings.Contains(err.Error(), "MULTISAUDE_BLOB: the local profile") {
		t.Fatalf("local profile with an adapter choice: %v", err)
	}
	if _, err := Load(env(map[string]string{"MULTISAUDE_LOCATION_MIN_RELEVANCE": "high"})); err == nil || !strings.Contains(err.Error(), "MULTISAUDE_LOCATION_MIN_RELEVANCE") {
		t.Fatalf("bad float: %v", err)
	}
}
