package wire

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/multisaude/multisaude/adapters/blob/fileblob"
	"github.com/multisaude/multisaude/adapters/blob/gcsblob"
	"github.com/multisaude/multisaude/adapters/blob/minioblob"
	"github.com/multisaude/multisaude/adapters/blob/s3blob"
	"github.com/multisaude/multisaude/adapters/geo/awslocation"
	"github.com/multisaude/multisaude/adapters/geo/nominatim"
	"github.com/multisaude/multisaude/adapters/identity/argon2hash"
	"github.com/multisaude/multisaude/adapters/identity/cognitoauth"
	"github.com/multisaude/multisaude/adapters/identity/keycloakauth"
	"github.com/multisaude/multisaude/adapters/identity/localauth"
	"github.com/multisaude/multisaude/adapters/keys/kmskeys"
	"github.com/multisaude/multisaude/adapters/keys/localkeys"
	"github.com/multisaude/multisaude/adapters/keys/localsigner"
	"github.com/multisaude/multisaude/adapters/notify/lognotifier"
	"github.com/multisaude/multisaude/adapters/notify/sesnotifier"
	"github.com/multisaude/multisaude/adapters/notify/smtpnotifier"
	"github.com/multisaude/multisaude/adapters/payments/localpay"
	"github.com/multisaude/multisaude/adapters/payments/stripepay"
	"github.com/multisaude/multisaude/adapters/queue/rabbitqueue"
	"github.com/multisaude/multisaude/adapters/queue/sqsqueue"
	"github.com/multisaude/multisaude/adapters/schedule/ebscheduler"
	"github.com/multisaude/multisaude/adapters/secrets/awssecrets"
	"github.com/multisaude/multisaude/adapters/webhook/httpwebhook"
	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/ports"
)

// The functions below map the configuration to each adapter's own settings,
// and nothing else: the providers call them, and the configuration walk test
// (config_walk_test.go) calls them to prove that every variable reaches
// something.

// databaseSettings is what ProvideDB opens.
type databaseSettings struct {
	URL      string
	MaxConns int
	Migrate  bool
}

func databaseConfig(cfg Config) databaseSettings {
	return databaseSettings{URL: cfg.DatabaseURL, MaxConns: cfg.DBMaxConns, Migrate: cfg.Migrate()}
}

// databaseSecretConfig is where the database credentials are read (aws, with
// MULTISAUDE_DATABASE_SECRET_ARN).
func databaseSecretConfig(cfg Config) awssecrets.Config {
	return awssecrets.Config{SecretID: cfg.DatabaseSecretARN, Endpoint: cfg.SecretsManagerEndpoint}
}

// DatabaseURL is the URL the database is opened with: MULTISAUDE_DATABASE_URL,
// with the user and password of the Secrets Manager secret when
// MULTISAUDE_DATABASE_SECRET_ARN is set (read now, once).
func DatabaseURL(ctx context.Context, cfg Config) (string, error) {
	if cfg.DatabaseSecretARN == "" {
		return cfg.DatabaseURL, nil
	}
	return awssecrets.DatabaseURL(ctx, databaseSecretConfig(cfg), cfg.DatabaseURL)
}

func fileBlobConfig(cfg Config) fileblob.Config {
	var secret []byte
	if cfg.Secret != "" {
		secret = []byte(cfg.Secret)
	}
	return fileblob.Config{Root: filepath.Join(cfg.DataDir, "files"), BaseURL: cfg.PublicURL, Secret: secret}
}

func s3Config(cfg Config) s3blob.Config {
	return s3blob.Config{Bucket: cfg.S3Bucket, Region: cfg.S3Region, Endpoint: cfg.S3Endpoint, PathStyle: cfg.S3PathStyle,
		KMSKeyID: cfg.S3KMSKeyID, AccessKeyID: cfg.S3AccessKeyID, SecretAccessKey: cfg.S3SecretAccessKey,
		PartSize: int64(cfg.S3PartSize), MaxAttempts: cfg.S3MaxAttempts}
}

func minioConfig(cfg Config) minioblob.Config {
	return minioblob.Config{Endpoint: cfg.MinioEndpoint, Bucket: cfg.MinioBucket, AccessKey: cfg.MinioAccessKey,
		SecretKey: cfg.MinioSecretKey, Region: cfg.MinioRegion, CreateBucket: cfg.MinioCreateBucket, PartSize: uint64(max(cfg.MinioPartSize, 0))}
}

