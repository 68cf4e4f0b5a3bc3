// Package ebscheduler schedules jobs with Amazon EventBridge Scheduler: each job
// is a one-time at(...) schedule, named after the job, whose target is the SQS
// queue of the job's topic (the sqsqueue adapter's queue) and whose input is the
// job's message in sqsqueue's envelope; the schedule deletes itself after firing.
package ebscheduler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net"
	"regexp"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/multisaude/multisaude/adapters/queue/sqsqueue"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Config configures the scheduler. Environment variables are given per field.
type Config struct {
	Region          string // MULTISAUDE_SCHEDULER_REGION, default AWS_REGION or us-east-1
	Endpoint        string // MULTISAUDE_SCHEDULER_ENDPOINT: custom endpoint URL; empty for AWS
	AccessKeyID     string // MULTISAUDE_SCHEDULER_ACCESS_KEY_ID: static credentials; empty uses the default AWS chain
	SecretAccessKey string // MULTISAUDE_SCHEDULER_SECRET_ACCESS_KEY
	GroupName       string // MULTISAUDE_SCHEDULER_GROUP: schedule group (must exist), default "default"
	RoleARN         string // MULTISAUDE_SCHEDULER_ROLE_ARN (required): role the scheduler assumes to send to SQS
	MaxRetries      int    // MULTISAUDE_SCHEDULER_MAX_RETRIES: SDK attempts for throttling and 5xx, default 3
	// APIOptions is SDK middleware added to the client (the tracing's spans); none by default.
	APIOptions []func(*middleware.Stack) error
}

// Scheduler is a ports.Scheduler over EventBridge Scheduler.
type Scheduler struct {
	client *scheduler.Client
	queue  *sqsqueue.Queue
	cfg    Config
	now    func() time.Time

	mu      sync.Mutex
	targets map[string]target // topic -> queue
}

type target struct {
	arn  string
	fifo bool
}

var _ ports.Scheduler = (*Scheduler)(nil)

// maxInput is EventBridge Scheduler's limit on a target's Input.
const maxInput = 8192

// New builds the client; jobs land on q's queues.
func New(ctx context.Context, cfg Config, q *sqsqueue.Queue) (*Scheduler, func(), error) {
	var p kernel.Problems
	p.Require("role_arn", cfg.RoleARN)
	if cfg.GroupName == "" {
		cfg.GroupName = "default"
	}
	if !nameRE.MatchString(cfg.GroupName) {
		p.Add("group_name", "may hold 1 to 64 letters, digits, '-', '_' and '.'")
	}
	if q == nil {
		p.Add("queue", "is required")
	}
	if err := p.Err(); err != nil {
		return nil, nil, err
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = 3
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
		return nil, nil, kernel.Internal(err, "ebscheduler: load AWS configuration")
	}
	if awsCfg.Region == "" {
		awsCfg.Region = "us-east-1"
	}
	client := scheduler.NewFromConfig(awsCfg, func(o *scheduler.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
	})
	s := &Scheduler{client: client, queue: q, cfg: cfg, now: time.Now, targets: map[string]target{}}
	return s, func() {}, nil
}

var nameRE = regexp.MustCompile(`^[0-9a-zA-Z\-_.]{1,64}$`)

// ScheduleName is the schedule's name for a job ID: the ID itself when
// EventBridge accepts it as a name, else "job-" and a hash of it.
func ScheduleName(jobID string) string {
	if nameRE.MatchString(jobID) {
		return jobID
	}
	sum := sha256.Sum256([]byte(jobID))
	return "job-" + hex.EncodeToString(sum[:24])
}

