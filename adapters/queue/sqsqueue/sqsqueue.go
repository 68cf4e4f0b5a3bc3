// Package sqsqueue carries messages on Amazon SQS through aws-sdk-go-v2: one
// queue per topic (created on demand unless RequireExisting), long polling,
// visibility timeouts, a dead-letter queue per topic reached by SQS's own
// redrive after MaxAttempts receives, batched sends, and (by default) FIFO
// queues whose MessageGroupId is the message's ordering key.
package sqsqueue

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Config configures the queues. Environment variables are given per field.
type Config struct {
	Region          string // MULTISAUDE_SQS_REGION, default AWS_REGION or us-east-1
	Endpoint        string // MULTISAUDE_SQS_ENDPOINT: custom endpoint URL; empty for AWS
	AccessKeyID     string // MULTISAUDE_SQS_ACCESS_KEY_ID: static credentials; empty uses the default AWS chain
	SecretAccessKey string // MULTISAUDE_SQS_SECRET_ACCESS_KEY
	QueuePrefix     string // MULTISAUDE_SQS_QUEUE_PREFIX, default "multisaude-"
	// RequireExisting (MULTISAUDE_SQS_REQUIRE_EXISTING) makes the adapter only look queues
	// up: deployment creates them, with their redrive policy. By default the adapter
	// creates each topic's queue and dead-letter queue on first use and sets the
	// redrive policy and visibility timeout from the options below.
	RequireExisting bool
	// Topics, with RequireExisting, are the topics the deployment made queues
	// for: those somebody consumes. A message of another topic has no reader,
	// so Publish drops it (as an exchange with no bound queue does) instead of
	// failing on a queue that was never meant to exist; a listed topic whose
	// queue is missing still fails. Empty: every published topic needs its queue.
	Topics []string
	// Standard (MULTISAUDE_SQS_STANDARD) uses standard queues instead of the default
	// FIFO queues. Standard queues scale further but do not keep the per-key order
	// the Queue port promises; FIFO queues use a message's Key as its MessageGroupId
	// and its ID as the MessageDeduplicationId.
	Standard   bool
	WaitTime   time.Duration // MULTISAUDE_SQS_WAIT_TIME: long-polling wait, 1s..20s, default 20s
	BatchSize  int           // MULTISAUDE_SQS_BATCH_SIZE: messages per receive, 1..10, default 10
	MaxRetries int           // MULTISAUDE_SQS_MAX_RETRIES: SDK attempts for throttling and 5xx, default 3
	// MaxAttempts (MULTISAUDE_QUEUE_MAX_ATTEMPTS, default 5), VisibilityTimeout
	// (MULTISAUDE_QUEUE_VISIBILITY_TIMEOUT, default 30s, whole seconds) and RetryDelay
	// (MULTISAUDE_QUEUE_RETRY_DELAY, default 1s, whole seconds) as every queue adapter.
	ports.QueueOptions
	// APIOptions is SDK middleware added to the client (the tracing's spans); none by default.
	APIOptions []func(*middleware.Stack) error
}

// Queue is a ports.Queue over SQS.
type Queue struct {
	client *sqs.Client
	cfg    Config
	log    *slog.Logger

	mu   sync.Mutex
	urls map[string]string // queue name -> URL
}

var _ ports.Queue = (*Queue)(nil)

// New builds the client. It does not contact SQS; Ping does.
func New(ctx context.Context, cfg Config) (*Queue, func(), error) {
	cfg.QueueOptions = cfg.QueueOptions.WithDefaults()
	if cfg.QueuePrefix == "" {
		cfg.QueuePrefix = "multisaude-"
	}
	if cfg.WaitTime == 0 {
		cfg.WaitTime = 20 * time.Second
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 10
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = 3
	}
	var p kernel.Problems
	if cfg.WaitTime < time.Second || cfg.WaitTime > 20*time.Second {
		p.Add("wait_time", "must be between 1s and 20s")
	}
	if cfg.BatchSize < 1 || cfg.BatchSize > 10 {
		p.Add("batch_size", "must be between 1 and 10")
	}
	if cfg.VisibilityTimeout > 12*time.Hour {
		p.Add("visibility_timeout", "must be at most 12h")
	}
	if cfg.RetryDelay > 12*time.Hour {
		p.Add("retry_delay", "must be at most 12h")
	}
	if cfg.MaxAttempts > 1000 {
		p.Add("max_attempts", "must be at most 1000")
	}
	if len(cfg.QueuePrefix) > 40 || strings.Trim(cfg.QueuePrefix, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "" {
		p.Add("queue_prefix", "may hold at most 40 letters, digits, '-' and '_'")
	}
	if err := p.Err(); err != nil {
		return nil, nil, err
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = cfg.MaxRetries })
		}),
	}
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	if cfg.AccessKeyID != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, "")))
	}
	opts = append(opts, config.WithAPIOptions(cfg.APIOptions))
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, nil, kernel.Internal(err, "sqsqueue: load AWS configuration")
	}
	if awsCfg.Region == "" {
		awsCfg.Region = "us-east-1"
	}
	client := sqs.NewFromConfig(awsCfg, func(o *sqs.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
	})
	q := &Queue{client: client, cfg: cfg, log: slog.Default().With("adapter", "sqsqueue"), urls: map[string]string{}}
	return q, func() {}, nil
}

