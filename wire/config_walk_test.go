package wire

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/multisaude/multisaude/adapters/live/memlive"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// effect is how one configuration variable is shown to do something: the
// walk loads env, then env with the variable set to value, and requires probe
// to answer differently. A probe reaches as far
// as the variable goes in this package: the settings a provider hands to its
// adapter (whose own tests prove it honours them), or behaviour itself (the
// logger's output, a password hash's parameters, an access token's claims).
// A variable consumed outside this package names the test there that sets it
// and observes its effect (elsewhere: "path/to/file_test.go:TestName").
type effect struct {
	value     string
	env       map[string]string
	probe     func(t *testing.T, c Config) any
	elsewhere string
}

// awsEnv is a complete aws profile (every required variable set).
var awsEnv = map[string]string{
	"MULTISAUDE_PROFILE": ProfileAWS, "MULTISAUDE_DATABASE_URL": "postgres://u@h/db", "MULTISAUDE_SIGNER_SEED": "c2VlZA==",
	"MULTISAUDE_S3_BUCKET": "b", "MULTISAUDE_COGNITO_USER_POOL_ID": "p", "MULTISAUDE_COGNITO_CLIENT_ID": "c",
	"MULTISAUDE_KMS_KEY_ID": "alias/k", "MULTISAUDE_SES_FROM": "a@b.c", "MULTISAUDE_LOCATION_PLACE_INDEX": "i",
	"MULTISAUDE_SCHEDULER_ROLE_ARN": "arn:aws:iam::1:role/r", "MULTISAUDE_STRIPE_SECRET_KEY": "sk_test_x", "MULTISAUDE_STRIPE_WEBHOOK_SECRET": "whsec_x",
}

