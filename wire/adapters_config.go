package wire

import (
	"fmt"
	"slices"
	"strings"
)

// Adapter choices per port, as MULTISAUDE_BLOB, MULTISAUDE_QUEUE, ... name them.
const (
	BlobFile  = "file"
	BlobS3    = "s3"
	BlobMinio = "minio"
	BlobGCS   = "gcs"

	QueueSQL      = "sql"
	QueueSQS      = "sqs"
	QueueRabbitMQ = "rabbitmq"

	IdentityLocal    = "local"
	IdentityCognito  = "cognito"
	IdentityKeycloak = "keycloak"

	KeysLocal = "local"
	KeysKMS   = "kms"

	NotifierLog  = "log"
	NotifierSES  = "ses"
	NotifierSMTP = "smtp"

	GeocoderOffline     = "offline"
	GeocoderNominatim   = "nominatim"
	GeocoderAWSLocation = "awslocation"

	SchedulerSQL         = "sql"
	SchedulerEventBridge = "eventbridge"

	PaymentsLocal  = "localpay"
	PaymentsStripe = "stripe"
)

// validateAdapters resolves each port's adapter (the profile's default unless
// overridden) and names every variable the chosen adapters require.
func (c *Config) validateAdapters() []string {
	var p []string
	choices := []struct {
		name      string
		v         *string
		aws, prem string
		allowed   []string
	}{
		{"MULTISAUDE_BLOB", &c.Blob, BlobS3, BlobMinio, []string{BlobFile, BlobS3, BlobMinio, BlobGCS}},
		{"MULTISAUDE_QUEUE", &c.Queue, QueueSQS, QueueRabbitMQ, []string{QueueSQL, QueueSQS, QueueRabbitMQ}},
		{"MULTISAUDE_IDENTITY", &c.Identity, IdentityCognito, IdentityKeycloak, []string{IdentityLocal, IdentityCognito, IdentityKeycloak}},
		{"MULTISAUDE_KEYS", &c.Keys, KeysKMS, KeysLocal, []string{KeysLocal, KeysKMS}},
		{"MULTISAUDE_NOTIFIER", &c.Notifier, NotifierSES, NotifierSMTP, []string{NotifierLog, NotifierSES, NotifierSMTP}},
		{"MULTISAUDE_GEOCODER", &c.Geocoder, GeocoderAWSLocation, "", []string{GeocoderOffline, GeocoderNominatim, GeocoderAWSLocation}},
		{"MULTISAUDE_SCHEDULER", &c.Scheduler, SchedulerEventBridge, SchedulerSQL, []string{SchedulerSQL, SchedulerEventBridge}},
		{"MULTISAUDE_PAYMENTS", &c.Payments, PaymentsStripe, PaymentsStripe, []string{PaymentsStripe, PaymentsLocal}},
	}
	if c.Profile != ProfileAWS && c.Profile != ProfileOnprem {
		if c.Profile == ProfileLocal {
			for _, ch := range choices {
				if *ch.v != "" {
					p = append(p, fmt.Sprintf("%s: the local profile always uses its own adapters; choose adapters with the aws or onprem profile", ch.name))
				}
			}
		}
		return p
	}
	for _, ch := range choices {
		*ch.v = strings.ToLower(strings.TrimSpace(*ch.v))
		if *ch.v == "" {
			*ch.v = ch.prem
			if c.Profile == ProfileAWS {
				*ch.v = ch.aws
			}
		}
		if *ch.v == "" && ch.name == "MULTISAUDE_GEOCODER" { // onprem: Nominatim when one is configured
			*ch.v = GeocoderOffline
			if c.NominatimURL != "" {
				*ch.v = GeocoderNominatim
			}
		}
		if !slices.Contains(ch.allowed, *ch.v) {
			p = append(p, fmt.Sprintf("%s=%q: must be %s", ch.name, *ch.v, strings.Join(ch.allowed, ", ")))
		}
	}
	// need names each empty variable the choice (name=value) requires.
	need := func(name, value string, vars map[string]string) {
		for _, k := range sortedKeys(vars) {
			if strings.TrimSpace(vars[k]) == "" {
				p = append(p, fmt.Sprintf("%s is required for the %s profile (%s=%s)", k, c.Profile, name, value))
			}
		}
	}
	switch c.Blob {
	case BlobS3:
		need("MULTISAUDE_BLOB", c.Blob, map[string]string{"MULTISAUDE_S3_BUCKET": c.S3Bucket})
	case BlobMinio:
		need("MULTISAUDE_BLOB", c.Blob, map[string]string{"MULTISAUDE_MINIO_ENDPOINT": c.MinioEndpoint, "MULTISAUDE_MINIO_BUCKET": c.MinioBucket,
			"MULTISAUDE_MINIO_ACCESS_KEY": c.MinioAccessKey, "MULTISAUDE_MINIO_SECRET_KEY": c.MinioSecretKey})
	case BlobGCS:
		need("MULTISAUDE_BLOB", c.Blob, map[string]string{"MULTISAUDE_GCS_BUCKET": c.GCSBucket})
	}
	if c.Queue == QueueRabbitMQ {
		need("MULTISAUDE_QUEUE", c.Queue, map[string]string{"MULTISAUDE_AMQP_URL": c.AMQPURL})
	}
	switch c.Identity {
	case IdentityCognito:
		need("MULTISAUDE_IDENTITY", c.Identity, map[string]string{"MULTISAUDE_COGNITO_USER_POOL_ID": c.CognitoUserPoolID, "MULTISAUDE_COGNITO_CLIENT_ID": c.CognitoClientID})
	case IdentityKeycloak:
		need("MULTISAUDE_IDENTITY", c.Identity, map[string]string{"MULTISAUDE_KEYCLOAK_URL": c.KeycloakURL, "MULTISAUDE_KEYCLOAK_CLIENT_ID": c.KeycloakClientID})
	}
	switch c.Keys {
	case KeysKMS:
		need("MULTISAUDE_KEYS", c.Keys, map[string]string{"MULTISAUDE_KMS_KEY_ID": c.KMSKeyID})
	case KeysLocal:
		if c.LocalKeysMasterKeys == "" && c.LocalKeysMasterKeysFile == "" {
			p = append(p, fmt.Sprintf("MULTISAUDE_LOCALKEYS_MASTER_KEYS (or MULTISAUDE_LOCALKEYS_MASTER_KEYS_FILE) is required for the %s profile (MULTISAUDE_KEYS=local)", c.Profile))
		}
	}
	switch c.Notifier {
	case NotifierSES:
		need("MULTISAUDE_NOTIFIER", c.Notifier, map[string]string{"MULTISAUDE_SES_FROM": c.SESFrom})
	case NotifierSMTP:
		need("MULTISAUDE_NOTIFIER", c.Notifier, map[string]string{"MULTISAUDE_SMTP_HOST": c.SMTPHost, "MULTISAUDE_SMTP_FROM": c.SMTPFrom})
	}
	switch c.Geocoder {
	case GeocoderAWSLocation:
		need("MULTISAUDE_GEOCODER", c.Geocoder, map[string]string{"MULTISAUDE_LOCATION_PLACE_INDEX": c.LocationPlaceIndex})
	case GeocoderNominatim:
		need("MULTISAUDE_GEOCODER", c.Geocoder, map[string]string{"MULTISAUDE_NOMINATIM_URL": c.NominatimURL})
	}
	if c.Scheduler == SchedulerEventBridge {
		need("MULTISAUDE_SCHEDULER", c.Scheduler, map[string]string{"MULTISAUDE_SCHEDULER_ROLE_ARN": c.SchedulerRoleARN})
		if c.Queue != QueueSQS {
			p = append(p, fmt.Sprintf("MULTISAUDE_SCHEDULER=eventbridge needs MULTISAUDE_QUEUE=sqs (it is %q): schedules target SQS queues", c.Queue))
		}
	}
	if c.Payments == PaymentsStripe {
		need("MULTISAUDE_PAYMENTS", c.Payments, map[string]string{"MULTISAUDE_STRIPE_SECRET_KEY": c.StripeSecretKey, "MULTISAUDE_STRIPE_WEBHOOK_SECRET": c.StripeWebhookSecret})
	}
	if c.SignerSeed == "" {
		p = append(p, fmt.Sprintf("MULTISAUDE_SIGNER_SEED is required for the %s profile (prescriptions are signed with it; `openssl rand -base64 32` makes one)", c.Profile))
	}
	return p
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