func gcsConfig(cfg Config) gcsblob.Config {
	return gcsblob.Config{Bucket: cfg.GCSBucket, Endpoint: cfg.GCSEndpoint, CredentialsFile: cfg.GCSCredentialsFile,
		SignerEmail: cfg.GCSSignerEmail, SignerKeyFile: cfg.GCSSignerKeyFile, ChunkSize: cfg.GCSChunkSize}
}

func sqsConfig(cfg Config, opts ports.QueueOptions) sqsqueue.Config {
	return sqsqueue.Config{Region: cfg.SQSRegion, Endpoint: cfg.SQSEndpoint, AccessKeyID: cfg.SQSAccessKeyID,
		SecretAccessKey: cfg.SQSSecretAccessKey, QueuePrefix: cfg.SQSQueuePrefix, RequireExisting: cfg.SQSRequireExisting,
		Topics:   Topics(),
		Standard: cfg.SQSStandard, WaitTime: cfg.SQSWaitTime, BatchSize: cfg.SQSBatchSize, MaxRetries: cfg.SQSMaxRetries, QueueOptions: opts}
}

func rabbitConfig(cfg Config, opts ports.QueueOptions) rabbitqueue.Config {
	return rabbitqueue.Config{URL: cfg.AMQPURL, Exchange: cfg.AMQPExchange, QueuePrefix: cfg.AMQPQueuePrefix,
		Prefetch: cfg.AMQPPrefetch, Competing: cfg.AMQPCompeting, QueueOptions: opts}
}

func eventBridgeConfig(cfg Config) ebscheduler.Config {
	return ebscheduler.Config{Region: cfg.SchedulerRegion, Endpoint: cfg.SchedulerEndpoint,
		AccessKeyID: cfg.SchedulerAccessKeyID, SecretAccessKey: cfg.SchedulerSecretAccessKey, GroupName: cfg.SchedulerGroup,
		RoleARN: cfg.SchedulerRoleARN, MaxRetries: cfg.SchedulerMaxRetries}
}

func cognitoConfig(cfg Config) cognitoauth.Config {
	return cognitoauth.Config{Region: cfg.CognitoRegion, UserPoolID: cfg.CognitoUserPoolID, ClientID: cfg.CognitoClientID,
		TokenUse: cfg.CognitoTokenUse, Issuer: cfg.CognitoIssuer, Endpoint: cfg.CognitoEndpoint, JWKSRefresh: cfg.CognitoJWKSRefresh}
}

func keycloakConfig(cfg Config) keycloakauth.Config {
	return keycloakauth.Config{BaseURL: cfg.KeycloakURL, Realm: cfg.KeycloakRealm, ClientID: cfg.KeycloakClientID,
		AdminClientID: cfg.KeycloakAdminClientID, AdminClientSecret: cfg.KeycloakAdminClientSecret,
		AccountIDClaim: cfg.KeycloakAccountIDClaim, CompanyIDClaim: cfg.KeycloakCompanyIDClaim, JWKSRefresh: cfg.KeycloakJWKSRefresh}
}

// localAuthConfig is the local identity provider's: issuer (default the
// public URL), audience, access-token lifetime and signing key file (default
// $DATA_DIR/auth/jwt-ed25519.pem).
func localAuthConfig(cfg Config) localauth.Config {
	c := localauth.Config{Issuer: cfg.AuthIssuer, Audience: cfg.AuthAudience, AccessTTL: cfg.AuthAccessTTL, KeyFile: cfg.AuthKeyFile}
	if c.Issuer == "" {
		c.Issuer = cfg.PublicURL
	}
	if c.KeyFile == "" {
		c.KeyFile = filepath.Join(cfg.DataDir, "auth", "jwt-ed25519.pem")
	}
	return c
}

func argon2Params(cfg Config) argon2hash.Params {
	return argon2hash.Params{MemoryKiB: uint32(max(cfg.AuthArgon2MemoryKiB, 0)), Time: uint32(max(cfg.AuthArgon2Time, 0))}
}

func kmsConfig(cfg Config) kmskeys.Config {
	return kmskeys.Config{KeyID: cfg.KMSKeyID, Region: cfg.KMSRegion, Endpoint: cfg.KMSEndpoint}
}

// localKeysConfig is the local key manager's; in the local profile keys it
// cannot find are generated into $DATA_DIR.
func localKeysConfig(cfg Config) localkeys.Config {
	c := localkeys.Config{MasterKeys: cfg.LocalKeysMasterKeys, MasterKeysFile: cfg.LocalKeysMasterKeysFile, CurrentKeyID: cfg.LocalKeysCurrent}
	if cfg.Profile == ProfileLocal {
		c.DataDir = cfg.DataDir
	}
	return c
}