// QueueName is the SQS queue name of topic: the prefix, then the topic with "."
// turned into "-"; a topic holding "-" (which that would make ambiguous) or one
// too long for SQS's 80 characters gets a short hash of the topic at the end.
// FIFO queue names end in ".fifo".
func (q *Queue) QueueName(topic string) string {
	suffix := ""
	if !q.cfg.Standard {
		suffix = ".fifo"
	}
	name := q.cfg.QueuePrefix + strings.ReplaceAll(topic, ".", "-")
	if strings.Contains(topic, "-") || len(name)+len(suffix) > 80 {
		sum := sha256.Sum256([]byte(topic))
		h := "-" + hex.EncodeToString(sum[:4])
		if max := 80 - len(suffix) - len(h); len(name) > max {
			name = name[:max]
		}
		name += h
	}
	return name + suffix
}

// url returns the URL of topic's queue, creating it (and its dead-letter queue
// with the redrive policy) on first use unless RequireExisting.
func (q *Queue) url(ctx context.Context, topic string) (string, error) {
	name := q.QueueName(topic)
	q.mu.Lock()
	u, ok := q.urls[name]
	q.mu.Unlock()
	if ok {
		return u, nil
	}
	if q.cfg.RequireExisting {
		out, err := q.client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
		if err != nil {
			var nx *types.QueueDoesNotExist
			if errors.As(err, &nx) {
				return "", kernel.Unavailable(err, "sqsqueue: queue %s does not exist (MULTISAUDE_SQS_REQUIRE_EXISTING is set)", name)
			}
			return "", translate(err, "look up queue %s", name)
		}
		u = aws.ToString(out.QueueUrl)
	} else {
		var err error
		if u, err = q.create(ctx, name, topic); err != nil {
			return "", err
		}
	}
	q.mu.Lock()
	q.urls[name] = u
	q.mu.Unlock()
	return u, nil
}

func (q *Queue) create(ctx context.Context, name, topic string) (string, error) {
	base := map[string]string{}
	if !q.cfg.Standard {
		// Content-based deduplication lets AWS senders that cannot give a
		// deduplication ID (EventBridge Scheduler) deliver; Publish gives one.
		base["FifoQueue"] = "true"
		base["ContentBasedDeduplication"] = "true"
	}
	secs := func(d time.Duration) string { return fmt.Sprint(int(math.Ceil(d.Seconds()))) }
	if strings.HasSuffix(topic, ports.DeadLetter("")) {
		// A dead-letter topic's queue keeps messages for the longest SQS allows.
		out, err := q.client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: base})
		if err != nil {
			return "", translate(err, "create queue %s", name)
		}
		u := aws.ToString(out.QueueUrl)
		_, err = q.client.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(u), Attributes: map[string]string{
			"MessageRetentionPeriod": "1209600",
			"VisibilityTimeout":      secs(q.cfg.VisibilityTimeout),
		}})
		if err != nil {
			return "", translate(err, "configure queue %s", name)
		}
		return u, nil
	}
	dlqURL, err := q.url(ctx, ports.DeadLetter(topic))
	if err != nil {
		return "", err
	}
	attrs, err := q.client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(dlqURL), AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
	if err != nil {
		return "", translate(err, "read dead-letter queue ARN")
	}
	out, err := q.client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: base})
	if err != nil {
		return "", translate(err, "create queue %s", name)
	}
	u := aws.ToString(out.QueueUrl)
	redrive := fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":"%d"}`, attrs.Attributes["QueueArn"], q.cfg.MaxAttempts)
	_, err = q.client.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(u), Attributes: map[string]string{
		"VisibilityTimeout": secs(q.cfg.VisibilityTimeout),
		"RedrivePolicy":     redrive,
	}})
	if err != nil {
		return "", translate(err, "configure queue %s", name)
	}
	return u, nil
}

// Ping lists queues with the prefix.
func (q *Queue) Ping(ctx context.Context) error {
	_, err := q.client.ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String(q.cfg.QueuePrefix), MaxResults: aws.Int32(1)})
	if err != nil {
		return translate(err, "ping")
	}
	return nil
}
