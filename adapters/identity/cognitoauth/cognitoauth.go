// Package cognitoauth is the AWS ports.IdentityProvider backed by an Amazon
// Cognito user pool: tokens are verified against the pool's published keys
// (issuer, client, token_use, expiry), "cognito:groups" give the account kind
// and company roles, "custom:account_id" names our account; users are created
// with AdminCreateUser, AdminSetUserPassword and AdminAddUserToGroup.
package cognitoauth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/multisaude/multisaude/adapters/identity/jwks"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Config configures the provider.
type Config struct {
	Region     string // MULTISAUDE_COGNITO_REGION; default the AWS configuration's region
	UserPoolID string // MULTISAUDE_COGNITO_USER_POOL_ID, e.g. sa-east-1_AbCdEf
	ClientID   string // MULTISAUDE_COGNITO_CLIENT_ID: the app client tokens must be issued for
	// TokenUse accepted: "id", "access" or "any" (MULTISAUDE_COGNITO_TOKEN_USE; default "any").
	// Access tokens carry custom:account_id only when a pre-token-generation
	// trigger (V2) adds it; ID tokens always carry it.
	TokenUse       string
	Issuer         string        // MULTISAUDE_COGNITO_ISSUER; default https://cognito-idp.<region>.amazonaws.com/<pool>
	JWKSURL        string        // default <issuer>/.well-known/jwks.json
	Endpoint       string        // MULTISAUDE_COGNITO_ENDPOINT: Cognito API endpoint override (tests, VPC endpoints)
	AccountIDClaim string        // default "custom:account_id"
	CompanyIDClaim string        // default "custom:company_id"
	JWKSRefresh    time.Duration // MULTISAUDE_COGNITO_JWKS_REFRESH; default 15m
	JWKSMinRefresh time.Duration // default 10s
	AWS            *aws.Config   // default: the SDK's default configuration chain
}

// Provider implements ports.IdentityProvider.
type Provider struct {
	cfg  Config
	keys *jwks.KeySet
	api  *cip.Client
}

var _ ports.IdentityProvider = (*Provider)(nil)

// New builds the provider and starts the key cache.
func New(ctx context.Context, cfg Config) (*Provider, func(), error) {
	if cfg.UserPoolID == "" || cfg.ClientID == "" {
		return nil, nil, errors.New("cognitoauth: MULTISAUDE_COGNITO_USER_POOL_ID and MULTISAUDE_COGNITO_CLIENT_ID are required")
	}
	switch cfg.TokenUse {
	case "":
		cfg.TokenUse = "any"
	case "id", "access", "any":
	default:
		return nil, nil, fmt.Errorf("cognitoauth: MULTISAUDE_COGNITO_TOKEN_USE is %q, want id, access or any", cfg.TokenUse)
	}
	if cfg.AccountIDClaim == "" {
		cfg.AccountIDClaim = "custom:account_id"
	}
	if cfg.CompanyIDClaim == "" {
		cfg.CompanyIDClaim = "custom:company_id"
	}
	var awsCfg aws.Config
	if cfg.AWS != nil {
		awsCfg = cfg.AWS.Copy()
	} else {
		var opts []func(*awsconfig.LoadOptions) error
		if cfg.Region != "" {
			opts = append(opts, awsconfig.WithRegion(cfg.Region))
		}
		var err error
		if awsCfg, err = awsconfig.LoadDefaultConfig(ctx, opts...); err != nil {
			return nil, nil, fmt.Errorf("cognitoauth: %w", err)
		}
	}
	if cfg.Region != "" {
		awsCfg.Region = cfg.Region
	}
	if cfg.Region == "" {
		cfg.Region = awsCfg.Region
	}
	if cfg.Issuer == "" {
		if cfg.Region == "" {
			return nil, nil, errors.New("cognitoauth: no region: set MULTISAUDE_COGNITO_REGION or AWS_REGION")
		}
		cfg.Issuer = "https://cognito-idp." + cfg.Region + ".amazonaws.com/" + cfg.UserPoolID
	}
	cfg.Issuer = strings.TrimRight(cfg.Issuer, "/")
	if cfg.JWKSURL == "" {
		cfg.JWKSURL = cfg.Issuer + "/.well-known/jwks.json"
	}
	keys, stop, err := jwks.New(ctx, jwks.Config{URL: cfg.JWKSURL, Refresh: cfg.JWKSRefresh, MinRefresh: cfg.JWKSMinRefresh})
	if err != nil {
		return nil, nil, fmt.Errorf("cognitoauth: %w", err)
	}
	api := cip.NewFromConfig(awsCfg, func(o *cip.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
	})
	return &Provider{cfg: cfg, keys: keys, api: api}, stop, nil
}

