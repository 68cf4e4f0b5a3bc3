// Package sesnotifier is the AWS ports.Notifier for e-mail: Amazon SES v2
// SendEmail (simple content, UTF-8 text) through aws-sdk-go-v2. SMS is not
// supported here (kernel.KindInvalid on the channel).
package sesnotifier

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"github.com/multisaude/multisaude/adapters/notify/smtpnotifier"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Config configures the notifier.
type Config struct {
	From             string       // MULTISAUDE_SES_FROM: a verified identity, e.g. "MultiSaúde <nao-responda@multisaude.com.br>"
	Region           string       // MULTISAUDE_SES_REGION; default the AWS configuration's region
	ConfigurationSet string       // MULTISAUDE_SES_CONFIGURATION_SET (optional: event publishing, suppression)
	Endpoint         string       // MULTISAUDE_SES_ENDPOINT: endpoint override (tests)
	AWS              *aws.Config  // default: the SDK's default configuration chain
	Logger           *slog.Logger // default slog.Default()
}

// Notifier implements ports.Notifier on SES.
type Notifier struct {
	cfg  Config
	from string
	api  *sesv2.Client
}

var _ ports.Notifier = (*Notifier)(nil)

// New builds the notifier. It does not call SES.
func New(ctx context.Context, cfg Config) (*Notifier, error) {
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("sesnotifier: MULTISAUDE_SES_FROM: %w", err)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	var awsCfg aws.Config
	if cfg.AWS != nil {
		awsCfg = cfg.AWS.Copy()
	} else if awsCfg, err = awsconfig.LoadDefaultConfig(ctx); err != nil {
		return nil, fmt.Errorf("sesnotifier: %w", err)
	}
	if cfg.Region != "" {
		awsCfg.Region = cfg.Region
	}
	api := sesv2.NewFromConfig(awsCfg, func(o *sesv2.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
	})
	return &Notifier{cfg: cfg, from: from.String(), api: api}, nil
}

var tagValue = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// Notify sends one e-mail.
func (s *Notifier) Notify(ctx context.Context, n ports.Notification) error {
	if err := smtpnotifier.Validate(n); err != nil {
		return err
	}
	utf8 := aws.String("UTF-8")
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(s.from),
		Destination:      &types.Destination{ToAddresses: []string{n.To}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(n.Subject), Charset: utf8},
			Body:    &types.Body{Text: &types.Content{Data: aws.String(n.Body), Charset: utf8}},
		}},
	}
	if s.cfg.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(s.cfg.ConfigurationSet)
	}
	if tagValue.MatchString(n.Template) {
		in.EmailTags = append(in.EmailTags, types.MessageTag{Name: aws.String("template"), Value: aws.String(n.Template)})
	}
	if tagValue.MatchString(n.ID) {
		in.EmailTags = append(in.EmailTags, types.MessageTag{Name: aws.String("notification_id"), Value: aws.String(n.ID)})
	}
	if _, err := s.api.SendEmail(ctx, in); err != nil {
		err = translate(err)
		s.cfg.Logger.WarnContext(ctx, "ses send failed", "notification_id", n.ID, "template", n.Template, "kind", string(kernel.KindOf(err)))
		return err
	}
	return nil
}

// translate maps SES errors: a rejected message is the caller's (invalid
// recipient), throttling and sending pauses are unavailable (the SDK already
// retried throttling), configuration faults are internal.
func translate(err error) error {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return kernel.Unavailable(err, "SES cannot be reached")
	}
	// SES messages may name an address ("... failed the check in region X:
	// maria@...") and the error is logged by whoever retries the message: only
	// the error code is kept.
	cause := fmt.Errorf("ses: %s", ae.ErrorCode())
	switch ae.ErrorCode() {
	case "MessageRejected", "BadRequestException":
		return kernel.Invalid("to", "the e-mail service refused this message")
	case "TooManyRequestsException", "LimitExceededException", "SendingPausedException", "AccountSuspendedException",
		"InternalServiceErrorException", "ThrottlingException":
		return kernel.Unavailable(cause, "the e-mail service is unavailable")
	default: // MailFromDomainNotVerifiedException, NotFoundException (configuration set), AccessDenied
		return kernel.Internal(cause, "the e-mail service refused the request")
	}
}