// onprem is the onprem profile with adapter choices and their required variables.
func onprem(extra map[string]string) map[string]string {
	m := map[string]string{"MULTISAUDE_PROFILE": ProfileOnprem, "MULTISAUDE_DATABASE_URL": "postgres://u@h/db", "MULTISAUDE_SIGNER_SEED": "c2VlZA==",
		"MULTISAUDE_MINIO_ENDPOINT": "http://m:9000", "MULTISAUDE_MINIO_ACCESS_KEY": "a", "MULTISAUDE_MINIO_SECRET_KEY": "s",
		"MULTISAUDE_AMQP_URL": "amqp://r", "MULTISAUDE_KEYCLOAK_URL": "http://k", "MULTISAUDE_KEYCLOAK_CLIENT_ID": "api",
		"MULTISAUDE_LOCALKEYS_MASTER_KEYS": "k1=x", "MULTISAUDE_SMTP_HOST": "smtp", "MULTISAUDE_SMTP_FROM": "a@b.c",
		"MULTISAUDE_STRIPE_SECRET_KEY": "sk_test_x", "MULTISAUDE_STRIPE_WEBHOOK_SECRET": "whsec_x",
		"MULTISAUDE_JITSI_URL": "https://meet.example", "MULTISAUDE_JITSI_APP_ID": "multisaude", "MULTISAUDE_JITSI_SECRET": jitsiSecret}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// jitsiSecret and videoSecret are long enough for their providers.
const (
	jitsiSecret = "jitsi-secret-jitsi-secret-jitsi-secret"
	videoSecret = "video-secret-video-secret-video-secret"
)

// webrtcSettings is the built-in video provider's configuration (its secret
// generated into the data directory when not set).
func webrtcSettings(t *testing.T, c Config) any {
	w, err := webrtcConfig(c)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(w)
}

func settings[T any](f func(Config) T) func(*testing.T, Config) any {
	return func(_ *testing.T, c Config) any { return f(c) }
}

// resolved is every port's adapter choice after the profile's defaults.
func resolved(_ *testing.T, c Config) any {
	return []string{c.Blob, c.Queue, c.Identity, c.Keys, c.Notifier, c.Geocoder, c.Scheduler, c.Payments, c.DatabaseURL}
}

// loggedLevels is which of a debug, info and warn line the logger writes.
func loggedLevels(_ *testing.T, c Config) any {
	var b bytes.Buffer
	l := ProvideLogger(c, &b)
	l.Debug("d")
	l.Info("i")
	l.Warn("w")
	return strings.Count(b.String(), "\n")
}

// hashParams is the "m=..,t=..,p=.." part of a password hash made by the configured hasher.
func hashParams(t *testing.T, c Config) any {
	h, err := ProvideArgon2(c).Hash("Senha-Forte-2026")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(h, "$")[3]
}

// accessToken is the claims (iss, aud, lifetime) and key of a token issued by the local provider.
func accessToken(t *testing.T, c Config) any {
	p, err := ProvideLocalAuth(c, kernel.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := p.Issue(context.Background(), kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindPatient})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(tok, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var claims struct {
		Iss string   `json:"iss"`
		Aud []string `json:"aud"`
		Iat int64    `json:"iat"`
		Exp int64    `json:"exp"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(claims.Iss, claims.Aud, claims.Exp-claims.Iat, localAuthConfig(c).KeyFile)
}

func effects(t *testing.T) map[string]effect {
	dir := t.TempDir()
	local := map[string]string{"MULTISAUDE_DATA_DIR": dir}
	awsWith := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range awsEnv {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	awsLocal := awsWith(nil) // the aws variables, but the local profile (to switch the profile)
	delete(awsLocal, "MULTISAUDE_PROFILE")
	httpCfg := settings(ProvideHTTPConfig)
	identityCfg := settings(ProvideIdentityConfig)
	queueOpts := settings(ProvideQueueOptions)
	cmd := "../cmd/multisaude/serve_test.go:TestServeHonoursItsVariables"
	s3, minio, gcs := awsWith(map[string]string{"MULTISAUDE_BLOB": BlobS3}), onprem(nil), awsWith(map[string]string{"MULTISAUDE_BLOB": BlobGCS, "MULTISAUDE_GCS_BUCKET": "g"})
	sqs, amqp := awsEnv, onprem(nil)
	turnEnv := map[string]string{"MULTISAUDE_DATA_DIR": dir, "MULTISAUDE_ICE_SERVERS": "turn:turn.example:3478",
		"MULTISAUDE_TURN_USERNAME": "u", "MULTISAUDE_TURN_CREDENTIAL": "c"}
	return map[string]effect{
		"MULTISAUDE_PROFILE":    {value: ProfileAWS, env: awsLocal, probe: resolved},
		"MULTISAUDE_HTTP_ADDR":  {elsewhere: cmd},
		"MULTISAUDE_PUBLIC_URL": {value: "https://app.example", env: local, probe: func(t *testing.T, c Config) any { return fmt.Sprint(fileBlobConfig(c), resetURL(c), accessToken(t, c)) }},
		"MULTISAUDE_DATA_DIR": {value: filepath.Join(dir, "other"), probe: func(_ *testing.T, c Config) any {
			return fmt.Sprint(fileBlobConfig(c).Root, databaseConfig(c), logNotifierConfig(c), localKeysConfig(c), localSignerConfig(c), localAuthConfig(c).KeyFile)
		}},
		"MULTISAUDE_DATABASE_URL":            {value: "postgres://u@db/app", env: local, probe: settings(databaseConfig)},
		"MULTISAUDE_DB_MAX_CONNS":            {value: "3", env: local, probe: settings(databaseConfig)},
		"MULTISAUDE_AUTO_MIGRATE":            {value: "false", env: local, probe: settings(databaseConfig)},
		"MULTISAUDE_BODY_LIMIT":              {value: "4096", env: local, probe: httpCfg},
		"MULTISAUDE_UPLOAD_LIMIT":            {value: "5000000", env: local, probe: func(_ *testing.T, c Config) any { return fmt.Sprint(ProvideHTTPConfig(c), clinicalConfig(c)) }},
		"MULTISAUDE_READ_TIMEOUT":            {value: "3s", env: local, probe: httpCfg},
		"MULTISAUDE_WRITE_TIMEOUT":           {value: "3s", env: local, probe: httpCfg},
		"MULTISAUDE_SHUTDOWN_TIMEOUT":        {value: "3s", env: local, probe: httpCfg},
		"MULTISAUDE_CORS_ORIGINS":            {value: "https://a.example", env: local, probe: httpCfg},
		"MULTISAUDE_TRUSTED_PROXIES":         {value: "10.0.0.1", env: local, probe: httpCfg},
		"MULTISAUDE_PORTAL":                  {value: "false", env: local, probe: func(_ *testing.T, c Config) any { return ProvideHTTPConfig(c).Portal == nil }},
		"MULTISAUDE_LOG_LEVEL":               {value: "error", env: local, probe: loggedLevels},
		"MULTISAUDE_RUN_WORKER":              {elsewhere: cmd},
		"MULTISAUDE_LAMBDA_ROLE":             {elsewhere: "../cmd/multisaude/lambda_coldstart_test.go:TestLambdaColdStart"},
		"MULTISAUDE_DATABASE_SECRET_ARN":     {value: "arn:aws:secretsmanager:sa-east-1:1:secret:db", env: awsEnv, probe: settings(databaseSecretConfig)},
		"MULTISAUDE_SECRETSMANAGER_ENDPOINT": {value: "http://secrets.local", env: awsEnv, probe: settings(databaseSecretConfig)},
		"MULTISAUDE_METRICS_ADDR":            {elsewhere: "../test/e2e/foundation/binary_test.go:start"}, // TestBinary: metrics on it, 404 on the public port,
		"MULTISAUDE_ADMIN_EMAIL":             {elsewhere: cmd},
		"MULTISAUDE_ADMIN_PASSWORD":          {elsewhere: cmd},

		"MULTISAUDE_LOCALKEYS_MASTER_KEYS":      {value: "k2=eA==", env: local, probe: settings(localKeysConfig)},
		"MULTISAUDE_LOCALKEYS_MASTER_KEYS_FILE": {value: "/keys", env: local, probe: settings(localKeysConfig)},
		"MULTISAUDE_LOCALKEYS_CURRENT":          {value: "k2", env: local, probe: settings(localKeysConfig)},
		"MULTISAUDE_SIGNER_SEED":                {value: "c2VlZDI=", env: local, probe: settings(localSignerConfig)},
		"MULTISAUDE_SECRET":                     {value: "another-secret", env: local, probe: settings(fileBlobConfig)},

		"MULTISAUDE_AUTH_ACCESS_TTL":        {value: "5m", env: local, probe: accessToken},
		"MULTISAUDE_AUTH_REFRESH_TTL":       {value: "24h", env: local, probe: identityCfg},
		"MULTISAUDE_AUTH_RESET_TTL":         {value: "2h", env: local, probe: identityCfg},
		"MULTISAUDE_AUTH_LOCKOUT_THRESHOLD": {value: "3", env: local, probe: identityCfg},
		"MULTISAUDE_AUTH_LOCKOUT_DURATION":  {value: "1h", env: local, probe: identityCfg},
		"MULTISAUDE_AUTH_LOGIN_PER_IP":      {value: "7", env: local, probe: identityCfg},
		"MULTISAUDE_AUTH_LOGIN_PER_ACCOUNT": {value: "7", env: local, probe: identityCfg},
		"MULTISAUDE_AUTH_RATE_WINDOW":       {value: "5m", env: local, probe: identityCfg},
		"MULTISAUDE_AUTH_ISSUER":            {value: "https://sso.example", env: local, probe: accessToken},
		"MULTISAUDE_AUTH_AUDIENCE":          {value: "another-api", env: local, probe: accessToken},
		"MULTISAUDE_AUTH_KEY_FILE":          {value: filepath.Join(dir, "k.pem"), env: local, probe: accessToken},
		"MULTISAUDE_AUTH_RESET_URL":         {value: "https://app.example/r?t=", env: local, probe: identityCfg},
		"MULTISAUDE_AUTH_ARGON2_MEMORY_KIB": {value: "64", env: map[string]string{"MULTISAUDE_AUTH_ARGON2_TIME": "1"}, probe: hashParams},
		"MULTISAUDE_AUTH_ARGON2_TIME":       {value: "3", env: map[string]string{"MULTISAUDE_AUTH_ARGON2_MEMORY_KIB": "64"}, probe: hashParams},

		"MULTISAUDE_CLINICAL_CARE_WINDOW":   {value: "24h", env: local, probe: settings(clinicalConfig)},
		"MULTISAUDE_CLINICAL_EMERGENCY_TTL": {value: "1h", env: local, probe: settings(clinicalConfig)},

		"MULTISAUDE_ORDER_PAY_WINDOW":       {value: "1h", env: local, probe: settings(commerceConfig)},
		"MULTISAUDE_PLATFORM_FEE_BP":        {value: "250", env: local, probe: settings(commerceConfig)},
		"MULTISAUDE_WEBHOOK_MAX_ATTEMPTS":   {value: "3", env: local, probe: settings(commerceConfig)},
		"MULTISAUDE_WEBHOOK_SECRET_OVERLAP": {value: "1h", env: local, probe: settings(commerceConfig)},
		"MULTISAUDE_WEBHOOK_ALLOW_PRIVATE":  {value: "false", env: local, probe: func(t *testing.T, c Config) any { return c.AllowPrivateWebhooks() }},

		"MULTISAUDE_BLOB":      {value: BlobFile, env: awsEnv, probe: resolved},
		"MULTISAUDE_QUEUE":     {value: QueueSQL, env: awsWith(map[string]string{"MULTISAUDE_SCHEDULER": SchedulerSQL}), probe: resolved},
		"MULTISAUDE_IDENTITY":  {value: IdentityLocal, env: awsEnv, probe: resolved},
		"MULTISAUDE_KEYS":      {value: KeysLocal, env: awsWith(map[string]string{"MULTISAUDE_LOCALKEYS_MASTER_KEYS": "k1=x"}), probe: resolved},
		"MULTISAUDE_NOTIFIER":  {value: NotifierLog, env: awsEnv, probe: resolved},
		"MULTISAUDE_GEOCODER":  {value: GeocoderOffline, env: awsEnv, probe: resolved},
		"MULTISAUDE_SCHEDULER": {value: SchedulerSQL, env: awsEnv, probe: resolved},
		"MULTISAUDE_PAYMENTS":  {value: PaymentsLocal, env: awsEnv, probe: resolved},

		"MULTISAUDE_S3_BUCKET":            {value: "other", env: s3, probe: settings(s3Config)},
		"MULTISAUDE_S3_REGION":            {value: "sa-east-1", env: s3, probe: settings(s3Config)},
		"MULTISAUDE_S3_ENDPOINT":          {value: "http://s3.local", env: s3, probe: settings(s3Config)},
		"MULTISAUDE_S3_PATH_STYLE":        {value: "true", env: s3, probe: settings(s3Config)},
		"MULTISAUDE_S3_KMS_KEY_ID":        {value: "alias/s3", env: s3, probe: settings(s3Config)},
		"MULTISAUDE_S3_ACCESS_KEY_ID":     {value: "AKID", env: s3, probe: settings(s3Config)},
		"MULTISAUDE_S3_SECRET_ACCESS_KEY": {value: "secret", env: s3, probe: settings(s3Config)},
		"MULTISAUDE_S3_PART_SIZE":         {value: "6291456", env: s3, probe: settings(s3Config)},
		"MULTISAUDE_S3_MAX_ATTEMPTS":      {value: "7", env: s3, probe: settings(s3Config)},

		"MULTISAUDE_MINIO_ENDPOINT":      {value: "http://other:9000", env: minio, probe: settings(minioConfig)},
		"MULTISAUDE_MINIO_BUCKET":        {value: "other", env: minio, probe: settings(minioConfig)},
		"MULTISAUDE_MINIO_ACCESS_KEY":    {value: "other", env: minio, probe: settings(minioConfig)},
		"MULTISAUDE_MINIO_SECRET_KEY":    {value: "other", env: minio, probe: settings(minioConfig)},
		"MULTISAUDE_MINIO_REGION":        {value: "sa-east-1", env: minio, probe: settings(minioConfig)},
		"MULTISAUDE_MINIO_CREATE_BUCKET": {value: "true", env: minio, probe: settings(minioConfig)},
		"MULTISAUDE_MINIO_PART_SIZE":     {value: "5242880", env: minio, probe: settings(minioConfig)},

		"MULTISAUDE_GCS_BUCKET":           {value: "other", env: gcs, probe: settings(gcsConfig)},
		"MULTISAUDE_GCS_ENDPOINT":         {value: "http://gcs.local", env: gcs, probe: settings(gcsConfig)},
		"MULTISAUDE_GCS_CREDENTIALS_FILE": {value: "/sa.json", env: gcs, probe: settings(gcsConfig)},
		"MULTISAUDE_GCS_SIGNER_EMAIL":     {value: "s@p.iam.gserviceaccount.com", env: gcs, probe: settings(gcsConfig)},
		"MULTISAUDE_GCS_SIGNER_KEY_FILE":  {value: "/k.pem", env: gcs, probe: settings(gcsConfig)},
		"MULTISAUDE_GCS_CHUNK_SIZE":       {value: "262144", env: gcs, probe: settings(gcsConfig)},

		// the local profile's database queue takes the same options as the others
		"MULTISAUDE_QUEUE_MAX_ATTEMPTS":       {value: "9", env: local, probe: queueOpts},
		"MULTISAUDE_QUEUE_VISIBILITY_TIMEOUT": {value: "1m", env: local, probe: queueOpts},
		"MULTISAUDE_QUEUE_RETRY_DELAY":        {value: "5s", env: local, probe: queueOpts},

		"MULTISAUDE_SQS_REGION":            {value: "sa-east-1", env: sqs, probe: settings(func(c Config) any { return sqsConfig(c, ProvideQueueOptions(c)) })},
		"MULTISAUDE_SQS_ENDPOINT":          {value: "http://sqs.local", env: sqs, probe: settings(func(c Config) any { return sqsConfig(c, ProvideQueueOptions(c)) })},
		"MULTISAUDE_SQS_ACCESS_KEY_ID":     {value: "AKID", env: sqs, probe: settings(func(c Config) any { return sqsConfig(c, ProvideQueueOptions(c)) })},
		"MULTISAUDE_SQS_SECRET_ACCESS_KEY": {value: "secret", env: sqs, probe: settings(func(c Config) any { return sqsConfig(c, ProvideQueueOptions(c)) })},
		"MULTISAUDE_SQS_QUEUE_PREFIX":      {value: "x-", env: sqs, probe: settings(func(c Config) any { return sqsConfig(c, ProvideQueueOptions(c)) })},
		"MULTISAUDE_SQS_REQUIRE_EXISTING":  {value: "true", env: sqs, probe: settings(func(c Config) any { return sqsConfig(c, ProvideQueueOptions(c)) })},
		"MULTISAUDE_SQS_STANDARD":          {value: "true", env: sqs, probe: settings(func(c Config) any { return sqsConfig(c, ProvideQueueOptions(c)) })},
		"MULTISAUDE_SQS_WAIT_TIME":         {value: "5s", env: sqs, probe: settings(func(c Config) any { return sqsConfig(c, ProvideQueueOptions(c)) })},
		"MULTISAUDE_SQS_BATCH_SIZE":        {value: "3", env: sqs, probe: settings(func(c Config) any { return sqsConfig(c, ProvideQueueOptions(c)) })},
		"MULTISAUDE_SQS_MAX_RETRIES":       {value: "9", env: sqs, probe: settings(func(c Config) any { return sqsConfig(c, ProvideQueueOptions(c)) })},

		"MULTISAUDE_AMQP_URL":          {value: "amqp://other", env: amqp, probe: settings(func(c Config) any { return rabbitConfig(c, ProvideQueueOptions(c)) })},
		"MULTISAUDE_AMQP_EXCHANGE":     {value: "other", env: amqp, probe: settings(func(c Config) any { return rabbitConfig(c, ProvideQueueOptions(c)) })},
		"MULTISAUDE_AMQP_QUEUE_PREFIX": {value: "other.", env: amqp, probe: settings(func(c Config) any { return rabbitConfig(c, ProvideQueueOptions(c)) })},
		"MULTISAUDE_AMQP_PREFETCH":     {value: "4", env: amqp, probe: settings(func(c Config) any { return rabbitConfig(c, ProvideQueueOptions(c)) })},
		"MULTISAUDE_AMQP_COMPETING":    {value: "true", env: amqp, probe: settings(func(c Config) any { return rabbitConfig(c, ProvideQueueOptions(c)) })},

		"MULTISAUDE_SCHEDULER_REGION":            {value: "sa-east-1", env: awsEnv, probe: settings(eventBridgeConfig)},
		"MULTISAUDE_SCHEDULER_ENDPOINT":          {value: "http://eb.local", env: awsEnv, probe: settings(eventBridgeConfig)},
		"MULTISAUDE_SCHEDULER_ACCESS_KEY_ID":     {value: "AKID", env: awsEnv, probe: settings(eventBridgeConfig)},
		"MULTISAUDE_SCHEDULER_SECRET_ACCESS_KEY": {value: "secret", env: awsEnv, probe: settings(eventBridgeConfig)},
		"MULTISAUDE_SCHEDULER_GROUP":             {value: "other", env: awsEnv, probe: settings(eventBridgeConfig)},
		"MULTISAUDE_SCHEDULER_ROLE_ARN":          {value: "arn:aws:iam::2:role/r", env: awsEnv, probe: settings(eventBridgeConfig)},
		"MULTISAUDE_SCHEDULER_MAX_RETRIES":       {value: "9", env: awsEnv, probe: settings(eventBridgeConfig)},

		"MULTISAUDE_COGNITO_REGION":       {value: "sa-east-1", env: awsEnv, probe: settings(cognitoConfig)},
		"MULTISAUDE_COGNITO_USER_POOL_ID": {value: "sa-east-1_X", env: awsEnv, probe: settings(cognitoConfig)},
		"MULTISAUDE_COGNITO_CLIENT_ID":    {value: "other", env: awsEnv, probe: settings(cognitoConfig)},
		"MULTISAUDE_COGNITO_TOKEN_USE":    {value: "id", env: awsEnv, probe: settings(cognitoConfig)},
		"MULTISAUDE_COGNITO_ISSUER":       {value: "https://issuer", env: awsEnv, probe: settings(cognitoConfig)},
		"MULTISAUDE_COGNITO_ENDPOINT":     {value: "http://cognito.local", env: awsEnv, probe: settings(cognitoConfig)},
		"MULTISAUDE_COGNITO_JWKS_REFRESH": {value: "1h", env: awsEnv, probe: settings(cognitoConfig)},

		"MULTISAUDE_KEYCLOAK_URL":                 {value: "http://other", env: onprem(nil), probe: settings(keycloakConfig)},
		"MULTISAUDE_KEYCLOAK_REALM":               {value: "other", env: onprem(nil), probe: settings(keycloakConfig)},
		"MULTISAUDE_KEYCLOAK_CLIENT_ID":           {value: "other", env: onprem(nil), probe: settings(keycloakConfig)},
		"MULTISAUDE_KEYCLOAK_ADMIN_CLIENT_ID":     {value: "admin", env: onprem(nil), probe: settings(keycloakConfig)},
		"MULTISAUDE_KEYCLOAK_ADMIN_CLIENT_SECRET": {value: "secret", env: onprem(nil), probe: settings(keycloakConfig)},
		"MULTISAUDE_KEYCLOAK_ACCOUNT_ID_CLAIM":    {value: "acc", env: onprem(nil), probe: settings(keycloakConfig)},
		"MULTISAUDE_KEYCLOAK_COMPANY_ID_CLAIM":    {value: "co", env: onprem(nil), probe: settings(keycloakConfig)},
		"MULTISAUDE_KEYCLOAK_JWKS_REFRESH":        {value: "1h", env: onprem(nil), probe: settings(keycloakConfig)},

		"MULTISAUDE_KMS_KEY_ID":   {value: "alias/other", env: awsEnv, probe: settings(kmsConfig)},
		"MULTISAUDE_KMS_REGION":   {value: "sa-east-1", env: awsEnv, probe: settings(kmsConfig)},
		"MULTISAUDE_KMS_ENDPOINT": {value: "http://kms.local", env: awsEnv, probe: settings(kmsConfig)},

		"MULTISAUDE_SES_FROM":              {value: "x@y.z", env: awsEnv, probe: settings(sesConfig)},
		"MULTISAUDE_SES_REGION":            {value: "sa-east-1", env: awsEnv, probe: settings(sesConfig)},
		"MULTISAUDE_SES_CONFIGURATION_SET": {value: "set", env: awsEnv, probe: settings(sesConfig)},
		"MULTISAUDE_SES_ENDPOINT":          {value: "http://ses.local", env: awsEnv, probe: settings(sesConfig)},

		"MULTISAUDE_SMTP_HOST":     {value: "other", env: onprem(nil), probe: settings(smtpConfig)},
		"MULTISAUDE_SMTP_PORT":     {value: "465", env: onprem(nil), probe: settings(smtpConfig)},
		"MULTISAUDE_SMTP_USERNAME": {value: "u", env: onprem(nil), probe: settings(smtpConfig)},
		"MULTISAUDE_SMTP_PASSWORD": {value: "p", env: onprem(nil), probe: settings(smtpConfig)},
		"MULTISAUDE_SMTP_FROM":     {value: "x@y.z", env: onprem(nil), probe: settings(smtpConfig)},
		"MULTISAUDE_SMTP_TLS":      {value: "implicit", env: onprem(nil), probe: settings(smtpConfig)},
		"MULTISAUDE_SMTP_TIMEOUT":  {value: "3s", env: onprem(nil), probe: settings(smtpConfig)},
		"MULTISAUDE_SMTP_HELO":     {value: "app.example", env: onprem(nil), probe: settings(smtpConfig)},

		"MULTISAUDE_LOCATION_PLACE_INDEX":      {value: "other", env: awsEnv, probe: settings(awsLocationConfig)},
		"MULTISAUDE_LOCATION_REGION":           {value: "sa-east-1", env: awsEnv, probe: settings(awsLocationConfig)},
		"MULTISAUDE_LOCATION_ENDPOINT":         {value: "http://geo.local", env: awsEnv, probe: settings(awsLocationConfig)},
		"MULTISAUDE_LOCATION_MIN_RELEVANCE":    {value: "0.8", env: awsEnv, probe: settings(awsLocationConfig)},
		"MULTISAUDE_LOCATION_FALLBACK_OFFLINE": {value: "true", env: awsEnv, probe: settings(awsLocationConfig)},

		"MULTISAUDE_STRIPE_SECRET_KEY":     {value: "sk_test_y", env: awsEnv, probe: settings(stripeConfig)},
		"MULTISAUDE_STRIPE_WEBHOOK_SECRET": {value: "whsec_y", env: awsEnv, probe: settings(stripeConfig)},
		"MULTISAUDE_STRIPE_API_URL":        {value: "http://stripe.local", env: awsEnv, probe: settings(stripeConfig)},

		"MULTISAUDE_VIDEO":              {value: VideoWebRTC, env: awsWith(map[string]string{"MULTISAUDE_VIDEO_SECRET": videoSecret}), probe: func(_ *testing.T, c Config) any { return c.Video }},
		"MULTISAUDE_VIDEO_EARLY":        {value: "5m", env: local, probe: settings(videoTimingConfig)},
		"MULTISAUDE_VIDEO_GRACE":        {value: "1h", env: local, probe: settings(videoTimingConfig)},
		"MULTISAUDE_VIDEO_SECRET":       {value: videoSecret, env: local, probe: webrtcSettings},
		"MULTISAUDE_ICE_SERVERS":        {value: "stun:stun.example:3478", env: local, probe: webrtcSettings},
		"MULTISAUDE_TURN_USERNAME":      {value: "other", env: turnEnv, probe: webrtcSettings},
		"MULTISAUDE_TURN_CREDENTIAL":    {value: "other", env: turnEnv, probe: webrtcSettings},
		"MULTISAUDE_JITSI_URL":          {value: "https://other.example", env: onprem(nil), probe: settings(jitsiConfig)},
		"MULTISAUDE_JITSI_APP_ID":       {value: "other", env: onprem(nil), probe: settings(jitsiConfig)},
		"MULTISAUDE_JITSI_SECRET":       {value: jitsiSecret + "-other", env: onprem(nil), probe: settings(jitsiConfig)},
		"MULTISAUDE_CHIME_REGION":       {value: "eu-west-2", env: awsEnv, probe: settings(chimeConfig)},
		"MULTISAUDE_CHIME_MEDIA_REGION": {value: "us-east-1", env: awsEnv, probe: settings(chimeConfig)},
		"MULTISAUDE_CHIME_ENDPOINT":     {value: "http://chime.local", env: awsEnv, probe: settings(chimeConfig)},

		// onprem: setting the URL also switches the default geocoder to Nominatim
		"MULTISAUDE_NOMINATIM_URL":              {value: "https://nominatim.example", env: onprem(nil), probe: func(t *testing.T, c Config) any { return fmt.Sprint(c.Geocoder, nominatimConfig(c)) }},
		"MULTISAUDE_NOMINATIM_USER_AGENT":       {value: "ua", env: onprem(nil), probe: settings(nominatimConfig)},
		"MULTISAUDE_NOMINATIM_EMAIL":            {value: "x@y.z", env: onprem(nil), probe: settings(nominatimConfig)},
		"MULTISAUDE_NOMINATIM_MIN_INTERVAL":     {value: "2s", env: onprem(nil), probe: settings(nominatimConfig)},
		"MULTISAUDE_NOMINATIM_FALLBACK_OFFLINE": {value: "true", env: onprem(nil), probe: settings(nominatimConfig)},

		"MULTISAUDE_TRACES": {value: "otlp", env: local, probe: func(t *testing.T, c Config) any {
			tr, cleanup, err := ProvideTracing(context.Background(), c, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			defer cleanup()
			return tr.Enabled()
		}},
		"MULTISAUDE_TRACES_ENDPOINT":     {value: "http://collector:4318", env: map[string]string{"MULTISAUDE_TRACES": "otlp"}, probe: settings(tracingConfig)},
		"MULTISAUDE_TRACES_SAMPLE_RATIO": {value: "0.25", env: map[string]string{"MULTISAUDE_TRACES": "otlp"}, probe: settings(tracingConfig)},
	}
}

// TestEveryVariableChangesSomething walks the configuration table: every
// variable needs an entry in effects, whose probe must answer differently
// when the variable is set. Adding a variable without a case fails here;
// so does a variable that reaches nothing (as MULTISAUDE_AUTH_AUDIENCE did).
func TestEveryVariableChangesSomething(t *testing.T) {
	table := effects(t)
	seen := map[string]bool{}
	for _, f := range Fields() {
		seen[f.Env] = true
		e, ok := table[f.Env]
		if !ok {
			t.Errorf("%s has no case in effects (wire/config_walk_test.go): add one that sets it and observes what it changes, or delete the variable", f.Env)
			continue
		}
		t.Run(f.Env, func(t *testing.T) {
			if e.elsewhere != "" {
				checkElsewhere(t, f.Env, e.elsewhere)
				return
			}
			if e.value == f.Default {
				t.Fatalf("the case sets %s to its default %q", f.Env, e.value)
			}
			// the base keeps what env sets (a required variable stays set); the case changes it
			without, with := map[string]string{}, map[string]string{}
			for k, v := range e.env {
				without[k], with[k] = v, v
			}
			with[f.Env] = e.value
			if without[f.Env] == e.value {
				t.Fatalf("the case sets %s to the value its base already has", f.Env)
			}
			c0, err := Load(env(without))
			if err != nil {
				t.Fatalf("base configuration: %v", err)
			}
			c1, err := Load(env(with))
			if err != nil {
				t.Fatalf("%s=%s: %v", f.Env, e.value, err)
			}
			if a, b := e.probe(t, c0), e.probe(t, c1); reflect.DeepEqual(a, b) {
				t.Errorf("setting %s=%q changes nothing the probe sees (%v): the variable does nothing", f.Env, e.value, a)
			}
		})
	}
	for k := range table {
		if !seen[k] {
			t.Errorf("effects has a case for %s, which is not in the configuration", k)
		}
	}
}

// checkElsewhere requires the named test to exist and to set the variable.
func checkElsewhere(t *testing.T, name, where string) {
	file, test, ok := strings.Cut(where, ":")
	if !ok {
		t.Fatalf("elsewhere %q: want file:TestName", where)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), file, b, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Name.Name == test {
			body := string(b[fn.Pos()-1 : fn.End()-1])
			if !strings.Contains(body, `"`+name+`"`) && !strings.Contains(body, `"`+name+`=`) {
				t.Errorf("%s does not set %s", where, name)
			}
			return
		}
	}
	t.Errorf("%s: no such test", where)
}