func localSignerConfig(cfg Config) localsigner.Config {
	c := localsigner.Config{Seed: cfg.SignerSeed}
	if cfg.Profile == ProfileLocal {
		c.DataDir = cfg.DataDir
	}
	return c
}

// logNotifierConfig drops mail as .eml files in $DATA_DIR/mail in the local profile.
func logNotifierConfig(cfg Config) lognotifier.Config {
	c := lognotifier.Config{}
	if cfg.Profile == ProfileLocal {
		c.MailDir = filepath.Join(cfg.DataDir, "mail")
	}
	return c
}

func sesConfig(cfg Config) sesnotifier.Config {
	return sesnotifier.Config{From: cfg.SESFrom, Region: cfg.SESRegion, ConfigurationSet: cfg.SESConfigurationSet, Endpoint: cfg.SESEndpoint}
}

func smtpConfig(cfg Config) smtpnotifier.Config {
	return smtpnotifier.Config{Host: cfg.SMTPHost, Port: cfg.SMTPPort, Username: cfg.SMTPUsername, Password: cfg.SMTPPassword,
		From: cfg.SMTPFrom, TLS: cfg.SMTPTLS, Timeout: cfg.SMTPTimeout, HelloName: cfg.SMTPHelo}
}

func awsLocationConfig(cfg Config) awslocation.Config {
	return awslocation.Config{IndexName: cfg.LocationPlaceIndex, Region: cfg.LocationRegion, Endpoint: cfg.LocationEndpoint,
		MinRelevance: cfg.LocationMinRelevance, FallbackOffline: cfg.LocationFallbackOffline}
}

func nominatimConfig(cfg Config) nominatim.Config {
	return nominatim.Config{URL: cfg.NominatimURL, UserAgent: cfg.NominatimUserAgent, Email: cfg.NominatimEmail,
		MinInterval: cfg.NominatimMinInterval, FallbackOffline: cfg.NominatimFallbackOffline}
}

func clinicalConfig(cfg Config) clinical.Config {
	return clinical.Config{MaxDocumentBytes: int64(cfg.UploadLimit), CareWindow: cfg.ClinicalCareWindow, EmergencyTTL: cfg.ClinicalEmergencyTTL}
}

// resetURL is the link base of password-reset e-mails.
func resetURL(cfg Config) string {
	if cfg.AuthResetURL != "" {
		return cfg.AuthResetURL
	}
	return strings.TrimRight(cfg.PublicURL, "/") + "/reset-password?token="
}

func webhookSenderConfig(cfg Config) httpwebhook.Settings {
	return httpwebhook.Settings{AllowPrivate: cfg.AllowPrivateWebhooks()}
}

func stripeConfig(cfg Config) stripepay.Settings {
	return stripepay.Settings{SecretKey: cfg.StripeSecretKey, WebhookSecret: cfg.StripeWebhookSecret, APIURL: cfg.StripeAPIURL}
}

// localPayConfig points the simulator's webhooks at this server and signs
// them with a secret derived from MULTISAUDE_SECRET, or else one kept in
// $DATA_DIR/localpay-secret (created once).
func localPayConfig(cfg Config) (localpay.Settings, error) {
	set := localpay.Settings{WebhookURL: strings.TrimRight(cfg.PublicURL, "/") + "/v1/payments/webhooks/localpay",
		File: filepath.Join(cfg.DataDir, "localpay.json"), MerchantName: "MULTISAUDE", MerchantCity: "SAO PAULO"}
	if cfg.Secret != "" {
		m := hmac.New(sha256.New, []byte(cfg.Secret))
		m.Write([]byte("localpay-webhooks"))
		set.WebhookSecret = hex.EncodeToString(m.Sum(nil))
		return set, nil
	}
	path := filepath.Join(cfg.DataDir, "localpay-secret")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		set.WebhookSecret = strings.TrimSpace(string(b))
		return set, nil
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return set, err
	}
	set.WebhookSecret = hex.EncodeToString(buf)
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return set, fmt.Errorf("localpay secret: %w", err)
	}
	if err := os.WriteFile(path, []byte(set.WebhookSecret+"\n"), 0o600); err != nil {
		return set, fmt.Errorf("localpay secret: %w", err)
	}
	return set, nil
}
