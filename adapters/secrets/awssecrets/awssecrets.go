// Package awssecrets reads secrets from AWS Secrets Manager through
// aws-sdk-go-v2: the database credentials the aws profile keeps out of its
// configuration (MULTISAUDE_DATABASE_SECRET_ARN). It is read once, at start.
package awssecrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
)

// Config names the secret and how to reach Secrets Manager.
type Config struct {
	SecretID string // MULTISAUDE_DATABASE_SECRET_ARN: the secret's ARN (or name)
	// Region defaults to the ARN's region, else the AWS configuration's (AWS_REGION).
	Region   string
	Endpoint string // MULTISAUDE_SECRETSMANAGER_ENDPOINT: endpoint override (VPC endpoints, tests)
}

// setting is the variable every error names, so a failed start says what to fix.
const setting = "MULTISAUDE_DATABASE_SECRET_ARN"

// Read returns the secret's string value (SecretString).
func Read(ctx context.Context, cfg Config) (string, error) {
	if strings.TrimSpace(cfg.SecretID) == "" {
		return "", fmt.Errorf("%s is empty", setting)
	}
	region := cfg.Region
	if region == "" {
		if a, err := arn.Parse(cfg.SecretID); err == nil {
			region = a.Region
		}
	}
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return "", fmt.Errorf("%s: load the AWS configuration: %w", setting, err)
	}
	if awsCfg.Region == "" {
		awsCfg.Region = "us-east-1"
	}
	client := secretsmanager.NewFromConfig(awsCfg, func(o *secretsmanager.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
	})
	out, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(cfg.SecretID)})
	if err != nil {
		var nf *types.ResourceNotFoundException
		var api smithy.APIError
		switch {
		case errors.As(err, &nf):
			return "", fmt.Errorf("%s: Secrets Manager has no secret %q", setting, cfg.SecretID)
		case errors.As(err, &api) && api.ErrorCode() == "AccessDeniedException":
			return "", fmt.Errorf("%s: not allowed to read %q (the role needs secretsmanager:GetSecretValue on it and kms:Decrypt on its key): %s", setting, cfg.SecretID, api.ErrorMessage())
		}
		return "", fmt.Errorf("%s: read %q from Secrets Manager: %w", setting, cfg.SecretID, err)
	}
	if out.SecretString == nil {
		return "", fmt.Errorf("%s: secret %q holds no text (SecretString); it must be JSON with username and password", setting, cfg.SecretID)
	}
	return *out.SecretString, nil
}

// credentials is the JSON of an RDS secret: RDS-managed secrets hold username
// and password; secrets attached to an instance (SecretTargetAttachment) add
// host, port, engine and sometimes dbname.
type credentials struct {
	Username string          `json:"username"`
	Password string          `json:"password"`
	Host     string          `json:"host"`
	Port     json.RawMessage `json:"port"` // a number or a string
	DBName   string          `json:"dbname"`
}

// DatabaseURL reads the secret and returns base (a postgres:// URL without a
// password) with the secret's username and password, and its host, port and
// dbname where the secret has them. The secret's content never appears in an
// error.
func DatabaseURL(ctx context.Context, cfg Config, base string) (string, error) {
	raw, err := Read(ctx, cfg)
	if err != nil {
		return "", err
	}
	return buildURL(raw, base, cfg.SecretID)
}

func buildURL(raw, base, id string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("MULTISAUDE_DATABASE_URL: must be a postgres:// URL to combine with %s", setting)
	}
	var c credentials
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return "", fmt.Errorf("%s: secret %q is not JSON with username and password (%s)", setting, id, jsonProblem(err))
	}
	var missing []string
	if c.Username == "" {
		missing = append(missing, "username")
	}
	if c.Password == "" {
		missing = append(missing, "password")
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("%s: secret %q lacks %s", setting, id, strings.Join(missing, " and "))
	}
	u.User = url.UserPassword(c.Username, c.Password)
	host, port := u.Hostname(), u.Port()
	if c.Host != "" {
		host = c.Host
	}
	if len(c.Port) > 0 && string(c.Port) != "null" {
		p := strings.Trim(string(c.Port), `"`)
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("%s: secret %q has a port that is not a number between 1 and 65535", setting, id)
		}
		port = p
	}
	if host == "" {
		return "", fmt.Errorf("%s: neither MULTISAUDE_DATABASE_URL nor secret %q names the database host", setting, id)
	}
	u.Host = host
	if port != "" {
		u.Host = net.JoinHostPort(host, port)
	}
	if c.DBName != "" {
		u.Path = "/" + c.DBName
	}
	return u.String(), nil
}

// jsonProblem describes a JSON error without quoting the input.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q has the wrong type", typ.Field)
	}
	return "unreadable"
}