var envName = regexp.MustCompile(`MULTISAUDE_[A-Z0-9_]+`)

// TestNoVariableOutsideTheTable fails when code or deployment files name a
// MULTISAUDE_ variable the table does not have: such a variable is read
// behind the table's back or documented without doing anything (the
// localauth, identity and argon2hash packages each read their own once, and
// the binary passed them an empty environment).
func TestNoVariableOutsideTheTable(t *testing.T) {
	known := map[string]bool{"MULTISAUDE_CONFIG_FILE": true}
	for _, f := range Fields() {
		known[f.Env] = true
	}
	var unknown []string
	for _, root := range []string{"../adapters", "../cmd", "../core", "../ports", "../wire", "../deploy"} {
		_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasSuffix(p, "_test.go") || strings.Contains(p, "node_modules") {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			for _, m := range envName.FindAllString(string(b), -1) {
				if !known[m] && !strings.HasPrefix(m, "MULTISAUDE_TEST_") {
					unknown = append(unknown, p+": "+m)
				}
			}
			return nil
		})
	}
	sort.Strings(unknown)
	for _, u := range unknown {
		t.Errorf("%s is not in the configuration table (wire.Config)", u)
	}
}

// TestVideoProviderDefaultsAndRequirements: each profile's default provider,
// and a start error naming each variable the chosen provider lacks.
func TestVideoProviderDefaultsAndRequirements(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want string
	}{{map[string]string{}, VideoWebRTC}, {awsEnv, VideoChime}, {onprem(nil), VideoJitsi}} {
		cfg, err := Load(env(c.env))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Video != c.want {
			t.Errorf("%s: video = %q, want %q", cfg.Profile, cfg.Video, c.want)
		}
	}
	bare := onprem(nil)
	delete(bare, "MULTISAUDE_JITSI_URL")
	delete(bare, "MULTISAUDE_JITSI_SECRET")
	_, err := Load(env(bare))
	for _, want := range []string{"MULTISAUDE_JITSI_URL is required for the onprem profile (MULTISAUDE_VIDEO=jitsi)", "MULTISAUDE_JITSI_SECRET is required"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	for extra, want := range map[[2]string]string{
		{"MULTISAUDE_VIDEO", VideoWebRTC}:            "MULTISAUDE_VIDEO_SECRET is required for the aws profile (MULTISAUDE_VIDEO=webrtc)",
		{"MULTISAUDE_VIDEO", "zoom"}:                 `MULTISAUDE_VIDEO="zoom": must be webrtc, jitsi or chime`,
		{"MULTISAUDE_VIDEO_EARLY", "3h"}:             "MULTISAUDE_VIDEO_EARLY: must be between 1m and 2h",
		{"MULTISAUDE_VIDEO_SECRET", "short"}:         "MULTISAUDE_VIDEO_SECRET: must have at least 32 bytes",
		{"MULTISAUDE_CHIME_MEDIA_REGION", " "}:       "MULTISAUDE_CHIME_MEDIA_REGION is required",
		{"MULTISAUDE_ICE_SERVERS", "http://x"}:       `MULTISAUDE_ICE_SERVERS: "http://x" must be a stun:`,
		{"MULTISAUDE_ICE_SERVERS", "turn:t.example"}: "MULTISAUDE_TURN_USERNAME and MULTISAUDE_TURN_CREDENTIAL are required",
	} {
		m := map[string]string{}
		for k, v := range awsEnv {
			m[k] = v
		}
		m[extra[0]] = extra[1]
		if extra[0] == "MULTISAUDE_ICE_SERVERS" {
			m["MULTISAUDE_VIDEO"], m["MULTISAUDE_VIDEO_SECRET"] = VideoWebRTC, videoSecret
		}
		if _, err := Load(env(m)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s=%s: error lacks %q: %v", extra[0], extra[1], want, err)
		}
	}
	if _, err := Load(env(map[string]string{"MULTISAUDE_VIDEO": VideoJitsi})); err == nil || !strings.Contains(err.Error(), "local profile always uses the built-in webrtc") {
		t.Errorf("local profile with jitsi: %v", err)
	}
}