// Verify checks a Cognito ID or access token issued by the pool for the client.
func (p *Provider) Verify(ctx context.Context, token string) (kernel.Principal, error) {
	tok, err := p.keys.Parse(ctx, token, jwt.WithIssuer(p.cfg.Issuer))
	if err != nil {
		return kernel.Principal{}, err
	}
	var use string
	_ = tok.Get("token_use", &use)
	if (use != "id" && use != "access") || (p.cfg.TokenUse != "any" && use != p.cfg.TokenUse) {
		return kernel.Principal{}, kernel.Unauthenticated("o token não é um token Cognito aceito")
	}
	if use == "id" {
		aud, _ := tok.Audience()
		if !slices.Contains(aud, p.cfg.ClientID) {
			return kernel.Principal{}, kernel.Unauthenticated("o token foi emitido para outro cliente")
		}
	} else {
		var client string
		_ = tok.Get("client_id", &client)
		if client != p.cfg.ClientID {
			return kernel.Principal{}, kernel.Unauthenticated("o token foi emitido para outro cliente")
		}
	}
	var account, company string
	var groups any
	_ = tok.Get(p.cfg.AccountIDClaim, &account)
	_ = tok.Get(p.cfg.CompanyIDClaim, &company)
	_ = tok.Get("cognito:groups", &groups)
	pr, err := jwks.PrincipalOf(account, company, jwks.Strings(groups), nil)
	if err == nil {
		pr.IssuedAt, _ = tok.IssuedAt()
	}
	return pr, err
}

// CreateUser creates a confirmed user whose username is the e-mail, with a
// permanent password, our IDs as custom attributes, and its groups. It returns
// the user's "sub". Nothing is sent to the user (MessageAction SUPPRESS).
func (p *Provider) CreateUser(ctx context.Context, u ports.NewUser) (string, error) {
	if err := jwks.ValidateNewUser(u); err != nil {
		return "", err
	}
	attrs := []types.AttributeType{
		{Name: aws.String("email"), Value: aws.String(u.Email)},
		{Name: aws.String("email_verified"), Value: aws.String("true")},
		{Name: aws.String(p.cfg.AccountIDClaim), Value: aws.String(u.AccountID)},
	}
	if u.CompanyID != "" {
		attrs = append(attrs, types.AttributeType{Name: aws.String(p.cfg.CompanyIDClaim), Value: aws.String(u.CompanyID)})
	}
	username := strings.ToLower(u.Email)
	out, err := p.api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId:     aws.String(p.cfg.UserPoolID),
		Username:       aws.String(username),
		UserAttributes: attrs,
		MessageAction:  types.MessageActionTypeSuppress,
	})
	if err != nil {
		return "", translate(err, "creating a user")
	}
	sub := username
	if out.User != nil {
		for _, a := range out.User.Attributes {
			if aws.ToString(a.Name) == "sub" && aws.ToString(a.Value) != "" {
				sub = aws.ToString(a.Value)
			}
		}
	}
	undo := func(cause error) (string, error) {
		_, _ = p.api.AdminDeleteUser(context.WithoutCancel(ctx), &cip.AdminDeleteUserInput{UserPoolId: aws.String(p.cfg.UserPoolID), Username: aws.String(username)})
		return "", cause
	}
	if err := p.SetPassword(ctx, sub, u.Password); err != nil {
		return undo(err)
	}
	for _, g := range jwks.Groups(u.Kind, u.Roles) {
		_, err := p.api.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{
			UserPoolId: aws.String(p.cfg.UserPoolID), Username: aws.String(sub), GroupName: aws.String(g),
		})
		if err != nil {
			return undo(translate(err, "adding a user to group "+g))
		}
	}
	return sub, nil
}

// SetPassword sets a permanent password for the user with that sub (or username).
func (p *Provider) SetPassword(ctx context.Context, subject, password string) error {
	if strings.TrimSpace(subject) == "" {
		return kernel.Invalid("subject", "é obrigatório")
	}
	if password == "" {
		return kernel.Invalid("password", "é obrigatório")
	}
	_, err := p.api.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(p.cfg.UserPoolID), Username: aws.String(subject), Password: aws.String(password), Permanent: true,
	})
	if err != nil {
		return translate(err, "setting a password")
	}
	return nil
}

// DeleteUser deletes the user with that sub (or username): AdminDeleteUser.
func (p *Provider) DeleteUser(ctx context.Context, subject string) error {
	if strings.TrimSpace(subject) == "" {
		return kernel.Invalid("subject", "é obrigatório")
	}
	_, err := p.api.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(p.cfg.UserPoolID), Username: aws.String(subject)})
	if err != nil {
		return translate(err, "deleting a user")
	}
	return nil
}

// translate maps Cognito's errors to kernel kinds. The SDK has already retried
// throttling and transient failures by then.
func translate(err error, what string) error {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return kernel.Unavailable(err, "o provedor de identidade não respondeu a tempo")
		}
		return kernel.Unavailable(err, "não foi possível contatar o provedor de identidade")
	}
	switch ae.ErrorCode() {
	case "UsernameExistsException", "AliasExistsException":
		return kernel.ConflictField("email", "já existe uma conta com este e-mail")
	case "UserNotFoundException":
		return kernel.NotFound("usuário não encontrado no provedor de identidade")
	case "InvalidPasswordException":
		return kernel.Invalid("password", "não é aceita pela política do provedor de identidade")
	case "InvalidParameterException":
		return kernel.Invalid("user", "não é aceito pelo provedor de identidade")
	case "TooManyRequestsException", "LimitExceededException", "InternalErrorException", "ThrottlingException", "ServiceUnavailable":
		return kernel.Unavailable(err, "o provedor de identidade está sobrecarregado")
	default: // NotAuthorizedException, ResourceNotFoundException (pool or group): configuration
		return kernel.Internal(fmt.Errorf("cognito %s: %w", what, err), "the identity provider refused the request")
	}
}

// IssuerOf returns the issuer tokens must carry (for diagnostics and tests).
func IssuerOf(p *Provider) string { return p.cfg.Issuer }
