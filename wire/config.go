// Package wire holds the application's configuration, the google/wire provider
// sets (one small set per adapter, in sets.go) and the App they build. Each
// profile (local, aws, onprem) is a sub-package with its injector and its
// generated wire_gen.go.
package wire

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// Profiles the binary can run with.
const (
	ProfileLocal  = "local"
	ProfileAWS    = "aws"
	ProfileOnprem = "onprem"
)

// Roles of a process on AWS Lambda, as MULTISAUDE_LAMBDA_ROLE names them.
const (
	LambdaAPI    = "api"
	LambdaWorker = "worker"
	LambdaTick   = "tick"
)

// Config is every setting, read from MULTISAUDE_* environment variables (and an
// optional file of KEY=VALUE lines named by MULTISAUDE_CONFIG_FILE; the
// environment wins). Each field's tag names its variable and default.
type Config struct {
	Profile         string        `env:"MULTISAUDE_PROFILE" default:"local" help:"local, aws or onprem"`
	HTTPAddr        string        `env:"MULTISAUDE_HTTP_ADDR" default:":8080" help:"listen address"`
	MetricsAddr     string        `env:"MULTISAUDE_METRICS_ADDR" default:"127.0.0.1:9090" help:"listen address of GET /metrics (Prometheus), apart from the public API; off disables it"`
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
	Portal          bool          `env:"MULTISAUDE_PORTAL" default:"true" help:"serve the web portal (pages and assets) beside the API; false for an API-only instance"`
	TrustedProxies  []string      `env:"MULTISAUDE_TRUSTED_PROXIES" default:"" help:"comma-separated proxy IPs whose X-Forwarded-For is trusted"`
	LogLevel        string        `env:"MULTISAUDE_LOG_LEVEL" default:"info" help:"debug, info, warn or error"`
	RunWorker       bool          `env:"MULTISAUDE_RUN_WORKER" default:"true" help:"serve also runs the background worker in-process"`
	LambdaRole      string        `env:"MULTISAUDE_LAMBDA_ROLE" default:"api" help:"on AWS Lambda (AWS_LAMBDA_RUNTIME_API set): api (API Gateway HTTP API events), worker (SQS events) or tick (EventBridge Scheduler every minute: outbox relay and timers)"`
	AdminEmail      string        `env:"MULTISAUDE_ADMIN_EMAIL" default:"" help:"platform admin created at start when none exists"`
	AdminPassword   string        `env:"MULTISAUDE_ADMIN_PASSWORD" default:"" help:"its password"`
	Version         string        `env:"-"`
	// LogOutput, when set, receives the logs instead of standard output: for
	// tests and programs that embed the app. It is not read from the environment.
	LogOutput io.Writer `env:"-"`
	// Clock, when set, tells the app the time instead of the system clock: for
	// tests and `multisaude demo`, which writes a history dated in the past.
	// It is not read from the environment.
	Clock kernel.Clock `env:"-"`

	// The database password kept in Secrets Manager (aws), read at start into the URL.
	DatabaseSecretARN      string `env:"MULTISAUDE_DATABASE_SECRET_ARN" default:"" help:"aws: Secrets Manager secret (ARN) with the database user and password as JSON (username, password; host, port and dbname, when present, replace the URL's); MULTISAUDE_DATABASE_URL then has no password"`
	SecretsManagerEndpoint string `env:"MULTISAUDE_SECRETSMANAGER_ENDPOINT" default:"" help:"aws: Secrets Manager endpoint override (VPC endpoints, tests)"`

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
	AuthAudience         string        `env:"MULTISAUDE_AUTH_AUDIENCE" default:"multisaude-api" help:"aud claim of access tokens the local provider issues and requires"`
	AuthKeyFile          string        `env:"MULTISAUDE_AUTH_KEY_FILE" default:"" help:"Ed25519 PEM key signing access tokens, created when missing; default $DATA_DIR/auth/jwt-ed25519.pem; share it between instances"`
	AuthResetURL         string        `env:"MULTISAUDE_AUTH_RESET_URL" default:"" help:"link base of password-reset e-mails, the token is appended; default $PUBLIC_URL/reset-password?token="`
	AuthArgon2MemoryKiB  int           `env:"MULTISAUDE_AUTH_ARGON2_MEMORY_KIB" default:"19456" help:"argon2id memory per password hash, KiB"`
	AuthArgon2Time       int           `env:"MULTISAUDE_AUTH_ARGON2_TIME" default:"2" help:"argon2id passes"`

	ClinicalCareWindow   time.Duration `env:"MULTISAUDE_CLINICAL_CARE_WINDOW" default:"4320h" help:"how long after the last confirmed or completed appointment a professional may still open the patient's record"`
	ClinicalEmergencyTTL time.Duration `env:"MULTISAUDE_CLINICAL_EMERGENCY_TTL" default:"4h" help:"how long a break-the-glass access lasts"`

	OrderPayWindow       time.Duration `env:"MULTISAUDE_ORDER_PAY_WINDOW" default:"30m" help:"an unpaid order is cancelled and its stock released this long after it was placed"`
	PlatformFeeBP        int           `env:"MULTISAUDE_PLATFORM_FEE_BP" default:"0" help:"platform fee on partners' sales, in basis points (100 = 1%), shown in their statements"`
	WebhookMaxAttempts   int           `env:"MULTISAUDE_WEBHOOK_MAX_ATTEMPTS" default:"8" help:"partner webhooks: attempts of one event before it is dead-lettered (replayable)"`
	WebhookSecretOverlap time.Duration `env:"MULTISAUDE_WEBHOOK_SECRET_OVERLAP" default:"24h" help:"partner webhooks: how long a rotated secret keeps signing beside the new one"`
	WebhookAllowPrivate  string        `env:"MULTISAUDE_WEBHOOK_ALLOW_PRIVATE" default:"" help:"partner webhooks may target http:// and private, loopback or link-local addresses: true or false; default true for local, false otherwise"`

	// Adapters per port (aws and onprem profiles; the local profile always uses its own).
	Blob      string `env:"MULTISAUDE_BLOB" default:"" help:"aws/onprem blob store: file, s3, minio or gcs; default s3 (aws), minio (onprem)"`
	Queue     string `env:"MULTISAUDE_QUEUE" default:"" help:"aws/onprem queue: sql, sqs or rabbitmq; default sqs (aws), rabbitmq (onprem)"`
	Identity  string `env:"MULTISAUDE_IDENTITY" default:"" help:"aws/onprem identity provider: local, cognito or keycloak; default cognito (aws), keycloak (onprem)"`
	Keys      string `env:"MULTISAUDE_KEYS" default:"" help:"aws/onprem key manager: local or kms; default kms (aws), local (onprem)"`
	Notifier  string `env:"MULTISAUDE_NOTIFIER" default:"" help:"aws/onprem notifier: log, ses or smtp; default ses (aws), smtp (onprem)"`
	Geocoder  string `env:"MULTISAUDE_GEOCODER" default:"" help:"aws/onprem geocoder: offline, nominatim or awslocation; default awslocation (aws), nominatim when MULTISAUDE_NOMINATIM_URL is set else offline (onprem)"`
	Payments  string `env:"MULTISAUDE_PAYMENTS" default:"" help:"aws/onprem payment provider: stripe or localpay (the simulator; never with real money); default stripe"`
	Scheduler string `env:"MULTISAUDE_SCHEDULER" default:"" help:"aws/onprem scheduler: sql or eventbridge (needs MULTISAUDE_QUEUE=sqs); default eventbridge (aws), sql (onprem)"`

	S3Bucket          string `env:"MULTISAUDE_S3_BUCKET" default:"" help:"s3: bucket (required)"`
	S3Region          string `env:"MULTISAUDE_S3_REGION" default:"" help:"s3: region; default AWS_REGION or us-east-1"`
	S3Endpoint        string `env:"MULTISAUDE_S3_ENDPOINT" default:"" help:"s3: custom endpoint URL (S3-compatible services); empty for AWS"`
	S3PathStyle       bool   `env:"MULTISAUDE_S3_PATH_STYLE" default:"false" help:"s3: path-style addressing (most S3-compatible services)"`
	S3KMSKeyID        string `env:"MULTISAUDE_S3_KMS_KEY_ID" default:"" help:"s3: write objects with SSE-KMS under this key"`
	S3AccessKeyID     string `env:"MULTISAUDE_S3_ACCESS_KEY_ID" default:"" help:"s3: static credentials; empty uses the default AWS chain"`
	S3SecretAccessKey string `env:"MULTISAUDE_S3_SECRET_ACCESS_KEY" default:"" help:"s3: its secret"`
	S3PartSize        int    `env:"MULTISAUDE_S3_PART_SIZE" default:"8388608" help:"s3: bytes per multipart part, at least 5 MiB"`
	S3MaxAttempts     int    `env:"MULTISAUDE_S3_MAX_ATTEMPTS" default:"3" help:"s3: SDK attempts for throttling and 5xx"`

	MinioEndpoint     string `env:"MULTISAUDE_MINIO_ENDPOINT" default:"" help:"minio: URL such as http://minio:9000 (required)"`
	MinioBucket       string `env:"MULTISAUDE_MINIO_BUCKET" default:"multisaude" help:"minio: bucket"`
	MinioAccessKey    string `env:"MULTISAUDE_MINIO_ACCESS_KEY" default:"" help:"minio: access key (required)"`
	MinioSecretKey    string `env:"MULTISAUDE_MINIO_SECRET_KEY" default:"" help:"minio: secret key (required)"`
	MinioRegion       string `env:"MULTISAUDE_MINIO_REGION" default:"us-east-1" help:"minio: region"`
	MinioCreateBucket bool   `env:"MULTISAUDE_MINIO_CREATE_BUCKET" default:"false" help:"minio: create the bucket at start when missing"`
	MinioPartSize     int    `env:"MULTISAUDE_MINIO_PART_SIZE" default:"16777216" help:"minio: multipart part size for streams of unknown length"`

	GCSBucket          string `env:"MULTISAUDE_GCS_BUCKET" default:"" help:"gcs: bucket (required)"`
	GCSEndpoint        string `env:"MULTISAUDE_GCS_ENDPOINT" default:"" help:"gcs: JSON API endpoint of an emulator; empty for Google"`
	GCSCredentialsFile string `env:"MULTISAUDE_GCS_CREDENTIALS_FILE" default:"" help:"gcs: service-account JSON key; empty uses Application Default Credentials"`
	GCSSignerEmail     string `env:"MULTISAUDE_GCS_SIGNER_EMAIL" default:"" help:"gcs: service account that signs URLs (with MULTISAUDE_GCS_SIGNER_KEY_FILE)"`
	GCSSignerKeyFile   string `env:"MULTISAUDE_GCS_SIGNER_KEY_FILE" default:"" help:"gcs: PEM RSA key signing URLs; empty: the credentials' key or IAM signBlob"`
	GCSChunkSize       int    `env:"MULTISAUDE_GCS_CHUNK_SIZE" default:"8388608" help:"gcs: resumable-upload chunk in bytes"`

	QueueMaxAttempts       int           `env:"MULTISAUDE_QUEUE_MAX_ATTEMPTS" default:"5" help:"queues: deliveries before a message goes to the dead-letter topic"`
	QueueVisibilityTimeout time.Duration `env:"MULTISAUDE_QUEUE_VISIBILITY_TIMEOUT" default:"30s" help:"queues: how long a delivered message stays hidden (sql, sqs)"`
	QueueRetryDelay        time.Duration `env:"MULTISAUDE_QUEUE_RETRY_DELAY" default:"1s" help:"queues: wait before a failed message is delivered again"`

	SQSRegion          string        `env:"MULTISAUDE_SQS_REGION" default:"" help:"sqs: region; default AWS_REGION or us-east-1"`
	SQSEndpoint        string        `env:"MULTISAUDE_SQS_ENDPOINT" default:"" help:"sqs: custom endpoint URL; empty for AWS"`
	SQSAccessKeyID     string        `env:"MULTISAUDE_SQS_ACCESS_KEY_ID" default:"" help:"sqs: static credentials; empty uses the default AWS chain"`
	SQSSecretAccessKey string        `env:"MULTISAUDE_SQS_SECRET_ACCESS_KEY" default:"" help:"sqs: its secret"`
	SQSQueuePrefix     string        `env:"MULTISAUDE_SQS_QUEUE_PREFIX" default:"multisaude-" help:"sqs: prefix of every queue name"`
	SQSRequireExisting bool          `env:"MULTISAUDE_SQS_REQUIRE_EXISTING" default:"false" help:"sqs: only look queues up (deployment creates them); default creates each topic's queue and DLQ"`
	SQSStandard        bool          `env:"MULTISAUDE_SQS_STANDARD" default:"false" help:"sqs: standard queues instead of FIFO (loses per-key order)"`
	SQSWaitTime        time.Duration `env:"MULTISAUDE_SQS_WAIT_TIME" default:"20s" help:"sqs: long-polling wait, 1s..20s"`
	SQSBatchSize       int           `env:"MULTISAUDE_SQS_BATCH_SIZE" default:"10" help:"sqs: messages per receive, 1..10"`
	SQSMaxRetries      int           `env:"MULTISAUDE_SQS_MAX_RETRIES" default:"3" help:"sqs: SDK attempts for throttling and 5xx"`

	AMQPURL         string `env:"MULTISAUDE_AMQP_URL" default:"" help:"rabbitmq: amqp://user:pass@host:5672/vhost (required)"`
	AMQPExchange    string `env:"MULTISAUDE_AMQP_EXCHANGE" default:"multisaude" help:"rabbitmq: direct exchange for all topics"`
	AMQPQueuePrefix string `env:"MULTISAUDE_AMQP_QUEUE_PREFIX" default:"multisaude." help:"rabbitmq: prefix of every queue name"`
	AMQPPrefetch    int    `env:"MULTISAUDE_AMQP_PREFETCH" default:"32" help:"rabbitmq: unacked deliveries per consumer (handled one at a time, in order)"`
	AMQPCompeting   bool   `env:"MULTISAUDE_AMQP_COMPETING" default:"false" help:"rabbitmq: all consumers of a topic take messages at once (loses per-key order)"`

	SchedulerRegion          string `env:"MULTISAUDE_SCHEDULER_REGION" default:"" help:"eventbridge: region; default AWS_REGION or us-east-1"`
	SchedulerEndpoint        string `env:"MULTISAUDE_SCHEDULER_ENDPOINT" default:"" help:"eventbridge: custom endpoint URL; empty for AWS"`
	SchedulerAccessKeyID     string `env:"MULTISAUDE_SCHEDULER_ACCESS_KEY_ID" default:"" help:"eventbridge: static credentials; empty uses the default AWS chain"`
	SchedulerSecretAccessKey string `env:"MULTISAUDE_SCHEDULER_SECRET_ACCESS_KEY" default:"" help:"eventbridge: its secret"`
	SchedulerGroup           string `env:"MULTISAUDE_SCHEDULER_GROUP" default:"default" help:"eventbridge: schedule group (must exist)"`
	SchedulerRoleARN         string `env:"MULTISAUDE_SCHEDULER_ROLE_ARN" default:"" help:"eventbridge: role the scheduler assumes to send to SQS (required)"`
	SchedulerMaxRetries      int    `env:"MULTISAUDE_SCHEDULER_MAX_RETRIES" default:"3" help:"eventbridge: SDK attempts for throttling and 5xx"`

	CognitoRegion      string        `env:"MULTISAUDE_COGNITO_REGION" default:"" help:"cognito: region; default the AWS configuration's"`
	CognitoUserPoolID  string        `env:"MULTISAUDE_COGNITO_USER_POOL_ID" default:"" help:"cognito: user pool, e.g. sa-east-1_AbCdEf (required)"`
	CognitoClientID    string        `env:"MULTISAUDE_COGNITO_CLIENT_ID" default:"" help:"cognito: app client tokens must be issued for (required)"`
	CognitoTokenUse    string        `env:"MULTISAUDE_COGNITO_TOKEN_USE" default:"any" help:"cognito: accepted tokens: id, access or any"`
	CognitoIssuer      string        `env:"MULTISAUDE_COGNITO_ISSUER" default:"" help:"cognito: token issuer; default https://cognito-idp.<region>.amazonaws.com/<pool>"`
	CognitoEndpoint    string        `env:"MULTISAUDE_COGNITO_ENDPOINT" default:"" help:"cognito: API endpoint override (VPC endpoints, tests)"`
	CognitoJWKSRefresh time.Duration `env:"MULTISAUDE_COGNITO_JWKS_REFRESH" default:"15m" help:"cognito: how often the signing keys are fetched again"`

	KeycloakURL               string        `env:"MULTISAUDE_KEYCLOAK_URL" default:"" help:"keycloak: base URL, e.g. https://sso.hospital.local (required)"`
	KeycloakRealm             string        `env:"MULTISAUDE_KEYCLOAK_REALM" default:"multisaude" help:"keycloak: realm"`
	KeycloakClientID          string        `env:"MULTISAUDE_KEYCLOAK_CLIENT_ID" default:"" help:"keycloak: the API's client; tokens must name it in aud or azp (required)"`
	KeycloakAdminClientID     string        `env:"MULTISAUDE_KEYCLOAK_ADMIN_CLIENT_ID" default:"" help:"keycloak: confidential client whose service account may manage users"`
	KeycloakAdminClientSecret string        `env:"MULTISAUDE_KEYCLOAK_ADMIN_CLIENT_SECRET" default:"" help:"keycloak: its secret"`
	KeycloakAccountIDClaim    string        `env:"MULTISAUDE_KEYCLOAK_ACCOUNT_ID_CLAIM" default:"account_id" help:"keycloak: claim holding our account ID (a user-attribute mapper)"`
	KeycloakCompanyIDClaim    string        `env:"MULTISAUDE_KEYCLOAK_COMPANY_ID_CLAIM" default:"company_id" help:"keycloak: claim holding the company ID"`
	KeycloakJWKSRefresh       time.Duration `env:"MULTISAUDE_KEYCLOAK_JWKS_REFRESH" default:"15m" help:"keycloak: how often the signing keys are fetched again"`

	KMSKeyID    string `env:"MULTISAUDE_KMS_KEY_ID" default:"" help:"kms: key ID, ARN or alias of the key wrapping data keys (required)"`
	KMSRegion   string `env:"MULTISAUDE_KMS_REGION" default:"" help:"kms: region; default the AWS configuration's"`
	KMSEndpoint string `env:"MULTISAUDE_KMS_ENDPOINT" default:"" help:"kms: endpoint override (VPC endpoints, tests)"`

	SESFrom             string `env:"MULTISAUDE_SES_FROM" default:"" help:"ses: verified sender, e.g. MultiSaúde <nao-responda@multisaude.com.br> (required)"`
	SESRegion           string `env:"MULTISAUDE_SES_REGION" default:"" help:"ses: region; default the AWS configuration's"`
	SESConfigurationSet string `env:"MULTISAUDE_SES_CONFIGURATION_SET" default:"" help:"ses: configuration set (event publishing, suppression)"`
	SESEndpoint         string `env:"MULTISAUDE_SES_ENDPOINT" default:"" help:"ses: endpoint override (tests)"`

	SMTPHost     string        `env:"MULTISAUDE_SMTP_HOST" default:"" help:"smtp: relay host (required)"`
	SMTPPort     int           `env:"MULTISAUDE_SMTP_PORT" default:"587" help:"smtp: port (465 with implicit TLS)"`
	SMTPUsername string        `env:"MULTISAUDE_SMTP_USERNAME" default:"" help:"smtp: user; empty means no AUTH"`
	SMTPPassword string        `env:"MULTISAUDE_SMTP_PASSWORD" default:"" help:"smtp: password"`
	SMTPFrom     string        `env:"MULTISAUDE_SMTP_FROM" default:"" help:"smtp: sender address (required)"`
	SMTPTLS      string        `env:"MULTISAUDE_SMTP_TLS" default:"starttls" help:"smtp: starttls, implicit or none"`
	SMTPTimeout  time.Duration `env:"MULTISAUDE_SMTP_TIMEOUT" default:"15s" help:"smtp: limit for the whole exchange"`
	SMTPHelo     string        `env:"MULTISAUDE_SMTP_HELO" default:"localhost" help:"smtp: name sent in HELO/EHLO"`

	LocationPlaceIndex      string  `env:"MULTISAUDE_LOCATION_PLACE_INDEX" default:"" help:"awslocation: Amazon Location place index (required)"`
	LocationRegion          string  `env:"MULTISAUDE_LOCATION_REGION" default:"" help:"awslocation: region; default the AWS configuration's"`
	LocationEndpoint        string  `env:"MULTISAUDE_LOCATION_ENDPOINT" default:"" help:"awslocation: endpoint override (tests)"`
	LocationMinRelevance    float64 `env:"MULTISAUDE_LOCATION_MIN_RELEVANCE" default:"0" help:"awslocation: answers below this relevance (0..1) are not found"`
	LocationFallbackOffline bool    `env:"MULTISAUDE_LOCATION_FALLBACK_OFFLINE" default:"false" help:"awslocation: place what the index cannot with the offline table"`

	StripeSecretKey     string `env:"MULTISAUDE_STRIPE_SECRET_KEY" default:"" help:"stripe: secret API key, sk_live_... or sk_test_... (required for stripe)"`
	StripeWebhookSecret string `env:"MULTISAUDE_STRIPE_WEBHOOK_SECRET" default:"" help:"stripe: signing secret of the webhook endpoint $PUBLIC_URL/v1/payments/webhooks/stripe, whsec_... (required for stripe)"`
	StripeAPIURL        string `env:"MULTISAUDE_STRIPE_API_URL" default:"" help:"stripe: API base URL override (stripe-mock, tests); empty for Stripe"`

	Video            string        `env:"MULTISAUDE_VIDEO" default:"" help:"video provider of telemedicine rooms: webrtc (built in), jitsi or chime; default webrtc (local), jitsi (onprem), chime (aws); the local profile always uses webrtc"`
	VideoEarly       time.Duration `env:"MULTISAUDE_VIDEO_EARLY" default:"15m" help:"a telemedicine room opens this long before the appointment's start (1m..2h)"`
	VideoGrace       time.Duration `env:"MULTISAUDE_VIDEO_GRACE" default:"30m" help:"and stays open this long after its end (1m..4h)"`
	VideoSecret      string        `env:"MULTISAUDE_VIDEO_SECRET" default:"" help:"webrtc: key signing join tokens, at least 32 bytes, the same on every instance (required for aws and onprem); local default: generated into $DATA_DIR/video-secret"`
	ICEServers       []string      `env:"MULTISAUDE_ICE_SERVERS" default:"" help:"webrtc: comma-separated STUN/TURN URLs handed to browsers (stun:host:3478, turn:host:3478?transport=udp, turns:...); empty: none (one machine or one network)"`
	TURNUsername     string        `env:"MULTISAUDE_TURN_USERNAME" default:"" help:"webrtc: username of the turn:/turns: servers"`
	TURNCredential   string        `env:"MULTISAUDE_TURN_CREDENTIAL" default:"" help:"webrtc: credential of the turn:/turns: servers"`
	JitsiURL         string        `env:"MULTISAUDE_JITSI_URL" default:"" help:"jitsi: base URL of the secured Jitsi Meet, e.g. https://meet.hospital.example (required)"`
	JitsiAppID       string        `env:"MULTISAUDE_JITSI_APP_ID" default:"" help:"jitsi: prosody's app_id, the tokens' iss (required)"`
	JitsiSecret      string        `env:"MULTISAUDE_JITSI_SECRET" default:"" help:"jitsi: prosody's app_secret, HS256 key of the tokens, at least 32 bytes (required)"`
	ChimeRegion      string        `env:"MULTISAUDE_CHIME_REGION" default:"" help:"chime: region of the Chime SDK Meetings API; default AWS_REGION or us-east-1"`
	ChimeMediaRegion string        `env:"MULTISAUDE_CHIME_MEDIA_REGION" default:"sa-east-1" help:"chime: region where the meetings' media flows"`
	ChimeEndpoint    string        `env:"MULTISAUDE_CHIME_ENDPOINT" default:"" help:"chime: API endpoint override (tests); empty for AWS"`

	NominatimURL             string        `env:"MULTISAUDE_NOMINATIM_URL" default:"" help:"nominatim: server URL, e.g. https://nominatim.openstreetmap.org (required for nominatim)"`
	NominatimUserAgent       string        `env:"MULTISAUDE_NOMINATIM_USER_AGENT" default:"" help:"nominatim: User-Agent; default multisaude/1.0 (+https://github.com/multisaude/multisaude)"`
	NominatimEmail           string        `env:"MULTISAUDE_NOMINATIM_EMAIL" default:"" help:"nominatim: contact address sent with requests"`
	NominatimMinInterval     time.Duration `env:"MULTISAUDE_NOMINATIM_MIN_INTERVAL" default:"1s" help:"nominatim: least time between requests"`
	NominatimFallbackOffline bool          `env:"MULTISAUDE_NOMINATIM_FALLBACK_OFFLINE" default:"false" help:"nominatim: place what Nominatim cannot with the offline table"`

	Traces            string  `env:"MULTISAUDE_TRACES" default:"off" help:"OpenTelemetry traces: off, or otlp (OTLP/HTTP to a collector: ADOT, Jaeger, Tempo)"`
	TracesEndpoint    string  `env:"MULTISAUDE_TRACES_ENDPOINT" default:"" help:"otlp: collector base URL, spans go to its /v1/traces; default OTEL_EXPORTER_OTLP_ENDPOINT or http://localhost:4318"`
	TracesSampleRatio float64 `env:"MULTISAUDE_TRACES_SAMPLE_RATIO" default:"1" help:"otlp: share of new traces kept, 0..1; a caller's traceparent keeps its own decision"`
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
func Load(getenv func(string) string) (Config, error) { return load(getenv, true) }

// LoadDatabase is Load for commands that only touch the database (migrate): the
// profile's adapters are not validated, so migrations can run before the rest is set up.
func LoadDatabase(getenv func(string) string) (Config, error) { return load(getenv, false) }

func load(getenv func(string) string, adapters bool) (Config, error) {
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
	problems = append(problems, cfg.validate(adapters)...)
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
	case float64:
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return fmt.Errorf("must be a number")
		}
		v.SetFloat(f)
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

func (c *Config) validate(adapters bool) []string {
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
	if c.DatabaseSecretARN != "" {
		if c.Profile != ProfileAWS {
			p = append(p, "MULTISAUDE_DATABASE_SECRET_ARN: only the aws profile reads the database password from Secrets Manager")
		}
		if u, err := url.Parse(c.DatabaseURL); err == nil && u.User != nil {
			if _, has := u.User.Password(); has {
				p = append(p, "MULTISAUDE_DATABASE_URL: leave the password out when MULTISAUDE_DATABASE_SECRET_ARN is set (the secret holds it)")
			}
		}
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
	switch c.WebhookAllowPrivate {
	case "":
		c.WebhookAllowPrivate = strconv.FormatBool(c.Profile == ProfileLocal)
	case "true", "false":
	default:
		p = append(p, "MULTISAUDE_WEBHOOK_ALLOW_PRIVATE: must be true or false")
	}
	p = append(p, c.validateTraces()...)
	if c.OrderPayWindow < time.Minute || c.OrderPayWindow > 72*time.Hour {
		p = append(p, "MULTISAUDE_ORDER_PAY_WINDOW: must be between 1m and 72h")
	}
	if c.PlatformFeeBP < 0 || c.PlatformFeeBP > 10000 {
		p = append(p, "MULTISAUDE_PLATFORM_FEE_BP: must be between 0 and 10000 (100%)")
	}
	if c.WebhookMaxAttempts < 1 || c.WebhookMaxAttempts > 30 {
		p = append(p, "MULTISAUDE_WEBHOOK_MAX_ATTEMPTS: must be between 1 and 30")
	}
	if c.WebhookSecretOverlap < 0 || c.WebhookSecretOverlap > 30*24*time.Hour {
		p = append(p, "MULTISAUDE_WEBHOOK_SECRET_OVERLAP: must be between 0 and 720h")
	}
	if strings.EqualFold(c.MetricsAddr, "off") {
		c.MetricsAddr = "" // no metrics listener
	} else if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
		p = append(p, "MULTISAUDE_METRICS_ADDR: must be host:port (127.0.0.1:9090, :9090) or off")
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
	switch c.LambdaRole {
	case LambdaAPI, LambdaWorker, LambdaTick:
	default:
		p = append(p, "MULTISAUDE_LAMBDA_ROLE: must be api, worker or tick")
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
	if adapters {
		p = append(p, c.validateAdapters()...)
		p = append(p, c.validateVideo()...)
	}
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		p = append(p, "MULTISAUDE_ADMIN_EMAIL and MULTISAUDE_ADMIN_PASSWORD: set both or neither")
	}
	return p
}

// Video providers, as MULTISAUDE_VIDEO names them.
const (
	VideoWebRTC = "webrtc"
	VideoJitsi  = "jitsi"
	VideoChime  = "chime"
)

// validateVideo resolves the video provider (the profile's default unless
// overridden) and names every variable it requires.
func (c *Config) validateTraces() []string {
	var p []string
	c.Traces = strings.ToLower(strings.TrimSpace(c.Traces))
	if c.Traces != "off" && c.Traces != "otlp" {
		p = append(p, fmt.Sprintf("MULTISAUDE_TRACES=%q: must be off or otlp", c.Traces))
	}
	if c.TracesSampleRatio < 0 || c.TracesSampleRatio > 1 {
		p = append(p, "MULTISAUDE_TRACES_SAMPLE_RATIO: must be between 0 and 1")
	}
	if c.TracesEndpoint != "" {
		if u, err := url.Parse(c.TracesEndpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p = append(p, "MULTISAUDE_TRACES_ENDPOINT: must be an http:// or https:// URL such as http://collector:4318")
		}
	}
	return p
}

func (c *Config) validateVideo() []string {
	var p []string
	c.Video = strings.ToLower(strings.TrimSpace(c.Video))
	switch c.Profile {
	case ProfileLocal:
		if c.Video != "" && c.Video != VideoWebRTC {
			p = append(p, "MULTISAUDE_VIDEO: the local profile always uses the built-in webrtc provider; choose jitsi or chime with the onprem or aws profile")
		}
		c.Video = VideoWebRTC
	case ProfileAWS:
		if c.Video == "" {
			c.Video = VideoChime
		}
	case ProfileOnprem:
		if c.Video == "" {
			c.Video = VideoJitsi
		}
	default:
		return nil
	}
	if c.VideoEarly < time.Minute || c.VideoEarly > 2*time.Hour {
		p = append(p, "MULTISAUDE_VIDEO_EARLY: must be between 1m and 2h")
	}
	if c.VideoGrace < time.Minute || c.VideoGrace > 4*time.Hour {
		p = append(p, "MULTISAUDE_VIDEO_GRACE: must be between 1m and 4h")
	}
	if c.VideoSecret != "" && len(c.VideoSecret) < 32 {
		p = append(p, "MULTISAUDE_VIDEO_SECRET: must have at least 32 bytes (`openssl rand -base64 32` makes one)")
	}
	switch c.Video {
	case VideoWebRTC:
		if c.Profile != ProfileLocal && c.VideoSecret == "" {
			p = append(p, fmt.Sprintf("MULTISAUDE_VIDEO_SECRET is required for the %s profile (MULTISAUDE_VIDEO=webrtc): every instance signs and checks join tokens with it", c.Profile))
		}
		turn := false
		for _, u := range c.ICEServers {
			l := strings.ToLower(u)
			switch {
			case strings.HasPrefix(l, "stun:") || strings.HasPrefix(l, "stuns:"):
			case strings.HasPrefix(l, "turn:") || strings.HasPrefix(l, "turns:"):
				turn = true
			default:
				p = append(p, fmt.Sprintf("MULTISAUDE_ICE_SERVERS: %q must be a stun:, stuns:, turn: or turns: URL", u))
			}
		}
		if turn && (c.TURNUsername == "" || c.TURNCredential == "") {
			p = append(p, "MULTISAUDE_TURN_USERNAME and MULTISAUDE_TURN_CREDENTIAL are required when MULTISAUDE_ICE_SERVERS lists a turn: server")
		}
	case VideoJitsi:
		for _, k := range [][2]string{{"MULTISAUDE_JITSI_URL", c.JitsiURL}, {"MULTISAUDE_JITSI_APP_ID", c.JitsiAppID}, {"MULTISAUDE_JITSI_SECRET", c.JitsiSecret}} {
			if strings.TrimSpace(k[1]) == "" {
				p = append(p, fmt.Sprintf("%s is required for the %s profile (MULTISAUDE_VIDEO=jitsi)", k[0], c.Profile))
			}
		}
		if c.JitsiURL != "" && !strings.HasPrefix(c.JitsiURL, "https://") && !strings.HasPrefix(c.JitsiURL, "http://") {
			p = append(p, "MULTISAUDE_JITSI_URL: must be an https:// URL")
		}
		if c.JitsiSecret != "" && len(c.JitsiSecret) < 32 {
			p = append(p, "MULTISAUDE_JITSI_SECRET: must have at least 32 bytes")
		}
	case VideoChime:
		if strings.TrimSpace(c.ChimeMediaRegion) == "" {
			p = append(p, fmt.Sprintf("MULTISAUDE_CHIME_MEDIA_REGION is required for the %s profile (MULTISAUDE_VIDEO=chime)", c.Profile))
		}
	default:
		p = append(p, fmt.Sprintf("MULTISAUDE_VIDEO=%q: must be webrtc, jitsi or chime", c.Video))
	}
	return p
}

// AllowPrivateWebhooks reports whether partner webhooks may target private addresses.
func (c Config) AllowPrivateWebhooks() bool { return c.WebhookAllowPrivate == "true" }

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