// TestProvideVideoRoomsByProfile: each profile's configuration builds its
// provider (no call leaves the process: the providers only talk when used).
func TestProvideVideoRoomsByProfile(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"MULTISAUDE_DATA_DIR": t.TempDir()}, ports.VideoWebRTC},
		{onprem(nil), ports.VideoJitsi},
		{onprem(map[string]string{"MULTISAUDE_VIDEO": VideoWebRTC, "MULTISAUDE_VIDEO_SECRET": videoSecret}), ports.VideoWebRTC},
		{awsEnv, ports.VideoChime},
	} {
		cfg, err := Load(env(c.env))
		if err != nil {
			t.Fatal(err)
		}
		v, cleanup, err := ProvideVideoRooms(context.Background(), cfg, memlive.New(), slog.New(slog.DiscardHandler), nil)
		if err != nil {
			t.Fatalf("%s: %v", cfg.Profile, err)
		}
		if v.Provider() != c.want {
			t.Errorf("%s: provider %s, want %s", cfg.Profile, v.Provider(), c.want)
		}
		cleanup()
	}
	// The local profile keeps its generated key: the same on the next start.
	dir := t.TempDir()
	cfg, _ := Load(env(map[string]string{"MULTISAUDE_DATA_DIR": dir}))
	a, err := webrtcConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := webrtcConfig(cfg)
	if len(a.Secret) < 32 || string(a.Secret) != string(b.Secret) {
		t.Errorf("generated video secret not kept: %d bytes", len(a.Secret))
	}
	if fi, err := os.Stat(filepath.Join(dir, "video-secret")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("video-secret file: %v", err)
	}
}