// Schedule creates or replaces the job's schedule. A job already due is
// published at once (and any schedule it had is deleted).
func (s *Scheduler) Schedule(ctx context.Context, j ports.Job) error {
	if err := ports.CheckJob(j); err != nil {
		return err
	}
	input, err := sqsqueue.Envelope(j.Msg)
	if err != nil {
		return prefixFields(err, "msg.")
	}
	if len(input) > maxInput {
		return kernel.Invalid("msg.body", "is too large to schedule (at most about %d bytes)", maxInput*3/4-200)
	}
	name := ScheduleName(j.ID)
	if !j.At.After(s.now()) {
		if err := s.Cancel(ctx, j.ID); err != nil && kernel.KindOf(err) != kernel.KindNotFound {
			return err
		}
		return s.queue.Publish(ctx, j.Msg)
	}
	t, err := s.target(ctx, j.Msg.Topic)
	if err != nil {
		return err
	}
	// at() takes whole seconds: round up, so the job never fires early.
	at := j.At.UTC().Truncate(time.Second)
	if at.Before(j.At) {
		at = at.Add(time.Second)
	}
	tg := &types.Target{
		Arn:     aws.String(t.arn),
		RoleArn: aws.String(s.cfg.RoleARN),
		Input:   aws.String(input),
		RetryPolicy: &types.RetryPolicy{
			MaximumEventAgeInSeconds: aws.Int32(86400),
			MaximumRetryAttempts:     aws.Int32(185),
		},
	}
	if t.fifo {
		group := j.Msg.Key
		if group == "" {
			group = j.Msg.ID
		}
		tg.SqsParameters = &types.SqsParameters{MessageGroupId: aws.String(group)}
	}
	expr := aws.String("at(" + at.Format("2006-01-02T15:04:05") + ")")
	window := &types.FlexibleTimeWindow{Mode: types.FlexibleTimeWindowModeOff}
	_, err = s.client.CreateSchedule(ctx, &scheduler.CreateScheduleInput{
		Name: aws.String(name), GroupName: aws.String(s.cfg.GroupName),
		ScheduleExpression: expr, ScheduleExpressionTimezone: aws.String("UTC"),
		FlexibleTimeWindow: window, Target: tg, ActionAfterCompletion: types.ActionAfterCompletionDelete,
		State: types.ScheduleStateEnabled,
	})
	var conflict *types.ConflictException
	if errors.As(err, &conflict) {
		// The job exists: replace it.
		_, err = s.client.UpdateSchedule(ctx, &scheduler.UpdateScheduleInput{
			Name: aws.String(name), GroupName: aws.String(s.cfg.GroupName),
			ScheduleExpression: expr, ScheduleExpressionTimezone: aws.String("UTC"),
			FlexibleTimeWindow: window, Target: tg, ActionAfterCompletion: types.ActionAfterCompletionDelete,
			State: types.ScheduleStateEnabled,
		})
		var nf *types.ResourceNotFoundException
		if errors.As(err, &nf) {
			// It fired (and deleted itself) in between: schedule afresh.
			return s.Schedule(ctx, j)
		}
	}
	if err != nil {
		return translate(err, "schedule job")
	}
	return nil
}

// Cancel deletes the job's schedule; kernel.KindNotFound when there is none
// (never scheduled, cancelled, or already fired).
func (s *Scheduler) Cancel(ctx context.Context, id string) error {
	if id == "" {
		return kernel.Invalid("id", "is required")
	}
	_, err := s.client.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{
		Name: aws.String(ScheduleName(id)), GroupName: aws.String(s.cfg.GroupName),
	})
	if err != nil {
		return translate(err, "cancel job")
	}
	return nil
}

func (s *Scheduler) target(ctx context.Context, topic string) (target, error) {
	s.mu.Lock()
	t, ok := s.targets[topic]
	s.mu.Unlock()
	if ok {
		return t, nil
	}
	arn, fifo, err := s.queue.Target(ctx, topic)
	if err != nil {
		return target{}, err
	}
	t = target{arn: arn, fifo: fifo}
	s.mu.Lock()
	s.targets[topic] = t
	s.mu.Unlock()
	return t, nil
}

func translate(err error, op string) error {
	msg := "ebscheduler: " + op
	var (
		nf *types.ResourceNotFoundException
		ve *types.ValidationException
		th *types.ThrottlingException
		ie *types.InternalServerException
		re *awshttp.ResponseError
		ne net.Error
	)
	switch {
	case errors.As(err, &nf):
		return &kernel.Error{Kind: kernel.KindNotFound, Message: "no such job", Err: err}
	case errors.As(err, &th), errors.As(err, &ie), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return kernel.Unavailable(err, "%s", msg)
	case errors.As(err, &ve):
		return kernel.Internal(err, "%s: refused by EventBridge Scheduler", msg)
	case errors.As(err, &re) && (re.HTTPStatusCode() >= 500 || re.HTTPStatusCode() == 429):
		return kernel.Unavailable(err, "%s", msg)
	case errors.As(err, &ne):
		return kernel.Unavailable(err, "%s", msg)
	}
	return kernel.Internal(err, "%s", msg)
}

// prefixFields renames the field errors of a kernel error ("id" -> "msg.id").
func prefixFields(err error, prefix string) error {
	e, ok := err.(*kernel.Error)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	var p kernel.Problems
	for _, f := range e.Fields {
		p.Add(prefix+f.Field, "%s", f.Message)
	}
	return p.Err()
}
